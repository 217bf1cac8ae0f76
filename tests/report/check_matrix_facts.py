#!/usr/bin/env python3
"""Every fact the symptom matrix names exists in the documents' JSON Schemas (docs/schema/),
and every derived fact (ROOT.x.NAME) is one derive.c computes (or the matrix's boot_loaders). A misspelt fact would make a
rule silently never fire (always "not checked"), so this is checked statically."""
import json, os, re, sys

src = sys.argv[1]
with open(os.path.join(src, "report", "data", "symptoms.json")) as f:
    matrix = json.load(f)
schemas = {}
for name in ("host", "guest"):
    with open(os.path.join(src, "docs", "schema", f"ptdiag.{name}-1.json")) as f:
        schemas[name] = json.load(f)
derive_src = ""
for name in sorted(os.listdir(os.path.join(src, "report", "src"))):
    if name.startswith("derive") and name.endswith(".c"):  # derive.c, derive_vfio_ids.c
        with open(os.path.join(src, "report", "src", name)) as f:
            derive_src += f.read()
DERIVED = set(re.findall(r'cJSON_Add\w+ToObject\((?:x|dx|gx), "([a-z_0-9]+)"', derive_src))
# dev.x.gpu.* / ggpu.x.gpu.*: the GPU identity facts (gpu_identity_builtin.c)
with open(os.path.join(src, "report", "src", "gpu_identity_builtin.c")) as f:
    DERIVED |= {"gpu." + n for n in re.findall(r'cJSON_Add\w+ToObject\(g, "([a-z_0-9]+)"', f.read())}

# host.x.cmdline_file / cmdline_apply: the matrix's own boot-loader fragments (derive.c sets
# the entry's members); every entry names the same ones, and "unknown" is always there.
DERIVED |= set(matrix["boot_loaders"]["unknown"])

def sub(node, seg):
    """Schema node for one path segment (object property or array index)."""
    if node is None:
        return None
    if seg.isdigit():
        return node.get("items")
    return node.get("properties", {}).get(seg)

def items(node):
    return node.get("items") if node else None

H, G = schemas["host"], schemas["guest"]
ROOTS = {"host": H, "guest": G,
         "dev": items(sub(H, "devices")), "vm": items(sub(H, "vms")),
         "hp": items(sub(items(sub(H, "vms")), "hostpci")), "ggpu": items(sub(G, "gpus"))}
problems = []

def resolve(path, bound):
    root, _, rest = path.partition(".")
    if rest.startswith("x."):
        if rest[2:] not in DERIVED:
            problems.append(f"{path}: derived fact {rest[2:]!r} is not computed in derive*.c")
        return None
    node = bound.get(root, ROOTS.get(root))
    if node is None:
        problems.append(f"{path}: unknown root")
        return None
    for seg in rest.split(".") if rest else []:
        nxt = sub(node, seg)
        if nxt is None:
            if node.get("properties") is None and "object" in str(node.get("type")):
                return None  # a free-form object in the schema: cannot check deeper
            problems.append(f"{path}: '{seg}' is not in the schema")
            return None
        node = nxt
    return node

def walk(cond, bound, rule):
    if not isinstance(cond, dict):
        return
    for k in ("all", "any"):
        for c in cond.get(k, []):
            walk(c, bound, rule)
    if "not" in cond:
        walk(cond["not"], bound, rule)
    for q in ("some", "none", "count"):
        if q in cond:
            arr = resolve(cond[q], bound)
            b = dict(bound)
            b[cond.get("as", "it")] = items(arr) if arr else {"type": "object"}
            if "where" in cond:
                walk(cond["where"], b, rule)
    if "fact" in cond:
        resolve(cond["fact"], bound)
    if "value_fact" in cond:
        resolve(cond["value_fact"], bound)

for r in matrix["rules"]:
    for key in ("when", "applies"):
        if key in r:
            walk(r[key], {}, r["id"])
    for c in r.get("cases", []):
        walk(c["when"], {}, r["id"])
    for text in [r["root_cause"], r["fix"]] + [c.get("fix", "") + c.get("root_cause", "") for c in r.get("cases", [])]:
        for ph in re.findall(r"\{((?:host|dev|vm|hp|guest|ggpu)\.[a-z0-9_.]+)\}", text):
            resolve(ph, {})
for p in sorted(set(problems)):
    print("FAIL", p)
print(f"{len(matrix['rules'])} rules, {len(set(problems))} problem(s)")
sys.exit(1 if problems else 0)

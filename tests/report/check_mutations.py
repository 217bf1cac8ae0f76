#!/usr/bin/env python3
"""Robustness: ptdiag-report on documents whose fields have the wrong type (null, number,
string, array, object, boolean in place of every value of the base documents, sampled
deterministically) must exit 0 or 1 with a JSON report, or 2 naming the file and the field
(a list or section of the wrong type), never crash or exit otherwise.
Readers must survive any well-formed JSON a buggy or hostile producer writes."""
import copy, json, os, random, subprocess, sys, tempfile

exe, src = sys.argv[1], sys.argv[2]
limit = int(sys.argv[3]) if len(sys.argv) > 3 else 400
docs = os.path.join(src, "tests", "report", "docs")
names = ["host-pve-ws.json", "guest-linux-3090.json", "guest-windows-arc.json"]
base = {}
for n in names:
    with open(os.path.join(docs, n)) as f:
        base[n] = json.load(f)

def paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            if k != "schema":
                yield from paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node[:3]):
            yield from paths(v, prefix + (i,))

def setp(doc, path, value):
    node = doc
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = value

rng = random.Random(6)
todo = [(n, p) for n in names for p in paths(base[n]) if p]
rng.shuffle(todo)
bad = 0
with tempfile.TemporaryDirectory() as tmp:
    for i, (n, path) in enumerate(todo[:limit]):
        wrong = [None, 0, -1, 1e300, "x", [], {}, True, [None], {"a": None}][i % 10]
        docs_now = {k: copy.deepcopy(v) for k, v in base.items()}
        setp(docs_now[n], path, wrong)
        files = []
        for k, v in docs_now.items():
            fp = os.path.join(tmp, k)
            with open(fp, "w") as f:
                json.dump(v, f)
            files.append(fp)
        for fmt in ("json", "prom"):
            r = subprocess.run([exe, "--format", fmt] + files, capture_output=True, text=True, timeout=30)
            sane = "ERROR: AddressSanitizer" not in r.stderr and "runtime error" not in r.stderr
            # exit 2 is right for a list or section of the wrong type, if it says which file and field
            rejected = r.returncode == 2 and n in r.stderr and "must be" in r.stderr and not r.stdout
            ok = sane and (r.returncode in (0, 1) or rejected)
            if ok and fmt == "json" and not rejected:
                try:
                    json.loads(r.stdout)
                except ValueError:
                    ok = False
            if not ok:
                bad += 1
                print(f"FAIL {n} {'.'.join(map(str, path))} = {wrong!r} ({fmt}): exit {r.returncode}: {r.stderr[-400:]}")
print(f"{min(limit, len(todo))} mutations, {bad} failure(s)")
sys.exit(1 if bad else 0)

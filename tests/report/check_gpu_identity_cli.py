#!/usr/bin/env python3
"""ptdiag-report end to end with the GPU identity table: a rule naming dev.x.gpu.* fires on the
devices the built-in table identifies (an RTX 3090 and an Arc A770 in host-pve-ws.json) and
not on their audio functions; --gpu-identity FILE replaces the table; a bad table is refused
with exit 2 and a message naming the file and the entry."""
import json, os, subprocess, sys, tempfile

exe, src = sys.argv[1], sys.argv[2]
host = os.path.join(src, "tests", "report", "docs", "host-pve-ws.json")
problems = []

RULE = {"id": "gpu-facts", "title": "t", "layer": "L1", "severity": "error",
        "scope": "host_device", "references": ["https://example.org/"],
        "when": {"fact": "dev.x.gpu.vendor", "op": "ne", "value": ""},
        "root_cause": "{dev.x.ids} {dev.x.gpu.family} {dev.x.gpu.segment} {dev.x.gpu.rebar} "
                      "{dev.x.gpu.hypervisor_check}",
        "fix": "f"}


# The built-in matrix's vocabulary (layers, soak, prometheus, boot_loaders), which every
# matrix has before its rules.
with open(os.path.join(src, "report", "data", "symptoms.json")) as f:
    VOCAB = {k: v for k, v in json.load(f).items() if k not in ("schema", "description", "rules")}


def run(tmp, *extra):
    matrix = os.path.join(tmp, "m.json")
    with open(matrix, "w") as f:
        json.dump(dict(VOCAB, schema="ptdiag.matrix/1", rules=[RULE]), f)
    p = subprocess.run([exe, "--format", "json", "--matrix", matrix, *extra, host],
                       capture_output=True, text=True)
    return p


def causes(p):
    return sorted(f["root_cause"] for f in json.loads(p.stdout)["findings"])


with tempfile.TemporaryDirectory() as tmp:
    got = causes(run(tmp))
    want = ["10de:2204 Ampere consumer neutral nvidia-pre-465.89",
            "8086:56a0 Alchemist DG2 consumer recommended windows-driver"]
    if got != want:
        problems.append(f"built-in table: findings {got}, want {want}")

    # the installed copy of the table, edited: the 3090 becomes a professional card
    with open(os.path.join(src, "report", "data", "gpu-identity.json")) as f:
        table = json.load(f)
    for d in table["devices"]:
        if d["id"] == "10de:2204":
            d["segment"], d["hypervisor_check"] = "professional", "none"
    edited = os.path.join(tmp, "ids.json")
    with open(edited, "w") as f:
        json.dump(table, f)
    got = causes(run(tmp, "--gpu-identity", edited))
    if "10de:2204 Ampere professional neutral none" not in got:
        problems.append(f"--gpu-identity FILE not used: {got}")

    # a misspelt value: refused, naming the file and the entry
    for d in table["devices"]:
        if d["id"] == "10de:2204":
            d["reset"] = "FLR"
    with open(edited, "w") as f:
        json.dump(table, f)
    p = run(tmp, "--gpu-identity", edited)
    if p.returncode != 2 or edited not in p.stderr or "entry '10de:2204'" not in p.stderr:
        problems.append(f"bad table: exit {p.returncode}, stderr {p.stderr.strip()!r}")

for pr in problems:
    print(pr)
print(f"{len(problems)} problem(s)")
sys.exit(1 if problems else 0)

#!/usr/bin/env python3
"""Every rule of the symptom matrix cites at least one public source a user can open, and every
GPU identity family does too: each reference is a full http(s) URL, never a note only the
engineers have (the failure catalogue, DESIGN, anything under shared/). The generated
docs/troubleshooting.md must not cite such notes either."""
import json, os, re, sys

src = sys.argv[1]
PRIVATE = re.compile(r"failure-catalogue|catalogue §|DESIGN|(^|/)shared/|/work/|§", re.I)
URL = re.compile(r"^https?://[A-Za-z0-9.-]+\.[A-Za-z]{2,}(/\S*)?$")
problems = []


def check(where, refs):
    if not isinstance(refs, list) or not refs:
        problems.append(f"{where}: no references (at least one public URL)")
        return
    for r in refs:
        if not isinstance(r, str) or not URL.match(r):
            problems.append(f"{where}: {r!r} is not a public http(s) URL")
        elif PRIVATE.search(r):
            problems.append(f"{where}: {r!r} points at engineers' notes, not a public source")


with open(os.path.join(src, "report", "data", "symptoms.json")) as f:
    matrix = json.load(f)
for rule in matrix["rules"]:
    check(f"symptoms.json rule {rule['id']}", rule.get("references"))

with open(os.path.join(src, "report", "data", "gpu-identity.json")) as f:
    ident = json.load(f)
for name, fam in ident["families"].items():
    check(f"gpu-identity.json family {name}", fam.get("sources"))
for dev in ident["devices"]:
    if "sources" in dev:
        check(f"gpu-identity.json device {dev['id']}", dev["sources"])

with open(os.path.join(src, "docs", "troubleshooting.md")) as f:
    for n, line in enumerate(f, 1):
        if PRIVATE.search(line):
            problems.append(f"docs/troubleshooting.md:{n}: cites engineers' notes: {line.strip()[:100]}")

for p in problems:
    print(p)
print(f"{len(matrix['rules'])} rules, {len(ident['families'])} GPU families, "
      f"{len(problems)} problem(s)")
sys.exit(1 if problems else 0)

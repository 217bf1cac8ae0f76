#!/usr/bin/env python3
"""The JSON Schemas in docs/schema/ accept the fixture documents and ptdiag-report's own
output, and reject documents with wrong types."""
import glob, json, os, subprocess, sys

exe, src = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(src, "tests", "lib"))
from ptdschema import schema_errors, validators  # noqa: E402

schemas = validators()
assert set(schemas) == {"ptdiag.host/1", "ptdiag.guest/1", "ptdiag.report/1"}, schemas.keys()

failures = 0
def validate(doc, name):
    global failures
    errs = schema_errors(doc, 5)
    for e in errs:
        print(f"FAIL {name}: {e}")
    failures += bool(errs)

docs = sorted(glob.glob(os.path.join(src, "tests", "report", "docs", "*.json")))
docs += sorted(glob.glob(os.path.join(src, "tests", "e2e", "expected", "*.json")))
for path in docs:
    with open(path) as f:
        validate(json.load(f), os.path.relpath(path, src))
base = [os.path.join(src, "tests", "report", "docs", f) for f in ("host-pve-ws.json", "guest-linux-3090.json", "guest-windows-arc.json")]
r = subprocess.run([exe, "--format", "json", *base], capture_output=True, text=True, timeout=30)
validate(json.loads(r.stdout), "ptdiag-report output")

# The schemas must be able to say no.
with open(base[0]) as f:
    bad = json.load(f)
bad["devices"][0]["is_gpu"] = "yes"
bad["system"]["iommu"]["irq_remapping"] = "true"
if not list(schemas["ptdiag.host/1"].iter_errors(bad)):
    print("FAIL host schema accepted is_gpu=\"yes\"")
    failures += 1
print(f"{len(docs) + 1} documents, {failures} failure(s)")
sys.exit(1 if failures else 0)

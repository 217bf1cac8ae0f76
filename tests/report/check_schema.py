#!/usr/bin/env python3
"""The JSON Schemas in docs/schema/ accept the fixture documents and ptdiag-report's own
output, and reject documents with wrong types. Needs python3-jsonschema; without it the test
reports itself skipped (ctest SKIP_RETURN_CODE 77) rather than passing."""
import glob, json, os, subprocess, sys

exe, src = sys.argv[1], sys.argv[2]
try:
    import jsonschema
except ImportError:
    print("python3-jsonschema not installed: skipped")
    sys.exit(77)

schemas = {}
for path in glob.glob(os.path.join(src, "docs", "schema", "*.json")):
    with open(path) as f:
        s = json.load(f)
    jsonschema.Draft202012Validator.check_schema(s)
    schemas[s["properties"]["schema"]["const"]] = jsonschema.Draft202012Validator(s)
assert set(schemas) == {"ptdiag.host/1", "ptdiag.guest/1", "ptdiag.report/1"}, schemas.keys()

failures = 0
def validate(doc, name):
    global failures
    errs = list(schemas[doc["schema"]].iter_errors(doc))
    for e in errs[:5]:
        print(f"FAIL {name}: {'/'.join(map(str, e.absolute_path))}: {e.message}")
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

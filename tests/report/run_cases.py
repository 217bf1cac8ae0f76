#!/usr/bin/env python3
"""Table-driven tests of ptdiag-report's symptom matrix.

Each case in cases.json starts from realistic base documents (docs/), applies small patches
(the fault being tested), runs ptdiag-report --format json and checks:
  fire      ids that must be among the findings (optionally with a severity: "id:warning"),
  not_fire  ids that must NOT be among the findings and must have been decided (not listed
            as "not checked": a rule that could not look is not a pass),
  strict    no finding other than those in fire/allow,
  exit      the exit status (default: 1 when an error finding exists, else 0).
Finally every DESIGN §4 id must have fired in one case and been decided-and-silent in another.
"""
import copy, json, os, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
BASES = {"host": "host-pve-ws.json", "linux": "guest-linux-3090.json", "windows": "guest-windows-arc.json"}
DESIGN_IDS = """cpu-virt-missing iommu-disabled iommu-cmdline-wrong-bootloader interrupt-remapping-missing
above-4g-decoding-off host-framebuffer-holds-bar rebar-bar-small large-bar-needs-phys-bits pcie-link-degraded
iommu-group-shared acs-override-active gpu-bound-to-host-driver companion-not-on-vfio vfio-modules-missing
vfio-ids-malformed vfio-virqfd-obsolete initramfs-stale reset-method-missing amd-reset-bug
vendor-reset-unsupported-device nvidia-blackwell-reset vm-not-q35 vm-not-ovmf vm-balloon-enabled vm-cpu-not-host
vm-xvga-with-emulated-display vm-hostpci-device-missing vm-hostpci-partial-group vm-hypervisor-visible
vm-hiding-on-pro-gpu vm-args-drop-enlightenments vm-raw-bdf-in-cluster mapping-invalid vm-numa-mismatch
guest-gpu-missing guest-code-43 guest-code-12 guest-driver-missing guest-wrong-inf guest-software-renderer
guest-vram-mismatch guest-vulkan-missing guest-nvidia-open-module-required guest-nvidia-xid
guest-driver-library-mismatch guest-tdr guest-hypervisor-visible guest-fast-startup""".split()


def walk(doc, path, create=False):
    """Returns (parent, key) for a dotted path; segments may be list indexes or
    name[key=value] selectors into lists of objects."""
    node = doc
    segs, cur, depth = [], "", 0
    for ch in path:  # split on dots outside [selectors] (BDFs contain dots)
        if ch == "." and depth == 0:
            segs.append(cur)
            cur = ""
            continue
        depth += ch == "["
        depth -= ch == "]"
        cur += ch
    segs.append(cur)
    for i, seg in enumerate(segs):
        last = i == len(segs) - 1
        sel = None
        if "[" in seg and seg.endswith("]"):
            seg, sel = seg[:-1].split("[", 1)
        if isinstance(node, list):
            key = int(seg)
        else:
            key = seg
        if sel is None:
            if last:
                return node, key
            if create and isinstance(node, dict) and (key not in node or node[key] is None):
                node[key] = {}
            node = node[key]
            continue
        lst = node[key]
        k, v = sel.split("=", 1)
        match = [j for j, e in enumerate(lst) if str(e.get(k)) == v]
        if not match:
            raise KeyError(f"no element with {k}={v} in {path}")
        if last:
            return lst, match[0]
        node = lst[match[0]]
    raise KeyError(path)


def apply(docs, patch):
    doc = docs[patch["doc"]]
    if "set" in patch:
        parent, key = walk(doc, patch["set"], create=True)
        parent[key] = copy.deepcopy(patch["value"])
    elif "del" in patch:
        parent, key = walk(doc, patch["del"])
        del parent[key]
    elif "append" in patch:
        parent, key = walk(doc, patch["append"], create=True)
        parent[key].append(copy.deepcopy(patch["value"]))
    else:
        raise ValueError(f"bad patch {patch}")


def run_case(exe, case, tmp, positives, negatives):
    docs = {}
    for name in case.get("docs", ["host"]):
        with open(os.path.join(HERE, "docs", BASES[name])) as f:
            docs[name] = json.load(f)
    for p in case.get("patches", []):
        apply(docs, p)
    files, args = [], []
    for name, doc in docs.items():
        path = os.path.join(tmp, f"{case['name']}-{name}.json")
        with open(path, "w") as f:
            json.dump(doc, f)
        if name in case.get("guest_args", {}):
            args += ["--guest", f"{case['guest_args'][name]}={path}"]
        else:
            files.append(path)
    proc = subprocess.run([exe, "--format", "json"] + args + files, capture_output=True, text=True, timeout=30)
    errs = []
    try:
        rep = json.loads(proc.stdout)
    except ValueError:
        return [f"output is not JSON (exit {proc.returncode}): {proc.stderr.strip()}"]
    found = {}
    for f in rep["findings"]:
        found.setdefault(f["id"], set()).add(f["severity"])
    unchecked = {u["id"]: u["reason"] for u in rep["not_checked"]}
    for want in case.get("fire", []):
        rid, _, sev = want.partition(":")
        if rid not in found:
            why = f" (not checked: {unchecked[rid]})" if rid in unchecked else ""
            errs.append(f"{rid} did not fire{why}")
        elif sev and sev not in found[rid]:
            errs.append(f"{rid} fired as {sorted(found[rid])}, expected {sev}")
        else:
            positives.add(rid)
    for rid in case.get("not_fire", []):
        if rid in found:
            errs.append(f"{rid} fired but must not")
        elif rid in unchecked and not case.get("unchecked_ok"):
            errs.append(f"{rid} was not checked ({unchecked[rid]}), so its silence proves nothing")
        else:
            negatives.add(rid)
    if case.get("strict"):
        # the recommended configuration is a note on every passed GPU, not a finding
        allowed = {w.partition(":")[0] for w in case.get("fire", []) + case.get("allow", [])}
        allowed.add("vm-recommended-config")
        extra = sorted(set(found) - allowed)
        if extra:
            errs.append(f"unexpected findings: {extra}")
        for rid in DESIGN_IDS:
            if rid not in found and rid not in unchecked:
                negatives.add(rid)
    want_exit = case.get("exit", 1 if any("error" in s for s in found.values()) else 0)
    if proc.returncode != want_exit:
        errs.append(f"exit {proc.returncode}, expected {want_exit}")
    if rep["summary"]["exit_status"] != proc.returncode:
        errs.append("summary.exit_status differs from the exit status")
    for rid, text in case.get("fix_contains", {}).items():
        fixes = [f["fix"] + "\n" + f["root_cause"] for f in rep["findings"] if f["id"] == rid]
        if not any(text in fx for fx in fixes):
            errs.append(f"{rid}: fix/root cause lacks {text!r}: {fixes}")
    for rid, text in case.get("evidence_contains", {}).items():
        ev = [json.dumps(f["evidence"]) for f in rep["findings"] if f["id"] == rid]
        if not any(text in e for e in ev):
            errs.append(f"{rid}: evidence lacks {text!r}")
    return errs


def main():
    exe = sys.argv[1]
    with open(os.path.join(HERE, "cases.json")) as f:
        cases = json.load(f)
    positives, negatives, failed = set(), set(), 0
    names = set()
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases:
            assert case["name"] not in names, f"duplicate case {case['name']}"
            names.add(case["name"])
            errs = run_case(exe, case, tmp, positives, negatives)
            print(("FAIL " if errs else "ok   ") + case["name"])
            for e in errs:
                print("     " + e)
            failed += bool(errs)
    for rid in DESIGN_IDS:
        if rid not in positives:
            print(f"FAIL coverage: no case where {rid} fires")
            failed += 1
        if rid not in negatives:
            print(f"FAIL coverage: no case where {rid} is checked and silent")
            failed += 1
    print(f"{len(cases)} cases, {failed} failure(s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

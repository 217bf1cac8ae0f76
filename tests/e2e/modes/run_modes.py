#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Passthrough modes end to end: for each row of expect.tsv, a hostgen scenario with a
tests/fixtures/pve tree -> ptdiag-host --root --json -> ptdiag-report --format json, and the
rule ids that must be absent / present for the row's VM. Prints one line per row and the
failing rows with the findings seen; exits 1 when a row fails.

Usage: run_modes.py PTDIAG_HOST PTDIAG_REPORT [ROW-FILTER]
"""
import json, os, shutil, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.normpath(os.path.join(HERE, "..", "..", "fixtures"))
ENV = dict(os.environ, PTDIAG_FIXED_TIME="2026-11-22T20:00:00Z", PYTHONPATH=FIX)
# A valid mode trips none of the binding, group, machine or hypervisor rules (issue 11).
VALID = ["gpu-bound-to-host-driver", "companion-not-on-vfio", "iommu-group-shared",
         "vm-hostpci-partial-group", "vm-not-q35", "vm-not-ovmf", "vm-hypervisor-visible",
         "vm-cpu-not-host", "vm-args-drop-enlightenments", "pci-device-reserved-by-other-vm"]


def rows():
    with open(os.path.join(HERE, "expect.tsv")) as f:
        for n, line in enumerate(f, 1):
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.rstrip("\n").split("\t")
            if len(cols) != 6:
                sys.exit(f"expect.tsv:{n}: {len(cols)} columns, expected 6")
            scen, pve, vmid, absent, present, what = cols
            ids = lambda s: [] if s == "-" else [i for x in s.split(",")
                                                 for i in (VALID if x == "VALID" else [x])]
            yield n, scen, pve, None if vmid == "-" else int(vmid), ids(absent), ids(present), what


def findings(host, rep, tmp, scen, pve, cache):
    key = (scen, pve)
    if key in cache:
        return cache[key]
    root = os.path.join(tmp, f"{scen}+{pve}")
    subprocess.run([sys.executable, "-m", "hostgen", scen, root], env=ENV, check=True,
                   timeout=120)
    shutil.copytree(os.path.join(FIX, "pve", pve), root, symlinks=True, dirs_exist_ok=True)
    p = subprocess.run([host, "--root", root, "--json"], env=ENV, capture_output=True,
                       text=True, timeout=60)
    if p.returncode != 0:
        sys.exit(f"ptdiag-host {scen}+{pve}: exit {p.returncode}: {p.stderr[-300:]}")
    doc = os.path.join(tmp, f"{scen}+{pve}.json")
    with open(doc, "w") as f:
        f.write(p.stdout)
    r = subprocess.run([rep, "--format", "json", doc], env=ENV, capture_output=True, text=True,
                       timeout=60)
    if r.returncode not in (0, 1):
        sys.exit(f"ptdiag-report {scen}+{pve}: exit {r.returncode}: {r.stderr[-300:]}")
    cache[key] = json.loads(r.stdout)["findings"]
    return cache[key]


def main():
    host, rep = sys.argv[1:3]
    only = sys.argv[3] if len(sys.argv) > 3 else None
    failed = 0
    cache = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n, scen, pve, vmid, absent, present, what in rows():
            if only and only not in (scen, pve):
                continue
            fs = findings(host, rep, tmp, scen, pve, cache)
            # A VM row sees its VM's findings and the host-wide ones (no vmid).
            seen = {f["id"] for f in fs if vmid is None or f.get("vmid") in (vmid, None)}
            bad = [f"fired: {i}" for i in absent if i in seen]
            bad += [f"missing: {i}" for i in present if i not in seen]
            label = f"{scen}+{pve}" + (f" VM {vmid}" if vmid is not None else "")
            print(f"{'FAIL' if bad else 'ok  '} expect.tsv:{n} {label}: {what}")
            for b in bad:
                print(f"       {b}")
            if bad:
                print(f"       findings: {sorted(seen)}")
                failed += 1
    print(f"{failed} row(s) failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

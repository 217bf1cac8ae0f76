#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Host side of the VM tests: compares what ptdiag-host reported inside the guest with what
the guest's shell read straight from sysfs (truth.txt), checks that the probe changed nothing
(state-before/after), that the unprivileged and hidden-firmware runs say "unknown" rather than
raising false alarms, and that replaying the guest's snapshot with --root gives the same
document.

Exit: 0 all checks passed, 1 at least one MISMATCH.
PTDVM_FLIP=driver|group|bar|reset flips one expected fact (the deliberate-mismatch test); the
run then also fails if the flipped fact was never compared.
"""
import argparse
import importlib.util
import json
import os
import subprocess
import sys

sys.dont_write_bytecode = True  # importing check-readonly.py must leave no __pycache__ behind

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from sysfs_truth import (device_mismatches, expected_devices, flip_device,  # noqa: E402
                         parse_truth, truth_driver)

problems = []
checked = {"count": 0}
flip = os.environ.get("PTDVM_FLIP", "")
flip_hit = []


def check(cond, what):
    checked["count"] += 1
    if not cond:
        problems.append(what)
        print("MISMATCH " + what)


def note(what):
    print("NOTE " + what)


def read(path, default=None):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return default


def load_json(path, label):
    text = read(path)
    if text is None:
        check(False, f"{label}: {path} missing")
        return None
    try:
        return json.loads(text)
    except ValueError as e:
        check(False, f"{label}: {path} is not JSON ({e})")
        return None


def apply_flip(t, devices_doc):
    """Changes one expected fact for a device the document lists, so the comparison must
    report exactly that."""
    try:
        what = flip_device(t, [x.get("bdf") for x in devices_doc], flip)
    except KeyError:
        sys.exit(f"check.py: unknown PTDVM_FLIP '{flip}'")
    if what:
        flip_hit.append(what)
        note("flipped the expected " + what)


def check_devices(label, doc, t, privileged):
    devices = doc.get("devices")
    check(isinstance(devices, list), f"{label}: devices is not a list ({type(devices).__name__})")
    if not isinstance(devices, list):
        return
    got = {d.get("bdf") for d in devices}
    exp = expected_devices(t)
    check(got == exp, f"{label}: devices {sorted(got)} != display functions and their slots "
                      f"{sorted(exp)}")
    for dev in devices:
        bdf = dev.get("bdf")
        d = t["devs"].get(bdf)
        if not d:
            continue
        lb = f"{label}: {bdf}"
        mismatches = device_mismatches(dev, d, t["res"].get(bdf, {}))
        check(not mismatches, f"{label}: " + "; ".join(mismatches))
        cfg = dev.get("config_bytes")
        if privileged:
            check(cfg is not None and cfg >= 256, f"{lb}: config_bytes {cfg} as root")
        else:
            check(cfg is not None and cfg <= 64, f"{lb}: config_bytes {cfg} unprivileged")
            # The PCIe capability lies past byte 64: unknown, never "no FLR".
            check(dev.get("flr") is None,
                  f"{lb}: flr {dev.get('flr')} from 64 bytes of config space (must be null)")


def check_groups(label, doc, t):
    groups = doc.get("iommu_groups")
    check(isinstance(groups, list), f"{label}: iommu_groups is not a list")
    if not isinstance(groups, list):
        return
    # Every group the kernel formed is in the document (issue 17), each with its members.
    exp = set(t["groups"])
    got = {g.get("id") for g in groups}
    check(got == exp, f"{label}: iommu_groups {sorted(got, key=str)} != the kernel's groups "
                      f"{sorted(exp)}")
    for g in groups:
        gid = g.get("id")
        tg = t["groups"].get(gid)
        if not tg:
            continue
        members = {m.get("bdf") for m in g.get("devices") or []}
        check(members == tg["members"],
              f"{label}: group {gid} members {sorted(members)} != sysfs {sorted(tg['members'])}")
        check(g.get("type") == tg["type"], f"{label}: group {gid} type {g.get('type')} != "
                                           f"sysfs {tg['type']}")
        for m in g.get("devices") or []:
            d = t["devs"].get(m.get("bdf"))
            if d:
                check(m.get("driver") == truth_driver(d),
                      f"{label}: group {gid} {m.get('bdf')} driver {m.get('driver')} != "
                      f"{truth_driver(d)}")


def check_system(label, doc, t):
    system = doc.get("system") or {}
    if "kernel_release" in system:
        check(system["kernel_release"] == t["uname_r"],
              f"{label}: kernel_release {system['kernel_release']} != {t['uname_r']}")
    cmdline = system.get("cmdline")
    if isinstance(cmdline, dict):
        check(cmdline.get("raw") == t["cmdline"], f"{label}: cmdline.raw differs")
    modules = system.get("modules")
    if isinstance(modules, dict) and modules.get("loaded") is not None:
        check(set(modules["loaded"]) == t["modules"],
              f"{label}: modules.loaded {sorted(modules['loaded'])} != /proc/modules "
              f"{sorted(t['modules'])}")
    iommu = system.get("iommu")
    check(isinstance(iommu, dict), f"{label}: no system.iommu object")
    if isinstance(iommu, dict):
        check(set(iommu.get("class_devices") or []) == t["iommu_class"],
              f"{label}: iommu.class_devices {iommu.get('class_devices')} != "
              f"{sorted(t['iommu_class'])}")
        check(iommu.get("group_count") == len(t["groups"]),
              f"{label}: iommu.group_count {iommu.get('group_count')} != {len(t['groups'])}")
        types = {}
        for g in t["groups"].values():
            types[g["type"]] = types.get(g["type"], 0) + 1
        check((iommu.get("group_types") or {}) == types,
              f"{label}: iommu.group_types {iommu.get('group_types')} != {types}")
    acpi = system.get("acpi")
    check(isinstance(acpi, dict), f"{label}: no system.acpi object")
    if isinstance(acpi, dict):
        for table in ("DMAR", "IVRS"):
            want = f"/sys/firmware/acpi/tables/{table}" in t["files"]
            check(acpi.get(table.lower()) == want,
                  f"{label}: acpi.{table.lower()} {acpi.get(table.lower())} != {want}")


def errors_mention(doc, needle):
    return any(needle in (e.get("message") or "") for e in doc.get("errors") or [])


def check_nobody(doc, t):
    label = "as uid 65534"
    check_devices(label, doc, t, privileged=False)
    check_groups(label, doc, t)
    log = doc.get("kernel_log") or {}
    iommu = (doc.get("system") or {}).get("iommu") or {}
    # dmesg_restrict=1 (Debian's default) closes /dev/kmsg to non-root.
    if log.get("readable") is False:
        check(iommu.get("irq_remapping") is None,
              f"{label}: irq_remapping {iommu.get('irq_remapping')} from an unreadable log")
        check(errors_mention(doc, "kmsg"), f"{label}: unreadable kernel log not in errors")


def check_hidden_firmware(doc):
    label = "with /sys/firmware hidden"
    acpi = (doc.get("system") or {}).get("acpi")
    check(isinstance(acpi, dict), f"{label}: no system.acpi object")
    if isinstance(acpi, dict):
        for k in ("dmar", "ivrs"):
            check(acpi.get(k) is None, f"{label}: acpi.{k} {acpi.get(k)} (must be null)")
        check(errors_mention(doc, "/sys/firmware"), f"{label}: no error names /sys/firmware")


def strip_volatile(doc):
    d = dict(doc)
    d.pop("collected_at", None)
    d.pop("root", None)
    return d


def diff(a, b, path=""):
    if type(a) is not type(b):
        return [f"{path}: {a!r} != {b!r}"]
    if isinstance(a, dict):
        out = []
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                out.append(f"{path}.{k}: only in {'live' if k in a else 'replay'}")
            else:
                out += diff(a[k], b[k], f"{path}.{k}")
        return out
    if isinstance(a, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} items != {len(b)}"]
        out = []
        for i, (x, y) in enumerate(zip(a, b)):
            out += diff(x, y, f"{path}[{i}]")
        return out
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]


def check_strace(args):
    """The live run on the real kernel, traced in the guest: read-only outside its -o file."""
    trace = read(os.path.join(args.out, "strace.txt"))
    if trace is None and read(os.path.join(args.out, "strace.rc")) is not None:
        check(False, f"strace in the guest failed: {read(os.path.join(args.out, 'strace.err'))}")
        return
    if trace is None:
        note("strace was not available in the guest: live read-only trace NOT CHECKED")
        return
    rc = (read(os.path.join(args.out, "strace.rc")) or "").strip()
    check(rc == "0", f"ptdiag-host under strace exited {rc}: {read(os.path.join(args.out, 'strace.err'))}")
    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.util.spec_from_file_location(
        "check_readonly", os.path.join(here, "..", "readonly", "check-readonly.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    lines = trace.splitlines()
    check(len(lines) > 100, f"strace recorded only {len(lines)} calls")
    for bad in mod.analyse(lines, ["/tmp/traced.json"]):
        check(False, "live run wrote or changed something: " + bad)


def check_replay(args):
    rc = (read(os.path.join(args.out, "snap.rc")) or "").strip()
    err = read(os.path.join(args.out, "snap.err"), "")
    if rc != "0" and "not available in this build" in err:
        note("snapshot replay NOT CHECKED: this ptdiag-host has no --save-snapshot yet")
        return
    check(rc == "0", f"--save-snapshot run exited {rc}: {err.strip()}")
    if rc != "0":
        return
    live = load_json(os.path.join(args.out, "host-snap.json"), "snapshot run")
    snap = os.path.join(args.out, "snap")
    env = dict(os.environ, PTDIAG_FIXED_TIME="2026-01-01T00:00:00Z")
    p = subprocess.run([args.host, "--json", "--root", snap], capture_output=True, text=True,
                       env=env, timeout=60)
    check(p.returncode == 0, f"replay --root {snap} exited {p.returncode}: {p.stderr.strip()}")
    if p.returncode != 0 or live is None:
        return
    replay = json.loads(p.stdout)
    d = diff(strip_volatile(live), strip_volatile(replay))
    for line in d[:40]:
        print("  replay differs " + line)
    check(not d, f"replay of the guest snapshot differs from the live document ({len(d)} places)")


# Verdicts ptdiag-report must reach on each scenario's live document (rule ids are part of
# the DESIGN contract): the real kernel's state is known, so these are not guesses.
EXPECTED_FINDINGS = {
    "intel": {"companion-not-on-vfio", "iommu-group-shared"},  # qxl beside e1000; ati-vga
    "amd": {"companion-not-on-vfio"},
    "iommu-off": {"iommu-disabled"},
}


def findings(report, path):
    p = subprocess.run([report, "--format", "json", path], capture_output=True, text=True,
                       timeout=60)
    if p.returncode not in (0, 1):
        check(False, f"ptdiag-report {path} exited {p.returncode}: {p.stderr.strip()}")
        return None
    return {(f.get("id"), f.get("bdf")) for f in json.loads(p.stdout).get("findings") or []}


def check_verdicts(args):
    """The unprivileged and hidden-firmware documents may know less, never alarm more."""
    out = args.out
    live = findings(args.report, os.path.join(out, "host.json"))
    if live is None:
        return
    ids = {i for i, _ in live}
    want = EXPECTED_FINDINGS.get(args.scenario, set())
    check(want <= ids, f"report on the live document lacks {sorted(want - ids)} (has {sorted(ids)})")
    for name in ("host-nobody.json", "host-nofw.json"):
        other = findings(args.report, os.path.join(out, name))
        if other is not None:
            check(other <= live, f"report on {name} raises what the root run does not: "
                                 f"{sorted(other - live, key=str)}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenario", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--host", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--report", help="ptdiag-report binary: also check the verdicts")
    args = ap.parse_args()
    out = args.out

    truth_text = read(os.path.join(out, "truth.txt"))
    if truth_text is None:
        print(f"check.py: {out}/truth.txt missing: the guest did not report")
        return 1
    try:
        t = parse_truth(truth_text)
    except ValueError as e:
        print(f"check.py: {out}/{e}")
        return 1
    rc = (read(os.path.join(out, "host.rc")) or "").strip()
    check(rc == "0", f"ptdiag-host exited {rc} in the guest: {read(os.path.join(out, 'host.err'))}")
    doc = load_json(os.path.join(out, "host.json"), "ptdiag-host --json")
    if doc is not None:
        check(doc.get("schema") == "ptdiag.host/1", f"schema {doc.get('schema')}")
        if flip:
            apply_flip(t, doc.get("devices") or [])
        check_system("live", doc, t)
        check_devices("live", doc, t, privileged=True)
        check_groups("live", doc, t)

    # The probe must leave bindings, overrides and reset methods exactly as it found them.
    before = read(os.path.join(out, "state-before.txt"), "")
    after = read(os.path.join(out, "state-after.txt"), "")
    check(before and before == after, "driver bindings / overrides / reset_method changed "
                                      "while ptdiag-host ran")

    rc = (read(os.path.join(out, "nobody.rc")) or "").strip()
    check(rc == "0", f"ptdiag-host as uid 65534 exited {rc}: {read(os.path.join(out, 'nobody.err'))}")
    nobody = load_json(os.path.join(out, "host-nobody.json"), "as uid 65534")
    if nobody is not None:
        check_nobody(nobody, parse_truth(truth_text))

    rc = (read(os.path.join(out, "nofw.rc")) or "").strip()
    check(rc == "0", f"ptdiag-host with /sys/firmware hidden exited {rc}")
    nofw = load_json(os.path.join(out, "host-nofw.json"), "with /sys/firmware hidden")
    if nofw is not None:
        check_hidden_firmware(nofw)

    check_replay(args)
    check_strace(args)
    if args.report:
        check_verdicts(args)

    if flip and not flip_hit:
        print(f"check.py: PTDVM_FLIP={flip} found nothing to flip: the mismatch was not exercised")
        return 0
    print(f"check.py: {args.scenario}: {checked['count']} checks, {len(problems)} mismatches")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

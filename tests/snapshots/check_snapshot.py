#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Replays one committed snapshot with `ptdiag-host --root SNAP --json` and checks the
document against what the kernel itself showed when the snapshot was taken.

The expectations come from SNAP/kernel-truth/, written inside the VM with plain shell
(tests/vm/init's truth.txt; the retake wrapper's dmesg.txt and extra.txt), never from
ptdiag-host's own output. A snapshot without kernel-truth/ only gets the stability check:
two replays must give the same bytes.

Usage: check_snapshot.py --host PTDIAG_HOST --snapshot DIR
Env:   SNAPCHECK_FLIP=driver|group|reset|bar|event|class  changes one expected fact, so the
       run must fail (and fails anyway when the flip found nothing to change).
Exit:  0 all checks passed, 1 a mismatch, 2 bad usage or unreadable truth.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from sysfs_truth import device_mismatches, expected_devices, flip_device, parse_truth  # noqa
FIXED_TIME = "2026-01-01T00:00:00Z"
# Kernel log lines the probe must keep as events (failure catalogue §3.1-3.2): the IOMMU came
# up, interrupt remapping is on, a driver (vfio-pci without a group) refused a device.
EVENT_LINES = re.compile(r"DMAR: IOMMU enabled$|AMD-Vi: Found IOMMU cap|"
                         r"AMD-Vi: Interrupt remapping enabled$|"
                         r"Enabled IRQ remapping in \w+ mode$|"
                         r"probe of [0-9a-f:.]+ failed with error -\d+$")

problems = []
count = [0]
flip = os.environ.get("SNAPCHECK_FLIP", "")
flipped = []


def check(cond, what):
    count[0] += 1
    if not cond:
        problems.append(what)
        print("MISMATCH " + what)


def replay(host, snap):
    env = dict(os.environ, PTDIAG_FIXED_TIME=FIXED_TIME)
    p = subprocess.run([host, "--root", snap, "--json"], capture_output=True, env=env,
                       timeout=60)
    return p.returncode, p.stdout, p.stderr.decode(errors="replace")


def restored_copy(snap, tmp):
    """git holds no empty directories: a copy of the snapshot with the ones the kernel had
    (kernel-truth/empty-dirs.txt, written at snapshot time) made again; the snapshot itself
    when it lists none."""
    listed = os.path.join(snap, "kernel-truth", "empty-dirs.txt")
    if not os.path.isfile(listed):
        return snap
    dst = os.path.join(tmp, "root")
    shutil.copytree(snap, dst, symlinks=True)
    for n, rel in enumerate(read(listed).splitlines(), 1):
        if not rel or rel.startswith("/") or ".." in rel.split("/"):
            sys.exit(f"check_snapshot: {listed} line {n}: '{rel}' is not a relative path")
        os.makedirs(os.path.join(dst, rel), exist_ok=True)
    return dst


def parse_extra(text):
    e = {"params": {}, "links": {}, "vfio": set(), "attrs": {}}
    for line in text.splitlines():
        f = line.split(" ")
        if f[0] == "param" and len(f) == 3:
            e["params"][os.path.basename(f[1])] = f[2]
        elif f[0] in ("group_link", "driver_link", "iommu_link") and len(f) == 3:
            e["links"][(f[0], f[1])] = f[2]
        elif f[0] == "attr" and len(f) == 4:
            e["attrs"].setdefault(f[1], {})[f[2]] = f[3].replace("_", " ")
        elif f[0] == "vfio_dev" and len(f) == 2:
            e["vfio"].add(f[1])
    return e


def parse_dmesg(text):
    """[    0.016000] message  ->  (0.016, 'message')"""
    out = []
    for line in text.splitlines():
        m = re.match(r"\[\s*(\d+\.\d+)\]\s?(.*)$", line)
        if m:
            out.append((float(m.group(1)), m.group(2)))
    return out


def read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError as e:
        sys.exit(f"check_snapshot: cannot read {path}: {e.strerror}")


def do_flip(t, doc, dmesg):
    """Changes one expected fact of a device (or event) the document lists."""
    if flip == "event":
        for i, (ts, msg) in enumerate(dmesg):
            if EVENT_LINES.search(msg):
                dmesg[i] = (ts + 5.0, msg)
                flipped.append(f"time of '{msg}'")
                return
        dmesg.append((0.0, "DMAR: IOMMU enabled"))
        flipped.append("kernel log: an added 'DMAR: IOMMU enabled'")
        return
    try:
        what = flip_device(t, [d.get("bdf") for d in doc.get("devices") or []], flip)
    except KeyError:
        sys.exit(f"check_snapshot: unknown SNAPCHECK_FLIP '{flip}'")
    if what:
        flipped.append(what)


def check_system(doc, t, extra, dmesg):
    s = doc.get("system") or {}
    check(s.get("kernel_release") == t["uname_r"],
          f"kernel_release {s.get('kernel_release')!r} != uname -r {t['uname_r']!r}")
    acpi = s.get("acpi") or {}
    for table in ("DMAR", "IVRS"):
        present = f"/sys/firmware/acpi/tables/{table}" in t["files"]
        check(acpi.get(table.lower()) is present,
              f"acpi.{table.lower()} {acpi.get(table.lower())} != table present {present}")
    iommu = s.get("iommu") or {}
    check(sorted(iommu.get("class_devices") or []) == sorted(t["iommu_class"]),
          f"iommu.class_devices {iommu.get('class_devices')} != /sys/class/iommu "
          f"{sorted(t['iommu_class'])}")
    check(iommu.get("group_count") == len(t["groups"]),
          f"iommu.group_count {iommu.get('group_count')} != {len(t['groups'])} groups")
    types = {}
    for g in t["groups"].values():
        types[g["type"]] = types.get(g["type"], 0) + 1
    check(iommu.get("group_types") == types,
          f"iommu.group_types {iommu.get('group_types')} != {types}")
    remap = any(re.search(r"Enabled IRQ remapping in \w+ mode|AMD-Vi: Interrupt remapping "
                          r"enabled", m) for _, m in dmesg)
    check(iommu.get("irq_remapping") is remap,
          f"iommu.irq_remapping {iommu.get('irq_remapping')} != kernel log says {remap}")
    unsafe = extra["params"].get("allow_unsafe_interrupts")
    if unsafe is not None:
        eff = (iommu.get("allow_unsafe_interrupts") or {}).get("effective")
        check(eff is (unsafe == "Y"),
              f"allow_unsafe_interrupts.effective {eff} != module parameter {unsafe}")

    cl = s.get("cmdline") or {}
    check(cl.get("raw") == t["cmdline"], f"cmdline.raw {cl.get('raw')!r} != /proc/cmdline")
    words = dict(w.split("=", 1) if "=" in w else (w, "") for w in t["cmdline"].split())
    for flag in ("intel_iommu", "amd_iommu", "iommu", "pcie_acs_override"):
        check(cl.get(flag) == words.get(flag),
              f"cmdline.{flag} {cl.get(flag)!r} != /proc/cmdline {words.get(flag)!r}")

    loaded = set((s.get("modules") or {}).get("loaded") or [])
    check(loaded == t["modules"], f"modules.loaded {sorted(loaded)} != /proc/modules "
                                  f"{sorted(t['modules'])}")
    bol = (s.get("modules") or {}).get("builtin_or_loaded") or {}
    for m in ("vfio", "vfio_pci", "vfio_iommu_type1"):
        check(bol.get(m) is (m in t["modules"]),
              f"builtin_or_loaded.{m} {bol.get(m)} != in /proc/modules {m in t['modules']}")


def check_events(doc, t, dmesg):
    kl = doc.get("kernel_log") or {}
    events = kl.get("events") or []
    check(kl.get("readable") is True, f"kernel_log.readable {kl.get('readable')}")
    wanted = [(ts, m) for ts, m in dmesg if EVENT_LINES.search(m)]
    if t["groups"]:
        check(wanted, "IOMMU groups, but no IOMMU / IRQ remapping line in the kernel log")
    for ts, m in wanted:
        hit = [e for e in events if e.get("text") == m]
        check(hit, f"kernel log line '{m}' is not an event")
        if hit:
            check(abs(float(hit[0].get("time_s") or 0) - ts) < 1e-3,
                  f"event '{m}' time_s {hit[0].get('time_s')} != dmesg {ts}")
    # Nothing invented: each event is a kernel line (redaction may replace parts of it).
    for e in events:
        text = e.get("text") or ""
        pat = "^" + re.sub(r"\\\[[a-z-]+\\\]", ".+", re.escape(text)) + "$"
        check(any(re.search(pat, m) for _, m in dmesg),
              f"event {e.get('kind')} '{text}' is no line of the kernel log")


def link_speed(text):
    """'8.0 GT/s PCIe' -> 8.0; None for 'Unknown' and the like."""
    try:
        return float(text.split(" ")[0])
    except (ValueError, AttributeError):
        return None


def check_attrs(lb, dev, a):
    """Power, NUMA, boot VGA and link facts against the attributes cat printed."""
    if a.get("power_state", "unknown") != "unknown":
        check(dev.get("power_state") == a["power_state"],
              f"{lb}: power_state {dev.get('power_state')} != sysfs {a['power_state']}")
    if "d3cold_allowed" in a:
        check(dev.get("d3cold_allowed") is (a["d3cold_allowed"] == "1"),
              f"{lb}: d3cold_allowed {dev.get('d3cold_allowed')} != sysfs {a['d3cold_allowed']}")
    bv = None if "boot_vga" not in a else a["boot_vga"] == "1"
    check(dev.get("boot_vga") is bv, f"{lb}: boot_vga {dev.get('boot_vga')} != sysfs {bv}")
    if "numa_node" in a:
        numa = None if a["numa_node"] == "-1" else int(a["numa_node"])
        check(dev.get("numa_node") == numa, f"{lb}: numa_node {dev.get('numa_node')} != {numa}")
    link = dev.get("link")
    cur, top = link_speed(a.get("current_link_speed")), link_speed(a.get("max_link_speed"))
    if cur is None or top is None:
        return
    check(isinstance(link, dict), f"{lb}: link {link} but sysfs has link attributes")
    if not isinstance(link, dict):
        return
    got = (link.get("current_speed_gts"), link.get("max_speed_gts"), link.get("current_width"),
           link.get("max_width"))
    exp = (cur, top, int(a.get("current_link_width", -1)), int(a.get("max_link_width", -1)))
    check(got == exp, f"{lb}: link (speed, max speed, width, max width) {got} != sysfs {exp}")


def check_devices(doc, t, extra):
    devices = doc.get("devices")
    check(isinstance(devices, list), "devices is not a list")
    if not isinstance(devices, list):
        return
    want = expected_devices(t)
    got = {d.get("bdf") for d in devices}
    check(got == want, f"devices {sorted(got)} != display functions and their slots "
                       f"{sorted(want)}")
    for dev in devices:
        d = t["devs"].get(dev.get("bdf"))
        if not d:
            continue
        lb = dev["bdf"]
        mismatches = device_mismatches(dev, d, t["res"].get(lb, {}))
        check(not mismatches, "; ".join(mismatches))
        if lb in extra["attrs"]:
            check_attrs(lb, dev, extra["attrs"][lb])


def check_groups(doc, t):
    groups = {g.get("id"): g for g in doc.get("iommu_groups") or []}
    # Every group (issue 17). A snapshot taken before issue 17 holds the devices/ links of
    # the listed devices' groups only: the others must then be unknown (null), with an error
    # naming the directory, never an empty (wrong) member list.
    check(set(groups) == set(t["groups"]), f"iommu_groups {sorted(groups)} != the kernel's "
                                           f"{sorted(t['groups'])}")
    errors = " ".join(e.get("message", "") for e in doc.get("errors") or [])
    for gid, g in groups.items():
        if g.get("devices") is None:
            check(f"/sys/kernel/iommu_groups/{gid}/devices" in errors,
                  f"group {gid}: devices unknown without an error naming the directory")
    for gid, g in groups.items():
        tg = t["groups"].get(gid)
        check(tg is not None, f"iommu group {gid} is not in /sys/kernel/iommu_groups")
        if not tg:
            continue
        if g.get("devices") is None:
            continue
        members = {m.get("bdf") for m in g.get("devices") or []}
        check(members == tg["members"], f"group {gid}: members {sorted(members)} != sysfs "
                                        f"{sorted(tg['members'])}")
        check(g.get("type") == tg["type"], f"group {gid}: type {g.get('type')} != {tg['type']}")
        for m in g.get("devices") or []:
            d = t["devs"].get(m.get("bdf"), {})
            drv = None if d.get("driver", "-") == "-" else d["driver"]
            check(m.get("driver") == drv, f"group {gid}: {m.get('bdf')} driver "
                                          f"{m.get('driver')} != sysfs {drv}")


def check_links(snap, extra):
    """The snapshot's links are the kernel's, byte for byte (relative, as readlink gave)."""
    check(extra["links"], "extra.txt lists no links to compare")
    for (kind, name), target in sorted(extra["links"].items()):
        if kind == "iommu_link":
            path = os.path.join(snap, "sys/class/iommu", name)
        else:
            leaf = "iommu_group" if kind == "group_link" else "driver"
            dev = os.path.join(snap, "sys/bus/pci/devices", name)
            if not os.path.lexists(dev):
                continue  # a device the probe never read
            path = os.path.join(dev, leaf)
        if not os.path.lexists(path):
            continue
        got = os.readlink(path) if os.path.islink(path) else None
        check(got == target, f"{os.path.relpath(path, snap)} -> {got} != kernel {target}")
        check(os.path.exists(path), f"{os.path.relpath(path, snap)} does not resolve")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", required=True)
    ap.add_argument("--snapshot", required=True)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="ptd-snapcheck.") as tmp:
        return run(a.host, a.snapshot, restored_copy(a.snapshot, tmp))


def run(host, name, snap):

    rc1, out1, err1 = replay(host, snap)
    check(rc1 == 0, f"replay exited {rc1}: {err1.strip()}")
    rc2, out2, _ = replay(host, snap)
    check(out1 == out2 and rc1 == rc2, "two replays of the same snapshot differ")
    if rc1 != 0:
        return 1
    doc = json.loads(out1)
    check(doc.get("schema") == "ptdiag.host/1", f"schema {doc.get('schema')}")

    truth_dir = os.path.join(snap, "kernel-truth")
    if not os.path.isdir(truth_dir):
        if flip:
            print(f"check_snapshot: no kernel-truth/ in {snap}: nothing to flip")
            return 0
        print(f"check_snapshot: {name}: no kernel-truth/, replay stability only: "
              f"{count[0]} checks, {len(problems)} mismatches")
        return 1 if problems else 0
    try:
        t = parse_truth(read(os.path.join(truth_dir, "truth.txt")))
    except ValueError as e:
        print(f"check_snapshot: {truth_dir}/{e}")
        return 2
    extra = parse_extra(read(os.path.join(truth_dir, "extra.txt")))
    dmesg = parse_dmesg(read(os.path.join(truth_dir, "dmesg.txt")))
    if not t["devs"] or not t["uname_r"] or not dmesg:
        print("check_snapshot: kernel-truth/ is incomplete (no devices, uname or dmesg)")
        return 2
    if flip:
        do_flip(t, doc, dmesg)
        if not flipped:
            print(f"check_snapshot: SNAPCHECK_FLIP={flip} found nothing to change")
            return 0
        print("NOTE flipped the expected " + flipped[0])

    check_system(doc, t, extra, dmesg)
    check_events(doc, t, dmesg)
    check_devices(doc, t, extra)
    check_groups(doc, t)
    check_links(snap, extra)
    print(f"check_snapshot: {os.path.basename(os.path.normpath(name))}: {count[0]} checks, "
          f"{len(problems)} mismatches")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

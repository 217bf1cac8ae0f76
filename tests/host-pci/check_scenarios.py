#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Builds a hostgen scenario, runs ``ptdiag-host --root TREE --json`` (and ``--facts``)
and checks every PCI fact the scenario was built with.

usage: check_scenarios.py --bin PTDIAG_HOST --trees DIR SCENARIO
"""

import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys

from hostgen.scenarios import SCENARIOS, synthetic
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from ptdschema import schema_errors  # noqa: E402

MiB, GiB = 1 << 20, 1 << 30
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def eq(actual, expected, what):
    if actual != expected:
        failures.append("%s: expected %r, got %r" % (what, expected, actual))


def validate(doc):
    """Checks doc against docs/schema/ptdiag.host-1.json."""
    failures.extend("schema: " + e for e in schema_errors(doc, 100, "ptdiag.host/1"))


def run(binary, tree, json_out=True):
    args = [binary, "--root", str(tree)] + (["--json"] if json_out else ["--facts"])
    p = subprocess.run(args, capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        sys.exit("ptdiag-host exited %d: %s" % (p.returncode, p.stderr))
    if not json_out:
        return p.stdout
    doc = json.loads(p.stdout)
    validate(doc)
    return doc


def dev(doc, bdf):
    for d in doc["devices"]:
        if d["bdf"] == bdf:
            return d
    failures.append("device %s not listed" % bdf)
    return {}


def group(doc, gid):
    for g in doc["iommu_groups"]:
        if g["id"] == gid:
            return g
    failures.append("group %s not listed" % gid)
    return {"devices": []}


def pci_errors(doc):
    return [e["message"] for e in doc["errors"] if e["source"] == "pci"]


def has_error(doc, *parts):
    check(any(all(p in m for p in parts) for m in pci_errors(doc)),
          "no pci error with %r in %r" % (parts, pci_errors(doc)))


def tree_groups(tree):
    """The numbered groups of a tree, sorted, as the kernel lists them."""
    return sorted(int(p.name) for p in (tree / "sys/kernel/iommu_groups").iterdir()
                  if p.name.isdigit())


def tree_type(tree, gid):
    p = tree / ("sys/kernel/iommu_groups/%d/type" % gid)
    return p.read_text().strip()


def bars(d):
    return [(b["index"], b["start"], b["size_bytes"], b["is_64bit"], b["prefetchable"],
             b["is_io"], b["assigned"]) for b in d.get("bars") or []]


def check_rtx3090(doc, tree, gpu_drv="vfio-pci", audio_drv="vfio-pci", grouped=True):
    g = dev(doc, "0000:01:00.0")
    for k, v in (("vendor_id", "10de"), ("device_id", "2204"), ("subsystem_vendor_id", "10de"),
                 ("subsystem_device_id", "147d"), ("revision", "a1"), ("class", "030000"),
                 ("vendor_name", "NVIDIA Corporation"), ("device_name", "GA102 [GeForce RTX 3090]"),
                 ("class_name", "VGA compatible controller"), ("is_gpu", True),
                 ("slot", "0000:01:00"), ("driver", gpu_drv), ("driver_override", None),
                 ("config_bytes", 4096), ("reset_method", ["flr", "bus"]), ("reset_file", True),
                 ("power_state", "D0"), ("d3cold_allowed", True), ("numa_node", None),
                 ("vendor_reset", None),
                 ("rom", {"present": True, "size_bytes": 512 * 1024, "vfct_image": None})):
        eq(g.get(k), v, "01:00.0 " + k)
    eq(g.get("iommu_group"), 1 if grouped else None, "01:00.0 iommu_group")
    a = dev(doc, "0000:01:00.1")
    eq(a.get("driver"), audio_drv, "01:00.1 driver")
    eq(a.get("is_gpu"), False, "01:00.1 is_gpu")
    eq(a.get("class"), "040300", "01:00.1 class")
    eq(a.get("boot_vga"), None, "01:00.1 boot_vga (not a VGA function)")
    eq(a.get("device_name"), "GA102 High Definition Audio Controller", "01:00.1 name")
    return g, a


def win(kind, start, end):
    """One upstream[].windows entry: a bridge window from lines 13-16 of its resource file."""
    return {"kind": kind, "start": start, "end": end, "size_bytes": end - start + 1,
            "is_64bit": kind == "prefetch", "assigned": True}


RTX3090_PEG_WINDOWS = [win("mem", 0xfb000000, 0xfc0fffff), win("prefetch", 0x6000000000, 0x6011ffffff)]


def s_rtx3090_vfio(doc, tree, out):
    g, a = check_rtx3090(doc, tree)
    eq([d["bdf"] for d in doc["devices"]], ["0000:00:02.0", "0000:01:00.0", "0000:01:00.1"],
       "listed functions (GPUs and their slots only)")
    eq(bars(g), [(0, 0xfb000000, 16 * MiB, False, False, False, True),
                 (1, 0x6000000000, 256 * MiB, True, True, False, True),
                 (3, 0x6010000000, 32 * MiB, True, True, False, True),
                 (5, 0xe000, 128, False, False, True, True)], "RTX 3090 BARs")
    eq(g.get("rebar"), [], "no ReBAR capability")
    eq(g.get("flr"), True, "DevCap FLR")
    eq(g.get("link"), {"current_speed_gts": 16, "max_speed_gts": 16, "current_width": 16,
                       "max_width": 16, "source": "config"}, "link")
    eq(g.get("boot_vga"), False, "boot_vga (the iGPU is)")
    eq(g.get("upstream"), [{"bdf": "0000:00:01.0", "type": "root_port",
                            "acs": {"present": False, "cap": None, "ctrl": None},
                            "windows": RTX3090_PEG_WINDOWS}], "upstream, 17-line resource")
    eq(g.get("iomem_overlaps"), [], "no framebuffer in a BAR")
    eq(a.get("flr"), False, "audio FLR")
    eq(a.get("reset_method"), ["bus"], "audio reset_method")
    igpu = dev(doc, "0000:00:02.0")
    eq(igpu.get("driver"), "i915", "iGPU driver")
    eq(igpu.get("boot_vga"), True, "iGPU boot_vga")
    eq(igpu.get("link"), None, "iGPU (root-complex integrated) has no link")
    eq([x["id"] for x in doc["iommu_groups"]], tree_groups(tree), "every group (issue 17)")
    g1 = group(doc, 1)
    eq(g1.get("type"), tree_type(tree, 1), "group 1 type")
    eq([(m["bdf"], m["vendor_id"], m["device_id"], m["class"], m["driver"], m["is_bridge"])
        for m in g1["devices"]],
       [("0000:00:01.0", "8086", "460d", "060400", "pcieport", True),
        ("0000:01:00.0", "10de", "2204", "030000", "vfio-pci", False),
        ("0000:01:00.1", "10de", "1aef", "040300", "vfio-pci", False)], "group 1 members")
    eq(pci_errors(doc), [], "no pci errors on a healthy host")
    for text in ("NVIDIA Corporation GA102 [GeForce RTX 3090] [10de:2204] rev a1",
                 "IOMMU group 1", "0000:00:01.0 [8086:460d 060400 bridge, pcieport]",
                 "Reset: flr bus (FLR yes); link 16 GT/s x16 of 16 GT/s x16",
                 "+ 0000:01:00.1  GA102 High Definition Audio Controller"):
        check(text in out, "summary lacks %r" % text)


def s_audio_snd_hda(doc, tree, out):
    check_rtx3090(doc, tree, audio_drv="snd_hda_intel")
    eq([m["driver"] for m in group(doc, 1)["devices"]], ["pcieport", "vfio-pci", "snd_hda_intel"],
       "group 1 drivers")
    check("driver snd_hda_intel" in out, "summary shows the audio driver")


def s_iommu_off(doc, tree, out):
    check_rtx3090(doc, tree, gpu_drv="nvidia", audio_drv="snd_hda_intel", grouped=False)
    eq(doc["iommu_groups"], [], "no groups")
    for bdf in ("0000:01:00.0", "0000:01:00.1", "0000:00:02.0"):
        eq(dev(doc, bdf).get("iommu_group"), None, bdf + " group")
        has_error(doc, bdf + "/iommu_group", "no IOMMU group")
    check("IOMMU group: none" in out, "summary says no group")


def s_bootfb_in_bar(doc, tree, out):
    g, _ = check_rtx3090(doc, tree)
    eq([d["bdf"] for d in doc["devices"]], ["0000:01:00.0", "0000:01:00.1"], "no iGPU")
    eq(g.get("boot_vga"), True, "boot_vga")
    eq(g.get("iomem_overlaps"), [{"name": "BOOTFB", "start": 0x6000000000,
                                  "end": 0x60007e8fff, "bar": 1}], "BOOTFB inside BAR 1")
    eq(dev(doc, "0000:01:00.1").get("iomem_overlaps"), [], "audio BAR is clear")
    check("Framebuffer in BAR 1: BOOTFB" in out, "summary shows the framebuffer")


def s_bar_unassigned(doc, tree, out):
    g, _ = check_rtx3090(doc, tree)
    eq(bars(g)[1], (1, None, 256 * MiB, True, True, False, False), "BAR 1 unassigned")
    eq(bars(g)[2], (3, None, 32 * MiB, True, True, False, False), "BAR 3 unassigned")
    eq(bars(g)[0][6], True, "BAR 0 assigned")
    check("1=256 MiB 64-bit pref UNASSIGNED" in out, "summary shows the unassigned BAR")


def s_rtx3090_nonroot(doc, tree, out):
    g = dev(doc, "0000:01:00.0")
    eq(g.get("config_bytes"), 64, "config bytes readable")
    eq(g.get("flr"), None, "FLR unknown, not false")
    eq(g.get("rebar"), None, "ReBAR unknown, not []")
    eq(g.get("link"), {"current_speed_gts": 16.0, "max_speed_gts": 16.0, "current_width": 16,
                       "max_width": 16, "source": "sysfs"}, "link from sysfs")
    # resource is world-readable (0444): the windows are known without root.
    eq(g.get("upstream"), [{"bdf": "0000:00:01.0", "type": None, "acs": None,
                            "windows": RTX3090_PEG_WINDOWS}], "upstream port facts unknown")
    eq(g.get("iomem_overlaps"), None, "overlaps unknown")
    eq(g.get("power_state"), "D0", "power state from sysfs")
    eq(g.get("driver"), "vfio-pci", "driver still known")
    has_error(doc, "0000:01:00.0/config", "only 64 bytes")
    has_error(doc, "/proc/iomem", "addresses read as 0")
    has_error(doc, "0000:00:01.0/config", "ACS unknown")


def s_ast2500_conventional(doc, tree, out):
    # 256 bytes is the whole config space of a conventional PCI function, not a truncated one.
    g = dev(doc, "0000:02:00.0")
    eq(g.get("config_bytes"), 256, "config bytes readable")
    eq(g.get("flr"), False, "conventional PCI: no FLR capability (known, not unknown)")
    eq(g.get("rebar"), [], "conventional PCI: no ReBAR capability")
    eq(g.get("link"), None, "conventional PCI: no link")
    eq([b[2] for b in bars(g)], [16 * 1024 * 1024, 128 * 1024, 128], "BAR sizes")
    eq([m for m in pci_errors(doc) if "0000:02:00.0" in m], [],
       "no error about the AST2500's config space or link")


def s_broken_devices(doc, tree, out):
    g = dev(doc, "0000:01:00.0")
    eq(g.get("flr"), None, "fallen-off GPU: FLR unknown")
    eq(g.get("rebar"), None, "fallen-off GPU: ReBAR unknown")
    eq(g.get("driver"), "nouveau", "a dangling driver link still names the driver")
    has_error(doc, "0000:01:00.0/driver", "dangling")
    eq(g.get("link", {}).get("source"), "sysfs", "link from sysfs")
    has_error(doc, "0000:01:00.0/config", "all 0xff")
    a = dev(doc, "0000:01:00.1")
    eq(a.get("bars"), None, "no resource file: BARs unknown")
    eq(a.get("iomem_overlaps"), None, "no BARs: overlaps unknown")
    eq(a.get("driver"), "snd_hda_intel", "audio driver")
    has_error(doc, "0000:01:00.1/resource", "unreadable")
    has_error(doc, "/proc/iomem", "malformed", "line")
    has_error(doc, "0000:00:1b.0", "Cannot open /sys/bus/pci/devices/0000:00:1b.0/class")
    igpu = dev(doc, "0000:00:02.0")
    eq(igpu.get("link"), None, "iGPU with a zero LnkCap: link unknown")
    has_error(doc, "0000:00:02.0/current_link_speed", "LnkCap reads speed code 0 width x0",
              'max_link_speed "Unknown"', 'max_link_width "0"', 'current_link_speed "Unknown"')


def s_arc_a310(doc, tree, out):
    eq([d["bdf"] for d in doc["devices"]], ["0000:03:00.0"],
       "the Arc's audio is on another bus/slot: not listed")
    g = dev(doc, "0000:03:00.0")
    for k, v in (("vendor_id", "8086"), ("device_id", "56a6"), ("subsystem_vendor_id", "1849"),
                 ("subsystem_device_id", "6007"), ("revision", "05"),
                 ("device_name", "DG2 [Arc A310]"), ("driver", "vfio-pci"), ("iommu_group", 16),
                 ("flr", False), ("reset_method", ["bus"]), ("boot_vga", False),
                 ("rom", {"present": True, "size_bytes": 2 * MiB, "vfct_image": None})):
        eq(g.get(k), v, "Arc " + k)
    eq(bars(g), [(0, 0xf6000000, 16 * MiB, True, False, False, True),
                 (2, 0x7000000000, 4 * GiB, True, True, False, True)], "Arc BARs")
    eq(g.get("rebar"), [{"bar": 2, "current_bytes": 4 * GiB,
                         "supported_bytes": [256 * MiB, 512 * MiB, 1 * GiB, 2 * GiB, 4 * GiB],
                         "max_bytes": 4 * GiB, "sysfs_resize": True}], "Arc ReBAR")
    eq(g.get("link"), {"current_speed_gts": 2.5, "max_speed_gts": 2.5, "current_width": 1,
                       "max_width": 1, "source": "config"}, "Arc GPU link (behind its switch)")
    acs = {"present": True, "cap": 0x1f, "ctrl": 0x1d}
    pref = win("prefetch", 0x7000000000, 0x70ffffffff)
    eq(g.get("upstream"), [
        {"bdf": "0000:02:01.0", "type": "downstream_port", "acs": acs,
         "windows": [win("mem", 0xf6000000, 0xf6ffffff), pref]},
        {"bdf": "0000:01:00.0", "type": "upstream_port",
         "acs": {"present": False, "cap": None, "ctrl": None},
         "windows": [win("mem", 0xf6000000, 0xf72fffff), pref]},
        {"bdf": "0000:00:03.1", "type": "root_port", "acs": acs,
         "windows": [win("mem", 0xf6000000, 0xf72fffff), pref]}], "Arc upstream chain with ACS")
    eq([m["bdf"] for m in group(doc, 16)["devices"]], ["0000:03:00.0"], "group 16 holds the GPU only")
    eq(g.get("card_upstream_port"), "0000:01:00.0", "the Arc's own switch (8086:4fa1)")
    eq((g.get("is_vf"), g.get("physfn"), g.get("sriov"), g.get("mdev_types"), g.get("nvidia_vgpu")),
       (False, None, None, [], None), "no SR-IOV, mdev or vGPU on the A310")
    check("Resizable BAR: BAR 2 at 4 GiB, supports up to 4 GiB" in out, "summary ReBAR line")


def s_gpu_group_sata(doc, tree, out):
    eq([d["bdf"] for d in doc["devices"]],
       ["0000:04:00.0", "0000:04:00.1", "0000:04:00.2", "0000:04:00.3"], "four TU106 functions")
    eq([(d["class"], d["driver"]) for d in doc["devices"]],
       [("030000", "vfio-pci"), ("040300", "vfio-pci"), ("0c0330", "xhci_hcd"),
        ("0c8000", "nvidia-gpu")], "classes and drivers")
    eq(dev(doc, "0000:04:00.0").get("link"), {"current_speed_gts": 8, "max_speed_gts": 8,
                                             "current_width": 4, "max_width": 16,
                                             "source": "config"}, "x4 of x16")
    members = group(doc, 15)["devices"]
    eq(len(members), 8, "group 15 size")
    sata = [m for m in members if m["bdf"] == "0000:05:00.0"]
    eq(sata, [{"bdf": "0000:05:00.0", "vendor_id": "1022", "device_id": "7901", "class": "010601",
               "is_bridge": False, "vendor_name": "Advanced Micro Devices, Inc. [AMD]",
               "device_name": "FCH SATA Controller [AHCI mode]", "class_name": "SATA controller",
               "upstream": ["0000:03:09.0", "0000:02:00.0", "0000:00:01.2"], "driver": "ahci",
               "card_upstream_port": None}],
       "SATA controller in the GPU's group (the chipset switch, 1022:57ad, is not the card's)")
    eq(dev(doc, "0000:04:00.0").get("card_upstream_port"), None,
       "an NVIDIA card below an AMD chipset switch has no switch of its own")
    eq(sum(m["is_bridge"] for m in members), 3, "three switch ports in the group")
    eq([x["id"] for x in doc["iommu_groups"]], tree_groups(tree), "every group (issue 17)")
    ports = {m["bdf"]: m for m in members if m["is_bridge"]}
    eq(sorted(ports), ["0000:02:00.0", "0000:03:04.0", "0000:03:09.0"], "the switch's ports")
    check(all("port_type" in p and "acs" in p for p in ports.values()),
          "every port member carries its port type and ACS")
    check("0000:05:00.0 [1022:7901 010601, ahci]" in out, "summary shows the SATA member")


def s_rebar_256m(doc, tree, out):
    g = dev(doc, "0000:03:00.0")
    eq(g.get("device_id"), "73df", "RX 6700 id")
    eq(g.get("driver"), "amdgpu", "driver")
    rb = g.get("rebar") or [{}, {}]
    eq(rb[0], {"bar": 0, "current_bytes": 256 * MiB,
               "supported_bytes": [(256 * MiB) << i for i in range(7)], "max_bytes": 16 * GiB,
               "sysfs_resize": True}, "BAR 0 ReBAR at 256 MiB of 16 GiB")
    eq(rb[1], {"bar": 2, "current_bytes": 2 * MiB, "supported_bytes": [2 * MiB],
               "max_bytes": 2 * MiB, "sysfs_resize": False}, "BAR 2 ReBAR entry")
    eq(bars(g)[0], (0, 0x6000000000, 256 * MiB, True, True, False, True), "BAR 0")
    eq(g.get("vendor_reset"), None, "Navi 22 is not in vendor-reset's table")
    eq(len(g.get("upstream") or []), 3, "switch ports + root port")
    check("Resizable BAR: BAR 0 at 256 MiB, supports up to 16 GiB" in out, "summary ReBAR")


def s_navi10(doc, tree, out):
    g = dev(doc, "0000:0c:00.0")
    eq(g.get("device_id"), "731f", "Navi 10 id")
    eq(g.get("subsystem_vendor_id"), "1da2", "Sapphire")
    eq(g.get("vendor_reset"), {"family": "navi10", "reset_op": "navi10"}, "vendor-reset entry")
    eq(g.get("reset_method"), ["bus"], "no device_specific reset without vendor-reset")
    eq(g.get("flr"), False, "no FLR")
    eq(dev(doc, "0000:0c:00.1").get("vendor_reset"), None, "audio not in the table")
    eq([(m["bdf"], m["is_bridge"]) for m in group(doc, 20)["devices"]],
       [("0000:0a:00.0", True), ("0000:0b:00.0", True), ("0000:0c:00.0", False),
        ("0000:0c:00.1", False)], "group 20")
    check("In vendor-reset's device table: navi10" in out, "summary vendor-reset line")


def s_synthetic(binary, trees):
    tree = trees / "synthetic-512"
    shutil.rmtree(tree, ignore_errors=True)
    tree.mkdir(parents=True)
    h = synthetic(tree, 512)
    doc = run(binary, tree)
    gpus = [f for f in h.funcs if (f.cls >> 16) == 3]
    eq(len([d for d in doc["devices"] if d["is_gpu"]]), len(gpus), "every GPU found")
    eq(len(doc["devices"]), 2 * len(gpus), "GPU + audio per card")
    eq(len(doc["iommu_groups"]), len(tree_groups(tree)), "every group (issue 17)")
    eq(sum(len(g["devices"]) for g in doc["iommu_groups"]),
       len(list((tree / "sys/bus/pci/devices").iterdir())), "every function in a group")
    eq(pci_errors(doc), [], "no errors")


def check_snapshot(binary, tree, doc):
    """--save-snapshot records every file the probe read: replaying it gives the same facts."""
    snap = tree.parent / (tree.name + ".snapshot")
    shutil.rmtree(snap, ignore_errors=True)
    p = subprocess.run([binary, "--root", str(tree), "--save-snapshot", str(snap), "--json"],
                       capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        failures.append("--save-snapshot exited %d: %s" % (p.returncode, p.stderr.strip()))
        return
    replay = run(binary, snap)
    for key in ("devices", "iommu_groups", "errors"):
        eq(replay.get(key), doc.get(key), "snapshot replay: " + key)


CHECKS = {
    "rtx3090-vfio": s_rtx3090_vfio, "audio-snd-hda": s_audio_snd_hda, "iommu-off": s_iommu_off,
    "bootfb-in-bar": s_bootfb_in_bar, "bar-unassigned": s_bar_unassigned,
    "rtx3090-nonroot": s_rtx3090_nonroot, "broken-devices": s_broken_devices,
    "arc-a310": s_arc_a310, "gpu-group-sata": s_gpu_group_sata, "rebar-256m": s_rebar_256m,
    "navi10-no-vendor-reset": s_navi10,
    "ast2500-conventional": s_ast2500_conventional,
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--trees", required=True)
    ap.add_argument("scenario")
    a = ap.parse_args()
    trees = pathlib.Path(a.trees)
    if a.scenario == "synthetic":
        s_synthetic(a.bin, trees)
    else:
        tree = trees / a.scenario
        shutil.rmtree(tree, ignore_errors=True)
        tree.mkdir(parents=True)
        SCENARIOS[a.scenario](tree)
        doc = run(a.bin, tree)
        CHECKS[a.scenario](doc, tree, run(a.bin, tree, json_out=False))
        check_snapshot(a.bin, tree, doc)
    for f in failures:
        print("FAIL:", f)
    print("%s: %s" % (a.scenario, "FAILED" if failures else "ok"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

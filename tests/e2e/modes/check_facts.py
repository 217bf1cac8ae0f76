#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The host facts behind the passthrough modes (issue 11), per fixture scenario: SR-IOV
(sriov, is_vf, physfn), mediated devices (mdev_types, mdev_devices), NVIDIA vGPU 17+
(nvidia_vgpu), the card's own switch (card_upstream_port, same_card), the hostpci mode and
its mdev availability, mapping pools (alternatives, chosen_alternative, pool_exhausted),
romfile_exists, missing_vf_of and pci_root_windows.

Usage: check_facts.py PTDIAG_HOST
"""
import json, os, shutil, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "lib"))
from ptdschema import schema_errors  # noqa: E402
FIX = os.path.normpath(os.path.join(HERE, "..", "..", "fixtures"))
ENV = dict(os.environ, PTDIAG_FIXED_TIME="2026-11-22T20:00:00Z", PYTHONPATH=FIX)
failures = []


def eq(actual, expected, what):
    if actual != expected:
        failures.append(f"{what}: expected {expected!r}, got {actual!r}")


def host(binary, tmp, scen, pve):
    root = os.path.join(tmp, f"{scen}+{pve}")
    subprocess.run([sys.executable, "-m", "hostgen", scen, root], env=ENV, check=True, timeout=120)
    shutil.copytree(os.path.join(FIX, "pve", pve), root, symlinks=True, dirs_exist_ok=True)
    p = subprocess.run([binary, "--root", root, "--json"], env=ENV, capture_output=True,
                       text=True, timeout=60)
    eq(p.returncode, 0, f"{scen}: ptdiag-host exit ({p.stderr[-200:]})")
    doc = json.loads(p.stdout)
    validate(doc, f"{scen}+{pve}")
    return doc


def validate(doc, name):
    """Checks doc against docs/schema/ptdiag.host-1.json."""
    failures.extend(f"{name}: schema: {e}" for e in schema_errors(doc, 100, "ptdiag.host/1"))


def snapshot_replays(binary, tmp, scen, pve, doc):
    """--save-snapshot copies every file the new facts read: a replay gives the same ones."""
    root, snap = os.path.join(tmp, f"{scen}+{pve}"), os.path.join(tmp, f"{scen}+{pve}.snap")
    p = subprocess.run([binary, "--root", root, "--save-snapshot", snap, "--json"], env=ENV,
                       capture_output=True, text=True, timeout=60)
    eq(p.returncode, 0, f"{scen}: --save-snapshot ({p.stderr[-200:]})")
    p = subprocess.run([binary, "--root", snap, "--json"], env=ENV, capture_output=True,
                       text=True, timeout=60)
    replay = json.loads(p.stdout)
    for key in ("devices", "iommu_groups", "mdev_devices", "pci_root_windows", "vms",
                "errors"):
        eq(replay.get(key), doc.get(key), f"{scen}+{pve}: snapshot replay: {key}")


def dev(doc, bdf):
    return next((d for d in doc["devices"] if d["bdf"] == bdf), {})


def hp(doc, vmid, index=0):
    vm = next(v for v in doc["vms"] if v["vmid"] == vmid)
    return vm["hostpci"][index]


def sub(obj, keys):
    return {k: obj.get(k) for k in keys}


def fell_off(doc):
    return [e["message"] for e in doc["errors"] if "fell off" in e["message"]]


def main():
    binary = sys.argv[1]
    mode_keys = ("mode", "host_driver_expected", "mdev_type", "mdev_parent", "mdev_uuid",
                 "mdev_instance_exists", "mdev_type_offered", "mdev_available")
    with tempfile.TemporaryDirectory() as tmp:
        d = host(binary, tmp, "vgpu-mdev", "vgpu-mdev")
        types = {t["type"]: t for t in dev(d, "0000:01:00.0")["mdev_types"]}
        eq(sub(types["nvidia-63"], ("name", "available_instances", "device_api")),
           {"name": "GRID P4-1B", "available_instances": 7, "device_api": "vfio-pci"}, "P4 type")
        eq(d["mdev_devices"], [{"uuid": "00000000-0000-0000-0000-000000000101",
                                "parent": "0000:01:00.0", "type": "nvidia-63"}], "mdev_devices")
        eq(sub(hp(d, 100), mode_keys),
           {"mode": "mdev", "host_driver_expected": "vendor", "mdev_type": "nvidia-63",
            "mdev_parent": "0000:01:00.0", "mdev_uuid": "00000000-0000-0000-0000-000000000100",
            "mdev_instance_exists": False, "mdev_type_offered": True, "mdev_available": True},
           "vgpu-mdev VM 100")
        snapshot_replays(binary, tmp, "vgpu-mdev", "vgpu-mdev", d)
        d = host(binary, tmp, "vgpu-mdev-full", "vgpu-mdev")
        eq(sub(hp(d, 100), ("mdev_type_offered", "mdev_available")),
           {"mdev_type_offered": True, "mdev_available": False}, "no instance left")
        d = host(binary, tmp, "vgpu-no-driver", "vgpu-mdev")
        eq((dev(d, "0000:01:00.0").get("driver"), dev(d, "0000:01:00.0").get("mdev_types"),
            hp(d, 100).get("mdev_available")), (None, [], False), "no vGPU host driver")

        d = host(binary, tmp, "vgpu-sriov", "vgpu-sriov")
        s = dev(d, "0000:01:00.0")["sriov"]
        eq((s["total_vfs"], s["num_vfs"], [(v["index"], v["bdf"], v["driver"]) for v in s["vfs"]]),
           (32, 4, [(i, "0000:01:00.%d" % (4 + i), "nvidia") for i in range(4)]), "L4 PF sriov")
        vf = dev(d, "0000:01:00.4")
        eq(sub(vf, ("vendor_id", "device_id", "is_vf", "physfn", "driver")),
           {"vendor_id": "10de", "device_id": "27b8", "is_vf": True, "physfn": "0000:01:00.0",
            "driver": "nvidia"}, "L4 VF")
        eq(vf["nvidia_vgpu"]["current_vgpu_type"], 0, "VF vGPU type unset")
        eq([t["id"] for t in vf["nvidia_vgpu"]["creatable_vgpu_types"]], [1156, 1157, 1158],
           "creatable vGPU types")
        eq(sub(hp(d, 100), ("mode", "host_driver_expected", "physfn", "mdev_available")),
           {"mode": "nvidia-vgpu", "host_driver_expected": "vendor", "physfn": "0000:01:00.0",
            "mdev_available": True}, "vGPU 17+ VM 100")
        eq(fell_off(d), [], "a VF is not a device that fell off the bus")
        snapshot_replays(binary, tmp, "vgpu-sriov", "vgpu-sriov", d)
        d = host(binary, tmp, "vgpu-sriov-no-vfs", "vgpu-sriov")
        eq(sub(hp(d, 100), ("missing", "missing_vf_of")),
           {"missing": True, "missing_vf_of": "0000:01:00.0"}, "VFs not re-created")

        d = host(binary, tmp, "igpu-sriov", "igpu-sriov")
        eq(sub(dev(d, "0000:00:02.1"), ("vendor_id", "device_id", "is_vf", "physfn", "driver",
                                         "iommu_group", "config_bytes")),
           {"vendor_id": "8086", "device_id": "4680", "is_vf": True, "physfn": "0000:00:02.0",
            "driver": "vfio-pci", "iommu_group": 16, "config_bytes": 4096}, "iGPU VF")
        eq(dev(d, "0000:00:02.0")["sriov"]["vfs"], [{"index": 0, "bdf": "0000:00:02.1",
                                                     "driver": "vfio-pci"}], "iGPU PF's VF")
        eq(sub(hp(d, 100), ("mode", "physfn")), {"mode": "vf", "physfn": "0000:00:02.0"},
           "iGPU VF VM 100")
        eq(fell_off(d), [], "the iGPU VF is not a device that fell off the bus")
        d = host(binary, tmp, "igpu-sriov-no-vfs", "igpu-sriov")
        eq(sub(hp(d, 100), ("missing", "missing_vf_of")),
           {"missing": True, "missing_vf_of": "0000:00:02.0"}, "iGPU VF gone")

        d = host(binary, tmp, "legacy-igd", "legacy-igd")
        eq([hp(d, v)["mode"] for v in (100, 101, 102)], ["legacy-igd"] * 3, "legacy IGD modes")

        d = host(binary, tmp, "arc-switch-hda", "arc-switch-hda")
        eq([(o["bdf"], o["same_card"]) for o in hp(d, 100)["group_others"]],
           [("0000:01:00.0", True), ("0000:02:01.0", True), ("0000:02:04.0", True),
            ("0000:04:00.0", True)], "Arc card's own group")
        g = next(g for g in d["iommu_groups"] if g["id"] == 14)
        eq({m["card_upstream_port"] for m in g["devices"]}, {"0000:01:00.0"}, "group 14 card")
        d = host(binary, tmp, "arc-switch-shared", "arc-switch-hda")
        eq([(o["bdf"], o["same_card"]) for o in hp(d, 100)["group_others"]][-1],
           ("0000:05:00.0", False), "SATA is not the card's")

        d = host(binary, tmp, "apu-romfile", "apu-romfile")
        eq([(v, i, hp(d, v, i)["romfile_exists"]) for v in (100, 101) for i in (0, 1)],
           [(100, 0, True), (100, 1, True), (101, 0, False), (101, 1, True)], "romfile_exists")
        snapshot_replays(binary, tmp, "apu-romfile", "apu-romfile", d)

        d = host(binary, tmp, "pool", "pool")
        for vmid, chosen, bdfs in ((100, 0, ["0000:01:00.0", "0000:01:00.1"]),
                                   (101, 1, ["0000:03:00.0", "0000:03:00.1"])):
            h = hp(d, vmid)
            eq((h["chosen_alternative"], h["pool_exhausted"], h["resolved_bdfs"]),
               (chosen, False, bdfs), f"pool VM {vmid}")
            eq([(e["path"], e["id_match"], e["iommugroup_match"])
                for e in h["mapping_check"]["entries"]],
               [("0000:01:00", True, True), ("0000:03:00", True, True)], "every map entry checked")
            eq(h["mapping_check"]["problems"], [], "pool mapping valid")
        eq(any(w["end"] >= 1 << 32 for w in d["pci_root_windows"]), True, "root window above 4 GiB")
        eq(sub(hp(d, 103)["resolved"][0], ("bdf", "vendor_id", "device_id", "class", "driver",
                                           "iommu_group")),
           {"bdf": "0000:02:00.0", "vendor_id": "144d", "device_id": "a80a", "class": "010802",
            "driver": "nvme", "iommu_group": 7}, "a passed NVMe not listed: facts from sysfs")
        snapshot_replays(binary, tmp, "pool", "pool", d)
        d = host(binary, tmp, "pool", "pool-exhausted")
        h = hp(d, 102)
        eq((h["chosen_alternative"], h["pool_exhausted"],
            [a["taken_by"] for a in h["alternatives"]]), (None, True, [100, 101]), "pool exhausted")

        d = host(binary, tmp, "no-above-4g", "rtx3090")
        eq([w for w in d["pci_root_windows"] if w["end"] >= 1 << 32], [], "no root window above 4 GiB")
    for f in failures:
        print("FAIL:", f)
    print("modes facts:", "FAILED" if failures else "ok")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

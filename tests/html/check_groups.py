#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`ptdiag-host --groups` and the group verdicts (issue 17), on hostgen trees.

usage: check_groups.py HOST

- gpu-group-sata: the RTX 2060 below the X570 chipset switch (no ACS on its ports) shares
  group 15 with the chipset's SATA controller: "shared (2 devices)", every member listed with
  its driver, and the JSON has every group of the tree.
- rtx3090-vfio + tests/fixtures/pve/rtx3090: group 1 (PEG root port + GPU + audio) is
  "bridges-only", and each function names the VMs that pass it.
- acs-override: the same X570 tree as the kernel groups it with
  pcie_acs_override=downstream on the command line. The override makes the kernel treat
  every downstream port as if it had ACS (pci_dev_specific_acs_enabled), so group 15 splits
  into the upstream port, each downstream port, the GPU's four functions and the SATA
  controller (new groups 40..44 here). The GPU's group then looks isolated, and the verdict
  must say it is so only by the override, naming the port without ACS (03:04.0).
Exit 0 pass, 1 fail.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(os.path.dirname(HERE), "fixtures")
ENV = dict(os.environ, PTDIAG_FIXED_TIME="2026-11-22T20:00:00Z", PYTHONPATH=FIX)
failures = []


def check(ok, msg):
    if not ok:
        failures.append(msg)
        print("FAIL: " + msg)


def hostgen(scen, root):
    subprocess.run([sys.executable, "-m", "hostgen", scen, root], env=ENV, check=True,
                   timeout=120, stdout=subprocess.DEVNULL)


def run(host, root, *args):
    p = subprocess.run([host, "--root", root] + list(args), env=ENV, capture_output=True,
                       text=True, timeout=60)
    check(p.returncode == 0, f"{root} {args}: exit {p.returncode}: {p.stderr[-300:]}")
    return p.stdout


def regroup(root, groups):
    """Moves functions into new groups as the kernel would have made them: the group's
    devices/ links and each function's iommu_group link."""
    base = os.path.join(root, "sys/kernel/iommu_groups")
    for gid, bdfs in groups.items():
        gdir = os.path.join(base, str(gid))
        os.makedirs(os.path.join(gdir, "devices"))
        shutil.copy(os.path.join(base, "15", "type"), os.path.join(gdir, "type"))
        for bdf in bdfs:
            old = os.path.join(base, "15", "devices", bdf)
            target = os.readlink(old)
            os.symlink(target, os.path.join(gdir, "devices", bdf))
            os.unlink(old)
            dev = os.path.normpath(os.path.join(os.path.dirname(old), target))
            link = os.path.join(dev, "iommu_group")
            os.unlink(link)
            os.symlink(os.path.relpath(gdir, dev), link)
    if not os.listdir(os.path.join(base, "15", "devices")):
        shutil.rmtree(os.path.join(base, "15"))


def main():
    host = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        sata = os.path.join(tmp, "sata")
        hostgen("gpu-group-sata", sata)
        out = run(host, sata, "--groups")
        check("IOMMU Group 15: shared (2 devices)" in out, "group 15 is shared: " + out[-800:])
        check("0000:05:00.0 SATA controller [0106]: Advanced Micro Devices, Inc. [AMD] FCH "
              "SATA Controller [AHCI mode] [1022:7901]  [driver: ahci]" in out,
              "the SATA member with its driver")
        check("0000:04:00.0 VGA compatible controller [0300]" in out, "the GPU is listed")
        groups = sorted(int(g) for g in os.listdir(os.path.join(sata, "sys/kernel/iommu_groups")))
        doc = json.loads(run(host, sata, "--json"))
        check([g["id"] for g in doc["iommu_groups"]] == groups, "the JSON has every group")
        check(out.count("IOMMU Group ") == len(groups), "--groups prints every group")

        rtx = os.path.join(tmp, "rtx")
        hostgen("rtx3090-vfio", rtx)
        shutil.copytree(os.path.join(FIX, "pve", "rtx3090"), rtx, symlinks=True,
                        dirs_exist_ok=True)
        # A VM passing the NVMe drive by address (a stopped VM: the drive is still on nvme):
        # it gets a devices[] entry with binding, group and reset facts like a GPU.
        with open(os.path.join(rtx, "etc/pve/qemu-server/107.conf"), "w") as f:
            f.write("bios: ovmf\nhostpci0: 02:00.0,pcie=1\nmachine: q35\nmemory: 4096\n"
                    "name: nas\nostype: l26\n")
        doc = json.loads(run(host, rtx, "--json"))
        nvme = [d for d in doc["devices"] if d["bdf"] == "0000:02:00.0"]
        check(len(nvme) == 1, "the passed NVMe drive is in devices[]")
        for d in nvme:
            check((d["driver"], d["iommu_group"], d["is_gpu"]) == ("nvme", 7, False),
                  f"NVMe binding and group: {d['driver']}, {d['iommu_group']}")
            check("reset_method" in d and "flr" in d, "NVMe reset facts")
        out = run(host, rtx, "--groups")
        check("[driver: nvme]  passed to VM 107 hostpci0" in out, "the NVMe names VM 107")
        check("IOMMU Group 1: bridges-only" in out, "group 1 bridges-only")
        check("[10de:2204]  [driver: vfio-pci]  passed to VM 100 hostpci0, VM 103 hostpci0" in out,
              "the GPU names the VMs passing it")
        check("IOMMU Group 7: isolated" in out and "[driver: nvme]" in out,
              "the NVMe drive's group is listed and isolated")

        acs = os.path.join(tmp, "acs")
        hostgen("gpu-group-sata", acs)
        regroup(acs, {40: ["0000:02:00.0"], 41: ["0000:03:04.0"], 42: ["0000:03:09.0"],
                      43: ["0000:04:00.0", "0000:04:00.1", "0000:04:00.2", "0000:04:00.3"],
                      44: ["0000:05:00.0"]})
        with open(os.path.join(acs, "proc/cmdline")) as f:
            cmdline = f.read().strip()
        with open(os.path.join(acs, "proc/cmdline"), "w") as f:
            f.write(cmdline + " pcie_acs_override=downstream\n")
        out = run(host, acs, "--groups")
        check("IOMMU Group 43: acs-override (port 0000:03:04.0 has no ACS)" in out,
              "the GPU's group is split by the override: " + out[-1200:])
        check("IOMMU Group 44: acs-override (port 0000:03:09.0 has no ACS)" in out,
              "the SATA controller's group too")
        check("pcie_acs_override=downstream is on the kernel command line" in out,
              "the override is named")
        check("IOMMU Group 3: bridges-only" in out, "the root port's own group is not flagged")
    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
""""Will this start cut the host off?": ptdiag-host's host_critical facts (management NIC from
/etc/network/interfaces and /sys/class/net, root disk controller from /proc/self/mountinfo and
/sys/dev/block, only display from boot_vga), the per-hostpci hits (passed or rebound with the
IOMMU group) and usbN entries against /sys/bus/usb/devices; then ptdiag-report's findings.

Usage: test_preflight.py PTDIAG_HOST PTDIAG_REPORT
"""
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import unittest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "fixtures"))
sys.path.insert(0, str(HERE))
import hostdoc  # noqa: E402
from hostgen import scenarios  # noqa: E402
from hostgen.pci import Bar, Func, Host, Pcie  # noqa: E402

HOST = REPORT = None
ENV = dict(os.environ, PTDIAG_FIXED_TIME="2026-11-22T20:00:00Z")

# /etc/network/interfaces as the Proxmox VE installer writes it: the host's address on the
# bridge vmbr0 whose port is the physical NIC (pve-docs, "Default Configuration using a
# Bridge"); ifupdown2 syntax.
INTERFACES = """\
auto lo
iface lo inet loopback

iface enp3s0 inet manual

auto vmbr0
iface vmbr0 inet static
\taddress 192.168.10.2/24
\tgateway 192.168.10.1
\tbridge-ports enp3s0
\tbridge-stp off
\tbridge-fd 0

iface wlp4s0 inet manual

source /etc/network/interfaces.d/*
"""

# /proc/self/mountinfo of a default Proxmox VE install on LVM (ext4 root on pve/root), in
# mountinfo(5)'s format; and of a ZFS install (rpool/ROOT/pve-1).
MOUNTINFO_LVM = """\
22 28 0:20 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
23 28 0:21 / /proc rw,relatime shared:13 - proc proc rw
28 1 253:1 / / rw,relatime shared:1 - ext4 /dev/mapper/pve-root rw,errors=remount-ro
30 28 259:2 / /boot/efi rw,relatime shared:15 - vfat /dev/nvme0n1p2 rw,fmask=0022,dmask=0022
"""
MOUNTINFO_ZFS = """\
25 1 0:23 / / rw,relatime shared:1 - zfs rpool/ROOT/pve-1 rw,xattr,noacl,casesensitive
"""

VM = """\
boot: order=scsi0
cores: 4
cpu: host
machine: q35
bios: ovmf
memory: 8192
name: {name}
ostype: l26
scsi0: local-lvm:vm-{vmid}-disk-0,size=32G
{extra}
"""


def write(root, rel, content):
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(content.encode() if isinstance(content, str) else content)


def link(root, rel, target):
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, p)


def devpath(root, bdf):
    """The function's directory under sys/devices, as the fixture laid it out."""
    return os.readlink(root / "sys/bus/pci/devices" / bdf).replace("../../../", "", 1)


def build(root, zfs=False):
    """Intel desktop without iGPU: RTX 3090 as the boot display (01:00), NVMe root disk on LVM
    (02:00.0), an I210 NIC (8086:1533) on root port 00:1c.0 carrying vmbr0, USB receiver."""
    h = Host()
    peg = scenarios.intel_platform(h, igpu=False)
    scenarios.rtx3090(h, peg, boot_vga=True)
    rp = h.add(Func("0000:00:1c.0", 0x8086, 0x7ab8, 0x060400, rev=0x11, group=8,
                    driver="pcieport", secondary=3, subordinate=3,
                    pcie=Pcie("root_port", 2.5, 1, slot=True, port=1), acs=scenarios.ACS_PORT))
    h.add(Func("0000:03:00.0", 0x8086, 0x1533, 0x020000, rev=0x03, subsys=(0x8086, 0x0001),
               parent=rp, group=9, driver="igb",
               bars=[Bar(0, 1024 * 1024, "mem32", addr=0xfc200000)], pcie=Pcie("endpoint", 2.5, 1)))
    h.write(root)
    scenarios._system(root, {"groups": scenarios._groups(h)})
    write(root, "etc/network/interfaces", INTERFACES)
    nic = devpath(root, "0000:03:00.0")
    (root / "sys" / nic / "net/enp3s0").mkdir(parents=True)
    link(root, "sys/class/net/enp3s0", f"../../{nic}/net/enp3s0")
    (root / "sys/devices/virtual/net/vmbr0").mkdir(parents=True)
    link(root, "sys/devices/virtual/net/vmbr0/brif/enp3s0",
         f"../../../../{nic[len('devices/'):]}/net/enp3s0/brport")
    link(root, "sys/class/net/vmbr0", "../../devices/virtual/net/vmbr0")
    link(root, "sys/class/net/lo", "../../devices/virtual/net/lo")
    nvme = devpath(root, "0000:02:00.0")
    part = f"{nvme}/nvme/nvme0/nvme0n1/nvme0n1p3"
    (root / "sys" / part).mkdir(parents=True)
    write(root, "proc/self/mountinfo", MOUNTINFO_ZFS if zfs else MOUNTINFO_LVM)
    (root / "sys/devices/virtual/block/dm-1/slaves").mkdir(parents=True)
    link(root, "sys/devices/virtual/block/dm-1/slaves/nvme0n1p3",
         f"../../../../{part[len('devices/'):]}")
    link(root, "sys/dev/block/253:1", "../../devices/virtual/block/dm-1")
    link(root, "sys/class/block/nvme0n1p3", f"../../{part}")
    usb = devpath(root, "0000:00:14.0")
    for name, vid, pid in (("usb1", "1d6b", "0002"), ("1-4", "046d", "c52b")):
        d = f"{usb}/usb1" if name == "usb1" else f"{usb}/usb1/{name}"
        write(root, f"sys/{d}/idVendor", vid + "\n")
        write(root, f"sys/{d}/idProduct", pid + "\n")
        link(root, f"sys/bus/usb/devices/{name}", f"../../../{d}")
    link(root, "sys/bus/usb/devices/1-4:1.0", f"../../../{usb}/usb1/1-4/1-4:1.0")
    (root / "sys" / usb / "usb1/1-4/1-4:1.0").mkdir(parents=True)
    vms = {200: ("router", "hostpci0: 0000:03:00.0,pcie=1"),
           201: ("nas", "hostpci0: 0000:02:00.0,pcie=1"),
           202: ("gaming", "hostpci0: 0000:01:00,pcie=1,x-vga=1"),
           203: ("usb", "usb0: host=046d:c52b\nusb1: host=1-4\nusb2: host=0951:1666,usb3=1\n"
                        "usb3: host=2-1\nusb4: spice"),
           204: ("hda", "hostpci0: 0000:00:1f.3")}
    for vmid, (name, extra) in vms.items():
        write(root, f"etc/pve/qemu-server/{vmid}.conf",
              VM.format(name=name, vmid=vmid, extra=extra))


def probe(root):
    return hostdoc.probe(HOST, root)


def findings(doc, path):
    path.write_text(json.dumps(doc))
    p = subprocess.run([REPORT, "--format", "json", str(path)], capture_output=True, text=True,
                       timeout=120, env=ENV)
    return {(f["id"], f.get("vmid")) for f in json.loads(p.stdout)["findings"]}


class Preflight(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="ptdiag-pre-")
        cls.base = pathlib.Path(cls.tmp.name)
        build(cls.base / "lvm")
        cls.doc = probe(cls.base / "lvm")
        cls.found = findings(cls.doc, cls.base / "lvm.json")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def vm(self, vmid, doc=None):
        return next(v for v in (doc or self.doc)["vms"] if v["vmid"] == vmid)

    def hits(self, vmid, doc=None):
        return [(x["bdf"], x["role"], x["via"])
                for x in self.vm(vmid, doc)["hostpci"][0]["host_critical_hits"]]

    def test_host_critical(self):
        c = self.doc["host_critical"]
        self.assertEqual(c["management"]["addressed"], ["vmbr0"])
        self.assertEqual(c["management"]["ports"], ["enp3s0"])
        self.assertEqual(c["management"]["functions"], ["0000:03:00.0"])
        self.assertEqual((c["root_disk"]["mount_source"], c["root_disk"]["device"]),
                         ("/dev/mapper/pve-root", "253:1"))
        self.assertEqual(c["root_disk"]["controllers"], ["0000:02:00.0"])
        self.assertEqual(c["display"]["only_boot_display"], "0000:01:00.0")

    def test_hits(self):
        self.assertEqual(self.hits(200), [("0000:03:00.0", "management-nic", "passed")])
        self.assertEqual(self.hits(201), [("0000:02:00.0", "root-disk-controller", "passed")])
        self.assertEqual(self.hits(202), [("0000:01:00.0", "only-display", "passed")])
        self.assertEqual(self.hits(204), [])

    def test_rules(self):
        self.assertIn(("vm-takes-management-nic", 200), self.found)
        self.assertIn(("vm-takes-root-disk-controller", 201), self.found)
        self.assertIn(("vm-takes-only-display", 202), self.found)
        self.assertEqual({v for i, v in self.found if i.startswith("vm-takes-")}, {200, 201, 202})

    def test_usb(self):
        usb = [(u["kind"], u["host"], u["present"]) for u in self.vm(203)["usb"]]
        self.assertEqual(usb, [("id", "046d:c52b", True), ("port", "1-4", True),
                               ("id", "0951:1666", False), ("port", "2-1", False),
                               ("spice", "spice", None)])
        self.assertIn(("vm-usb-device-missing", 203), self.found)
        self.assertEqual({v for i, v in self.found if i == "vm-usb-device-missing"}, {203})

    def test_group_member_rebound(self):
        """The NIC in the GPU's IOMMU group: passing the GPU takes it with it."""
        root = self.base / "group"
        build(root)
        for bdf in ("0000:00:1c.0", "0000:03:00.0"):
            g = root / "sys/bus/pci/devices" / bdf / "iommu_group"
            os.unlink(g)
            os.symlink("../../../../kernel/iommu_groups/1", g)
            link(root, f"sys/kernel/iommu_groups/1/devices/{bdf}",
                 f"../../../../{devpath(root, bdf)}")
        doc = probe(root)
        self.assertIn(("0000:03:00.0", "management-nic", "iommu-group"), self.hits(202, doc))
        self.assertIn(("vm-takes-management-nic", 202), findings(doc, self.base / "group.json"))

    def test_zfs_root_unknown(self):
        root = self.base / "zfs"
        build(root, zfs=True)
        doc = probe(root)
        rd = doc["host_critical"]["root_disk"]
        self.assertEqual((rd["fstype"], rd["controllers"]), ("zfs", None))
        self.assertIn("ZFS", rd["why"])
        self.assertNotIn(("vm-takes-root-disk-controller", 201),
                         findings(doc, self.base / "zfs.json"))

    def test_snapshot_replay(self):
        snap = self.base / "snap"
        subprocess.run([HOST, "--root", str(self.base / "lvm"), "--save-snapshot", str(snap),
                        "--json"], capture_output=True, timeout=120, env=ENV, check=True)
        replay = probe(snap)
        self.assertEqual(replay["host_critical"], self.doc["host_critical"])
        self.assertEqual([v.get("usb") for v in replay["vms"]],
                         [v.get("usb") for v in self.doc["vms"]])


if __name__ == "__main__":
    if sys.argv[1] == "--make-tree":  # for tests/readonly: the tree alone
        build(pathlib.Path(sys.argv[2]))
        sys.exit(0)
    HOST, REPORT = sys.argv[1], sys.argv[2]
    unittest.main(argv=sys.argv[:1], verbosity=2)

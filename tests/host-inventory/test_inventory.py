#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""ptdiag-host's version inventory, Secure Boot and out-of-tree module facts, and the romfile=
checks, on host trees from tests/fixtures/hostgen, then ptdiag-report's findings on them
(text, JSON, Markdown) and the --save-snapshot round trip.

Usage: test_inventory.py PTDIAG_HOST PTDIAG_REPORT
"""
import json
import os
import pathlib
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest

HERE = pathlib.Path(__file__).resolve().parent
FIX = HERE.parent / "fixtures"
sys.path.insert(0, str(FIX))
sys.path.insert(0, str(HERE))
import hostdoc  # noqa: E402
from hostgen import romgen, scenarios, system as hostgen  # noqa: E402,F401
from hostgen.modes import scenario_apu_romfile  # noqa: E402

HOST = REPORT = None
ENV = dict(os.environ, PTDIAG_FIXED_TIME="2026-11-22T20:00:00Z")
RUNNING = "6.8.12-4-pve"
SB_VAR = "sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c"

# dpkg's status database as `dpkg -s` shows it on a Proxmox VE 8.2 host (stanza layout of
# deb-control(5); versions from the pve-no-subscription repository of autumn 2024). A kernel
# removed but not purged stays with "deinstall ok config-files"; proxmox-kernel-6.8 is the
# meta package. Fields ptdiag does not read are kept short.
DPKG_STATUS = """\
Package: proxmox-ve
Status: install ok installed
Priority: optional
Section: admin
Maintainer: Proxmox Support Team <support@proxmox.com>
Architecture: all
Version: 8.2.0
Depends: proxmox-default-kernel, pve-manager (>= 8.0.4), qemu-server, pve-kernel-helper
Description: Proxmox Virtual Environment

Package: pve-manager
Status: install ok installed
Priority: optional
Section: admin
Maintainer: Proxmox Support Team <support@proxmox.com>
Architecture: all
Version: 8.2.7
Description: Proxmox Virtual Environment Management Tools

Package: pve-qemu-kvm
Status: install ok installed
Priority: optional
Section: admin
Maintainer: Proxmox Support Team <support@proxmox.com>
Architecture: amd64
Source: pve-qemu
Version: 9.0.2-3
Description: Full virtualization on x86 hardware

Package: qemu-server
Status: install ok installed
Architecture: amd64
Version: 8.2.4
Description: Qemu Server Tools

Package: proxmox-kernel-6.8
Status: install ok installed
Architecture: all
Version: 6.8.12-4
Depends: proxmox-kernel-6.8.12-4-pve-signed | proxmox-kernel-6.8.12-4-pve
Description: Latest Proxmox Kernel Image

Package: proxmox-kernel-6.8.12-4-pve-signed
Status: install ok installed
Architecture: amd64
Source: proxmox-kernel-signed-6.8
Version: 6.8.12-4
Provides: proxmox-kernel-6.8.12-4-pve
Description: Proxmox Kernel Image (signed)

Package: proxmox-kernel-6.5.13-6-pve-signed
Status: install ok installed
Architecture: amd64
Version: 6.5.13-6
Description: Proxmox Kernel Image (signed)

Package: pve-kernel-5.15.158-2-pve
Status: deinstall ok config-files
Architecture: amd64
Version: 5.15.158-2
Description: Proxmox Kernel Image

Package: proxmox-headers-6.8.12-4-pve
Status: install ok installed
Architecture: amd64
Version: 6.8.12-4
Description: Proxmox Kernel Headers
"""

# /sys/class/dmi/id of an ASRock Rack board (values as dmidecode prints them in public
# Proxmox forum posts); the serial files are written too: ptdiag must never read them.
DMI = {"bios_vendor": "American Megatrends International, LLC.", "bios_version": "L3.02",
       "bios_date": "09/07/2023", "sys_vendor": "ASRockRack", "product_name": "B650D4U",
       "board_vendor": "ASRockRack", "board_name": "B650D4U",
       "product_serial": "SN-DO-NOT-READ-42", "board_serial": "BSN-DO-NOT-READ-43",
       "product_uuid": "4c4c4544-0042-3510-8052-b4c04f4e3232"}

MARKER = b"~Module signature appended~\n"


def run(*args, ok=True):
    p = subprocess.run(args, capture_output=True, text=True, timeout=120, env=ENV)
    if ok and p.returncode not in (0, 1):
        raise AssertionError(f"{args} exited {p.returncode}: {p.stderr}")
    return p


def probe(root):
    return hostdoc.probe(HOST, root)


def findings(doc_path):
    p = run(REPORT, "--format", "json", str(doc_path))
    return [(f["id"], f.get("subject", "")) for f in json.loads(p.stdout)["findings"]]


def fake_ko(name):
    """An ELF relocatable's first bytes and a body: what ptdiag reads of a .ko is its tail."""
    return b"\x7fELF\x02\x01\x01" + bytes(57) + name.encode() + bytes(4096)


def sign_ko(ko, workdir):
    """Appends a signature the way the kernel's scripts/sign-file does: a detached PKCS#7
    (CMS, DER, no certificates, no attributes) made with openssl, struct module_signature
    {0, 0, PKEY_ID_PKCS7 = 2, 0, 0, pad[3], be32 sig_len} and the marker."""
    key, crt, data, sig = (workdir / n for n in ("k.pem", "c.pem", "m.ko", "m.p7s"))
    if not key.exists():
        subprocess.run(["openssl", "req", "-new", "-nodes", "-utf8", "-sha256", "-days", "36500",
                        "-batch", "-x509", "-subj", "/CN=DKMS module signing key",
                        "-newkey", "rsa:2048", "-keyout", str(key), "-out", str(crt)],
                       check=True, capture_output=True, timeout=60)
    data.write_bytes(ko)
    subprocess.run(["openssl", "cms", "-sign", "-binary", "-noattr", "-nocerts", "-md", "sha256",
                    "-signer", str(crt), "-inkey", str(key), "-in", str(data), "-outform",
                    "DER", "-out", str(sig)], check=True, capture_output=True, timeout=60)
    s = sig.read_bytes()
    return ko + s + struct.pack(">BBBBB3sI", 0, 0, 2, 0, 0, b"\0\0\0", len(s)) + MARKER


def write(root, rel, content):
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(content.encode() if isinstance(content, str) else content)


def dkms(root, name, version, kernels):
    """DKMS's tree after `dkms install`: <name>/<version>/{source,<kernel>/x86_64/module}
    and a kernel-<release>-x86_64 link per installed build."""
    base = root / "var/lib/dkms" / name
    (base / version / "source").mkdir(parents=True, exist_ok=True)
    for k in kernels:
        write(base / version / k / "x86_64/module", f"{name}.ko", b"")
        link = base / f"kernel-{k}-x86_64"
        if not link.is_symlink():
            os.symlink(f"{version}/{k}/x86_64", link)


def inventory_host(root, secure_boot, signed):
    """Intel host, NVIDIA vGPU host driver 550.90.05 by DKMS for the running kernel (signed or
    not), vendor-reset by DKMS only for the previous kernel but loaded before the update."""
    hostgen.write_system(root, {
        "secure_boot": secure_boot,
        "modules_loaded": ["nvidia_vgpu_vfio", "nvidia", "vfio_pci", "vfio_pci_core",
                           "vfio_iommu_type1", "vfio", "vendor_reset", "kvm_intel", "kvm"]})
    write(root, "var/lib/dpkg/status", DPKG_STATUS)
    for k, v in DMI.items():
        write(root, f"sys/class/dmi/id/{k}", v + "\n")
    write(root, "sys/module/nvidia/version", "550.90.05\n")
    write(root, "sys/module/nvidia/srcversion", "6A0B4F4D6A5C2E1E4B0C8E1\n")
    write(root, "sys/module/vendor_reset/srcversion", "E2C8AC61C3F7D8FB8FB9C27\n")
    write(root, "sys/module/vfio/version", "0.3\n")
    dkms(root, "nvidia", "550.90.05", [RUNNING])
    dkms(root, "vendor-reset", "0.1.1", ["6.5.13-6-pve"])
    write(root, f"lib/modules/6.5.13-6-pve/updates/dkms/vendor-reset.ko", fake_ko("vr"))
    ko = fake_ko("nvidia")
    if signed:
        work = root.parent / "sign"
        work.mkdir(exist_ok=True)
        ko = sign_ko(ko, work)
    write(root, f"lib/modules/{RUNNING}/updates/dkms/nvidia.ko", ko)


class Inventory(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="ptdiag-inv-")
        cls.base = pathlib.Path(cls.tmp.name)
        cls.docs = {}
        for name, sb, signed in (("sb-unsigned", True, False), ("sb-signed", True, True),
                                 ("nosb-unsigned", False, False)):
            root = cls.base / name / "root"
            inventory_host(root, sb, signed)
            doc = probe(root)
            path = cls.base / name / "host.json"
            path.write_text(json.dumps(doc))
            cls.docs[name] = (root, doc, path)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_versions(self):
        inv = self.docs["sb-unsigned"][1]["inventory"]
        self.assertEqual(inv["packages"], {"proxmox-ve": "8.2.0", "pve-manager": "8.2.7",
                                           "qemu-server": "8.2.4", "pve-qemu-kvm": "9.0.2-3",
                                           "pve-firmware": None})
        # the meta package, the headers and the removed 5.15 kernel are not kernels
        self.assertEqual([(k["package"], k["release"]) for k in inv["kernel"]["installed"]],
                         [("proxmox-kernel-6.8.12-4-pve-signed", RUNNING),
                          ("proxmox-kernel-6.5.13-6-pve-signed", "6.5.13-6-pve")])
        self.assertEqual(inv["kernel"]["running"], RUNNING)
        self.assertIs(inv["kernel"]["running_installed"], True)
        mods = {m["name"]: m for m in inv["modules"]}
        self.assertEqual(mods["nvidia"]["version"], "550.90.05")
        self.assertEqual(mods["vfio"]["version"], "0.3")
        self.assertIsNone(mods["vendor_reset"]["version"])
        self.assertEqual(mods["vendor_reset"]["srcversion"], "E2C8AC61C3F7D8FB8FB9C27")
        self.assertEqual(inv["firmware"]["vendor"], DMI["bios_vendor"])
        self.assertEqual(inv["firmware"]["date"], "09/07/2023")
        self.assertEqual(inv["firmware"]["board_name"], "B650D4U")
        self.assertEqual(inv["cpu_microcode"], ["0x35"])

    def test_dmi_serials_never_read(self):
        root, doc, _ = self.docs["sb-unsigned"]
        text = json.dumps(doc)
        for k in ("product_serial", "board_serial", "product_uuid"):
            self.assertNotIn(DMI[k], text)
        snap = self.base / "serial-snap"
        run(HOST, "--root", str(root), "--save-snapshot", str(snap), "--json")
        self.assertTrue((snap / "sys/class/dmi/id/bios_version").is_file())
        for k in ("product_serial", "board_serial", "product_uuid"):
            self.assertFalse((snap / "sys/class/dmi/id" / k).exists(), k)

    def test_secure_boot_and_modules(self):
        sysd = self.docs["sb-unsigned"][1]["system"]
        self.assertEqual(sysd["secure_boot"], {"efi": True, "enabled": True, "source": "/" + SB_VAR})
        self.assertIs(self.docs["nosb-unsigned"][1]["system"]["secure_boot"]["enabled"], False)
        oot = {m["name"]: m for m in sysd["modules"]["out_of_tree"]}
        self.assertEqual(sorted(oot), ["nvidia", "vendor-reset"])
        vr = oot["vendor-reset"]
        self.assertEqual((vr["dkms_versions"], vr["dkms_built_kernels"]),
                         (["0.1.1"], ["6.5.13-6-pve"]))
        self.assertIs(vr["dkms_built_for_running_kernel"], False)
        self.assertIs(vr["ko_present"], False)
        self.assertIs(vr["loaded"], True)
        self.assertIs(vr["loaded_before_vfio_pci"], True)
        nv = oot["nvidia"]
        self.assertIs(nv["dkms_built_for_running_kernel"], True)
        self.assertEqual(nv["ko_path"], f"/lib/modules/{RUNNING}/updates/dkms/nvidia.ko")
        self.assertIs(nv["signed"], False)
        signed = {m["name"]: m for m in
                  self.docs["sb-signed"][1]["system"]["modules"]["out_of_tree"]}["nvidia"]
        self.assertIs(signed["signed"], True)
        self.assertEqual(signed["signature_type"], "PKCS#7")
        self.assertEqual(signed["signer"], "DKMS module signing key")

    def test_rules(self):
        ids = {n: {i for i, _ in findings(p)} for n, (_, _, p) in self.docs.items()}
        for n in ids:
            self.assertIn("oot-module-not-built", ids[n], n)
        self.assertIn("oot-module-unsigned-secure-boot", ids["sb-unsigned"])
        self.assertNotIn("oot-module-unsigned-secure-boot", ids["sb-signed"])
        self.assertNotIn("oot-module-unsigned-secure-boot", ids["nosb-unsigned"])

    def test_module_rejected_at_load(self):
        """vendor-reset built by DKMS for the running kernel and signed with DKMS's own key,
        which is not enrolled: with Secure Boot the kernel refuses it at load. The kernel
        lines are real ones (kernel/module/signing.c, security/lockdown), from
        https://github.com/JafarAkhondali/acer-predator-turbo-and-rgb-keyboard-linux-module/issues/113
        and https://github.com/RinCat/RTL88x2BU-Linux-Driver/issues/114."""
        rejected = ["Loading of module with unavailable key is rejected",
                    "Lockdown: modprobe: unsigned module loading is restricted; "
                    "see man kernel_lockdown.7"]
        cases = {"sb-rejected": (True, rejected), "sb-quiet": (True, []),
                 "nosb-rejected": (False, rejected[:1])}
        got = {}
        for name, (sb, lines) in cases.items():
            root = self.base / name / "root"
            hostgen.write_system(root, {"secure_boot": sb, "kmsg_extra": lines,
                                        "modules_loaded": ["vfio_pci", "vfio", "kvm"]})
            dkms(root, "vendor-reset", "0.1.1", [RUNNING])
            work = root.parent / "sign"
            work.mkdir(exist_ok=True)
            write(root, f"lib/modules/{RUNNING}/updates/dkms/vendor-reset.ko",
                  sign_ko(fake_ko("vr"), work))
            doc = probe(root)
            path = self.base / name / "host.json"
            path.write_text(json.dumps(doc))
            got[name] = (doc, {i for i, _ in findings(path)})
        doc, ids = got["sb-rejected"]
        evs = [(e["kind"], e["detail"]) for e in doc["kernel_log"]["events"]
               if e["kind"] == "module-signature-rejected"]
        self.assertEqual(evs, [("module-signature-rejected", "module with unavailable key"),
                               ("module-signature-rejected",
                                "unsigned module loading (lockdown)")])
        vr = {m["name"]: m for m in doc["system"]["modules"]["out_of_tree"]}["vendor-reset"]
        self.assertEqual((vr["ko_present"], vr["signed"], vr["loaded"]), (True, True, False))
        self.assertIn("oot-module-unsigned-secure-boot", ids)
        # signed and silent: nothing says it was refused; Secure Boot off: not this cause
        self.assertNotIn("oot-module-unsigned-secure-boot", got["sb-quiet"][1])
        self.assertNotIn("oot-module-unsigned-secure-boot", got["nosb-rejected"][1])

    def test_unknown_never_fires(self):
        """No efivars, no DKMS tree, no dpkg database: unknown facts, no finding."""
        root = self.base / "bare" / "root"
        hostgen.write_system(root, {"secure_boot": None})
        doc = probe(root)
        self.assertIsNone(doc["system"]["secure_boot"]["enabled"])
        self.assertTrue(any("SecureBoot" in e["message"] for e in doc["errors"]))
        self.assertEqual(doc["system"]["modules"]["out_of_tree"], [])
        self.assertIsNone(doc["inventory"]["packages"])
        path = self.base / "bare" / "host.json"
        path.write_text(json.dumps(doc))
        ids = {i for i, _ in findings(path)}
        self.assertFalse(ids & {"oot-module-not-built", "oot-module-unsigned-secure-boot"})

    def test_bad_inputs(self):
        root = self.base / "bad" / "root"
        inventory_host(root, True, False)
        write(root, SB_VAR, b"\x06\x00\x00")  # torn: no value byte
        write(root, "var/lib/dpkg/status", b"Package: x\0garbage\n")
        write(root, f"lib/modules/{RUNNING}/updates/dkms/nvidia.ko",
              fake_ko("x") + struct.pack(">BBBBB3sI", 0, 0, 2, 0, 0, b"\0\0\0", 1 << 30) + MARKER)
        doc = probe(root)
        self.assertIsNone(doc["system"]["secure_boot"]["enabled"])
        self.assertIsNone(doc["inventory"]["packages"])
        nv = {m["name"]: m for m in doc["system"]["modules"]["out_of_tree"]}["nvidia"]
        self.assertIsNone(nv["signed"])
        msgs = " | ".join(e["message"] for e in doc["errors"])
        self.assertIn("not a dpkg status file", msgs)
        self.assertIn("does not fit the file", msgs)

    def test_snapshot_replay(self):
        root, doc, _ = self.docs["sb-signed"]
        snap = self.base / "snap"
        run(HOST, "--root", str(root), "--save-snapshot", str(snap), "--json")
        replay = probe(snap)
        self.assertEqual(replay["inventory"], doc["inventory"])
        self.assertEqual(replay["system"]["secure_boot"]["enabled"], True)
        self.assertEqual(replay["system"]["modules"]["out_of_tree"],
                         doc["system"]["modules"]["out_of_tree"])

    def test_markdown_inventory(self):
        md = run(REPORT, "--format", "md", str(self.docs["sb-unsigned"][2])).stdout
        head = md[:md.find("\n## ", md.find("## Versions") + 1)]
        self.assertIn("## Versions", head)
        for want in ("pve-manager", "`8.2.7`", "`9.0.2-3`", f"`{RUNNING}` (running)",
                     "`6.5.13-6-pve`", "`550.90.05`", "`L3.02`", "`0x35`",
                     "Secure Boot", "on"):
            self.assertIn(want, head)


class RomFiles(unittest.TestCase):
    """romfile= on the APU fixture (tests/fixtures/pve/apu-romfile): VM 100 passes the VBIOS
    on the GPU and the GOP driver on its audio function, as the public APU guides do."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="ptdiag-rom-")
        cls.base = pathlib.Path(cls.tmp.name)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def host(self, name, vbios, gop=None):
        root = self.base / name / "root"
        scenario_apu_romfile(root)
        shutil.copytree(FIX / "pve" / "apu-romfile", root, dirs_exist_ok=True)
        kvm = root / "usr/share/kvm"
        (kvm / "vbios_5700g.bin").write_bytes(vbios)
        if gop is not None:
            (kvm / "AMDGopDriver_5700g.rom").write_bytes(gop)
        doc = probe(root)
        path = self.base / name / "host.json"
        path.write_text(json.dumps(doc))
        vm = next(v for v in doc["vms"] if v["vmid"] == 100)
        return vm["hostpci"][0].get("romfile_check"), findings(path)

    def rules_of(self, found):
        return {i for i, s in found if s.startswith("VM 100 ") and i.startswith("vm-romfile")}

    def test_guide_setup_is_clean(self):
        vbios = romgen.rom(romgen.image(0x1002, 0x1638, romgen.X86, 128))
        rc, found = self.host("clean", vbios)
        self.assertEqual((rc["ids_match"], rc["has_efi_image"], rc["first_image_offset"]),
                         (True, False, 0))
        self.assertEqual(self.rules_of(found), set())

    def test_header_before_image(self):
        # a 0x400-byte tool header in front of the image, as in dumps rom-parser rejects
        vbios = romgen.rom(romgen.image(0x1002, 0x1638, romgen.X86, 128),
                           header=b"NVGI" + bytes(0x3FC))
        rc, found = self.host("header", vbios)
        self.assertEqual((rc["starts_with_signature"], rc["first_image_offset"]), (False, 0x400))
        self.assertIn("vm-romfile-has-header", self.rules_of(found))

    def test_not_a_rom(self):
        rc, found = self.host("zeros", bytes(65536))
        self.assertEqual(rc["images"], [])
        self.assertIn("no 0x55AA image", rc["problem"])
        self.assertEqual(self.rules_of(found), {"vm-romfile-not-a-rom"})

    def test_other_gpu(self):
        # a Radeon RX 6600's (1002:73ff) x86 + EFI ROM on the 5700G's GPU
        vbios = romgen.rom(romgen.image(0x1002, 0x73FF, romgen.X86, 128, last=False),
                           romgen.image(0x1002, 0x73FF, romgen.EFI, 64))
        rc, found = self.host("other", vbios)
        self.assertEqual([(i["code_type"], i["last"]) for i in rc["images"]],
                         [("x86", False), ("efi", True)])
        self.assertEqual(self.rules_of(found), {"vm-romfile-wrong-device"})

    def test_device_list_matches(self):
        # PCI Firmware 3.0: one image for several device ids through its device list
        vbios = romgen.rom(romgen.image(0x1002, 0x15E7, romgen.X86, 128,
                                        device_list=[0x15E7, 0x1636, 0x1638]))
        rc, found = self.host("devlist", vbios)
        self.assertIs(rc["ids_match"], True)
        self.assertEqual(self.rules_of(found), set())

    def test_ovmf_without_efi(self):
        # the GOP file removed from VM 100's audio function: nothing gives OVMF a GOP
        vbios = romgen.rom(romgen.image(0x1002, 0x1638, romgen.X86, 128))
        rc, found = self.host("noefi", vbios, gop=romgen.rom(romgen.image(0x1002, 0x1638)))
        self.assertEqual(self.rules_of(found), {"vm-romfile-no-efi"})

    def test_truncated_chain(self):
        two = romgen.rom(romgen.image(0x1002, 0x1638, romgen.X86, 128, last=False),
                         romgen.image(0x1002, 0x1638, romgen.EFI, 64))
        rc, _ = self.host("trunc", two[:70000])  # the EFI image cut after its headers
        self.assertIs(rc["truncated"], True)
        self.assertEqual(len(rc["images"]), 2)
        rc, _ = self.host("trunc1", two[:65536])  # the chain without its last image
        self.assertIs(rc["truncated"], True)
        self.assertEqual(len(rc["images"]), 1)


if __name__ == "__main__":
    if sys.argv[1] == "--make-tree":  # for tests/readonly: the tree alone
        root = pathlib.Path(sys.argv[2])
        inventory_host(root, True, False)
        kvm = root / "usr/share/kvm"
        kvm.mkdir(parents=True, exist_ok=True)
        (kvm / "vbios.rom").write_bytes(romgen.rom(romgen.image(0x10DE, 0x2204, romgen.X86, 4)))
        write(root, "etc/pve/qemu-server/100.conf",
              "bios: ovmf\nmachine: q35\nhostpci0: 0000:01:00,pcie=1,romfile=vbios.rom\n")
        sys.exit(0)
    HOST, REPORT = sys.argv[1], sys.argv[2]
    unittest.main(argv=sys.argv[:1], verbosity=2)

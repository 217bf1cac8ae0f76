#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""ptdiag-host's SYSTEM facts (system.*, kernel_log) against synthetic Proxmox host trees,
the --save-snapshot / --root round trip (plain and --redact), and live runs on this machine
as root and as an unprivileged user.

Usage: test_host_system.py PTDIAG_HOST_BINARY
"""
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "fixtures" / "hostgen"))
import system as hostgen  # noqa: E402

BIN = None
# system.acpi.vfct of a host without the AMD APU VBIOS table: absent, nothing else known
NO_VFCT = {"present": False, "readable": None, "table_bytes": None, "entries": None, "error": None}
ENV = dict(os.environ, PTDIAG_FIXED_TIME="2026-11-22T20:00:00Z")


def run(*args, ok=True, user=None):
    cmd = [BIN, *args]
    if user:
        cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=ENV)
    if ok and p.returncode != 0:
        raise AssertionError(f"{cmd} exited {p.returncode}: {p.stderr}")
    return p


def probe(root, *extra):
    return json.loads(run("--json", "--root", str(root), *extra).stdout)


def errors_of(doc, source=None):
    return [e["message"] for e in doc["errors"] if source is None or e["source"] == source]


def events_of(doc, kind):
    return [e for e in doc["kernel_log"]["events"] if e["kind"] == kind]


class Tree:
    """A host tree in a temporary directory."""

    def __init__(self, **overrides):
        self.tmp = tempfile.TemporaryDirectory(prefix="ptdiag-hostsys-")
        self.root = pathlib.Path(self.tmp.name) / "root"
        hostgen.write_system(self.root, overrides)

    def __enter__(self):
        return self.root

    def __exit__(self, *exc):
        self.tmp.cleanup()


class HealthyIntel(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tree = Tree()
        cls.root = cls.tree.root
        cls.doc = probe(cls.root)
        cls.sys = cls.doc["system"]

    @classmethod
    def tearDownClass(cls):
        cls.tree.tmp.cleanup()

    def test_identity(self):
        self.assertEqual(self.doc["root"], str(self.root))
        self.assertEqual(self.sys["hostname"], "pve1")
        self.assertEqual(self.sys["kernel_release"], "6.8.12-4-pve")
        self.assertTrue(self.sys["kernel_version"].startswith("Linux version 6.8.12-4-pve "))

    def test_cpu(self):
        cpu = self.sys["cpu"]
        self.assertEqual(cpu["vendor"], "GenuineIntel")
        self.assertEqual(cpu["model_name"], "13th Gen Intel(R) Core(TM) i7-13700K")
        self.assertIs(cpu["vmx"], True)
        self.assertIs(cpu["svm"], False)
        self.assertIs(cpu["hypervisor"], False)
        self.assertEqual(cpu["phys_address_bits"], 46)
        self.assertIs(self.sys["kvm_device"], True)
        self.assertEqual(self.sys["acpi"], {"dmar": True, "ivrs": False, "vfct": NO_VFCT})

    def test_iommu(self):
        io = self.sys["iommu"]
        self.assertEqual(io["class_devices"], ["dmar0", "dmar1"])
        self.assertEqual(io["group_count"], 16)
        self.assertEqual(io["group_types"], {"identity": 16})
        self.assertIs(io["irq_remapping"], True)
        self.assertEqual(io["address_width_bits"], 39)  # MGAW of cap 1c0000c40660462
        self.assertEqual(io["allow_unsafe_interrupts"], {"effective": False, "configured": False})

    def test_cmdline(self):
        cl = self.sys["cmdline"]
        self.assertEqual(cl["raw"], "BOOT_IMAGE=/boot/vmlinuz-6.8.12-4-pve "
                                    "root=/dev/mapper/pve-root ro quiet intel_iommu=on iommu=pt")
        self.assertEqual(cl["intel_iommu"], "on")
        self.assertEqual(cl["iommu"], "pt")
        self.assertIsNone(cl["amd_iommu"])
        self.assertIsNone(cl["pcie_acs_override"])
        self.assertEqual(cl["video"], [])
        self.assertEqual(cl["initcall_blacklist"], [])
        self.assertIsNone(cl["vfio_pci_ids"])

    def test_boot(self):
        b = self.sys["boot"]
        self.assertEqual(b["loader"], "grub")
        self.assertIs(b["efi"], True)
        self.assertEqual(b["cmdline_config"], "/etc/default/grub")
        self.assertEqual(b["grub_cmdline_linux_default"], "quiet intel_iommu=on iommu=pt")
        self.assertEqual(b["grub_cmdline_linux"], "")
        self.assertIsNone(b["kernel_cmdline_file"])
        self.assertEqual(b["initramfs"], {"path": "/boot/initrd.img-6.8.12-4-pve",
                                          "built_at": "2024-11-21T14:40:00Z"})

    def test_modules(self):
        m = self.sys["modules"]
        for name in ("vfio", "vfio_pci", "vfio_iommu_type1", "kvm_intel"):
            self.assertIn(name, m["loaded"])
        self.assertEqual(m["builtin_or_loaded"], {"vfio": True, "vfio_pci": True,
                                                  "vfio_iommu_type1": True,
                                                  "vendor_reset": False})
        self.assertEqual([(c["module"], c["file"], c["line"]) for c in m["configured"]],
                         [("vfio", "/etc/modules", 7), ("vfio_iommu_type1", "/etc/modules", 8),
                          ("vfio_pci", "/etc/modules", 9)])
        kinds = {(x["kind"], x["module"]) for x in m["modprobe"]}
        self.assertIn(("blacklist", "nouveau"), kinds)
        self.assertIn(("blacklist", "nvidiafb"), kinds)
        self.assertIn(("options", "vfio-pci"), kinds)
        self.assertNotIn(("options", "zfs"), kinds)  # irrelevant options are left out
        self.assertEqual(m["vfio_pci_ids"], [{"value": "10de:2204,10de:1aef",
                                              "file": "/etc/modprobe.d/vfio.conf", "line": 1,
                                              "stray_tokens": []}])
        self.assertEqual(m["modprobe_ignored_files"], [])
        self.assertEqual(m["config_newest"]["mtime"], "2024-11-20T10:53:20Z")

    def test_kernel_log(self):
        kl = self.doc["kernel_log"]
        self.assertEqual(kl["source"], "/dev/kmsg")
        self.assertIs(kl["readable"], True)
        [ev] = events_of(self.doc, "iommu-enabled")
        self.assertAlmostEqual(ev["time_s"], 0.042119)
        [ev] = events_of(self.doc, "irq-remapping-enabled")
        self.assertEqual(ev["detail"], "x2apic")

    def test_no_errors_from_system_probes(self):
        for src in ("system", "iommu", "boot", "modules", "kmsg"):
            self.assertEqual(errors_of(self.doc, src), [], src)


class Scenarios(unittest.TestCase):
    def test_amd_systemd_boot_kmsg_format(self):
        grub_d = {"pve-passthrough.cfg":
                  'GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT video=efifb:off"\n'}
        modprobe_extra = {
            "unsafe.conf": "options vfio_iommu_type1 allow_unsafe_interrupts=1\n",
            "gpu.conf": "# bind the card early\nsoftdep amdgpu pre: vfio-pci\n"
                        "options vfio_pci \\\n  ids=1002:731f,1002:ab38 disable_idle_d3=1\n"
                        "install radeon /bin/false\nalias pci:v00001002d0000731Fsv*sd*bc*sc*i* "
                        "vfio-pci\n",
            "vfio.cfg": "options vfio-pci ids=1002:67df\n",
        }
        extra = ("amd_iommu=on video=efifb:off video=vesafb:off "
                 "initcall_blacklist=sysfb_init,foo vfio-pci.ids=1002:731f "
                 "pcie_acs_override=downstream,multifunction kvm.ignore_msrs=1 -- init-arg=1")
        with Tree(cpu_vendor="amd", bootloader="systemd-boot", kernel_log="kmsg",
                  irq_remapping=False, hypervisor=True, grub_d=grub_d,
                  allow_unsafe_interrupts_effective="Y", modprobe_d_extra=modprobe_extra,
                  modules_loaded=["vfio_pci", "vfio_pci_core", "vfio_iommu_type1", "vfio",
                                  "kvm_amd", "kvm", "vendor_reset"],
                  modules_load_d={"vendor-reset.conf": "vendor-reset\n"},
                  cmdline_extra=extra) as root:
            doc = probe(root)
        s = doc["system"]
        self.assertEqual(s["cpu"]["vendor"], "AuthenticAMD")
        self.assertEqual((s["cpu"]["vmx"], s["cpu"]["svm"], s["cpu"]["hypervisor"]),
                         (False, True, True))
        self.assertEqual(s["acpi"], {"dmar": False, "ivrs": True, "vfct": NO_VFCT})
        self.assertEqual(s["iommu"]["class_devices"], ["ivhd0"])
        self.assertIs(s["iommu"]["irq_remapping"], False)
        self.assertEqual(s["iommu"]["allow_unsafe_interrupts"],
                         {"effective": True, "configured": True})
        cl = s["cmdline"]
        self.assertEqual(cl["amd_iommu"], "on")
        self.assertEqual(cl["video"], ["efifb:off", "vesafb:off"])
        self.assertEqual(cl["initcall_blacklist"], ["sysfb_init", "foo"])
        self.assertEqual(cl["vfio_pci_ids"], "1002:731f")
        self.assertEqual(cl["pcie_acs_override"], "downstream,multifunction")
        self.assertEqual(cl["other_relevant"], {"kvm.ignore_msrs": "1"})
        self.assertNotIn("init-arg", json.dumps(cl["other_relevant"]))
        b = s["boot"]
        self.assertEqual(b["loader"], "systemd-boot")
        self.assertEqual(b["cmdline_config"], "/etc/kernel/cmdline")
        self.assertIn("proxmox-boot-uuids", b["loader_evidence"])
        self.assertEqual(b["kernel_cmdline_file"], "root=ZFS=rpool/ROOT/pve-1 boot=zfs iommu=pt")
        self.assertEqual(b["grub_cmdline_linux_default"], "quiet iommu=pt video=efifb:off")
        m = s["modules"]
        self.assertIs(m["builtin_or_loaded"]["vendor_reset"], True)
        self.assertIn({"module": "vendor-reset", "file": "/etc/modules-load.d/vendor-reset.conf",
                       "line": 1}, m["configured"])
        by_kind = {}
        for x in m["modprobe"]:
            by_kind.setdefault(x["kind"], []).append(x)
        self.assertEqual([x["module"] for x in by_kind["softdep"]], ["amdgpu"])
        self.assertEqual(by_kind["softdep"][0]["args"], "pre: vfio-pci")
        self.assertEqual([x["module"] for x in by_kind["install"]], ["radeon"])
        self.assertEqual(len(by_kind["alias"]), 1)
        cont = [x for x in by_kind["options"] if x["file"] == "/etc/modprobe.d/gpu.conf"][0]
        self.assertEqual(cont["line"], 3)
        self.assertEqual(cont["text"], "options vfio_pci \\\n  ids=1002:731f,1002:ab38 "
                                       "disable_idle_d3=1")
        self.assertEqual([(x["value"], x["file"], x["line"]) for x in m["vfio_pci_ids"]],
                         [("1002:731f,1002:ab38", "/etc/modprobe.d/gpu.conf", 3),
                          ("10de:2204,10de:1aef", "/etc/modprobe.d/vfio.conf", 1)])
        self.assertEqual(m["modprobe_ignored_files"], ["/etc/modprobe.d/vfio.cfg"])
        [ev] = events_of(doc, "irq-remapping-missing")
        self.assertAlmostEqual(ev["time_s"], 14.82271)
        [ev] = events_of(doc, "iommu-enabled")
        self.assertEqual((ev["device"], ev["detail"]), ("0000:00:00.2", "amd"))
        self.assertEqual(len(events_of(doc, "hypervisor-detected")), 1)

    def test_iommu_off(self):
        with Tree(iommu=False) as root:
            doc = probe(root)
        s = doc["system"]
        self.assertEqual(s["iommu"]["class_devices"], [])
        self.assertEqual(s["iommu"]["group_count"], 0)
        self.assertEqual(s["iommu"]["group_types"], {})
        self.assertIsNone(s["iommu"]["irq_remapping"])
        self.assertTrue(any("interrupt remapping" in e for e in errors_of(doc, "kmsg")))
        self.assertEqual(s["acpi"], {"dmar": False, "ivrs": False, "vfct": NO_VFCT})
        self.assertIsNone(s["cmdline"]["intel_iommu"])
        self.assertEqual(events_of(doc, "iommu-enabled"), [])

    def test_flag_in_the_wrong_file(self):
        # systemd-boot reads /etc/kernel/cmdline; the flag went into /etc/default/grub
        with Tree(bootloader="systemd-boot", kernel_cmdline="root=ZFS=rpool/ROOT/pve-1 boot=zfs",
                  grub_default="quiet intel_iommu=on iommu=pt") as root:
            s = probe(root)["system"]
        self.assertEqual(s["boot"]["cmdline_config"], "/etc/kernel/cmdline")
        self.assertNotIn("intel_iommu", s["boot"]["kernel_cmdline_file"])
        self.assertIn("intel_iommu=on", s["boot"]["grub_cmdline_linux_default"])
        self.assertIsNone(s["cmdline"]["intel_iommu"])
        self.assertEqual(s["iommu"]["group_types"], {"DMA-FQ": 16})

    def test_legacy_bios_proxmox_boot_tool_is_grub(self):
        with Tree(bootloader="systemd-boot", efi=False) as root:
            s = probe(root)["system"]
        self.assertEqual(s["boot"]["loader"], "grub")
        self.assertIs(s["boot"]["efi"], False)
        self.assertEqual(s["boot"]["cmdline_config"], "/etc/kernel/cmdline")

    def test_group_types_mixed_and_pre_5_11(self):
        groups = {0: "DMA-FQ", 1: "DMA-FQ", 2: "identity", 3: "DMA", 14: "DMA-FQ"}
        with Tree(groups=groups, efi=False) as root:
            (root / "sys/kernel/iommu_groups/3/type").unlink()  # kernels before 5.11
            s = probe(root)["system"]
        self.assertEqual(s["iommu"]["group_count"], 5)
        self.assertEqual(s["iommu"]["group_types"], {"DMA-FQ": 3, "identity": 1, "unknown": 1})
        self.assertEqual((s["boot"]["loader"], s["boot"]["efi"], s["boot"]["loader_evidence"]),
                         ("grub", False, "/boot/grub"))

    def test_log_missing_and_initramfs_stale_and_no_vfio(self):
        with Tree(kernel_log=None, initrd_mtime=1732000000, config_mtime=1732100000,
                  modules_loaded=["kvm_intel", "kvm"], kvm_device=False) as root:
            doc = probe(root)
        s = doc["system"]
        self.assertEqual(doc["kernel_log"], {"source": None, "readable": False, "events": []})
        self.assertIsNone(s["iommu"]["irq_remapping"])
        self.assertIs(s["kvm_device"], False)
        self.assertLess(s["boot"]["initramfs"]["built_at"],
                        s["modules"]["config_newest"]["mtime"])
        self.assertIsNone(s["iommu"]["allow_unsafe_interrupts"]["effective"])
        self.assertTrue(any("vfio_iommu_type1 not loaded" in e for e in errors_of(doc, "iommu")))
        self.assertIs(s["modules"]["builtin_or_loaded"]["vfio_pci"], False)

    def test_config_newest_is_the_newest_file(self):
        # The files of one configuration rarely share an mtime: vfio.conf edited yesterday,
        # after the initramfs was built, with /etc/modules years older. The newest decides
        # whether the initramfs is stale, whatever the order the files are read in.
        cases = (("etc/modprobe.d/vfio.conf", "/etc/modprobe.d/vfio.conf"),
                 ("etc/modules", "/etc/modules"),
                 ("etc/modprobe.d/zfs.conf", "/etc/modprobe.d/zfs.conf"))
        for rel, path in cases:
            mtimes = {"etc/modules": 1700000000, "etc/modprobe.d/pve-blacklist.conf": 1710000000}
            mtimes[rel] = 1732300000  # 2024-11-22T18:26:40Z: after the initramfs
            with self.subTest(newest=path), Tree(config_mtimes=mtimes) as root:
                s = probe(root)["system"]
            self.assertEqual(s["modules"]["config_newest"],
                             {"path": path, "mtime": "2024-11-22T18:26:40Z"})
            self.assertLess(s["boot"]["initramfs"]["built_at"],
                            s["modules"]["config_newest"]["mtime"])

    def test_unreadable_sources_are_null_with_reasons(self):
        with Tree(initrd=False) as root:
            for rel in ("proc/cpuinfo", "proc/cmdline", "proc/modules",
                        "proc/sys/kernel/osrelease"):
                (root / rel).unlink()
            shutil.rmtree(root / "sys/firmware")
            doc = probe(root)
        s = doc["system"]
        self.assertEqual(s["cpu"], {"vendor": None, "model_name": None, "vmx": None,
                                    "svm": None, "hypervisor": None, "phys_address_bits": None})
        self.assertEqual(s["acpi"], {"dmar": None, "ivrs": None, "vfct": None})
        self.assertIsNone(s["cmdline"]["raw"])
        self.assertIsNone(s["cmdline"]["intel_iommu"])
        self.assertIsNone(s["modules"]["loaded"])
        self.assertIsNone(s["kernel_release"])
        self.assertEqual(s["boot"]["initramfs"], {"path": None, "built_at": None})
        msgs = " ".join(errors_of(doc))
        for path in ("/proc/cpuinfo", "/proc/cmdline", "/proc/modules",
                     "/proc/sys/kernel/osrelease", "/sys/firmware/acpi/tables"):
            self.assertIn(path, msgs)

    def test_kernel_log_events_of_a_scenario(self):
        extra = ["vfio-pci 0000:01:00.0: BAR 1: can't reserve [mem 0xc0000000-0xcfffffff "
                 "64bit pref]",
                 "NVRM: Xid (PCI:0000:2b:00): 79, pid=2471, name=Xorg, GPU has fallen off the "
                 "bus.",
                 "vfio-pci 0000:0b:00.0: AMD_NAVI10: performing pre-reset"]
        for fmt in ("dmesg", "kmsg"):
            with Tree(kernel_log=fmt, kmsg_extra=extra) as root:
                doc = probe(root)
            [bar] = events_of(doc, "bar-cant-reserve")
            self.assertEqual((bar["device"], bar["code"], bar["time_s"]), ("0000:01:00.0", 1, 20.0))
            [xid] = events_of(doc, "nvrm-xid")
            self.assertEqual((xid["device"], xid["code"]), ("0000:2b:00", 79))
            [vr] = events_of(doc, "vendor-reset")
            self.assertEqual(vr["detail"], "AMD_NAVI10")


class Snapshot(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="ptdiag-snap-")
        self.base = pathlib.Path(self.tmp.name)
        self.root = self.base / "root"
        hostgen.write_system(self.root, {
            "bootloader": "systemd-boot",
            "kernel_cmdline": "root=UUID=0f6a1d2e-3b4c-4d5e-8f90-a1b2c3d4e5f6 intel_iommu=on",
            "kmsg_extra": ["vfio-pci 0000:01:00.0: not ready 65535ms after FLR; giving up",
                           "igb 0000:05:00.0 enp5s0: renamed, MAC 3c:ec:ef:12:34:56 "
                           "addr 192.168.10.21"],
            "modprobe_d_extra": {"vfio.cfg": "options vfio-pci ids=1002:67df\n"},
        })

    def tearDown(self):
        self.tmp.cleanup()

    @staticmethod
    def without_root(doc):
        """The document with its root directory taken out (messages may name the path)."""
        root = doc["root"]
        doc = dict(doc)
        doc.pop("root")
        return json.loads(json.dumps(doc).replace(root, "ROOT"))

    def test_round_trip(self):
        snap = self.base / "snap"
        first = probe(self.root, "--save-snapshot", str(snap))
        replay = probe(snap)
        self.assertEqual(self.without_root(first), self.without_root(replay))
        # links as the kernel makes them, relative, resolving inside the snapshot
        link = snap / "sys/class/iommu/dmar0"
        self.assertEqual(os.readlink(link), "../../devices/virtual/iommu/dmar0")
        self.assertTrue(link.resolve().is_dir())
        # existence-only paths are empty files that keep their mtime
        initrd = snap / "boot/initrd.img-6.8.12-4-pve"
        self.assertEqual(initrd.stat().st_size, 0)
        self.assertEqual(int(initrd.stat().st_mtime), 1732200000)
        self.assertTrue((snap / "dev/kvm").is_file())
        # a listed directory keeps entries that were never read
        self.assertTrue((snap / "etc/modprobe.d/vfio.cfg").exists())
        # nothing outside the probe's reads: the cpuinfo copy is byte-identical
        self.assertEqual((snap / "proc/cpuinfo").read_bytes(),
                         (self.root / "proc/cpuinfo").read_bytes())

    def test_redacted_round_trip(self):
        snap = self.base / "snap"
        first = probe(self.root, "--save-snapshot", str(snap), "--redact")
        self.assertEqual(first["system"]["hostname"], "[node-1]")
        self.assertIn("root=UUID=[uuid]", first["system"]["boot"]["kernel_cmdline_file"])
        replay = probe(snap)
        self.assertEqual(self.without_root(first), self.without_root(replay))
        everything = b"".join(p.read_bytes() for p in snap.rglob("*")
                              if p.is_file() and not p.is_symlink())
        for secret in (b"pve1", b"0f6a1d2e-3b4c", b"3c:ec:ef:12:34:56", b"192.168.10.21",
                       b"5A3B-1C2D"):
            self.assertNotIn(secret, everything)
        log = (snap / "dev/kmsg").read_text()
        self.assertIn("MAC [mac] addr [ipv4]", log)
        self.assertIn("6.8.12-4-pve", log)  # the kernel release is not a host name

    def test_refuses_non_empty_directory(self):
        snap = self.base / "snap"
        snap.mkdir()
        (snap / "keep.txt").write_text("mine\n")
        p = run("--json", "--root", str(self.root), "--save-snapshot", str(snap), ok=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("not empty", p.stderr)
        self.assertEqual([x.name for x in snap.iterdir()], ["keep.txt"])

    def test_hostile_link_target_stays_inside(self):
        # a tree whose iommu class link climbs out of the root: the snapshot must not
        # recreate anything that points (or writes) outside it
        link = self.root / "sys/class/iommu/dmar0"
        link.unlink()
        os.symlink("../../../../../../../../../../tmp/ptdiag-escape", link)
        snap = self.base / "snap"
        run("--json", "--root", str(self.root), "--save-snapshot", str(snap))
        dest = snap / "sys/class/iommu/dmar0"
        if dest.is_symlink():
            target = (dest.parent / os.readlink(dest)).resolve()
            self.assertTrue(str(target).startswith(str(snap.resolve())))
        self.assertFalse(pathlib.Path("/tmp/ptdiag-escape").exists())


class Live(unittest.TestCase):
    def check_doc(self, doc):
        s = doc["system"]
        self.assertIsNone(doc["root"])
        self.assertIsNotNone(s["kernel_release"])
        for key in ("vmx", "svm", "hypervisor"):
            self.assertIn(s["cpu"][key], (True, False, None))
        self.assertIn(doc["kernel_log"]["readable"], (True, False))
        if not doc["kernel_log"]["readable"]:
            self.assertIsNone(s["iommu"]["irq_remapping"])
            self.assertTrue(errors_of(doc, "kmsg"))
        if s["iommu"]["irq_remapping"] is None:
            self.assertTrue(any("interrupt remapping" in e for e in errors_of(doc, "kmsg")))

    def test_live(self):
        t0 = time.monotonic()
        doc = json.loads(run("--json").stdout)
        elapsed = time.monotonic() - t0
        self.check_doc(doc)
        self.assertLess(elapsed, 30.0)  # a hang guard; speed is measured by bench/host-scan
        print(f"\nlive ptdiag-host --json: {elapsed * 1000:.0f} ms", file=sys.stderr)

    def test_live_snapshot_replays(self):
        # a snapshot of this very machine replays to the same SYSTEM facts; the log is read
        # again for the snapshot, so it may only have grown
        with tempfile.TemporaryDirectory() as d:
            snap = os.path.join(d, "snap")
            first = json.loads(run("--json", "--save-snapshot", snap).stdout)
            replay = json.loads(run("--json", "--root", snap).stdout)
        self.assertEqual(first["system"], replay["system"])
        self.assertEqual(first["kernel_log"]["readable"], replay["kernel_log"]["readable"])
        for ev in first["kernel_log"]["events"]:
            self.assertIn(ev, replay["kernel_log"]["events"])
        mine = ("system", "iommu", "boot", "modules")
        self.assertEqual([e for e in first["errors"] if e["source"] in mine],
                         [e for e in replay["errors"] if e["source"] in mine])

    @unittest.skipUnless(os.geteuid() == 0 and shutil.which("setpriv"),
                         "needs root and setpriv to drop to nobody")
    def test_live_as_nobody(self):
        # the binary must be reachable by nobody: copy it to a world-readable place
        with tempfile.TemporaryDirectory() as d:
            os.chmod(d, 0o755)
            exe = os.path.join(d, "ptdiag-host")
            shutil.copy(BIN, exe)
            os.chmod(exe, 0o755)
            p = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                                exe, "--json"], capture_output=True, text=True, timeout=60,
                               env=ENV, cwd=d)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.check_doc(json.loads(p.stdout))


if __name__ == "__main__":
    BIN = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)

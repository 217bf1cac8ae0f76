#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The ACPI VFCT table (issue 15, ROM files): where AMD firmware hands the OS an APU's VBIOS.
The tree is the APU fixture (Ryzen 7 5700G, Cezanne 1002:1638 at 05:00.0; tests/fixtures/pve/
apu-romfile), whose sys/firmware/acpi/tables/VFCT romgen lays out as amdgpu reads it. Checks
the facts (system.acpi.vfct, the device's rom.vfct_image), that the image offset the fix hands
to dd is where the image is, the rule for an APU passed without romfile=, bad tables, and
--save-snapshot.

Usage: test_vfct.py PTDIAG_HOST PTDIAG_REPORT
"""
import json
import shutil
import sys
import tempfile
import unittest
from pathlib import Path
from subprocess import run

FIX = Path(__file__).resolve().parent.parent / "fixtures"
sys.path[:0] = [str(FIX), str(FIX.parent / "host-inventory")]
import hostdoc  # noqa: E402
from hostgen import romgen, scenarios  # noqa: E402,F401  (scenarios first: modes imports it)
from hostgen.modes import scenario_apu_romfile  # noqa: E402

HOST = REPORT = None
RULE = "vm-apu-romfile-from-vfct"
VFCT = "sys/firmware/acpi/tables/VFCT"
IMAGE = romgen.rom(romgen.image(0x1002, 0x1638, romgen.X86, 128))


def apu_tree(base, name, romfile=True, vfct=None):
    """The APU host; romfile=False drops romfile= from VM 100's GPU entry; vfct: the table's
    bytes, None to keep the scenario's, b"" to remove it."""
    root = base / name / "root"
    scenario_apu_romfile(root)
    shutil.copytree(FIX / "pve" / "apu-romfile", root, dirs_exist_ok=True)
    conf = root / "etc/pve/qemu-server/100.conf"
    if not romfile:
        conf.write_text(conf.read_text().replace(",romfile=vbios_5700g.bin", ""))
    if vfct == b"":
        (root / VFCT).unlink()
    elif vfct is not None:
        (root / VFCT).write_bytes(vfct)
    return root


def probe(root):
    return hostdoc.probe(HOST, root)


def rule_hits(base, name, doc):
    path = base / name / "host.json"
    path.write_text(json.dumps(doc))
    p = run([REPORT, "--format", "json", str(path)], capture_output=True, text=True,
                       timeout=120, env=hostdoc.ENV)
    return [f for f in json.loads(p.stdout)["findings"] if f["id"] == RULE]


def gpu(doc):
    return next(d for d in doc["devices"] if d["bdf"] == "0000:05:00.0")


class Vfct(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="ptdiag-vfct-")
        cls.base = Path(cls.tmp.name)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_facts_and_offset(self):
        root = apu_tree(self.base, "facts")
        doc = probe(root)
        v = doc["system"]["acpi"]["vfct"]
        table = (root / VFCT).read_bytes()
        self.assertEqual((v["present"], v["readable"], v["table_bytes"], v["error"]),
                         (True, True, len(table), None))
        self.assertEqual(v["entries"], [{"bdf": "0000:05:00.0", "vendor_id": "1002",
                                         "device_id": "1638", "image_offset": 0x4C + 28,
                                         "image_bytes": len(IMAGE), "rom_signature": True,
                                         "truncated": False}])
        img = gpu(doc)["rom"]["vfct_image"]
        self.assertEqual(table[img["image_offset"]:img["image_offset"] + img["image_bytes"]],
                         IMAGE, "the bytes the fix's dd extracts are the VBIOS")
        audio = next(d for d in doc["devices"] if d["bdf"] == "0000:05:00.1")
        self.assertIsNone(audio["rom"]["vfct_image"])

    def test_rule(self):
        doc = probe(apu_tree(self.base, "bare", romfile=False))
        hits = rule_hits(self.base, "bare", doc)
        self.assertEqual(len(hits), 1)
        self.assertIn("skip=104 count=65536", hits[0]["fix"])
        # the guides' setup (romfile= given) and a host without VFCT: no finding
        self.assertEqual(rule_hits(self.base, "guide", probe(apu_tree(self.base, "guide"))), [])
        doc = probe(apu_tree(self.base, "novfct", romfile=False, vfct=b""))
        self.assertEqual((doc["system"]["acpi"]["vfct"]["present"],
                          gpu(doc)["rom"]["vfct_image"]), (False, None))
        self.assertEqual(rule_hits(self.base, "novfct", doc), [])

    def test_bad_tables(self):
        good = romgen.vfct([(5, 0, 0, 0x1002, 0x1638, 0x1462, 0x7c37, 0xc8, IMAGE)])
        other = romgen.vfct([(6, 0, 0, 0x1002, 0x1638, 0x1462, 0x7c37, 0xc8, IMAGE)])
        cases = {"cut": good[:0x4C + 28 + 4096], "short": good[:40], "notvfct": b"SSDT" + good[4:],
                 "offset": good[:0x34] + (0xFFFFFF).to_bytes(4, "little") + good[0x38:],
                 "otherbus": other, "zero": romgen.vfct([]), "hdrcut": good[:0x4C + 10]}
        errors = {"short": "shorter than the VFCT header (76 bytes)", "notvfct": "no VFCT signature",
                  "offset": "VBIOSImageOffset 16777215 outside the table",
                  "zero": "no image entry", "hdrcut": "image header truncated"}
        for name, data in cases.items():
            doc = probe(apu_tree(self.base, name, romfile=False, vfct=data))
            v = doc["system"]["acpi"]["vfct"]
            self.assertEqual(rule_hits(self.base, name, doc), [], name)
            if name == "cut":
                self.assertEqual(v["entries"][0]["truncated"], True)
            elif name == "otherbus":
                self.assertEqual(v["entries"][0]["bdf"], "0000:06:00.0")
                self.assertIsNone(gpu(doc)["rom"]["vfct_image"])
            else:
                self.assertEqual((v["entries"], v["error"]), ([], errors[name]), name)

    def test_empty_entry_skipped(self):
        # amdgpu_acpi_vfct_bios() passes over an entry of ImageLength 0 to the next one
        table = romgen.vfct([(4, 0, 0, 0x1002, 0x1638, 0x1462, 0x7c37, 0xc8, b""),
                             (5, 0, 0, 0x1002, 0x1638, 0x1462, 0x7c37, 0xc8, IMAGE)])
        doc = probe(apu_tree(self.base, "empty-first", romfile=False, vfct=table))
        img = gpu(doc)["rom"]["vfct_image"]
        self.assertEqual((img["image_offset"], img["image_bytes"]), (0x4C + 28 + 28, len(IMAGE)))
        self.assertEqual(table[img["image_offset"]:img["image_offset"] + len(IMAGE)], IMAGE)
        self.assertEqual(len(rule_hits(self.base, "empty-first", doc)), 1)

    def test_snapshot_keeps_table(self):
        root = apu_tree(self.base, "snap-src", romfile=False)
        snap = self.base / "snap"
        run([HOST, "--root", str(root), "--save-snapshot", str(snap), "--json"],
                       capture_output=True, timeout=120, env=hostdoc.ENV, check=True)
        self.assertEqual((snap / VFCT).read_bytes(), (root / VFCT).read_bytes())
        self.assertEqual(probe(snap)["system"]["acpi"]["vfct"],
                         probe(root)["system"]["acpi"]["vfct"])


if __name__ == "__main__":
    HOST, REPORT = sys.argv[1], sys.argv[2]
    unittest.main(argv=sys.argv[:1], verbosity=2)

#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""One redactor for document and snapshot: for every hostgen fixture (with its own Proxmox
configs from tests/fixtures/pve, else the two-node cluster's), `ptdiag-host --save-snapshot
--redact` must hold none of the host names, cluster name, MAC and IP addresses, UUIDs and
serials of its source tree, in any file's contents, link target or path; and the document
(--redact) must name the nodes with the same tokens the snapshot writes.

Usage: test_redact_all.py PTDIAG_HOST
"""
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = pathlib.Path(__file__).resolve().parent
FIX = HERE.parent / "fixtures"
sys.path.insert(0, str(FIX))
from hostgen.scenarios import SCENARIOS  # noqa: E402

HOST = None
ENV = dict(os.environ, PTDIAG_FIXED_TIME="2026-11-22T20:00:00Z")

MAC = re.compile(rb"(?<![0-9A-Fa-f:-])(?:[0-9A-Fa-f]{2}([:-]))(?:[0-9A-Fa-f]{2}\1){4}[0-9A-Fa-f]{2}"
                 rb"(?![0-9A-Fa-f:-])")
IPV4 = re.compile(rb"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)"
                  rb"(?![\d]|\.\d)")
UUID = re.compile(rb"(?<![0-9A-Za-z_])[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}"
                  rb"(?![0-9A-Za-z_])")
SERIAL = re.compile(rb"(?i)\bserial(?:[ _-](?:number|no))?\s*[:=]\s*\"?([^\s,;\"]+)")
MDEV_UUID = re.compile(rb"\d{8}-0000-0000-0000-\d{12}")
NAMES = (re.compile(rb"^\s*(?:name|cluster_name)\s*:\s*(\S+)", re.M),
         re.compile(rb"[, \t]node=([^,\s]+)"))


def texts(root):
    """(path, bytes) of every regular file and link target under root."""
    for dirpath, dirs, files in os.walk(root):
        for n in dirs + files:
            p = pathlib.Path(dirpath) / n
            if p.is_symlink():
                yield p, os.readlink(p).encode()
            elif p.is_file() and n not in dirs:
                yield p, p.read_bytes()


def identifiers(root):
    """What must not survive redaction, from the source tree."""
    found = set()
    host = root / "proc/sys/kernel/hostname"
    if host.exists():
        found.add(host.read_bytes().strip())
    for p, data in texts(root):
        if b"\0" in data:  # binary (config space, ROMs): not text the redactor sees
            continue
        for rx in (MAC, IPV4, UUID):
            found.update(m.group(0) for m in rx.finditer(data))
        found.update(m.group(1) for m in SERIAL.finditer(data))
        if p.name in ("corosync.conf", "pci.cfg"):
            for rx in NAMES:
                found.update(m.group(1) for m in rx.finditer(data))
    # qemu-server's mdev UUID ("%08d-0000-0000-0000-%012d" of hostpci index and VMID,
    # PVE/QemuServer/PCI/Mdev.pm) names no machine: the document keeps it to find the instance
    return {f for f in found if len(f) >= 2 and not MDEV_UUID.fullmatch(f)}


def name_leaks(ident, data):
    """Occurrences on name boundaries, as the redactor treats names (pve1 in pve1.example.com
    and at the end of a sentence, "pve1.", not in "pve1-data")."""
    rx = re.compile(rb"(?<![A-Za-z0-9_./-])" + re.escape(ident) + rb"(?![A-Za-z0-9_/-]|\.[_./-])",
                    re.I)
    return rx.search(data) is not None


class RedactEveryFixture(unittest.TestCase):
    def test_every_fixture(self):
        with tempfile.TemporaryDirectory(prefix="ptdiag-redact-") as tmp:
            checked = 0
            for scen in SCENARIOS:
                with self.subTest(scenario=scen):
                    root = pathlib.Path(tmp) / scen
                    SCENARIOS[scen](root)
                    pve = FIX / "pve" / (scen if (FIX / "pve" / scen).is_dir() else "cluster")
                    shutil.copytree(pve, root, symlinks=True, dirs_exist_ok=True)
                    idents = identifiers(root)
                    self.assertTrue(idents, f"{scen}: nothing to redact found in the source")
                    snap = pathlib.Path(tmp) / f"{scen}.snap"
                    p = subprocess.run([HOST, "--root", str(root), "--save-snapshot", str(snap),
                                        "--redact", "--json"], capture_output=True, timeout=120,
                                       env=ENV)
                    self.assertEqual(p.returncode, 0, p.stderr[-300:])
                    for path, data in texts(snap):
                        rel = str(path.relative_to(snap)).encode()
                        for ident in idents:
                            self.assertFalse(name_leaks(ident, data) or name_leaks(ident, rel),
                                             f"{scen}: {ident!r} in {path.relative_to(snap)}")
                    doc = p.stdout
                    for ident in idents:
                        self.assertFalse(name_leaks(ident, doc), f"{scen}: {ident!r} in the document")
                    checked += 1
            self.assertEqual(checked, len(SCENARIOS))

    def test_same_tokens(self):
        """The cluster fixture: this node is [node-1] and pve2 [node-2] in both."""
        with tempfile.TemporaryDirectory(prefix="ptdiag-redact-") as tmp:
            root = pathlib.Path(tmp) / "c"
            SCENARIOS["arc-a310"](root)
            shutil.copytree(FIX / "pve/cluster", root, symlinks=True, dirs_exist_ok=True)
            snap = pathlib.Path(tmp) / "snap"
            p = subprocess.run([HOST, "--root", str(root), "--save-snapshot", str(snap),
                                "--redact", "--json"], capture_output=True, text=True,
                               timeout=120, env=ENV, check=True)
            doc = json.loads(p.stdout)
            self.assertEqual(doc["system"]["hostname"], "[node-1]")
            self.assertEqual((doc["cluster"]["this_node"], doc["cluster"]["nodes"],
                              doc["cluster"]["name"]),
                             ("[node-1]", ["[node-1]", "[node-2]"], "[cluster]"))
            self.assertEqual((snap / "proc/sys/kernel/hostname").read_text().strip(), "[node-1]")
            coro = (snap / "etc/pve/corosync.conf").read_text()
            for want in ("name: [node-1]", "name: [node-2]", "cluster_name: [cluster]"):
                self.assertIn(want, coro)
            pci = (snap / "etc/pve/mapping/pci.cfg").read_text()
            self.assertIn("node=[node-1],", pci)
            self.assertIn("node=[node-2],", pci)
            nodes = {m["node"] for m in doc["mappings"][0]["map"]}
            self.assertEqual(nodes, {"[node-1]", "[node-2]"})


if __name__ == "__main__":
    HOST = sys.argv[1]
    unittest.main(argv=sys.argv[:1], verbosity=2)

#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Real config-space dumps through ptdiag-host, with lspci as the oracle.

For each dump in lspci-dumps/ (real hardware, `lspci -xxx`/`-xxxx`, sources in
lspci-dumps/SOURCES): build a --root tree holding the config files and the sysfs attributes
the kernel derives from them (lspci-dumps/README.md says which and how), run
`ptdiag-host --root TREE --json`, run `lspci -vvv -F DUMP`, and compare every fact ptdiag
reports for a listed function or its upstream bridges with lspci's decoding of the same bytes.
Prints "facts agreeing with lspci: n/m" and fails on any disagreement.
"""

import argparse
import json
import os
import pathlib
import re
import shutil
import struct
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
DUMPS = HERE / "lspci-dumps"

# IORESOURCE_* (include/linux/ioport.h) and the BAR flag bits the kernel copies into them.
IO, MEM, PREFETCH, READONLY, SIZEALIGN, MEM_64 = 0x100, 0x200, 0x2000, 0x4000, 0x40000, 0x100000
SPEEDS = {1: "2.5 GT/s PCIe", 2: "5.0 GT/s PCIe", 3: "8.0 GT/s PCIe", 4: "16.0 GT/s PCIe",
          5: "32.0 GT/s PCIe", 6: "64.0 GT/s PCIe"}


def parse_dump(path):
    """{bdf "0000:bb:dd.f": bytes} in file order."""
    devs, cur = {}, None
    for line in path.read_text().splitlines():
        m = re.match(r"^(?:([0-9a-f]{4}):)?([0-9a-f]{2}:[0-9a-f]{2}\.[0-7]) ", line)
        if m:
            cur = "%s:%s" % (m.group(1) or "0000", m.group(2))
            devs[cur] = bytearray()
            continue
        m = re.match(r"^([0-9a-f]{2,3}): ((?:[0-9a-f]{2} ?){16})$", line)
        if m and cur is not None:
            off = int(m.group(1), 16)
            data = bytes.fromhex(m.group(2).replace(" ", ""))
            buf = devs[cur]
            if len(buf) < off:
                buf.extend(b"\0" * (off - len(buf)))
            buf[off:off + 16] = data
    return {k: bytes(v) for k, v in devs.items()}


def r16(c, o):
    return struct.unpack_from("<H", c, o)[0] if o + 2 <= len(c) else 0xffff


def r32(c, o):
    return struct.unpack_from("<I", c, o)[0] if o + 4 <= len(c) else 0xffffffff


def find_cap(c, cid):
    if not (r16(c, 6) & 0x10):
        return None
    pos, n = c[0x34], 0
    while 0x40 <= pos < 256 and n < 48:
        pos &= ~3
        if c[pos] == cid:
            return pos
        pos, n = c[pos + 1], n + 1
    return None


def natural_size(addr, lowest):
    """A dump holds no BAR sizes (the kernel sizes BARs by writing all-ones); a BAR is
    aligned to its size, so the lowest set address bit is an upper bound. Only used where
    the dump gives nothing better; sizes are not compared (lspci -F cannot show them)."""
    return addr & -addr if addr else lowest


def bar_lines(c, rebar_cur):
    """resource lines 0-5 and 6 (ROM) as pci_read_bases()/__pci_read_base() fill them."""
    hdr = c[0x0e] & 0x7f
    nbars = 6 if hdr == 0 else 2 if hdr == 1 else 0
    lines, i = [(0, 0, 0)] * 7, 0
    while i < nbars:
        v = r32(c, 0x10 + 4 * i)
        if v in (0, 0xffffffff) or (v & 1 and v & ~3 == 0):
            i += 1
            continue
        if v & 1:
            addr = v & ~3
            lines[i] = (addr, addr + natural_size(addr, 4) - 1, IO | SIZEALIGN | (v & 3))
            i += 1
            continue
        flags = MEM | SIZEALIGN | (v & 0xf)
        addr = v & ~0xf
        is64 = (v & 6) == 4
        if is64:
            addr |= r32(c, 0x14 + 4 * i) << 32
            flags |= MEM_64
        if v & 8:
            flags |= PREFETCH
        size = rebar_cur.get(i) or natural_size(addr, 16)
        lines[i] = (addr, addr + size - 1, flags)
        i += 2 if is64 else 1
    rom_off = 0x30 if hdr == 0 else 0x38 if hdr == 1 else None
    if rom_off is not None:
        v = r32(c, rom_off)
        addr = v & ~0x7ff
        if addr:
            lines[6] = (addr, addr + natural_size(addr, 2048) - 1,
                        MEM | PREFETCH | READONLY | SIZEALIGN)
    return lines


def bridge_windows(c):
    """resource lines 13-16 as pci_read_bridge_io/mmio/mmio_pref() fill them."""
    out = [(0, 0, 0)] * 4
    io_lo, io_hi = c[0x1c], c[0x1d]
    if io_lo or io_hi:
        base, limit = (io_lo & 0xf0) << 8, ((io_hi & 0xf0) << 8) | 0xfff
        if io_lo & 0xf == 1:
            base |= r16(c, 0x30) << 16
            limit |= r16(c, 0x32) << 16
        if base <= limit:
            out[0] = (base, limit, IO | (io_lo & 0xf))
    mb, ml = r16(c, 0x20), r16(c, 0x22)
    base, limit = (mb & 0xfff0) << 16, ((ml & 0xfff0) << 16) | 0xfffff
    if base <= limit:
        out[1] = (base, limit, MEM | (mb & 0xf))
    pb, pl = r16(c, 0x24), r16(c, 0x26)
    base, limit = (pb & 0xfff0) << 16, ((pl & 0xfff0) << 16) | 0xfffff
    flags = MEM | PREFETCH | (pb & 0xf)
    if pb & 0xf == 1:
        base |= r32(c, 0x28) << 32
        limit |= r32(c, 0x2c) << 32
        flags |= MEM_64
    if base <= limit:
        out[2] = (base, limit, flags)
    return out


def rebar_current(c):
    cur, pos = {}, 0x100
    for _ in range(64):
        if pos < 0x100 or pos + 4 > len(c):
            break
        h = r32(c, pos)
        if h in (0, 0xffffffff):
            break
        if h & 0xffff == 0x15:
            n = (r32(c, pos + 8) >> 5) & 7
            for k in range(n):
                ctrl = r32(c, pos + 8 + 8 * k)
                cur[ctrl & 7] = (1 << 20) << ((ctrl >> 8) & 0x3f)
            break
        pos = (h >> 20) & 0xffc
    return cur


def link_attrs(c):
    """current/max_link_speed/width as the kernel's pcie_get_speed_cap() & co. print them."""
    p = find_cap(c, 0x10)
    if p is None:
        return {}
    lnkcap, lnksta = r32(c, p + 0x0c), r16(c, p + 0x12)
    cap2 = r32(c, p + 0x2c) if ((r16(c, p + 2) & 0xf) >= 2 and p + 0x30 <= len(c)) else 0
    vec = (cap2 >> 1) & 0x7f
    maxcode = vec.bit_length() if vec else lnkcap & 0xf
    return {"max_link_speed": SPEEDS.get(maxcode, "Unknown"),
            "max_link_width": str((lnkcap >> 4) & 0x3f),
            "current_link_speed": SPEEDS.get(lnksta & 0xf, "Unknown"),
            "current_link_width": str((lnksta >> 4) & 0x3f)}


def build_tree(root, devs):
    """Lays the functions out as the kernel does: a function's directory sits under the
    bridge whose secondary..subordinate range holds its bus."""
    bridges = {b: (c[0x19], c[0x1a]) for b, c in devs.items() if (c[0x0e] & 0x7f) == 1}

    def parent(bdf):
        bus = int(bdf[5:7], 16)
        best = None
        for b, (sec, sub) in bridges.items():
            if b != bdf and sec <= bus <= sub and sec > 0:
                if best is None or bridges[best][0] < sec:
                    best = b
        return best

    def chain(bdf):
        out = [bdf]
        while (p := parent(out[0])) is not None and p not in out:
            out.insert(0, p)
        return out

    for bdf, c in devs.items():
        ch = chain(bdf)
        rel = "sys/devices/pci%s/%s" % (ch[0][:7], "/".join(ch))
        d = root / rel
        d.mkdir(parents=True, exist_ok=True)
        hdr = c[0x0e] & 0x7f
        ssv, ssd = (r16(c, 0x2c), r16(c, 0x2e)) if hdr == 0 else (0, 0)
        attrs = {"vendor": "0x%04x" % r16(c, 0), "device": "0x%04x" % r16(c, 2),
                 "class": "0x%06x" % (r32(c, 8) >> 8), "revision": "0x%02x" % c[8],
                 "subsystem_vendor": "0x%04x" % ssv, "subsystem_device": "0x%04x" % ssd,
                 "numa_node": "-1", "d3cold_allowed": "1", "driver_override": "(null)",
                 "irq": str(c[0x3c])}
        attrs.update(link_attrs(c))
        lines = bar_lines(c, rebar_current(c)) + [(0, 0, 0)] * 6
        if hdr == 1:
            lines += bridge_windows(c)
            attrs["secondary_bus_number"] = str(c[0x19])
            attrs["subordinate_bus_number"] = str(c[0x1a])
        attrs["resource"] = "".join("0x%016x 0x%016x 0x%016x\n" % l for l in lines)
        for k, v in attrs.items():
            (d / k).write_text(v + "\n" if k != "resource" else v)
        (d / "config").write_bytes(c)
        link = root / "sys/bus/pci/devices" / bdf
        link.parent.mkdir(parents=True, exist_ok=True)
        os.symlink("../../../" + rel[len("sys/"):], link)


# ---- lspci's decoding -------------------------------------------------------------------

SIZE_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def lspci_sections(dump):
    out = subprocess.run(["lspci", "-vvv", "-nn", "-F", str(dump)], capture_output=True,
                         text=True, check=True).stdout
    secs, cur = {}, None
    for line in out.splitlines():
        m = re.match(r"^(?:([0-9a-f]{4}):)?([0-9a-f]{2}:[0-9a-f]{2}\.[0-7]) ", line)
        if m:
            cur = "%s:%s" % (m.group(1) or "0000", m.group(2))
            secs[cur] = []
        elif cur:
            secs[cur].append(line.strip())
    return secs


def size_bytes(txt):
    m = re.match(r"(\d+)([KMGT]?)B", txt)
    return int(m.group(1)) * SIZE_UNITS[m.group(2)]


def lspci_facts(lines):
    f = {"bars": {}, "rom": False, "rebar": None, "flr": False, "lnkcap": None,
         "lnksta": None, "pm": None, "type": None, "acs": None, "windows": {}, "ext": False}
    text = "\n".join(lines)
    for l in lines:
        m = re.match(r"Region (\d): Memory at ([0-9a-f]+) \((32|64)-bit, (non-)?prefetchable\)", l)
        if m:
            f["bars"][int(m.group(1))] = (int(m.group(2), 16), m.group(3) == "64",
                                          m.group(4) is None, False)
        m = re.match(r"Region (\d): I/O ports at ([0-9a-f]+)", l)
        if m:
            f["bars"][int(m.group(1))] = (int(m.group(2), 16), False, False, True)
        if l.startswith("Expansion ROM at"):
            f["rom"] = True
        m = re.match(r"BAR (\d): current size: (\S+), supported: (.*)", l)
        if m:
            f["rebar"] = (f["rebar"] or []) + [(int(m.group(1)), size_bytes(m.group(2)),
                                                [size_bytes(x) for x in m.group(3).split()])]
        if l.startswith("Capabilities: [1") or l.startswith("Capabilities: [2") or \
                re.match(r"Capabilities: \[[0-9a-f]{3} v", l):
            f["ext"] = True
        m = re.match(r"LnkCap:\s+Port #\d+, Speed ([\d.]+)GT/s, Width x(\d+)", l)
        if m:
            f["lnkcap"] = (float(m.group(1)), int(m.group(2)))
        m = re.match(r"LnkSta:\s+Speed ([\d.]+)GT/s.*?, Width x(\d+)", l)
        if m:
            f["lnksta"] = (float(m.group(1)), int(m.group(2)))
        m = re.match(r"Status: (D[0-3](?:hot)?) ", l)
        if m:
            f["pm"] = m.group(1)
        m = re.search(r"Express \(v\d\) (Root Port|Upstream Port|Downstream Port|Legacy Endpoint"
                      r"|Endpoint|Root Complex Integrated Endpoint|PCI-Express to PCI/PCI-X Bridge)",
                      l)
        if m:
            f["type"] = m.group(1)
        m = re.match(r"(I/O|Memory|Prefetchable memory) behind bridge: ([0-9a-f]+)-([0-9a-f]+)", l)
        if m:
            kind = {"I/O": "io", "Memory": "mem", "Prefetchable memory": "prefetch"}[m.group(1)]
            f["windows"][kind] = (int(m.group(2), 16), int(m.group(3), 16))
    if re.search(r"DevCap:.*?FLReset\+", text, re.S):
        f["flr"] = True
    if re.search(r"AFCap: TP\+ FLR\+", text):
        f["flr"] = True
    m = re.search(r"ACSCap:\s+SrcValid([+-]) TransBlk([+-]) ReqRedir([+-]) CmpltRedir([+-]) "
                  r"UpstreamFwd([+-]).*?\n\s*ACSCtl:\s+SrcValid([+-]) TransBlk([+-]) "
                  r"ReqRedir([+-]) CmpltRedir([+-]) UpstreamFwd([+-])", text, re.S)
    if m:
        bits = [g == "+" for g in m.groups()]
        f["acs"] = (sum(1 << i for i in range(5) if bits[i]),
                    sum(1 << i for i in range(5) if bits[5 + i]))
    return f


TYPE_NAMES = {"Root Port": "root_port", "Upstream Port": "upstream_port",
              "Downstream Port": "downstream_port", "Endpoint": "endpoint",
              "Legacy Endpoint": "legacy_endpoint", "Root Complex Integrated Endpoint":
              "rc_integrated", "PCI-Express to PCI/PCI-X Bridge": "pcie_to_pci_bridge"}


class Tally:
    def __init__(self):
        self.n = self.m = 0
        self.bad = []

    def eq(self, what, ours, theirs):
        self.m += 1
        if ours == theirs:
            self.n += 1
        else:
            self.bad.append("%s: ptdiag %r, lspci %r" % (what, ours, theirs))


def compare_device(t, name, d, lf, cfg_len):
    bars = {b["index"]: (b["start"], b["is_64bit"], b["prefetchable"], b["is_io"])
            for b in d.get("bars") or []}
    for i in sorted(set(bars) | set(lf["bars"])):
        t.eq("%s BAR %d (start, 64-bit, prefetchable, io)" % (name, i), bars.get(i),
             lf["bars"].get(i))
    t.eq(name + " ROM present", (d.get("rom") or {}).get("present"), lf["rom"])
    if cfg_len > 256:
        ours = [(r["bar"], r["current_bytes"], r["supported_bytes"]) for r in d["rebar"]] \
            if d.get("rebar") is not None else "unknown"
        t.eq(name + " ReBAR", ours, lf["rebar"] or [])
    else:
        # 256 bytes: no extended space in the dump. lspci shows none; ptdiag must not
        # claim "no ReBAR" for a PCIe function (unknown), and [] for a conventional one.
        is_pcie = lf["type"] is not None
        t.eq(name + " ReBAR with 256 bytes", d.get("rebar"), None if is_pcie else [])
    t.eq(name + " FLR", d.get("flr"), lf["flr"])
    link = d.get("link")
    ours = None if not link else ((link["max_speed_gts"], link["max_width"]),
                                  (link["current_speed_gts"], link["current_width"]))
    theirs = None
    if lf["lnkcap"] and lf["type"] not in ("Root Complex Integrated Endpoint",):
        theirs = (lf["lnkcap"], lf["lnksta"])
    t.eq(name + " link (LnkCap, LnkSta)", ours, theirs)
    t.eq(name + " power state", d.get("power_state"), lf["pm"])


def compare_bridge(t, name, u, lf):
    t.eq(name + " port type", u.get("type"),
         TYPE_NAMES.get(lf["type"], "pci_bridge" if lf["type"] is None else lf["type"]))
    acs = u.get("acs")
    if acs is not None:
        t.eq(name + " ACS (cap, ctrl)", (acs["cap"] & 0x1f, acs["ctrl"] & 0x1f)
             if acs["present"] else None, lf["acs"])
    wins = {w["kind"]: (w["start"], w["end"]) for w in u.get("windows") or []}
    t.eq(name + " bridge windows", wins, lf["windows"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--work", required=True)
    args = ap.parse_args()
    work = pathlib.Path(args.work)
    shutil.rmtree(work, ignore_errors=True)
    total = Tally()
    cases = []
    for dump in sorted(DUMPS.glob("*.dump")):
        cases.append((dump.stem, dump))
        # The same functions read through 256 bytes only (`lspci -xxx`, or a host without
        # extended config access): what lspci then decodes, ptdiag must report too.
        full = parse_dump(dump)
        if any(len(c) > 256 for c in full.values()):
            short = work / "dumps" / (dump.stem + "-256.dump")
            short.parent.mkdir(parents=True, exist_ok=True)
            short.write_text("".join(
                "%s (truncated to 256 bytes)\n" % b[5:] + "".join("%02x: %s\n" % (o, " ".join("%02x" % x for x in c[o:o + 16]))
                                       for o in range(0, 256, 16))
                + "\n" for b, c in full.items()))
            cases.append((dump.stem + "-256", short))
    for stem, dump in cases:
        devs = parse_dump(dump)
        root = work / stem
        build_tree(root, devs)
        res = subprocess.run([args.bin, "--root", str(root), "--json"], capture_output=True,
                             text=True, env=dict(os.environ, PTDIAG_FIXED_TIME="2026-11-22T12:00:00Z"))
        if not res.stdout.strip():
            print("FAIL %s: ptdiag-host gave no document: %s" % (dump.name, res.stderr[-400:]))
            return 1
        doc = json.loads(res.stdout)
        secs = {k: lspci_facts(v) for k, v in lspci_sections(dump).items()}
        t = Tally()
        seen_bridges = set()
        for d in doc.get("devices", []):
            bdf = d["bdf"]
            compare_device(t, "%s %s" % (stem, bdf), d, secs[bdf], len(devs[bdf]))
            for u in d.get("upstream") or []:
                if u["bdf"] not in seen_bridges:
                    seen_bridges.add(u["bdf"])
                    compare_bridge(t, "%s %s" % (stem, u["bdf"]), u, secs[u["bdf"]])
        print("%-22s %3d/%-3d facts agree (%d functions, %d bridges)" % (
            stem, t.n, t.m, len(doc.get("devices", [])), len(seen_bridges)))
        for b in t.bad:
            print("  DISAGREE " + b)
        total.n, total.m, total.bad = total.n + t.n, total.m + t.m, total.bad + t.bad
    print("facts agreeing with lspci: %d/%d" % (total.n, total.m))
    return 1 if total.bad or total.m == 0 else 0


if __name__ == "__main__":
    sys.exit(main())

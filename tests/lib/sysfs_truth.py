# SPDX-License-Identifier: MIT
"""truth.txt, what tests/vm/init's shell read straight from a real kernel's sysfs, and the
comparison of ptdiag-host's devices against it. Used by the live VM test (tests/vm/check.py)
and by the replay of the snapshots taken there (tests/snapshots/check_snapshot.py): one reading
of the truth and one comparison, so the two cannot drift apart.

truth.txt holds one fact per line, keyed by its first word: uname_r, cmdline, module,
iommu_class, file, group ID TYPE, member ID BDF, dev BDF 0xVEN 0xDEV 0xCLASS key=value...,
res BDF INDEX START END FLAGS (hex, as in sysfs `resource`).
"""

# include/linux/ioport.h
IORESOURCE_IO = 0x100
IORESOURCE_MEM = 0x200
IORESOURCE_PREFETCH = 0x2000
IORESOURCE_MEM_64 = 0x100000


def parse_truth(text):
    """The facts of truth.txt; ValueError naming the line when one cannot be parsed."""
    t = {"modules": set(), "iommu_class": set(), "groups": {}, "devs": {}, "res": {},
         "files": set(), "uname_r": None, "cmdline": None}
    for n, line in enumerate(text.splitlines(), 1):
        head, _, rest = line.partition(" ")
        try:
            if head in ("uname_r", "cmdline"):
                t[head] = rest
            elif head in ("module", "iommu_class"):
                t["modules" if head == "module" else "iommu_class"].add(rest)
            elif head == "file":
                t["files"].add(rest)
            elif head == "group":
                gid, gtype = rest.split(" ", 1)
                t["groups"].setdefault(int(gid), {"members": set()})["type"] = gtype
            elif head == "member":
                gid, bdf = rest.split(" ", 1)
                t["groups"].setdefault(int(gid), {"type": None, "members": set()})[
                    "members"].add(bdf)
            elif head == "dev":
                f = rest.split(" ")
                d = {"bdf": f[0], "vendor": f[1][2:], "device": f[2][2:], "class": f[3][2:]}
                d.update(kv.split("=", 1) for kv in f[4:])
                t["devs"][d["bdf"]] = d
            elif head == "res":
                bdf, idx, start, end, flags = rest.split(" ")
                t["res"].setdefault(bdf, {})[int(idx)] = (int(start, 16), int(end, 16),
                                                         int(flags, 16))
        except (ValueError, IndexError) as e:
            raise ValueError(f"truth.txt line {n}: cannot parse '{line}' ({e})") from None
    return t


def expected_devices(t):
    """Every display-class function, and every function of the same slots (schema.md)."""
    slots = {b.rsplit(".", 1)[0] for b, d in t["devs"].items() if d["class"].startswith("03")}
    return {b for b in t["devs"] if b.rsplit(".", 1)[0] in slots}


def truth_driver(d):
    """The driver of a truth line's device; None when none is bound ("-")."""
    return None if d["driver"] == "-" else d["driver"]


def flip_device(t, listed_bdfs, flip):
    """Changes one expected fact (driver, group, reset, class or bar) of the first listed
    device, so that the comparison must report exactly that. Returns what was flipped, or
    None when no listed device has the fact; KeyError for a flip this module does not know."""
    listed = sorted(b for b in listed_bdfs if b in t["devs"])
    if flip == "bar":  # needs a device with a BAR
        listed = [b for b in listed if any(t["res"].get(b, {}).get(i, (0, 0, 0))[1]
                                           for i in range(6))]
    if not listed:
        return None
    bdf = listed[0]
    d = t["devs"][bdf]
    if flip == "bar":
        bars = t["res"][bdf]
        i = next(i for i in range(6) if bars.get(i, (0, 0, 0))[1])
        s, e, fl = bars[i]
        bars[i] = (s, e + 0x1000, fl)
    else:
        key, value = {"driver": ("driver", "flipped-driver"), "group": ("group", "9999"),
                      "reset": ("reset_method", "flipped"), "class": ("class", "ff0000")}[flip]
        d[key] = value
    return f"{flip} of {bdf}"


def device_mismatches(dev, d, res):
    """What ptdiag-host's device dev says differently from sysfs: its truth line d and its
    resource lines res ({index: (start, end, flags)}). [] when all agree."""
    out = []
    lb = dev.get("bdf")

    def eq(got, want, what):
        if got != want:
            out.append(f"{lb}: {what} {got!r} != sysfs {want!r}")

    eq((dev.get("vendor_id"), dev.get("device_id"), dev.get("class")),
       (d["vendor"], d["device"], d["class"]), "vendor:device, class")
    eq(dev.get("is_gpu"), d["class"].startswith("03"), "is_gpu for its class")
    eq(dev.get("driver"), truth_driver(d), "driver")
    eq(dev.get("driver_override"), None if d["override"] == "(null)" else d["override"],
       "driver_override")
    eq(dev.get("iommu_group"), None if d["group"] == "-" else int(d["group"]), "iommu_group")
    eq(dev.get("reset_method"), [] if d["reset_method"] == "-" else d["reset_method"].split(","),
       "reset_method")
    eq(dev.get("reset_file"), d["reset_file"] == "1", "reset_file")

    bars = {b.get("index"): b for b in dev.get("bars") or [] if b.get("size_bytes")}
    want = {i: res[i] for i in range(6) if i in res and res[i][1]}
    eq(sorted(bars), sorted(want), "BAR indexes")
    for i, (start, end, flags) in want.items():
        if i in bars:
            b = bars[i]
            eq((b.get("size_bytes"), b.get("is_io"), b.get("is_64bit"), b.get("prefetchable")),
               (end - start + 1, bool(flags & IORESOURCE_IO), bool(flags & IORESOURCE_MEM_64),
                bool(flags & IORESOURCE_PREFETCH)), f"BAR{i} (size, io, 64-bit, prefetchable)")
    start, end, _ = res.get(6, (0, 0, 0))
    if end:
        rom = dev.get("rom") or {}
        eq((rom.get("present"), rom.get("size_bytes")), (True, end - start + 1),
           "rom (present, size_bytes) vs resource line 6")
    return out

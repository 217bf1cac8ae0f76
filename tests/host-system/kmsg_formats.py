#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Real kernel messages (kmsg-corpus/messages.txt) in every log format users have, through
`ptdiag-host --root` (ROOT/dev/kmsg): each format must give the expected events, and all
formats the same ones. Prints "messages classified right: n/m" and "benign messages silent:
n/m" and fails on any miss.

Formats, as the tools print a record "text" (continuation lines of a record with embedded
newlines in brackets):
  kmsg        /dev/kmsg: "6,SEQ,USEC,-;text" (newline escaped "\\x0a")
  dmesg       "[ 1843.308145] text" [continuation lines indented to the text]
  dmesg-T     "[Sat Nov 22 12:00:00 2026] text" [indented]
  dmesg-H     "[Nov22 12:00] text", then "[  +0.000011] text" [indented]
  dmesg-t     "text" [continuation lines as they are]
  journal     journalctl -k: "Nov 22 12:00:00 pve kernel: text" [indented]
  kernlog     rsyslog traditional: "Nov 22 12:00:00 pve kernel: [ 1843.308145] text#012more"
  kernlog-iso rsyslog RFC 3339: "2026-11-22T12:00:00.000000+01:00 pve kernel: [...] text#012more"
  monotonic   journalctl -k -o short-monotonic: "[ 1843.308145] pve kernel: text" [indented]
"""

import json
import os
import pathlib
import shutil
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
CORPUS = HERE / "kmsg-corpus" / "messages.txt"
FORMATS = ["kmsg", "dmesg", "dmesg-T", "dmesg-H", "dmesg-t", "journal", "kernlog",
           "kernlog-iso", "monotonic"]
SECONDS_FORMATS = {"kmsg", "dmesg", "kernlog", "kernlog-iso", "monotonic"}


def load():
    """[(records, expect, source)]: records = [(time_s, [lines])], expect = tuple or None."""
    items, source, t, last_t = [], None, None, 0.0
    for raw in CORPUS.read_text().splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        if raw.startswith("| "):
            items[-1][0][-1][1].append(raw[2:])
            continue
        key, _, val = raw.partition(": ")
        if key == "source":
            source = val
        elif key == "time":
            t = float(val)
        elif key in ("msg", "more"):
            if t is None:
                t = last_t + 0.001
            if key == "msg":
                items.append([[], None, source])
            items[-1][0].append((t, [val]))
            last_t, t = t, None
        elif key == "expect":
            kind, dev, code, detail = val.split(" ", 3)
            items[-1][1] = (kind, None if dev == "-" else dev, None if code == "-" else int(code),
                            None if detail == "-" else detail)
        else:
            raise SystemExit("messages.txt: unknown line %r" % raw)
    return [tuple(i) for i in items]


def render(fmt, records, seq0):
    out = []
    for i, (t, lines) in enumerate(records):
        first, rest = lines[0], lines[1:]
        if fmt == "kmsg":
            out.append("6,%d,%d,-;%s" % (seq0 + i, round(t * 1e6), "\\x0a".join(lines)))
            continue
        if fmt in ("kernlog", "kernlog-iso"):
            head = ("Nov 22 12:00:00 pve kernel: " if fmt == "kernlog"
                    else "2026-11-22T12:00:00.000000+01:00 pve kernel: ")
            out.append("%s[%12.6f] %s" % (head, t, "#012".join(lines)))
            continue
        prefix = {"dmesg": "[%12.6f] " % t,
                  "dmesg-T": "[Sat Nov 22 12:00:00 2026] ",
                  "dmesg-H": "[Nov22 12:00] " if seq0 + i == 0 else "[  +0.%06d] " % 11,
                  "dmesg-t": "",
                  "journal": "Nov 22 12:00:00 pve kernel: ",
                  "monotonic": "[%12.6f] pve kernel: " % t}[fmt]
        out.append(prefix + first)
        indent = " " * len(prefix) if fmt != "dmesg-t" else ""
        out.extend(indent + r for r in rest)
    return out


def run(binary, root, text):
    kmsg = root / "dev" / "kmsg"
    kmsg.parent.mkdir(parents=True, exist_ok=True)
    kmsg.write_text(text)
    res = subprocess.run([binary, "--root", str(root), "--json"], capture_output=True, text=True,
                         env=dict(os.environ, PTDIAG_FIXED_TIME="2026-11-22T12:00:00Z"))
    doc = json.loads(res.stdout)
    return doc["kernel_log"]["events"]


def main():
    if len(sys.argv) != 3:
        raise SystemExit("usage: kmsg_formats.py PTDIAG_HOST WORK_DIR")
    binary, work = sys.argv[1], pathlib.Path(sys.argv[2])
    shutil.rmtree(work, ignore_errors=True)
    items = load()
    bad = []
    right = benign_ok = 0
    n_expect = sum(1 for _, e, _ in items if e)
    n_benign = len(items) - n_expect
    per_item = {i: True for i in range(len(items))}
    per_format = {}
    for fmt in FORMATS:
        per_format[fmt] = 0
        # Each item is logged alone between two markers, so its events are known exactly.
        for i, (recs, exp, src) in enumerate(items):
            text = "\n".join(render(fmt, recs, 0)) + "\n"
            events = run(binary, work / fmt, text)
            got = [(e["kind"], e["device"], e["code"], e["detail"]) for e in events]
            want = [exp] if exp else []
            ok = got == want
            if ok and exp:
                t = events[0]["time_s"]
                ok = (t is None) == (fmt not in SECONDS_FORMATS) and (
                    t is None or abs(t - recs[0][0]) < 1e-6)
                if not ok:
                    got = "time_s %r (record at %.6f)" % (t, recs[0][0])
            per_format[fmt] += ok
            if not ok:
                per_item[i] = False
                bad.append("%s: %s\n    %s\n    expected %r, got %r" % (
                    fmt, src, text.strip().replace("\n", "\n    "), want, got))
    for i, (_, exp, _) in enumerate(items):
        if per_item[i]:
            if exp:
                right += 1
            else:
                benign_ok += 1
    for b in bad:
        print("MISS " + b)
    print("per format, messages right of %d: %s" % (len(items), ", ".join(
        "%s %d" % (f, per_format[f]) for f in FORMATS)))
    print("messages classified right (in every format): %d/%d" % (right, n_expect))
    print("benign messages silent (in every format): %d/%d" % (benign_ok, n_benign))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

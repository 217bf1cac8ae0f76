#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Replays a --save-snapshot tree with ``ptdiag-host --root`` and checks that the document is
the one the live run wrote when the snapshot was taken (all but `root` and `producer`).

usage: check_snapshot.py --bin PTDIAG_HOST SNAPSHOT_DIR EXPECTED_JSON
"""

import argparse
import json
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("snapshot")
    ap.add_argument("expected")
    a = ap.parse_args()
    p = subprocess.run([a.bin, "--root", a.snapshot, "--json"], capture_output=True, text=True,
                       timeout=60)
    if p.returncode != 0:
        sys.exit("ptdiag-host exited %d: %s" % (p.returncode, p.stderr))
    got = json.loads(p.stdout)
    want = json.load(open(a.expected))
    bad = 0
    for key in sorted(set(got) | set(want)):
        if key in ("root", "producer"):
            continue
        if got.get(key) != want.get(key):
            print("FAIL: %s differs:\n  live:   %s\n  replay: %s" % (
                key, json.dumps(want.get(key))[:400], json.dumps(got.get(key))[:400]))
            bad += 1
    print("snapshot replay: %s" % ("FAILED" if bad else "same document"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

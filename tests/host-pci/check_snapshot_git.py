#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Takes a live `ptdiag-host --save-snapshot --redact` of this machine, removes every empty
directory from it (as git, and some archivers, do when a snapshot is committed or attached),
replays it with --root and checks the document is the live run's (all but `root` and
`producer`). Guards the snapshot's .ptdiag-empty-dirs list: without it, an empty
/sys/class/iommu or /sys/module/vfio would replay as "absent".

usage: check_snapshot_git.py --bin PTDIAG_HOST WORKDIR
"""

import argparse
import json
import os
import shutil
import subprocess
import sys


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        sys.exit("%s exited %d: %s" % (cmd[0], p.returncode, p.stderr))
    return json.loads(p.stdout)


def strip_empty_dirs(top):
    removed = 0
    for dirpath, dirnames, filenames in os.walk(top, topdown=False):
        if dirpath != top and not os.listdir(dirpath) and not os.path.islink(dirpath):
            os.rmdir(dirpath)
            removed += 1
    return removed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("work")
    a = ap.parse_args()
    snap = os.path.join(a.work, "snapshot")
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    live = run([a.bin, "--save-snapshot", snap, "--redact", "--json"])
    listed = open(os.path.join(snap, ".ptdiag-empty-dirs")).read().split()
    removed = strip_empty_dirs(snap)
    if listed and removed == 0:
        sys.exit("the snapshot lists empty directories but none were found to remove")
    got = run([a.bin, "--root", snap, "--json"])
    bad = 0
    for key in sorted(set(got) | set(live)):
        if key in ("root", "producer"):
            continue
        if got.get(key) != live.get(key):
            print("FAIL: %s differs:\n  live:   %s\n  replay: %s"
                  % (key, json.dumps(live.get(key))[:400], json.dumps(got.get(key))[:400]))
            bad += 1
    print("empty directories listed: %d, removed before replay: %d" % (len(listed), removed))
    if bad:
        sys.exit("snapshot replay after removing empty directories: FAILED")
    print("snapshot replay after removing empty directories: ok")


if __name__ == "__main__":
    main()

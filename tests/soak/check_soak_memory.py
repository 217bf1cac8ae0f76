#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The soak evaluation streams: peak RSS (GNU time's %M) must not grow with the log. Compares a
20k-line log with a 1M-line one (about 9.5 years of 5-minute samples, with reboots and Xids),
and a 64 MiB line without a newline, all fed through a pipe so the build dir holds nothing big.

usage: check_soak_memory.py BINARY WORKDIR"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TIME = "/usr/bin/time"
# Allocator noise and stdio buffers: a leak of one small object per line would cost far more
# than this over 1M lines (at least 16 MiB).
SLACK_KB = 1024


def peak_rss(binary, workdir, name, feed):
    """Runs the soak command on its stdin, fed by `feed` (a Popen writing to a pipe)."""
    rss_file = os.path.join(workdir, name + ".rss")
    p = subprocess.run([TIME, "-o", rss_file, "-f", "%M %e", binary, "--format", "json",
                        "--now", "2036-06-01T00:00:00Z", "/dev/stdin"],
                       stdin=feed.stdout, stdout=subprocess.DEVNULL, timeout=240)
    feed.stdout.close()
    feed.wait(timeout=240)
    with open(rss_file) as f:
        kb, secs = f.read().split()[-2:]
    print("%-8s exit %d, peak RSS %s KB, %s s" % (name, p.returncode, kb, secs))
    return p.returncode, int(kb)


def generated(lines):
    days = lines / 287.0 + 1
    return subprocess.Popen([sys.executable, os.path.join(HERE, "gen_soak.py"), "/dev/stdout",
                             "--lines", str(lines), "--days", str(days), "--reboot", "10",
                             "--xid", "30:79", "--gap", "20:5"], stdout=subprocess.PIPE)


def main():
    binary, workdir = sys.argv[1], sys.argv[2]
    os.makedirs(workdir, exist_ok=True)
    if not os.access(TIME, os.X_OK):
        print("SKIP: %s (GNU time) is not installed" % TIME)
        return 77
    rc_small, small = peak_rss(binary, workdir, "20k", generated(20000))
    rc_big, big = peak_rss(binary, workdir, "1M", generated(1000000))
    # one 64 MiB "line": a reader that keeps whole lines would need 64 MiB
    blob = subprocess.Popen(["head", "-c", str(64 << 20), "/dev/zero"], stdout=subprocess.PIPE)
    rc_blob, blob_kb = peak_rss(binary, workdir, "64MiB", blob)
    bad = []
    if rc_small != 1 or rc_big != 1:
        bad.append("the logs hold an Xid: exit 1 expected (%d, %d)" % (rc_small, rc_big))
    if big > small + SLACK_KB:
        bad.append("peak RSS grew from %d KB to %d KB" % (small, big))
    if rc_blob != 2 or blob_kb > small + SLACK_KB:
        bad.append("64 MiB line: exit %d, %d KB" % (rc_blob, blob_kb))
    for b in bad:
        print("FAIL:", b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

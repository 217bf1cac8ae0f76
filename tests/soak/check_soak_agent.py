#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writer and reader agree: the real ptdiag-agent --soak, run on the Linux agent's fixture
trees (tests/fixtures/guest/guestgen.py) at 5-minute steps, and the soak evaluation of what it
wrote: a healthy RTX 3090 guest is in-validation (exit 0); the Xid 79 guest fails (exit 1) with
its events counted by code, and a boot id change in the tree shows as a reboot.

usage: check_soak_agent.py SOAK_BINARY AGENT GUESTGEN WORKDIR"""
import json
import os
import shutil
import subprocess
import sys

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def samples(agent, root, log, times):
    for t in times:
        env = dict(os.environ, PTDIAG_FIXED_TIME=t)
        subprocess.run([agent, "--root", root, "--soak", log], env=env, check=True, timeout=60,
                       stdout=subprocess.DEVNULL)


def evaluate(soak, log):
    p = subprocess.run([soak, "--format", "json", "--now", "2026-11-22T21:00:00Z", log],
                       capture_output=True, text=True, timeout=60)
    return p.returncode, json.loads(p.stdout)["soak"][0]


def main():
    soak, agent, gen, work = sys.argv[1:5]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    times = ["2026-11-22T20:%02d:00Z" % m for m in range(0, 30, 5)]

    subprocess.run([sys.executable, gen, work, "rtx3090-open"], check=True)
    log = os.path.join(work, "healthy.jsonl")
    samples(agent, os.path.join(work, "rtx3090-open"), log, times)
    rc, s = evaluate(soak, log)
    check(rc == 0 and s["verdict"] == "in-validation", "healthy: in-validation, 0 (%d %s)"
          % (rc, s["verdict"]))
    check(s["samples"] == 6 and s["gpus"] == "10de:2204", "healthy: 6 samples of 10de:2204")
    check(s["driver"] == {"name": "nvidia", "version": "570.86.16", "state": "ok"},
          "healthy: driver %r" % s["driver"])
    check(s["production_on"] == "2026-12-06T20:00:00Z", "healthy: production on %s"
          % s["production_on"])

    subprocess.run([sys.executable, gen, work, "rtx3090-xid79"], check=True)
    root = os.path.join(work, "rtx3090-xid79")
    log = os.path.join(work, "xid.jsonl")
    samples(agent, root, log, times[:3])
    with open(os.path.join(root, "proc/sys/kernel/random/boot_id"), "w") as f:
        f.write("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d\n")
    samples(agent, root, log, times[3:])
    rc, s = evaluate(soak, log)
    check(rc == 1 and s["verdict"] == "failed", "xid79: failed, 1 (%d %s)" % (rc, s["verdict"]))
    kinds = {(k["kind"], k["code"]): k["count"] for k in s["errors_by_kind"]}
    # reported once in the first boot (not again in its later samples), once after the reboot
    check(kinds.get(("nvrm-xid", 79)) == 2, "xid79: Xid 79 counted per boot: %r" % kinds)
    check(("nvrm-fallen-off-bus", None) in kinds, "xid79: fallen off the bus: %r" % kinds)
    check(s["driver_error_samples"] == 6, "xid79: driver state error in every sample")
    check(s["reboots"]["count"] == 1 and s["reboots"]["first"][0]["t"] == times[3],
          "xid79: the boot id change is a reboot at %s" % times[3])
    check(s["first_error"] == times[0], "xid79: first error at the first sample")
    print("%d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

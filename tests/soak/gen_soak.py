#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Generates a realistic ptdiag.soak/1 log (docs/schema.md "Soak log lines"), as the soak timer
writes it: one compact sample every 5 minutes, a new boot id and a small uptime after each
reboot, the few minutes a reboot takes missing, events only in the sample that first saw them.

Times are given in days from --start (floats). Examples:
  gen_soak.py out.jsonl --days 14.2
  gen_soak.py out.jsonl --days 6 --reboot 2.5 --xid 3.1:79 --torn-last
"""
import argparse
import datetime
import json
import random
import sys
import uuid

GUESTS = {
    # a Linux guest with an RTX 3090 on the proprietary driver
    "linux": {"host": "gpu-vm-101", "driver": {"name": "nvidia", "version": "570.86.16"},
              "gpus": [{"vendor_id": "10de", "device_id": "2204",
                        "vram_total_bytes": 25769803776}]},
    # a Windows 11 guest with an Arc A770
    "windows": {"host": "WIN11-ARC", "driver": {"name": "igfx", "version": "32.0.101.6129"},
                "gpus": [{"vendor_id": "8086", "device_id": "56a0",
                          "vram_total_bytes": 17079205888}]},
}


def day_list(values, with_arg=False):
    out = []
    for v in values or []:
        if with_arg:
            d, a = v.split(":", 1)
            out.append((float(d), a))
        else:
            out.append((float(v), None))
    return sorted(out)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("out")
    p.add_argument("--days", type=float, default=14.0)
    p.add_argument("--lines", type=int, help="stop after this many samples (overrides --days)")
    p.add_argument("--start", default="2026-11-01T08:00:00Z")
    p.add_argument("--interval", type=int, default=300, help="seconds between samples")
    p.add_argument("--os", choices=sorted(GUESTS), default="linux")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--reboot", action="append", help="DAY: the guest reboots (about 3 min down)")
    p.add_argument("--gap", action="append", help="DAY:HOURS: no sample (guest off, timer stopped)")
    p.add_argument("--xid", action="append", help="DAY:CODE: an NVRM Xid event")
    p.add_argument("--tdr", action="append", help="DAY: a Windows display driver timeout")
    p.add_argument("--driver-missing", action="append", help="DAY:HOURS: no driver bound")
    p.add_argument("--driver-error", action="append", help="DAY: one sample in state error")
    p.add_argument("--upgrade", action="append", help="DAY:VERSION: driver upgrade and reboot")
    p.add_argument("--torn-middle", action="append",
                   help="DAY: the writer dies mid-line (power loss), the guest reboots")
    p.add_argument("--torn-last", action="store_true", help="end with a torn sample")
    a = p.parse_args()

    rnd = random.Random(a.seed)
    guest = json.loads(json.dumps(GUESTS[a.os]))
    t0 = datetime.datetime.strptime(a.start, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc)
    start = int(t0.timestamp())
    end = start + int(a.days * 86400)
    at = lambda d: start + int(d * 86400)
    reboots = [at(d) for d, _ in day_list(a.reboot)]
    gaps = [(at(d), int(float(h) * 3600)) for d, h in day_list(a.gap, True)]
    xids = [(at(d), int(c)) for d, c in day_list(a.xid, True)]
    tdrs = [at(d) for d, _ in day_list(a.tdr)]
    missing = [(at(d), int(float(h) * 3600)) for d, h in day_list(a.driver_missing, True)]
    derrors = [at(d) for d, _ in day_list(a.driver_error)]
    upgrades = [(at(d), v) for d, v in day_list(a.upgrade, True)]
    torn_mid = [at(d) for d, _ in day_list(a.torn_middle)]

    boot_id = str(uuid.UUID(int=rnd.getrandbits(128), version=4))
    boot_t = start - 3600  # the guest came up an hour before the timer was enabled
    t = start
    n = 0
    out = open(a.out, "w", encoding="ascii", newline="\n")

    def reboot(now, down=180):
        nonlocal boot_id, boot_t
        boot_id = str(uuid.UUID(int=rnd.getrandbits(128), version=4))
        boot_t = now + down - 40  # the timer's first run comes ~40 s after boot
        return now + down

    while t <= end and (a.lines is None or n < a.lines):
        # scheduled disturbances that fall before this sample
        if reboots and reboots[0] <= t:
            reboots.pop(0)
            t = reboot(t)
            continue
        if gaps and gaps[0][0] <= t:
            _, dur = gaps.pop(0)
            t = reboot(t, dur)  # a guest switched off for hours comes back with a new boot
            continue
        if upgrades and upgrades[0][0] <= t:
            _, guest["driver"]["version"] = upgrades.pop(0)
            t = reboot(t)
            continue
        if torn_mid and torn_mid[0] <= t:
            torn_mid.pop(0)
            line = sample_line(guest, t, boot_id, boot_t, "ok", [], rnd)
            out.write(line[: rnd.randint(30, len(line) - 2)] + "\n")  # next append adds '\n'
            t = reboot(t)
            n += 1
            continue
        state = "ok"
        if any(s <= t < s + d for s, d in missing):
            state = "missing"
        if derrors and derrors[0] <= t:
            derrors.pop(0)
            state = "error"
        events = []
        while xids and xids[0][0] <= t:
            xt, code = xids.pop(0)
            up = xt - boot_t
            events.append({"kind": "nvrm-xid", "code": code, "time_s": round(up + 0.123456, 6),
                           "text": "NVRM: Xid (PCI:0000:01:00): %d, pid=2231, name=python3, "
                                   "Ch 00000008" % code})
        while tdrs and tdrs[0] <= t:
            tdrs.pop(0)
            events.append({"kind": "windows-tdr", "code": 4101, "time_s": None,
                           "text": "Display driver igfx stopped responding and has "
                                   "successfully recovered."})
        out.write(sample_line(guest, t, boot_id, boot_t, state, events, rnd) + "\n")
        n += 1
        t += a.interval + rnd.randint(0, 3)  # systemd timers fire a little late
    if a.torn_last:
        line = sample_line(guest, t, boot_id, boot_t, "ok", [], rnd)
        out.write(line[: len(line) // 2])
    out.close()
    return 0


def sample_line(guest, t, boot_id, boot_t, state, events, rnd):
    drv = dict(guest["driver"], state=state)
    if state == "missing":
        drv = {"state": "missing", "name": None, "version": None}
    gpus = []
    for g in guest["gpus"]:
        g = dict(g)
        g["vram_used_bytes"] = rnd.randint(6, 22) * (1 << 30) if state == "ok" else None
        if state == "missing":
            g["vram_total_bytes"] = None
        gpus.append(g)
    s = {
        "schema": "ptdiag.soak/1",
        "t": datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime(
            "%Y-%m-%dT%H:%M:%SZ"),
        "boot_id": boot_id,
        "uptime_s": t - boot_t,
        "host": guest["host"],
        "os": "windows" if guest["host"].startswith("WIN") else "linux",
        "driver": drv,
        "gpus": gpus,
        "events": events,
    }
    return json.dumps(s, separators=(",", ":"))


if __name__ == "__main__":
    sys.exit(main())

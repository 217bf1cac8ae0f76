#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End-to-end soak verdicts: generates realistic logs (gen_soak.py), runs the soak command on
them in every output format and checks verdict, dates, counts and exit status.

usage: check_soak.py [--subcommand] BINARY WORKDIR
  --subcommand: BINARY is ptdiag-report and needs "soak" as its first argument."""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
NOW = "2026-11-20T00:00:00Z"
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def gen(workdir, name, *args):
    path = os.path.join(workdir, name)
    subprocess.run([sys.executable, os.path.join(HERE, "gen_soak.py"), path, *args], check=True)
    return path


def run(cmd, *args):
    p = subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def evaluate(cmd, path, *extra):
    """Runs the JSON format and returns (exit status, the file's object, the document)."""
    rc, out, err = run(cmd, "--format", "json", "--now", NOW, *extra, path)
    doc = json.loads(out)
    check(doc["schema"] == "ptdiag.report/1", "%s: schema" % path)
    check(len(doc["soak"]) == 1, "%s: one soak entry" % path)
    return rc, doc["soak"][0], doc


def main():
    args = sys.argv[1:]
    cmd = []
    if args and args[0] == "--subcommand":
        args = args[1:]
        cmd = [args[0], "soak"]
    else:
        cmd = [args[0]]
    work = args[1]
    os.makedirs(work, exist_ok=True)

    # a clean 14-day run: production, exit 0
    p = gen(work, "clean14.jsonl", "--days", "14.01")
    rc, s, _ = evaluate(cmd, p)
    check(rc == 0 and s["verdict"] == "production", "clean 14 days: production, 0 (%d %s)"
          % (rc, s["verdict"]))
    check(s["first_sample"] == "2026-11-01T08:00:00Z", "clean14: first sample date")
    check(s["last_sample"].startswith("2026-11-15T"), "clean14: last sample date")
    check(s["reboots"]["count"] == 0 and s["error_events"] == 0, "clean14: no reboot, no error")
    check(4000 < s["samples"] < 4040, "clean14: about 287 samples a day (%d)" % s["samples"])
    check(s["longest_gap"]["seconds"] <= 303, "clean14: longest gap is one timer period")
    check(s["gpus"] == "10de:2204" and s["driver"]["version"] == "570.86.16", "clean14: guest")
    check(s["badge"].startswith("![ptdiag soak: production 14.0 days](https://img.shields.io/"
                                "badge/ptdiag%20soak-production%2014.0%20days-brightgreen)"),
          "clean14: badge line: " + s["badge"])

    # 13 days: in-validation with the date production is due, exit 0
    p = gen(work, "clean13.jsonl", "--days", "13")
    rc, s, _ = evaluate(cmd, p)
    check(rc == 0 and s["verdict"] == "in-validation", "13 days: in-validation, 0")
    check(s["production_on"] == "2026-11-15T08:00:00Z", "13 days: production_on %s"
          % s["production_on"])
    # ... which a lower threshold turns into production
    rc, s, _ = evaluate(cmd, p, "--threshold-days", "12")
    check(rc == 0 and s["verdict"] == "production", "13 days, threshold 12: production")

    # a reboot is counted with its date and does not stop the clock
    p = gen(work, "reboot.jsonl", "--days", "14.2", "--reboot", "4.5")
    rc, s, _ = evaluate(cmd, p)
    check(rc == 0 and s["verdict"] == "production", "reboot: still production")
    check(s["reboots"]["count"] == 1, "reboot: counted")
    check(s["reboots"]["first"][0]["t"].startswith("2026-11-05T20:0"), "reboot: dated %s"
          % s["reboots"]["first"][0]["t"])

    # a 3-hour gap restarts the clean-run clock
    p = gen(work, "gap.jsonl", "--days", "15", "--gap", "6:3")
    rc, s, _ = evaluate(cmd, p)
    check(rc == 0 and s["verdict"] == "in-validation", "gap: in-validation (%s)" % s["verdict"])
    check(s["gaps_over_limit"] == 1, "gap: one gap over the limit")
    check(10800 < s["longest_gap"]["seconds"] < 10800 + 310, "gap: 3 h + a period (%d s)"
          % s["longest_gap"]["seconds"])
    check(s["longest_gap"]["from"].startswith("2026-11-07T07:5"), "gap: from %s"
          % s["longest_gap"]["from"])
    check(s["clean_since"] == s["longest_gap"]["to"], "gap: clean run starts after the gap")
    # a limit above the gap lets it pass
    rc, s, _ = evaluate(cmd, p, "--max-gap-minutes", "240")
    check(rc == 0 and s["verdict"] == "production", "gap under a 4 h limit: production")

    # an Xid fails the log, with its date and code, exit 1
    p = gen(work, "xid.jsonl", "--days", "16", "--xid", "9.25:79", "--xid", "9.3:79",
            "--xid", "10:31")
    rc, s, _ = evaluate(cmd, p)
    check(rc == 1 and s["verdict"] == "failed", "xid: failed, 1 (%d %s)" % (rc, s["verdict"]))
    kinds = {(k["kind"], k["code"]): k["count"] for k in s["errors_by_kind"]}
    check(kinds == {("nvrm-xid", 79): 2, ("nvrm-xid", 31): 1}, "xid: by code %r" % kinds)
    check(s["first_error"].startswith("2026-11-10T14:0"), "xid: first error %s"
          % s["first_error"])

    # a Windows TDR fails too
    p = gen(work, "tdr.jsonl", "--days", "3", "--os", "windows", "--tdr", "1.5")
    rc, s, _ = evaluate(cmd, p)
    check(rc == 1 and s["verdict"] == "failed", "tdr: failed")

    # a torn last line is ignored and noted, never fatal
    p = gen(work, "tornlast.jsonl", "--days", "14.1", "--torn-last")
    rc, s, doc = evaluate(cmd, p)
    check(rc == 0 and s["verdict"] == "production", "torn last: production, 0")
    check(s["torn_last_line"] == s["lines"] and s["invalid_lines"] == 0, "torn last: noted")
    check(doc["errors"] == [], "torn last: not an error")

    # a torn middle line (power loss) is reported with its line number, not fatal
    p = gen(work, "tornmid.jsonl", "--days", "14.1", "--torn-middle", "2")
    rc, s, doc = evaluate(cmd, p)
    check(rc == 0 and s["verdict"] == "production", "torn middle: production, 0")
    check(s["torn_lines"] == 1 and len(s["bad_lines"]) == 1, "torn middle: counted")
    line = s["bad_lines"][0]["line"]
    with open(p, encoding="ascii") as f:
        torn = f.read().split("\n")[line - 1]
    check(not torn.endswith("}"), "torn middle: line %d is the torn one" % line)
    check(len(doc["errors"]) == 1 and (":%d:" % line) in doc["errors"][0]["message"],
          "torn middle: in errors with its line number")
    check(s["reboots"]["count"] == 1, "torn middle: the power loss shows as a reboot")

    # driver missing for a day restarts the clock
    p = gen(work, "missing.jsonl", "--days", "14.5", "--driver-missing", "3:24")
    rc, s, _ = evaluate(cmd, p)
    check(rc == 0 and s["verdict"] == "in-validation", "driver missing: in-validation")
    check(s["driver_changes"]["count"] == 2, "driver missing: two state changes")

    # garbage: exit 2, line numbers named
    p = os.path.join(work, "garbage.jsonl")
    with open(p, "w") as f:
        f.write("Nov 21 10:00:01 guest systemd[1]: Started ptdiag-soak.service.\n" * 3)
    rc, s, doc = evaluate(cmd, p)
    check(rc == 2 and s["verdict"] is None and s["usable"] is False, "garbage: exit 2, no verdict")
    check(any(":1: not JSON" in e["message"] for e in doc["errors"]), "garbage: line 1 named")

    # a good log with one foreign line in the middle: still evaluated, but exit 2
    p = gen(work, "foreign.jsonl", "--days", "2")
    with open(p, "a") as f:
        f.write('{"schema":"ptdiag.guest/1","collected_at":"2026-11-03T08:00:00Z"}\n')
    subprocess.run([sys.executable, os.path.join(HERE, "gen_soak.py"), p + ".tail", "--days", "1",
                    "--start", "2026-11-03T08:05:00Z"], check=True)
    with open(p, "a") as f, open(p + ".tail") as t:
        f.write(t.read())
    rc, s, _ = evaluate(cmd, p)
    check(rc == 2 and s["verdict"] == "in-validation" and s["invalid_lines"] == 1,
          "foreign line: evaluated, exit 2")

    # an empty file: exit 2, no verdict
    p = os.path.join(work, "empty.jsonl")
    open(p, "w").close()
    rc, s, doc = evaluate(cmd, p)
    check(rc == 2 and s["verdict"] is None, "empty: exit 2")
    check(any("no soak sample" in e["message"] for e in doc["errors"]), "empty: says why")

    # unreadable: exit 2, the file named on stderr
    rc, out, err = run(cmd, os.path.join(work, "absent.jsonl"))
    check(rc == 2 and "absent.jsonl: No such file" in err, "absent file: exit 2, named")

    # several guests: one object each, exit status of the worst (1 here)
    rc, out, _ = run(cmd, "--format", "json", "--now", NOW, os.path.join(work, "clean14.jsonl"),
                     os.path.join(work, "xid.jsonl"))
    doc = json.loads(out)
    check(rc == 1 and [s["verdict"] for s in doc["soak"]] == ["production", "failed"],
          "two guests: production + failed, exit 1")

    # text and Markdown carry the verdict, the dates and the badge
    rc, out, _ = run(cmd, "--now", NOW, os.path.join(work, "xid.jsonl"))
    check(rc == 1 and "xid.jsonl: failed" in out and "nvrm-xid 79 x2" in out, "text format")
    rc, out, _ = run(cmd, "--format", "md", "--now", NOW, os.path.join(work, "gap.jsonl"))
    check(rc == 0 and "| Verdict | **in-validation**" in out and "![ptdiag soak: in-validation"
          in out and "in--validation" in out, "md format")

    # bad usage
    for bad in (["--format", "xml", "x"], ["--threshold-days", "-1", "x"], ["--now", "today", "x"],
                []):
        rc, _, err = run(cmd, *bad)
        check(rc == 2 and err, "bad usage %r: exit 2" % bad)
    rc, out, _ = run(cmd, "--help")
    check(rc == 0 and "--threshold-days" in out, "--help")

    print("%d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

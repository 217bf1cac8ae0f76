#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Runs one bad-input case (a directory under cases/):

  cmd      one shell line; $HOST $AGENT $REPORT are the binaries, $C the case directory,
           $W a fresh work directory, $FIX the pristine fixtures (make-fixtures.sh), $TOP the
           repository
  setup    optional shell script run first (cwd $W, same variables): builds roots, sparse
           files, symlink loops, FIFOs; nothing of that kind is committed
  expect   line 1: the allowed exit codes ("2" or "0,1");
           "out: TEXT"   TEXT must appear in stdout+stderr (the file name, what is wrong)
           "error: TEXT" TEXT must appear in the JSON document's errors[].message (stdout)
           "json: EXPR"  a Python expression over the document `d` that must be true
           "not: TEXT"   TEXT must not appear in stdout+stderr

Never allowed: death by a signal, a sanitizer report, running past the timeout (a hang).
Exit 0 pass, 1 fail, 77 skipped (the cmd itself exited 77: e.g. no mount namespace here).
"""
import json
import os
import shutil
import subprocess
import sys

TIMEOUT = int(os.environ.get("BAD_INPUT_TIMEOUT", "30"))


def main():
    case, work, fixtures = (os.path.abspath(a) for a in sys.argv[1:4])
    top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ, C=case, W=work, FIX=fixtures, TOP=top,
               PTDIAG_FIXED_TIME="2026-01-01T00:00:00Z")
    for name, path in (("HOST", sys.argv[4]), ("AGENT", sys.argv[5]), ("REPORT", sys.argv[6])):
        path = os.path.abspath(path)
        env[name] = path
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    name = os.path.basename(case.rstrip("/"))
    if os.path.exists(os.path.join(case, "setup")):
        p = subprocess.run(["sh", "-eu", os.path.join(case, "setup")], cwd=work, env=env,
                           capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            print(f"{name}: setup failed ({p.returncode}): {p.stderr}")
            return 1
    with open(os.path.join(case, "cmd")) as f:
        cmd = f.read().strip()
    with open(os.path.join(case, "expect")) as f:
        lines = [ln.rstrip("\n") for ln in f if ln.strip()]
    codes = {int(c) for c in lines[0].split(",")}
    try:
        p = subprocess.run(["sh", "-c", cmd], cwd=work, env=env, capture_output=True,
                           timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        print(f"{name}: FAIL: still running after {TIMEOUT} s (a hang): {cmd}")
        return 1
    if p.returncode == 77:
        print(f"{name}: skipped: {p.stderr.decode('utf-8', 'replace').strip()}")
        return 77
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    both = out + err
    fails = []
    if p.returncode < 0 or p.returncode >= 128:
        fails.append(f"killed by signal / crashed (status {p.returncode})")
    elif p.returncode not in codes:
        fails.append(f"exit {p.returncode}, expected {sorted(codes)}")
    for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
        if marker in both:
            fails.append(f"sanitizer: {marker}")
    doc = None
    for ln in lines[1:]:
        kind, _, text = ln.partition(": ")
        if kind == "out":
            if text not in both:
                fails.append(f"output lacks {text!r}")
        elif kind == "not":
            if text in both:
                fails.append(f"output has {text!r}")
        elif kind in ("error", "json"):
            if doc is None:
                try:
                    doc = json.loads(out)
                except ValueError as e:
                    fails.append(f"stdout is not a JSON document ({e})")
                    break
            if kind == "error":
                msgs = [e.get("message", "") for e in doc.get("errors") or []]
                if not any(text in m for m in msgs):
                    fails.append(f"errors[] lacks {text!r} (has {msgs[:6]})")
            else:
                try:
                    ok = eval(text, {"d": doc})  # expressions are the case table's own
                except Exception as e:  # noqa: BLE001 - a missing key is a failure too
                    ok = False
                    text += f" ({type(e).__name__}: {e})"
                if not ok:
                    fails.append(f"not true: {text}")
        else:
            fails.append(f"bad expect line {ln!r}")
    if fails:
        print(f"{name}: FAIL: {cmd}")
        for f_ in fails:
            print("  " + f_)
        print("--- stderr (tail)\n" + err[-1500:])
        print("--- stdout (head)\n" + out[:1500])
        return 1
    print(f"{name}: ok (exit {p.returncode})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

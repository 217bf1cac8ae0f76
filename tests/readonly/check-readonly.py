#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Runs a ptdiag binary under strace and fails on anything that could change the machine:
an open for writing, create, rename, unlink, mknod, mkdir, link, chmod/chown, mount, a module
syscall, or an ioctl, outside the paths the run is allowed to produce (its -o file, its
--save-snapshot directory). The one ioctl allowed is the terminal query isatty() makes
(TCGETS, and TIOCGWINSZ) on stdin/stdout/stderr. Writes are allowed to stdout/stderr, to
pipes/sockets strace shows as such, and to allowed files.

Usage: check-readonly.py [--allow PATH]... [--expect-rc N] -- COMMAND...
Exit: 0 read-only, 1 a violation (each printed as VIOLATION), 77 strace unusable here.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

TRACED = ("open,openat,openat2,creat,rename,renameat,renameat2,unlink,unlinkat,mknod,mknodat,"
          "mkdir,mkdirat,rmdir,symlink,symlinkat,link,linkat,chmod,fchmod,fchmodat,chown,"
          "fchown,fchownat,lchown,truncate,ftruncate,ioctl,init_module,finit_module,"
          "delete_module,mount,umount2,pivot_root,swapon,swapoff,reboot,kexec_load,"
          "sethostname,setdomainname,write,pwrite64,writev,pwritev,pwritev2,sendfile,"
          "copy_file_range,splice")
WRITE_FLAGS = re.compile(r"O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|O_APPEND")
ALWAYS_BAD = {"init_module", "finit_module", "delete_module", "mount", "umount2", "pivot_root",
              "swapon", "swapoff", "reboot", "kexec_load", "sethostname", "setdomainname"}
PATH_CALLS = {"rename", "renameat", "renameat2", "unlink", "unlinkat", "mknod", "mknodat",
              "mkdir", "mkdirat", "rmdir", "symlink", "symlinkat", "link", "linkat", "chmod",
              "fchmodat", "chown", "fchownat", "lchown", "truncate"}
FD_WRITE_CALLS = {"write", "pwrite64", "writev", "pwritev", "pwritev2", "fchmod", "fchown",
                  "ftruncate", "sendfile", "copy_file_range", "splice"}
TTY_IOCTLS = {"TCGETS", "TIOCGWINSZ", "TCGETS2"}

LINE = re.compile(r"^(?:\[pid\s+\d+\]\s+|\d+\s+)?(\w+)\((.*)$")
QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
FD_PATH = re.compile(r"^(\d+)<([^>]*)>")


def allowed_path(path, allow):
    p = os.path.normpath(path)
    for a in allow:
        if p == a or p.startswith(a + "/") or p.startswith(a + "."):
            return True
    return False


def analyse(log_lines, allow):
    bad = []
    for raw in log_lines:
        m = LINE.match(raw)
        if not m:
            continue
        call, args = m.group(1), m.group(2)
        if "= -1 " in raw and call not in ALWAYS_BAD:
            continue  # failed attempts changed nothing (ENOENT probes, EACCES)
        paths = QUOTED.findall(args)
        fdm = FD_PATH.match(args)
        if call in ALWAYS_BAD:
            bad.append(raw)
        elif call in ("open", "openat", "openat2", "creat"):
            if call == "creat" or WRITE_FLAGS.search(args):
                target = paths[0] if paths else "?"
                if not allowed_path(target, allow):
                    bad.append(raw)
        elif call in ("symlink", "symlinkat"):
            # The first string is the link's content, not a place on disk.
            if not paths or not allowed_path(paths[-1], allow):
                bad.append(raw)
        elif call in PATH_CALLS:
            # unlinkat(3</dir>, "name"): a name relative to a directory fd (rm -r) is that
            # directory's (strace -y shows its path)
            if call.endswith("at") and fdm and paths and not paths[0].startswith("/"):
                paths[0] = os.path.join(fdm.group(2), paths[0])
            if not paths or not all(allowed_path(p, allow) for p in paths):
                bad.append(raw)
        elif call in FD_WRITE_CALLS:
            if not fdm:
                bad.append(raw)
                continue
            fd, target = int(fdm.group(1)), fdm.group(2)
            if fd in (1, 2) and call in ("write", "writev"):
                continue
            if target.startswith(("pipe:", "socket:")) or allowed_path(target, allow):
                continue
            bad.append(raw)
        elif call == "ioctl":
            parts = [p.strip() for p in args.split(",")]
            req = parts[1] if len(parts) > 1 else ""
            fd = int(fdm.group(1)) if fdm else -1
            if fd in (0, 1, 2) and req in TTY_IOCTLS:
                continue
            bad.append(raw)
    return bad


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--allow", action="append", default=[])
    ap.add_argument("--expect-rc", type=int, action="append")
    ap.add_argument("command", nargs="+")
    a = ap.parse_args()
    strace = shutil.which("strace")
    if not strace:
        print("check-readonly: strace is not installed: skipping")
        return 77
    allow = [os.path.normpath(os.path.abspath(p)) for p in a.allow]
    with tempfile.TemporaryDirectory(prefix="ptdiag-strace.") as tmp:
        log = os.path.join(tmp, "trace")
        cmd = [strace, "-f", "-qq", "-y", "-s", "256", "-e", "trace=" + TRACED, "-o", log]
        p = subprocess.run(cmd + a.command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=120)
        with open(log, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    if not lines and p.returncode != 0:
        print("check-readonly: strace could not trace (ptrace not permitted?): skipping")
        print(p.stderr.decode(errors="replace"))
        return 77
    want = a.expect_rc or [0]
    ok = True
    if p.returncode not in want:
        print(f"check-readonly: {' '.join(a.command)} exited {p.returncode}, expected {want}")
        print(p.stderr.decode(errors="replace")[-2000:])
        ok = False
    bad = analyse(lines, allow)
    for b in bad:
        print("VIOLATION " + b)
    opens = sum(1 for line in lines if re.search(r"\bopen(at2?)?\(", line))
    print(f"check-readonly: {len(lines)} traced calls ({opens} opens), {len(bad)} violations: "
          f"{' '.join(a.command)}")
    return 0 if ok and not bad else 1


if __name__ == "__main__":
    sys.exit(main())

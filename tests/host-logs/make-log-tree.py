#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Adds a VM with a hostpci, its Proxmox task logs and a two-boot journal (the first boot
dying 40 s after the VM's start) to a host fixture tree, for runs that must read them (the
read-only strace test, bench/journal).

Usage: make-log-tree.py ROOT SYSTEMD_JOURNAL_REMOTE [BDF]"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from logfixtures import boot_lines, entry, upid, write_journal, write_tasks  # noqa: E402

T0 = 1733400000
OLD, NEW = "1f0e2d3c4b5a69788796a5b4c3d2e1f0", "9a8b7c6d5e4f30211203f4e5d6c7b8a9"


def main():
    root, jremote = sys.argv[1], sys.argv[2]
    bdf = sys.argv[3] if len(sys.argv) > 3 else "0000:01:00"
    qs = os.path.join(root, "etc", "pve", "qemu-server")
    os.makedirs(qs, exist_ok=True)
    with open(os.path.join(qs, "100.conf"), "w") as f:
        f.write("bios: ovmf\ncpu: host\nhostpci0: %s,pcie=1\nmachine: q35\nmemory: 16384\n" % bdf)
    start_old, t = T0 - 7200, T0 - 7200 + 600
    u = upid(t, 100)
    j = boot_lines(OLD, start_old, t + 40, shutdown=False)
    j.append(entry(t, OLD, start_old, "<root@pam> starting task %s" % u, "pvedaemon"))
    j.append(entry(t + 2, OLD, start_old, "kvm: vfio: Unable to power on device, stuck in D3",
                   "QEMU", pid=4242))
    j += boot_lines(NEW, T0 - 1000, T0, shutdown=False)
    write_journal(root, j, jremote)
    write_tasks(root, [(u, t + 3, "start failed: QEMU exited with code 1",
                        ["kvm: vfio: Unable to power on device, stuck in D3",
                         "TASK ERROR: start failed: QEMU exited with code 1"])])


if __name__ == "__main__":
    main()

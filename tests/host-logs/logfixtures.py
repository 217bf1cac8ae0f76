# SPDX-License-Identifier: MIT
"""Writers of the logs ptdiag-host reads, shared by the host-logs test, the read-only test's
tree and bench/journal: Proxmox task logs laid out exactly as pve-common writes them, and real
.journal files built by systemd-journal-remote from entries in the journal export format."""
import os
import struct
import subprocess

MACHINE_ID = "5c1d2a7e9f0b4c3d8e6a1b2c3d4e5f60"


# ---- task logs as pve-common writes them ----------------------------------------------------

def upid(start, vmid, typ="qmstart", pid=0x1A2B, user="root@pam", node="pve"):
    return "UPID:%s:%08X:%08X:%08X:%s:%s:%s:" % (node, pid, 0x00C3D400 + pid, start, typ, vmid,
                                                user)


def write_tasks(root, tasks, extra_index_lines=()):
    """tasks: [(upid, endtime or None, status or None, [lines])], oldest first; the newest goes
    to "active" (as the list of the most recent tasks), the others to "index"."""
    d = os.path.join(root, "var", "log", "pve", "tasks")
    os.makedirs(d, exist_ok=True)
    index, active = [], []
    for i, (u, end, status, lines) in enumerate(tasks):
        sub = os.path.join(d, u.split(":")[4][7])
        os.makedirs(sub, exist_ok=True)
        if lines is not None:
            with open(os.path.join(sub, u), "w") as f:
                f.write("".join(l + "\n" for l in lines))
        if i == len(tasks) - 1:
            active.append("%s 1 %08X %s" % (u, end, status) if end else "%s 0" % u)
        else:
            index.append("%s %08X %s" % (u, end, status))
    with open(os.path.join(d, "index"), "w") as f:
        f.write("".join(l + "\n" for l in list(extra_index_lines) + index))
    with open(os.path.join(d, "active"), "w") as f:
        f.write("".join(l + "\n" for l in active))
    return d


# ---- journals built by systemd-journal-remote ----------------------------------------------

def export_field(name, value):
    v = value.encode()
    if b"\n" in v:
        return name.encode() + b"\n" + struct.pack("<Q", len(v)) + v + b"\n"
    return name.encode() + b"=" + v + b"\n"


def entry(t, boot, boot_start, message, ident=None, transport="syslog", pid=1234):
    out = export_field("__REALTIME_TIMESTAMP", str(int(t * 1000000)))
    out += export_field("__MONOTONIC_TIMESTAMP", str(int((t - boot_start) * 1000000) + 1))
    out += export_field("_BOOT_ID", boot)
    out += export_field("_MACHINE_ID", MACHINE_ID)
    out += export_field("_HOSTNAME", "pve")
    out += export_field("_TRANSPORT", transport)
    out += export_field("PRIORITY", "6")
    if transport == "kernel":
        out += export_field("SYSLOG_IDENTIFIER", "kernel")
    else:
        out += export_field("SYSLOG_IDENTIFIER", ident)
        out += export_field("_PID", str(pid))
    out += export_field("MESSAGE", message)
    return out + b"\n"


def write_journal(root, entries, jremote, name="system.journal"):
    d = os.path.join(root, "var", "log", "journal", MACHINE_ID)
    os.makedirs(d, exist_ok=True)
    src = os.path.join(d, "..", "in.export")
    # a journal holds its entries in time order
    entries = sorted(entries, key=lambda e: int(e.split(b"\n", 1)[0].split(b"=")[1]))
    with open(src, "wb") as f:
        f.write(b"".join(entries))
    p = subprocess.run([jremote, "--output=" + os.path.join(d, name), src],
                       capture_output=True, text=True, timeout=60)
    os.unlink(src)
    if p.returncode != 0:
        raise RuntimeError("systemd-journal-remote: %s" % p.stderr[-300:])
    return os.path.join(d, name)


def boot_lines(boot, start, end, shutdown):
    """A boot's own frame: kernel start, systemd up, and at the end either systemd's shutdown
    messages or nothing (the host died)."""
    out = [entry(start, boot, start, "Linux version 6.8.12-4-pve (build@proxmox) #1 SMP "
                 "PREEMPT_DYNAMIC PMX 6.8.12-4 (2024-11-06T15:04Z) ()", transport="kernel"),
           entry(start + 5, boot, start, "Reached target multi-user.target - Multi-User System.",
                 "systemd", pid=1)]
    if shutdown:
        out += [entry(end - 3, boot, start, "Reached target shutdown.target - System Shutdown.",
                      "systemd", pid=1),
                entry(end - 2, boot, start, "Shutting down.", "systemd", pid=1),
                entry(end - 1, boot, start, "Received SIGTERM from PID 1 (systemd-shutdown).",
                      "systemd-journald", pid=310),
                entry(end, boot, start, "Journal stopped", "systemd-journald", pid=310)]
    return out

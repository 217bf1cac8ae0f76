#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Why did the VM not start, and will the next start hang the host (issue 15), end to end.

Host trees come from the PCI fixture builder (tests/fixtures/hostgen) with VM configs laid
over them. Task logs are laid out exactly as pve-common writes them (the "index" and "active"
lists, one file per task named by its UPID under the folder of the UPID's last start-time hex
digit). Journals are real .journal files: the entries are written in the journal export format
and systemd-journal-remote builds the files. The messages are real ones from public threads
(messages.json, each with its URL and the cause the thread established).

Usage: test_host_logs.py PTDIAG_HOST PTDIAG_REPORT SYSTEMD_JOURNAL_REMOTE
"""
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

from logfixtures import MACHINE_ID, boot_lines, entry, upid, write_tasks
import logfixtures

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SRC, "tests", "lib"))
from ptdschema import schema_errors  # noqa: E402
FIXTURES = os.path.join(SRC, "tests", "fixtures")
HOST, REPORT, JREMOTE = sys.argv[1:4]
BOOT_OLD, BOOT_NEW = "1f0e2d3c4b5a69788796a5b4c3d2e1f0", "9a8b7c6d5e4f30211203f4e5d6c7b8a9"


def write_journal(root, entries):
    try:
        return logfixtures.write_journal(root, entries, JREMOTE)
    except RuntimeError as e:
        check(False, str(e))
T0 = 1733400000  # 2024-12-05T12:00:00Z
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def eq(actual, expected, what):
    check(actual == expected, "%s: got %r, expected %r" % (what, actual, expected))


def build_tree(tmp, name, scenario, confs):
    root = os.path.join(tmp, name)
    env = dict(os.environ, PYTHONPATH=FIXTURES)
    subprocess.run([sys.executable, "-m", "hostgen", scenario, root], env=env, check=True,
                   timeout=120)
    qs = os.path.join(root, "etc", "pve", "qemu-server")
    os.makedirs(qs, exist_ok=True)
    for vmid, text in confs.items():
        with open(os.path.join(qs, "%d.conf" % vmid), "w") as f:
            f.write(text)
    return root


def vm_conf(bdf, extra=""):
    return ("bios: ovmf\ncpu: host%s\nhostpci0: %s,pcie=1\nmachine: q35\nmemory: 16384\n"
            "name: gpu\nostype: win11\n" % (extra, bdf))


# ---- running the tools ---------------------------------------------------------------------

def run_host(root, *args, user=None):
    env = dict(os.environ, PTDIAG_FIXED_TIME="2024-12-05T20:00:00Z")
    cmd = [HOST, "--root", root, "--json"] + list(args)
    if user is not None:
        cmd = ["setpriv", "--reuid=%d" % user, "--regid=%d" % user, "--clear-groups"] + cmd
    t = time.monotonic()
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    elapsed = time.monotonic() - t
    eq(p.returncode, 0, "ptdiag-host --root %s %s exit (%s)" % (os.path.basename(root), args,
                                                              p.stderr[-300:]))
    doc = json.loads(p.stdout)
    eq(schema_errors(doc, 3), [], "%s matches docs/schema/ptdiag.host-1.json"
       % os.path.basename(root))
    return doc, elapsed


def findings(doc, tmp):
    path = os.path.join(tmp, "host.json")
    with open(path, "w") as f:
        json.dump(doc, f)
    p = subprocess.run([REPORT, "--format", "json", path], capture_output=True, text=True,
                       timeout=60)
    check(p.returncode in (0, 1), "ptdiag-report exit %d: %s" % (p.returncode, p.stderr[-300:]))
    return json.loads(p.stdout)["findings"]


def has_finding(fs, rule, vmid):
    return [f for f in fs if f["id"] == rule and f.get("vmid") == vmid]


def event(doc, kind, source):
    return [e for e in doc["start_log"]["events"] if e["kind"] == kind and e["source"] == source]


# ---- the cases -----------------------------------------------------------------------------

def messages(own_host=False):
    """The cases of messages.json: those of the shared RTX 3090 host, or (own_host) those
    that name the host scenario and VM configs their thread had ("scenario", "confs")."""
    with open(os.path.join(HERE, "messages.json")) as f:
        return [c for c in json.load(f)["cases"] if ("scenario" in c) == own_host]


def check_case(doc, fs, c):
    """The case's message became its event, tied to its VM, with the thread's finding."""
    evs = event(doc, c["expect"]["kind"], c["source"])
    check(evs, "%s (%s): event %s from the %s" % (c["name"], c["url"], c["expect"]["kind"],
                                                  c["source"]))
    if not evs:
        return
    ev = evs[0]
    eq(ev["device"], c["expect"]["device"], "%s: device" % c["name"])
    eq(ev["code"], c["expect"]["code"], "%s: code" % c["name"])
    if "detail" in c["expect"]:
        eq(ev["detail"], c["expect"]["detail"], "%s: detail" % c["name"])
    vmid = c.get("vmid", 100)
    if c.get("transport") != "kernel":
        eq(ev["vmid"], vmid, "%s: tied to VM %d" % (c["name"], vmid))
    if c.get("rule"):
        hit = has_finding(fs, c["rule"], vmid)
        check(hit, "%s: finding %s for VM %d" % (c["name"], c["rule"], vmid))
        check(hit and hit[0]["fix"], "%s: finding has a fix" % c["name"])


def test_slot_fix(tmp, root):
    """vm-start-slot-in-use's fix (vga: none) clears it, and so does a serial console (no
    display card either); another emulated card keeps it. The task log itself is history:
    it stays as it was."""
    for vga, fires in (("none", False), ("serial0", False), ("std,memory=32", True),
                       ("qxl", True)):
        r = os.path.join(tmp, "vga-" + vga.split(",")[0])
        shutil.copytree(root, r, symlinks=True)
        with open(os.path.join(r, "etc", "pve", "qemu-server", "100.conf"), "a") as f:
            f.write("vga: %s\n" % vga)
        doc, _ = run_host(r)
        eq(bool(has_finding(findings(doc, tmp), "vm-start-slot-in-use", 100)), fires,
           "vga: %s: vm-start-slot-in-use fires" % vga)


def test_qmp_timeout_outside_start(tmp):
    """A backup or stop of a VM whose QEMU stopped answering logs the same QMP socket
    timeout as a slow start: in those tasks it is no start failure; in a qmstart it is."""
    qmp = ("VM 100 qmp command failed - VM 100 qmp command 'query-status' failed - "
           "unable to connect to VM 100 qmp socket - timeout after 31 retries")
    for typ, want in (("vzdump", 0), ("qmstop", 0), ("qmstart", 1)):
        root = build_tree(tmp, "qmp-" + typ, "rtx3090-vfio", {100: vm_conf("0000:01:00")})
        t = T0 - 600
        write_tasks(root, [(upid(t, 100, typ), t + 40, "unexpected status", [qmp])])
        doc, _ = run_host(root)
        eq(len(event(doc, "start-timeout", "task")), want,
           "QMP socket timeout in a %s task: start-timeout events" % typ)


def test_own_host_messages(tmp):
    """A case whose finding needs its thread's own layout (the device it names, the VMs that
    share it) runs on that host scenario, as a task of its type (qmstart, vzdump)."""
    for i, c in enumerate(messages(own_host=True)):
        confs = {int(v): vm_conf(bdf) for v, bdf in c["confs"].items()}
        root = build_tree(tmp, "own-%d" % i, c["scenario"], confs)
        t = T0 - 600
        u = upid(t, c["vmid"], c.get("task_type", "qmstart"), pid=0x2000 + i)
        write_tasks(root, [(u, t + 3, c.get("status", "start failed: QEMU exited with code 1"),
                            c["lines"])])
        doc, _ = run_host(root)
        check_case(doc, findings(doc, tmp), c)


def test_real_messages(tmp):
    """Every real message in its source (a qmstart task of VM 100, or the journal of the last
    boot), classified as the thread's cause, with the finding and fix that cause has."""
    confs = {100: vm_conf("0000:01:00"), 101: "memory: 2048\nname: nogpu\n"}
    for c in messages():  # a thread's message naming its own VM: that VM, with the GPU
        confs.setdefault(c.get("vmid", 100), vm_conf("0000:01:00"))
    root = build_tree(tmp, "rtx3090", "rtx3090-vfio", confs)
    tasks, jentries = [], []
    start_old = T0 - 7200
    jentries += boot_lines(BOOT_OLD, start_old, start_old + 3000, shutdown=True)
    for i, c in enumerate(messages()):
        t = T0 + 100 * i
        if c["source"] == "task":
            status = "start failed: QEMU exited with code 1"
            tasks.append((upid(t, 100, pid=0x1000 + i), t + 3, status, c["lines"]))
        else:
            t = start_old + 1000 + 60 * i
            jentries.append(entry(t, BOOT_OLD, start_old, "<root@pam> starting task %s"
                                  % upid(t, c.get("vmid", 100)), "pvedaemon"))
            for k, line in enumerate(c["lines"]):
                if c.get("transport") == "kernel":
                    jentries.append(entry(t + 1 + k, BOOT_OLD, start_old, line,
                                          transport="kernel"))
                else:
                    jentries.append(entry(t + 1 + k, BOOT_OLD, start_old, line, c["ident"],
                                          pid=3989106))
    jentries += boot_lines(BOOT_NEW, T0 - 1000, T0, shutdown=False)
    # tasks that must be left out: another type, a VM without hostpci, odd UPIDs
    extra = ["%s %08X OK" % (upid(T0 - 50, 100, "vncproxy"), T0 - 40),
             "%s %08X OK" % (upid(T0 - 60, 101), T0 - 59),
             "UPID:pve:00001A2B:00C3D4AA:%08X:qmstart:100:root@pam/../../../etc/passwd: %08X OK"
             % (T0 - 70, T0 - 69),
             "UPID:pve;rm -rf:00001A2B:00C3D4AA:%08X:qmstart:100:root@pam: %08X OK"
             % (T0 - 80, T0 - 79),
             "UPID:pve:00001A2B:00C3D4AA:%08X:qmstart:100:ro\u00f6t@pam: %08X OK"
             % (T0 - 90, T0 - 89),
             "not a task line at all"]
    write_tasks(root, tasks, extra)
    write_journal(root, jentries)
    doc, elapsed = run_host(root)
    sl = doc["start_log"]
    eq(sl["tasks"]["readable"], True, "task lists readable")
    eq(sorted(t["type"] for t in sl["tasks"]["entries"]), ["qmstart"] * (len(tasks) + 2),
       "only qmstart tasks of VM 100 (and the two odd UPIDs pve-common accepts)")
    for t in sl["tasks"]["entries"]:
        eq(t["vmid"], 100, "task %s VM" % t["start_time"])
    odd = sorted(t["log_error"] for t in sl["tasks"]["entries"] if t["log_error"])
    eq(odd, ["No such file or directory", "the UPID names no file under /var/log/pve/tasks"],
       "odd UPIDs: listed, the one with '/' never opened, the other's file absent")
    fs = findings(doc, tmp)
    for c in messages():
        check_case(doc, fs, c)
    # the GPU offers FLR: the reset failure is its own finding, reset-method-missing stays silent
    check(not has_finding(fs, "reset-method-missing", 100), "FLR card: no reset-method-missing")
    # the clean earlier boot gives no hang finding
    check(not has_finding(fs, "host-hang-after-gpu-vm", 100), "clean earlier boot: no hang")
    old = [b for b in sl["journal"]["boots"] if b["offset"] == -1][0]
    eq(old["shutdown_seen"], True, "earlier boot ended with systemd's shutdown messages")
    return root, doc


def hang_tree(tmp, name, shutdown, seconds_before_end=40, later=(), also_start=None):
    """later: (seconds after the start, pvestatd message) entries of the earlier boot;
    also_start: (VMID, seconds after VM 100's start) of a second GPU VM's qmstart."""
    confs = {100: vm_conf("0000:0c:00")}
    if also_start:
        confs[also_start[0]] = vm_conf("0000:0c:00")
    root = build_tree(tmp, name, "navi10-no-vendor-reset", confs)
    start_old, t_start = T0 - 7200, T0 - 7200 + 600
    end_old = t_start + seconds_before_end
    j = boot_lines(BOOT_OLD, start_old, end_old, shutdown)
    u = upid(t_start, 100)
    j += [entry(t_start, BOOT_OLD, start_old, "<root@pam> starting task %s" % u, "pvedaemon"),
          entry(t_start + 5, BOOT_OLD, start_old, "<root@pam> end task %s OK" % u, "pvedaemon")]
    if also_start:
        j.append(entry(t_start + also_start[1], BOOT_OLD, start_old, "<root@pam> starting task %s"
                       % upid(t_start + also_start[1], also_start[0], pid=0x1B00), "pvedaemon"))
    j += [entry(t_start + dt, BOOT_OLD, start_old, msg, "pvestatd") for dt, msg in later]
    if not shutdown:
        j.append(entry(end_old, BOOT_OLD, start_old,
                       "vfio-pci 0000:0c:00.0: enabling device (0002 -> 0003)",
                       transport="kernel"))
    j += boot_lines(BOOT_NEW, T0 - 1000, T0, shutdown=False)
    write_journal(root, j)
    write_tasks(root, [(u, t_start + 5, "OK", ["TASK OK"])])
    return root


def test_hang(tmp):
    root = hang_tree(tmp, "navi-hang", shutdown=False)
    doc, _ = run_host(root)
    old = [b for b in doc["start_log"]["journal"]["boots"] if b["offset"] == -1]
    eq(len(old), 1, "two boots read")
    if old:
        eq(old[0]["shutdown_seen"], False, "earlier boot ended without shutdown messages")
        a = old[0]["last_gpu_vm_action"] or {}
        eq((a.get("vmid"), a.get("type"), a.get("seconds_before_end")), (100, "qmstart", 40),
           "last GPU VM action before the end")
    fs = findings(doc, tmp)
    hit = has_finding(fs, "host-hang-after-gpu-vm", 100)
    check(hit, "died right after qm start: hang finding")
    if hit:
        check("reset bug" in hit[0]["root_cause"] and "navi10" in hit[0]["root_cause"].lower(),
              "hang finding joined with the reset facts: %r" % hit[0]["root_cause"][:200])
    doc, _ = run_host(hang_tree(tmp, "navi-clean", shutdown=True))
    check(not has_finding(findings(doc, tmp), "host-hang-after-gpu-vm", 100),
          "clean previous boot: no hang finding")
    # PVE::QMPClient's socket timeout (the format of bpg/terraform-provider-proxmox#1353's
    # lines) a minute after the start and again an hour later, when the VM had long started
    qmp = ("VM 100 qmp command failed - VM 100 qmp command 'query-proxmox-support' failed - "
           "unable to connect to VM 100 qmp socket - timeout after 51 retries")
    doc, _ = run_host(hang_tree(tmp, "navi-later", shutdown=False, seconds_before_end=86400,
                                later=[(60, qmp), (3600, qmp)]))
    check(not has_finding(findings(doc, tmp), "host-hang-after-gpu-vm", 100),
          "died a day after the start: no hang finding")
    eq([e["time_epoch"] - (T0 - 7200 + 600) for e in event(doc, "start-timeout", "journal")],
       [60], "a QMP socket timeout is a start timeout only next to the start")
    # another GPU VM started after it (boot-time autostart of several VMs): VM 100's slow
    # start is still its own
    doc, _ = run_host(hang_tree(tmp, "navi-two", shutdown=False, seconds_before_end=86400,
                                later=[(60, qmp)], also_start=(101, 30)))
    eq([(e["vmid"], e["time_epoch"] - (T0 - 7200 + 600))
        for e in event(doc, "start-timeout", "journal")], [(100, 60)],
       "a QMP socket timeout of VM 100 after VM 101's start: VM 100's start timeout")
    return root


def test_snapshot(tmp, root, doc):
    snap = os.path.join(tmp, "snap")
    run_host(root, "--save-snapshot", snap)
    check(os.path.isfile(os.path.join(snap, "run", "ptdiag", "journal.export")),
          "snapshot keeps the journal entries in export format")
    check(os.path.isfile(os.path.join(snap, "var", "log", "pve", "tasks", "index")),
          "snapshot keeps the task list")
    replay, _ = run_host(snap)

    def key(d):
        sl = d["start_log"]
        return (sorted((e["kind"], e["source"], e["device"], e["vmid"], e["time_epoch"])
                       for e in sl["events"]),
                [(b["offset"], b["shutdown_seen"], b["first_time"], b["last_time"],
                  b["last_gpu_vm_action"]) for b in sl["journal"]["boots"]],
                [(t["upid"], t["last_status_line"]) for t in sl["tasks"]["entries"]])
    eq(key(replay), key(doc), "replay of the snapshot gives the same start-failure facts")


# pve-manager's pvedaemon line for a failed login (the pattern the Proxmox wiki's fail2ban
# filter matches, https://pve.proxmox.com/wiki/Fail2ban); rhost is the client's IPv4 mapped
AUTH_FAILURE = "authentication failure; rhost=::ffff:%s user=%s msg=Authentication failure"


def redaction_tree(tmp):
    """The hang scenario of a cluster node (tests/fixtures/pve/cluster: pve1 and pve2 of
    "homelab"): task logs of two users, one with an API token, and a journal quoting users,
    UPIDs and a client address. Returns (root, the journal's export bytes)."""
    root = build_tree(tmp, "redact", "navi10-no-vendor-reset", {})
    os.rmdir(os.path.join(root, "etc", "pve", "qemu-server"))  # the fixture's is a link
    shutil.copytree(os.path.join(FIXTURES, "pve", "cluster"), root, symlinks=True,
                    dirs_exist_ok=True)
    with open(os.path.join(root, "etc", "pve", "qemu-server", "100.conf"), "w") as f:
        f.write(vm_conf("0000:0c:00"))
    start_old, t = T0 - 7200, T0 - 7200 + 600
    start = upid(t, 100, node="pve1")
    stop = upid(t - 300, 100, "qmstop", pid=0x1A2C, user="admin@pve", node="pve1")
    dump = upid(t - 900, 100, "vzdump", pid=0x1A2D, user="root@pam!nightly", node="pve1")
    j = boot_lines(BOOT_OLD, start_old, t + 40, shutdown=False)
    j += [entry(t - 300, BOOT_OLD, start_old, "<admin@pve> starting task %s" % stop, "pvedaemon"),
          entry(t - 290, BOOT_OLD, start_old, "<admin@pve> end task %s OK" % stop, "pvedaemon"),
          entry(t, BOOT_OLD, start_old, "<root@pam> starting task %s" % start, "pvedaemon"),
          entry(t + 2, BOOT_OLD, start_old, "kvm: vfio: Unable to power on device, stuck in D3",
                "QEMU", pid=4242)]
    j += boot_lines(BOOT_NEW, T0 - 1000, T0 - 1, shutdown=False)
    j.append(entry(T0, BOOT_NEW, T0 - 1000, AUTH_FAILURE % ("192.168.10.50", "admin@pve"),
                   "pvedaemon"))
    write_journal(root, j)
    write_tasks(root, [
        (dump, t - 840, "OK",
         ["INFO: starting new backup job: vzdump 100 --node pve1 --mode stop --storage local "
          "--compress zstd", "INFO: Starting Backup of VM 100 (qemu)", "INFO: Backup job "
          "finished successfully", "TASK OK"]),
        (stop, t - 290, "OK", ["TASK OK"]),
        (start, t + 3, "start failed: QEMU exited with code 1",
         ["kvm: vfio: Unable to power on device, stuck in D3",
          "TASK ERROR: start failed: QEMU exited with code 1"])])
    return root, b"".join(j)


def test_redacted_snapshot(tmp):
    """--save-snapshot --redact: no host name, cluster name, user, address, MAC, UUID or
    serial of the source tree (task files, their names, the journal) is left in the snapshot,
    the task files are found under their redacted names, and the replay gives the redacted
    document's findings."""
    sys.path.insert(0, os.path.join(SRC, "tests", "host-inventory"))
    from test_redact_all import IPV4, MAC, UUID, identifiers, name_leaks, texts
    root, journal = redaction_tree(tmp)
    idents = identifiers(pathlib.Path(root)) | {b"root@pam", b"admin@pve", b"root@pam!nightly", b"nightly"}
    for rx in (MAC, IPV4, UUID):  # the .journal files are binary: their messages as written
        idents.update(m.group(0) for m in rx.finditer(journal))
    check({b"pve1", b"pve2", b"homelab", b"192.168.10.50"} <= idents,
          "the redaction tree's identifiers are found: %r" % sorted(idents))
    snap = os.path.join(tmp, "snap-redacted")
    doc, _ = run_host(root, "--redact", "--save-snapshot", snap)
    leaks = []
    for path, data in texts(pathlib.Path(snap)):
        rel = os.path.relpath(path, snap).encode()
        leaks += ["%s in %s" % (i, rel) for i in idents
                  if name_leaks(i, data) or name_leaks(i, rel)]
    leaks += ["%s in the document" % i for i in idents
              if name_leaks(i, json.dumps(doc).encode())]
    eq(leaks, [], "redacted snapshot and document hold none of the source's identifiers")
    tasks = os.path.join(snap, "var", "log", "pve", "tasks")
    named = []
    for lst in ("index", "active"):
        with open(os.path.join(tasks, lst)) as f:
            named += [l.split(" ")[0] for l in f if l.startswith("UPID:")]
    eq(len(named), 3, "redacted task lists keep their three tasks")
    for u in named:
        check(u.startswith("UPID:[node-1]:") and ":[user]:" in u,
              "task list names the node and user as the document does: %s" % u)
        check(os.path.isfile(os.path.join(tasks, u.split(":")[4][7], u)),
              "task file found under its redacted UPID %s" % u)
    eq(sorted((t["node"], t["user"], t["type"]) for t in doc["start_log"]["tasks"]["entries"]),
       [("[node-1]", "[user]", t) for t in ("qmstart", "qmstop", "vzdump")],
       "redacted document: task node and user tokens")
    replay, _ = run_host(snap, "--redact")

    def key(d):
        sl = d["start_log"]
        return (sorted((e["kind"], e["device"], e["vmid"], e["time_epoch"], e["text"])
                       for e in sl["events"]),
                [(b["offset"], b["shutdown_seen"], b["last_gpu_vm_action"])
                 for b in sl["journal"]["boots"]],
                [(t["node"], t["user"], t["type"], t["last_status_line"], t["log_error"])
                 for t in sl["tasks"]["entries"]])
    eq(key(replay), key(doc), "replay of the redacted snapshot: the same start-failure facts")
    want = sorted((f["id"], f.get("vmid")) for f in findings(doc, tmp))
    eq(sorted((f["id"], f.get("vmid")) for f in findings(replay, tmp)), want,
       "replay of the redacted snapshot: the redacted document's findings")
    check(("host-hang-after-gpu-vm", 100) in want, "redacted document: the hang finding")


def test_bad_input(tmp, hang_root):
    # a task log of 100 MB: read from its tail, the status line found, in bounded time
    root = build_tree(tmp, "big", "rtx3090-vfio", {100: vm_conf("0000:01:00")})
    u = upid(T0, 100)
    write_tasks(root, [(u, T0 + 3, "start failed: QEMU exited with code 1", None)])
    path = os.path.join(root, "var", "log", "pve", "tasks", u.split(":")[4][7], u)
    chunk = ("kvm: vfio: Unable to power on device, stuck in D3\n" * 20000).encode()
    with open(path, "wb") as f:
        while f.tell() < 100 << 20:
            f.write(chunk)
        f.write(b"TASK ERROR: start failed: QEMU exited with code 1\n")
    doc, elapsed = run_host(root)
    t = doc["start_log"]["tasks"]["entries"][0]
    eq(t["last_status_line"], "TASK ERROR: start failed: QEMU exited with code 1",
       "100 MB task log: status line from its tail")
    eq(t["log_truncated"], True, "100 MB task log: read in part")
    check(elapsed < 10, "100 MB task log read in %.1f s" % elapsed)

    # truncated and corrupted journal files: no crash, no false finding. Where the flipped
    # bytes land decides what sd-journal does (garbled text, or an iteration that stops early
    # without an error: then the boot's end must read as unknown, with the reason in errors[]),
    # so several strides are tried on each run.
    for how in ["truncated"] + ["corrupted-%d" % s for s in (997, 991, 983, 977, 971, 967)]:
        r = os.path.join(tmp, "navi-" + how)
        shutil.copytree(hang_tree(tmp, "navi-clean-" + how, shutdown=True), r, symlinks=True)
        jf = os.path.join(r, "var", "log", "journal", MACHINE_ID, "system.journal")
        data = bytearray(open(jf, "rb").read())
        if how == "truncated":
            data = data[:len(data) // 3]
        else:
            for off in range(4096, len(data), int(how.split("-")[1])):
                data[off] ^= 0x5A
        open(jf, "wb").write(bytes(data))
        doc, _ = run_host(r)
        j = doc["start_log"]["journal"]
        check(j["readable"] in (True, False), "%s journal: readable is a fact" % how)
        check(not has_finding(findings(doc, tmp), "host-hang-after-gpu-vm", 100),
              "%s journal of a clean boot: no hang finding" % how)
        for b in (j.get("boots") or [])[1:]:
            if b["shutdown_seen"] is None:
                check(any(b["boot_id"] in e.get("message", "") and "unknown" in
                          e.get("message", "") for e in doc["errors"]),
                      "%s journal: an earlier boot's unknown end is explained in errors[]" % how)

    # a journal directory without read permission: unknown, with the reason
    r = os.path.join(tmp, "noperm")
    shutil.copytree(hang_root, r, symlinks=True)
    jd = os.path.join(r, "var", "log", "journal")
    os.chmod(jd, 0)
    user = None
    if os.geteuid() == 0:
        user = 65534
        for dp, dns, fns in os.walk(tmp):
            for n in dns + fns:
                p = os.path.join(dp, n)
                if not os.path.islink(p) and p != jd:
                    os.chmod(p, os.stat(p).st_mode | 0o005 if os.path.isdir(p) else
                             os.stat(p).st_mode | 0o004)
        os.chmod(tmp, 0o755)
    doc, _ = run_host(r, user=user)
    os.chmod(jd, 0o755)
    j = doc["start_log"]["journal"]
    eq(j["readable"], False, "unreadable journal directory: not readable")
    eq(j["boots"], None, "unreadable journal directory: boots unknown")
    check(any("journal" in e["message"] for e in doc["errors"] if e["source"] == "logs"),
          "unreadable journal directory: the reason is in errors")
    check(not has_finding(findings(doc, tmp), "host-hang-after-gpu-vm", 100),
          "unreadable journal: no hang finding")


def main():
    tmp = tempfile.mkdtemp(prefix="ptdiag-host-logs-")
    try:
        root, doc = test_real_messages(tmp)
        test_slot_fix(tmp, root)
        test_own_host_messages(tmp)
        test_qmp_timeout_outside_start(tmp)
        hang = test_hang(tmp)
        test_snapshot(tmp, root, doc)
        test_redacted_snapshot(tmp)
        test_bad_input(tmp, hang)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        print("%d failure(s)" % len(failures))
        return 1
    print("host-logs: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`ptdiag-host --vm N --with-guest` through a real QEMU guest agent (issue 18).

The real-kernel test VM (Debian's kernel under qemu TCG, init-qga) runs Debian's qemu-ga on
a virtio-serial port wired as Proxmox wires it (chardev socket VMID.qga, port
org.qemu.guest_agent.0), with ptdiag-agent inside. ptdiag-host runs on this machine with
PTDIAG_QM=qm-guest-exec.py, which speaks to that socket as `qm guest exec` does. A second
port (VM 101) has a socket but no agent behind it: a VM with `agent: 1` whose guest lacks
qemu-guest-agent. Cases:

  linux        the default agent path: the guest's own document comes back (its kernel
               release is the VM's, its host name the guest's), the merged report is printed
  large        an agent printing a ~4 MiB document: it arrives byte for byte
  missing      no agent binary in the guest: said, host side diagnosed
  hang         an agent that never exits: qm's --timeout, said, host side diagnosed
  no-agent     VM 101, no guest agent answering: said, host side diagnosed
  windows-path a Windows agent path with backslashes reaches the guest agent intact
  collector    ptdiag-collect over VMs 100 and 101: one guest answered, its metrics written

Usage: run_qga.py SRC KERNEL_DIR INITRD HOST REPORT WORKDIR    Exit 77: no kernel/qemu.
"""
import json, os, shutil, signal, subprocess, sys, time

src, kdir, initrd, host, report, work = sys.argv[1:7]
here = os.path.dirname(os.path.abspath(__file__))
QM = os.path.join(here, "qm-guest-exec.py")
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


def boot(qgadir):
    kernel = os.path.join(kdir, "vmlinux")
    if not os.path.exists(kernel):
        kernel = os.path.join(kdir, "vmlinuz")
    argv = ["qemu-system-x86_64", "-M", "q35", "-accel", "tcg", "-cpu", "max", "-smp", "1",
            "-m", "512", "-nodefaults", "-display", "none", "-no-reboot", "-monitor", "none",
            "-serial", f"file:{work}/console.log", "-device", "VGA",
            # as qemu-server's config_to_command does for `agent: 1`
            "-chardev", f"socket,path={qgadir}/100.qga,server=on,wait=off,id=qga0",
            "-device", "virtio-serial,id=qga0",
            "-device", "virtserialport,bus=qga0.0,chardev=qga0,name=org.qemu.guest_agent.0",
            # VM 101: the socket exists, nothing in the guest listens on its port
            "-chardev", f"socket,path={qgadir}/101.qga,server=on,wait=off,id=qga1",
            "-device", "virtio-serial,id=qga1",
            "-device", "virtserialport,bus=qga1.0,chardev=qga1,name=org.qemu.guest_agent.1",
            "-kernel", kernel, "-initrd", initrd,
            "-append", "console=ttyS0 panic=-1 quiet no_timer_check"]
    return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=open(f"{work}/qemu.log", "w"),
                            stderr=subprocess.STDOUT)


def wait_agent(env, qemu, seconds):
    end = time.time() + seconds
    while time.time() < end and qemu.poll() is None:
        p = subprocess.run([QM, "guest", "exec", "100", "--timeout", "10", "--", "/bin/true"],
                           env=env, capture_output=True, text=True, timeout=60)
        if p.returncode == 0:
            return True
        time.sleep(2)
    return False


def with_guest(env, vmid, *extra, timeout=200):
    t = time.time()
    p = subprocess.run([host, "--vm", vmid, "--with-guest", *extra], env=env,
                       capture_output=True, text=True, timeout=timeout)
    print(f"  [{time.time() - t:.1f} s] exit {p.returncode}; stderr: {p.stderr.strip()[-400:]}")
    return p


def cases(env, kver, big):
    out = os.path.join(work, "guest-linux.json")
    p = with_guest(env, "100", "--guest-output", out)
    doc = json.load(open(out)) if os.path.exists(out) else {}
    check(p.returncode in (0, 1) and p.stdout.strip(), "linux: the merged report printed")
    check(doc.get("schema") == "ptdiag.guest/1", "linux: a ptdiag.guest/1 document came back")
    check(doc.get("system", {}).get("kernel_release") == kver and
          doc.get("system", {}).get("hostname") == "ptdvm-qga",
          f"linux: from inside the VM (kernel {kver}, host ptdvm-qga): {doc.get('system')}")
    check(any(g.get("vendor_id") == "1234" and g.get("device_id") == "1111" for g in doc.get("gpus", [])),
          "linux: the guest sees QEMU's VGA (1234:1111)")

    out = os.path.join(work, "guest-large.json")
    p = with_guest(env, "100", "--agent", "/usr/bin/ptdiag-agent-large", "--guest-output", out)
    same = os.path.exists(out) and open(out, "rb").read() == open(big, "rb").read()
    check(same, f"large: {os.path.getsize(big)} bytes arrive byte for byte")
    check(p.returncode in (0, 1) and "guest-nvidia-xid" in p.stdout, "large: its Xid storm diagnosed")

    p = with_guest(env, "100", "--agent", "/usr/bin/no-such-agent")
    check("No such file or directory" in p.stderr and "host side only" in p.stderr and
          p.returncode in (0, 1) and p.stdout.strip(), "missing: said, host side diagnosed")

    p = with_guest(env, "100", "--agent", "/usr/bin/ptdiag-agent-hang")
    check("did not finish within 60 s" in p.stderr and p.returncode in (0, 1) and p.stdout.strip(),
          "hang: qm's --timeout, said, host side diagnosed")

    p = with_guest(env, "101")
    check("no running QEMU guest agent" in p.stderr and p.returncode in (0, 1) and p.stdout.strip(),
          "no-agent: said, host side diagnosed")

    winpath = "C:\\Program Files\\ptdiag\\ptdiag-agent.exe"
    p = with_guest(env, "100", "--agent", winpath)
    check(f"\u201c{winpath}\u201d" in p.stderr, f"windows-path: {winpath} reached the guest agent intact")

    textdir = os.path.join(work, "textfile")
    os.makedirs(textdir, exist_ok=True)
    p = subprocess.run([os.path.join(src, "dist", "fleet", "ptdiag-collect"), textdir],
                       env=dict(env, PTDIAG_HOST=host, PTDIAG_REPORT=report, PTDIAG_COLLECT_VMS="100 101"),
                       capture_output=True, text=True, timeout=400)
    prom = open(os.path.join(textdir, "ptdiag.prom")).read() if p.returncode == 0 else ""
    status = open(os.path.join(textdir, "ptdiag_collect.prom")).read() if p.returncode == 0 else ""
    check('ptdiag_guest_up{vmid="100"} 1' in prom and 'vmid="101"' not in prom and
          'ptdiag_collect_guests{state="answered"} 1' in status and
          'ptdiag_collect_guests{state="asked"} 2' in status,
          f"collector: VM 100 answered, VM 101 did not (exit {p.returncode}) {p.stderr.strip()[-300:]}")


def main():
    if not os.path.exists(os.path.join(kdir, "ready")) or not os.path.exists(initrd):
        print("SKIP: no kernel or initramfs (vm_kernel / vm_qga_initramfs skipped)")
        sys.exit(77)
    if not shutil.which("qemu-system-x86_64"):
        print("SKIP: no qemu-system-x86_64")
        sys.exit(77)
    kver = open(os.path.join(kdir, "kver")).read().strip()
    shutil.rmtree(work, ignore_errors=True)
    qgadir = os.path.join(work, "run")
    os.makedirs(qgadir)
    env = dict(os.environ, PTDIAG_QM=QM, PTDIAG_REPORT=report, PTDVM_QGA_DIR=qgadir,
               TMPDIR=work)
    t = time.time()
    qemu = boot(qgadir)
    try:
        up = wait_agent(env, qemu, 240)
        print(f"guest agent answering after {time.time() - t:.1f} s: {up}")
        if not up:
            print(open(f"{work}/console.log", errors="replace").read()[-3000:])
            print(open(f"{work}/qemu.log", errors="replace").read()[-2000:])
            sys.exit(1)
        cases(env, kver, initrd + ".big.json")
    finally:
        qemu.send_signal(signal.SIGTERM)
        try:
            qemu.wait(timeout=20)
        except subprocess.TimeoutExpired:
            qemu.kill()
    left = [n for n in os.listdir(work) if n.startswith("ptdiag-")]
    check(not left, f"no temporary directories left: {left}")
    print(f"total {time.time() - t:.1f} s")
    if failures:
        print(f"{len(failures)} failure(s)")
        sys.exit(1)
    print("qga: all cases passed")


main()

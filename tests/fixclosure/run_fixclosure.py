#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Fixes that hold: every printed fix that can be applied to a fixture tree is applied, and
ptdiag-host + ptdiag-report run again; the finding must be gone and no new warning or error
may appear.

Each case starts from a fixture host (tests/fixtures/hostgen scenario + tests/fixtures/pve
tree), optionally breaks it the way users do (edits to a VM config, cpu-models.conf or
modprobe.d), runs the host probe and the report, and then, for every finding (broken or
already present in the fixture), applies the commands of its fix:

  qm set VMID --key value ... / --delete key   emulated on ROOT/etc/pve/qemu-server/VMID.conf
                                               (Proxmox is not installed here); the current
                                               section only, as qm set does
  cat >> FILE <<'EOF' ... EOF, echo/sed on files  run by the real /bin/sh, with every absolute
                                               path moved under ROOT
  update-initramfs -u -k all                   the initramfs' mtime moves to now
  update-grub, proxmox-boot-tool refresh,      nothing to do on a tree (their effect is the next
  reboot                                       boot's, checked only through config facts)

A fix that writes to /sys, /proc or /dev, or whose commands this test cannot apply, is
reported as not applicable, with the reason. A finding whose fix was applied must be gone
(or the rule listed in NEEDS_REBOOT: its facts are the running kernel's, which a tree cannot
reboot into). Usage: run_fixclosure.py PTDIAG_HOST PTDIAG_REPORT
"""
import json, os, re, shlex, shutil, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.normpath(os.path.join(HERE, "..", ".."))
FIX = os.path.join(SRC, "tests", "fixtures")
ENV = dict(os.environ, PTDIAG_FIXED_TIME="2026-11-22T20:00:00Z", PYTHONPATH=FIX)

# Rules whose facts are the running kernel's (driver binding, /proc/cmdline, groups): their fix
# is right only after a reboot, which a fixture tree cannot do. The test still applies the
# fix (it must not add a finding), but does not expect the finding gone.
NEEDS_REBOOT = {"gpu-bound-to-host-driver", "companion-not-on-vfio", "iommu-disabled",
                "iommu-cmdline-wrong-bootloader", "interrupt-remapping-missing",
                "vfio-modules-missing", "above-4g-decoding-off", "rebar-bar-small",
                "acs-override-active"}

# What the recommended configuration (vm-recommended-config) sets, so none of these may fire
# for its VM once it is applied.
RECOMMENDATION_ANSWERS = {"vm-not-q35", "vm-not-ovmf", "vm-balloon-enabled", "vm-cpu-not-host",
                          "vm-hypervisor-visible", "vm-args-drop-enlightenments",
                          "large-bar-needs-phys-bits", "vm-phys-bits-exceed-iommu",
                          "legacy-igd-wrong-machine", "legacy-igd-emulated-display",
                          "vm-hiding-on-pro-gpu"}

# (name, hostgen scenario, pve tree, breakage). A breakage edits the tree before the first run:
# ("conf", VMID, {key: value or None}) sets/deletes keys of a VM config's current section;
# ("file", PATH, TEXT) writes a file.
CASES = [
    ("rtx3090-as-shipped", "rtx3090-vfio", "rtx3090", None),
    ("arc-as-shipped", "arc-a310", "arc", None),
    ("i440fx", "rtx3090-vfio", "rtx3090", ("conf", 100, {"machine": None, "hostpci0": "0000:01:00"})),
    ("seabios", "rtx3090-vfio", "rtx3090", ("conf", 100, {"bios": None})),
    ("balloon", "rtx3090-vfio", "rtx3090", ("conf", 100, {"balloon": "4096"})),
    ("cpu-kvm64", "rtx3090-vfio", "rtx3090", ("conf", 100, {"cpu": "kvm64"})),
    ("xvga-with-std", "rtx3090-vfio", "rtx3090", ("conf", 103, {"vga": "std"})),
    ("arc-args-hv-visible", "arc-a310", "arc",
     ("conf", 101, {"args": "-cpu host,kvm=off,hv_vendor_id=GenuineIntel,+kvm_pv_unhalt"})),
    ("arc-hv-visible", "arc-a310", "arc", ("conf", 101, {"args": None})),
    ("arc-model-missing", "arc-a310", "arc",
     ("file", "/etc/pve/virtual-guest/cpu-models.conf", "")),
    ("vfio-ids-space", "rtx3090-vfio", "rtx3090",
     ("file", "/etc/modprobe.d/vfio.conf", "options vfio-pci ids=10de:2204, 10de:1aef disable_vga=1\n")),
    ("vfio-ids-stale", "arc-a310", "arc",
     ("file", "/etc/modprobe.d/vfio.conf", "options vfio-pci ids=10de:2204,10de:1aef\n")),
    # the passthrough-mode scenarios of tests/e2e/modes, as shipped (valid and broken VMs)
    ("legacy-igd", "legacy-igd", "legacy-igd", None),
    ("arc-linux", "arc-linux", "arc-linux", None),
    ("stale-ids", "stale-ids", "arc-linux", None),
    ("ids-space", "ids-space", "rtx3090", None),
    ("rtx2000-ada", "rtx2000-ada", "rtx2000-ada", None),
    ("vgpu-mdev", "vgpu-mdev", "vgpu-mdev", None),
    ("igpu-sriov", "igpu-sriov", "igpu-sriov", None),
    ("pool", "pool", "pool", None),
]

failures = []
covered, skipped = {}, {}


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def conf_path(root, vmid):
    return os.path.join(root, "etc", "pve", "qemu-server", f"{vmid}.conf")


def conf_edit(root, vmid, changes):
    """Sets (value) or deletes (None) keys in the current section of a VM config, keeping
    the order of the others: what qm set does to /etc/pve/qemu-server/VMID.conf."""
    path = conf_path(root, vmid)
    with open(path) as f:
        lines = f.read().split("\n")
    end = next((i for i, l in enumerate(lines) if l.startswith("[")), len(lines))
    head, tail = lines[:end], lines[end:]
    for key, value in changes.items():
        idx = next((i for i, l in enumerate(head) if l.split(":", 1)[0] == key), None)
        if value is None:
            if idx is not None:
                del head[idx]
        elif idx is not None:
            head[idx] = f"{key}: {value}"
        else:
            while head and head[-1] == "":
                head.pop()
            head.append(f"{key}: {value}")
            head.append("")
    with open(path, "w") as f:
        f.write("\n".join(head + tail))


def breakage(root, b):
    if b is None:
        return
    if b[0] == "conf":
        conf_edit(root, b[1], b[2])
    else:
        path = os.path.join(root, b[1].lstrip("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(b[2])


def diagnose(host, rep, root, tmp):
    os.makedirs(tmp, exist_ok=True)
    p = subprocess.run([host, "--root", root, "--json"], env=ENV, capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        return None, f"ptdiag-host exit {p.returncode}: {p.stderr[-300:]}"
    hp = os.path.join(tmp, "host.json")
    with open(hp, "w") as f:
        f.write(p.stdout)
    r = subprocess.run([rep, "--format", "json", hp], env=ENV, capture_output=True, text=True, timeout=120)
    if r.returncode not in (0, 1):
        return None, f"ptdiag-report exit {r.returncode}: {r.stderr[-300:]}"
    return json.loads(r.stdout), None


def problems(doc):
    return {(f["id"], f["subject"]): f for f in doc["findings"] if f["severity"] in ("warning", "error")}


def reroot(cmd, root):
    """Moves every absolute path argument of a shell command under root."""
    return re.sub(r"(?<=[\s'\"=>])/(etc|boot|usr|var|run)/", lambda m: root + "/" + m.group(1) + "/", " " + cmd)[1:]


def split_fix(fix):
    """The fix as a list of steps: ("qm", argv) | ("sh", script) | ("noop", why) |
    ("bad", why). Prose lines (not commands) are skipped."""
    steps, lines, i = [], fix.split("\n"), 0
    while i < len(lines):
        line = lines[i].strip()
        i += 1
        line = re.sub(r"\s{2,}(\(.*\)|#.*)$", "", line)  # "  # only if ..." remarks
        if line.startswith("qm set "):
            steps.append(("qm", shlex.split(line)[2:]))
        elif line.startswith("cat >") and "<<'EOF'" in line:
            body = []
            while i < len(lines) and lines[i].strip() != "EOF":
                body.append(lines[i])
                i += 1
            i += 1
            steps.append(("sh", line + "\n" + "\n".join(body) + "\nEOF\n"))
        elif line.startswith(("echo ", "sed ")):
            if re.search(r"\s/(sys|proc|dev)/", line):
                steps.append(("bad", f"writes the running kernel's state: {line}"))
            else:
                steps.append(("sh", line))
        elif line.startswith("update-initramfs"):
            steps.append(("initramfs", None))
        elif line.startswith(("update-grub", "proxmox-boot-tool refresh", "reboot")):
            steps.append(("noop", line))
        elif re.match(r"^(apt|git|dkms|modprobe|systemctl|cd |wget|curl)\b", line):
            steps.append(("bad", f"installs or loads software: {line}"))
    return steps


def apply_fix(steps, root, finding):
    for kind, arg in steps:
        if kind == "qm":
            vmid, changes, k = int(arg[0]), {}, 1
            while k < len(arg):
                opt = arg[k]
                if opt == "--delete":
                    for key in arg[k + 1].split(","):
                        changes[key] = None
                    k += 2
                elif opt.startswith("--") and k + 1 < len(arg):
                    changes[opt[2:]] = arg[k + 1].replace("<storage>", "local-lvm")
                    k += 2
                else:
                    return f"qm set argument not understood: {opt}"
            conf_edit(root, vmid, changes)
        elif kind == "sh":
            if "cpu-model:" in arg:
                m = re.search(r"cpu-model:\s*(\S+)", arg)
                cm = os.path.join(root, "etc/pve/virtual-guest/cpu-models.conf")
                if m and os.path.exists(cm) and re.search(r"^cpu-model:\s*" + re.escape(m.group(1)) + r"\s*$",
                                                          open(cm).read(), re.M):
                    continue  # the fix says: skip when the model exists
            p = subprocess.run(["sh", "-c", reroot(arg, root)], capture_output=True, text=True, timeout=30)
            if p.returncode != 0:
                return f"command failed ({p.returncode}): {arg[:120]}: {p.stderr[-200:]}"
        elif kind == "initramfs":
            for dp, _, files in os.walk(os.path.join(root, "boot")):
                for fn in files:
                    if fn.startswith("initrd.img"):
                        t = time.time() + 60
                        os.utime(os.path.join(dp, fn), (t, t))
    return None


def run_case(host, rep, tmp, name, scenario, pve, brk):
    base = os.path.join(tmp, name, "base")
    subprocess.run([sys.executable, "-m", "hostgen", scenario, base], env=ENV, check=True, timeout=120)
    shutil.copytree(os.path.join(FIX, "pve", pve), base, symlinks=True, dirs_exist_ok=True)
    breakage(base, brk)
    before, err = diagnose(host, rep, base, os.path.join(tmp, name))
    if err:
        check(False, f"{name}: {err}")
        return
    recs = {(f["id"], f["subject"]): f for f in before["findings"] if f["id"] == "vm-recommended-config"}
    for key, f in list(problems(before).items()) + list(recs.items()):
        rid = f["id"]
        steps = split_fix(f["fix"])
        bad = [a for k, a in steps if k == "bad"]
        if not any(k in ("qm", "sh", "initramfs") for k, _ in steps) or bad:
            skipped.setdefault(rid, bad[0] if bad else "no command to apply (advice or firmware setting)")
            continue
        work = os.path.join(tmp, name, "fix-" + re.sub(r"[^a-z0-9]+", "-", f"{rid}-{f['subject']}".lower()))
        shutil.copytree(base, work, symlinks=True)
        why = apply_fix(steps, work, f)
        if why:
            check(False, f"{name}: {rid} ({f['subject']}): {why}")
            continue
        after, err = diagnose(host, rep, work, work + ".out")
        if err:
            check(False, f"{name}: after the fix of {rid}: {err}")
            continue
        now = problems(after)
        if rid == "vm-recommended-config":
            # the recommended configuration leaves none of the VM rules it answers
            vmid = f["vmid"]
            left = sorted(k for k, g in now.items() if g["vmid"] == vmid and k[0] in RECOMMENDATION_ANSWERS)
            check(not left, f"{name}: the recommended configuration of VM {vmid} leaves {left}:\n{f['fix']}")
        elif rid not in NEEDS_REBOOT:
            check(key not in now, f"{name}: {rid} ({f['subject']}) still fires after its fix:\n{f['fix']}")
        new = sorted(set(now) - set(problems(before)))
        check(not new, f"{name}: the fix of {rid} ({f['subject']}) adds {new}:\n{f['fix']}")
        covered.setdefault(rid, []).append(name)


def main():
    host, rep = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        for name, scenario, pve, brk in CASES:
            os.makedirs(os.path.join(tmp, name))
            run_case(host, rep, tmp, name, scenario, pve, brk)
    print("fixes applied and verified:")
    for rid in sorted(covered):
        print(f"  {rid}: {', '.join(sorted(set(covered[rid])))}")
    print("not applicable to a tree:")
    for rid in sorted(set(skipped) - set(covered)):
        print(f"  {rid}: {skipped[rid]}")
    # Every rule this suite breaks on purpose must have had its fix verified.
    for rid in ("vm-not-q35", "vm-not-ovmf", "vm-balloon-enabled", "vm-cpu-not-host",
                "vm-xvga-with-emulated-display", "vm-hypervisor-visible", "vfio-ids-malformed",
                "vfio-ids-stale", "legacy-igd-wrong-machine", "legacy-igd-emulated-display",
                "vm-hiding-on-pro-gpu"):
        check(rid in covered, f"no fix of {rid} was applied and verified")
    check("vm-recommended-config" in covered, "no recommended configuration was applied")
    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

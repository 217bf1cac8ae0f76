#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End to end: fixture host tree (tests/fixtures/hostgen + tests/fixtures/pve) -> ptdiag-host
--root --json -> guest fixture tree (tests/fixtures/guest/guestgen.py) -> ptdiag-agent --root
--json -> ptdiag-report in every output format, with the findings and exit status asserted.

The guest fixtures model a card with other subsystem ids than the host fixtures' card; a guest
of a VM sees the host card's own ids, so the guest tree's subsystem files and config bytes are
set to the host card's before the agent reads them (the agent still parses a real sysfs tree).

The Windows agent is not run here (it needs Wine); the Arc scenario pairs the real host
document with the hand-written Windows guest document of tests/report/docs, re-labelled with
the A310's ids.

Usage: run_e2e.py PTDIAG_HOST PTDIAG_AGENT PTDIAG_REPORT
"""
import json, os, re, shutil, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SRC, "tests", "lib"))
from ptdschema import schema_errors  # noqa: E402
FIX = os.path.join(SRC, "tests", "fixtures")
ENV = dict(os.environ, PTDIAG_FIXED_TIME="2026-11-22T20:00:00Z", PYTHONPATH=FIX)
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def host_doc(host, tmp, name, scenario, pve, *args):
    root = os.path.join(tmp, name)
    subprocess.run([sys.executable, "-m", "hostgen", scenario, root], env=ENV, check=True, timeout=120)
    shutil.copytree(os.path.join(FIX, "pve", pve), root, symlinks=True, dirs_exist_ok=True)
    p = subprocess.run([host, "--root", root, "--json", *args], env=ENV, capture_output=True, text=True, timeout=60)
    check(p.returncode == 0, f"ptdiag-host {name}: exit {p.returncode}: {p.stderr[-300:]}")
    path = os.path.join(tmp, name + ".host.json")
    with open(path, "w") as f:
        f.write(p.stdout)
    return path


def set_subsystem(root, bdf, sv, sd):
    dev = os.path.join(root, "sys", "bus", "pci", "devices", bdf)
    for attr, val in (("subsystem_vendor", sv), ("subsystem_device", sd)):
        with open(os.path.join(dev, attr), "w") as f:
            f.write("0x%04x\n" % val)
    cfg = os.path.join(dev, "config")
    with open(cfg, "rb") as f:
        data = bytearray(f.read())
    if len(data) >= 0x30:
        data[0x2C:0x30] = sv.to_bytes(2, "little") + sd.to_bytes(2, "little")
        with open(cfg, "wb") as f:
            f.write(data)


def guest_doc(agent, tmp, scenario, subsys=None):
    out = os.path.join(tmp, "guests")
    subprocess.run([sys.executable, os.path.join(FIX, "guest", "guestgen.py"), out, scenario],
                   env=ENV, check=True, timeout=120, capture_output=True)
    root = os.path.join(out, scenario)
    if subsys:
        set_subsystem(root, *subsys)
    p = subprocess.run([agent, "--root", root, "--json"], env=ENV, capture_output=True, text=True, timeout=60)
    check(p.returncode == 0, f"ptdiag-agent {scenario}: exit {p.returncode}: {p.stderr[-300:]}")
    path = os.path.join(tmp, scenario + ".guest.json")
    with open(path, "w") as f:
        f.write(p.stdout)
    return path


def report(rep, args, name, fire=(), not_fire=(), exit_status=None, match=None):
    """Runs every format; asserts the ids in each and the same exit status everywhere."""
    outs = {}
    for fmt in ("json", "text", "md", "prom"):
        p = subprocess.run([rep, "--format", fmt, *args], env=ENV, capture_output=True, text=True, timeout=60)
        outs[fmt] = p
        check(p.returncode in (0, 1), f"{name} {fmt}: exit {p.returncode}: {p.stderr.strip()}")
    js = json.loads(outs["json"].stdout)
    ids = {f["id"] for f in js["findings"]}
    codes = {p.returncode for p in outs.values()}
    check(len(codes) == 1, f"{name}: exit status differs between formats: {codes}")
    want = 1 if any(f["severity"] == "error" for f in js["findings"]) else 0
    check(outs["json"].returncode == want, f"{name}: exit {outs['json'].returncode} with errors={want}")
    if exit_status is not None:
        check(outs["json"].returncode == exit_status, f"{name}: exit {outs['json'].returncode}, expected {exit_status}")
    for rid in fire:
        check(rid in ids, f"{name}: {rid} did not fire (findings {sorted(ids)}; not checked "
                          f"{[u['id'] for u in js['not_checked']]})")
        check(f"rule: {rid}\n" in outs["text"].stdout, f"{name}: text lacks {rid}")
        check(f"`{rid}`" in outs["md"].stdout, f"{name}: markdown lacks {rid}")
        check(f'ptdiag_finding{{id="{rid}"' in outs["prom"].stdout, f"{name}: prom lacks {rid}")
    for rid in not_fire:
        check(rid not in ids, f"{name}: {rid} fired")
        check(rid not in {u["id"] for u in js["not_checked"]}, f"{name}: {rid} was not checked")
    if match:
        got = [(m["vmid"], m["host_bdf"], m["guest_location"]) for m in js["matches"]]
        check(match in got, f"{name}: match {match} not in {got}")
    errs = int(re.search(r'ptdiag_findings\{severity="error"\} (\d+)', outs["prom"].stdout).group(1))
    check(errs == js["summary"]["errors"], f"{name}: prom error count {errs} vs json {js['summary']['errors']}")
    return js


def main():
    host, agent, rep = sys.argv[1:4]
    with tempfile.TemporaryDirectory() as tmp:
        # 1. Healthy: RTX 3090 + audio on vfio-pci, VM 100 (q35, OVMF, cpu host, balloon 0),
        #    Ubuntu guest on the open module.
        h = host_doc(host, tmp, "healthy", "rtx3090-vfio", "rtx3090", "--vm", "100")
        g = guest_doc(agent, tmp, "rtx3090-open", ("0000:01:00.0", 0x10DE, 0x147D))
        js = report(rep, [h, g], "healthy-3090", exit_status=0,
                    not_fire=["companion-not-on-vfio", "gpu-bound-to-host-driver", "vm-not-q35", "guest-gpu-missing",
                              "guest-nvidia-xid", "guest-driver-missing", "iommu-disabled", "interrupt-remapping-missing"],
                    match=(100, "0000:01:00.0", "0000:01:00.0"))
        tie = [i for i in js["inputs"] if i["schema"] == "ptdiag.guest/1"][0]
        check((tie["vmid"], tie["tied_by"]) == (100, "ids"), f"healthy: guest tie {tie}")

        # 2. The same host with every VM: 104 is i440fx + SeaBIOS, 105 passes half a group.
        h_all = host_doc(host, tmp, "allvms", "rtx3090-vfio", "rtx3090")
        js = report(rep, ["--guest", f"100={g}", h_all], "all-vms", exit_status=1,
                    fire=["vm-not-q35", "vm-not-ovmf", "vm-hostpci-partial-group"],
                    match=(100, "0000:01:00.0", "0000:01:00.0"))
        by_vm = {(f["id"], f["vmid"]) for f in js["findings"]}
        check(("vm-not-q35", 104) in by_vm and ("vm-hostpci-partial-group", 105) in by_vm, f"all-vms: {sorted(by_vm)}")
        check(not any(f["vmid"] == 100 and f["severity"] == "error" for f in js["findings"]), "all-vms: VM 100 has an error")
        gm = [u for u in js["not_checked"] if u["id"] == "guest-gpu-missing"]
        check(gm and "VM 100" not in gm[0]["reason"], f"all-vms: guest-gpu-missing unknown for VM 100: {gm}")

        # 3. Faulty: HDMI audio held by snd_hda_intel on the host, Xid 79 in the guest.
        h_bad = host_doc(host, tmp, "audio", "audio-snd-hda", "rtx3090", "--vm", "100")
        g_bad = guest_doc(agent, tmp, "rtx3090-xid79", ("0000:01:00.0", 0x10DE, 0x147D))
        js = report(rep, [h_bad, g_bad], "audio-xid79", exit_status=1, fire=["companion-not-on-vfio", "guest-nvidia-xid"])
        xid = [f for f in js["findings"] if f["id"] == "guest-nvidia-xid"][0]
        check("fell off the bus" in xid["root_cause"], "xid 79 case not chosen")

        # 4. IOMMU off, GPU on the host's nvidia driver.
        h_off = host_doc(host, tmp, "iommuoff", "iommu-off", "rtx3090", "--vm", "100")
        report(rep, [h_off], "iommu-off", exit_status=1, fire=["iommu-disabled", "gpu-bound-to-host-driver"])

        # 5. BOOTFB inside BAR 1; BAR not assigned (Above 4G off).
        report(rep, [host_doc(host, tmp, "bootfb", "bootfb-in-bar", "rtx3090", "--vm", "100")], "bootfb",
               exit_status=1, fire=["host-framebuffer-holds-bar"])
        report(rep, [host_doc(host, tmp, "bar", "bar-unassigned", "rtx3090", "--vm", "100")], "bar-unassigned",
               exit_status=1, fire=["above-4g-decoding-off"])

        # 6. Blackwell on the proprietary module, guest document alone: host rules not checked.
        gb = guest_doc(agent, tmp, "pro4500-proprietary")
        js = report(rep, [gb], "blackwell-guest-only", exit_status=1, fire=["guest-nvidia-open-module-required"])
        check(any(u["id"] == "iommu-disabled" and "no host document" in u["reason"] for u in js["not_checked"]),
              "guest-only report must list host rules as not checked")

        # 7. Intel Arc A310 host (VM 101 hides with args -cpu; 102 uses a custom model) with the
        #    Windows guest document re-labelled to the A310, showing Code 43 and the hypervisor bit.
        h_arc = host_doc(host, tmp, "arc", "arc-a310", "arc")
        with open(os.path.join(SRC, "tests", "report", "docs", "guest-windows-arc.json")) as f:
            w = json.load(f)
        gpu = w["gpus"][0]
        gpu.update(device_id="56a6", subsystem_vendor_id="1849", subsystem_device_id="6007",
                   location="PCI\\VEN_8086&DEV_56A6&SUBSYS_60071849&REV_05\\6&2D4F1A3B&0&00000010")
        gpu["windows"].update(problem_code=43, problem_name="CM_PROB_FAILED_POST_START")
        w["dxgi"]["adapters"] = [a for a in w["dxgi"]["adapters"] if a["software"]]
        w["system"]["cpuid"] = {"source": "instruction", "hypervisor_bit": True, "signature": "Microsoft Hv", "hypervisor_kind": "hyperv"}
        wpath = os.path.join(tmp, "arc-win.guest.json")
        with open(wpath, "w") as f:
            json.dump(w, f)
        js = report(rep, ["--guest", f"102={wpath}", h_arc], "arc-code43", exit_status=1,
                    fire=["guest-code-43", "guest-software-renderer"],
                    # args -cpu ...,-hypervisor: Windows cannot see Hyper-V leaves without the
                    # hypervisor bit, so no enlightenment is lost (Hyper-V TLFS, discovery)
                    not_fire=["vm-args-drop-enlightenments"])
        c43 = [f for f in js["findings"] if f["id"] == "guest-code-43"][0]
        check("-hypervisor" in c43["fix"] and "qm set 102" in c43["fix"], f"arc code 43 fix: {c43['fix']}")

        # Every document validates against its schema.
        for p, sid in [(p, "ptdiag.host/1") for p in (h, h_all, h_bad, h_off, h_arc)] + \
                      [(p, "ptdiag.guest/1") for p in (g, g_bad, gb)]:
            with open(p) as f:
                errs = schema_errors(json.load(f), 3, sid)
            check(not errs, f"{os.path.basename(p)} vs {sid}: " + "; ".join(errs))
    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

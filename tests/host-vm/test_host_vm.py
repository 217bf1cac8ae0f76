#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The VM layer end to end: host trees from the PCI fixture builder (tests/fixtures/hostgen)
with Proxmox configs from tests/fixtures/pve laid over them, ptdiag-host --root on each, and
the facts, effective CPU flags and cross-reference asserted per VM (the recommended
configuration is the report's: tests/report/cases.json, vm-recommended-config).
Then --vm narrowing, and --with-guest with a fake `qm` (PTDIAG_QM) that runs the real guest
agent on a guest fixture tree.

Usage: test_host_vm.py PTDIAG_HOST PTDIAG_REPORT [PTDIAG_AGENT]
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SRC, "tests", "lib"))
from ptdschema import schema_errors  # noqa: E402
FIXTURES = os.path.join(SRC, "tests", "fixtures")
failures = []

# Proxmox's Windows enlightenments for machine >= 3.1 and Windows >= 7 (CPUConfig.pm).
HV_ALL = ["hv_ipi", "hv_relaxed", "hv_reset", "hv_runtime", "hv_spinlocks=0x1fff", "hv_stimer",
          "hv_synic", "hv_time", "hv_vapic", "hv_vpindex"]


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def eq(actual, expected, what):
    check(actual == expected, "%s: got %r, expected %r" % (what, actual, expected))


def build_tree(tmp, name, hostgen_scenario):
    root = os.path.join(tmp, name)
    env = dict(os.environ, PYTHONPATH=FIXTURES)
    subprocess.run([sys.executable, "-m", "hostgen", hostgen_scenario, root], env=env,
                   check=True, timeout=120)
    shutil.copytree(os.path.join(FIXTURES, "pve", name), root, symlinks=True,
                    dirs_exist_ok=True)
    return root


def run_host(host, root, *args):
    env = dict(os.environ, PTDIAG_FIXED_TIME="2026-11-22T20:00:00Z")
    p = subprocess.run([host, "--root", root, "--json"] + list(args), env=env,
                       capture_output=True, text=True, timeout=60)
    eq(p.returncode, 0, "ptdiag-host --root %s %s exit" % (os.path.basename(root), args))
    doc = json.loads(p.stdout)
    eq(schema_errors(doc, 3), [], "%s %s matches docs/schema/ptdiag.host-1.json"
       % (os.path.basename(root), args))
    return doc


def vm(doc, vmid):
    for v in doc["vms"]:
        if v["vmid"] == vmid:
            return v
    raise AssertionError("VM %d not in document" % vmid)


def test_rtx3090(host, tmp):
    doc = run_host(host, build_tree(tmp, "rtx3090", "rtx3090-vfio"))
    eq(doc["cluster"]["clustered"], False, "standalone node: clustered")
    eq(doc["cluster"]["this_node"], "pve1", "this_node from the host name")
    eq([v["vmid"] for v in doc["vms"]], [100, 103, 104, 105, 106], "VMs in VMID order")

    # 100: a correct Linux GPU VM.
    v = vm(doc, 100)
    eq(v["machine"], {"raw": "q35", "type": "q35", "is_q35": True, "version": None,
                      "viommu": None}, "100 machine")
    eq((v["bios"], v["balloon_mib"], v["balloon_device"], v["ostype"]), ("ovmf", 0, False, "l26"),
       "100 bios/balloon/ostype")
    eq(v["efidisk"]["efitype"], "4m", "100 efidisk efitype")
    eq(v["cpu"]["type"], "host", "100 cpu type")
    h = v["hostpci"][0]
    eq((h["host"], h["pcie"], h["x_vga"], h["rombar"], h["driver"]),
       ("0000:01:00", True, False, True, "vfio"), "100 hostpci0 options")
    eq(h["resolved_bdfs"], ["0000:01:00.0", "0000:01:00.1"], "100 function-less = all functions")
    eq((h["missing"], h["group_complete"]), (False, True), "100 group complete")
    eq([(o["bdf"], o["is_bridge"]) for o in h["group_others"]], [("0000:00:01.0", True)],
       "100 the only other group member is the root port")
    e = v["effective_cpu"]
    eq(e["model_cpu_arg"], "host,+kvm_pv_eoi,+kvm_pv_unhalt", "100 model -cpu")
    # the installed pve-qemu-kvm (ROOT/var/lib/dpkg/status) sets the unpinned machine's version
    eq(doc["qemu"], {"package": "pve-qemu-kvm", "package_version": "9.2.0-5", "version": "9.2.0",
                     "source": "/var/lib/dpkg/status"}, "qemu from dpkg status")
    eq((e["qemu_version"], e["machine_version"], e["machine_pinned_windows"]),
       ("9.2.0", "9.2+pve1", False), "100 machine version from the installed QEMU")
    eq((e["kvm_hidden"], e["hypervisor_bit_hidden"], e["hv_enlightenments"]), (False, False, []),
       "100 KVM visible, no enlightenments for Linux")
    # the saved `qm showcmd` output agrees with the model
    eq(e["showcmd_cpu_arg"], "host,+kvm_pv_eoi,+kvm_pv_unhalt", "100 showcmd -cpu read")
    eq(v["showcmd_diff"], None, "100 model agrees with qm showcmd")
    check("recommendations" not in v, "100 no verdicts in the host document")

    # 103: x-vga=1 on Windows: kvm=off and hv_vendor_id=proxmox appear.
    v = vm(doc, 103)
    e = v["effective_cpu"]
    eq(e["cpu_arg"], "host,hv_ipi,hv_relaxed,hv_reset,hv_runtime,hv_spinlocks=0x1fff,hv_stimer,"
       "hv_synic,hv_time,hv_vapic,hv_vendor_id=proxmox,hv_vpindex,kvm=off,+kvm_pv_eoi,"
       "+kvm_pv_unhalt", "103 x-vga -cpu")
    eq((e["kvm_hidden"], e["hv_vendor_id"], e["machine_version"], e["windows_version"]),
       (True, "proxmox", "8.1", 10), "103 x-vga hides KVM")
    check(v["hostpci"][0]["x_vga"] is True, "103 x_vga fact")

    # 104: i440fx + SeaBIOS + ballooning, default cpu kvm64.
    v = vm(doc, 104)
    eq((v["machine"]["type"], v["machine"]["is_q35"], v["bios"], v["balloon_mib"],
        v["balloon_device"], v["cpu"]["type"]), ("pc", False, "seabios", 4096, True, "kvm64"),
       "104 legacy facts")
    eq(v["effective_cpu"]["cpu_arg"], "kvm64,enforce,+kvm_pv_eoi,+kvm_pv_unhalt,+lahf_lm,+sep",
       "104 kvm64 -cpu")
    eq(v["hostpci"][0]["resolved_bdfs"], ["0000:01:00.0", "0000:01:00.1"],
       "104 bus:dev without domain resolves")

    # 105: passes 01:00.0 only; its audio 01:00.1 shares group 1.
    h = vm(doc, 105)["hostpci"][0]
    eq(h["resolved_bdfs"], ["0000:01:00.0"], "105 one function")
    eq(h["group_complete"], False, "105 partial group")
    audio = [o for o in h["group_others"] if o["bdf"] == "0000:01:00.1"][0]
    eq((audio["passed"], audio["is_bridge"], audio["driver"]), (False, False, "vfio-pci"),
       "105 the left-out audio function")

    # 106: current config passes the GPU; the snapshot from before does not.
    v = vm(doc, 106)
    eq(v["snapshots"], ["before-gpu"], "106 snapshot names")
    eq(sorted(v["snapshot_details"][0]["differs"]), ["balloon", "cpu", "hostpci0"],
       "106 snapshot differs in")
    eq(v["pending"], {"cores": "12"}, "106 pending kept apart")
    eq((v["cpu"]["type"], v["balloon_mib"]), ("host", 0), "106 facts from the current section")
    eq(v["effective_cpu"]["cpu_arg"], "host,+kvm_pv_eoi,+kvm_pv_unhalt",
       "106 flags from the current section, not the snapshot")
    return doc


def test_arc(host, tmp):
    doc = run_host(host, build_tree(tmp, "arc", "arc-a310"))
    eq(doc["cpu_models"][0]["name"], "arc-hidden", "cpu-models.conf parsed")
    eq(doc["cpu_models"][0]["flags"], ["-hypervisor"], "custom model flags")

    # 101: the seed's args line: hidden, but the enlightenments are gone.
    v = vm(doc, 101)
    e = v["effective_cpu"]
    eq(e["args_replaces_cpu"], True, "101 args -cpu replaces")
    eq(e["cpu_arg"], "host,kvm=off,hv_vendor_id=GenuineIntel,-hypervisor,+kvm_pv_unhalt,+invtsc,"
       "hv_relaxed,hv_spinlocks=0x1fff", "101 effective -cpu is the args one")
    eq(e["model_cpu_arg"], "host," + ",".join(HV_ALL) + ",+kvm_pv_eoi,+kvm_pv_unhalt",
       "101 what Proxmox would have built")
    eq((e["kvm_hidden"], e["hypervisor_bit_hidden"], e["hv_vendor_id"]),
       (True, True, "GenuineIntel"), "101 hiding")
    eq(e["lost_enlightenments"], ["hv_ipi", "hv_reset", "hv_runtime", "hv_stimer", "hv_synic",
                                  "hv_time", "hv_vapic", "hv_vpindex"], "101 lost")
    check(any("last -cpu" in u for u in e["uncertain"]), "101 args semantics marked uncertain")
    h = v["hostpci"]
    eq([x["resolved_bdfs"] for x in h], [["0000:03:00.0"], ["0000:04:00.0"]], "101 Arc + audio")
    eq(h[0]["group_complete"], True, "101 Arc alone in its group")

    # 102: the custom model hides and keeps every enlightenment.
    v = vm(doc, 102)
    e = v["effective_cpu"]
    eq(e["cpu_arg"], "host," + ",".join(HV_ALL[:9]) + ",hv_vendor_id=GenuineIntel,hv_vpindex,"
       "-hypervisor,kvm=off,+kvm_pv_eoi,+kvm_pv_unhalt", "102 custom model -cpu")
    eq((e["kvm_hidden"], e["hypervisor_bit_hidden"], e["lost_enlightenments"]),
       (True, True, []), "102 hidden, nothing lost")
    eq(v["cpu"]["custom_model"], "arc-hidden", "102 custom model fact")


def test_cluster(host, tmp):
    root = build_tree(tmp, "cluster", "arc-a310")
    doc = run_host(host, root)
    eq(doc["cluster"], {"this_node": "pve1", "clustered": True, "name": "homelab",
                        "nodes": ["pve1", "pve2"]}, "cluster from corosync.conf")
    m = doc["mappings"][0]
    eq((m["id"], len(m["map"]), m["map"][0]["iommugroup"], m["map"][0]["subsystem_id"]),
       ("arc-a310", 2, 14, "1849:6007"), "pci.cfg parsed")
    # qemu-server's own text format (PCI.pm): "ID VMID pid:PID" once the VM runs
    eq(doc["pci_reservations"], [{"bdf": "0000:03:00.0", "vmid": 200, "expires_at": None,
                                  "pid": 2417}], "reservations")
    # 200: raw BDF on a clustered node (the report's rule sees mapping null + clustered).
    h = vm(doc, 200)["hostpci"][0]
    eq((h["host"], h["mapping"], h["mapping_check"]), ("0000:03:00", None, None), "200 raw BDF")
    # 201: mapping whose iommugroup no longer matches (Arc is in group 16 now).
    h = vm(doc, 201)["hostpci"][0]
    mc = h["mapping_check"]
    eq((mc["entry_found"], mc["path"], mc["id_match"], mc["subsystem_id_match"]),
       (True, "0000:03:00.0", True, True), "201 mapping entry for pve1")
    eq((mc["expected_iommugroup"], mc["actual_iommugroup"], mc["iommugroup_match"]),
       ("14", "16", False), "201 iommugroup mismatch")
    eq(mc["problems"], ["'iommugroup' does not match for 'arc-a310' (16 != 14)"],
       "201 assert_valid-style message")
    eq(h["resolved_bdfs"], ["0000:03:00.0"], "201 mapping resolves for this node")
    e = vm(doc, 201)["effective_cpu"]
    check(any("not in cpu-models.conf" in u for u in e["uncertain"]),
          "201 missing custom model is said, not guessed")

    # --redact: node names consistently replaced, after the cross-reference used them
    red = run_host(host, root, "--redact")
    vm_layer = json.dumps([red["cluster"], red["mappings"], red["vms"]])
    check("pve1" not in vm_layer and "pve2" not in vm_layer and "homelab" not in vm_layer,
          "--redact removes node and cluster names")
    eq(red["cluster"]["nodes"], ["[node-1]", "[node-2]"], "--redact node names")
    eq(red["mappings"][0]["map"][1]["node"], "[node-2]", "--redact mapping node")
    eq(vm(red, 201)["hostpci"][0]["mapping_check"]["iommugroup_match"], False,
       "--redact keeps the cross-reference")

    # --vm narrows to the VM and the hardware it passes
    doc = run_host(host, root, "--vm", "201")
    eq([v["vmid"] for v in doc["vms"]], [201], "--vm keeps one VM")
    eq(sorted(d["bdf"] for d in doc["devices"]), ["0000:03:00.0"], "--vm keeps its devices")
    eq([m["id"] for m in doc["mappings"]], ["arc-a310"], "--vm keeps its mapping")
    eq(doc["pci_reservations"], [{"bdf": "0000:03:00.0", "vmid": 200, "expires_at": None,
                                  "pid": 2417}], "--vm keeps reservations of its devices")
    eq(doc["narrowed_to_vm"], 201, "--vm recorded")
    doc = run_host(host, root, "--vm", "999")
    check(any("999.conf: no such VM" in e["message"] for e in doc["errors"]), "--vm unknown VM")


def test_no_pci(host, tmp):
    """Configs without a PCI tree: the cross-reference is unknown, never 'missing'."""
    root = os.path.join(tmp, "nopci")
    shutil.copytree(os.path.join(FIXTURES, "pve", "rtx3090"), root, symlinks=True)
    doc = run_host(host, root)
    h = vm(doc, 100)["hostpci"][0]
    eq((h["missing"], h["group_complete"], h["group_others"]), (None, None, None),
       "no devices: unknown, not missing")
    check(any("cross-reference" in e["message"] for e in doc["errors"]), "no-devices error")


FAKE_QM = r"""#!/usr/bin/env python3
import json, os, subprocess, sys
mode = os.environ.get("FAKE_QM_MODE", "ok")
args = sys.argv[1:]
log = os.environ.get("FAKE_QM_LOG")
if log:
    open(log, "a").write(" ".join(args) + "\n")
if args[:2] == ["guest", "exec"]:
    if mode == "noagent":
        sys.stderr.write("QEMU guest agent is not running\n")
        sys.exit(255)
    agent_args = args[args.index("--") + 1:]
    if mode == "garbage":
        print(json.dumps({"exitcode": 0, "exited": 1, "out-data": "not json"}))
        sys.exit(0)
    p = subprocess.run([os.environ["FAKE_AGENT"], "--root", os.environ["FAKE_GUEST_ROOT"]]
                       + agent_args[1:], capture_output=True, text=True)
    print(json.dumps({"exitcode": p.returncode, "exited": 1, "out-data": p.stdout}))
    sys.exit(0)
sys.stderr.write("fake qm: unsupported: %s\n" % args)
sys.exit(2)
"""


def test_with_guest(host, report, agent, tmp):
    qm = os.path.join(tmp, "qm")
    with open(qm, "w") as f:
        f.write(FAKE_QM)
    os.chmod(qm, 0o755)
    guest_root = os.path.join(tmp, "guest")
    subprocess.run([sys.executable, os.path.join(FIXTURES, "guest", "guestgen.py"), guest_root,
                    "rtx3090-open"], check=True, timeout=60, capture_output=True)
    log = os.path.join(tmp, "qm.log")
    base = dict(os.environ, PTDIAG_QM=qm, PTDIAG_REPORT=report, FAKE_QM_LOG=log,
                FAKE_GUEST_ROOT=os.path.join(guest_root, "rtx3090-open"), FAKE_AGENT=agent or "",
                TMPDIR=tmp)
    # the live host (this machine): no --root, so qm may run
    if agent:
        p = subprocess.run([host, "--vm", "100", "--with-guest"], env=base, capture_output=True,
                           text=True, timeout=120)
        check(p.returncode in (0, 1), "with-guest exit passes the report's through: %d %s"
              % (p.returncode, p.stderr))
        check(p.stdout.strip() != "", "with-guest prints the report")
        check("guest exec 100 --timeout 60 -- /usr/bin/ptdiag-agent --json" in open(log).read(),
              "qm guest exec command line")
    p = subprocess.run([host, "--vm", "100", "--with-guest", "--agent",
                        "C:\\Program Files\\ptdiag\\ptdiag-agent.exe"],
                       env=dict(base, FAKE_QM_MODE="noagent"), capture_output=True, text=True,
                       timeout=120)
    check("no running QEMU guest agent" in p.stderr, "no guest agent said: %r" % p.stderr)
    check(p.returncode in (0, 1) and p.stdout.strip() != "",
          "host-only report without a guest agent (exit %d)" % p.returncode)
    p = subprocess.run([host, "--vm", "100", "--with-guest"],
                       env=dict(base, FAKE_QM_MODE="garbage"), capture_output=True, text=True,
                       timeout=120)
    check("diagnosing the host side only" in p.stderr, "garbage agent output said")
    check(not [n for n in os.listdir(tmp) if n.startswith("ptdiag-")], "temp dir removed")
    # under --root qm is never run
    open(log, "w").close()
    p = subprocess.run([host, "--root", os.path.join(FIXTURES, "pve", "rtx3090"), "--vm", "100",
                        "--with-guest"], env=base, capture_output=True, text=True, timeout=120)
    eq(open(log).read(), "", "no qm under --root")
    check("not done under --root" in p.stderr, "--root with-guest explained")


def test_reserved_by_other_vm(host, report, tmp):
    """The cluster fixture's reservation (VM 200 holds 0000:03:00.0, in qemu-server's text
    format) makes the report's pci-device-reserved-by-other-vm fire for VM 201, which passes the
    same card through its mapping, and not for VM 200 itself."""
    root = os.path.join(tmp, "cluster")
    doc_path = os.path.join(tmp, "cluster-doc.json")
    with open(doc_path, "w") as f:
        json.dump(run_host(host, root), f)
    p = subprocess.run([report, "--format", "json", doc_path], capture_output=True, text=True,
                       timeout=60)
    check(p.returncode in (0, 1), "report on the cluster document: %d %s" % (p.returncode,
                                                                             p.stderr[:200]))
    found = [(f["vmid"], f["bdf"]) for f in json.loads(p.stdout)["findings"]
             if f["id"] == "pci-device-reserved-by-other-vm"]
    eq(found, [(201, "0000:03:00.0")], "reserved-by-other-vm fires for VM 201 only")


def main():
    host, report = sys.argv[1], sys.argv[2]
    agent = sys.argv[3] if len(sys.argv) > 3 and os.path.exists(sys.argv[3]) else None
    with tempfile.TemporaryDirectory() as tmp:
        test_rtx3090(host, tmp)
        test_arc(host, tmp)
        test_cluster(host, tmp)
        test_reserved_by_other_vm(host, report, tmp)
        test_no_pci(host, tmp)
        wg = os.path.join(tmp, "wg")
        os.mkdir(wg)
        test_with_guest(host, report, agent, wg)
    if failures:
        print("%d failure(s)" % len(failures))
        return 1
    print("all VM-layer checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())

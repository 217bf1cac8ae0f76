#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Runs ptdiag-agent on one scenario and asserts the facts it reports.

--root scenarios use trees from tests/fixtures/guest/guestgen.py; the live ones run the agent
on this machine with the Vulkan ICD pinned (lavapipe, or a missing file) or with a stand-in
libnvidia-ml.so.1 on LD_LIBRARY_PATH.
"""
import argparse
import json
import re
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from ptdschema import schema_errors  # noqa: E402

FIXED_TIME = "2026-11-22T20:00:00Z"
LVP_ICD = "/usr/share/vulkan/icd.d/lvp_icd.x86_64.json"


class Check:
    def __init__(self):
        self.failures = []

    def eq(self, what, got, want):
        if got != want:
            self.failures.append("%s: got %r, want %r" % (what, got, want))

    def true(self, what, cond):
        if not cond:
            self.failures.append(what)


def run_agent(agent, args, env_extra=None, expect_rc=0):
    env = dict(os.environ, PTDIAG_FIXED_TIME=FIXED_TIME)
    env.update(env_extra or {})
    p = subprocess.run([agent] + args, capture_output=True, encoding="utf-8", env=env,
                       timeout=50)  # strict: invalid UTF-8 in a document fails here
    if p.returncode != expect_rc:
        sys.exit("agent %s exited %d (want %d)\nstderr:\n%s" % (
            " ".join(args), p.returncode, expect_rc, p.stderr))
    return p


def validate(doc):
    """Every document the agent writes must satisfy the published JSON Schema."""
    errors = schema_errors(doc, 10, "ptdiag.guest/1")
    if errors:
        sys.exit("document violates docs/schema/ptdiag.guest-1.json:\n" + "\n".join(errors))


def agent_doc(agent, args, env_extra=None):
    p = run_agent(agent, ["--json"] + args, env_extra)
    doc = json.loads(p.stdout)
    assert doc["schema"] == "ptdiag.guest/1", doc["schema"]
    validate(doc)
    return doc


def events(doc, kind):
    return [e for e in doc["kernel_log"]["events"] or [] if e["kind"] == kind]


def error_sources(doc):
    return sorted({e["source"] for e in doc["errors"]})


def gpu(doc, bdf):
    for g in doc["gpus"]:
        if g["location"] == bdf:
            return g
    return None


def common_root_facts(c, doc):
    """What every --root run must say: live APIs unknown, never 'absent'."""
    c.eq("vulkan.loader under --root", doc["vulkan"]["loader"], None)
    c.eq("vulkan.devices under --root", doc["vulkan"]["devices"], None)
    c.eq("kernel_log.readable", doc["kernel_log"]["readable"], True)
    c.eq("cpuid.source", doc["system"]["cpuid"]["source"], "proc-cpuinfo")
    c.eq("is_vm", doc["system"]["is_vm"], True)
    c.true("no pci errors: %r" % doc["errors"], "pci" not in error_sources(doc))


def bars(g):
    return {b["index"]: (b["size_bytes"], b["is_64bit"], b["prefetchable"], b["is_io"])
            for b in g["bars"]}


def check_rtx3090(c, doc):
    s = doc["system"]
    c.eq("os.id", s["os"]["id"], "ubuntu")
    c.eq("os.version", s["os"]["version"], "24.04")
    c.eq("kernel_release", s["kernel_release"], "6.8.0-51-generic")
    c.eq("boot_id", s["boot_id"], "3c6a1f0e-9b1d-4e57-8a0b-2f4d5c6e7a81")
    c.eq("uptime_s", s["uptime_s"], 86520.41)
    c.eq("cpuid.hypervisor_bit", s["cpuid"]["hypervisor_bit"], True)
    c.eq("cpuid.signature", s["cpuid"]["signature"], "KVMKVMKVM")
    c.eq("cpuid.signature_source", s["cpuid"]["signature_source"], "kernel-log")
    c.eq("cpuid.hypervisor_kind", s["cpuid"]["hypervisor_kind"], "kvm")
    c.eq("display functions", [g["location"] for g in doc["gpus"]], ["0000:01:00.0"])
    g = gpu(doc, "0000:01:00.0")
    c.eq("ids", (g["vendor_id"], g["device_id"], g["subsystem_vendor_id"],
                 g["subsystem_device_id"], g["revision"], g["class"]),
         ("10de", "2204", "1043", "87b3", "a1", "030000"))
    c.eq("device_name", g["device_name"], "GA102 [GeForce RTX 3090]")
    c.eq("driver", g["driver"], "nvidia")
    c.eq("bars", bars(g), {0: (16 << 20, False, False, False), 1: (32 << 30, True, True, False),
                           3: (32 << 20, True, True, False), 5: (128, False, False, True)})
    c.eq("link", g["link"], {"current_speed_gts": 16, "max_speed_gts": 16,
                             "current_width": 16, "max_width": 16})
    c.eq("drm", g["drm"], {"card": "/dev/dri/card0", "render": "/dev/dri/renderD128"})
    nv = doc["nvidia"]
    c.eq("kernel_module.version", nv["kernel_module"]["version"], "570.86.16")
    c.eq("kernel_module.flavor", nv["kernel_module"]["flavor"], "open")
    c.eq("proc gpus", [(x["bus"], x["model"], x["irq"], x["video_bios"], x["bus_type"])
                       for x in nv["gpus"]],
         [("0000:01:00.0", "NVIDIA GeForce RTX 3090", 35, "94.02.42.00.a9", "PCIe")])
    c.eq("nvml under --root", nv["nvml"]["status"], "unknown")
    c.eq("vram unknown without NVML", g["vram_total_bytes"], None)
    c.eq("amdgpu", doc["amdgpu"], [])


def check_rtx3090_open(c, doc):
    check_rtx3090(c, doc)
    c.eq("no NVRM failures", [e["kind"] for e in doc["kernel_log"]["events"]
                              if e["kind"].startswith("nvrm")], [])
    c.eq("error sources", error_sources(doc), ["nvml", "vulkan"])


def check_rtx3090_xid79(c, doc):
    check_rtx3090(c, doc)
    xid = events(doc, "nvrm-xid")
    c.eq("xid codes", [(e["code"], e["device"], e["time_s"]) for e in xid],
         [(79, "0000:01:00", 86412.339125)])
    c.eq("fallen off the bus", [e["device"] for e in events(doc, "nvrm-fallen-off-bus")],
         ["0000:01:00.0"])


def check_pro4500(c, doc):
    g = gpu(doc, "0000:01:00.0")
    c.eq("ids", (g["vendor_id"], g["device_id"]), ("10de", "2c31"))
    c.eq("driver bound", g["driver"], "nvidia")
    c.eq("no DRM node: the GPU never initialised", g["drm"], None)
    c.eq("link", (g["link"]["current_speed_gts"], g["link"]["current_width"]), (32, 16))
    c.eq("BAR1 32 GiB", bars(g)[1], (32 << 30, True, True, False))
    km = doc["nvidia"]["kernel_module"]
    c.eq("flavor", km["flavor"], "proprietary")
    c.eq("version", km["version"], "570.86.16")
    c.eq("video_bios unread", doc["nvidia"]["gpus"][0]["video_bios"], "??.??.??.??.??")
    req = events(doc, "nvrm-open-module-required")
    c.eq("open module required", [(e["device"], e["detail"], e["time_s"]) for e in req],
         [("0000:01:00.0", "10de:2c31", 38.906877), ("0000:01:00.0", "10de:2c31", 39.114611)])
    rm = events(doc, "nvrm-rminitadapter-failed")
    c.eq("RmInitAdapter tuples", [e["detail"] for e in rm], ["0x22:0x56:1017"] * 2)
    c.eq("rm_init_adapter minors", [e["code"] for e in events(doc, "nvrm-init-failed")], [0, 0])
    c.eq("boot_id", doc["system"]["boot_id"], "e1f0c9a2-5d3b-4c8e-b7a6-0d9e8f7c6b5a")


def check_rx6800(c, doc):
    c.eq("os.id", doc["system"]["os"]["id"], "fedora")
    c.eq("os.version", doc["system"]["os"]["version"], "41")
    c.eq("signature from /dev/kmsg-format log", doc["system"]["cpuid"]["signature"],
         "KVMKVMKVM")
    c.eq("display functions, sorted", [(g["location"], g["vendor_id"], g["device_id"],
                                        g["driver"]) for g in doc["gpus"]],
         [("0000:00:01.0", "1234", "1111", "bochs-drm"),
          ("0000:01:00.0", "1002", "73bf", "amdgpu")])
    g = gpu(doc, "0000:01:00.0")
    c.true("device_name names Navi 21: %r" % g["device_name"], "Navi 21" in (g["device_name"] or ""))
    c.eq("drm", g["drm"], {"card": "/dev/dri/card1", "render": "/dev/dri/renderD128"})
    c.eq("vram from amdgpu", (g["vram_total_bytes"], g["vram_used_bytes"]),
         (17163091968, 1197281280))
    c.eq("BAR0 256 MiB (no ReBAR)", bars(g)[0], (256 << 20, True, True, False))
    c.eq("amdgpu", doc["amdgpu"], [{"bdf": "0000:01:00.0", "vram_total_bytes": 17163091968,
                                    "vram_used_bytes": 1197281280,
                                    "vis_vram_total_bytes": 268435456,
                                    "gtt_total_bytes": 16712126464}])
    c.eq("emulated VGA has no link", gpu(doc, "0000:00:01.0")["link"], None)
    # DRM connectors of each card, read below the PCI function (no join needed)
    c.eq("displays", [(d["name"], d["connected"]) for d in g["displays"]],
         [("DP-1", True), ("DP-2", False), ("DP-3", False), ("HDMI-A-1", False)])
    c.eq("emulated VGA's connector", gpu(doc, "0000:00:01.0")["displays"],
         [{"name": "Virtual-1", "connected": True, "status": "connected"}])
    # KFD topology: the GPU node at location_id 0x100 is this GPU; the CPU node is skipped
    c.eq("rocm nodes", doc["compute"]["rocm"]["nodes"],
         [{"node": "1", "simd_count": 120, "gfx_target": "gfx1030", "location": "0000:01:00.0"}])
    c.eq("kfd_present unknown under --root", doc["compute"]["rocm"]["kfd_present"], None)
    c.eq("gpu compute", g["compute"], {"apis": ["rocm"], "rocm_gfx_target": "gfx1030",
                                       "reason": None})
    # live APIs are not asked under --root: video unknown, not "none"
    c.eq("vaapi not queried", doc["video"]["vaapi"]["status"], "unknown")
    c.eq("gpu video unknown", (g["video"]["decode_codecs"], g["video"]["encode_codecs"]),
         (None, None))
    c.eq("nvidia", doc["nvidia"], None)
    c.eq("intel", doc["intel"], [])
    c.eq("no error events", [e["kind"] for e in doc["kernel_log"]["events"]],
         ["hypervisor-detected"])


def check_no_driver(c, doc):
    s = doc["system"]
    c.eq("cpuid bit hidden", s["cpuid"]["hypervisor_bit"], False)
    c.eq("cpuid kind", s["cpuid"]["hypervisor_kind"], "none")
    c.true("is_vm from DMI: %r" % s["is_vm_evidence"], "QEMU" in (s["is_vm_evidence"] or ""))
    g = gpu(doc, "0000:01:00.0")
    c.eq("ids", (g["vendor_id"], g["device_id"]), ("10de", "2684"))
    c.eq("no driver", g["driver"], None)
    c.eq("no drm", g["drm"], None)
    c.eq("link trained down", (g["link"]["current_speed_gts"], g["link"]["max_speed_gts"]),
         (2.5, 16))
    nv = doc["nvidia"]
    c.true("nvidia object present for an NVIDIA GPU", isinstance(nv, dict))
    c.eq("no kernel module", nv and nv["kernel_module"], None)
    c.eq("no proc gpus", nv and nv["gpus"], [])
    c.eq("no events", [e["kind"] for e in doc["kernel_log"]["events"]], [])


def check_arc(c, doc, driver):
    g = gpu(doc, "0000:01:00.0")
    xe = driver == "xe"
    c.eq("ids", (g["vendor_id"], g["device_id"]), ("8086", "e20b" if xe else "56a0"))
    c.eq("driver", g["driver"], driver)
    c.eq("BAR0 64-bit non-prefetchable", bars(g)[0], (16 << 20, True, False, False))
    c.eq("BAR2 VRAM window", bars(g)[2][0], (256 << 20) if xe else (16 << 30))
    c.eq("intel", doc["intel"], [{"bdf": "0000:01:00.0", "driver": driver, "drm_card": "card0",
                                  "rp0_freq_mhz": 2850 if xe else 2400,
                                  "max_freq_mhz": 2850 if xe else 2400}])
    c.eq("no vram figure from Intel sysfs", g["vram_total_bytes"], None)
    rs = events(doc, "bar-resize-failed")
    if xe:
        c.eq("BAR resize failure", [(e["device"], e["code"], e["detail"]) for e in rs],
             [("0000:01:00.0", 2, "16384M (-ENOSPC)")])
        c.eq("os.version", doc["system"]["os"]["version"], "25.04")
    else:
        c.eq("no BAR resize failure", rs, [])
        c.true("device_name names the A770: %r" % g["device_name"],
               "A770" in (g["device_name"] or ""))
    c.eq("amdgpu", doc["amdgpu"], [])
    c.eq("nvidia", doc["nvidia"], None)


def soak_lines(path):
    with open(path) as f:
        text = f.read()
    out = []
    for i, line in enumerate(text.split("\n")):
        if line == "":
            continue
        try:
            out.append(json.loads(line))
        except ValueError:
            out.append(("torn", i + 1, line))
    return out, text


def scenario_soak(c, agent, gen, work):
    root = os.path.join(work, "rtx3090-xid79")
    subprocess.run([sys.executable, gen, work, "rtx3090-xid79"], check=True)
    log = os.path.join(work, "soak.jsonl")
    if os.path.exists(log):
        os.remove(log)

    def sample():
        p = run_agent(agent, ["--root", root, "--soak", log])
        c.eq("--soak alone prints nothing", p.stdout, "")
        return soak_lines(log)[0][-1]

    s1 = sample()
    c.eq("s1 schema", s1["schema"], "ptdiag.soak/1")
    c.eq("s1 t", s1["t"], FIXED_TIME)
    c.eq("s1 boot", s1["boot_id"], "3c6a1f0e-9b1d-4e57-8a0b-2f4d5c6e7a81")
    c.eq("s1 driver", s1["driver"], {"state": "error", "name": "nvidia",
                                     "version": "570.86.16"})
    c.eq("s1 events", [(e["kind"], e["code"]) for e in s1["events"]],
         [("nvrm-xid", 79), ("nvrm-fallen-off-bus", None)])
    c.eq("s1 kmsg_until_s", s1["kmsg_until_s"], 86412.339204)
    s2 = sample()
    c.eq("s2: nothing new in the same boot", s2["events"], [])
    with open(os.path.join(root, "dev/kmsg"), "a") as f:
        f.write("[90211.004512] NVRM: Xid (PCI:0000:01:00): 119, pid=2291, name=ollama, "
                "Timeout after 6s of waiting for RPC response from GPU0 GSP!\n")
    s3 = sample()
    c.eq("s3: only the new Xid", [(e["kind"], e["code"]) for e in s3["events"]],
         [("nvrm-xid", 119)])
    with open(os.path.join(root, "proc/sys/kernel/random/boot_id"), "w") as f:
        f.write("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d\n")
    s4 = sample()
    c.eq("s4: new boot, every error event counts", len(s4["events"]), 3)
    # a writer killed mid-line left a fragment; the next sample must stand on its own line
    with open(log, "a") as f:
        f.write('{"schema":"ptdiag.soak/1","t":"2026-11-22T20:05:00Z","boot_id":"9a8b')
    s5 = sample()
    c.eq("s5 after a torn line: nothing new", s5["events"], [])
    lines, text = soak_lines(log)
    c.eq("line kinds", [type(l).__name__ for l in lines],
         ["dict", "dict", "dict", "dict", "tuple", "dict"])
    c.true("file ends with a newline", text.endswith("\n"))


def scenario_bad_root(c, agent, gen, work):
    p = run_agent(agent, ["--root", os.path.join(work, "does-not-exist")], expect_rc=2)
    c.true("names the root: %r" % p.stderr, "does-not-exist" in p.stderr)
    os.makedirs(work, exist_ok=True)
    empty = os.path.join(work, "empty-root")
    os.makedirs(empty, exist_ok=True)
    doc = agent_doc(agent, ["--root", empty])
    c.eq("no sysfs: gpus unknown", doc["gpus"], None)
    c.eq("kernel log unreadable", doc["kernel_log"]["readable"], False)
    c.eq("events unknown", doc["kernel_log"]["events"], None)
    c.eq("uptime unknown", doc["system"]["uptime_s"], None)
    c.eq("is_vm unknown", doc["system"]["is_vm"], None)
    c.true("errors name the files: %r" % doc["errors"],
           any("/proc/uptime" in e["message"] for e in doc["errors"]) and
           any("/sys/bus/pci/devices" in e["message"] for e in doc["errors"]))
    # libpci's default error handler would exit(1) on a sysfs entry it cannot parse
    weird = os.path.join(work, "weird-sysfs")
    os.makedirs(os.path.join(weird, "sys/bus/pci/devices/not-a-bdf"), exist_ok=True)
    # Leaving libpci by longjmp abandons its scan state (an open DIR, a half-made device):
    # a one-off leak by design, so LeakSanitizer is off for this one run.
    asan = os.environ.get("ASAN_OPTIONS", "")
    doc = agent_doc(agent, ["--root", weird],
                    {"ASAN_OPTIONS": (asan + ":" if asan else "") + "detect_leaks=0"})
    c.eq("libpci failure: gpus unknown", doc["gpus"], None)
    c.true("libpci error recorded: %r" % doc["errors"],
           any(e["source"] == "pci" and "libpci" in e["message"] for e in doc["errors"]))
    c.eq("the rest still collected", doc["kernel_log"]["readable"], False)
    # files present but garbled: the value is unknown and the error names the file
    subprocess.run([sys.executable, gen, work, "rtx3090-open", "rx6800-amdgpu"], check=True)
    nv_root, amd_root = os.path.join(work, "rtx3090-open"), os.path.join(work, "rx6800-amdgpu")
    with open(os.path.join(nv_root, "proc/driver/nvidia/version"), "wb") as f:
        f.write(b"\x7fELF\x02\x01\x01\x00garbage\xff\xfe\n")
    with open(os.path.join(nv_root, "proc/driver/nvidia/gpus/0000:01:00.0/information"),
              "ab") as f:
        f.write(b"Model: \t\t NVIDIA \xc3\x28 bad\x1b[31m\n")
    with open(os.path.join(nv_root, "etc/os-release"), "wb") as f:
        f.write(b'PRETTY_NAME="Ubuntu \xff\xfe 24.04 \xe2\x80\x94 LTS"\nID=ubuntu\n')
    with open(os.path.join(nv_root, "proc/uptime"), "w") as f:
        f.write("soon\n")
    amd_dev = os.path.join(amd_root, "sys/bus/pci/devices/0000:01:00.0")
    with open(os.path.join(amd_dev, "mem_info_vram_total"), "w") as f:
        f.write("16 GiB\n")
    doc = agent_doc(agent, ["--root", nv_root])
    km = doc["nvidia"]["kernel_module"]
    c.eq("garbled version file: version unknown", (km["version"], km["flavor"]), (None, None))
    c.true("error names the version file: %r" % doc["errors"],
           any("/proc/driver/nvidia/version" in e["message"] for e in doc["errors"]))
    c.eq("garbled uptime unknown", doc["system"]["uptime_s"], None)
    # invalid UTF-8 and escape sequences never reach the document (stdout decoded strictly)
    c.eq("os name cleaned, valid UTF-8 kept", doc["system"]["os"]["name"],
         "Ubuntu ?? 24.04 \u2014 LTS")
    c.true("information cleaned: %r" % doc["nvidia"]["gpus"][0]["raw"],
           "NVIDIA ?( bad?[31m" in doc["nvidia"]["gpus"][0]["raw"])
    c.true("error names /proc/uptime", any("/proc/uptime" in e["message"] for e in doc["errors"]))
    doc = agent_doc(agent, ["--root", amd_root])
    c.eq("garbled VRAM total unknown", doc["amdgpu"][0]["vram_total_bytes"], None)
    c.eq("used still read", doc["amdgpu"][0]["vram_used_bytes"], 1197281280)
    c.eq("gpus[] VRAM total unknown too", gpu(doc, "0000:01:00.0")["vram_total_bytes"], None)
    c.true("error names mem_info_vram_total: %r" % doc["errors"],
           any(e["source"] == "amdgpu" and "mem_info_vram_total: not a number" in e["message"]
               for e in doc["errors"]))
    p = run_agent(agent, ["--root", empty, "--soak", "/nonexistent-dir/x.jsonl"], expect_rc=1)
    c.true("soak error names the file: %r" % p.stderr, "/nonexistent-dir/x.jsonl" in p.stderr)
    run_agent(agent, ["--no-such-option"], expect_rc=2)


def live_env(extra):
    env = {"LD_LIBRARY_PATH": ""}
    env.update(extra)
    return env


def scenario_live_no_nvidia(c, agent, work):
    if os.path.exists("/proc/driver/nvidia"):
        sys.exit("this machine has the NVIDIA driver; the scenario needs one without")
    doc = agent_doc(agent, [], live_env({"VK_DRIVER_FILES": LVP_ICD, "VK_ICD_FILENAMES": LVP_ICD}))
    nvidia_gpu = any(g["vendor_id"] == "10de" for g in doc["gpus"] or [])
    if nvidia_gpu:
        c.eq("nvml missing", doc["nvidia"]["nvml"]["status"], "missing")
        c.eq("no kernel module", doc["nvidia"]["kernel_module"], None)
    else:
        c.eq("no NVIDIA anything: nvidia is null", doc["nvidia"], None)
    c.true("no nvidia/nvml errors: %r" % doc["errors"],
           not {"nvidia", "nvml"} & set(error_sources(doc)))
    c.eq("cpuid from the instruction", doc["system"]["cpuid"]["source"], "instruction")
    c.true("boot id read", doc["system"]["boot_id"] is not None)
    # VA-API through the real libva (scripts/deps installs libva2 + libva-drm2): one node entry
    # per GPU render node, each with profiles or the reason vaInitialize refused
    va = doc["video"]["vaapi"]
    c.eq("libva opened", (va["status"], va["error"]), ("ok", None))
    renders = [g["drm"]["render"] for g in doc["gpus"] or [] if g["drm"] and g["drm"]["render"]]
    c.eq("a node per render node", [n["node"] for n in va["nodes"]], renders)
    for n in va["nodes"]:
        c.true("node %s: profiles or error" % n["node"],
               n.get("profiles") is not None or n.get("error"))
    # CUDA only asked for an NVIDIA GPU; libcuda is not installed here, so never "ok" by guess
    cuda = doc["compute"]["cuda"]
    if nvidia_gpu:
        c.true("cuda asked: %r" % cuda, cuda["status"] in ("ok", "missing", "error"))
    else:
        c.eq("cuda not asked without an NVIDIA GPU", cuda["status"], "unknown")
    c.eq("kfd present as the machine has it", doc["compute"]["rocm"]["kfd_present"],
         os.path.exists("/dev/kfd"))
    # --soak on the live system: two samples of this boot
    os.makedirs(work, exist_ok=True)
    log = os.path.join(work, "live-soak.jsonl")
    if os.path.exists(log):
        os.remove(log)
    for _ in range(2):
        run_agent(agent, ["--soak", log], live_env({"VK_DRIVER_FILES": "/nonexistent.json"}))
    lines, _ = soak_lines(log)
    c.eq("two samples", len(lines), 2)
    if len(lines) == 2 and all(isinstance(l, dict) for l in lines):
        a, b = lines
        c.eq("same boot", (a["boot_id"], b["boot_id"]), (doc["system"]["boot_id"],) * 2)
        c.true("uptime advances", b["uptime_s"] >= a["uptime_s"])
        c.eq("os", b["os"], "linux")
        if a["kmsg_until_s"] is not None and b["kmsg_until_s"] is not None:
            c.true("kernel-log mark never goes back", b["kmsg_until_s"] >= a["kmsg_until_s"])
            c.true("second sample: only events after the first's mark",
                   all(e["time_s"] > a["kmsg_until_s"] for e in b["events"]))
        else:
            c.eq("unreadable log: events unknown", b["events"], None)


def scenario_nvml(c, agent, fake_dir, mode):
    doc = agent_doc(agent, [], live_env({"LD_LIBRARY_PATH": fake_dir, "FAKE_NVML_MODE": mode,
                                         # short only where the query must time out: a
                                         # crash under ASan spends seconds symbolising
                                         "PTDIAG_QUERY_TIMEOUT": "2" if mode == "hang" else "60",
                                         "VK_DRIVER_FILES": "/nonexistent/icd.json",
                                         "VK_ICD_FILENAMES": "/nonexistent/icd.json"}))
    nv = doc["nvidia"]
    c.true("nvidia object when NVML is there", isinstance(nv, dict))
    nvml = nv["nvml"]
    if mode in ("hang", "crash"):
        c.eq("status", nvml["status"], "error")
        want = "no answer within 2 s" if mode == "hang" else "crashed with signal"
        c.true("error says %r: %r" % (want, nvml["error"]), want in nvml["error"])
        c.true("error recorded: %r" % doc["errors"], "nvml" in error_sources(doc))
        c.eq("the rest still collected", doc["vulkan"]["loader"], "present")
        return
    if mode == "mismatch":
        c.eq("status", nvml["status"], "error")
        c.eq("error", nvml["error"], "Driver/library version mismatch")
        c.eq("error_code", nvml["error_code"], 18)
        return
    c.eq("status", nvml["status"], "ok")
    c.eq("driver_version", nvml["driver_version"], "570.86.16")
    c.eq("cuda_version", nvml["cuda_version"], "12.8")
    c.eq("devices", nvml["devices"], [{
        "name": "NVIDIA GeForce RTX 3090", "pci_bus_id": "0000:01:00.0",
        "memory_total_bytes": 25769803776, "memory_used_bytes": 1288896512,
        "bar1_total_bytes": 34359738368, "pcie_gen": 4, "pcie_width": 16,
        "virtualization_mode": "pass-through",
        # NVENC/NVDEC as NVML reports them: AV1 encode NOT_SUPPORTED on Ampere -> null
        "encoder_capacity_pct": {"h264": 100, "hevc": 100, "av1": None},
        "encoder_supported": True, "encoder_sessions": 0,
        "decoder_supported": True, "decoder_utilization_pct": 0}])
    # the NVENC/NVDEC libraries are not in the stand-in's directory: not loadable, said so
    enc = nv["encode_library"]
    c.eq("encode library name", enc["name"], "libnvidia-encode.so.1")
    c.eq("encode library loadable", enc["loadable"], False)
    c.true("encode library error names it: %r" % enc["error"],
           "libnvidia-encode.so.1" in enc["error"])
    c.eq("decode library loadable", nv["decode_library"]["loadable"], False)


def scenario_vulkan(c, agent, icd):
    if icd == LVP_ICD and not os.path.exists(LVP_ICD):
        sys.exit("%s missing: install mesa-vulkan-drivers (scripts/deps/guest-linux.list)" % icd)
    doc = agent_doc(agent, [], live_env({"VK_DRIVER_FILES": icd, "VK_ICD_FILENAMES": icd}))
    vk = doc["vulkan"]
    c.eq("loader", vk["loader"], "present")
    if icd != LVP_ICD:
        c.eq("no device", vk["devices"], [])
        c.eq("error", vk["error"], "VK_ERROR_INCOMPATIBLE_DRIVER")
        return
    c.eq("error", vk["error"], None)
    c.eq("one device", len(vk["devices"]), 1)
    d = vk["devices"][0]
    c.eq("type", d["type"], "cpu")
    c.true("name llvmpipe: %r" % d["name"], d["name"].startswith("llvmpipe"))
    c.eq("driver_id", d["driver_id"], "MESA_LLVMPIPE")
    c.eq("driver_name", d["driver_name"], "llvmpipe")
    c.true("driver_info names Mesa: %r" % d["driver_info"], "Mesa" in d["driver_info"])
    c.true("api >= 1.1: %r" % d["api_version"],
           tuple(int(x) for x in d["api_version"].split(".")) >= (1, 1, 0))
    c.true("device-local heap > 0", d["device_local_heap_bytes"] > 0)
    c.eq("no PCI bus for a CPU device", d["pci_bus"], None)
    # lavapipe has no video queues and no VK_KHR_video_* extension: recorded as none
    c.eq("lavapipe video", d["video"], {"extensions": [], "decode_queue_families": 0,
                                        "encode_queue_families": 0, "decode_codecs": [],
                                        "encode_codecs": []})


def check_verdict_text(c, text, rule):
    """The plain run (issue 16): capability table, then the guest layer with its findings."""
    c.true("headline: %r" % text[:60], text.startswith("ptdiag-agent "))
    c.true("capability table", "\nGPUs\n" in text)
    c.true("guest layer FAIL", "\nFAIL L5 guest driver\n" in text)
    c.true("finding %s" % rule, "rule: %s\n" % rule in text)
    c.true("fix under it", "       fix:\n" in text)
    c.true("host layers pointed to", "ptdiag-host --vm VMID --with-guest" in text)
    # the span of the matrix's host layers (every status-line layer but the guest's)
    c.true("host layers named", re.search(r"\nOn the Proxmox host: \d+ more rules \(layers L1-L4, ",
                                           text))
    c.true("counts line", re.search(r"\n\d+ errors?, \d+ warnings?, \d+ notes?", text))


def scenario_verdict(c, agent, report, gen, work, which):
    if which == "xid79":
        subprocess.run([sys.executable, gen, work, "rtx3090-xid79"], check=True)
        p = run_agent(agent, ["--root", os.path.join(work, "rtx3090-xid79")], expect_rc=1)
        check_verdict_text(c, p.stdout, "guest-nvidia-xid")
        c.true("the RTX 3090 block",
               "\nGPUs\n  0000:01:00.0 GA102 [GeForce RTX 3090] [10de:2204]\n" in p.stdout)
        rows = dict(re.findall(r"\n    (\S+) +(.*)", p.stdout.split("\nGPUs\n", 1)[1]))
        c.eq("row labels", sorted(rows), sorted(["Driver", "VRAM", "Direct3D", "Vulkan", "Decode",
                                                 "Encode", "Displays", "Compute", "Interrupts"]))
        c.eq("driver row", rows.get("Driver"), "nvidia 570.86.16 (open)")
        c.eq("Direct3D row", rows.get("Direct3D"), "n/a (Linux)")
        c.eq("interrupts row", rows.get("Interrupts"), "not reported (Linux)")
        # One table: the agent prints the rows ptdiag-report prints for the same document.
        doc_path = os.path.join(work, "xid79.json")
        with open(doc_path, "w") as f:
            f.write(run_agent(agent, ["--json", "--root", os.path.join(work, "rtx3090-xid79")],
                              expect_rc=0).stdout)
        rep = subprocess.run([report, doc_path], capture_output=True,
                             encoding="utf-8", timeout=50)
        block = rep.stdout.split("Capabilities seen in guest %s:\n" % doc_path, 1)[-1]
        c.eq("agent table == report table", block.split("\n\n", 1)[0],
             p.stdout.split("\nGPUs\n", 1)[1].split("\n\n", 1)[0])
        return
    # Live, Vulkan through lavapipe only: the only Vulkan device is a CPU one.
    env = live_env({"VK_DRIVER_FILES": LVP_ICD, "VK_ICD_FILENAMES": LVP_ICD})
    p = run_agent(agent, [], env, expect_rc=1)
    check_verdict_text(c, p.stdout, "guest-software-renderer")
    c.true("lavapipe named as the software renderer",
           re.search(r"\n  software renderer \(Vulkan\): llvmpipe", p.stdout))
    # --json still writes the document, and it agrees with the table.
    doc = agent_doc(agent, [], env)
    c.eq("lavapipe in the document", [d["type"] for d in doc["vulkan"]["devices"]], ["cpu"])


ROOT_CHECKS = {
    "rtx3090-open": check_rtx3090_open,
    "rtx3090-xid79": check_rtx3090_xid79,
    "pro4500-proprietary": check_pro4500,
    "rx6800-amdgpu": check_rx6800,
    "nvidia-no-driver": check_no_driver,
    "arc-b580-xe": lambda c, doc: check_arc(c, doc, "xe"),
    "arc-a770-i915": lambda c, doc: check_arc(c, doc, "i915"),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--agent", required=True)
    ap.add_argument("--gen")
    ap.add_argument("--work", required=True)
    ap.add_argument("--fake-nvml")
    ap.add_argument("--report")
    ap.add_argument("scenario")
    a = ap.parse_args()
    c = Check()
    if a.scenario in ROOT_CHECKS:
        subprocess.run([sys.executable, a.gen, a.work, a.scenario], check=True)
        doc = agent_doc(a.agent, ["--root", os.path.join(a.work, a.scenario)])
        common_root_facts(c, doc)
        ROOT_CHECKS[a.scenario](c, doc)
    elif a.scenario == "soak-sequence":
        scenario_soak(c, a.agent, a.gen, a.work)
    elif a.scenario == "bad-root":
        if os.path.isdir(a.work):
            shutil.rmtree(a.work)
        scenario_bad_root(c, a.agent, a.gen, a.work)
    elif a.scenario == "live-no-nvidia":
        scenario_live_no_nvidia(c, a.agent, a.work)
    elif a.scenario in ("nvml-mismatch", "nvml-ok", "nvml-hang", "nvml-crash"):
        scenario_nvml(c, a.agent, a.fake_nvml, a.scenario[5:])
    elif a.scenario in ("verdict-xid79", "verdict-lavapipe"):
        scenario_verdict(c, a.agent, a.report, a.gen, a.work, a.scenario[8:])
    elif a.scenario == "vulkan-lavapipe":
        scenario_vulkan(c, a.agent, LVP_ICD)
    elif a.scenario == "vulkan-no-icd":
        scenario_vulkan(c, a.agent, "/nonexistent/icd.d/missing_icd.json")
    else:
        sys.exit("unknown scenario " + a.scenario)
    for f in c.failures:
        print("FAIL " + f)
    if c.failures:
        sys.exit(1)
    print("ok: " + a.scenario)


if __name__ == "__main__":
    main()

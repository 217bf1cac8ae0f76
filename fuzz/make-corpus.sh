#!/bin/sh
# Builds the seed corpora, one directory per harness, from what the repository already holds:
# the hostgen fixture trees (config space, resource, iomem, kernel logs, cmdline, modprobe.d),
# the Proxmox fixtures, the report's documents and matrix, generated soak logs, and (when
# present) the snapshots the VM tests saved from a real kernel. Nothing is committed: the
# corpora are regenerated into OUT.
#
# Usage: make-corpus.sh OUT [HOST_BINARY]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=$1
host=${2:-}
mkdir -p "$out"
out=$(cd "$out" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ptdiag-corpus.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

n=0
seed() { # harness file [prefix-byte-octal]
    [ -f "$2" ] && [ -r "$2" ] || return 0
    mkdir -p "$out/$1"
    n=$((n + 1))
    if [ -n "${3:-}" ]; then
        { printf "\\$3"; head -c 262144 "$2"; } >"$out/$1/seed-$n"
    else
        head -c 262144 "$2" >"$out/$1/seed-$n"
    fi
}

# Fixture host trees (and the real-kernel snapshots from tests/vm, if they ran).
trees=""
for s in $(PYTHONPATH="$top/tests/fixtures" python3 -m hostgen --list | awk '{print $1}'); do
    [ "$s" = synthetic ] && continue
    PYTHONPATH="$top/tests/fixtures" python3 -m hostgen "$s" "$tmp/$s" >/dev/null 2>&1 || continue
    trees="$trees $tmp/$s"
done
for d in "$top"/build*/tests/vm/*/out/snap; do
    [ -d "$d" ] && trees="$trees $d"
done
# Trees built from real config-space dumps by ctest host_pci_lspci_oracle (17-line bridge files).
for d in "$top"/build*/tests/host-pci/lspci-oracle/*; do
    [ -d "$d/sys" ] && trees="$trees $d"
done
for t in $trees; do
    for f in $(find "$t/sys/bus/pci/devices/" "$t/sys/devices" -name config -type f 2>/dev/null | head -40); do
        seed pcicfg "$f"
    done
    for f in $(find "$t/sys/devices" -name resource -type f 2>/dev/null | head -20); do
        seed pci_resource "$f"
    done
    # The four link attributes of a function, NUL-separated as fuzz_pcie_link splits them.
    for d in $(find "$t/sys/devices" -name max_link_speed -type f 2>/dev/null | head -8); do
        d=$(dirname "$d")
        for a in current_link_speed max_link_speed current_link_width max_link_width; do
            cat "$d/$a" 2>/dev/null
            printf '\000'
        done >"$tmp/link"
        seed pcie_link "$tmp/link"
    done
    seed iomem "$t/proc/iomem"
    for f in $(find "$t/sys/devices" -name creatable_vgpu_types -type f 2>/dev/null | head -4); do
        seed vgpu_types "$f"
    done
    seed kmsg "$t/dev/kmsg"
    # fuzz_host_files: byte 0 picks the file (see its table).
    seed host_files "$t/proc/cmdline" 000
    seed host_files "$t/proc/cpuinfo" 001
    seed host_files "$t/proc/modules" 002
    for f in "$t"/etc/modprobe.d/*.conf; do seed host_files "$f" 003; done
    seed host_files "$t/etc/modules" 004
    seed host_files "$t/etc/default/grub" 006
    seed host_files "$t/etc/kernel/cmdline" 007
    seed host_files "$t/proc/version" 010
    if [ -n "$host" ] && [ -x "$host" ]; then
        PTDIAG_FIXED_TIME=2026-01-01T00:00:00Z "$host" --json --root "$t" \
            >"$tmp/doc.json" 2>/dev/null && { seed doc "$tmp/doc.json"; seed report "$tmp/doc.json"; }
    fi
done

for f in $(find "$top/tests/fixtures/pve" -name '*.conf' -path '*qemu-server*'); do
    seed pve_conf "$f"
done
for f in $(find "$top/tests/fixtures/pve" -name pci.cfg -o -name cpu-models.conf -o -name corosync.conf \
    -o -name pci-id-reservations -o -name status); do
    seed pve_mapping "$f"
done
for f in "$top"/tests/report/docs/*.json; do
    seed doc "$f"
    seed report "$f"
done
# The hostile corpus (issue 13): every variant of those documents, strings and numbers.
mkdir -p "$tmp/hostile"
python3 - "$top/tests/hostile" "$top/tests/report/docs" "$tmp/hostile" <<'PY' || true
import json, os, sys
sys.path.insert(0, sys.argv[1])
import hostile
for f in sorted(os.listdir(sys.argv[2])):
    with open(os.path.join(sys.argv[2], f)) as fh:
        doc = json.load(fh)
    for name, v in hostile.variants(doc):
        with open(os.path.join(sys.argv[3], f"{f}-{name}"), "wb") as out:
            out.write(hostile.dump_bytes(v))
PY
for f in "$tmp"/hostile/*; do
    seed doc "$f"
    seed report "$f"
    seed escape "$f"
done
seed matrix "$top/report/data/symptoms.json"
seed gpu_identity "$top/report/data/gpu-identity.json"
# and a small valid table (every family, a few devices) the fuzzer can mutate quickly
if command -v python3 >/dev/null; then
    python3 -c 'import json,sys; t=json.load(open(sys.argv[1])); t["devices"]=t["devices"][::97]; print(json.dumps(t))' \
        "$top/report/data/gpu-identity.json" >"$tmp/gpu-identity-small.json" &&
        seed gpu_identity "$tmp/gpu-identity-small.json"
fi
if [ -f "$top/tests/soak/gen_soak.py" ]; then
    python3 "$top/tests/soak/gen_soak.py" "$tmp/a.jsonl" --days 1 >/dev/null 2>&1 && seed soak "$tmp/a.jsonl"
    python3 "$top/tests/soak/gen_soak.py" "$tmp/b.jsonl" --days 0.5 --reboot 0.2 --xid 0.3:79 \
        --torn-last >/dev/null 2>&1 && seed soak "$tmp/b.jsonl"
    seed doc "$tmp/a.jsonl"
fi
# Hand-written seeds for formats with few fixtures (these are the kernel's own formats).
mkdir -p "$out/pcicfg" "$out/kmsg"
printf '6,339,5385306,-;DMAR: IOMMU enabled\n4,400,6000000,-;vfio-pci 0000:01:00.0: BAR 1: can'"'"'t reserve [mem 0x6000000000-0x67ffffffff 64bit pref]\n' \
    >"$out/kmsg/hand-kmsg"
printf '[    0.512345] NVRM: Xid (PCI:0000:01:00): 79, pid=1234, GPU has fallen off the bus.\n[    1.0] pci 0000:01:00.0: BAR 3: no space for [mem size 0x02000000 64bit pref]\n' \
    >"$out/kmsg/hand-dmesg"
# journalctl -k, rsyslog (#012 escapes), another program's syslog line, dmesg -H
printf 'Nov 22 12:00:00 pve kernel: [   21.092238] NVRM: GPU 0000:01:00.0: RmInitAdapter failed! (0x22:0x56:894)#012NVRM: x\nMar 05 23:33:35 host bumblebeed[1734]: text\n2026-11-22T12:00:00.123456+01:00 pve kernel: i915 0000:00:02.0: Failed to initialize GPU, declaring it wedged!\n[Nov22 12:00] NVRM: The NVIDIA GPU 0000:b3:00.0\n[  +0.000011] NVRM: fallen off the bus\n' \
    >"$out/kmsg/hand-syslog"
# start-failure logs: the real messages of tests/host-logs, task list lines, a journal export
mkdir -p "$out/startfail"
python3 -c 'import json,sys; [print(l) for c in json.load(open(sys.argv[1]))["cases"] for l in c["lines"]]' \
    "$top/tests/host-logs/messages.json" >"$out/startfail/messages" 2>/dev/null || true
printf 'UPID:pve:00001A2B:0000C3D4:665F0761:qmstart:100:root@pam: 665F0763 start failed: QEMU exited with code 1\nUPID:pve:00001A2B:0000C3D4:665F0762:qmstop:100:root@pam: 1 665F0763 OK\n' \
    >"$out/startfail/hand-index"
printf '__REALTIME_TIMESTAMP=1700000000000000\n__MONOTONIC_TIMESTAMP=5\n_BOOT_ID=0123456789abcdef0123456789abcdef\n_TRANSPORT=syslog\nSYSLOG_IDENTIFIER=pvedaemon\nMESSAGE=<root@pam> starting task UPID:pve:00001A2B:0000C3D4:6553F100:qmstart:100:root@pam:\n\n__REALTIME_TIMESTAMP=1700000001000000\n_BOOT_ID=0123456789abcdef0123456789abcdef\nSYSLOG_IDENTIFIER=systemd-journald\nMESSAGE=Journal stopped\n\n' \
    >"$out/startfail/hand-export"
# fuzz_images: option ROMs laid out by the fixture builder (byte 0 even: ROM; odd: module)
mkdir -p "$tmp/roms"
PYTHONPATH="$top/tests/fixtures" python3 - "$tmp/roms" <<'PY' || true
import sys
from hostgen import romgen
d = sys.argv[1]
r = romgen
roms = {"x86": r.rom(r.image(0x1002, 0x1638, r.X86, 4)),
        "x86-efi": r.rom(r.image(0x10DE, 0x2204, r.X86, 4, last=False),
                         r.image(0x10DE, 0x2204, r.EFI, 2)),
        "devlist": r.rom(r.image(0x1002, 0x15E7, r.X86, 2, device_list=[0x1636, 0x1638])),
        "header": r.rom(r.image(0x1002, 0x1638, r.X86, 2), header=bytes(512))}
for name, data in roms.items():
    open(f"{d}/{name}", "wb").write(data)
open(f"{d}/ko", "wb").write(b"\x7fELF" + bytes(60) + b"\x30\x82" + bytes(40) +
    bytes([0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x04]) + b"DKMS" +
    bytes([0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 53]) + b"~Module signature appended~\n")
PY
for f in "$tmp"/roms/*; do
    case $f in */ko) seed images "$f" 001 ;; *) seed images "$f" 000 ;; esac
done
# fuzz_vfct: ACPI VFCT tables laid out by the fixture builder (one APU entry, two, none)
mkdir -p "$out/vfct"
PYTHONPATH="$top/tests/fixtures" python3 - "$out/vfct" <<'PY' || true
import sys
from hostgen import romgen as r
d = sys.argv[1]
img = r.rom(r.image(0x1002, 0x1638, r.X86, 2))
one = (5, 0, 0, 0x1002, 0x1638, 0x1462, 0x7C37, 0xC8, img)
two = (0xC3, 0, 0, 0x1002, 0x15BF, 0x1002, 0x0124, 0xC1, r.rom(r.image(0x1002, 0x15BF, r.X86, 1)))
for name, entries in {"one": [one], "two": [one, two], "none": []}.items():
    open(f"{d}/{name}", "wb").write(r.vfct(entries))
PY
for h in "$out"/*; do
    echo "$(basename "$h"): $(ls "$h" | wc -l) seeds"
done

#!/bin/sh
# Boots one VM test scenario under qemu (TCG) and checks ptdiag-host's document against the
# kernel's truth the guest recorded (check.py).
#
# Usage: run-scenario.sh SCENARIO KERNEL_DIR INITRD PTDIAG_HOST WORKDIR [PTDIAG_REPORT]
#   SCENARIO: intel | amd | iommu-off
# Env: PTDVM_FLIP=<fact>  flips one expected fact in check.py (the deliberate-mismatch test)
# Exit: 0 pass, 1 mismatch or VM failure, 77 no kernel available (skip).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
scenario=$1 kdir=$2 initrd=$3 host=$4 work=$5 report=${6:-}

if [ ! -f "$kdir/ready" ]; then
    echo "run-scenario: no kernel in $kdir (fetch-kernel.sh could not get one): skipping"
    exit 77
fi
command -v qemu-system-x86_64 >/dev/null || { echo "run-scenario: no qemu-system-x86_64: skipping"; exit 77; }

rm -rf "$work"
mkdir -p "$work"
kernel="$kdir/vmlinux"
[ -f "$kernel" ] || kernel="$kdir/vmlinuz"

# Topologies. Display-class functions (what ptdiag-host lists) sit where the interesting
# group shapes are; ids, not addresses, pick the devices to bind (firmware numbers buses).
vga="-device VGA,addr=01.0"
ports="-device pcie-root-port,id=rp1,bus=pcie.0,chassis=1,addr=1c.0,multifunction=on
 -device pcie-root-port,id=rp2,bus=pcie.0,chassis=2,addr=1c.1
 -device pcie-root-port,id=rp3,bus=pcie.0,chassis=3,addr=1c.2
 -device pcie-root-port,id=rp4,bus=pcie.0,chassis=4,addr=1c.3"
case $scenario in
intel)
    # rp1: a display function moved to vfio-pci through driver_override.
    # rp2: e1000 (fn0, stays on e1000) + qxl (fn1, vfio-pci): a group that is not viable.
    # rp3: ivshmem with a 16 GiB 64-bit prefetchable BAR (fn0) + a PCIe display endpoint
    #      (fn1), both on vfio-pci. (A 32-bit prefetchable BAR on the same bus would force
    #      the port's window below 4 GiB, and SeaBIOS stops: "out of 32bit address space".)
    # rp4: PCIe-to-PCI bridge with ati-vga and pci-testdev behind it: one aliased group.
    devs="-device intel-iommu,intremap=on,caching-mode=on $vga $ports
 -device bochs-display,bus=rp1,romfile=
 -device e1000,bus=rp2,addr=00.0,multifunction=on,romfile= -device qxl,bus=rp2,addr=00.1,romfile=
 -object memory-backend-ram,id=shm,size=16G,reserve=off
 -device ivshmem-plain,memdev=shm,bus=rp3,addr=00.0,multifunction=on
 -device virtio-gpu-pci,bus=rp3,addr=00.1,romfile=
 -device pcie-pci-bridge,id=br1,bus=rp4
 -device ati-vga,bus=br1,addr=01.0,romfile= -device pci-testdev,bus=br1,addr=02.0"
    append="intel_iommu=on ptdvm.mods=e1000 ptdvm.bind=1af4:1050,1b36:0100,1234:1111:0380,1af4:1110"
    ;;
amd)
    # AMDVI-PCI takes 00:01.0, so the VGA moves.
    devs="-device amd-iommu,intremap=on -device VGA,addr=02.0 $ports
 -device virtio-gpu-pci,bus=rp1,romfile=
 -device e1000,bus=rp2,addr=00.0,multifunction=on,romfile= -device qxl,bus=rp2,addr=00.1,romfile="
    append="ptdvm.mods=e1000 ptdvm.bind=1af4:1050,1b36:0100"
    ;;
iommu-off)
    # Debian turns VT-d on by default: only intel_iommu=off gives a host with no groups.
    # The bind then fails (-22), leaving driver_override set and no driver.
    devs="-device intel-iommu,intremap=on,caching-mode=on $vga $ports
 -device virtio-gpu-pci,bus=rp1"
    append="intel_iommu=off ptdvm.bind=1af4:1050"
    ;;
*)
    echo "run-scenario: unknown scenario '$scenario'" >&2
    exit 2
    ;;
esac

# no_timer_check: on a starved host, TCG can miss the kernel's IO-APIC timer test, which
# then panics ("timer doesn't work through Interrupt-remapped IO-APIC").
start=$(date +%s.%N)
set +e
# shellcheck disable=SC2086
timeout ${PTDVM_TIMEOUT:-120} qemu-system-x86_64 -M q35 -accel tcg -cpu max -smp 1 -m 512 \
    -nodefaults -display none -no-reboot -monitor none \
    -serial "file:$work/console.log" -serial "file:$work/data.txt" \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
    $devs -kernel "$kernel" -initrd "$initrd" \
    -append "console=ttyS0 panic=-1 quiet no_timer_check $append" </dev/null >"$work/qemu.log" 2>&1
qrc=$?
set -e
end=$(date +%s.%N)
echo "run-scenario: $scenario: qemu exit $qrc after $(echo "$end - $start" | bc 2>/dev/null || echo "?") s"
# isa-debug-exit: status (code << 1) | 1, so 1 means init finished and reported 0.
if [ $qrc -ne 1 ]; then
    echo "run-scenario: $scenario: the VM did not finish cleanly (qemu exit $qrc, 124 = timeout)"
    tail -n 40 "$work/console.log" "$work/qemu.log"
    exit 1
fi
mkdir -p "$work/out"
sed -n '/^PTDVM-BEGIN/,/^PTDVM-END/p' "$work/data.txt" | sed '1d;$d' | tr -d '\r' |
    base64 -d | tar -xz -C "$work/out"
exec python3 "$here/check.py" --scenario "$scenario" --out "$work/out" --host "$host" \
    --work "$work" ${report:+--report "$report"}

#!/bin/sh
# Builds the VM tests' initramfs: busybox, the init script, ptdiag-host with the shared
# libraries it links (libpci and cJSON have no static archive in Debian), pci.ids so names
# match a replay on the host, qexit, and the kernel modules the scenarios load.
#
# Usage: build-initramfs.sh KERNEL_DIR PTDIAG_HOST QEXIT OUT.cpio.gz
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/initramfs-lib.sh"
kdir=$1 host=$2 qexit=$3 out=$4
kver=$(cat "$kdir/kver")
ktree="$kdir/tree"
if [ ! -f "$kdir/ready" ]; then
    echo "build-initramfs: no kernel in $kdir: skipping"
    exit 77
fi
mods="e1000 e1000e vfio vfio_iommu_type1 vfio-pci"

stage_new ptdvm-stage
mkdir -p "$stage/lib/modules/$kver" "$stage/usr/share/misc"
echo "root:x:0:0:root:/:/bin/sh" >"$stage/etc/passwd"
echo "nobody:x:65534:65534:nobody:/:/bin/sh" >>"$stage/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$stage/etc/group"
cp "$here/init" "$stage/init"
chmod 755 "$stage/init"
cp "$qexit" "$stage/qexit"
cp "$host" "$stage/usr/bin/ptdiag-host"

# strace, when present, watches the live probe on the real kernel (read-only check).
if command -v strace >/dev/null; then
    cp "$(command -v strace)" "$stage/usr/bin/strace"
fi
stage_libs "$stage/usr/bin/ptdiag-host" "$stage/usr/bin/strace"
stage_pci_ids

# Each module with its dependencies and softdeps (kmod resolves them; busybox modprobe in
# the guest follows modules.dep only, which is why init loads vfio_iommu_type1 itself).
for m in $mods; do
    modprobe -d "$ktree" -S "$kver" --show-depends "$m" | awk '$1 == "insmod" {print $2}'
done | sort -u | while read -r ko; do
    rel=${ko#"$ktree"/lib/modules/"$kver"/}
    mkdir -p "$stage/lib/modules/$kver/$(dirname "$rel")"
    cp "$ko" "$stage/lib/modules/$kver/$rel"
done
cp "$ktree/lib/modules/$kver"/modules.order "$ktree/lib/modules/$kver"/modules.builtin* \
    "$stage/lib/modules/$kver/"
depmod -b "$stage" "$kver"

stage_pack "$out"

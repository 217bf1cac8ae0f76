#!/bin/sh
# Builds the VM tests' initramfs: busybox, the init script, ptdiag-host with the shared
# libraries it links (libpci and cJSON have no static archive in Debian), pci.ids so names
# match a replay on the host, qexit, and the kernel modules the scenarios load.
#
# Usage: build-initramfs.sh KERNEL_DIR PTDIAG_HOST QEXIT OUT.cpio.gz
set -eu
here=$(cd "$(dirname "$0")" && pwd)
kdir=$1 host=$2 qexit=$3 out=$4
kver=$(cat "$kdir/kver")
ktree="$kdir/tree"
if [ ! -f "$kdir/ready" ]; then
    echo "build-initramfs: no kernel in $kdir: skipping"
    exit 77
fi
mods="e1000 e1000e vfio vfio_iommu_type1 vfio-pci"

stage=$(mktemp -d "${TMPDIR:-/tmp}/ptdvm-stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT
chmod 755 "$stage" # mktemp's 0700 would lock non-root guest processes out of /
mkdir -p "$stage/bin" "$stage/usr/bin" "$stage/proc" "$stage/sys" "$stage/dev" \
    "$stage/lib/modules/$kver" "$stage/usr/share/misc"
cp "$(command -v busybox)" "$stage/bin/busybox"
mkdir -p "$stage/etc"
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
# The dynamic loader and every library, at the paths ldd names.
for bin in "$stage/usr/bin/ptdiag-host" "$stage/usr/bin/strace"; do
    [ -f "$bin" ] && ldd "$bin" | awk '/=> \// {print $3} /^\t\// {print $1}'
done | sort -u | while read -r lib; do
    mkdir -p "$stage$(dirname "$lib")"
    cp -L "$lib" "$stage$lib"
done
for ids in /usr/share/misc/pci.ids /usr/share/hwdata/pci.ids; do
    [ -f "$ids" ] && { mkdir -p "$stage$(dirname "$ids")"; cp "$ids" "$stage$ids"; }
done

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

(cd "$stage" && find . | sort | cpio -o -H newc --quiet -R 0:0 | gzip -6) >"$out.tmp"
mv "$out.tmp" "$out"

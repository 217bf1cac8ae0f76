#!/bin/sh
# Fetches a stock Debian kernel package into DEST (never the host's /boot) and unpacks only
# what the VM tests boot: the kernel image, the modules they load, and modules.* for depmod.
# Also writes DEST/vmlinux, the decompressed kernel, so qemu can boot it through PVH and skip
# ~3.5 s of XZ decompression under TCG.
#
# Usage: fetch-kernel.sh DEST
# Env:   PTDIAG_VM_KERNEL_DEB  use this .deb instead of downloading one
#        PTDIAG_VM_KERNEL_PKG  package name (default: what linux-image-amd64 depends on)
# Exit:  0 ready, 77 no kernel could be had (no network / no apt): the VM tests skip.
set -eu
dest=$1
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
[ -f "$dest/ready" ] && exit 0

deb=${PTDIAG_VM_KERNEL_DEB:-}
if [ -z "$deb" ]; then
    pkg=${PTDIAG_VM_KERNEL_PKG:-$(apt-cache depends linux-image-amd64 2>/dev/null |
        awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ {print $2; exit}')}
    if [ -z "$pkg" ]; then
        echo "fetch-kernel: cannot tell which kernel package linux-image-amd64 is" >&2
        exit 77
    fi
    mkdir -p "$dest/dl"
    deb=$(ls "$dest"/dl/"$pkg"_*.deb 2>/dev/null | head -n1 || true)
    if [ -z "$deb" ]; then
        (cd "$dest/dl" && apt-get download "$pkg" 2>"$dest/dl/apt.log") || {
            echo "fetch-kernel: apt-get download $pkg failed:" >&2
            cat "$dest/dl/apt.log" >&2
            exit 77
        }
        deb=$(ls "$dest"/dl/"$pkg"_*.deb | head -n1)
    fi
fi

tree="$dest/tree"
rm -rf "$tree"
mkdir -p "$tree"
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tree" --wildcards \
    './boot/vmlinuz-*' './boot/config-*' \
    './lib/modules/*/kernel/drivers/vfio/*' \
    './lib/modules/*/kernel/virt/lib/irqbypass.ko' \
    './lib/modules/*/kernel/drivers/net/ethernet/intel/e1000/*' \
    './lib/modules/*/kernel/drivers/net/ethernet/intel/e1000e/*' \
    './lib/modules/*/modules.order' './lib/modules/*/modules.builtin*'
kver=$(ls "$tree/lib/modules")
depmod -b "$tree" "$kver"
echo "$kver" >"$dest/kver"
cp "$tree/boot/vmlinuz-$kver" "$dest/vmlinuz"

# Decompress the bzImage payload (XZ in Debian's generic kernel) into an ELF with a PVH note.
python3 - "$dest/vmlinuz" "$dest/vmlinux" <<'PY' || rm -f "$dest/vmlinux"
import lzma, sys
data = open(sys.argv[1], "rb").read()
off = data.find(b"\xfd7zXZ\x00")
if off < 0:
    sys.exit("no XZ payload")
elf = lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(data[off:])
if elf[:4] != b"\x7fELF":
    sys.exit("payload is not an ELF")
open(sys.argv[2], "wb").write(elf)
PY
touch "$dest/ready"

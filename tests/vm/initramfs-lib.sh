# SPDX-License-Identifier: MIT
# Shell functions the VM tests' initramfs builders share (sourced, not run): a staging root
# with busybox, binaries copied with every library ldd names at the same paths, pci.ids so
# that names match a replay on the host, and the packing into a gzip'd newc cpio.
#
# Usage: . tests/vm/initramfs-lib.sh; stage_new NAME; ...; stage_pack OUT.cpio.gz
# stage_new sets $stage and removes it when the script exits.

stage_new() {
    stage=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
    trap 'rm -rf "$stage"' EXIT
    chmod 755 "$stage" # mktemp's 0700 would lock non-root guest processes out of /
    mkdir -p "$stage/bin" "$stage/usr/bin" "$stage/usr/sbin" "$stage/proc" "$stage/sys" \
        "$stage/dev" "$stage/etc"
    cp "$(command -v busybox)" "$stage/bin/busybox"
}

# stage_libs FILE...: the dynamic loader and every library the staged binaries link.
stage_libs() {
    for bin in "$@"; do
        [ -f "$bin" ] && ldd "$bin" | awk '/=> \// {print $3} /^\t\// {print $1}'
    done | sort -u | while read -r lib; do
        mkdir -p "$stage$(dirname "$lib")"
        cp -L "$lib" "$stage$lib"
    done
}

stage_pci_ids() {
    for ids in /usr/share/misc/pci.ids /usr/share/hwdata/pci.ids; do
        [ -f "$ids" ] && { mkdir -p "$stage$(dirname "$ids")"; cp "$ids" "$stage$ids"; }
    done
    return 0
}

# stage_pack OUT: the staged root as OUT, written whole or not at all.
stage_pack() {
    (cd "$stage" && find . | sort | cpio -o -H newc --quiet -R 0:0 | gzip -6) >"$1.tmp"
    mv "$1.tmp" "$1"
}

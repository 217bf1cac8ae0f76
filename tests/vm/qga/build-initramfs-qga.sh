#!/bin/sh
# SPDX-License-Identifier: MIT
# Builds the initramfs of the guest-agent scenario (issue 18): busybox, init-qga, QEMU's
# guest agent (qemu-ga from Debian's qemu-guest-agent, with the libraries ldd names),
# ptdiag-agent with its libraries and pci.ids, the virtio console modules from the same
# kernel package the VM boots, and three stand-in agents for the odd cases: one that prints
# a large document (made here from the real agent's document of a guestgen tree), one that
# hangs, and none at all at /usr/bin/no-such-agent.
#
# Usage: build-initramfs-qga.sh KERNEL_DIR PTDIAG_AGENT SRC OUT.cpio.gz
# Writes OUT.big.json next to OUT (the large document, for the byte-for-byte check).
# Exit 77 (skip): no kernel, or qemu-guest-agent not installed.
set -eu
kdir=$1 agent=$2 src=$3 out=$4
. "$src/tests/vm/initramfs-lib.sh"
if [ ! -f "$kdir/ready" ]; then
    echo "build-initramfs-qga: no kernel in $kdir: skipping"
    exit 77
fi
qga=$(command -v qemu-ga || true)
[ -n "$qga" ] || [ ! -x /usr/sbin/qemu-ga ] || qga=/usr/sbin/qemu-ga
if [ -z "$qga" ]; then
    echo "build-initramfs-qga: qemu-ga not installed (Debian package qemu-guest-agent): skipping"
    exit 77
fi
kver=$(cat "$kdir/kver")
deb=${PTDIAG_VM_KERNEL_DEB:-$(ls "$kdir"/dl/*.deb 2>/dev/null | head -n1)}
[ -f "$deb" ] || { echo "build-initramfs-qga: the kernel package is gone from $kdir/dl"; exit 1; }

stage_new ptdvm-qga
ktree=$stage/.ktree
mkdir -p "$stage/tmp" "$stage/run" "$stage/var/run" "$ktree"
echo "root:x:0:0:root:/:/bin/sh" >"$stage/etc/passwd"
echo "root:x:0:" >"$stage/etc/group"
cp "$src/tests/vm/qga/init-qga" "$stage/init"
chmod 755 "$stage/init"
cp "$qga" "$stage/usr/sbin/qemu-ga"
cp "$agent" "$stage/usr/bin/ptdiag-agent"
stage_libs "$stage/usr/sbin/qemu-ga" "$stage/usr/bin/ptdiag-agent"
stage_pci_ids

# The large document: the real agent's document of a guest tree with an Xid storm in its
# kernel log, about 4 MiB of JSON (a guest with a long-running fault).
python3 "$src/tests/fixtures/guest/guestgen.py" "$stage/.guest" rtx3090-xid79 >/dev/null
"$agent" --root "$stage/.guest/rtx3090-xid79" --json >"$stage/.small.json"
python3 - "$stage/.small.json" "$out.big.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
events = doc["kernel_log"]["events"] or []
xid = next(e for e in events if e["kind"] == "nvrm-xid")
storm = []
for i in range(16000):
    e = dict(xid, time_s=round(1000.0 + i * 0.25, 2))
    e["text"] = "NVRM: Xid (PCI:0000:01:00): 79, pid=%d, name=python3, GPU has fallen off the bus." % (4000 + i)
    storm.append(e)
doc["kernel_log"]["events"] = events + storm
open(sys.argv[2], "w").write(json.dumps(doc, indent=2) + "\n")
PY
rm -rf "$stage/.guest" "$stage/.small.json"
mkdir -p "$stage/usr/share/ptdvm"
cp "$out.big.json" "$stage/usr/share/ptdvm/big.json"
printf '#!/bin/sh\n# prints the large document, whatever the arguments\nexec cat /usr/share/ptdvm/big.json\n' \
    >"$stage/usr/bin/ptdiag-agent-large"
printf '#!/bin/sh\n# an agent that never answers (a hung driver call)\nexec sleep 100000\n' \
    >"$stage/usr/bin/ptdiag-agent-hang"
chmod 755 "$stage/usr/bin/ptdiag-agent-large" "$stage/usr/bin/ptdiag-agent-hang"

# virtio-serial: virtio_console and what it needs, from the kernel package the VM boots.
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$ktree" --wildcards \
    './lib/modules/*/kernel/drivers/virtio/*' './lib/modules/*/kernel/drivers/char/virtio_console.ko' \
    './lib/modules/*/modules.order' './lib/modules/*/modules.builtin*'
depmod -b "$ktree" "$kver"
for m in virtio_pci virtio_console; do
    modprobe -d "$ktree" -S "$kver" --show-depends "$m" | awk '$1 == "insmod" {print $2}'
done | awk '!seen[$0]++' >"$stage/.order"
mkdir -p "$stage/lib/modules"
while read -r ko; do cp "$ko" "$stage/lib/modules/"; done <"$stage/.order"
sed 's|.*/||' "$stage/.order" >"$stage/lib/modules/load-order"
rm -rf "$ktree" "$stage/.order"

stage_pack "$out"
echo "build-initramfs-qga: $(du -h "$out" | cut -f1) with $(basename "$qga") $("$qga" -V | head -n1 | sed 's/.*QEMU Guest Agent //')"

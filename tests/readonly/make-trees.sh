#!/bin/sh
# Fixture trees the read-only tests replay with --root (one host, one guest), and an empty
# directory for the runs' own output.
# Usage: make-trees.sh TREES_DIR OUTPUT_DIR
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$1
rm -rf "$out" "$2"
mkdir -p "$out" "$2"
PYTHONPATH="$top/tests/fixtures" python3 -m hostgen rtx3090-vfio "$out/host"
# the preflight reads: /etc/network/interfaces, /proc/self/mountinfo, /sys/dev/block, USB
python3 "$top/tests/host-inventory/test_preflight.py" --make-tree "$out/host-preflight"
# the inventory reads: dpkg status, DMI, efivars, DKMS, /lib/modules, a romfile=
python3 "$top/tests/host-inventory/test_inventory.py" --make-tree "$out/host-inventory"
python3 "$top/tests/fixtures/guest/guestgen.py" "$out/guests" rtx3090-xid79 rx6800-amdgpu >/dev/null
# task logs and a real journal (sd-journal reads it under --root), when journal-remote is there
for jr in /lib/systemd/systemd-journal-remote /usr/lib/systemd/systemd-journal-remote; do
  if [ -x "$jr" ]; then
    python3 "$top/tests/host-logs/make-log-tree.py" "$out/host" "$jr"
    break
  fi
done
chmod -R a+rX "$out"

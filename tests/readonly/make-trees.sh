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
python3 "$top/tests/fixtures/guest/guestgen.py" "$out/guests" rtx3090-xid79 rx6800-amdgpu >/dev/null
chmod -R a+rX "$out"

#!/bin/sh
# Pristine inputs the bad-input cases start from: a host tree and a guest tree from the
# fixture generators, and the documents ptdiag-host / ptdiag-agent make of them.
# Usage: make-fixtures.sh FIXDIR HOST AGENT
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
fix=$1 host=$2 agent=$3
rm -rf "$fix"
mkdir -p "$fix"
PYTHONPATH="$top/tests/fixtures" python3 -m hostgen rtx3090-vfio "$fix/host" >/dev/null
python3 "$top/tests/fixtures/guest/guestgen.py" "$fix/guests" rtx3090-xid79 >/dev/null
mv "$fix/guests/rtx3090-xid79" "$fix/guest"
export PTDIAG_FIXED_TIME=2026-01-01T00:00:00Z
"$host" --root "$fix/host" --json >"$fix/host.json"
if [ -x "$agent" ]; then
    "$agent" --root "$fix/guest" --json >"$fix/guest.json"
fi

#!/bin/sh
# SPDX-License-Identifier: MIT
# systemd-analyze verify on the soak units, in a root that holds this system's own units (for
# timers.target and friends), the units under test and the agent binary they start; the man
# pages they cite are looked up in MANDIR. verify reports unknown keys and bad values on
# stderr without failing, so any output at all is a failure.
# usage: verify_units.sh UNITDIR MANDIR AGENT_BINARY WORKDIR
set -eu
units=$1 mandir=$2 agent=$3 work=$4
rm -rf "$work"
mkdir -p "$work/root/usr/bin" "$work/root/usr/lib/systemd/system" "$work/man/man1" "$work/man/man8"
for d in /usr/lib/systemd/system /lib/systemd/system; do
  [ -d "$d" ] && cp -a "$d/." "$work/root/usr/lib/systemd/system/"
done
cp "$units"/ptdiag-soak.service "$units"/ptdiag-soak.timer "$work/root/usr/lib/systemd/system/"
cp "$agent" "$work/root/usr/bin/ptdiag-agent"
find "$mandir" -name "*.1" -o -name "*.1.gz" | while read -r p; do cp "$p" "$work/man/man1/"; done
find "$mandir" -name "*.8" -o -name "*.8.gz" | while read -r p; do cp "$p" "$work/man/man8/"; done
out=$(MANPATH="$work/man" SYSTEMD_LOG_COLOR=0 timeout 60 systemd-analyze verify \
      --root="$work/root" ptdiag-soak.service ptdiag-soak.timer 2>&1) || {
  echo "systemd-analyze verify failed:"; echo "$out"; exit 1; }
if [ -n "$out" ]; then
  echo "systemd-analyze verify complained:"; echo "$out"; exit 1
fi
echo "verify: ptdiag-soak.service and ptdiag-soak.timer are clean"
# The sandbox, as systemd scores it (lower is better; informational).
timeout 60 systemd-analyze security --offline=yes --root="$work/root" ptdiag-soak.service \
  2>/dev/null | tail -1 || true

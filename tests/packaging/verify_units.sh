#!/bin/sh
# SPDX-License-Identifier: MIT
# systemd-analyze verify on the soak units, in a root that holds this system's own units (for
# timers.target and friends), the units under test and the agent binary they start; the man
# pages they cite are looked up in MANDIR. verify reports unknown keys and bad values on
# stderr without failing, so any output at all is a failure.
# With COLLECTOR (the fleet collector script, issue 18) also ptdiag-collect.service/.timer.
# usage: verify_units.sh UNITDIR MANDIR AGENT_BINARY WORKDIR [COLLECTOR]
set -eu
units=$1 mandir=$2 agent=$3 work=$4 collector=${5:-}
set -- ptdiag-soak.service ptdiag-soak.timer
rm -rf "$work"
mkdir -p "$work/root/usr/bin" "$work/root/usr/lib/systemd/system" "$work/man/man1" "$work/man/man8"
for d in /usr/lib/systemd/system /lib/systemd/system; do
  [ -d "$d" ] && cp -a "$d/." "$work/root/usr/lib/systemd/system/"
done
cp "$units"/ptdiag-soak.service "$units"/ptdiag-soak.timer "$work/root/usr/lib/systemd/system/"
cp "$agent" "$work/root/usr/bin/ptdiag-agent"
if [ -n "$collector" ]; then
  mkdir -p "$work/root/usr/libexec/ptdiag"
  cp "$collector" "$work/root/usr/libexec/ptdiag/ptdiag-collect"
  cp "$units"/ptdiag-collect.service "$units"/ptdiag-collect.timer "$work/root/usr/lib/systemd/system/"
  set -- "$@" ptdiag-collect.service ptdiag-collect.timer
fi
find "$mandir" -name "*.1" -o -name "*.1.gz" | while read -r p; do cp "$p" "$work/man/man1/"; done
find "$mandir" -name "*.8" -o -name "*.8.gz" | while read -r p; do cp "$p" "$work/man/man8/"; done
out=$(MANPATH="$work/man" SYSTEMD_LOG_COLOR=0 timeout 60 systemd-analyze verify \
      --root="$work/root" "$@" 2>&1) || {
  echo "systemd-analyze verify failed:"; echo "$out"; exit 1; }
if [ -n "$out" ]; then
  echo "systemd-analyze verify complained:"; echo "$out"; exit 1
fi
echo "verify: $* are clean"
# The sandbox, as systemd scores it (lower is better; informational).
timeout 60 systemd-analyze security --offline=yes --root="$work/root" ptdiag-soak.service \
  2>/dev/null | tail -1 || true

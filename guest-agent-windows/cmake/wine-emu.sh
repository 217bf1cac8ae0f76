#!/bin/sh
# wine-emu.sh PROGRAM.exe [ARGS...]: runs a Windows test program under Wine for ctest.
# - WINEPREFIX defaults to a private prefix; it is created once (under a lock, so parallel
#   ctest jobs do not race) with crash dialogs off: AeDebug's Debugger="" makes a crash exit
#   with status 5. (WineDbg's ShowCrashDialog=0 would turn a crash into exit 0: not used.)
# - Wine's daemons (services, explorer, ...) are started with stdio on /dev/null before the
#   program, otherwise they inherit ctest's pipe and ctest waits for EOF forever.
# - Whoever starts a session must end it with `wineserver -k` (scripts/test.d/50-windows does).
set -eu
: "${WINEPREFIX:=${TMPDIR:-/tmp}/ptdiag-wineprefix-$(id -u)}"
: "${WINEDEBUG:=-all}"
: "${WINEDLLOVERRIDES:=mscoree,mshtml=}"
export WINEPREFIX WINEDEBUG WINEDLLOVERRIDES
mkdir -p "$(dirname "$WINEPREFIX")"
exec 9>"$WINEPREFIX.lock"
flock -w 280 9
if [ ! -f "$WINEPREFIX/.ptdiag-ready" ]; then
    timeout 240 wineboot -i </dev/null >/dev/null 2>&1 || true
    timeout 60 wine reg add 'HKLM\Software\Microsoft\Windows NT\CurrentVersion\AeDebug' \
        /v Debugger /d '' /f </dev/null >/dev/null 2>&1
    timeout 60 wine reg add 'HKLM\Software\Microsoft\Windows NT\CurrentVersion\AeDebug' \
        /v Auto /d 1 /f </dev/null >/dev/null 2>&1
    timeout 60 wine winecfg /v win10 </dev/null >/dev/null 2>&1
    touch "$WINEPREFIX/.ptdiag-ready"
fi
wineserver -p </dev/null >/dev/null 2>&1 || true
timeout 60 wine cmd /c exit </dev/null >/dev/null 2>&1 || true
flock -u 9
exec 9>&-
exec timeout -k 5 "${PTDIAG_WINE_TIMEOUT:-60}" wine "$@"

#!/bin/sh
# debian-source.sh PACKAGE DESTDIR (run by third_party/debian-sources)
# Unpacks Debian's source package PACKAGE (with Debian's patches applied) into DESTDIR/src,
# for the MinGW build of libraries Debian ships only for Linux (cJSON, cmocka). It never touches
# the system's apt configuration: the deb-src entries are derived from the machine's own apt
# sources into a private list under DESTDIR, and apt verifies the download against the signed
# Release files as usual. Idempotent: an existing DESTDIR/src is kept.
set -eu
pkg=$1
dest=$2
[ -f "$dest/src/.unpacked" ] && exit 0
command -v apt-get >/dev/null || { echo "debian-source: apt-get not found" >&2; exit 1; }
command -v dpkg-source >/dev/null || { echo "debian-source: dpkg-source not found (dpkg-dev)" >&2; exit 1; }

work=$dest/apt
rm -rf "$work" "$dest/src"
mkdir -p "$work/parts" "$work/lists/partial" "$work/cache/archives/partial" "$dest/src"
: >"$work/sources.list"
if [ -f /etc/apt/sources.list ]; then
    sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' /etc/apt/sources.list >>"$work/sources.list"
fi
for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    sed 's/^Types:.*/Types: deb-src/' "$f" >"$work/parts/$(basename "$f")"
done
for f in /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f" >"$work/parts/$(basename "$f")"
done

apt_opts="-o Dir::Etc::SourceList=$work/sources.list -o Dir::Etc::SourceParts=$work/parts
 -o Dir::State::Lists=$work/lists -o Dir::Cache=$work/cache -o APT::Get::List-Cleanup=0
 -o Debug::NoLocking=1 -q"
# shellcheck disable=SC2086
timeout 300 apt-get $apt_opts update >"$work/update.log" 2>&1 ||
    { cat "$work/update.log" >&2; echo "debian-source: apt-get update failed" >&2; exit 1; }
cd "$work"
# shellcheck disable=SC2086
timeout 300 apt-get $apt_opts source --download-only "$pkg" >"$work/source.log" 2>&1 ||
    { cat "$work/source.log" >&2; echo "debian-source: apt-get source $pkg failed" >&2; exit 1; }
dsc=$(ls "$work"/*.dsc | head -n 1)
rmdir "$dest/src"
dpkg-source --no-check -x "$dsc" "$dest/src" >"$work/unpack.log" 2>&1 ||
    { cat "$work/unpack.log" >&2; echo "debian-source: dpkg-source -x $dsc failed" >&2; exit 1; }
basename "$dsc" >"$dest/src/.unpacked"
echo "debian-source: $(basename "$dsc") unpacked into $dest/src"

#!/bin/sh
# ptdiag-agent ships as one binary that any distribution can run: NEEDED holds only libc and
# libpci (NVML and the Vulkan loader are dlopen()ed; libdl/libm are part of glibc), and the
# stripped binary stays under 1 MiB.
set -eu
agent=$1
work=$2
needed=$(objdump -p "$agent" | awk '$1 == "NEEDED" { print $2 }')
echo "NEEDED: $(echo $needed)"
for lib in $needed; do
  case $lib in
    libc.so.*|libpci.so.*|libdl.so.*|libm.so.*|ld-linux*) ;;
    # sanitizer builds add their runtime; a release build never has these
    libasan.so.*|libubsan.so.*|libgcc_s.so.*|libstdc++.so.*)
      [ -n "$(objdump -p "$agent" | grep -c asan || true)" ] && continue
      echo "unexpected run-time dependency: $lib" >&2; exit 1 ;;
    libcjson.so.*)
      # cJSON must be linked statically or... it is a Debian shared library: allowed only
      # when built against the system package (it is on every Debian/Ubuntu with the agent's
      # package dependency); reported so the figure is visible.
      echo "note: $lib is a run-time dependency" ;;
    *) echo "unexpected run-time dependency: $lib" >&2; exit 1 ;;
  esac
done
case " $(echo $needed) " in *" libpci.so."*) ;; *) echo "libpci not linked" >&2; exit 1 ;; esac
for lib in libvulkan libnvidia-ml; do
  if echo "$needed" | grep -q "^$lib"; then echo "$lib must be opened at run time" >&2; exit 1; fi
done
strip -o "$work/ptdiag-agent.stripped" "$agent"
size=$(wc -c < "$work/ptdiag-agent.stripped")
echo "stripped size: $size bytes"
[ "$size" -lt 1048576 ] || { echo "stripped binary is $size bytes, over 1 MiB" >&2; exit 1; }

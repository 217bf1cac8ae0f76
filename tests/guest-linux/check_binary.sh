#!/bin/sh
# check_binary.sh AGENT WORKDIR SANITIZERS(ON|OFF)
# ptdiag-agent ships as one binary any distribution runs: NEEDED holds only libc (with its
# libm) and libpci (NVML and the Vulkan loader are dlopen()ed, cJSON is built in), under 1 MiB
# stripped. A sanitizer build adds its runtimes and size, so only NEEDED is checked there.
set -eu
agent=$1
work=$2
sanitizers=${3:-OFF}
needed=$(objdump -p "$agent" | awk '$1 == "NEEDED" { print $2 }')
echo "NEEDED: $(echo $needed)"
status=0
for lib in $needed; do
  case $lib in
    libc.so.*|libpci.so.*) ;;
    # glibc's own math library: the report engine (the plain run's verdict) calls floor/fabs
    libm.so.*) ;;
    libasan.so.*|libubsan.so.*|libgcc_s.so.*|libstdc++.so.*|libdl.so.*)
      [ "$sanitizers" = ON ] || { echo "unexpected run-time dependency: $lib" >&2; status=1; } ;;
    libcjson.so.*)
      echo "libcjson is a run-time dependency: configure with network access so Debian's" \
           "cJSON source is built in (PTDIAG_AGENT_STATIC_CJSON)" >&2
      status=1 ;;
    libvulkan.so.*|libnvidia-ml.so.*)
      echo "$lib must be opened at run time, not linked" >&2; status=1 ;;
    *) echo "unexpected run-time dependency: $lib" >&2; status=1 ;;
  esac
done
case " $(echo $needed) " in *" libpci.so."*) ;; *) echo "libpci not linked" >&2; status=1 ;; esac
if [ "$sanitizers" != ON ]; then
  strip -o "$work/ptdiag-agent.stripped" "$agent"
  size=$(wc -c < "$work/ptdiag-agent.stripped")
  echo "stripped size: $size bytes"
  [ "$size" -lt 1048576 ] || { echo "stripped binary is $size bytes, over 1 MiB" >&2; status=1; }
fi
exit $status

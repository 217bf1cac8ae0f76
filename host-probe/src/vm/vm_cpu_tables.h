/* SPDX-License-Identifier: MIT */
/*
 * qemu-server@e6352be's fixed CPU tables: the VM-level flag allow-list (CPUFlags.pm), the
 * vendor each named model forces (CPUConfig.pm $cpu_vendor_list) and the builtin x86-64-v*
 * models ($builtin_models_by_arch). Pure lookups; returned strings are static.
 */
#ifndef PTDIAG_VM_CPU_TABLES_H
#define PTDIAG_VM_CPU_TABLES_H

#include <stdbool.h>

/* A flag a VM's own `cpu: ...,flags=` may set (name without +/-). */
bool vm_cpu_flag_allowed(const char *name);

/* "GenuineIntel"/"AuthenticAMD" for a named model; NULL where Proxmox says "default". */
const char *vm_cpu_model_vendor(const char *model);

/* The flags of a builtin model (reported as qemu64), ';'-separated; NULL for other types. */
const char *vm_cpu_builtin_flags(const char *type);

#endif

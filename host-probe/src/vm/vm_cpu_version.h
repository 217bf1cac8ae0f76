/* SPDX-License-Identifier: MIT */
/*
 * The versions qemu-server@e6352be gates the -cpu on: the installed QEMU (pve-qemu-kvm) and
 * the machine version the VM runs with (Machine.pm get_vm_machine, extract_version,
 * windows_get_pinned_machine_version; Helpers.pm min_version). Pure functions on strings: no
 * state, no I/O.
 */
#ifndef PTDIAG_VM_CPU_VERSION_H
#define PTDIAG_VM_CPU_VERSION_H

#include <stdbool.h>
#include <stddef.h>

/* major.minor+pveN; pve is 0 where none is given (Proxmox's "+pve0"). */
struct vm_version {
    int major, minor, pve;
};

/* A QEMU version ("11.0.0", "9.2.0-5" as dpkg gives it, "10.1"): Helpers.pm's
 * ^(\d+)\.(\d+)(\.\d+)?(\+pve\d+)? with each part range-checked (0..9999). */
bool vm_version_parse(const char *text, struct vm_version *out);

/* A machine type's version ("pc-q35-8.1+pve1", "pc-i440fx-5.1.pxe"); false for an unversioned
 * type ("pc", "q35") or a name Proxmox does not version. */
bool vm_version_of_machine(const char *type, struct vm_version *out);

/* Helpers.pm min_version: v >= major.minor+pve. */
bool vm_version_at_least(const struct vm_version *v, int major, int minor, int pve);

/* Machine.pm $PVE_MACHINE_VERSION: the highest +pveN for a QEMU major.minor (0 for most). */
int vm_version_pve_highest(int major, int minor);

/* What get_vm_machine and extract_version make of a VM's machine: the version its -cpu is
 * gated on. qemu is the installed QEMU (NULL: unknown). Returns true with *out set when known;
 * *pinned_windows tells that Proxmox pinned a Windows VM (to meta's creation-qemu from 9.1,
 * else 5.1, or the newest machine where the QEMU cannot run that). */
bool vm_machine_version(const char *machine_type, const char *ostype, const char *meta,
                        const struct vm_version *qemu, struct vm_version *out,
                        bool *pinned_windows);

/* qemu-server windows_version(): wxp/w2k/w2k3 5, w2k8/wvista 6, winN N, other 0. */
int vm_windows_version(const char *ostype);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * The CPU the guest will see: the effective `-cpu` argument, modelled as qemu-server@e6352be
 * builds it (catalogue §1.4, §3.11; CPUConfig.pm get_cpu_options, get_pve_cpu_flags,
 * get_hyperv_enlightenments; QemuServer.pm config_to_command; PCI.pm print_hostpci_devices for
 * x-vga):
 *
 *   cputype (default kvm64, qemu64 without KVM; builtin x86-64-v* report qemu64 plus their
 *   flags; custom-NAME from cpu-models.conf reports its reported-model), `level`, Proxmox's own
 *   flags (+lahf_lm/+sep for kvm64, +kvm_pv_unhalt/+kvm_pv_eoi from machine 2.3, -cet-ibt/-cet-ss
 *   for Windows 11+ on QEMU >= 11, -vmx-mbec for `host` on QEMU >= 11 with a machine older than
 *   11.0), the custom model's flags, the VM's allow-listed `flags` (nested-virt resolved to
 *   vmx/svm by the host vendor), Hyper-V enlightenments for Windows ostypes by machine version
 *   (hv_evmcs for Windows 11+ on Intel from machine 11.0+pve2), `enforce` for non-host types,
 *   kvm=off from `hidden` or any hostpci x-vga=1, hv_vendor_id (the cpu option, or "proxmox"
 *   when x-vga passes a GPU), vendor=, guest-phys-bits, phys-bits. Flags are emitted sorted by
 *   name, as Proxmox's print_cpu_flags does. The machine version is the VM's pinned one, the one
 *   Proxmox pins a Windows VM to (vm_cpu_version.h), or the installed QEMU's. A template starts
 *   as qemu64 without KVM. An `args: -cpu` replaces all of it (QEMU keeps the last -cpu: general
 *   QEMU behaviour, recorded as uncertain).
 *
 * What the model is not sure of goes into the object's `uncertain` list rather than a guess.
 * Reentrant: no state outside the call. Ownership: returned cJSON trees and strings are the
 * caller's.
 */
#ifndef PTDIAG_VM_CPU_FLAGS_H
#define PTDIAG_VM_CPU_FLAGS_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "pve_conf.h"
#include "vm_cpu_cmdline.h"

/* What the host contributes to a VM's -cpu; every member may be NULL (unknown). */
struct vm_cpu_host {
    const cJSON *cpu_models;  /* docs/schema.md `cpu_models` (NULL: cpu-models.conf unreadable) */
    const char *cpu_vendor;   /* "GenuineIntel", "AuthenticAMD" */
    const char *qemu_version; /* the installed QEMU, "11.0.0" (pve-qemu-kvm upstream version) */
};

/* Builds docs/schema.md `vms[].effective_cpu` for the current config section. host may be
 * NULL (nothing known). Never NULL except on allocation failure. */
cJSON *vm_cpu_effective(const struct pve_section *conf, const struct vm_cpu_host *host);

/* Records Proxmox's own answer: sets effective.showcmd_cpu_arg, returns a description of the
 * difference between the model's cpu_arg and showcmd's (NULL when they agree; caller frees),
 * and, when they differ, re-derives kvm_hidden etc. from showcmd and sets source to
 * "qm showcmd". */
char *vm_cpu_apply_showcmd(cJSON *effective, const char *showcmd_cpu_arg);

#endif

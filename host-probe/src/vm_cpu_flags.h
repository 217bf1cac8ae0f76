/* SPDX-License-Identifier: MIT */
/*
 * The CPU the guest will see: the effective `-cpu` argument, modelled as qemu-server@e6352be
 * builds it (catalogue §1.4, §3.11; CPUConfig.pm get_cpu_options, get_pve_cpu_flags,
 * get_hyperv_enlightenments; PCI.pm print_hostpci_devices for x-vga):
 *
 *   cputype (default kvm64; builtin x86-64-v* report qemu64 plus their flags; custom-NAME from
 *   cpu-models.conf reports its reported-model), Proxmox's own flags (+lahf_lm/+sep for kvm64,
 *   +kvm_pv_unhalt/+kvm_pv_eoi from machine 2.3), the custom model's flags, the VM's allow-listed
 *   `flags`, Hyper-V enlightenments for Windows ostypes by machine version, `enforce` for
 *   non-host types, kvm=off from `hidden` or any hostpci x-vga=1, hv_vendor_id (the cpu option,
 *   or "proxmox" when x-vga passes a GPU), vendor=, phys-bits. Flags are emitted sorted by name,
 *   as Proxmox's resolve_cpu_flags does. An `args: -cpu` replaces all of it (QEMU keeps the last
 *   -cpu: general QEMU behaviour, recorded as uncertain).
 *
 * What the model is not sure of goes into the object's `uncertain` list rather than a guess.
 * Ownership: returned cJSON trees and strings are the caller's.
 */
#ifndef PTDIAG_VM_CPU_FLAGS_H
#define PTDIAG_VM_CPU_FLAGS_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "pve_conf.h"

/* Builds docs/schema.md `vms[].effective_cpu` for the current config section.
 * cpu_models is the `cpu_models` array (NULL when cpu-models.conf could not be read);
 * host_cpu_vendor ("GenuineIntel", ...) may be NULL. Never NULL except on allocation failure. */
cJSON *vm_cpu_effective(const struct pve_section *conf, const cJSON *cpu_models,
                        const char *host_cpu_vendor);

/* The value of the last -cpu/--cpu in a command line or `args:` string (shell-style quoting,
 * "\\\n" continuations as in `qm showcmd --pretty`); NULL if none. Caller frees. */
char *vm_cpu_arg_from_cmdline(const char *text);

/* `args` without its -cpu options, words re-quoted for a shell where needed; NULL when
 * nothing else remains (or on allocation failure). Caller frees. */
char *vm_cpu_args_without_cpu(const char *args);

/* Records Proxmox's own answer: sets effective.showcmd_cpu_arg, returns a description of the
 * difference between the model's cpu_arg and showcmd's (NULL when they agree; caller frees),
 * and, when they differ, re-derives kvm_hidden etc. from showcmd and sets source to
 * "qm showcmd". */
char *vm_cpu_apply_showcmd(cJSON *effective, const char *showcmd_cpu_arg);

#endif

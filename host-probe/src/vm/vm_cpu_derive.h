/* SPDX-License-Identifier: MIT */
/*
 * What a -cpu value means for the guest (kvm=off, -hypervisor, hv_vendor_id, the Hyper-V
 * enlightenments), whoever built it: the model, an `args: -cpu`, or `qm showcmd`.
 * Ownership: returned cJSON trees and strings are the caller's.
 */
#ifndef PTDIAG_VM_CPU_DERIVE_H
#define PTDIAG_VM_CPU_DERIVE_H

#include <cjson/cJSON.h>

/* Replaces eff's cpu_model (when the value starts with one), flags, hv_enlightenments,
 * kvm_hidden, hypervisor_bit_hidden and hv_vendor_id with what cpu_arg says. */
void vm_cpu_derive(cJSON *eff, const char *cpu_arg);

/* The enlightenments of model_hv that now_hv lacks ("hv-x" and "hv_x" are the same). */
cJSON *vm_cpu_lost_enlightenments(const cJSON *model_hv, const cJSON *now_hv);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * What the guest's CPUID says about the hypervisor: leaf 1 ECX bit 31 and the leaf
 * 0x40000000 vendor signature. This is the guest-side proof of what the host's hiding
 * flags (kvm=off, -hypervisor, hv_vendor_id) achieved.
 */
#ifndef PTDIAG_CPUID_H
#define PTDIAG_CPUID_H

#include <stdbool.h>

#include <cjson/cJSON.h>

struct ptd_cpuid_view {
    bool available;       /* false off x86 */
    bool hypervisor_bit;  /* CPUID.1:ECX[31] */
    char signature[13];   /* leaf 0x40000000 EBX:ECX:EDX, printable or "" */
    unsigned max_hv_leaf; /* EAX of leaf 0x40000000 */
};

/* Executes CPUID on this CPU. */
void ptd_cpuid_read(struct ptd_cpuid_view *out);

/* Builds the signature string from the three registers, replacing unprintable bytes and
 * trimming trailing NULs; sig must hold 13 bytes. Pure, for tests. */
void ptd_cpuid_signature(unsigned ebx, unsigned ecx, unsigned edx, char sig[13]);

/* Classifies a signature: "kvm" (KVMKVMKVM), "hyperv" (Microsoft Hv), "none" (empty, or no
 * hypervisor bit), or "other" (an hv_vendor_id such as "GenuineIntel" or "proxmox"). */
const char *ptd_cpuid_hypervisor_kind(bool hypervisor_bit, const char *signature);

/* Writes a live read into the guest schema's system.cpuid object, in this order: source
 * ("instruction"), hypervisor_bit, signature, signature_source ("instruction"),
 * hypervisor_kind; all unknown (null, -1) when CPUID is not available. Both agents call it, so that
 * they write the same members. */
void ptd_cpuid_add_json(cJSON *cpuid_obj, const struct ptd_cpuid_view *view);

#endif

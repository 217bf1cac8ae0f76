/* SPDX-License-Identifier: MIT */
#include "ptdiag/cpuid.h"

#include "ptdiag/doc.h"

#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define HAVE_X86_CPUID 1
#endif

void ptd_cpuid_signature(unsigned ebx, unsigned ecx, unsigned edx, char sig[13])
{
    unsigned regs[3] = {ebx, ecx, edx};
    int i, len = 12;

    for (i = 0; i < 12; i++) {
        unsigned char c = (unsigned char)(regs[i / 4] >> (8 * (i % 4)));
        sig[i] = (char)c;
    }
    sig[12] = '\0';
    while (len > 0 && (sig[len - 1] == '\0' || sig[len - 1] == ' '))
        sig[--len] = '\0';
    for (i = 0; i < len; i++)
        if ((unsigned char)sig[i] < 0x20 || (unsigned char)sig[i] > 0x7e)
            sig[i] = '?';
}

void ptd_cpuid_read(struct ptd_cpuid_view *out)
{
    memset(out, 0, sizeof(*out));
#ifdef HAVE_X86_CPUID
    unsigned a, b, c, d;

    out->available = true;
    __cpuid(1, a, b, c, d);
    out->hypervisor_bit = (c >> 31) & 1;
    /* Leaf 0x40000000 is defined only when a hypervisor advertises itself; without the bit,
     * real CPUs return the highest basic leaf's data, which is not a signature. */
    if (out->hypervisor_bit) {
        __cpuid(0x40000000, a, b, c, d);
        out->max_hv_leaf = a;
        ptd_cpuid_signature(b, c, d, out->signature);
    }
#endif
}

const char *ptd_cpuid_hypervisor_kind(bool hypervisor_bit, const char *signature)
{
    if (!signature || !signature[0])
        return hypervisor_bit ? "other" : "none";
    if (strcmp(signature, "KVMKVMKVM") == 0)
        return "kvm";
    if (strcmp(signature, "Microsoft Hv") == 0)
        return "hyperv";
    return "other";
}

void ptd_cpuid_add_json(cJSON *cpuid_obj, const struct ptd_cpuid_view *view)
{
    const char *source = view->available ? "instruction" : NULL;

    ptd_json_add_str(cpuid_obj, "source", source);
    ptd_json_add_tri(cpuid_obj, "hypervisor_bit", view->available ? view->hypervisor_bit : -1);
    ptd_json_add_str(cpuid_obj, "signature", view->available ? view->signature : NULL);
    ptd_json_add_str(cpuid_obj, "signature_source", source);
    ptd_json_add_str(
        cpuid_obj, "hypervisor_kind",
        view->available ? ptd_cpuid_hypervisor_kind(view->hypervisor_bit, view->signature) : NULL);
}

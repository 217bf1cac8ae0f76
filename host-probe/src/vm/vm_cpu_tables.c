/* SPDX-License-Identifier: MIT */
/* qemu-server's CPU tables. See vm_cpu_tables.h. */
#include "vm_cpu_tables.h"

#include <stddef.h>
#include <string.h>

/* The VM-level flag allow-list (CPUFlags.pm, catalogue §1.4). */
bool vm_cpu_flag_allowed(const char *name)
{
    static const char *const allowed[] = {
        "nested-virt", "md-clear",   "pcid",    "spec-ctrl",   "ssbd",     "ibpb", "virt-ssbd",
        "amd-ssbd",    "amd-no-ssb", "pdpe1gb", "hv-tlbflush", "hv-evmcs", "aes",  NULL,
    };
    size_t i;

    for (i = 0; allowed[i]; i++)
        if (!strcmp(name, allowed[i]))
            return true;
    return false;
}

/* Vendor forced for named models (cpu_vendor_list); NULL for "default". */
const char *vm_cpu_model_vendor(const char *model)
{
    static const char *const intel[] = {
        "486",     "pentium",        "coreduo",       "core2duo",    "Conroe",
        "Penryn",  "Nehalem",        "Westmere",      "SandyBridge", "IvyBridge",
        "Haswell", "Broadwell",      "Skylake",       "Cascadelake", "Cooperlake",
        "Icelake", "SapphireRapids", "GraniteRapids", "KnightsMill", NULL,
    };
    static const char *const amd[] = {"athlon", "phenom", "Opteron", "EPYC", NULL};
    size_t i;

    for (i = 0; intel[i]; i++)
        if (!strncmp(model, intel[i], strlen(intel[i])))
            return "GenuineIntel";
    for (i = 0; amd[i]; i++)
        if (!strncmp(model, amd[i], strlen(amd[i])))
            return "AuthenticAMD";
    return NULL;
}

/* Builtin models that report another model plus flags (CPUConfig.pm $builtin_models). */
const char *vm_cpu_builtin_flags(const char *type)
{
    if (!strcmp(type, "x86-64-v2"))
        return "+popcnt;+pni;+sse4.1;+sse4.2;+ssse3";
    if (!strcmp(type, "x86-64-v2-AES"))
        return "+aes;+popcnt;+pni;+sse4.1;+sse4.2;+ssse3";
    if (!strcmp(type, "x86-64-v3"))
        return "+aes;+popcnt;+pni;+sse4.1;+sse4.2;+ssse3;+avx;+avx2;+bmi1;+bmi2;+f16c;+fma;"
               "+abm;+movbe;+xsave";
    if (!strcmp(type, "x86-64-v4"))
        return "+aes;+popcnt;+pni;+sse4.1;+sse4.2;+ssse3;+avx;+avx2;+bmi1;+bmi2;+f16c;+fma;"
               "+abm;+movbe;+xsave;+avx512f;+avx512bw;+avx512cd;+avx512dq;+avx512vl";
    return NULL;
}

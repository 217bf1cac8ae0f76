/* SPDX-License-Identifier: MIT */
/* Facts read back from a -cpu value, and Proxmox's own answer beside the model's. See
 * vm_cpu_derive.h. */
#include "vm_cpu_derive.h"
#include "vm_cpu_flags.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"

/* hv flag name normalised: "hv-relaxed" and "hv_relaxed" are the same QEMU property. */
static void hv_norm(const char *tok, char *out, size_t outlen)
{
    size_t i, n = strcspn(tok, "=");

    if (n >= outlen)
        n = outlen - 1;
    for (i = 0; i < n; i++)
        out[i] = tok[i] == '-' ? '_' : tok[i];
    out[n] = '\0';
}

/* Derives kvm_hidden, hypervisor_bit_hidden, hv_vendor_id, hv_enlightenments, flags from a
 * -cpu value and replaces those members of eff. */
void vm_cpu_derive(cJSON *eff, const char *cpu_arg)
{
    char *copy = strdup(cpu_arg ? cpu_arg : ""), *tok, *save = NULL, norm[64];
    cJSON *flags = cJSON_CreateArray(), *hv = cJSON_CreateArray();
    const char *vendor = NULL;
    bool kvm_off = false, hyp_off = false, first = true;

    for (tok = copy ? strtok_r(copy, ",", &save) : NULL; tok; tok = strtok_r(NULL, ",", &save)) {
        if (first && !strchr(tok, '=') && tok[0] != '+' && tok[0] != '-') {
            cJSON_ReplaceItemInObject(eff, "cpu_model", cJSON_CreateString(tok));
            first = false;
            continue;
        }
        first = false;
        cJSON_AddItemToArray(flags, cJSON_CreateString(tok));
        hv_norm(tok[0] == '+' || tok[0] == '-' ? tok + 1 : tok, norm, sizeof(norm));
        if (!strcmp(tok, "kvm=off") || !strcmp(tok, "-kvm") || !strcmp(tok, "kvm=false"))
            kvm_off = true;
        else if (!strcmp(tok, "-hypervisor") || !strcmp(tok, "hypervisor=off") ||
                 !strcmp(tok, "hypervisor=false"))
            hyp_off = true;
        else if (!strcmp(norm, "hv_vendor_id"))
            vendor = strchr(tok, '=') ? strchr(tok, '=') + 1 : NULL;
        else if (!strncmp(norm, "hv_", 3) && tok[0] != '-' && !strstr(tok, "=off"))
            cJSON_AddItemToArray(hv, cJSON_CreateString(tok[0] == '+' ? tok + 1 : tok));
    }
    cJSON_ReplaceItemInObject(eff, "flags", flags);
    cJSON_ReplaceItemInObject(eff, "hv_enlightenments", hv);
    cJSON_ReplaceItemInObject(eff, "kvm_hidden", cJSON_CreateBool(kvm_off));
    cJSON_ReplaceItemInObject(eff, "hypervisor_bit_hidden", cJSON_CreateBool(hyp_off));
    cJSON_ReplaceItemInObject(eff, "hv_vendor_id",
                              vendor ? cJSON_CreateString(vendor) : cJSON_CreateNull());
    free(copy);
}

/* Names (normalised) of hv enlightenments in `have` missing from `want`. */
cJSON *vm_cpu_lost_enlightenments(const cJSON *model_hv, const cJSON *now_hv)
{
    cJSON *lost = cJSON_CreateArray();
    const cJSON *a, *b;
    char na[64], nb[64];

    cJSON_ArrayForEach(a, model_hv)
    {
        bool found = false;
        hv_norm(a->valuestring, na, sizeof(na));
        if (!strcmp(na, "hv_vendor_id"))
            continue;
        cJSON_ArrayForEach(b, now_hv)
        {
            hv_norm(b->valuestring, nb, sizeof(nb));
            found |= !strcmp(na, nb);
        }
        if (!found)
            cJSON_AddItemToArray(lost, cJSON_CreateString(a->valuestring));
    }
    return lost;
}

/* Appends to out (comma-separated) each token of `from` that `in` lacks; returns the new
 * length. Whole tokens only: ",kvm=off," is looked for in ",IN,". */
static size_t tokens_missing(const char *from, const char *in, char *out, size_t outlen)
{
    char *copy = strdup(from), *t, *s = NULL, *wrapped;
    size_t o = strlen(out), n = strlen(in) + 3;

    wrapped = malloc(n);
    if (copy && wrapped) {
        snprintf(wrapped, n, ",%s,", in);
        for (t = strtok_r(copy, ",", &s); t; t = strtok_r(NULL, ",", &s)) {
            char probe[200];
            snprintf(probe, sizeof(probe), ",%s,", t);
            if (!strstr(wrapped, probe) && o < outlen)
                o += (size_t)snprintf(out + o, outlen - o, "%s%s", o ? "," : "", t);
        }
    }
    free(wrapped);
    free(copy);
    return o < outlen ? o : outlen - 1;
}

/* "only in model: ...; only in qm showcmd: ..." or NULL when both hold the same tokens. */
static char *token_diff(const char *a, const char *b)
{
    char only_a[1024] = "", only_b[1024] = "", *out = NULL;
    size_t la = tokens_missing(a, b, only_a, sizeof(only_a));
    size_t lb = tokens_missing(b, a, only_b, sizeof(only_b));

    if (la || lb) {
        size_t n = la + lb + 64;
        out = malloc(n);
        if (out)
            snprintf(out, n, "only in model: %s; only in qm showcmd: %s", la ? only_a : "-",
                     lb ? only_b : "-");
    }
    return out;
}

char *vm_cpu_apply_showcmd(cJSON *eff, const char *showcmd_cpu_arg)
{
    const char *model = ptd_json_get_str(eff, "cpu_arg");
    char *diff;

    cJSON_ReplaceItemInObject(eff, "showcmd_cpu_arg", cJSON_CreateString(showcmd_cpu_arg));
    diff = token_diff(model ? model : "", showcmd_cpu_arg);
    if (diff) {
        cJSON_ReplaceItemInObject(eff, "source", cJSON_CreateString("qm showcmd"));
        cJSON_ReplaceItemInObject(eff, "cpu_arg", cJSON_CreateString(showcmd_cpu_arg));
        vm_cpu_derive(eff, showcmd_cpu_arg);
    }
    return diff;
}

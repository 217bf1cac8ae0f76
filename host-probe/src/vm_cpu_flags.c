/* SPDX-License-Identifier: MIT */
/* The effective -cpu model. See vm_cpu_flags.h for the Proxmox source it follows. */
#include "vm_cpu_flags.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"

#include "pve_cpu_models.h"

#define MAX_FLAGS 96

struct flag {
    char name[64];   /* sort key: the flag without +/- or =value */
    char token[160]; /* as emitted: "+aes", "kvm=off", "hv_relaxed" */
};

struct flagset {
    struct flag f[MAX_FLAGS];
    size_t n;
};

/* Sets a flag; a later setting of the same name replaces the earlier (resolve_cpu_flags). */
static void flag_set(struct flagset *fs, const char *name, const char *token)
{
    size_t i;

    for (i = 0; i < fs->n; i++) {
        if (!strcmp(fs->f[i].name, name)) {
            snprintf(fs->f[i].token, sizeof(fs->f[i].token), "%s", token);
            return;
        }
    }
    if (fs->n == MAX_FLAGS)
        return;
    snprintf(fs->f[fs->n].name, sizeof(fs->f[0].name), "%s", name);
    snprintf(fs->f[fs->n].token, sizeof(fs->f[0].token), "%s", token);
    fs->n++;
}

/* Adds a "+name"/"-name" or "name=value" or "name" token. */
static void flag_token(struct flagset *fs, const char *tok)
{
    char name[64];
    const char *start = tok;
    size_t n;

    if (*start == '+' || *start == '-')
        start++;
    n = strcspn(start, "=");
    if (n >= sizeof(name))
        n = sizeof(name) - 1;
    memcpy(name, start, n);
    name[n] = '\0';
    flag_set(fs, name, tok);
}

static int flag_cmp(const void *a, const void *b)
{
    return strcmp(((const struct flag *)a)->name, ((const struct flag *)b)->name);
}

/* windows_version() in qemu-server: wxp/w2k/w2k3 5, w2k8/wvista 6, winN N, else 0. */
static int windows_version(const char *ostype)
{
    if (!ostype)
        return 0;
    if (!strcmp(ostype, "wxp") || !strcmp(ostype, "w2k") || !strcmp(ostype, "w2k3"))
        return 5;
    if (!strcmp(ostype, "w2k8") || !strcmp(ostype, "wvista"))
        return 6;
    if (!strncmp(ostype, "win", 3) && isdigit((unsigned char)ostype[3]))
        return atoi(ostype + 3);
    return 0;
}

/* The VM-level flag allow-list (CPUFlags.pm, catalogue §1.4). */
static bool vm_flag_allowed(const char *name)
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
static const char *model_vendor(const char *model)
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
static const char *builtin_flags(const char *type)
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

static void add_flag_list(struct flagset *fs, const char *list)
{
    char *copy = strdup(list ? list : ""), *tok, *save = NULL;

    for (tok = copy ? strtok_r(copy, ";", &save) : NULL; tok; tok = strtok_r(NULL, ";", &save))
        flag_token(fs, tok);
    free(copy);
}

static void note(cJSON *uncertain, const char *text)
{
    cJSON_AddItemToArray(uncertain, cJSON_CreateString(text));
}

/* Machine "pc-q35-8.1+pve1" -> 8, 1; unversioned -> false. */
static bool machine_version(const char *machine, int *maj, int *min)
{
    const char *p;

    if (!machine)
        return false;
    for (p = machine; *p; p++) {
        if (*p == '-' && isdigit((unsigned char)p[1]) && sscanf(p + 1, "%d.%d", maj, min) == 2)
            return true;
    }
    return false;
}

/* min_version() with an unversioned machine meaning the installed QEMU, which on any
 * supported Proxmox release (QEMU >= 6) is past every threshold used here (<= 3.1). */
static bool at_least(bool known, int maj, int min, int want_maj, int want_min)
{
    if (!known)
        return true;
    return maj > want_maj || (maj == want_maj && min >= want_min);
}

/* Shell-style split of text into a NULL-terminated vector (caller frees with free_words). */
static char **split_words(const char *text, size_t *count)
{
    size_t cap = 16, n = 0, len = strlen(text), o;
    char **v = calloc(cap, sizeof(*v)), *w = malloc(len + 1);
    const char *p = text;

    if (!v || !w)
        goto fail;
    while (*p) {
        bool any = false;
        while (*p && (isspace((unsigned char)*p) || (*p == '\\' && p[1] == '\n'))) {
            p += *p == '\\' ? 2 : 1;
        }
        if (!*p)
            break;
        o = 0;
        while (*p && !isspace((unsigned char)*p)) {
            any = true;
            if (*p == '\'') {
                for (p++; *p && *p != '\''; p++)
                    w[o++] = *p;
                if (*p)
                    p++;
            } else if (*p == '"') {
                for (p++; *p && *p != '"'; p++) {
                    if (*p == '\\' && p[1])
                        p++;
                    w[o++] = *p;
                }
                if (*p)
                    p++;
            } else if (*p == '\\' && p[1]) {
                if (p[1] == '\n') {
                    p += 2;
                    continue;
                }
                w[o++] = p[1];
                p += 2;
            } else {
                w[o++] = *p++;
            }
        }
        if (!any)
            continue;
        w[o] = '\0';
        if (n + 1 >= cap) {
            char **g = realloc(v, cap * 2 * sizeof(*v));
            if (!g)
                goto fail;
            v = g;
            cap *= 2;
        }
        if (!(v[n++] = strdup(w)))
            goto fail;
        v[n] = NULL;
    }
    free(w);
    *count = n;
    return v;
fail:
    if (v)
        for (o = 0; o < n; o++)
            free(v[o]);
    free(v);
    free(w);
    return NULL;
}

static void free_words(char **v)
{
    size_t i;

    for (i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

char *vm_cpu_arg_from_cmdline(const char *text)
{
    size_t n = 0, i;
    char **w = split_words(text ? text : "", &n), *ret = NULL;

    if (!w)
        return NULL;
    for (i = 0; i + 1 < n; i++)
        if (!strcmp(w[i], "-cpu") || !strcmp(w[i], "--cpu")) {
            free(ret);
            ret = strdup(w[i + 1]);
        }
    free_words(w);
    return ret;
}

char *vm_cpu_args_without_cpu(const char *args)
{
    size_t n = 0, i, o = 0, cap;
    char **w = split_words(args ? args : "", &n), *out;

    if (!w)
        return NULL;
    cap = strlen(args ? args : "") * 4 + 16;
    out = malloc(cap);
    for (i = 0; out && i < n; i++) {
        const char *p;
        if ((!strcmp(w[i], "-cpu") || !strcmp(w[i], "--cpu")) && i + 1 < n) {
            i++;
            continue;
        }
        if (o)
            out[o++] = ' ';
        /* re-quote words a shell would split or expand */
        if (!*w[i] || strpbrk(w[i], " \t'\"\\$`;&|<>()*?[]#~")) {
            out[o++] = '\'';
            for (p = w[i]; *p; p++) {
                if (*p == '\'') {
                    memcpy(out + o, "'\\''", 4);
                    o += 4;
                } else {
                    out[o++] = *p;
                }
            }
            out[o++] = '\'';
        } else {
            size_t l = strlen(w[i]);
            memcpy(out + o, w[i], l);
            o += l;
        }
    }
    free_words(w);
    if (!out)
        return NULL;
    out[o] = '\0';
    if (!o) {
        free(out);
        return NULL;
    }
    return out;
}

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
static void derive_from_cpu_arg(cJSON *eff, const char *cpu_arg)
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
static cJSON *lost_enlightenments(const cJSON *model_hv, const cJSON *now_hv)
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

/* True when any hostpciN of the section has x-vga on. */
static bool any_xvga(const struct pve_section *conf)
{
    size_t i;

    for (i = 0; i < conf->count; i++) {
        struct pve_props p;
        struct ptd_error err;
        bool on;
        if (strncmp(conf->kv[i].key, "hostpci", 7) ||
            pve_props_parse(conf->kv[i].value, "host", &p, &err) != 0)
            continue;
        on = pve_parse_bool(pve_props_get(&p, "x-vga")) == 1;
        pve_props_free(&p);
        if (on)
            return true;
    }
    return false;
}

cJSON *vm_cpu_effective(const struct pve_section *conf, const cJSON *cpu_models,
                        const char *host_cpu_vendor)
{
    static struct flagset fs; /* large; the probe is single-threaded */
    cJSON *eff = cJSON_CreateObject(), *uncertain, *model_hv, *lost;
    const char *ostype = pve_section_get(conf, "ostype");
    const char *bios = pve_section_get(conf, "bios");
    const char *cpu_str = pve_section_get(conf, "cpu");
    const char *hv_vendor = NULL, *phys_bits = NULL, *reported = NULL, *vendor, *builtin;
    struct pve_props cpu = {0}, mach = {0};
    struct ptd_error err;
    char cputype[64], buf[2048], *args_cpu = NULL;
    int winver = windows_version(ostype), maj = 0, min = 0, hidden = -1, kvm;
    bool mver, kvm_off, xvga = any_xvga(conf), hv_on;
    const cJSON *custom = NULL;
    size_t i;

    if (!eff)
        return NULL;
    memset(&fs, 0, sizeof(fs));
    ptd_json_add_str(eff, "source", "model");
    uncertain = cJSON_CreateArray();
    kvm = pve_parse_bool(pve_section_get(conf, "kvm"));
    kvm = kvm < 0 ? 1 : kvm;
    if (pve_section_get(conf, "arch") && strcmp(pve_section_get(conf, "arch"), "x86_64"))
        note(uncertain, "arch is not x86_64: the model covers x86_64 guests only");

    if (pve_props_parse(pve_section_get(conf, "machine"), "type", &mach, &err) != 0)
        note(uncertain, "machine option unparseable; machine version unknown");
    mver = machine_version(pve_props_get(&mach, "type"), &maj, &min);
    if (!mver && winver)
        note(uncertain, "machine version not pinned: taken as the installed QEMU's (or the "
                        "version Proxmox pins for Windows), which meets every enlightenment "
                        "threshold (<= 3.1)");

    snprintf(cputype, sizeof(cputype), "%s", kvm ? "kvm64" : "qemu64");
    if (cpu_str) {
        if (pve_props_parse(cpu_str, "cputype", &cpu, &err) != 0) {
            snprintf(buf, sizeof(buf),
                     "cpu option '%s' unparseable (%s): Proxmox would skip "
                     "it and use the default kvm64",
                     cpu_str, err.text);
            note(uncertain, buf);
        }
    }
    for (i = 0; i < cpu.count; i++) {
        const char *k = cpu.items[i].key;
        if (strcmp(k, "cputype") && strcmp(k, "hidden") && strcmp(k, "hv-vendor-id") &&
            strcmp(k, "flags") && strcmp(k, "phys-bits") && strcmp(k, "hugepages") &&
            strcmp(k, "reported-model")) {
            snprintf(buf, sizeof(buf), "cpu option has unknown key '%s'", k);
            note(uncertain, buf);
        }
    }
    if (pve_props_get(&cpu, "flags")) {
        /* A flag outside the allow-list makes the whole cpu option invalid for Proxmox. */
        char *copy = strdup(pve_props_get(&cpu, "flags")), *tok, *save = NULL;
        bool bad = false;
        for (tok = copy ? strtok_r(copy, ";", &save) : NULL; tok;
             tok = strtok_r(NULL, ";", &save)) {
            const char *nm = (*tok == '+' || *tok == '-') ? tok + 1 : tok;
            if (!vm_flag_allowed(nm)) {
                snprintf(buf, sizeof(buf),
                         "cpu flags: '%s' is not in the VM-level allow-list: "
                         "Proxmox rejects the cpu option (\"VM-specific CPU flags "
                         "must be a subset of: ...\"); modelled without the VM's "
                         "flags; how a hand-edited config then starts is not "
                         "modelled. Use a custom CPU model",
                         tok);
                note(uncertain, buf);
                bad = true;
            }
        }
        free(copy);
        cJSON_AddItemToObject(eff, "invalid_vm_flags", cJSON_CreateBool(bad));
    }
    if (pve_props_get(&cpu, "cputype"))
        snprintf(cputype, sizeof(cputype), "%s", pve_props_get(&cpu, "cputype"));
    ptd_json_add_str(eff, "cpu_type", cputype);

    /* cputype -> reported model (get_cpu_options); flags are added below in Proxmox's order */
    if ((builtin = builtin_flags(cputype))) {
        snprintf(cputype, sizeof(cputype), "qemu64");
    } else if (!strncmp(cputype, "custom-", 7)) {
        custom = cpu_models ? pve_cpu_model_find(cpu_models, cputype + 7) : NULL;
        if (!custom) {
            snprintf(buf, sizeof(buf), "custom CPU model '%s' %s: Proxmox refuses to start the VM",
                     cputype + 7,
                     cpu_models ? "is not in cpu-models.conf"
                                : "unknown (cpu-models.conf unreadable)");
            note(uncertain, buf);
        }
        reported = custom ? ptd_json_get_str(custom, "reported_model") : NULL;
        snprintf(cputype, sizeof(cputype), "%s", reported ? reported : "kvm64");
        /* get_custom_model keeps only true values: a model's "hidden 0" is no setting */
        if (custom && ptd_json_get_tri(custom, "hidden") == 1)
            hidden = 1;
        if (custom && ptd_json_get_str(custom, "hv_vendor_id") &&
            *ptd_json_get_str(custom, "hv_vendor_id"))
            hv_vendor = ptd_json_get_str(custom, "hv_vendor_id");
        if (custom)
            phys_bits = ptd_json_get_str(custom, "phys_bits");
    }
    if (!strncmp(cputype, "Icelake-Client", 14)) { /* $depreacated_cpu_map */
        char tail[64];
        snprintf(tail, sizeof(tail), "%s", cputype + 14);
        snprintf(cputype, sizeof(cputype), "Icelake-Server%.40s", tail);
    }
    /* VM-specific settings override the custom model */
    if (pve_props_get(&cpu, "hidden"))
        hidden = pve_parse_bool(pve_props_get(&cpu, "hidden"));
    if (pve_props_get(&cpu, "hv-vendor-id"))
        hv_vendor = pve_props_get(&cpu, "hv-vendor-id");
    if (pve_props_get(&cpu, "phys-bits"))
        phys_bits = pve_props_get(&cpu, "phys-bits");
    /* kvm=off: x-vga sets it; a defined hidden (an explicit hidden=0 too) decides over it */
    kvm_off = xvga;
    if (hidden >= 0)
        kvm_off = hidden == 1;

    /* resolve_cpu_flags order: PVE, Hyper-V, builtin model, custom model, VM, forced; a later
     * setting of the same flag replaces an earlier one. get_pve_cpu_flags: */
    if (!strcmp(cputype, "kvm64")) {
        flag_token(&fs, "+lahf_lm");
        flag_token(&fs, "+sep");
    } else if (!strcmp(cputype, "kvm32")) {
        flag_token(&fs, "+sep");
    }
    if (ostype && !strcmp(ostype, "solaris"))
        flag_token(&fs, "-x2apic");
    if (!strncmp(cputype, "Opteron", 7))
        flag_token(&fs, "-rdtscp");
    if (kvm && at_least(mver, maj, min, 2, 3)) {
        flag_token(&fs, "+kvm_pv_unhalt");
        flag_token(&fs, "+kvm_pv_eoi");
    }

    /* get_hyperv_enlightenments: Windows >= 6 (Vista) with KVM; OVMF only from Windows 8. */
    model_hv = cJSON_CreateArray();
    hv_on = kvm && winver >= 6 && !(bios && !strcmp(bios, "ovmf") && winver < 8);
    if (hv_on) {
        if (xvga || hv_vendor) {
            snprintf(buf, sizeof(buf), "hv_vendor_id=%s", hv_vendor ? hv_vendor : "proxmox");
            flag_set(&fs, "hv_vendor_id", buf);
        }
        if (at_least(mver, maj, min, 2, 3)) {
            flag_set(&fs, "hv_spinlocks", "hv_spinlocks=0x1fff");
            flag_set(&fs, "hv_vapic", "hv_vapic");
            flag_set(&fs, "hv_time", "hv_time");
        } else {
            flag_set(&fs, "hv_spinlocks", "hv_spinlocks=0xffff");
        }
        if (at_least(mver, maj, min, 2, 6)) {
            flag_set(&fs, "hv_reset", "hv_reset");
            flag_set(&fs, "hv_vpindex", "hv_vpindex");
            flag_set(&fs, "hv_runtime", "hv_runtime");
        }
        if (winver >= 7) {
            flag_set(&fs, "hv_relaxed", "hv_relaxed");
            if (at_least(mver, maj, min, 2, 12)) {
                flag_set(&fs, "hv_synic", "hv_synic");
                flag_set(&fs, "hv_stimer", "hv_stimer");
            }
            if (at_least(mver, maj, min, 3, 1))
                flag_set(&fs, "hv_ipi", "hv_ipi");
        }
        if (winver >= 11 && host_cpu_vendor && !strcmp(host_cpu_vendor, "GenuineIntel"))
            note(uncertain, "hv_evmcs: the catalogue (§1.4) says Proxmox adds it for Windows 11 "
                            "on Intel with newer machine versions; the CPUConfig.pm read for "
                            "this model has no such rule, so it is not modelled");
    } else if (hv_vendor && kvm) {
        note(uncertain, "hv-vendor-id is set but the ostype gets no Hyper-V enlightenments, so "
                        "Proxmox does not pass it on");
    }
    if (builtin)
        add_flag_list(&fs, builtin);
    if (custom) {
        const cJSON *f, *fl = cJSON_GetObjectItemCaseSensitive(custom, "flags");
        cJSON_ArrayForEach(f, fl)
        {
            if (cJSON_IsString(f))
                flag_token(&fs, f->valuestring);
        }
    }
    if (pve_props_get(&cpu, "flags") && !cJSON_IsTrue(cJSON_GetObjectItem(eff, "invalid_vm_flags")))
        add_flag_list(&fs, pve_props_get(&cpu, "flags"));

    /* forced flags */
    if (strcmp(cputype, "host") && kvm)
        flag_set(&fs, "enforce", "enforce");
    if (kvm_off)
        flag_set(&fs, "kvm", "kvm=off");
    if ((vendor = model_vendor(cputype))) {
        snprintf(buf, sizeof(buf), "vendor=%s", vendor);
        flag_set(&fs, "vendor", buf);
    }
    qsort(fs.f, fs.n, sizeof(fs.f[0]), flag_cmp);
    {
        size_t o = (size_t)snprintf(buf, sizeof(buf), "%s", cputype);
        for (i = 0; i < fs.n && o < sizeof(buf); i++)
            o += (size_t)snprintf(buf + o, sizeof(buf) - o, ",%s", fs.f[i].token);
        if (phys_bits && o < sizeof(buf)) {
            if (!strcmp(phys_bits, "host"))
                snprintf(buf + o, sizeof(buf) - o, ",host-phys-bits=true");
            else
                snprintf(buf + o, sizeof(buf) - o, ",phys-bits=%s", phys_bits);
        }
    }
    ptd_json_add_str(eff, "cpu_model", cputype);
    ptd_json_add_str(eff, "model_cpu_arg", buf);
    ptd_json_add_str(eff, "cpu_arg", buf);
    cJSON_AddNullToObject(eff, "flags");
    cJSON_AddNullToObject(eff, "hv_enlightenments");
    cJSON_AddNullToObject(eff, "kvm_hidden");
    cJSON_AddNullToObject(eff, "hypervisor_bit_hidden");
    cJSON_AddNullToObject(eff, "hv_vendor_id");
    derive_from_cpu_arg(eff, buf);
    cJSON_Delete(model_hv);
    model_hv = cJSON_Duplicate(cJSON_GetObjectItem(eff, "hv_enlightenments"), 1);
    ptd_json_add_num(eff, "windows_version", winver, winver > 0);
    if (mver) {
        snprintf(buf, sizeof(buf), "%d.%d", maj, min);
        ptd_json_add_str(eff, "machine_version", buf);
    } else {
        ptd_json_add_str(eff, "machine_version", NULL);
    }
    ptd_json_add_str(eff, "phys_bits", phys_bits);

    /* args: -cpu replaces everything above */
    args_cpu = vm_cpu_arg_from_cmdline(pve_section_get(conf, "args"));
    cJSON_AddBoolToObject(eff, "args_replaces_cpu", args_cpu != NULL);
    ptd_json_add_str(eff, "args_cpu", args_cpu);
    if (args_cpu) {
        cJSON_ReplaceItemInObject(eff, "cpu_arg", cJSON_CreateString(args_cpu));
        derive_from_cpu_arg(eff, args_cpu);
        note(uncertain, "args -cpu: Proxmox appends args after its own -cpu; that QEMU keeps the "
                        "last -cpu is general QEMU behaviour, not verified here");
    }
    lost = lost_enlightenments(model_hv, cJSON_GetObjectItem(eff, "hv_enlightenments"));
    cJSON_AddItemToObject(eff, "lost_enlightenments", lost);
    cJSON_AddItemToObject(eff, "uncertain", uncertain);
    cJSON_AddNullToObject(eff, "showcmd_cpu_arg");
    cJSON_Delete(model_hv);
    free(args_cpu);
    pve_props_free(&cpu);
    pve_props_free(&mach);
    return eff;
}

/* Splits a -cpu value into a sorted set of flag tokens (model first); for comparisons. */
static char *token_diff(const char *a, const char *b)
{
    char *ca = strdup(a), *cb = strdup(b), *t, *s = NULL;
    char only_a[1024] = "", only_b[1024] = "", *out = NULL;
    size_t la = 0, lb = 0;

    if (!ca || !cb)
        goto out;
    for (t = strtok_r(ca, ",", &s); t; t = strtok_r(NULL, ",", &s)) {
        char probe[200], wrapped[2100];
        snprintf(probe, sizeof(probe), ",%s,", t);
        snprintf(wrapped, sizeof(wrapped), ",%s,", b);
        if (!strstr(wrapped, probe) && la < sizeof(only_a))
            la += (size_t)snprintf(only_a + la, sizeof(only_a) - la, "%s%s", la ? "," : "", t);
    }
    for (t = strtok_r(cb, ",", &s); t; t = strtok_r(NULL, ",", &s)) {
        char probe[200], wrapped[2100];
        snprintf(probe, sizeof(probe), ",%s,", t);
        snprintf(wrapped, sizeof(wrapped), ",%s,", a);
        if (!strstr(wrapped, probe) && lb < sizeof(only_b))
            lb += (size_t)snprintf(only_b + lb, sizeof(only_b) - lb, "%s%s", lb ? "," : "", t);
    }
    if (la || lb) {
        size_t n = la + lb + 64;
        out = malloc(n);
        if (out)
            snprintf(out, n, "only in model: %s; only in qm showcmd: %s", la ? only_a : "-",
                     lb ? only_b : "-");
    }
out:
    free(ca);
    free(cb);
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
        derive_from_cpu_arg(eff, showcmd_cpu_arg);
    }
    return diff;
}

/* SPDX-License-Identifier: MIT */
/* The effective -cpu model. See vm_cpu_flags.h for the Proxmox source it follows. */
#include "vm_cpu_flags.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"

#include "pve_cpu_models.h"
#include "vm_cpu_derive.h"
#include "vm_cpu_tables.h"
#include "vm_cpu_version.h"

#define MAX_FLAGS 96

struct flag {
    char name[64];   /* sort key: the flag without +/- or =value */
    char token[160]; /* as emitted: "+aes", "kvm=off", "hv_relaxed" */
};

struct flagset {
    struct flag f[MAX_FLAGS];
    size_t n;
};

/* One call's state: what is known about the VM and its host, and the flags so far. */
struct model {
    const struct pve_section *conf;
    const struct vm_cpu_host *host;
    bool template;        /* started as Proxmox's minimal template config */
    struct flagset *fs;   /* owned */
    cJSON *uncertain;     /* borrowed from the result */
    struct pve_props cpu; /* the VM's cpu option; owned */
    const cJSON *custom;  /* its custom model, borrowed from host->cpu_models */
    const char *builtin;  /* builtin model flags or NULL */
    char cputype[64];     /* as reported to QEMU */
    int winver, kvm;
    struct vm_version qemu, mach;
    bool qemu_known, mach_known, mach_pinned_windows;
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

static void note(cJSON *uncertain, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(cJSON *uncertain, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    cJSON_AddItemToArray(uncertain, cJSON_CreateString(buf));
}

/* A config key as config_to_command sees it: a template's config is reduced to its disks,
 * bios, scsihw and name, with kvm 0 (none of which but kvm reaches the -cpu). */
static const char *get(const struct model *m, const char *key)
{
    if (m->template)
        return !strcmp(key, "kvm") ? "0" : NULL;
    return pve_section_get(m->conf, key);
}

static const char *host_vendor(const struct model *m)
{
    return m->host ? m->host->cpu_vendor : NULL;
}

/* $version_guard: the machine version is at least major.minor+pve. An unknown machine
 * version (no QEMU version known and none pinned) passes: any QEMU a supported Proxmox runs
 * (>= 6.0) is past every threshold below 11.0; the 11.0 gates note their uncertainty. */
static bool machine_at_least(const struct model *m, int major, int minor, int pve)
{
    return !m->mach_known || vm_version_at_least(&m->mach, major, minor, pve);
}

/* True when any hostpciN of the section has x-vga on. */
static bool any_xvga(const struct model *m)
{
    size_t i;

    if (m->template)
        return false;
    for (i = 0; i < m->conf->count; i++) {
        struct pve_props p;
        struct ptd_error err;
        bool on;
        if (strncmp(m->conf->kv[i].key, "hostpci", 7) ||
            pve_props_parse(m->conf->kv[i].value, "host", &p, &err) != 0)
            continue;
        on = pve_parse_bool(pve_props_get(&p, "x-vga")) == 1;
        pve_props_free(&p);
        if (on)
            return true;
    }
    return false;
}

/* An integer option within [lo, hi] as Proxmox's schema checks it; false (with a note) when
 * it is set and out of range or not a number: Proxmox then refuses the cpu option. */
static bool int_option(struct model *m, const char *what, const char *v, unsigned long long lo,
                       unsigned long long hi)
{
    char *end;
    unsigned long long n;

    if (!v)
        return false;
    errno = 0;
    n = strtoull(v, &end, 10);
    if (*v < '0' || *v > '9' || *end || errno || n < lo || n > hi) {
        note(m->uncertain,
             "cpu %s '%s' is not an integer in %llu..%llu: Proxmox rejects it; "
             "left out of the model",
             what, v, lo, hi);
        return false;
    }
    return true;
}

/* The installed QEMU and the machine version the VM runs with. */
static void versions(struct model *m, cJSON *eff)
{
    struct pve_props mach = {0};
    struct ptd_error err;
    char buf[64];

    m->qemu_known = m->host && vm_version_parse(m->host->qemu_version, &m->qemu);
    if (m->host && m->host->qemu_version && !m->qemu_known)
        note(m->uncertain, "QEMU version '%.40s' unreadable", m->host->qemu_version);
    if (get(m, "machine") && pve_props_parse(get(m, "machine"), "type", &mach, &err) != 0)
        note(m->uncertain, "machine option unparseable; machine version unknown");
    m->mach_known =
        vm_machine_version(pve_props_get(&mach, "type"), get(m, "ostype"), get(m, "meta"),
                           m->qemu_known ? &m->qemu : NULL, &m->mach, &m->mach_pinned_windows);
    pve_props_free(&mach);
    if (!m->mach_known)
        note(m->uncertain, "machine version unknown (not pinned, installed QEMU version "
                           "unknown): taken as past every threshold below 11.0");
    ptd_json_add_str(eff, "qemu_version", m->qemu_known ? m->host->qemu_version : NULL);
    if (m->mach_known) {
        /* extract_version's form: major.minor, +pveN only when N > 0 */
        if (m->mach.pve)
            snprintf(buf, sizeof(buf), "%d.%d+pve%d", m->mach.major, m->mach.minor, m->mach.pve);
        else
            snprintf(buf, sizeof(buf), "%d.%d", m->mach.major, m->mach.minor);
    }
    ptd_json_add_str(eff, "machine_version", m->mach_known ? buf : NULL);
    cJSON_AddBoolToObject(eff, "machine_pinned_windows", m->mach_pinned_windows);
}

/* The VM's cpu option: parse, check keys and the flag allow-list. */
static void parse_cpu_option(struct model *m, cJSON *eff)
{
    static const char *const known[] = {
        "cputype",         "hidden", "hv-vendor-id", "flags",          "phys-bits",
        "guest-phys-bits", "level",  "hugepages",    "reported-model", NULL};
    const char *cpu_str = get(m, "cpu");
    struct ptd_error err;
    size_t i, k;

    if (cpu_str && pve_props_parse(cpu_str, "cputype", &m->cpu, &err) != 0)
        note(m->uncertain,
             "cpu option '%.200s' unparseable (%s): Proxmox would skip it and use the default "
             "kvm64",
             cpu_str, err.text);
    for (i = 0; i < m->cpu.count; i++) {
        for (k = 0; known[k] && strcmp(known[k], m->cpu.items[i].key); k++)
            ;
        if (!known[k])
            note(m->uncertain, "cpu option has unknown key '%.60s'", m->cpu.items[i].key);
    }
    if (pve_props_get(&m->cpu, "flags")) {
        /* A flag outside the allow-list makes the whole cpu option invalid for Proxmox. */
        char *copy = strdup(pve_props_get(&m->cpu, "flags")), *tok, *save = NULL;
        bool bad = false;
        for (tok = copy ? strtok_r(copy, ";", &save) : NULL; tok;
             tok = strtok_r(NULL, ";", &save)) {
            const char *nm = (*tok == '+' || *tok == '-') ? tok + 1 : tok;
            if (!vm_cpu_flag_allowed(nm)) {
                note(m->uncertain,
                     "cpu flags: '%.60s' is not in the VM-level allow-list: Proxmox rejects the "
                     "cpu option (\"VM-specific CPU flags must be a subset of: ...\"); modelled "
                     "without the VM's flags; how a hand-edited config then starts is not "
                     "modelled. Use a custom CPU model",
                     tok);
                bad = true;
            }
        }
        free(copy);
        cJSON_AddItemToObject(eff, "invalid_vm_flags", cJSON_CreateBool(bad));
    }
}

/* cputype -> the model reported to QEMU (get_cpu_options), the custom model's settings. */
static void resolve_model(struct model *m, int *hidden, const char **hv_vendor)
{
    const cJSON *models = m->host ? m->host->cpu_models : NULL;

    snprintf(m->cputype, sizeof(m->cputype), "%s", m->kvm ? "kvm64" : "qemu64");
    if (pve_props_get(&m->cpu, "cputype"))
        snprintf(m->cputype, sizeof(m->cputype), "%s", pve_props_get(&m->cpu, "cputype"));
    if ((m->builtin = vm_cpu_builtin_flags(m->cputype))) {
        snprintf(m->cputype, sizeof(m->cputype), "qemu64");
    } else if (!strncmp(m->cputype, "custom-", 7)) {
        const char *reported;
        m->custom = models ? pve_cpu_model_find(models, m->cputype + 7) : NULL;
        if (!m->custom)
            note(m->uncertain, "custom CPU model '%s' %s: Proxmox refuses to start the VM",
                 m->cputype + 7,
                 models ? "is not in cpu-models.conf" : "unknown (cpu-models.conf unreadable)");
        reported = m->custom ? ptd_json_get_str(m->custom, "reported_model") : NULL;
        snprintf(m->cputype, sizeof(m->cputype), "%s", reported ? reported : "kvm64");
        /* get_custom_model keeps only true values: a model's "hidden 0" is no setting */
        if (m->custom && ptd_json_get_tri(m->custom, "hidden") == 1)
            *hidden = 1;
        if (m->custom && ptd_json_get_str(m->custom, "hv_vendor_id") &&
            *ptd_json_get_str(m->custom, "hv_vendor_id"))
            *hv_vendor = ptd_json_get_str(m->custom, "hv_vendor_id");
    }
    if (!strncmp(m->cputype, "Icelake-Client", 14)) { /* $depreacated_cpu_map */
        char tail[64];
        snprintf(tail, sizeof(tail), "%s", m->cputype + 14);
        snprintf(m->cputype, sizeof(m->cputype), "Icelake-Server%.40s", tail);
    }
    /* VM-specific settings override the custom model */
    if (pve_props_get(&m->cpu, "hidden"))
        *hidden = pve_parse_bool(pve_props_get(&m->cpu, "hidden"));
    if (pve_props_get(&m->cpu, "hv-vendor-id"))
        *hv_vendor = pve_props_get(&m->cpu, "hv-vendor-id");
}

/* get_pve_cpu_flags */
static void pve_flags(struct model *m)
{
    const char *ostype = get(m, "ostype");
    bool qemu11 = m->qemu_known && vm_version_at_least(&m->qemu, 11, 0, 0);

    if (!strcmp(m->cputype, "kvm64")) {
        flag_token(m->fs, "+lahf_lm");
        flag_token(m->fs, "+sep");
    } else if (!strcmp(m->cputype, "kvm32")) {
        flag_token(m->fs, "+sep");
    }
    if (ostype && !strcmp(ostype, "solaris"))
        flag_token(m->fs, "-x2apic");
    if (!strncmp(m->cputype, "Opteron", 7))
        flag_token(m->fs, "-rdtscp");
    if (m->kvm && machine_at_least(m, 2, 3, 0)) {
        flag_token(m->fs, "+kvm_pv_unhalt");
        flag_token(m->fs, "+kvm_pv_eoi");
    }
    if (m->winver >= 11 && qemu11) {
        flag_token(m->fs, "-cet-ibt");
        flag_token(m->fs, "-cet-ss");
    } else if (m->winver >= 11 && !m->qemu_known) {
        note(m->uncertain, "QEMU version unknown: Proxmox adds -cet-ibt,-cet-ss for Windows 11+ "
                           "from QEMU 11.0");
    }
    if (!strcmp(m->cputype, "host")) {
        if (qemu11 && m->mach_known && !vm_version_at_least(&m->mach, 11, 0, 0))
            flag_token(m->fs, "-vmx-mbec");
        else if (!m->qemu_known || !m->mach_known)
            note(m->uncertain, "QEMU or machine version unknown: Proxmox adds -vmx-mbec to "
                               "`host` on QEMU 11.0+ with a machine older than 11.0");
    }
}

/* get_hyperv_enlightenments: Windows >= 6 (Vista) with KVM; OVMF only from Windows 8. */
static void hyperv_flags(struct model *m, bool gpu_passthrough, const char *hv_vendor)
{
    const char *bios = get(m, "bios"), *vendor = host_vendor(m);
    char buf[160];

    if (!m->kvm || m->winver < 6 || (bios && !strcmp(bios, "ovmf") && m->winver < 8)) {
        if (hv_vendor && m->kvm)
            note(m->uncertain, "hv-vendor-id is set but the ostype gets no Hyper-V "
                               "enlightenments, so Proxmox does not pass it on");
        return;
    }
    if (gpu_passthrough || hv_vendor) {
        snprintf(buf, sizeof(buf), "hv_vendor_id=%.100s", hv_vendor ? hv_vendor : "proxmox");
        flag_set(m->fs, "hv_vendor_id", buf);
    }
    if (machine_at_least(m, 2, 3, 0)) {
        flag_set(m->fs, "hv_spinlocks", "hv_spinlocks=0x1fff");
        flag_set(m->fs, "hv_vapic", "hv_vapic");
        flag_set(m->fs, "hv_time", "hv_time");
    } else {
        flag_set(m->fs, "hv_spinlocks", "hv_spinlocks=0xffff");
    }
    if (machine_at_least(m, 2, 6, 0)) {
        flag_set(m->fs, "hv_reset", "hv_reset");
        flag_set(m->fs, "hv_vpindex", "hv_vpindex");
        flag_set(m->fs, "hv_runtime", "hv_runtime");
    }
    if (m->winver >= 7) {
        flag_set(m->fs, "hv_relaxed", "hv_relaxed");
        if (machine_at_least(m, 2, 12, 0)) {
            flag_set(m->fs, "hv_synic", "hv_synic");
            flag_set(m->fs, "hv_stimer", "hv_stimer");
        }
        if (machine_at_least(m, 3, 1, 0))
            flag_set(m->fs, "hv_ipi", "hv_ipi");
    }
    if (m->winver >= 11 && (!vendor || !m->mach_known)) {
        note(m->uncertain, "host CPU vendor or machine version unknown: Proxmox adds hv_evmcs "
                           "for Windows 11+ on Intel hosts from machine 11.0+pve2");
    } else if (m->winver >= 11 && !strcmp(vendor, "GenuineIntel") &&
               vm_version_at_least(&m->mach, 11, 0, 2)) {
        flag_set(m->fs, "hv_evmcs", "hv_evmcs");
    }
}

/* The VM's own flags; nested-virt is resolved to the host's vmx/svm (resolve_cpu_flags). */
static void vm_flags(struct model *m, const char *list)
{
    char *copy = strdup(list), *tok, *save = NULL, buf[80];
    const char *vendor = host_vendor(m), *nested = NULL;

    if (vendor && !strcmp(vendor, "GenuineIntel"))
        nested = "vmx";
    else if (vendor && !strcmp(vendor, "AuthenticAMD"))
        nested = "svm";
    for (tok = copy ? strtok_r(copy, ";", &save) : NULL; tok; tok = strtok_r(NULL, ";", &save)) {
        if ((tok[0] == '+' || tok[0] == '-') && !strcmp(tok + 1, "nested-virt")) {
            if (!nested) {
                note(m->uncertain, "nested-virt: host CPU vendor unknown, so whether it becomes "
                                   "vmx or svm is not known; left out");
                continue;
            }
            snprintf(buf, sizeof(buf), "%c%s", tok[0], nested);
            flag_token(m->fs, buf);
        } else {
            flag_token(m->fs, tok);
        }
    }
    free(copy);
}

static void add_flag_list(struct flagset *fs, const char *list)
{
    char *copy = strdup(list ? list : ""), *tok, *save = NULL;

    for (tok = copy ? strtok_r(copy, ";", &save) : NULL; tok; tok = strtok_r(NULL, ";", &save))
        flag_token(fs, tok);
    free(copy);
}

/* "NAME" from the VM's cpu option, else the custom model's (custom first, VM overrides). */
static const char *cpu_setting(const struct model *m, const char *vm_key, const char *model_key)
{
    if (pve_props_get(&m->cpu, vm_key))
        return pve_props_get(&m->cpu, vm_key);
    return m->custom ? ptd_json_get_str(m->custom, model_key) : NULL;
}

/* The -cpu string: model[,level=N] then the sorted flags, then guest-phys-bits, phys-bits. */
static void print_cpu_arg(struct model *m, char *buf, size_t len, const char **phys_bits)
{
    const char *level = cpu_setting(m, "level", "level");
    const char *gpb = cpu_setting(m, "guest-phys-bits", "guest_phys_bits");
    size_t o, i;

    *phys_bits = cpu_setting(m, "phys-bits", "phys_bits");
    o = (size_t)snprintf(buf, len, "%s", m->cputype);
    if (level && int_option(m, "level", level, 0, 4294967295ull) && o < len)
        o += (size_t)snprintf(buf + o, len - o, ",level=%s", level);
    qsort(m->fs->f, m->fs->n, sizeof(m->fs->f[0]), flag_cmp);
    for (i = 0; i < m->fs->n && o < len; i++)
        o += (size_t)snprintf(buf + o, len - o, ",%s", m->fs->f[i].token);
    if (gpb && int_option(m, "guest-phys-bits", gpb, 32, 64) && o < len)
        o += (size_t)snprintf(buf + o, len - o, ",guest-phys-bits=%s", gpb);
    if (*phys_bits && o < len) {
        if (!strcmp(*phys_bits, "host"))
            snprintf(buf + o, len - o, ",host-phys-bits=true");
        else if (int_option(m, "phys-bits", *phys_bits, 8, 64))
            snprintf(buf + o, len - o, ",phys-bits=%s", *phys_bits);
    }
}

cJSON *vm_cpu_effective(const struct pve_section *conf, const struct vm_cpu_host *host)
{
    struct model m = {.conf = conf, .host = host};
    cJSON *eff = cJSON_CreateObject(), *model_hv, *lost;
    const char *hv_vendor = NULL, *phys_bits = NULL, *vendor;
    char buf[2048], *args_cpu = NULL;
    int hidden = -1;
    bool kvm_off, xvga;

    m.fs = calloc(1, sizeof(*m.fs));
    if (!eff || !m.fs)
        goto fail;
    m.template = pve_parse_bool(pve_section_get(conf, "template")) == 1;
    m.winver = vm_windows_version(get(&m, "ostype"));
    m.kvm = pve_parse_bool(get(&m, "kvm"));
    m.kvm = m.kvm < 0 ? 1 : m.kvm;
    xvga = any_xvga(&m);
    ptd_json_add_str(eff, "source", "model");
    m.uncertain = cJSON_CreateArray();
    cJSON_AddBoolToObject(eff, "template", m.template);
    if (get(&m, "arch") && strcmp(get(&m, "arch"), "x86_64"))
        note(m.uncertain, "arch is not x86_64: the model covers x86_64 guests only");
    versions(&m, eff);
    parse_cpu_option(&m, eff);
    resolve_model(&m, &hidden, &hv_vendor);
    ptd_json_add_str(eff, "cpu_type",
                     pve_props_get(&m.cpu, "cputype") ? pve_props_get(&m.cpu, "cputype")
                                                      : (m.kvm ? "kvm64" : "qemu64"));
    /* kvm=off: x-vga sets it; a defined hidden (an explicit hidden=0 too) decides over it */
    kvm_off = hidden >= 0 ? hidden == 1 : xvga;

    /* resolve_cpu_flags order: PVE, Hyper-V, builtin model, custom model, VM, forced; a later
     * setting of the same flag replaces an earlier one. */
    pve_flags(&m);
    hyperv_flags(&m, xvga, hv_vendor);
    if (m.builtin)
        add_flag_list(m.fs, m.builtin);
    if (m.custom) {
        const cJSON *f;
        cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(m.custom, "flags"))
        {
            if (cJSON_IsString(f))
                flag_token(m.fs, f->valuestring);
        }
    }
    if (pve_props_get(&m.cpu, "flags") &&
        !cJSON_IsTrue(cJSON_GetObjectItem(eff, "invalid_vm_flags")))
        vm_flags(&m, pve_props_get(&m.cpu, "flags"));
    if (strcmp(m.cputype, "host") && m.kvm)
        flag_set(m.fs, "enforce", "enforce");
    if (kvm_off)
        flag_set(m.fs, "kvm", "kvm=off");
    if ((vendor = vm_cpu_model_vendor(m.cputype))) {
        snprintf(buf, sizeof(buf), "vendor=%s", vendor);
        flag_set(m.fs, "vendor", buf);
    }
    print_cpu_arg(&m, buf, sizeof(buf), &phys_bits);

    ptd_json_add_str(eff, "cpu_model", m.cputype);
    ptd_json_add_str(eff, "model_cpu_arg", buf);
    ptd_json_add_str(eff, "cpu_arg", buf);
    cJSON_AddNullToObject(eff, "flags");
    cJSON_AddNullToObject(eff, "hv_enlightenments");
    cJSON_AddNullToObject(eff, "kvm_hidden");
    cJSON_AddNullToObject(eff, "hypervisor_bit_hidden");
    cJSON_AddNullToObject(eff, "hv_vendor_id");
    vm_cpu_derive(eff, buf);
    model_hv = cJSON_Duplicate(cJSON_GetObjectItem(eff, "hv_enlightenments"), 1);
    ptd_json_add_num(eff, "windows_version", m.winver, m.winver > 0);
    ptd_json_add_str(eff, "phys_bits", phys_bits);

    /* args: -cpu replaces everything above (a template's args are dropped with the rest) */
    args_cpu = vm_cpu_arg_from_cmdline(get(&m, "args"));
    cJSON_AddBoolToObject(eff, "args_replaces_cpu", args_cpu != NULL);
    ptd_json_add_str(eff, "args_cpu", args_cpu);
    if (args_cpu) {
        cJSON_ReplaceItemInObject(eff, "cpu_arg", cJSON_CreateString(args_cpu));
        vm_cpu_derive(eff, args_cpu);
        note(m.uncertain, "args -cpu: Proxmox appends args after its own -cpu; that QEMU keeps "
                          "the last -cpu is general QEMU behaviour, not verified here");
    }
    lost = vm_cpu_lost_enlightenments(model_hv, cJSON_GetObjectItem(eff, "hv_enlightenments"));
    cJSON_AddItemToObject(eff, "lost_enlightenments", lost);
    cJSON_AddItemToObject(eff, "uncertain", m.uncertain);
    cJSON_AddNullToObject(eff, "showcmd_cpu_arg");
    cJSON_Delete(model_hv);
    free(args_cpu);
    pve_props_free(&m.cpu);
    free(m.fs);
    return eff;
fail:
    cJSON_Delete(eff);
    free(m.fs);
    return NULL;
}

/* SPDX-License-Identifier: MIT */
/* What the VM's config says about its -cpu: the QEMU and machine versions, the cpu option and
 * the model it names (see vm_cpu_model.h). */
#include "vm_cpu_model.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"

#include "pve_cpu_models.h"
#include "vm_cpu_tables.h"

void vm_cpu_note(cJSON *uncertain, const char *fmt, ...)
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
const char *vm_cpu_get(const struct vm_cpu_model *m, const char *key)
{
    if (m->template)
        return !strcmp(key, "kvm") ? "0" : NULL;
    return pve_section_get(m->conf, key);
}

const char *vm_cpu_host_vendor(const struct vm_cpu_model *m)
{
    return m->host ? m->host->cpu_vendor : NULL;
}

/* $version_guard: the machine version is at least major.minor+pve. An unknown machine
 * version (no QEMU version known and none pinned) passes: any QEMU a supported Proxmox runs
 * (>= 6.0) is past every threshold below 11.0; the 11.0 gates note their uncertainty. */
bool vm_cpu_machine_at_least(const struct vm_cpu_model *m, int major, int minor, int pve)
{
    return !m->mach_known || vm_version_at_least(&m->mach, major, minor, pve);
}

/* True when any hostpciN of the section has x-vga on. */
bool vm_cpu_any_xvga(const struct vm_cpu_model *m)
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
bool vm_cpu_int_option(struct vm_cpu_model *m, const char *what, const char *v,
                       unsigned long long lo, unsigned long long hi)
{
    char *end;
    unsigned long long n;

    if (!v)
        return false;
    errno = 0;
    n = strtoull(v, &end, 10);
    if (*v < '0' || *v > '9' || *end || errno || n < lo || n > hi) {
        vm_cpu_note(m->uncertain,
                    "cpu %s '%s' is not an integer in %llu..%llu: Proxmox rejects it; "
                    "left out of the model",
                    what, v, lo, hi);
        return false;
    }
    return true;
}

/* The installed QEMU and the machine version the VM runs with. */
void vm_cpu_versions(struct vm_cpu_model *m, cJSON *eff)
{
    struct pve_props mach = {0};
    struct ptd_error err;
    char buf[64];

    m->qemu_known = m->host && vm_version_parse(m->host->qemu_version, &m->qemu);
    if (m->host && m->host->qemu_version && !m->qemu_known)
        vm_cpu_note(m->uncertain, "QEMU version '%.40s' unreadable", m->host->qemu_version);
    if (vm_cpu_get(m, "machine") &&
        pve_props_parse(vm_cpu_get(m, "machine"), "type", &mach, &err) != 0)
        vm_cpu_note(m->uncertain, "machine option unparseable; machine version unknown");
    m->mach_known = vm_machine_version(pve_props_get(&mach, "type"), vm_cpu_get(m, "ostype"),
                                       vm_cpu_get(m, "meta"), m->qemu_known ? &m->qemu : NULL,
                                       &m->mach, &m->mach_pinned_windows);
    pve_props_free(&mach);
    if (!m->mach_known)
        vm_cpu_note(m->uncertain, "machine version unknown (not pinned, installed QEMU version "
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
void vm_cpu_parse_option(struct vm_cpu_model *m, cJSON *eff)
{
    static const char *const known[] = {
        "cputype",         "hidden", "hv-vendor-id", "flags",          "phys-bits",
        "guest-phys-bits", "level",  "hugepages",    "reported-model", NULL};
    const char *cpu_str = vm_cpu_get(m, "cpu");
    struct ptd_error err;
    size_t i, k;

    if (cpu_str && pve_props_parse(cpu_str, "cputype", &m->cpu, &err) != 0)
        vm_cpu_note(
            m->uncertain,
            "cpu option '%.200s' unparseable (%s): Proxmox would skip it and use the default "
            "kvm64",
            cpu_str, err.text);
    for (i = 0; i < m->cpu.count; i++) {
        for (k = 0; known[k] && strcmp(known[k], m->cpu.items[i].key); k++)
            ;
        if (!known[k])
            vm_cpu_note(m->uncertain, "cpu option has unknown key '%.60s'", m->cpu.items[i].key);
    }
    if (pve_props_get(&m->cpu, "flags")) {
        /* A flag outside the allow-list makes the whole cpu option invalid for Proxmox. */
        char *copy = strdup(pve_props_get(&m->cpu, "flags")), *tok, *save = NULL;
        bool bad = false;
        for (tok = copy ? strtok_r(copy, ";", &save) : NULL; tok;
             tok = strtok_r(NULL, ";", &save)) {
            const char *nm = (*tok == '+' || *tok == '-') ? tok + 1 : tok;
            if (!vm_cpu_flag_allowed(nm)) {
                vm_cpu_note(
                    m->uncertain,
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
void vm_cpu_resolve_model(struct vm_cpu_model *m, int *hidden, const char **hv_vendor)
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
            vm_cpu_note(m->uncertain, "custom CPU model '%s' %s: Proxmox refuses to start the VM",
                        m->cputype + 7,
                        models ? "is not in cpu-models.conf"
                               : "unknown (cpu-models.conf unreadable)");
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

/* "NAME" from the VM's cpu option, else the custom model's (custom first, VM overrides). */
const char *vm_cpu_setting(const struct vm_cpu_model *m, const char *vm_key, const char *model_key)
{
    if (pve_props_get(&m->cpu, vm_key))
        return pve_props_get(&m->cpu, vm_key);
    return m->custom ? ptd_json_get_str(m->custom, model_key) : NULL;
}

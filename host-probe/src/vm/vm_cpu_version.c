/* SPDX-License-Identifier: MIT */
/* Versions the -cpu depends on. See vm_cpu_version.h for the Proxmox source it follows. */
#include "vm_cpu_version.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "pve_conf.h"

/* No QEMU or machine version comes near this; larger numbers are not versions. */
#define VERSION_PART_MAX 9999

/* Reads a decimal run of at most 4 digits at *p; advances *p. */
static bool read_part(const char **p, int *out)
{
    int v = 0, n = 0;

    while (isdigit((unsigned char)**p)) {
        if (++n > 4)
            return false;
        v = v * 10 + (**p - '0');
        (*p)++;
    }
    if (!n || v > VERSION_PART_MAX)
        return false;
    *out = v;
    return true;
}

/* major.minor[.patch][+pveN] at p; what follows is the caller's concern. */
static bool parse_at(const char *p, struct vm_version *out, const char **end)
{
    int patch;

    out->pve = 0;
    if (!read_part(&p, &out->major) || *p != '.')
        return false;
    p++;
    if (!read_part(&p, &out->minor))
        return false;
    if (*p == '.' && isdigit((unsigned char)p[1])) {
        p++;
        if (!read_part(&p, &patch))
            return false;
    }
    if (!strncmp(p, "+pve", 4) && isdigit((unsigned char)p[4])) {
        p += 4;
        if (!read_part(&p, &out->pve))
            return false;
    }
    if (end)
        *end = p;
    return true;
}

bool vm_version_parse(const char *text, struct vm_version *out)
{
    return text && parse_at(text, out, NULL);
}

bool vm_version_of_machine(const char *type, struct vm_version *out)
{
    static const char *const prefixes[] = {"pc-i440fx-", "pc-q35-", "pc-", "virt-", NULL};
    const char *end;
    size_t i;

    if (!type)
        return false;
    for (i = 0; prefixes[i]; i++) {
        size_t n = strlen(prefixes[i]);
        if (!strncmp(type, prefixes[i], n) && isdigit((unsigned char)type[n]))
            return parse_at(type + n, out, &end);
    }
    return false;
}

bool vm_version_at_least(const struct vm_version *v, int major, int minor, int pve)
{
    if (v->major != major)
        return v->major > major;
    if (v->minor != minor)
        return v->minor > minor;
    return v->pve >= pve;
}

int vm_version_pve_highest(int major, int minor)
{
    static const struct {
        int major, minor, highest;
    } table[] = {{4, 1, 2}, {9, 2, 1}, {10, 0, 1}, {11, 0, 2}};
    size_t i;

    for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        if (table[i].major == major && table[i].minor == minor)
            return table[i].highest;
    return 0;
}

int vm_windows_version(const char *ostype)
{
    int v = 0;
    const char *p;

    if (!ostype)
        return 0;
    if (!strcmp(ostype, "wxp") || !strcmp(ostype, "w2k") || !strcmp(ostype, "w2k3"))
        return 5;
    if (!strcmp(ostype, "w2k8") || !strcmp(ostype, "wvista"))
        return 6;
    if (strncmp(ostype, "win", 3) || !ostype[3])
        return 0;
    p = ostype + 3;
    if (!read_part(&p, &v) || *p)
        return 0;
    return v;
}

/* can_run_pve_machine_version: the QEMU is at least major.minor and knows its +pveN. */
static bool can_run(const struct vm_version *machine, const struct vm_version *qemu)
{
    if (qemu->major != machine->major ? qemu->major < machine->major : qemu->minor < machine->minor)
        return false;
    return !machine->pve || vm_version_pve_highest(machine->major, machine->minor) >= machine->pve;
}

/* meta: creation-qemu=9.2.0,ctime=... -> 9.2 when at least 9.1 (get_vm_machine). */
static bool creation_pin(const char *meta, struct vm_version *out)
{
    struct pve_props p;
    struct ptd_error err;
    struct vm_version v;
    bool ok = false;

    if (!meta || pve_props_parse(meta, "creation-qemu", &p, &err) != 0)
        return false;
    if (vm_version_parse(pve_props_get(&p, "creation-qemu"), &v) &&
        vm_version_at_least(&v, 9, 1, 0)) {
        *out = (struct vm_version){v.major, v.minor, 0}; /* "need only major.minor" */
        ok = true;
    }
    pve_props_free(&p);
    return ok;
}

bool vm_machine_version(const char *machine_type, const char *ostype, const char *meta,
                        const struct vm_version *qemu, struct vm_version *out, bool *pinned_windows)
{
    bool unversioned_alias = !machine_type || !*machine_type || !strcmp(machine_type, "pc") ||
                             !strcmp(machine_type, "q35") || !strcmp(machine_type, "virt");

    *pinned_windows = false;
    if (unversioned_alias && vm_windows_version(ostype)) {
        /* pinned to meta's creation-qemu (>= 9.1) or 5.1, unless the QEMU cannot run that:
         * then its newest machine (latest_installed_machine_version) */
        struct vm_version base = {5, 1, 0};
        creation_pin(meta, &base);
        *pinned_windows = true;
        if (!qemu || can_run(&base, qemu)) {
            *out = base;
            return true;
        }
        *out = *qemu;
        out->pve = vm_version_pve_highest(qemu->major, qemu->minor);
        return true;
    }
    if (!unversioned_alias && vm_version_of_machine(machine_type, out))
        return true;
    /* extract_version: no version in the type -> the installed QEMU's, with its newest +pve */
    if (!qemu)
        return false;
    *out = *qemu;
    out->pve = vm_version_pve_highest(qemu->major, qemu->minor);
    return true;
}

/* SPDX-License-Identifier: MIT */
/*
 * Inside vm_cpu_effective() (vm_cpu_flags.h): the state of one call and the steps that fill
 * it, one file per job:
 *   vm_cpu_flagset.c  the flag list (set, replace, sort), as resolve_cpu_flags keeps it
 *   vm_cpu_config.c   what the VM's config says: versions, the cpu option, the model
 *   vm_cpu_pve_flags.c the flags Proxmox adds: its own, Hyper-V, the VM's allow-listed ones
 *   vm_cpu_flags.c    the order of the steps and the -cpu string
 * Not for use outside vm_cpu_*.c.
 */
#ifndef PTDIAG_VM_CPU_MODEL_H
#define PTDIAG_VM_CPU_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "pve_conf.h"
#include "vm_cpu_flags.h"
#include "vm_cpu_version.h"

#define VM_CPU_MAX_FLAGS 96

struct vm_cpu_flag {
    char name[64];   /* sort key: the flag without +/- or =value */
    char token[160]; /* as emitted: "+aes", "kvm=off", "hv_relaxed" */
};

struct vm_cpu_flagset {
    struct vm_cpu_flag f[VM_CPU_MAX_FLAGS];
    size_t n;
};

/* One call's state: what is known about the VM and its host, and the flags so far. */
struct vm_cpu_model {
    const struct pve_section *conf;
    const struct vm_cpu_host *host;
    bool template;             /* started as Proxmox's minimal template config */
    struct vm_cpu_flagset *fs; /* owned */
    cJSON *uncertain;          /* borrowed from the result */
    struct pve_props cpu;      /* the VM's cpu option; owned */
    const cJSON *custom;       /* its custom model, borrowed from host->cpu_models */
    const char *builtin;       /* builtin model flags or NULL */
    char cputype[64];          /* as reported to QEMU */
    int winver, kvm;
    struct vm_version qemu, mach;
    bool qemu_known, mach_known, mach_pinned_windows;
};

/* ---- vm_cpu_flagset.c ---- */
/* Sets a flag; a later setting of the same name replaces the earlier (resolve_cpu_flags).
 * Past VM_CPU_MAX_FLAGS new names are dropped. */
void vm_cpu_flag_set(struct vm_cpu_flagset *fs, const char *name, const char *token);
/* Adds a "+name"/"-name" or "name=value" or "name" token. */
void vm_cpu_flag_token(struct vm_cpu_flagset *fs, const char *tok);
/* Adds every token of a ';'-separated list (list may be NULL). */
void vm_cpu_flag_list(struct vm_cpu_flagset *fs, const char *list);
/* Sorts by name, as print_cpu_flags emits them. */
void vm_cpu_flags_sort(struct vm_cpu_flagset *fs);

/* ---- vm_cpu_config.c ---- */
/* Appends a formatted note to the uncertain list. */
void vm_cpu_note(cJSON *uncertain, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A config key as config_to_command sees it (a template's config is reduced). Borrowed. */
const char *vm_cpu_get(const struct vm_cpu_model *m, const char *key);
const char *vm_cpu_host_vendor(const struct vm_cpu_model *m);
/* $version_guard: the machine version is at least major.minor+pve (unknown passes). */
bool vm_cpu_machine_at_least(const struct vm_cpu_model *m, int major, int minor, int pve);
/* True when any hostpciN of the section has x-vga on. */
bool vm_cpu_any_xvga(const struct vm_cpu_model *m);
/* An integer option within [lo, hi]; false (with a note when set and bad) otherwise. */
bool vm_cpu_int_option(struct vm_cpu_model *m, const char *what, const char *v,
                       unsigned long long lo, unsigned long long hi);
/* The installed QEMU and the machine version: sets m's versions and eff's version keys. */
void vm_cpu_versions(struct vm_cpu_model *m, cJSON *eff);
/* Parses the VM's cpu option into m->cpu; sets eff.invalid_vm_flags when it has flags. */
void vm_cpu_parse_option(struct vm_cpu_model *m, cJSON *eff);
/* cputype -> m->cputype, m->builtin, m->custom; the hidden and hv-vendor-id settings. */
void vm_cpu_resolve_model(struct vm_cpu_model *m, int *hidden, const char **hv_vendor);
/* A setting from the VM's cpu option, else the custom model's. Borrowed. */
const char *vm_cpu_setting(const struct vm_cpu_model *m, const char *vm_key, const char *model_key);

/* ---- vm_cpu_pve_flags.c ---- */
/* get_pve_cpu_flags */
void vm_cpu_pve_flags(struct vm_cpu_model *m);
/* get_hyperv_enlightenments */
void vm_cpu_hyperv_flags(struct vm_cpu_model *m, bool gpu_passthrough, const char *hv_vendor);
/* The VM's own flags, nested-virt resolved to the host's vmx/svm. */
void vm_cpu_vm_flags(struct vm_cpu_model *m, const char *list);

#endif

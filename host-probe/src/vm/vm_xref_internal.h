/* SPDX-License-Identifier: MIT */
/*
 * Internal to the hostpci cross-reference (vm_xref.c and vm_xref_mapping.c); not for other
 * callers. Owned by vm_xref.c: it defines the context, fills it in vm_xref_run and implements
 * the lookups declared here; vm_xref_mapping.c implements mapping_check. The public entry point
 * stays in vm_xref.h.
 */
#ifndef PTDIAG_VM_XREF_INTERNAL_H
#define PTDIAG_VM_XREF_INTERNAL_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "ptdiag/root.h"

struct xref_ctx {
    struct ptd_root *root;
    cJSON *doc;
    const cJSON *devices; /* NULL when the PCI probe recorded none */
    const cJSON *groups;  /* NULL likewise */
    char **sys_bdfs;      /* /sys/bus/pci/devices listing, NULL when unreadable */
    size_t nsys;
    const char *this_node;
    cJSON *taken; /* [{bdf, vmid}] pool alternatives chosen so far (vm_pool_choose) */
};

/* Lookups over the context (vm_xref.c). */
const cJSON *find_device(const struct xref_ctx *x, const char *bdf);
/* The group and its member entry for bdf, from iommu_groups. */
const cJSON *find_group(const struct xref_ctx *x, const char *bdf, const cJSON **member);
/* 1 present, 0 absent, -1 unknown. */
int sys_exists(const struct xref_ctx *x, const char *bdf);
void add_unique(cJSON *arr, const char *s);
/* Expands an address (function-less = every function present) into out. */
void expand(const struct xref_ctx *x, const char *addr, cJSON *out);

/* Mapping -> this node's map entries, checked as assert_valid does (vm_xref_mapping.c). */
cJSON *mapping_check(struct xref_ctx *x, const char *name, cJSON *alternatives);

#endif

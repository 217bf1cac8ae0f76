/* SPDX-License-Identifier: MIT */
/*
 * iommu_groups[]: every IOMMU group with all its members, as the guides' loop over
 * /sys/kernel/iommu_groups/N/devices/ lists them, and for each member the facts a group
 * verdict needs (the report decides it): ids and names, class, bridge or endpoint, driver,
 * the bridges above it and, for a bridge, its port type and ACS capability. See pci_facts.h.
 */
#include "pci_facts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"

static void add_names(struct ptd_pci *pci, const struct ptd_pci_fn *fn, cJSON *m)
{
    struct ptd_pci_ext ext = {-1, -1, -1, -1};
    struct ptd_pci_names names;

    memset(&names, 0, sizeof(names));
    if (fn && fn->vendor_id >= 0)
        ptd_pci_lookup_names(pci, fn, &ext, &names);
    ptd_json_add_str(m, "vendor_name", names.vendor[0] ? names.vendor : NULL);
    ptd_json_add_str(m, "device_name", names.device[0] ? names.device : NULL);
    ptd_json_add_str(m, "class_name", names.class_name[0] ? names.class_name : NULL);
}

/* upstream: the bridges between the member and its root complex, nearest first (the same
 * order as devices[].upstream); null when the sysfs link is unreadable. */
static void add_upstream_bdfs(cJSON *m, const char *target)
{
    char chain[PCI_CHAIN_MAX][16];
    size_t n = target ? pci_chain_from_target(target, chain) : 0, i;
    cJSON *arr;

    if (n == 0) {
        cJSON_AddNullToObject(m, "upstream");
        return;
    }
    arr = cJSON_AddArrayToObject(m, "upstream");
    /* chain[n - 1] is the member itself */
    for (i = n - 1; arr && i-- > 0;)
        cJSON_AddItemToArray(arr, cJSON_CreateString(chain[i]));
}

/* target: the member link's target in the group's devices/ (the function's /sys/devices
 * path), NULL when unreadable. */
static void add_member(struct probe_ctx *ctx, struct ptd_pci *pci, cJSON *arr, const char *name,
                       const char *target)
{
    char path[128], drv[128];
    cJSON *m = cJSON_CreateObject();
    const struct ptd_pci_fn *fn = ptd_pci_find(pci, name);
    long class24;
    int ret;

    if (!m)
        return;
    cJSON_AddItemToArray(arr, m);
    cJSON_AddStringToObject(m, "bdf", name);
    if (fn && ptd_pci_ident(pci, fn) == 0) {
        char id[16];

        snprintf(id, sizeof(id), "%04x", (unsigned)fn->vendor_id);
        cJSON_AddStringToObject(m, "vendor_id", id);
        snprintf(id, sizeof(id), "%04x", (unsigned)fn->device_id);
        cJSON_AddStringToObject(m, "device_id", id);
    } else {
        cJSON_AddNullToObject(m, "vendor_id");
        cJSON_AddNullToObject(m, "device_id");
        ptd_doc_add_error(ctx->doc, PCI_SOURCE, "%s: group member %s", name,
                          fn ? "with unreadable ids" : "not among the PCI devices");
    }
    class24 = fn ? pci_read_class(ctx->root, name) : -1;
    if (class24 >= 0) {
        char cls[24];

        snprintf(cls, sizeof(cls), "%06lx", class24);
        cJSON_AddStringToObject(m, "class", cls);
        cJSON_AddBoolToObject(m, "is_bridge", pci_class_is_bridge(class24));
    } else {
        cJSON_AddNullToObject(m, "class");
        cJSON_AddNullToObject(m, "is_bridge");
    }
    add_names(pci, fn, m);
    add_upstream_bdfs(m, target);
    /* PCI-to-PCI bridges and PCIe ports: whether they isolate what is below them (ACS). A
     * host bridge (0x0600) is no port. */
    if (pci_class_is_bridge(class24) && (class24 >> 8) != 0x0600)
        pci_port_facts(ctx, m, name, "port_type");
    pci_attr_path(path, sizeof(path), name, "driver");
    ret = ptd_root_link_basename(ctx->root, path, drv, sizeof(drv));
    if (ret == 0) {
        cJSON_AddStringToObject(m, "driver", drv);
    } else {
        cJSON_AddNullToObject(m, "driver");
        if (ret != -ENOENT)
            ptd_doc_add_error(ctx->doc, PCI_SOURCE, "%s: %s", path, strerror(-ret));
    }
}

static cJSON *one_group(struct probe_ctx *ctx, struct ptd_pci *pci, long id)
{
    char path[96], type[64], **names = NULL;
    size_t n = 0, i;
    cJSON *g = cJSON_CreateObject(), *arr;
    int ret;

    if (!g)
        return NULL;
    ptd_json_add_num(g, "id", (double)id, true);
    snprintf(path, sizeof(path), "/sys/kernel/iommu_groups/%ld/type", id);
    ret = ptd_root_read_attr(ctx->root, path, type, sizeof(type));
    if (ret == 0) {
        cJSON_AddStringToObject(g, "type", type);
    } else {
        cJSON_AddNullToObject(g, "type");
        ptd_doc_add_error(ctx->doc, PCI_SOURCE, "%s: %s", path, strerror(-ret));
    }
    snprintf(path, sizeof(path), "/sys/kernel/iommu_groups/%ld/devices", id);
    ret = ptd_root_list_dir(ctx->root, path, &names, &n);
    if (ret) {
        cJSON_AddNullToObject(g, "devices");
        ptd_doc_add_error(ctx->doc, PCI_SOURCE, "%s: %s", path, strerror(-ret));
        return g;
    }
    arr = cJSON_AddArrayToObject(g, "devices");
    for (i = 0; i < n && arr; i++) {
        char link[160], target[PATH_MAX];

        /* Record the member links so a snapshot holds the group as the kernel shows it. */
        snprintf(link, sizeof(link), "%s/%s", path, names[i]);
        ret = ptd_root_readlink(ctx->root, link, target, sizeof(target));
        add_member(ctx, pci, arr, names[i], ret == 0 ? target : NULL);
    }
    ptd_strv_free(names);
    return g;
}

cJSON *pci_groups_facts(struct probe_ctx *ctx, struct ptd_pci *pci, const long *groups,
                        size_t count)
{
    cJSON *arr = cJSON_CreateArray();
    size_t i;

    for (i = 0; i < count && arr; i++) {
        cJSON *g = one_group(ctx, pci, groups[i]);

        if (g)
            cJSON_AddItemToArray(arr, g);
    }
    return arr;
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;

    return x < y ? -1 : x > y;
}

int pci_groups_list(struct probe_ctx *ctx, long **ids, size_t *n)
{
    char **names = NULL;
    size_t count = 0, i;
    int ret;

    *ids = NULL;
    *n = 0;
    ret = ptd_root_list_dir(ctx->root, "/sys/kernel/iommu_groups", &names, &count);
    if (ret)
        return ret;
    *ids = calloc(count ? count : 1, sizeof(**ids));
    if (!*ids) {
        ptd_strv_free(names);
        return -ENOMEM;
    }
    for (i = 0; i < count; i++) {
        char *end;
        long id;

        if (!names[i][0] || strspn(names[i], "0123456789") != strlen(names[i]))
            continue; /* only numbered groups, as the iommu probe counts them */
        errno = 0;
        id = strtol(names[i], &end, 10);
        if (!errno && id >= 0)
            (*ids)[(*n)++] = id;
    }
    ptd_strv_free(names);
    qsort(*ids, *n, sizeof(**ids), cmp_long);
    return 0;
}

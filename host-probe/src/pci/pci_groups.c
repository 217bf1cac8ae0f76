/* SPDX-License-Identifier: MIT */
/* iommu_groups[]: every group holding a listed device, with all its members. See pci_facts.h. */
#include "pci_facts.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ptdiag/doc.h"

static void add_member(struct probe_ctx *ctx, struct ptd_pci *pci, cJSON *arr, const char *name)
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
        (void)ptd_root_readlink(ctx->root, link, target, sizeof(target));
        add_member(ctx, pci, arr, names[i]);
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

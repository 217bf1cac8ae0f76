/* SPDX-License-Identifier: MIT */
/*
 * The "pci" probe: every display-class function and every function sharing its slot
 * (devices[]), the functions on vfio-pci and both ends of SR-IOV pairs, every IOMMU
 * group with all its members (iommu_groups[]) and the mediated devices (mdev_devices[]).
 * docs/schema.md.
 */
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"

#include "pci_facts.h"
#include "probe.h"

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;

    return x < y ? -1 : x > y;
}

static void load_iomem(struct probe_ctx *ctx, struct pci_iomem_view *view)
{
    struct ptd_error err;

    memset(view, 0, sizeof(*view));
    if (iomem_read(ctx->root, &view->map, &err) != 0) {
        ptd_doc_add_error(ctx->doc, PCI_SOURCE, "%s: framebuffer overlaps unknown", err.text);
        return;
    }
    if (view->map.bad_lines)
        ptd_doc_add_error(ctx->doc, PCI_SOURCE,
                          "/proc/iomem: %u malformed line(s), first at "
                          "line %u, skipped",
                          view->map.bad_lines, view->map.first_bad_line);
    if (view->map.addresses_hidden || view->map.count == 0) {
        ptd_doc_add_error(ctx->doc, PCI_SOURCE, "/proc/iomem: %s: framebuffer overlaps unknown",
                          view->map.count ? "addresses read as 0 (not root)" : "no ranges");
        iomem_map_free(&view->map);
        return;
    }
    view->usable = true;
}

static void mark(bool *listed, size_t i, size_t *count)
{
    if (!listed[i]) {
        listed[i] = true;
        (*count)++;
    }
}

static void mark_bdf(struct ptd_pci *pci, const struct ptd_pci_fn *fns, size_t n, const char *bdf,
                     bool *listed, size_t *count)
{
    const struct ptd_pci_fn *p = ptd_pci_find(pci, bdf);

    if (p && (size_t)(p - fns) < n)
        mark(listed, (size_t)(p - fns), count);
}

/* The functions bound to vfio-pci (meant for a VM: a VF, a NIC, a card passed whole), from
 * the driver's directory: one listing instead of a driver link per function. */
static void mark_vfio_bound(struct probe_ctx *ctx, struct ptd_pci *pci,
                            const struct ptd_pci_fn *fns, size_t n, bool *listed, size_t *count)
{
    char **names = NULL;
    size_t k = 0, i;

    if (ptd_root_list_dir(ctx->root, "/sys/bus/pci/drivers/vfio-pci", &names, &k) != 0)
        return; /* not loaded, or no device bound */
    for (i = 0; i < k; i++)
        mark_bdf(pci, fns, n, names[i], listed, count);
    ptd_strv_free(names);
}

/* The functions VM configs pass by address (a NIC, USB or NVMe controller too): a slot
 * without function is every function of it, as qemu-server passes it. */
static void mark_passed(struct probe_ctx *ctx, struct ptd_pci *pci, const struct ptd_pci_fn *fns,
                        size_t n, bool *listed, size_t *count)
{
    char **addrs = pci_passed_addresses(ctx);
    size_t i, j;

    for (i = 0; addrs && addrs[i]; i++) {
        if (strchr(addrs[i], '.')) {
            mark_bdf(pci, fns, n, addrs[i], listed, count);
            continue;
        }
        for (j = 0; j < n; j++)
            if (!strcmp(fns[j].slot, addrs[i]))
                mark(listed, j, count);
    }
    ptd_strv_free(addrs);
}

/* Both ends of an SR-IOV pair of a listed function: its PF (physfn) and its VFs (virtfnN). */
static void mark_sriov_pairs(struct probe_ctx *ctx, struct ptd_pci *pci,
                             const struct ptd_pci_fn *fns, size_t n, bool *listed, size_t *count)
{
    size_t i, j;

    for (i = 0; i < n; i++) {
        char link[64], path[128];

        if (!listed[i])
            continue;
        if (pci_link_bdf(ctx, fns[i].bdf, "physfn", link, sizeof(link)) == 0)
            mark_bdf(pci, fns, n, link, listed, count);
        pci_attr_path(path, sizeof(path), fns[i].bdf, "sriov_totalvfs");
        if (ptd_root_exists(ctx->root, path) != 1)
            continue;
        for (j = 0; j < 65536; j++) {
            char name[24];

            snprintf(name, sizeof(name), "virtfn%zu", j);
            if (pci_link_bdf(ctx, fns[i].bdf, name, link, sizeof(link)) != 0)
                break;
            mark_bdf(pci, fns, n, link, listed, count);
        }
    }
}

/* Marks the functions to list: display class (0x03) and everything in the same slot (the
 * mdev and vGPU parents among them), every function bound to vfio-pci, every function a VM
 * config passes by address, and both ends of an SR-IOV pair, so that binding, group and reset
 * facts exist for what a VM may be given. */
static size_t select_functions(struct probe_ctx *ctx, struct ptd_pci *pci,
                               const struct ptd_pci_fn *fns, size_t n, bool *listed)
{
    size_t i, j, count = 0;

    for (i = 0; i < n; i++) {
        if (fns[i].class_id < 0 || (fns[i].class_id >> 8) != 0x03)
            continue;
        for (j = 0; j < n; j++)
            if (strcmp(fns[j].slot, fns[i].slot) == 0)
                mark(listed, j, &count);
    }
    mark_vfio_bound(ctx, pci, fns, n, listed, &count);
    mark_passed(ctx, pci, fns, n, listed, &count);
    mark_sriov_pairs(ctx, pci, fns, n, listed, &count);
    return count;
}

/* Every group in /sys/kernel/iommu_groups (issue 17: the whole host, not only the groups of
 * listed devices); when that directory cannot be listed, the groups the listed devices'
 * iommu_group links name (*groups holds them, *n of them), sorted and unique. */
static void all_or_listed_groups(struct probe_ctx *ctx, long **groups, size_t *n)
{
    long *all = NULL;
    size_t nall = 0, i, out = 0;

    if (pci_groups_list(ctx, &all, &nall) == 0) {
        free(*groups);
        *groups = all;
        *n = nall;
        return;
    }
    qsort(*groups, *n, sizeof(**groups), cmp_long);
    for (i = 0; i < *n; i++)
        if (out == 0 || (*groups)[out - 1] != (*groups)[i])
            (*groups)[out++] = (*groups)[i];
    *n = out;
}

void probe_pci_run(struct probe_ctx *ctx)
{
    const struct ptd_pci_fn *fns = NULL;
    struct pci_iomem_view iomem;
    struct ptd_pci *pci = NULL;
    struct ptd_error err;
    bool *listed = NULL;
    long *groups = NULL;
    size_t n = 0, nlisted, ngroups = 0, i;
    cJSON *devices, *arr;
    const char *warn;

    memset(&iomem, 0, sizeof(iomem));
    devices = cJSON_AddArrayToObject(ctx->doc, "devices");
    if (!devices)
        return;
    if (ptd_pci_open(ctx->root, &pci, &err) != 0 || ptd_pci_scan(pci, &fns, &n, &err) != 0) {
        ptd_doc_add_error(ctx->doc, PCI_SOURCE, "%s: no PCI facts", err.text);
        cJSON_AddNullToObject(ctx->doc, "iommu_groups");
        cJSON_ReplaceItemInObject(ctx->doc, "devices", cJSON_CreateNull());
        goto out;
    }
    listed = calloc(n ? n : 1, sizeof(*listed));
    groups = calloc(n ? n : 1, sizeof(*groups));
    if (!listed || !groups)
        goto out;
    for (i = 0; i < n; i++)
        if (fns[i].class_id < 0)
            ptd_doc_add_error(ctx->doc, PCI_SOURCE, "%s: %s", fns[i].bdf, fns[i].error);
    nlisted = select_functions(ctx, pci, fns, n, listed);
    if (nlisted)
        load_iomem(ctx, &iomem);
    for (i = 0; i < n; i++) {
        cJSON *dev;
        long g;

        if (!listed[i])
            continue;
        dev = pci_device_facts(ctx, pci, &fns[i], &iomem, &g);
        if (!dev)
            break;
        cJSON_AddItemToArray(devices, dev);
        if (g >= 0)
            groups[ngroups++] = g;
    }
    pci_root_windows_facts(ctx, &iomem);
    all_or_listed_groups(ctx, &groups, &ngroups);
    arr = pci_groups_facts(ctx, pci, groups, ngroups);
    pci_card_annotate(ctx, devices, arr);
    if (arr)
        cJSON_AddItemToObject(ctx->doc, "iommu_groups", arr);
    cJSON_AddItemToObject(ctx->doc, "mdev_devices", pci_mdev_devices(ctx));
    warn = ptd_pci_take_warnings(pci);
    if (warn[0])
        ptd_doc_add_error(ctx->doc, PCI_SOURCE, "libpci: %s", warn);
out:
    iomem_map_free(&iomem.map);
    free(listed);
    free(groups);
    ptd_pci_close(pci);
}

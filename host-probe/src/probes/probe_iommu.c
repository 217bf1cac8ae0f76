/* SPDX-License-Identifier: MIT */
/*
 * The "iommu" probe: IOMMU units (/sys/class/iommu), groups and their default domain type
 * (/sys/kernel/iommu_groups/N/type), and whether vfio_iommu_type1 accepts platforms without
 * interrupt remapping (allow_unsafe_interrupts, as the loaded module sees it).
 * Writes doc.system.iommu; irq_remapping is filled in by the kmsg probe and
 * allow_unsafe_interrupts.configured by the modules probe (they read those sources anyway).
 */
#include "probe.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"

#define SOURCE "iommu"

static cJSON *system_obj(cJSON *doc)
{
    cJSON *sys = cJSON_GetObjectItemCaseSensitive(doc, "system");

    return sys ? sys : cJSON_AddObjectToObject(doc, "system");
}

/* A missing directory means "none" only when its parent exists (sysfs mounted, kernel new
 * enough); otherwise the fact is unknown. Returns 1 none, 0 unknown (error recorded). */
static int absent_means_none(struct probe_ctx *ctx, const char *dir, const char *parent)
{
    int ret = ptd_root_exists(ctx->root, parent);

    if (ret == 1)
        return 1;
    ptd_doc_add_error(ctx->doc, SOURCE, "%s: %s", dir,
                      ret == 0 ? "missing, and so is its parent (sysfs not mounted?)"
                               : strerror(-ret));
    return 0;
}

/* The narrowest input address width of the Intel VT-d units: MGAW, bits 21:16 of the
 * capability register, plus one (VT-d specification, 11.4.2 "Capability Register"; Linux
 * exposes the register as /sys/class/iommu/dmarN/intel-iommu/cap). A guest whose physical
 * address width exceeds it can place BARs where VFIO cannot map them (VFIO_MAP_DMA -22).
 * AMD units are left unknown: their limit is not one sysfs field. */
static void address_width(struct probe_ctx *ctx, cJSON *iommu, char **names, size_t n)
{
    long narrowest = -1;
    size_t units = 0, i;

    for (i = 0; i < n; i++) {
        char path[PATH_MAX], buf[64], *end;
        unsigned long long cap;

        if (strncmp(names[i], "dmar", 4) != 0)
            continue;
        snprintf(path, sizeof(path), "/sys/class/iommu/%s/intel-iommu/cap", names[i]);
        if (ptd_root_read_attr(ctx->root, path, buf, sizeof(buf)) != 0)
            continue;
        errno = 0;
        cap = strtoull(buf, &end, 16);
        if (errno || end == buf || (*end && *end != '\n')) {
            ptd_doc_add_error(ctx->doc, SOURCE, "%s: \"%s\" is not a hex register", path, buf);
            continue;
        }
        long mgaw = (long)((cap >> 16) & 0x3f) + 1;
        units++;
        if (narrowest < 0 || mgaw < narrowest)
            narrowest = mgaw;
    }
    if (units > 0)
        cJSON_AddNumberToObject(iommu, "address_width_bits", (double)narrowest);
    else
        cJSON_AddNullToObject(iommu, "address_width_bits");
}

static void probe_class(struct probe_ctx *ctx, cJSON *iommu)
{
    char **names = NULL;
    size_t n = 0, i;
    cJSON *arr;
    int ret;

    ret = ptd_root_list_dir(ctx->root, "/sys/class/iommu", &names, &n);
    if (ret == -ENOENT && absent_means_none(ctx, "/sys/class/iommu", "/sys/class")) {
        cJSON_AddArrayToObject(iommu, "class_devices");
        return;
    }
    if (ret) {
        if (ret != -ENOENT)
            ptd_doc_add_error(ctx->doc, SOURCE, "/sys/class/iommu: %s", strerror(-ret));
        cJSON_AddNullToObject(iommu, "class_devices");
        return;
    }
    arr = cJSON_AddArrayToObject(iommu, "class_devices");
    for (i = 0; arr && i < n; i++)
        cJSON_AddItemToArray(arr, cJSON_CreateString(names[i]));
    address_width(ctx, iommu, names, n);
    ptd_strv_free(names);
}

static void probe_groups(struct probe_ctx *ctx, cJSON *iommu)
{
    char **names = NULL;
    size_t n = 0, i, count = 0;
    cJSON *types;
    int ret;

    ret = ptd_root_list_dir(ctx->root, "/sys/kernel/iommu_groups", &names, &n);
    if (ret == -ENOENT && absent_means_none(ctx, "/sys/kernel/iommu_groups", "/sys/kernel")) {
        ptd_json_add_u64(iommu, "group_count", 0, true);
        cJSON_AddObjectToObject(iommu, "group_types");
        return;
    }
    if (ret) {
        if (ret != -ENOENT)
            ptd_doc_add_error(ctx->doc, SOURCE, "/sys/kernel/iommu_groups: %s", strerror(-ret));
        cJSON_AddNullToObject(iommu, "group_count");
        cJSON_AddNullToObject(iommu, "group_types");
        return;
    }
    types = cJSON_CreateObject();
    for (i = 0; i < n; i++) {
        char path[PATH_MAX], type[64];
        cJSON *c;

        if (strspn(names[i], "0123456789") != strlen(names[i]))
            continue; /* only numbered groups */
        count++;
        snprintf(path, sizeof(path), "/sys/kernel/iommu_groups/%s/type", names[i]);
        ret = ptd_root_read_attr(ctx->root, path, type, sizeof(type));
        if (ret) {
            /* "type" exists since Linux 5.11; older kernels leave it unknown */
            if (ret != -ENOENT)
                ptd_doc_add_error(ctx->doc, SOURCE, "%s: %s", path, strerror(-ret));
            snprintf(type, sizeof(type), "unknown");
        }
        if (!types)
            continue;
        c = cJSON_GetObjectItemCaseSensitive(types, type);
        if (c)
            cJSON_SetNumberValue(c, c->valuedouble + 1);
        else
            cJSON_AddNumberToObject(types, type, 1);
    }
    ptd_json_add_u64(iommu, "group_count", count, true);
    if (types)
        cJSON_AddItemToObject(iommu, "group_types", types);
    ptd_strv_free(names);
}

static void probe_unsafe_interrupts(struct probe_ctx *ctx, cJSON *iommu)
{
    static const char param[] = "/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts";
    cJSON *aui = cJSON_AddObjectToObject(iommu, "allow_unsafe_interrupts");
    char buf[16];
    int ret, tri = -1;

    if (!aui)
        return;
    ret = ptd_root_read_attr(ctx->root, param, buf, sizeof(buf));
    if (ret == 0) {
        if (strcmp(buf, "Y") == 0 || strcmp(buf, "1") == 0)
            tri = 1;
        else if (strcmp(buf, "N") == 0 || strcmp(buf, "0") == 0)
            tri = 0;
        else
            ptd_doc_add_error(ctx->doc, SOURCE, "%s: unexpected value '%s'", param, buf);
    } else if (ret == -ENOENT) {
        ptd_doc_add_error(ctx->doc, SOURCE,
                          "%s: missing (vfio_iommu_type1 not loaded: the effective value is "
                          "unknown until it is)",
                          param);
    } else {
        ptd_doc_add_error(ctx->doc, SOURCE, "%s: %s", param, strerror(-ret));
    }
    ptd_json_add_tri(aui, "effective", tri);
    /* set by the modules probe from /etc/modprobe.d */
    cJSON_AddNullToObject(aui, "configured");
}

void probe_iommu_run(struct probe_ctx *ctx)
{
    cJSON *sys = system_obj(ctx->doc), *iommu;

    if (!sys || !(iommu = cJSON_AddObjectToObject(sys, "iommu")))
        return;
    probe_class(ctx, iommu);
    probe_groups(ctx, iommu);
    /* set by the kmsg probe from the kernel log */
    cJSON_AddNullToObject(iommu, "irq_remapping");
    probe_unsafe_interrupts(ctx, iommu);
}

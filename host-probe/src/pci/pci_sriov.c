/* SPDX-License-Identifier: MIT */
/*
 * SR-IOV facts of one function, as the kernel lays them out (Documentation/ABI/testing/
 * sysfs-bus-pci): a physical function has sriov_totalvfs, sriov_numvfs and one virtfnN link
 * per enabled VF ("virtfn0 -> ../0000:00:02.1"); a VF has physfn ("physfn -> ../0000:00:02.0").
 * NVIDIA vGPU 17+ on SR-IOV cards adds nvidia/current_vgpu_type and
 * nvidia/creatable_vgpu_types to each VF (the files qemu-server's Mdev.pm writes and reads).
 * See pci_facts.h and docs/schema.md (devices[]: is_vf, physfn, sriov, nvidia_vgpu).
 */
#include "pci_facts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"

/* TotalVFs is a 16-bit register of the SR-IOV capability (PCIe Base Spec §9.3.3.5). */
#define SRIOV_VFS_MAX 65535u
/* creatable_vgpu_types lists a few dozen profiles; bound what we read. */
#define VGPU_TYPES_MAX_BYTES (64 * 1024)

static void sriov_err(struct probe_ctx *ctx, const char *bdf, const char *attr, const char *what)
{
    ptd_doc_add_error(ctx->doc, PCI_SOURCE, "/sys/bus/pci/devices/%s/%s: %s", bdf, attr, what);
}

int pci_link_bdf(struct probe_ctx *ctx, const char *bdf, const char *link, char *out, size_t len)
{
    char path[160];

    snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", bdf, link);
    return ptd_root_link_basename(ctx->root, path, out, len);
}

/* sriov_totalvfs / sriov_numvfs as a bounded count; -1 (and an error) when malformed. */
static long read_count(struct probe_ctx *ctx, const char *bdf, const char *attr)
{
    char path[160];
    uint64_t v;
    int ret;

    pci_attr_path(path, sizeof(path), bdf, attr);
    ret = ptd_root_read_u64(ctx->root, path, &v);
    if (ret) {
        sriov_err(ctx, bdf, attr, ret == -EINVAL ? "not a number" : strerror(-ret));
        return -1;
    }
    if (v > SRIOV_VFS_MAX) {
        sriov_err(ctx, bdf, attr, "above 65535, the SR-IOV TotalVFs register's range");
        return -1;
    }
    return (long)v;
}

/* "virtfn12" -> 12; -1 for any other name. */
static long virtfn_index(const char *name)
{
    char *end;
    long v;

    if (strncmp(name, "virtfn", 6) != 0 || name[6] < '0' || name[6] > '9')
        return -1;
    errno = 0;
    v = strtol(name + 6, &end, 10);
    return errno || *end || v < 0 || v > (long)SRIOV_VFS_MAX ? -1 : v;
}

static int cmp_vf(const void *a, const void *b)
{
    long x = virtfn_index(*(char *const *)a), y = virtfn_index(*(char *const *)b);

    return x < y ? -1 : x > y;
}

static void add_vfs(struct probe_ctx *ctx, const char *bdf, cJSON *sriov)
{
    char path[160], **names = NULL;
    size_t n = 0, i;
    cJSON *arr;
    int ret;

    snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", bdf);
    ret = ptd_root_list_dir(ctx->root, path, &names, &n);
    if (ret) {
        cJSON_AddNullToObject(sriov, "vfs");
        sriov_err(ctx, bdf, "", strerror(-ret));
        return;
    }
    /* "virtfn10" sorts before "virtfn2" by name: order by index. */
    qsort(names, n, sizeof(*names), cmp_vf);
    arr = cJSON_AddArrayToObject(sriov, "vfs");
    for (i = 0; i < n && arr; i++) {
        char vf[64], drv[128];
        long idx = virtfn_index(names[i]);
        cJSON *o;

        if (idx < 0)
            continue;
        if (pci_link_bdf(ctx, bdf, names[i], vf, sizeof(vf)) != 0) {
            sriov_err(ctx, bdf, names[i], "not a link to the VF");
            continue;
        }
        if (!(o = cJSON_CreateObject()))
            break;
        cJSON_AddItemToArray(arr, o);
        ptd_json_add_num(o, "index", (double)idx, true);
        cJSON_AddStringToObject(o, "bdf", vf);
        ptd_json_add_str(o, "driver",
                         pci_link_bdf(ctx, vf, "driver", drv, sizeof(drv)) == 0 ? drv : NULL);
    }
    ptd_strv_free(names);
}

cJSON *pci_vgpu_types_parse(const char *text)
{
    cJSON *arr = cJSON_CreateArray();
    const char *line = text;

    while (arr && line && *line) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        char buf[256], *colon, *end, *name;
        unsigned long id;

        if (len < sizeof(buf)) {
            memcpy(buf, line, len);
            buf[len] = '\0';
            colon = strchr(buf, ':');
            errno = 0;
            id = strtoul(buf, &end, 10);
            if (colon && end != buf && !errno && id <= 0xffffffffUL) {
                while (*end == ' ' || *end == '\t')
                    end++;
                name = colon + 1;
                while (*name == ' ' || *name == '\t')
                    name++;
                if (end == colon) {
                    cJSON *o = cJSON_CreateObject();

                    if (o) {
                        cJSON_AddItemToArray(arr, o);
                        ptd_json_add_num(o, "id", (double)id, true);
                        cJSON_AddStringToObject(o, "name", name);
                    }
                }
            }
        }
        line = nl ? nl + 1 : NULL;
    }
    return arr;
}

static void add_nvidia_vgpu(struct probe_ctx *ctx, const char *bdf, cJSON *dev)
{
    char path[160], buf[32], *data = NULL, *end;
    unsigned long cur;
    cJSON *o;
    int ret;

    pci_attr_path(path, sizeof(path), bdf, "nvidia/current_vgpu_type");
    ret = ptd_root_read_attr(ctx->root, path, buf, sizeof(buf));
    if (ret == -ENOENT || ret == -ENOTDIR) {
        cJSON_AddNullToObject(dev, "nvidia_vgpu"); /* no NVIDIA vGPU sysfs API here */
        return;
    }
    if (!(o = cJSON_AddObjectToObject(dev, "nvidia_vgpu")))
        return;
    errno = 0;
    cur = ret == 0 ? strtoul(buf, &end, 10) : 0;
    if (ret == 0 && !errno && end != buf && !*end && cur <= 0xffffffffUL) {
        /* "0": no vGPU type set (the VF is free for qemu-server to configure). */
        ptd_json_add_num(o, "current_vgpu_type", (double)cur, true);
    } else {
        cJSON_AddNullToObject(o, "current_vgpu_type");
        sriov_err(ctx, bdf, "nvidia/current_vgpu_type", ret ? strerror(-ret) : "not a number");
    }
    pci_attr_path(path, sizeof(path), bdf, "nvidia/creatable_vgpu_types");
    ret = ptd_root_read_file(ctx->root, path, VGPU_TYPES_MAX_BYTES, &data, NULL);
    if (ret) {
        cJSON_AddNullToObject(o, "creatable_vgpu_types");
        sriov_err(ctx, bdf, "nvidia/creatable_vgpu_types", strerror(-ret));
        return;
    }
    cJSON_AddItemToObject(o, "creatable_vgpu_types", pci_vgpu_types_parse(data));
    free(data);
}

void pci_sriov_facts(struct probe_ctx *ctx, const char *bdf, cJSON *dev)
{
    char path[160], pf[64];
    long total, num;
    cJSON *sriov;
    int ret;

    ret = pci_link_bdf(ctx, bdf, "physfn", pf, sizeof(pf));
    if (ret == 0) {
        cJSON_AddBoolToObject(dev, "is_vf", true);
        cJSON_AddStringToObject(dev, "physfn", pf);
    } else {
        ptd_json_add_tri(dev, "is_vf", ret == -ENOENT ? 0 : -1);
        cJSON_AddNullToObject(dev, "physfn");
        if (ret != -ENOENT)
            sriov_err(ctx, bdf, "physfn", strerror(-ret));
    }
    pci_attr_path(path, sizeof(path), bdf, "sriov_totalvfs");
    ret = ptd_root_exists(ctx->root, path);
    if (ret != 1) {
        /* No SR-IOV capability: the kernel creates the sriov_* files only for a PF. */
        cJSON_AddNullToObject(dev, "sriov");
        if (ret < 0)
            sriov_err(ctx, bdf, "sriov_totalvfs", strerror(-ret));
    } else if ((sriov = cJSON_AddObjectToObject(dev, "sriov")) != NULL) {
        total = read_count(ctx, bdf, "sriov_totalvfs");
        num = read_count(ctx, bdf, "sriov_numvfs");
        if (num > total && total >= 0) {
            sriov_err(ctx, bdf, "sriov_numvfs", "above sriov_totalvfs");
            num = -1;
        }
        ptd_json_add_num(sriov, "total_vfs", (double)total, total >= 0);
        ptd_json_add_num(sriov, "num_vfs", (double)num, num >= 0);
        add_vfs(ctx, bdf, sriov);
    }
    add_nvidia_vgpu(ctx, bdf, dev);
}

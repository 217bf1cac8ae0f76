/* SPDX-License-Identifier: MIT */
/*
 * Mediated devices (Documentation/driver-api/vfio-mediated-device.rst): a parent device's
 * mdev_supported_types/<type-id>/{name, available_instances, device_api, description}, and the
 * instances that exist, /sys/bus/mdev/devices/<uuid> -> ../../../devices/.../<parent>/<uuid>
 * with <uuid>/mdev_type -> the type's directory. See pci_facts.h and docs/schema.md
 * (devices[].mdev_types, mdev_devices).
 */
#include "pci_facts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"

/* The kernel prints available_instances as an unsigned int; real parents offer a few dozen. */
#define MDEV_INSTANCES_MAX  1000000ul
#define MDEV_DESC_MAX_BYTES 4096

static void mdev_err(struct probe_ctx *ctx, const char *path, const char *what)
{
    ptd_doc_add_error(ctx->doc, PCI_SOURCE, "%s: %s", path, what);
}

/* An optional text attribute of a type: null when absent (name and description are optional). */
static void add_type_text(struct probe_ctx *ctx, cJSON *o, const char *dir, const char *attr)
{
    char path[640], *data = NULL;
    size_t len = 0;
    int ret;

    snprintf(path, sizeof(path), "%s/%s", dir, attr);
    ret = ptd_root_read_file(ctx->root, path, MDEV_DESC_MAX_BYTES, &data, &len);
    if (ret) {
        cJSON_AddNullToObject(o, attr);
        if (ret != -ENOENT)
            mdev_err(ctx, path, strerror(-ret));
        return;
    }
    while (len && (data[len - 1] == '\n' || data[len - 1] == ' '))
        data[--len] = '\0';
    cJSON_AddStringToObject(o, attr, data);
    free(data);
}

static void add_one_type(struct probe_ctx *ctx, cJSON *arr, const char *types_dir, const char *type)
{
    char dir[512], path[640], buf[32], *end;
    unsigned long avail;
    cJSON *o = cJSON_CreateObject();
    int ret;

    if (!o)
        return;
    cJSON_AddItemToArray(arr, o);
    cJSON_AddStringToObject(o, "type", type);
    snprintf(dir, sizeof(dir), "%s/%s", types_dir, type);
    add_type_text(ctx, o, dir, "name");
    snprintf(path, sizeof(path), "%s/available_instances", dir);
    ret = ptd_root_read_attr(ctx->root, path, buf, sizeof(buf));
    errno = 0;
    avail = ret == 0 ? strtoul(buf, &end, 10) : 0;
    if (ret == 0 && !errno && end != buf && !*end && buf[0] != '-' && avail <= MDEV_INSTANCES_MAX) {
        ptd_json_add_num(o, "available_instances", (double)avail, true);
    } else {
        cJSON_AddNullToObject(o, "available_instances");
        mdev_err(ctx, path, ret ? strerror(-ret) : "not a count of 0..1000000");
    }
    add_type_text(ctx, o, dir, "device_api");
    add_type_text(ctx, o, dir, "description");
}

void pci_mdev_types(struct probe_ctx *ctx, const char *bdf, cJSON *dev)
{
    char dir[160], **names = NULL;
    size_t n = 0, i;
    cJSON *arr;
    int ret;

    pci_attr_path(dir, sizeof(dir), bdf, "mdev_supported_types");
    ret = ptd_root_list_dir(ctx->root, dir, &names, &n);
    if (ret == -ENOENT || ret == -ENOTDIR) {
        /* Not a parent: no vendor driver registered this device with the mdev core. */
        cJSON_AddArrayToObject(dev, "mdev_types");
        return;
    }
    if (ret) {
        cJSON_AddNullToObject(dev, "mdev_types");
        mdev_err(ctx, dir, strerror(-ret));
        return;
    }
    arr = cJSON_AddArrayToObject(dev, "mdev_types");
    for (i = 0; i < n && arr; i++)
        if (names[i][0] != '.')
            add_one_type(ctx, arr, dir, names[i]);
    ptd_strv_free(names);
}

/* The parent's BDF: the path component before the uuid in the link's target. */
static bool parent_of(const char *target, const char *uuid, char *out, size_t len)
{
    size_t tl = strlen(target), ul = strlen(uuid);
    const char *p;

    if (tl < ul + 2 || strcmp(target + tl - ul, uuid) != 0 || target[tl - ul - 1] != '/')
        return false;
    for (p = target + tl - ul - 1; p > target && p[-1] != '/'; p--)
        ;
    if ((size_t)(target + tl - ul - 1 - p) >= len)
        return false;
    memcpy(out, p, (size_t)(target + tl - ul - 1 - p));
    out[target + tl - ul - 1 - p] = '\0';
    return out[0] != '\0';
}

cJSON *pci_mdev_devices(struct probe_ctx *ctx)
{
    const char *bus = "/sys/bus/mdev/devices";
    char **names = NULL;
    size_t n = 0, i;
    cJSON *arr;
    int ret = ptd_root_list_dir(ctx->root, bus, &names, &n);

    if (ret == -ENOENT || ret == -ENOTDIR)
        return cJSON_CreateArray(); /* mdev core not loaded: no instances */
    if (ret) {
        mdev_err(ctx, bus, strerror(-ret));
        return cJSON_CreateNull();
    }
    arr = cJSON_CreateArray();
    for (i = 0; i < n && arr; i++) {
        char path[PATH_MAX], target[PATH_MAX], parent[64], type[128];
        cJSON *o;

        snprintf(path, sizeof(path), "%s/%s", bus, names[i]);
        if (ptd_root_readlink(ctx->root, path, target, sizeof(target)) != 0 ||
            !parent_of(target, names[i], parent, sizeof(parent))) {
            mdev_err(ctx, path, "not a link to a device below its parent");
            continue;
        }
        if (!(o = cJSON_CreateObject()))
            break;
        cJSON_AddItemToArray(arr, o);
        cJSON_AddStringToObject(o, "uuid", names[i]);
        cJSON_AddStringToObject(o, "parent", parent);
        snprintf(path, sizeof(path), "%s/%s/mdev_type", bus, names[i]);
        ret = ptd_root_link_basename(ctx->root, path, type, sizeof(type));
        ptd_json_add_str(o, "type", ret == 0 ? type : NULL);
        if (ret)
            mdev_err(ctx, path, strerror(-ret));
    }
    ptd_strv_free(names);
    return arr;
}

/* SPDX-License-Identifier: MIT */
/*
 * doc.gpus: every display-class PCI function the guest sees, through the libpci wrapper the host
 * uses too (ptdiag/pci_access.h: sysfs method below --root, a guard per libpci call), plus what
 * sysfs adds: bound driver, BARs, link, DRM nodes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "ptdiag/doc.h"
#include "ptdiag/log.h"
#include "ptdiag/pci_access.h"
#include "ptdiag/pci_resource.h"
#include "ptdiag/pcie_link.h"

#define SRC "pci"

/* One link attribute's text, or NULL when it cannot be read. */
static const char *read_link_attr(struct agent_ctx *ctx, const char *bdf, const char *attr,
                                  char *buf, size_t len)
{
    char path[PATH_MAX];

    snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", bdf, attr);
    return ptd_root_read_attr(ctx->root, path, buf, len) == 0 ? buf : NULL;
}

static void add_link(struct agent_ctx *ctx, cJSON *gpu, const char *bdf)
{
    char cs[64], ms[64], cw[32], mw[32];
    struct ptd_pcie_link l;
    cJSON *link;

    ptd_pcie_link_parse(read_link_attr(ctx, bdf, "current_link_speed", cs, sizeof(cs)),
                        read_link_attr(ctx, bdf, "max_link_speed", ms, sizeof(ms)),
                        read_link_attr(ctx, bdf, "current_link_width", cw, sizeof(cw)),
                        read_link_attr(ctx, bdf, "max_link_width", mw, sizeof(mw)), &l);
    /* Conventional PCI devices (QEMU's emulated VGA) have no link attributes at all. */
    if (!ptd_pcie_link_any(&l)) {
        cJSON_AddNullToObject(gpu, "link");
        return;
    }
    link = cJSON_AddObjectToObject(gpu, "link");
    if (link)
        ptd_pcie_link_add_json(link, &l);
}

static void add_drm(struct agent_ctx *ctx, cJSON *gpu, const char *bdf)
{
    char path[PATH_MAX], card[64] = "", render[64] = "";
    char **names = NULL;
    size_t n = 0, i;
    cJSON *drm;

    snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/drm", bdf);
    if (ptd_root_list_dir(ctx->root, path, &names, &n) != 0) {
        cJSON_AddNullToObject(gpu, "drm"); /* no DRM driver bound: no nodes */
        return;
    }
    for (i = 0; i < n; i++) {
        if (!card[0] && strncmp(names[i], "card", 4) == 0 && names[i][4])
            snprintf(card, sizeof(card), "/dev/dri/%s", names[i]);
        else if (!render[0] && strncmp(names[i], "renderD", 7) == 0)
            snprintf(render, sizeof(render), "/dev/dri/%s", names[i]);
    }
    ptd_strv_free(names);
    if (!card[0] && !render[0]) {
        cJSON_AddNullToObject(gpu, "drm");
        return;
    }
    drm = cJSON_AddObjectToObject(gpu, "drm");
    ptd_json_add_str(drm, "card", card[0] ? card : NULL);
    ptd_json_add_str(drm, "render", render[0] ? render : NULL);
}

/* BAR sizes from the function's sysfs `resource` file, read with the parser the host uses
 * (ptdiag/pci_resource.h), so that the report compares the guest's sizes with the host's
 * like with like. Unreadable or malformed: bars null and the reason as an error. */
static void add_bars(struct agent_ctx *ctx, cJSON *gpu, const char *bdf)
{
    char path[PATH_MAX], *data = NULL;
    struct ptd_error err = {{0}};
    struct pci_res res;
    struct pci_bar bar;
    size_t len = 0;
    cJSON *bars;
    unsigned i;
    int r;

    snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource", bdf);
    r = ptd_root_read_file(ctx->root, path, 64 * 1024, &data, &len);
    if (r != 0 || pci_res_parse(data, len, &res, &err) != 0) {
        ptd_doc_add_error(ctx->doc, SRC, "%s: %s", path, r != 0 ? strerror(-r) : err.text);
        cJSON_AddNullToObject(gpu, "bars");
        goto out;
    }
    bars = cJSON_AddArrayToObject(gpu, "bars");
    for (i = 0; bars && i < PCI_RES_ROM; i++) {
        cJSON *o;

        if (!pci_res_bar(&res, i, &bar))
            continue; /* unimplemented, or the upper half of a 64-bit BAR */
        o = cJSON_CreateObject();
        if (!o || !cJSON_AddItemToArray(bars, o)) {
            cJSON_Delete(o);
            break;
        }
        cJSON_AddNumberToObject(o, "index", i);
        ptd_json_add_u64(o, "size_bytes", bar.size_bytes, true);
        ptd_json_add_tri(o, "is_io", bar.is_io);
        ptd_json_add_tri(o, "is_64bit", bar.is_64bit);
        ptd_json_add_tri(o, "prefetchable", bar.prefetchable);
    }
out:
    free(data);
}

/* A hex id, or null when libpci could not read it (-1). */
static void add_hex16_or_null(cJSON *obj, const char *key, int value)
{
    if (value < 0)
        cJSON_AddNullToObject(obj, key);
    else
        ptd_json_add_hex16(obj, key, (unsigned)value);
}

static void add_hex_byte_or_null(cJSON *obj, const char *key, int value)
{
    char hex[8];

    if (value < 0) {
        cJSON_AddNullToObject(obj, key);
        return;
    }
    snprintf(hex, sizeof(hex), "%02x", (unsigned)value & 0xff);
    ptd_json_add_str(obj, key, hex);
}

static void add_ids(cJSON *gpu, const struct ptd_pci_fn *fn, const struct ptd_pci_ext *ext,
                    const struct ptd_pci_names *names)
{
    char hex[8];

    ptd_json_add_str(gpu, "location", fn->bdf);
    ptd_json_add_hex16(gpu, "vendor_id", (unsigned)fn->vendor_id);
    ptd_json_add_hex16(gpu, "device_id", (unsigned)fn->device_id);
    add_hex16_or_null(gpu, "subsystem_vendor_id", ext->subsys_vendor_id);
    add_hex16_or_null(gpu, "subsystem_device_id", ext->subsys_device_id);
    add_hex_byte_or_null(gpu, "revision", ext->revision);
    if (ext->prog_if >= 0) {
        snprintf(hex, sizeof(hex), "%04x%02x", (unsigned)fn->class_id & 0xffff,
                 (unsigned)ext->prog_if & 0xff);
        ptd_json_add_str(gpu, "class", hex);
    } else {
        cJSON_AddNullToObject(gpu, "class");
    }
    ptd_json_add_str(gpu, "vendor_name", names->vendor[0] ? names->vendor : NULL);
    ptd_json_add_str(gpu, "device_name", names->device[0] ? names->device : NULL);
}

static void add_gpu(struct agent_ctx *ctx, cJSON *gpus, const struct ptd_pci_fn *fn,
                    const struct ptd_pci_ext *ext, const struct ptd_pci_names *names)
{
    char path[PATH_MAX], driver[64];
    cJSON *gpu = cJSON_CreateObject();
    int r;

    if (!gpu || !cJSON_AddItemToArray(gpus, gpu)) {
        cJSON_Delete(gpu);
        return;
    }
    add_ids(gpu, fn, ext, names);
    snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", fn->bdf);
    r = ptd_root_link_basename(ctx->root, path, driver, sizeof(driver));
    if (r != 0 && r != -ENOENT)
        ptd_doc_add_error(ctx->doc, SRC, "%s: %s", path, strerror(-r));
    ptd_json_add_str(gpu, "driver", r == 0 ? driver : NULL);
    add_bars(ctx, gpu, fn->bdf);
    add_link(ctx, gpu, fn->bdf);
    add_drm(ctx, gpu, fn->bdf);
    /* Filled by the vendor collectors (NVML, amdgpu sysfs) when they know. */
    cJSON_AddNullToObject(gpu, "vram_total_bytes");
    cJSON_AddNullToObject(gpu, "vram_used_bytes");
}

/* msg without a leading "libpci: " (the wrapper adds it to some errors, not to others). */
static const char *without_prefix(const char *msg)
{
    return strncmp(msg, "libpci: ", 8) == 0 ? msg + 8 : msg;
}

/* Adds every display-class function (sorted by BDF, as ptd_pci_scan returns them). A function
 * whose class or ids libpci could not read may be a GPU: the list is then unknown, not "these
 * GPUs", and the error says why. Returns 0, or -1 with err set. */
static int add_display_functions(struct agent_ctx *ctx, struct ptd_pci *pci, cJSON *gpus,
                                 struct ptd_error *err)
{
    const struct ptd_pci_fn *fns;
    struct ptd_pci_names names;
    struct ptd_error ext_err = {{0}};
    struct ptd_pci_ext ext;
    size_t n, i;

    if (ptd_pci_scan(pci, &fns, &n, err) != 0)
        return -1;
    for (i = 0; i < n; i++) {
        if (fns[i].class_id < 0)
            return ptd_error_set(err, "libpci: %s: %s", fns[i].bdf, fns[i].error);
        if ((fns[i].class_id >> 8) != 0x03)
            continue;
        if (ptd_pci_fill_ext(pci, &fns[i], &ext, &ext_err) != 0)
            return ptd_error_set(err, "libpci: %s: %s", fns[i].bdf, without_prefix(ext_err.text));
        ptd_pci_lookup_names(pci, &fns[i], &ext, &names);
        add_gpu(ctx, gpus, &fns[i], &ext, &names);
    }
    return 0;
}

void agent_pci(struct agent_ctx *ctx)
{
    cJSON *gpus = cJSON_AddArrayToObject(ctx->doc, "gpus");
    struct ptd_error err = {{0}};
    struct ptd_pci *pci = NULL;
    const char *warnings;

    if (!gpus)
        return;
    if (ptd_root_exists(ctx->root, "/sys/bus/pci/devices") != 1) {
        /* A guest without PCI (or a --root without sys/): unknown, not "no GPU". */
        ptd_doc_add_error(ctx->doc, SRC, "/sys/bus/pci/devices: not readable");
        cJSON_ReplaceItemInObjectCaseSensitive(ctx->doc, "gpus", cJSON_CreateNull());
        return;
    }
    if (ptd_pci_open(ctx->root, &pci, &err) != 0 ||
        add_display_functions(ctx, pci, gpus, &err) != 0) {
        /* a scan that failed half-way lists an unknown subset: unknown, not "these GPUs" */
        ptd_doc_add_error(ctx->doc, SRC, "%s", err.text);
        cJSON_ReplaceItemInObjectCaseSensitive(ctx->doc, "gpus", cJSON_CreateNull());
    }
    if (pci) {
        warnings = ptd_pci_take_warnings(pci);
        if (warnings[0])
            PTD_INFO("libpci: %s", warnings);
    }
    ptd_pci_close(pci);
}

/* SPDX-License-Identifier: MIT */
/*
 * doc.gpus: every display-class PCI function the guest sees, through libpci's sysfs method
 * (pointed below --root), plus what sysfs adds: bound driver, link, DRM nodes.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pci/pci.h>

#include "agent.h"
#include "ptdiag/doc.h"
#include "ptdiag/log.h"
#include "ptdiag/pci_resource.h"
#include "ptdiag/pcie_link.h"

#define SRC "pci"

/* libpci's default error handler exits the process. Ours records the message and jumps back
 * to the scan, which then reports the failure as a fact. One scan at a time (no threads). */
static jmp_buf pci_fail_jmp;
static char pci_fail_msg[256];

static void PCI_PRINTF(1, 2) PCI_NONRET pci_on_error(char *msg, ...)
{
    va_list ap;

    va_start(ap, msg);
    vsnprintf(pci_fail_msg, sizeof(pci_fail_msg), msg, ap);
    va_end(ap);
    longjmp(pci_fail_jmp, 1);
}

static void PCI_PRINTF(1, 2) pci_on_warning(char *msg, ...)
{
    char buf[256];
    va_list ap;

    va_start(ap, msg);
    vsnprintf(buf, sizeof(buf), msg, ap);
    va_end(ap);
    PTD_INFO("libpci: %s", buf);
}

static void PCI_PRINTF(1, 2) pci_on_debug(char *msg, ...)
{
    (void)msg;
}

struct gpu_fn {
    char bdf[16];
    struct pci_dev *dev;
};

static int by_bdf(const void *a, const void *b)
{
    return strcmp(((const struct gpu_fn *)a)->bdf, ((const struct gpu_fn *)b)->bdf);
}

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

/* Names come from pci.ids only: udev's hwdb holds the same data, but libpci's hwdb lookup
 * leaks its udev context, and a --root tree carries no hwdb of its own. */
#define NAME_FLAGS (PCI_LOOKUP_NO_NUMBERS | PCI_LOOKUP_NO_HWDB)

static void add_gpu(struct agent_ctx *ctx, struct pci_access *pacc, cJSON *gpus,
                    const struct gpu_fn *fn)
{
    struct pci_dev *d = fn->dev;
    char path[PATH_MAX], name[256], driver[64], hex[8];
    cJSON *gpu = cJSON_CreateObject();
    int r;

    if (!gpu || !cJSON_AddItemToArray(gpus, gpu)) {
        cJSON_Delete(gpu);
        return;
    }
    ptd_json_add_str(gpu, "location", fn->bdf);
    ptd_json_add_hex16(gpu, "vendor_id", d->vendor_id);
    ptd_json_add_hex16(gpu, "device_id", d->device_id);
    ptd_json_add_hex16(gpu, "subsystem_vendor_id", d->subsys_vendor_id);
    ptd_json_add_hex16(gpu, "subsystem_device_id", d->subsys_id);
    snprintf(hex, sizeof(hex), "%02x", d->rev_id);
    ptd_json_add_str(gpu, "revision", hex);
    snprintf(hex, sizeof(hex), "%04x%02x", d->device_class, d->prog_if);
    ptd_json_add_str(gpu, "class", hex);
    ptd_json_add_str(
        gpu, "vendor_name",
        pci_lookup_name(pacc, name, sizeof(name), PCI_LOOKUP_VENDOR | NAME_FLAGS, d->vendor_id));
    ptd_json_add_str(gpu, "device_name",
                     pci_lookup_name(pacc, name, sizeof(name), PCI_LOOKUP_DEVICE | NAME_FLAGS,
                                     d->vendor_id, d->device_id));
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

void agent_pci(struct agent_ctx *ctx)
{
    char sysfs[PATH_MAX];
    struct pci_access *volatile pacc = NULL;
    struct gpu_fn *volatile fns = NULL;
    volatile size_t nfns = 0;
    struct pci_dev *d;
    cJSON *gpus = cJSON_AddArrayToObject(ctx->doc, "gpus");
    size_t i;

    if (!gpus)
        return;
    if (ptd_root_path(ctx->root, "/sys/bus/pci", sysfs, sizeof(sysfs)) != 0) {
        ptd_doc_add_error(ctx->doc, SRC, "/sys/bus/pci: path too long under --root");
        return;
    }
    if (ptd_root_exists(ctx->root, "/sys/bus/pci/devices") != 1) {
        /* A guest without PCI (or a --root without sys/): unknown, not "no GPU". */
        ptd_doc_add_error(ctx->doc, SRC, "/sys/bus/pci/devices: not readable");
        cJSON_DeleteItemFromObjectCaseSensitive(ctx->doc, "gpus");
        cJSON_AddNullToObject(ctx->doc, "gpus");
        return;
    }
    if (setjmp(pci_fail_jmp) != 0) {
        /* a scan that died half-way lists an unknown subset: unknown, not "these GPUs" */
        ptd_doc_add_error(ctx->doc, SRC, "libpci: %s", pci_fail_msg);
        cJSON_ReplaceItemInObjectCaseSensitive(ctx->doc, "gpus", cJSON_CreateNull());
        goto out;
    }
    pacc = pci_alloc();
    pacc->error = pci_on_error;
    pacc->warning = pci_on_warning;
    pacc->debug = pci_on_debug;
    pacc->method = PCI_ACCESS_SYS_BUS_PCI;
    pci_set_param(pacc, "sysfs.path", sysfs);
    pci_init(pacc);
    pci_scan_bus(pacc);
    for (d = pacc->devices; d; d = d->next)
        nfns++;
    fns = calloc(nfns ? nfns : 1, sizeof(*fns));
    if (!fns) {
        ptd_doc_add_error(ctx->doc, SRC, "out of memory");
        goto out;
    }
    nfns = 0;
    for (d = pacc->devices; d; d = d->next) {
        pci_fill_info(d, PCI_FILL_IDENT | PCI_FILL_CLASS | PCI_FILL_CLASS_EXT | PCI_FILL_SUBSYS);
        if ((d->device_class >> 8) != 0x03)
            continue;
        snprintf(fns[nfns].bdf, sizeof(fns[nfns].bdf), "%04x:%02x:%02x.%d", d->domain & 0xffff,
                 d->bus, d->dev, d->func);
        fns[nfns].dev = d;
        nfns++;
    }
    qsort(fns, nfns, sizeof(*fns), by_bdf);
    for (i = 0; i < nfns; i++)
        add_gpu(ctx, pacc, gpus, &fns[i]);
out:
    free(fns);
    /* A failing cleanup jumps back here once more; the second time it is skipped. */
    if (pacc && setjmp(pci_fail_jmp) == 0)
        pci_cleanup(pacc);
}

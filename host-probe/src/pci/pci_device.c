/* SPDX-License-Identifier: MIT */
/*
 * Facts of one PCI function: sysfs attributes, the `resource` file, and config space decoded
 * with ptdiag/pcicfg.h. See pci_facts.h and docs/schema.md (devices[]).
 */
#include "pci_device_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"
#include "ptdiag/pcicfg.h"

#include "ptdiag/pci_resource.h"
#include "vendor_reset_db.h"

void pci_attr_path(char *buf, size_t len, const char *bdf, const char *attr)
{
    snprintf(buf, len, "/sys/bus/pci/devices/%s/%s", bdf, attr);
}

long pci_read_class(struct ptd_root *root, const char *bdf)
{
    char path[128];
    uint64_t v;

    pci_attr_path(path, sizeof(path), bdf, "class");
    if (ptd_root_read_u64(root, path, &v) != 0 || v > 0xffffff)
        return -1;
    return (long)v;
}

bool pci_class_is_bridge(long class24)
{
    long c = class24 >> 8;

    return class24 >= 0 && (c == 0x0600 || c == 0x0604 || c == 0x0609);
}

static void add_hex_or_null(cJSON *obj, const char *key, int v, unsigned digits)
{
    char buf[16];

    if (v < 0) {
        cJSON_AddNullToObject(obj, key);
        return;
    }
    snprintf(buf, sizeof(buf), "%0*x", (int)digits, (unsigned)v);
    ptd_json_add_str(obj, key, buf);
}

static void add_name(cJSON *obj, const char *key, const char *name)
{
    ptd_json_add_str(obj, key, name && name[0] ? name : NULL);
}

static void read_config(struct fn_state *st, cJSON *dev)
{
    char path[128];
    char *data = NULL;
    size_t len = 0;
    int ret;

    pci_attr_path(path, sizeof(path), st->fn->bdf, "config");
    ret = ptd_root_read_file(st->ctx->root, path, CONFIG_MAX, &data, &len);
    if (ret) {
        add_err(st, "config", "unreadable: %s", errstr(ret));
        ptd_json_add_num(dev, "config_bytes", 0, true);
        return;
    }
    st->cfg = (uint8_t *)data;
    st->cfg_len = len;
    ptd_json_add_num(dev, "config_bytes", (double)len, true);
    if (st->is_vf && len >= 4 && st->fn->vendor_id >= 0 && st->fn->device_id >= 0 &&
        st->cfg[0] == 0xff && st->cfg[1] == 0xff) {
        /* A VF's Vendor ID and Device ID registers read 0xFFFF by the SR-IOV specification;
         * sysfs has the ids the kernel took from the PF's SR-IOV capability. Decode with
         * those, so the VF is not taken for a device that fell off the bus. */
        st->cfg[0] = (uint8_t)st->fn->vendor_id;
        st->cfg[1] = (uint8_t)(st->fn->vendor_id >> 8);
        st->cfg[2] = (uint8_t)st->fn->device_id;
        st->cfg[3] = (uint8_t)(st->fn->device_id >> 8);
    }
    if (len < 64) {
        add_err(st, "config", "%s", "truncated below the 64-byte header");
        return;
    }
    if (!ptd_pcicfg_valid(st->cfg, len)) {
        add_err(st, "config", "%s",
                "reads all 0xff: the device does not answer (fell off the bus, or in D3cold)");
        return;
    }
    st->cfg_ok = true;
    st->cfg_full = len >= 256;
    st->cfg_ext = len > 256;
    if (len < 256)
        add_err(st, "config",
                "only %s bytes readable (not root): FLR, ACS, ReBAR and link "
                "facts from config space unknown",
                len == 64 ? "64" : "a part of 256");
}

static void add_bars(struct fn_state *st, cJSON *dev)
{
    char path[128], *data = NULL;
    struct ptd_error err;
    size_t len;
    cJSON *bars;
    unsigned i;
    int ret;

    pci_attr_path(path, sizeof(path), st->fn->bdf, "resource");
    ret = ptd_root_read_file(st->ctx->root, path, 64 * 1024, &data, &len);
    if (ret) {
        add_err(st, "resource", "unreadable: %s", errstr(ret));
        cJSON_AddNullToObject(dev, "bars");
        return;
    }
    ret = pci_res_parse(data, len, &st->res, &err);
    free(data);
    if (ret) {
        add_err(st, "resource", "malformed: %s", err.text);
        cJSON_AddNullToObject(dev, "bars");
        return;
    }
    st->res_ok = true;
    bars = cJSON_AddArrayToObject(dev, "bars");
    for (i = 0; i < PCI_RES_ROM && bars; i++) {
        struct pci_bar b;
        cJSON *o;

        if (!pci_res_bar(&st->res, i, &b))
            continue;
        o = cJSON_CreateObject();
        if (!o)
            return;
        cJSON_AddItemToArray(bars, o);
        ptd_json_add_num(o, "index", i, true);
        ptd_json_add_u64(o, "start", b.start, b.assigned);
        ptd_json_add_u64(o, "size_bytes", b.size_bytes, true);
        cJSON_AddBoolToObject(o, "is_64bit", b.is_64bit);
        cJSON_AddBoolToObject(o, "prefetchable", b.prefetchable);
        cJSON_AddBoolToObject(o, "is_io", b.is_io);
        cJSON_AddBoolToObject(o, "assigned", b.assigned);
    }
}

static void add_rom(struct fn_state *st, cJSON *dev)
{
    char path[128];
    struct pci_bar b;
    bool in_res = st->res_ok && pci_res_bar(&st->res, PCI_RES_ROM, &b);
    int file;
    cJSON *rom = cJSON_AddObjectToObject(dev, "rom");

    if (!rom)
        return;
    pci_attr_path(path, sizeof(path), st->fn->bdf, "rom");
    file = ptd_root_exists(st->ctx->root, path);
    if (!in_res && file < 0) {
        cJSON_AddNullToObject(rom, "present");
        cJSON_AddNullToObject(rom, "size_bytes");
        return;
    }
    cJSON_AddBoolToObject(rom, "present", in_res || file == 1);
    ptd_json_add_u64(rom, "size_bytes", in_res ? b.size_bytes : 0, in_res);
}

static void add_reset(struct fn_state *st, cJSON *dev)
{
    char buf[256], path[128];
    cJSON *arr;
    int ret = read_attr(st, "reset_method", buf, sizeof(buf));

    if (ret == -ENOENT) {
        cJSON_AddArrayToObject(dev, "reset_method");
    } else if (ret) {
        add_err(st, "reset_method", "unreadable: %s", errstr(ret));
        cJSON_AddNullToObject(dev, "reset_method");
    } else if ((arr = cJSON_AddArrayToObject(dev, "reset_method")) != NULL) {
        char *save = NULL, *tok;

        for (tok = strtok_r(buf, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save))
            cJSON_AddItemToArray(arr, cJSON_CreateString(tok));
    }
    pci_attr_path(path, sizeof(path), st->fn->bdf, "reset");
    ret = ptd_root_exists(st->ctx->root, path);
    ptd_json_add_tri(dev, "reset_file", ret);
    if (ret < 0)
        add_err(st, "reset", "cannot tell whether it exists: %s", errstr(ret));
}

static void add_power(struct fn_state *st, cJSON *dev)
{
    static const char *const pm_names[] = {"D0", "D1", "D2", "D3hot"};
    char buf[32];
    int ret = read_attr(st, "power_state", buf, sizeof(buf));
    int pm;

    if (ret == 0 && strcmp(buf, "unknown") != 0) {
        ptd_json_add_str(dev, "power_state", buf);
    } else if (st->cfg_ok && (pm = ptd_pcicfg_decode_pm_state(st->cfg, st->cfg_len)) >= 0) {
        ptd_json_add_str(dev, "power_state", pm_names[pm & 3]);
    } else {
        cJSON_AddNullToObject(dev, "power_state");
        add_err(st, "power_state", "%s",
                ret == 0 ? "the attribute reads \"unknown\" and there is no PM capability"
                         : "power state unknown (no attribute, no PM capability)");
    }

    ret = read_attr(st, "d3cold_allowed", buf, sizeof(buf));
    if (ret == 0 && (strcmp(buf, "0") == 0 || strcmp(buf, "1") == 0)) {
        cJSON_AddBoolToObject(dev, "d3cold_allowed", buf[0] == '1');
    } else {
        cJSON_AddNullToObject(dev, "d3cold_allowed");
        add_err(st, "d3cold_allowed", "%s", ret ? errstr(ret) : "not 0 or 1");
    }
}

static void add_numa_boot_vga(struct fn_state *st, cJSON *dev, long class24)
{
    char buf[32];
    char *end;
    long v;
    int ret = read_attr(st, "numa_node", buf, sizeof(buf));

    errno = 0;
    v = ret == 0 ? strtol(buf, &end, 10) : -1;
    if (ret == 0 && (errno || end == buf || *end)) {
        add_err(st, "numa_node", "not a number: '%s'", buf);
        v = -1;
    } else if (ret && ret != -ENOENT) {
        add_err(st, "numa_node", "unreadable: %s", errstr(ret));
    }
    /* -1 (or no attribute on a non-NUMA kernel): no node affinity. */
    ptd_json_add_num(dev, "numa_node", (double)v, v >= 0);

    ret = read_attr(st, "boot_vga", buf, sizeof(buf));
    if (ret == 0 && (strcmp(buf, "0") == 0 || strcmp(buf, "1") == 0)) {
        cJSON_AddBoolToObject(dev, "boot_vga", buf[0] == '1');
        return;
    }
    cJSON_AddNullToObject(dev, "boot_vga");
    /* The kernel creates boot_vga for VGA-class functions only. */
    if ((class24 >> 8) == 0x0300)
        add_err(st, "boot_vga", "%s", ret ? errstr(ret) : "not 0 or 1");
}

static void add_driver(struct fn_state *st, cJSON *dev)
{
    char path[128], name[128], buf[256];
    int ret;

    pci_attr_path(path, sizeof(path), st->fn->bdf, "driver");
    ret = ptd_root_link_basename(st->ctx->root, path, name, sizeof(name));
    if (ret == -ENOENT) {
        cJSON_AddNullToObject(dev, "driver");
    } else if (ret) {
        cJSON_AddNullToObject(dev, "driver");
        add_err(st, "driver", "unreadable link: %s", errstr(ret));
    } else {
        ptd_json_add_str(dev, "driver", name);
        if (ptd_root_exists(st->ctx->root, path) == 0)
            add_err(st, "driver", "link to '%s' is dangling (driver directory missing)", name);
    }

    ret = read_attr(st, "driver_override", buf, sizeof(buf));
    if (ret == 0) {
        ptd_json_add_str(dev, "driver_override",
                         strcmp(buf, "(null)") == 0 || !buf[0] ? NULL : buf);
    } else {
        cJSON_AddNullToObject(dev, "driver_override");
        add_err(st, "driver_override", "unreadable: %s", errstr(ret));
    }
}

static long add_group(struct fn_state *st, cJSON *dev)
{
    char path[128], name[64], *end;
    long g;
    int ret;

    pci_attr_path(path, sizeof(path), st->fn->bdf, "iommu_group");
    ret = ptd_root_link_basename(st->ctx->root, path, name, sizeof(name));
    if (ret) {
        cJSON_AddNullToObject(dev, "iommu_group");
        add_err(st, "iommu_group", "%s",
                ret == -ENOENT ? "no link: the device is in no IOMMU group (IOMMU off?)"
                               : errstr(ret));
        return -1;
    }
    errno = 0;
    g = strtol(name, &end, 10);
    if (errno || end == name || *end || g < 0) {
        cJSON_AddNullToObject(dev, "iommu_group");
        add_err(st, "iommu_group", "link target '%s' is not a group number", name);
        return -1;
    }
    ptd_json_add_num(dev, "iommu_group", (double)g, true);
    return g;
}

static void add_vendor_reset(cJSON *dev, const struct ptd_pci_fn *fn)
{
    const struct vendor_reset_entry *e =
        fn->vendor_id >= 0 ? vendor_reset_lookup((uint16_t)fn->vendor_id, (uint16_t)fn->device_id)
                           : NULL;
    cJSON *o;

    if (!e) {
        cJSON_AddNullToObject(dev, "vendor_reset");
        return;
    }
    o = cJSON_AddObjectToObject(dev, "vendor_reset");
    if (!o)
        return;
    cJSON_AddStringToObject(o, "family", e->family);
    cJSON_AddStringToObject(o, "reset_op", e->reset_op);
}

static void add_iomem(struct fn_state *st, cJSON *dev, const struct pci_iomem_view *iomem)
{
    cJSON *arr;
    unsigned i;
    size_t r;

    if (!iomem->usable || !st->res_ok) {
        cJSON_AddNullToObject(dev, "iomem_overlaps"); /* reason recorded once by the caller */
        return;
    }
    arr = cJSON_AddArrayToObject(dev, "iomem_overlaps");
    for (i = 0; i < PCI_RES_ROM && arr; i++) {
        struct pci_bar b;
        uint64_t bar_end;

        if (!pci_res_bar(&st->res, i, &b) || !b.assigned || b.is_io)
            continue;
        bar_end = b.start + b.size_bytes - 1;
        for (r = 0; r < iomem->map.count; r++) {
            const struct iomem_range *ir = &iomem->map.ranges[r];
            cJSON *o;

            if (!iomem_is_boot_framebuffer(ir->name) || ir->end < b.start || ir->start > bar_end)
                continue;
            o = cJSON_CreateObject();
            if (!o)
                return;
            cJSON_AddItemToArray(arr, o);
            cJSON_AddStringToObject(o, "name", ir->name);
            ptd_json_add_u64(o, "start", ir->start, true);
            ptd_json_add_u64(o, "end", ir->end, true);
            ptd_json_add_num(o, "bar", i, true);
        }
    }
}

cJSON *pci_device_facts(struct probe_ctx *ctx, struct ptd_pci *pci, const struct ptd_pci_fn *fn,
                        const struct pci_iomem_view *iomem, long *group_out)
{
    struct fn_state st = {.ctx = ctx, .fn = fn};
    struct ptd_pci_ext ext;
    struct ptd_pci_names names;
    struct ptd_pcie_info pcie;
    struct ptd_error err;
    bool have_pcie = false;
    long class24;
    cJSON *dev = cJSON_CreateObject();

    *group_out = -1;
    if (!dev)
        return NULL;
    cJSON_AddStringToObject(dev, "bdf", fn->bdf);
    if (ptd_pci_ident(pci, fn) != 0)
        ptd_doc_add_error(ctx->doc, PCI_SOURCE, "%s: ids unreadable: %s", fn->bdf, fn->error);
    if (ptd_pci_fill_ext(pci, fn, &ext, &err) != 0 && fn->vendor_id >= 0)
        ptd_doc_add_error(ctx->doc, PCI_SOURCE, "%s: %s", fn->bdf, err.text);
    add_hex_or_null(dev, "vendor_id", fn->vendor_id, 4);
    add_hex_or_null(dev, "device_id", fn->device_id, 4);
    add_hex_or_null(dev, "subsystem_vendor_id", ext.subsys_vendor_id, 4);
    add_hex_or_null(dev, "subsystem_device_id", ext.subsys_device_id, 4);
    add_hex_or_null(dev, "revision", ext.revision, 2);
    class24 = pci_read_class(ctx->root, fn->bdf);
    if (class24 < 0 && fn->class_id >= 0 && ext.prog_if >= 0)
        class24 = (long)fn->class_id << 8 | ext.prog_if;
    add_hex_or_null(dev, "class", (int)class24, 6);

    ptd_pci_lookup_names(pci, fn, &ext, &names);
    add_name(dev, "vendor_name", names.vendor);
    add_name(dev, "device_name", names.device);
    add_name(dev, "subsystem_name", names.subsystem);
    add_name(dev, "class_name", names.class_name);
    ptd_json_add_tri(dev, "is_gpu", class24 >= 0 ? (class24 >> 16) == 0x03 : -1);
    cJSON_AddStringToObject(dev, "slot", fn->slot);

    add_driver(&st, dev);
    pci_sriov_facts(ctx, fn->bdf, dev);
    st.is_vf = ptd_json_get_tri(dev, "is_vf") == 1;
    pci_mdev_types(ctx, fn->bdf, dev);
    *group_out = add_group(&st, dev);
    read_config(&st, dev);
    add_bars(&st, dev);
    add_rebar(&st, dev);
    add_rom(&st, dev);
    add_reset(&st, dev);
    if (st.cfg_ok && ptd_pcicfg_decode_pcie(st.cfg, st.cfg_len, &pcie) == 0)
        have_pcie = true;
    add_flr(&st, dev, have_pcie ? &pcie : NULL);
    if (!have_pcie)
        memset(&pcie, 0, sizeof(pcie));
    add_link(&st, dev, have_pcie || st.cfg_full ? &pcie : NULL);
    add_power(&st, dev);
    add_numa_boot_vga(&st, dev, class24);
    add_upstream(&st, dev);
    add_vendor_reset(dev, fn);
    add_iomem(&st, dev, iomem);
    free(st.cfg);
    return dev;
}

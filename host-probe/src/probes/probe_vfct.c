/* SPDX-License-Identifier: MIT */
/*
 * The "vfct" probe: the ACPI VFCT table, where AMD firmware hands the OS the video BIOS of an
 * APU's graphics (which has no option ROM of its own). The APU passthrough guides extract the
 * image from /sys/firmware/acpi/tables/VFCT for romfile=. Read-only: the file is readable by
 * root only and read whole (it is small); nothing is enabled or written.
 *
 * Adds system.acpi.vfct {present, readable, table_bytes, entries, error} and, on the device of
 * devices[] an entry names (bus/device/function and vendor:device, as amdgpu matches them),
 * rom.vfct_image {vendor_id, device_id, image_offset, image_bytes, rom_signature, truncated}.
 * Runs after the "pci" probe, whose devices[] it annotates.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"
#include "vfct.h"

#include "ptdiag/doc.h"

#define SOURCE    "vfct"
#define VFCT_PATH "/sys/firmware/acpi/tables/VFCT"
#define VFCT_MAX  (4u << 20) /* VFCT tables are tens of KiB: one VBIOS per GPU */

static cJSON *entry_json(const struct vfct_entry *e, bool with_bdf)
{
    cJSON *o = cJSON_CreateObject();
    char bdf[16];

    if (!o)
        return NULL;
    if (with_bdf) {
        if (vfct_entry_is_pci(e)) {
            snprintf(bdf, sizeof(bdf), "0000:%02x:%02x.%x", (unsigned)e->bus, (unsigned)e->device,
                     (unsigned)e->function);
            ptd_json_add_str(o, "bdf", bdf);
        } else {
            cJSON_AddNullToObject(o, "bdf");
        }
    }
    ptd_json_add_hex16(o, "vendor_id", e->vendor_id);
    ptd_json_add_hex16(o, "device_id", e->device_id);
    ptd_json_add_u64(o, "image_offset", e->image_offset, true);
    ptd_json_add_u64(o, "image_bytes", e->image_bytes, true);
    cJSON_AddBoolToObject(o, "rom_signature", e->rom_signature);
    cJSON_AddBoolToObject(o, "truncated", e->truncated);
    return o;
}

/* The entry naming this device: its bus/device/function on segment 0 and its ids. */
static const struct vfct_entry *entry_for(const struct vfct_info *info, const cJSON *dev)
{
    const cJSON *bdf = cJSON_GetObjectItemCaseSensitive(dev, "bdf");
    const cJSON *ven = cJSON_GetObjectItemCaseSensitive(dev, "vendor_id");
    const cJSON *did = cJSON_GetObjectItemCaseSensitive(dev, "device_id");
    unsigned seg, bus, slot, fn, v, d;
    size_t i;

    if (!cJSON_IsString(bdf) || !cJSON_IsString(ven) || !cJSON_IsString(did) ||
        sscanf(bdf->valuestring, "%4x:%2x:%2x.%1x", &seg, &bus, &slot, &fn) != 4 || seg != 0 ||
        sscanf(ven->valuestring, "%4x", &v) != 1 || sscanf(did->valuestring, "%4x", &d) != 1)
        return NULL;
    for (i = 0; i < info->n_entries; i++) {
        const struct vfct_entry *e = &info->entries[i];

        if (e->bus == bus && e->device == slot && e->function == fn && e->vendor_id == v &&
            e->device_id == d)
            return e;
    }
    return NULL;
}

/* rom.vfct_image on every device: the matching entry, or null (none, or the table unread). */
static void annotate_devices(struct probe_ctx *ctx, const struct vfct_info *info)
{
    cJSON *devs = cJSON_GetObjectItemCaseSensitive(ctx->doc, "devices"), *dev;

    cJSON_ArrayForEach(dev, devs)
    {
        cJSON *rom = cJSON_GetObjectItemCaseSensitive(dev, "rom");
        const struct vfct_entry *e = info ? entry_for(info, dev) : NULL;
        cJSON *img;

        if (!cJSON_IsObject(rom))
            continue;
        img = e ? entry_json(e, false) : NULL;
        if (img)
            cJSON_AddItemToObject(rom, "vfct_image", img);
        else
            cJSON_AddNullToObject(rom, "vfct_image");
    }
}

static void add_entries(cJSON *vfct, const struct vfct_info *info)
{
    cJSON *arr = cJSON_AddArrayToObject(vfct, "entries");
    size_t i;

    for (i = 0; arr && i < info->n_entries; i++) {
        cJSON *o = entry_json(&info->entries[i], true);

        if (o)
            cJSON_AddItemToArray(arr, o);
    }
    ptd_json_add_str(vfct, "error", info->error[0] ? info->error : NULL);
}

void probe_vfct_run(struct probe_ctx *ctx)
{
    cJSON *sys = cJSON_GetObjectItemCaseSensitive(ctx->doc, "system");
    cJSON *acpi = cJSON_GetObjectItemCaseSensitive(sys, "acpi"), *vfct;
    struct vfct_info info;
    char *data = NULL;
    size_t len = 0;
    int tables, ret;

    if (!cJSON_IsObject(acpi))
        return;
    /* without the tables directory (no ACPI, sysfs not mounted) absence says nothing */
    tables = ptd_root_exists(ctx->root, "/sys/firmware/acpi/tables");
    if (tables <= 0) {
        cJSON_AddNullToObject(acpi, "vfct");
        annotate_devices(ctx, NULL);
        return;
    }
    vfct = cJSON_AddObjectToObject(acpi, "vfct");
    if (!vfct)
        return;
    ret = ptd_root_read_file(ctx->root, VFCT_PATH, VFCT_MAX, &data, &len);
    cJSON_AddBoolToObject(vfct, "present", ret != -ENOENT);
    if (ret) {
        ptd_json_add_tri(vfct, "readable", ret == -ENOENT ? -1 : 0);
        if (ret != -ENOENT)
            ptd_doc_add_error(ctx->doc, SOURCE, "%s: %s", VFCT_PATH, strerror(-ret));
        cJSON_AddNullToObject(vfct, "table_bytes");
        cJSON_AddNullToObject(vfct, "entries");
        cJSON_AddNullToObject(vfct, "error");
        annotate_devices(ctx, NULL);
        return;
    }
    cJSON_AddTrueToObject(vfct, "readable");
    ptd_json_add_u64(vfct, "table_bytes", len, true);
    vfct_parse((const unsigned char *)data, len, &info);
    add_entries(vfct, &info);
    annotate_devices(ctx, &info);
    free(data);
}

/* SPDX-License-Identifier: MIT */
/* romfile= checks. See vm_romfile.h. */
#include "vm_romfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"

#include "rom_image.h"

/* a VBIOS is 64 KiB to 2 MiB; PCI ROM BARs top out at 16 MiB */
#define ROMFILE_MAX (16u << 20)

/* The passed function's ids from sysfs; false when unreadable. */
static bool function_ids(struct ptd_root *root, const char *bdf, uint16_t *vendor, uint16_t *device)
{
    char path[128];
    uint64_t v, d;

    if (!bdf)
        return false;
    snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vendor", bdf);
    if (ptd_root_read_u64(root, path, &v) || v > 0xffff)
        return false;
    snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/device", bdf);
    if (ptd_root_read_u64(root, path, &d) || d > 0xffff)
        return false;
    *vendor = (uint16_t)v;
    *device = (uint16_t)d;
    return true;
}

/* 1 when the function's class is a display controller (0x03xxxx), 0 not, -1 unknown. */
static int display_function(struct ptd_root *root, const char *bdf)
{
    char path[128];
    uint64_t cls;

    if (!bdf)
        return -1;
    snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/class", bdf);
    if (ptd_root_read_u64(root, path, &cls) || cls > 0xffffff)
        return -1;
    return (cls >> 16) == 0x03;
}

static cJSON *image_json(const struct rom_image *img)
{
    cJSON *o = cJSON_CreateObject();
    char id[8];

    ptd_json_add_u64(o, "offset", img->offset, true);
    snprintf(id, sizeof(id), "%04x", img->vendor_id);
    ptd_json_add_str(o, "vendor_id", id);
    snprintf(id, sizeof(id), "%04x", img->device_id);
    ptd_json_add_str(o, "device_id", id);
    ptd_json_add_str(o, "code_type", rom_code_type_name(img->code_type));
    ptd_json_add_u64(o, "length_bytes", img->length_bytes, true);
    cJSON_AddBoolToObject(o, "last", img->last);
    return o;
}

void vm_romfile_check(struct ptd_root *root, cJSON *doc, cJSON *h, const char *bdf)
{
    const char *name = ptd_json_get_str(h, "romfile");
    struct rom_info info;
    char path[512], *data = NULL;
    size_t len = 0, i;
    uint16_t vendor = 0, device = 0;
    bool ids = function_ids(root, bdf, &vendor, &device), match = false, efi = false;
    cJSON *rc, *imgs;
    int r;

    if (!name || ptd_json_get_tri(h, "romfile_exists") != 1)
        return;
    snprintf(path, sizeof(path), "/usr/share/kvm/%s", name);
    r = ptd_root_read_file(root, path, ROMFILE_MAX, &data, &len);
    rc = cJSON_AddObjectToObject(h, "romfile_check");
    ptd_json_add_str(rc, "path", path);
    if (r) {
        ptd_doc_add_error(doc, "vms", "%s: %s", path,
                          r == -EFBIG ? "larger than 16 MiB: not a PCI option ROM" : strerror(-r));
        cJSON_AddNullToObject(rc, "readable");
        goto out;
    }
    cJSON_AddTrueToObject(rc, "readable");
    ptd_json_add_u64(rc, "size_bytes", len, true);
    cJSON_AddBoolToObject(rc, "starts_with_signature",
                          len >= 2 && (unsigned char)data[0] == 0x55 &&
                              (unsigned char)data[1] == 0xAA);
    rom_parse((const unsigned char *)data, len, &info);
    if (!info.n_images) {
        ptd_json_add_str(rc, "problem", info.error);
        cJSON_AddNullToObject(rc, "first_image_offset");
    } else {
        ptd_json_add_u64(rc, "first_image_offset", info.first_offset, true);
    }
    imgs = cJSON_AddArrayToObject(rc, "images");
    for (i = 0; i < info.n_images; i++) {
        cJSON_AddItemToArray(imgs, image_json(&info.images[i]));
        match |= ids && rom_image_supports(&info.images[i], vendor, device);
        efi |= info.images[i].code_type == 3;
    }
    cJSON_AddBoolToObject(rc, "truncated", info.truncated);
    /* a GOP ROM may ride on a companion function (the APU guides attach it to the audio
     * function): the report compares ids only on a display function */
    ptd_json_add_tri(rc, "function_is_display", display_function(root, bdf));
    /* unknown ids or no image: the match is unknown, never a mismatch */
    if (ids && info.n_images)
        cJSON_AddBoolToObject(rc, "ids_match", match);
    else
        cJSON_AddNullToObject(rc, "ids_match");
    if (info.n_images)
        cJSON_AddBoolToObject(rc, "has_efi_image", efi);
    else
        cJSON_AddNullToObject(rc, "has_efi_image");
out:
    free(data);
}

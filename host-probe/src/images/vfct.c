/* SPDX-License-Identifier: MIT */
/* The ACPI VFCT table's entries (see vfct.h). Pure: parses a buffer. */
#include "vfct.h"

#include <stdio.h>
#include <string.h>

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const unsigned char *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

/* One VFCT_IMAGE_HEADER at off (off + VFCT_IMAGE_HEADER_BYTES <= size, checked by the
 * caller) and what follows it. */
static void read_entry(const unsigned char *t, size_t size, size_t off, struct vfct_entry *e)
{
    const unsigned char *h = t + off;
    size_t left;

    memset(e, 0, sizeof(*e));
    e->bus = le32(h);
    e->device = le32(h + 4);
    e->function = le32(h + 8);
    e->vendor_id = le16(h + 12);
    e->device_id = le16(h + 14);
    e->sub_vendor_id = le16(h + 16);
    e->sub_device_id = le16(h + 18);
    e->revision = le32(h + 20);
    e->image_bytes = le32(h + 24);
    e->image_offset = off + VFCT_IMAGE_HEADER_BYTES;
    left = size - e->image_offset;
    e->truncated = e->image_bytes > left;
    e->rom_signature = left >= 2 && e->image_bytes >= 2 && t[e->image_offset] == 0x55 &&
                       t[e->image_offset + 1] == 0xaa;
}

size_t vfct_parse(const unsigned char *data, size_t len, struct vfct_info *info)
{
    size_t size, off;

    memset(info, 0, sizeof(*info));
    if (!data || len < VFCT_HEADER_BYTES || memcmp(data, "VFCT", 4) != 0) {
        snprintf(info->error, sizeof(info->error), "%s",
                 data && len >= 4 && memcmp(data, "VFCT", 4) != 0
                     ? "no VFCT signature"
                     : "shorter than the VFCT header (76 bytes)");
        return 0;
    }
    info->table_length = le32(data + 4);
    /* the header's length bounds the walk; a file shorter than it is read as far as it goes
     * (and the entry running past it is marked truncated) */
    size = info->table_length >= VFCT_HEADER_BYTES && info->table_length < len ? info->table_length
                                                                               : len;
    off = le32(data + 0x34);
    if (off < VFCT_HEADER_BYTES || off > size) {
        snprintf(info->error, sizeof(info->error), "VBIOSImageOffset %zu outside the table", off);
        return 0;
    }
    while (info->n_entries < VFCT_ENTRIES_MAX && size - off >= VFCT_IMAGE_HEADER_BYTES) {
        struct vfct_entry *e = &info->entries[info->n_entries];

        read_entry(data, size, off, e);
        if (e->image_bytes == 0) {
            /* an empty entry: amdgpu_acpi_vfct_bios() passes over it to the next */
            off = e->image_offset;
            continue;
        }
        info->n_entries++;
        if (e->truncated)
            break;
        off = e->image_offset + e->image_bytes;
    }
    if (info->n_entries == 0)
        snprintf(info->error, sizeof(info->error), "%s",
                 size - off ? "image header truncated" : "no image entry");
    return info->n_entries;
}

bool vfct_entry_is_pci(const struct vfct_entry *e)
{
    return e->bus < 256 && e->device < 32 && e->function < 8;
}

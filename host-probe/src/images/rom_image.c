/* SPDX-License-Identifier: MIT */
/* PCI expansion ROM images. See rom_image.h. */
#include "rom_image.h"

#include <stdio.h>
#include <string.h>

#define PCIR_PTR_OFFSET 0x18
#define PCIR_MIN_LEN    0x18 /* up to and including the indicator byte and reserved word */
#define HEADER_SCAN_MAX (64u << 10)
#define IMAGE_UNIT      512u

static unsigned le16(const unsigned char *p)
{
    return (unsigned)p[0] | ((unsigned)p[1] << 8);
}

/* PCIR revision 3's device list: 16-bit ids from PCIR + pointer, ended by a 0 (bounded by
 * the file and by ROM_DEVICE_LIST_MAX). */
static void device_list(const unsigned char *d, size_t len, size_t pcir, struct rom_image *img)
{
    size_t ptr = le16(d + pcir + 8), at;

    if (d[pcir + 0x0C] < 3 || ptr == 0 || ptr > len - pcir)
        return;
    for (at = pcir + ptr; at + 2 <= len && img->n_device_list < ROM_DEVICE_LIST_MAX; at += 2) {
        unsigned id = le16(d + at);

        if (!id)
            break;
        img->device_list[img->n_device_list++] = (uint16_t)id;
    }
}

/* The image at off: 0x55AA and a PCIR inside the file. */
static bool image_at(const unsigned char *d, size_t len, size_t off, struct rom_image *img)
{
    size_t pcir;
    const unsigned char *p;

    if (off > len || len - off < PCIR_PTR_OFFSET + 2 || d[off] != 0x55 || d[off + 1] != 0xAA)
        return false;
    pcir = off + le16(d + off + PCIR_PTR_OFFSET);
    if (pcir < off + PCIR_PTR_OFFSET + 2 || pcir > len || len - pcir < PCIR_MIN_LEN)
        return false;
    p = d + pcir;
    if (memcmp(p, "PCIR", 4))
        return false;
    img->offset = off;
    img->vendor_id = (uint16_t)le16(p + 4);
    img->device_id = (uint16_t)le16(p + 6);
    img->length_bytes = (size_t)le16(p + 0x10) * IMAGE_UNIT;
    img->code_type = p[0x14];
    img->last = (p[0x15] & 0x80) != 0;
    img->n_device_list = 0;
    device_list(d, len, pcir, img);
    return true;
}

size_t rom_parse(const unsigned char *data, size_t len, struct rom_info *info)
{
    struct rom_image img = {0};
    size_t off = 0;

    memset(info, 0, sizeof(*info));
    if (!image_at(data, len, 0, &img)) {
        for (off = IMAGE_UNIT; off < len && off <= HEADER_SCAN_MAX; off += IMAGE_UNIT)
            if (image_at(data, len, off, &img))
                break;
        if (off >= len || off > HEADER_SCAN_MAX) {
            snprintf(info->error, sizeof(info->error), "%s",
                     len >= 2 && data[0] == 0x55 && data[1] == 0xAA
                         ? "0x55AA signature without a valid PCIR structure"
                         : "no 0x55AA image with a PCIR structure in the first 64 KiB");
            return 0;
        }
    }
    info->first_offset = off;
    /* the chain: each image's length leads to the next, until the indicator's last bit */
    while (info->n_images < ROM_IMAGES_MAX) {
        info->images[info->n_images++] = img;
        /* an image longer than what is left of the file: a cut dump */
        if (img.length_bytes > len - img.offset) {
            info->truncated = true;
            break;
        }
        if (img.last || img.length_bytes == 0)
            break;
        if (!image_at(data, len, img.offset + img.length_bytes, &img)) {
            /* the chain promised another image (no last bit) and the file ends */
            info->truncated = img.offset + img.length_bytes >= len;
            break;
        }
    }
    return info->n_images;
}

bool rom_image_supports(const struct rom_image *img, uint16_t vendor_id, uint16_t device_id)
{
    size_t i;

    if (img->vendor_id != vendor_id)
        return false;
    if (img->device_id == device_id)
        return true;
    for (i = 0; i < img->n_device_list; i++)
        if (img->device_list[i] == device_id)
            return true;
    return false;
}

const char *rom_code_type_name(uint8_t code_type)
{
    static const char *const names[] = {"x86", "open-firmware", "pa-risc", "efi"};

    return code_type < 4 ? names[code_type] : "other";
}

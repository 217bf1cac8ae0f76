/* SPDX-License-Identifier: MIT */
/*
 * PCI expansion ROMs (PCI Firmware Specification 3.x, "PCI Expansion ROMs"; UEFI spec
 * "PCI Option ROMs"): a chain of images, each starting with the 0x55 0xAA signature and a
 * 16-bit pointer at 0x18 to its PCI Data Structure ("PCIR": vendor and device id at +4/+6,
 * image length in 512-byte units at +0x10, code type at +0x14: 0 x86 BIOS, 1 Open Firmware,
 * 2 HP PA-RISC, 3 EFI; indicator at +0x15, bit 7 set on the last image). What romfile= gives
 * QEMU must start with such an image; a VBIOS dumped by some Windows tools carries a vendor
 * header in front, which is why the first image's offset is reported.
 */
#ifndef PTDIAG_ROM_IMAGE_H
#define PTDIAG_ROM_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ROM_IMAGES_MAX      8
#define ROM_DEVICE_LIST_MAX 32

struct rom_image {
    size_t offset; /* of the image's 0x55AA in the file */
    uint16_t vendor_id, device_id;
    uint8_t code_type;   /* 3 = EFI */
    size_t length_bytes; /* from the PCIR's image length */
    bool last;           /* indicator bit 7 */
    /* PCI Firmware 3.0 device list (PCIR revision 3, pointer at +8): more device ids the
     * image supports, besides device_id */
    uint16_t device_list[ROM_DEVICE_LIST_MAX];
    size_t n_device_list;
};

struct rom_info {
    size_t first_offset; /* where the first image starts: 0 in a clean ROM */
    struct rom_image images[ROM_IMAGES_MAX];
    size_t n_images;
    bool truncated; /* an image's length runs past the end of the file */
    char error[96]; /* why no image was found (n_images == 0) */
};

/* Walks the images of the ROM in data (len bytes, borrowed). The first image is the one at
 * offset 0, else the first 512-byte aligned 0x55AA with a valid PCIR within the first 64 KiB
 * (a dump with a header). Returns the number of images (0 with info->error when none). */
size_t rom_parse(const unsigned char *data, size_t len, struct rom_info *info);

/* Whether the image names vendor:device (its own ids or its device list). */
bool rom_image_supports(const struct rom_image *img, uint16_t vendor_id, uint16_t device_id);

/* "x86", "open-firmware", "pa-risc", "efi" or "other". */
const char *rom_code_type_name(uint8_t code_type);

#endif

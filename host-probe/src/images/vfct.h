/* SPDX-License-Identifier: MIT */
/*
 * The ACPI VFCT table ("VBIOS Fetch Table"), in which AMD platform firmware hands the OS the
 * video BIOS of a GPU that has no option ROM of its own (an APU's graphics). Layout as amdgpu
 * reads it (drivers/gpu/drm/amd/include/atombios.h, amdgpu_bios.c amdgpu_acpi_vfct_bios):
 *   the 36-byte ACPI header ("VFCT", u32 length at 4), a 16-byte table UUID at 0x24, u32
 *   VBIOSImageOffset at 0x34 (the first GOP_VBIOS_CONTENT from the table's start), u32
 *   Lib1ImageOffset at 0x38, 4 reserved u32: 0x4C bytes in all;
 *   then GOP_VBIOS_CONTENT entries back to back: a 28-byte VFCT_IMAGE_HEADER (u32 PCIBus,
 *   PCIDevice, PCIFunction; u16 VendorID, DeviceID, SSVID, SSID; u32 Revision, ImageLength)
 *   followed by ImageLength bytes of the image, which starts 0x55 0xAA.
 * amdgpu walks the entries until one names its bus/device/function and ids; an ImageLength of
 * 0 ends the list. All little-endian. The table names no PCI segment (amdgpu compares the bus
 * number only).
 */
#ifndef PTDIAG_VFCT_H
#define PTDIAG_VFCT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VFCT_HEADER_BYTES       0x4c
#define VFCT_IMAGE_HEADER_BYTES 28
#define VFCT_ENTRIES_MAX        8

struct vfct_entry {
    uint32_t bus, device, function; /* as the table gives them (checked by vfct_entry_is_pci) */
    uint16_t vendor_id, device_id, sub_vendor_id, sub_device_id;
    uint32_t revision;
    size_t image_offset;  /* of the image (after its header) in the table */
    uint32_t image_bytes; /* ImageLength */
    bool rom_signature;   /* the image starts 0x55 0xAA */
    bool truncated;       /* ImageLength runs past the end of the table */
};

struct vfct_info {
    uint32_t table_length; /* the header's length field */
    struct vfct_entry entries[VFCT_ENTRIES_MAX];
    size_t n_entries;
    char error[96]; /* why the table was not usable ("" when it was) */
};

/* Walks the VFCT table in data (len bytes, borrowed, range-checked throughout). Returns the
 * number of entries (also info->n_entries); 0 with info->error when the table is not one
 * (wrong signature, shorter than its header, the first entry outside it). */
size_t vfct_parse(const unsigned char *data, size_t len, struct vfct_info *info);

/* Whether the entry's bus/device/function are a PCI address (bus < 256, device < 32,
 * function < 8): a table with other values names no device ptdiag can match. */
bool vfct_entry_is_pci(const struct vfct_entry *e);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * The device table of the out-of-tree vendor-reset module (gnif/vendor-reset, src/device-db.h),
 * as facts: which AMD GPUs it knows how to reset and with which reset strategy. The report uses
 * it to tell "AMD reset bug, vendor-reset would help" from "vendor-reset relied on for a device
 * it does not support" (failure catalogue §3.6).
 */
#ifndef PTDIAG_HOST_VENDOR_RESET_DB_H
#define PTDIAG_HOST_VENDOR_RESET_DB_H

#include <stdint.h>

struct vendor_reset_entry {
    uint16_t vendor_id;
    uint16_t device_id;
    const char *family;   /* "polaris10", "navi10", ... (static storage) */
    const char *reset_op; /* the module's reset strategy: "polaris10", "vega10", ... */
};

/* The entry for vendor:device, or NULL when vendor-reset does not handle the device.
 * Like the module, the first match wins (0x164c is listed twice upstream). */
const struct vendor_reset_entry *vendor_reset_lookup(uint16_t vendor_id, uint16_t device_id);

/* Number of entries (for tests). */
unsigned vendor_reset_count(void);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * What the host lives on, for the "preflight" probe (probe_preflight.c): the PCI functions of
 * its management NIC and of the controller of its root disk, and a VM's USB passthrough
 * entries against the host's USB devices. Each adds facts to the object given; nothing is
 * returned for the caller to free except preflight_usb_entry's new object.
 */
#ifndef PTDIAG_PREFLIGHT_HOST_H
#define PTDIAG_PREFLIGHT_HOST_H

#include <cjson/cJSON.h>

#include "probe.h"

/* crit.management = {source, addressed: [iface], ports: [iface], functions: [bdf]} or null
 * (no /etc/network/interfaces; the reason in doc.errors). */
void preflight_management(struct probe_ctx *ctx, cJSON *crit);

/* crit.root_disk = {mount_source, fstype, device, controllers: [bdf]|null, why} or null. */
void preflight_root_disk(struct probe_ctx *ctx, cJSON *crit);

/* {index, raw, kind: "id"|"port"|"spice"|"mapping"|"other", host, present: bool|null} for the
 * usbN value raw. Caller owns the returned object. */
cJSON *preflight_usb_entry(struct ptd_root *root, int index, const char *raw);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * The pieces of the PCI probe (probe_pci.c): per-function facts (pci_device.c) and IOMMU
 * groups (pci_groups.c). Each adds JSON to the document and records what it could not read
 * in doc.errors with source "pci".
 */
#ifndef PTDIAG_HOST_PCI_FACTS_H
#define PTDIAG_HOST_PCI_FACTS_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "iomem.h"
#include "pci_access.h"
#include "probe.h"

#define PCI_SOURCE "pci"

/* /proc/iomem as the device facts need it: read once per run. */
struct pci_iomem_view {
    bool usable;          /* addresses are real (root, file readable) */
    struct iomem_map map; /* owned; empty when !usable */
};

/* "/sys/bus/pci/devices/<bdf>/<attr>" into buf. */
void pci_attr_path(char *buf, size_t len, const char *bdf, const char *attr);

/* Builds the devices[] entry of one function (docs/schema.md). Returns a new cJSON object the
 * caller adds to the document, or NULL when out of memory. *group_out gets the IOMMU group
 * number, -1 when none. */
cJSON *pci_device_facts(struct probe_ctx *ctx, struct ptd_pci *pci, const struct ptd_pci_fn *fn,
                        const struct pci_iomem_view *iomem, long *group_out);

/* Adds "windows" to an upstream[] entry: the bridge's I/O, memory and prefetchable windows,
 * lines 13-16 of its `resource` file (pci_resource.h), [{kind, start, end, size_bytes,
 * is_64bit, assigned}]; null with an error when the file is unreadable or malformed. */
void pci_bridge_windows(struct probe_ctx *ctx, cJSON *o, const char *bdf);

/* Builds iommu_groups[] for the given group numbers (sorted, unique). Returns a new array. */
cJSON *pci_groups_facts(struct probe_ctx *ctx, struct ptd_pci *pci, const long *groups,
                        size_t count);

/* Reads a sysfs class attribute ("0x030000") as the 24-bit class code; -1 when unreadable. */
long pci_read_class(struct ptd_root *root, const char *bdf);

/* True for host bridges (0x0600), PCI-to-PCI bridges and PCIe ports (0x0604) and
 * semi-transparent bridges (0x0609): the members of a group that are plumbing rather than
 * devices. An ISA/LPC bridge (0x0601) is a device a VM cannot have, so it is not counted. */
bool pci_class_is_bridge(long class24);

#endif

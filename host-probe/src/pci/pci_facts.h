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
#include "ptdiag/pci_access.h"
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

/* Adds pci_root_windows[] (the host bridges' memory windows from /proc/iomem) to the document;
 * null when /proc/iomem shows no addresses. */
void pci_root_windows_facts(struct probe_ctx *ctx, const struct pci_iomem_view *iomem);

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

/* SR-IOV (is_vf, physfn, sriov, nvidia_vgpu) of one function into dev (pci_sriov.c). */
void pci_sriov_facts(struct probe_ctx *ctx, const char *bdf, cJSON *dev);

/* nvidia/creatable_vgpu_types: a header line "ID    : vGPU Name", then one "ID : NAME" line
 * per type ("1157  : NVIDIA L4-2Q"). Lines that are not that (the header, garbage, lines of
 * 256 bytes or more) are skipped. Returns a new array [{id, name}] the caller owns (NULL when
 * out of memory). text is NUL-terminated. */
cJSON *pci_vgpu_types_parse(const char *text);

/* The BDF a function's link (physfn, virtfnN, driver) points to, by its last component.
 * Returns 0, or -errno (-ENOENT: no such link). */
int pci_link_bdf(struct probe_ctx *ctx, const char *bdf, const char *link, char *out, size_t len);

/* dev.mdev_types: the parent's mdev_supported_types ([] when not a parent) (pci_mdev.c). */
void pci_mdev_types(struct probe_ctx *ctx, const char *bdf, cJSON *dev);

/* mdev_devices: every instance in /sys/bus/mdev/devices, [{uuid, parent, type}]. Returns a
 * new array ([] without the mdev bus), or a new JSON null when unreadable. */
cJSON *pci_mdev_devices(struct probe_ctx *ctx);

/* card_upstream_port on devices[] and iommu_groups[].devices[] (pci_card.c). */
void pci_card_annotate(struct probe_ctx *ctx, cJSON *devices, cJSON *groups);

#endif

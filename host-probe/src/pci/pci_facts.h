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
#include <stdint.h>

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
/* Every numbered group in /sys/kernel/iommu_groups, sorted: *ids is the caller's (free).
 * Returns 0, or -errno (-ENOENT: no groups directory, IOMMU off). */
int pci_groups_list(struct probe_ctx *ctx, long **ids, size_t *n);

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

#define PCI_CHAIN_MAX 32

/* The BDFs from the root port down to bdf itself (at most PCI_CHAIN_MAX), from its
 * /sys/devices path ("../../../devices/pci0000:00/0000:00:01.0/0000:01:00.0"); 0 when the
 * link is unreadable (pci_card.c). */
size_t pci_upstream_chain(struct probe_ctx *ctx, const char *bdf, char chain[][16]);
/* The same from a link target already read (an iommu_groups/N/devices/<bdf> link). */
size_t pci_chain_from_target(const char *target, char chain[][16]);

/* The ACS extended capability of a function's config space as JSON: {present: true, cap,
 * ctrl}, {present: false, cap: null, ctrl: null} when the extended space has none, or a JSON
 * null when the extended space was not readable (len < 0x104: not root). New object. */
cJSON *pci_acs_json(const uint8_t *cfg, size_t len);

/* Adds o[type_key] (the PCIe port type: root_port, downstream_port, pci_bridge ..., null when
 * unknown) and o.acs (pci_acs_json) from bdf's config space; errors name the file. */
void pci_port_facts(struct probe_ctx *ctx, cJSON *o, const char *bdf, const char *type_key);

/* The raw PCI addresses ("dddd:bb:dd.f", or a slot "dddd:bb:dd") the current hostpciN
 * entries of every VM config name (pci_passed.c): a NULL-terminated list for ptd_strv_free,
 * or NULL when there is none or no /etc/pve/qemu-server. */
char **pci_passed_addresses(struct probe_ctx *ctx);

/* card_upstream_port on devices[] and iommu_groups[].devices[] (pci_card.c). */
void pci_card_annotate(struct probe_ctx *ctx, cJSON *devices, cJSON *groups);

#endif

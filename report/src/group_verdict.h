/* SPDX-License-Identifier: MIT */
/*
 * The verdict on each IOMMU group of a host document (iommu_groups[], docs/schema.md), decided
 * from the facts the host probe recorded, for `ptdiag-host --groups` and the HTML report:
 *
 *   isolated      the endpoints all belong to one device (one slot, or one card below its
 *                 own PCIe switch: card_upstream_port) and no bridge shares the group
 *   bridges-only  one device's endpoints (or none) plus PCI bridges / ports, which Proxmox
 *                 leaves on the host (pci_dev_group_bind_to_vfio skips bridges)
 *   shared        endpoints of more than one device: passing one moves the others too
 *   acs-override  one device, but only because pcie_acs_override is on the command line:
 *                 a port above a member has no ACS enabled and yet sits in another group
 *   unknown       a member's class could not be read
 *
 * Also: which VM passes each function (vms[].hostpci[].resolved_bdfs).
 *
 * Ownership: a struct rpt_groups borrows every cJSON from the document it was built from (it
 * must outlive the struct) and owns its arrays; free it with rpt_groups_free().
 */
#ifndef PTDIAG_REPORT_GROUP_VERDICT_H
#define PTDIAG_REPORT_GROUP_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

enum rpt_group_verdict {
    RPT_GROUP_ISOLATED,
    RPT_GROUP_BRIDGES_ONLY,
    RPT_GROUP_SHARED,
    RPT_GROUP_ACS_OVERRIDE,
    RPT_GROUP_UNKNOWN
};

struct rpt_group_info {
    long id;
    const cJSON *group; /* iommu_groups[i] */
    enum rpt_group_verdict verdict;
    size_t ndevices; /* distinct endpoint devices (slot or card) */
    size_t nbridges;
    const char *override_port; /* acs-override: the port without ACS (borrowed) */
    bool override_unverified;  /* override on, but a port's ACS is unknown (not root) */
};

/* One function a VM's hostpci entry passes. */
struct rpt_passed_fn {
    const char *bdf; /* borrowed */
    long vmid;
    const char *key; /* "hostpci0" */
};

struct rpt_groups {
    struct rpt_group_info *groups;
    size_t ngroups;
    struct rpt_passed_fn *passed; /* sorted by bdf */
    size_t npassed;
    const char *acs_override; /* system.cmdline.pcie_acs_override, borrowed; NULL when off */
};

/* Classifies every group of host_doc. Returns NULL when out of memory; a document without
 * iommu_groups gives an empty result. */
struct rpt_groups *rpt_groups_build(const cJSON *host_doc);
void rpt_groups_free(struct rpt_groups *g);

/* "isolated", "bridges-only", "shared", "acs-override", "unknown". */
const char *rpt_group_verdict_name(enum rpt_group_verdict v);
/* One line for a person: "isolated", "shares with other devices (3 devices)", ... */
const char *rpt_group_verdict_text(enum rpt_group_verdict v);

/* The passes of bdf: *first is the first of them in g->passed (NULL when none); returns how
 * many consecutive entries name bdf. */
size_t rpt_groups_passed(const struct rpt_groups *g, const char *bdf,
                         const struct rpt_passed_fn **first);

/* The device key of a group member: its card_upstream_port when it has one, else its slot
 * ("dddd:bb:dd"), written into buf (>= 16 bytes). */
void rpt_group_member_device(const cJSON *member, char *buf, size_t len);

#endif

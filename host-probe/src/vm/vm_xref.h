/* SPDX-License-Identifier: MIT */
/*
 * Cross-reference of every VM's hostpciN with the host's hardware as already recorded in the
 * document: `devices` and `iommu_groups` (the PCI probe), `mappings` and `cluster.this_node`
 * (this component). Per hostpci entry it adds:
 *
 *   resolved_bdfs   the functions it passes (a function-less bb:dd = every function present;
 *                   `;`-lists; a mapping = this node's map entry paths)
 *   resolved        [{bdf, exists, driver, iommu_group, vendor_id, device_id, class}]
 *   missing         bool|null  some address resolves to no device on this host
 *   group_complete  bool|null  every non-bridge member of the groups is passed by this VM
 *   group_others    [{bdf, driver, is_bridge, class, passed, passed_by: [vmid]}]
 *   mapping_check   null | {node, entry_found, path, id/iommugroup/subsystem_id expected,
 *                   actual and *_match, problems: [assert_valid-style messages]}
 *
 * Existence is checked in /sys/bus/pci/devices (under the root); group facts come only from the
 * document. When the PCI probe recorded no devices/groups (not linked, or IOMMU off) the group
 * facts are null and one error says the cross-reference could not be made: never "missing".
 */
#ifndef PTDIAG_VM_XREF_H
#define PTDIAG_VM_XREF_H

#include <cjson/cJSON.h>

#include "ptdiag/root.h"

/* Works on doc.vms in place; errors go to doc.errors with source "vms". */
void vm_xref_run(struct ptd_root *root, cJSON *doc);

#endif

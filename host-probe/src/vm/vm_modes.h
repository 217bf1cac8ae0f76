/* SPDX-License-Identifier: MIT */
/*
 * How Proxmox will pass each hostpci entry (PVE/QemuServer/PCI.pm and PCI/Mdev.pm in
 * proxmox/qemu-server), as facts on doc.vms[].hostpci[] (docs/schema.md):
 *
 *   mode                  "vfio-pci" the whole function, bound to vfio-pci at start
 *                         "vf"       an SR-IOV virtual function, bound to vfio-pci at start
 *                         "mdev"     a mediated device of type mdev_type created on the parent,
 *                                    which stays on its vendor driver
 *                         "nvidia-vgpu"  NVIDIA vGPU 17+ on an SR-IOV VF: qemu-server writes
 *                                    the type to the VF's nvidia/current_vgpu_type
 *                         "legacy-igd"   the iGPU at 00:02.0 in legacy mode (i440fx, vga none)
 *                         "keep"     driver=keep: Proxmox leaves the driver alone
 *                         null       the entry resolved to no device
 *   host_driver_expected  "vfio-pci" | "vendor" (mdev, nvidia-vgpu) | "any" (keep) | null
 *   physfn                the PF of a "vf"/"nvidia-vgpu" function, else null
 *   missing_vf_of         a function that does not exist, in the slot of a PF with SR-IOV:
 *                         that PF (its VFs were not created), else null
 *   romfile_exists        romfile= names a file in /usr/share/kvm (null without romfile)
 *   mdev_type, mdev_parent, mdev_uuid (the one generate_mdev_uuid gives this VM and index),
 *   mdev_instance_exists, mdev_type_offered, mdev_available  (mdev/nvidia-vgpu only)
 *
 * and, for a mapping (vm_pool_choose), the pool: alternatives [{index, bdfs, reserved_by,
 * taken_by}], chosen_alternative and pool_exhausted.
 *
 * Ownership: everything is added to the document; nothing is returned.
 */
#ifndef PTDIAG_VM_MODES_H
#define PTDIAG_VM_MODES_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "ptdiag/root.h"

/*
 * A mapping's map entries for this node are alternatives; choose_hostpci_devices takes the
 * first whose functions are neither used by an earlier hostpci of the same VM nor reserved
 * by another VM (/run/qemu-server/pci-id-reservations); for a mediated device the first
 * parent on which the instance can be created. VMs are taken in document (VMID) order, each
 * choice recorded in `taken`, so two VMs on a pool of two identical cards get one each, as
 * when both run. Copies the chosen alternative's BDFs (the first one's when none is free)
 * into targets and records the pool facts on h.
 */
void vm_pool_choose(const cJSON *doc, const cJSON *vm, cJSON *h, const cJSON *alternatives,
                    cJSON *taken, cJSON *targets);

/* vendor_id, device_id, class, driver and iommu_group of a function straight from sysfs, into
 * r (a hostpci `resolved` entry): for a passed function the PCI probe did not list. */
void vm_sysfs_facts(struct ptd_root *root, const char *bdf, cJSON *r);

/* True when the JSON array holds the string s. */
bool vm_str_in(const cJSON *arr, const char *s);

/* Adds the mode facts to every hostpci entry; run after resolution (vm_xref_run). */
void vm_modes_run(struct ptd_root *root, cJSON *doc);

#endif

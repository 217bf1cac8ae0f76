/* SPDX-License-Identifier: MIT */
/*
 * The probe registry. Order matters: later probes read what earlier ones recorded
 * (the VM probe cross-references "devices" and "iommu_groups").
 *
 * Each probe lives in its own file; the weak references let the registry name every
 * probe while the tree is being built up: a probe not linked in is skipped by main().
 */
#include "probe.h"

#include <stddef.h>

#define PROBE(name) void probe_##name##_run(struct probe_ctx *ctx) __attribute__((weak));
PROBE(system)
PROBE(iommu)
PROBE(boot)
PROBE(modules)
PROBE(kmsg)
PROBE(pci)
PROBE(cluster)
PROBE(vms)
PROBE(inventory)
PROBE(oot)
PROBE(preflight)
#undef PROBE

const struct host_probe host_probes[] = {
    {"system", probe_system_run},   /* CPU, /dev/kvm, ACPI tables, kernel, hostname */
    {"iommu", probe_iommu_run},     /* /sys/class/iommu, groups, unsafe interrupts */
    {"boot", probe_boot_run},       /* /proc/cmdline, bootloader, grub vs kernel/cmdline */
    {"modules", probe_modules_run}, /* loaded, configured, modprobe.d, initramfs */
    {"kmsg", probe_kmsg_run},       /* kernel log events, IRQ remapping */
    {"pci", probe_pci_run},         /* GPUs and their slots, groups, BARs, ReBAR, iomem */
    {"cluster", probe_cluster_run}, /* corosync.conf */
    {"vms", probe_vms_run},         /* qemu-server configs, mappings, effective CPU flags */
    {"inventory", probe_inventory_run}, /* package, kernel, module, firmware versions */
    {"oot", probe_oot_run},             /* Secure Boot, DKMS/out-of-tree modules */
    {"preflight", probe_preflight_run}, /* management NIC, root disk, display, USB per VM */
    {NULL, NULL},
};

/* SPDX-License-Identifier: MIT */
/*
 * The probe registry. Order matters: later probes read what earlier ones recorded
 * (the VM probe cross-references "devices" and "iommu_groups").
 *
 * Each probe lives in its own file and is declared in probe.h; the table names each one
 * strongly, so a misspelt or missing probe fails to link instead of being skipped.
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
    {"system", probe_system_run},       /* CPU, /dev/kvm, ACPI tables, kernel, hostname */
    {"iommu", probe_iommu_run},         /* /sys/class/iommu, groups, unsafe interrupts */
    {"boot", probe_boot_run},           /* /proc/cmdline, bootloader, grub vs kernel/cmdline */
    {"modules", probe_modules_run},     /* loaded, configured, modprobe.d, initramfs */
    {"kmsg", probe_kmsg_run},           /* kernel log events, IRQ remapping */
    {"pci", probe_pci_run},             /* GPUs and their slots, groups, BARs, ReBAR, iomem */
    {"vfct", probe_vfct_run},           /* ACPI VFCT: an APU's VBIOS, on the device's rom */
    {"cluster", probe_cluster_run},     /* corosync.conf */
    {"vms", probe_vms_run},             /* qemu-server configs, mappings, effective CPU flags */
    {"logs", probe_logs_run},           /* task logs, journal of 3 boots: start-failure events */
    {"inventory", probe_inventory_run}, /* package, kernel, module, firmware versions */
    {"oot", probe_oot_run},             /* Secure Boot, DKMS/out-of-tree modules */
    {"preflight", probe_preflight_run}, /* management NIC, root disk, display, USB per VM */
    {NULL, NULL},
};

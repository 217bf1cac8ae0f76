/* SPDX-License-Identifier: MIT */
/*
 * Recommended settings per GPU a VM passes, vendor-aware (catalogue §1.4, §1.6, §3.6) and
 * correct for Proxmox, as the exact `qm set` commands or config lines for that VM. Printed,
 * never run.
 *
 *   intel-arc        Windows: hide the hypervisor (kvm=off and -hypervisor) and keep Proxmox's
 *                    Hyper-V enlightenments, through a custom CPU model in cpu-models.conf
 *                    (`-hypervisor` is not in the VM-level flag allow-list) and
 *                    `qm set VMID --cpu custom-NAME`; an `args: -cpu` is removed.
 *   nvidia-consumer  nothing on guest drivers >= 465.89; cpu type host.
 *   nvidia-pro       keep KVM visible: no x-vga (it forces kvm=off), no hidden, no args kvm=off.
 *   amd              a reset strategy: vendor-reset (device_specific) for devices in its table,
 *                    otherwise the kernel's reset and a restart test.
 * plus the VM-wide settings every passed GPU needs (q35 + pcie=1, OVMF, no balloon, cpu host,
 * no emulated display with x-vga).
 *
 * Adds `recommendations`: [{gpu_bdf, hostpci, vendor_class, status: "ok"|"change"|"info",
 * text, commands: [..], config_lines: [..]}] to the vm object.
 */
#ifndef PTDIAG_VM_RECOMMEND_H
#define PTDIAG_VM_RECOMMEND_H

#include <cjson/cJSON.h>

/* The vendor class of a device object ("intel-arc", "intel-igpu", "nvidia-pro",
 * "nvidia-consumer", "nvidia-unknown", "amd", "other"). */
const char *vm_gpu_vendor_class(const cJSON *device);

/* Reads doc (devices, system) and vm (hostpci after vm_xref_run, effective_cpu). */
void vm_recommend_run(const cJSON *doc, cJSON *vm);

#endif

/* SPDX-License-Identifier: MIT */
/* The flags Proxmox adds to the -cpu: its own (get_pve_cpu_flags), the Hyper-V
 * enlightenments (get_hyperv_enlightenments) and the VM's allow-listed ones (see
 * vm_cpu_model.h). */
#include "vm_cpu_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* get_pve_cpu_flags */
void vm_cpu_pve_flags(struct vm_cpu_model *m)
{
    const char *ostype = vm_cpu_get(m, "ostype");
    bool qemu11 = m->qemu_known && vm_version_at_least(&m->qemu, 11, 0, 0);

    if (!strcmp(m->cputype, "kvm64")) {
        vm_cpu_flag_token(m->fs, "+lahf_lm");
        vm_cpu_flag_token(m->fs, "+sep");
    } else if (!strcmp(m->cputype, "kvm32")) {
        vm_cpu_flag_token(m->fs, "+sep");
    }
    if (ostype && !strcmp(ostype, "solaris"))
        vm_cpu_flag_token(m->fs, "-x2apic");
    if (!strncmp(m->cputype, "Opteron", 7))
        vm_cpu_flag_token(m->fs, "-rdtscp");
    if (m->kvm && vm_cpu_machine_at_least(m, 2, 3, 0)) {
        vm_cpu_flag_token(m->fs, "+kvm_pv_unhalt");
        vm_cpu_flag_token(m->fs, "+kvm_pv_eoi");
    }
    if (m->winver >= 11 && qemu11) {
        vm_cpu_flag_token(m->fs, "-cet-ibt");
        vm_cpu_flag_token(m->fs, "-cet-ss");
    } else if (m->winver >= 11 && !m->qemu_known) {
        vm_cpu_note(m->uncertain,
                    "QEMU version unknown: Proxmox adds -cet-ibt,-cet-ss for Windows 11+ "
                    "from QEMU 11.0");
    }
    if (!strcmp(m->cputype, "host")) {
        if (qemu11 && m->mach_known && !vm_version_at_least(&m->mach, 11, 0, 0))
            vm_cpu_flag_token(m->fs, "-vmx-mbec");
        else if (!m->qemu_known || !m->mach_known)
            vm_cpu_note(m->uncertain, "QEMU or machine version unknown: Proxmox adds -vmx-mbec to "
                                      "`host` on QEMU 11.0+ with a machine older than 11.0");
    }
}

/* get_hyperv_enlightenments: Windows >= 6 (Vista) with KVM; OVMF only from Windows 8. */
void vm_cpu_hyperv_flags(struct vm_cpu_model *m, bool gpu_passthrough, const char *hv_vendor)
{
    const char *bios = vm_cpu_get(m, "bios"), *vendor = vm_cpu_host_vendor(m);
    char buf[160];

    if (!m->kvm || m->winver < 6 || (bios && !strcmp(bios, "ovmf") && m->winver < 8)) {
        if (hv_vendor && m->kvm)
            vm_cpu_note(m->uncertain, "hv-vendor-id is set but the ostype gets no Hyper-V "
                                      "enlightenments, so Proxmox does not pass it on");
        return;
    }
    if (gpu_passthrough || hv_vendor) {
        snprintf(buf, sizeof(buf), "hv_vendor_id=%.100s", hv_vendor ? hv_vendor : "proxmox");
        vm_cpu_flag_set(m->fs, "hv_vendor_id", buf);
    }
    if (vm_cpu_machine_at_least(m, 2, 3, 0)) {
        vm_cpu_flag_set(m->fs, "hv_spinlocks", "hv_spinlocks=0x1fff");
        vm_cpu_flag_set(m->fs, "hv_vapic", "hv_vapic");
        vm_cpu_flag_set(m->fs, "hv_time", "hv_time");
    } else {
        vm_cpu_flag_set(m->fs, "hv_spinlocks", "hv_spinlocks=0xffff");
    }
    if (vm_cpu_machine_at_least(m, 2, 6, 0)) {
        vm_cpu_flag_set(m->fs, "hv_reset", "hv_reset");
        vm_cpu_flag_set(m->fs, "hv_vpindex", "hv_vpindex");
        vm_cpu_flag_set(m->fs, "hv_runtime", "hv_runtime");
    }
    if (m->winver >= 7) {
        vm_cpu_flag_set(m->fs, "hv_relaxed", "hv_relaxed");
        if (vm_cpu_machine_at_least(m, 2, 12, 0)) {
            vm_cpu_flag_set(m->fs, "hv_synic", "hv_synic");
            vm_cpu_flag_set(m->fs, "hv_stimer", "hv_stimer");
        }
        if (vm_cpu_machine_at_least(m, 3, 1, 0))
            vm_cpu_flag_set(m->fs, "hv_ipi", "hv_ipi");
    }
    if (m->winver >= 11 && (!vendor || !m->mach_known)) {
        vm_cpu_note(m->uncertain,
                    "host CPU vendor or machine version unknown: Proxmox adds hv_evmcs "
                    "for Windows 11+ on Intel hosts from machine 11.0+pve2");
    } else if (m->winver >= 11 && !strcmp(vendor, "GenuineIntel") &&
               vm_version_at_least(&m->mach, 11, 0, 2)) {
        vm_cpu_flag_set(m->fs, "hv_evmcs", "hv_evmcs");
    }
}

/* The VM's own flags; nested-virt is resolved to the host's vmx/svm (resolve_cpu_flags). */
void vm_cpu_vm_flags(struct vm_cpu_model *m, const char *list)
{
    char *copy = strdup(list), *tok, *save = NULL, buf[80];
    const char *vendor = vm_cpu_host_vendor(m), *nested = NULL;

    if (vendor && !strcmp(vendor, "GenuineIntel"))
        nested = "vmx";
    else if (vendor && !strcmp(vendor, "AuthenticAMD"))
        nested = "svm";
    for (tok = copy ? strtok_r(copy, ";", &save) : NULL; tok; tok = strtok_r(NULL, ";", &save)) {
        if ((tok[0] == '+' || tok[0] == '-') && !strcmp(tok + 1, "nested-virt")) {
            if (!nested) {
                vm_cpu_note(m->uncertain,
                            "nested-virt: host CPU vendor unknown, so whether it becomes "
                            "vmx or svm is not known; left out");
                continue;
            }
            snprintf(buf, sizeof(buf), "%c%s", tok[0], nested);
            vm_cpu_flag_token(m->fs, buf);
        } else {
            vm_cpu_flag_token(m->fs, tok);
        }
    }
    free(copy);
}

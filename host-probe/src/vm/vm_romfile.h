/* SPDX-License-Identifier: MIT */
/*
 * romfile= of a hostpci entry, opened as QEMU will open it (/usr/share/kvm/NAME, qemu-server
 * PCI.pm): doc.vms[].hostpci[].romfile_check (docs/schema.md) with the images the file holds,
 * whether one names the passed function's vendor:device, and whether one is an EFI image
 * (what OVMF runs). The device's own ROM is never enabled through sysfs to compare.
 */
#ifndef PTDIAG_VM_ROMFILE_H
#define PTDIAG_VM_ROMFILE_H

#include <cjson/cJSON.h>

#include "ptdiag/root.h"

/* Adds romfile_check to h (a hostpci entry with romfile and romfile_exists set) for the
 * function bdf (may be NULL: ids unknown). Errors go to doc.errors. */
void vm_romfile_check(struct ptd_root *root, cJSON *doc, cJSON *h, const char *bdf);

#endif

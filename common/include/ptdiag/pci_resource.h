/* SPDX-License-Identifier: MIT */
/*
 * The sysfs `resource` file of a PCI function: one line per resource,
 * "0x<start> 0x<end> 0x<flags>" with start/end inclusive. The kernel's resource_show
 * (drivers/pci/pci-sysfs.c) writes PCI_BRIDGE_RESOURCES lines for a function without a
 * subordinate bus and PCI_NUM_RESOURCES lines for one with (a bridge): with CONFIG_PCI_IOV, as
 * on every Proxmox kernel, that is 13 and 17. Lines 0-5 are the BARs, 6 the expansion ROM, 7-12
 * the SR-IOV VF BARs, 13-16 a bridge's windows (I/O, memory, prefetchable memory, unused).
 * Flags are the kernel's IORESOURCE_* bits (include/linux/ioport.h). Pure parser over a buffer:
 * no I/O. In common: host and guest read BAR sizes through it, so that the report compares
 * like with like.
 */
#ifndef PTDIAG_PCI_RESOURCE_H
#define PTDIAG_PCI_RESOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ptdiag/error.h"

#define PCI_RES_LINES          17
#define PCI_RES_ROM            6
#define PCI_RES_BRIDGE_WINDOW  13 /* first bridge window line */
#define PCI_RES_BRIDGE_WINDOWS 4

/* IORESOURCE_* bits that matter here (include/linux/ioport.h). */
#define PCI_RES_IO       0x00000100u
#define PCI_RES_MEM      0x00000200u
#define PCI_RES_PREFETCH 0x00002000u
#define PCI_RES_MEM_64   0x00100000u
#define PCI_RES_DISABLED 0x10000000u
#define PCI_RES_UNSET    0x20000000u

struct pci_res_line {
    uint64_t start, end, flags;
};

struct pci_res {
    struct pci_res_line line[PCI_RES_LINES];
    unsigned count; /* lines parsed: 13, or 17 for a bridge (fewer without CONFIG_PCI_IOV) */
};

/* Parses a resource file image. Returns 0, or -1 with err naming the line and what is wrong
 * (non-hex fields, end below start with a non-zero size, more than 17 lines, no line at all). */
int pci_res_parse(const char *buf, size_t len, struct pci_res *out, struct ptd_error *err);

/* Decoded view of one line. */
struct pci_bar {
    uint64_t start;
    uint64_t size_bytes; /* 0 when the BAR is not implemented */
    bool is_64bit, prefetchable, is_io;
    bool assigned; /* has an address: not UNSET/DISABLED and start != 0 */
};

/* Decodes line `index`. Returns false when the resource is not implemented (all zero). */
bool pci_res_bar(const struct pci_res *res, unsigned index, struct pci_bar *out);

#endif

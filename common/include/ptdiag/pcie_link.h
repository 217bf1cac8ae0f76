/* SPDX-License-Identifier: MIT */
/*
 * The PCIe link from the kernel's four sysfs attributes of a PCI function, one rule for host
 * and guest. drivers/pci/pci-sysfs.c writes current_link_speed and max_link_speed as
 * "<rate> GT/s" with a " PCIe" suffix since Linux 5.7 ("16.0 GT/s PCIe"; "8 GT/s" before) and
 * "Unknown" ("Unknown speed" on older kernels) when the field holds no defined rate, and
 * current_link_width / max_link_width as the decimal LnkSta/LnkCap width field (6 bits; 0 while
 * the link is down). Each attribute stands alone: a missing or unreadable one is unknown for
 * that attribute only. A width is known only when it is one PCIe defines (x1, x2, x4, x8, x12,
 * x16, x32). Pure parser: the callers read the files. Portable.
 */
#ifndef PTDIAG_PCIE_LINK_H
#define PTDIAG_PCIE_LINK_H

#include <stdbool.h>

#include <cjson/cJSON.h>

struct ptd_pcie_link {
    double cur_speed_gts, max_speed_gts; /* 0 when unknown */
    unsigned cur_width, max_width;       /* 0 when unknown */
    bool has_cur_speed, has_max_speed, has_cur_width, has_max_width;
};

/* Parses the four attribute texts (trailing newline or not; NULL when the attribute is absent
 * or unreadable) into *out. Never fails: what cannot be parsed is unknown. */
void ptd_pcie_link_parse(const char *cur_speed, const char *max_speed, const char *cur_width,
                         const char *max_width, struct ptd_pcie_link *out);

/* True when any of the four is known. */
bool ptd_pcie_link_any(const struct ptd_pcie_link *link);

/* Adds current_speed_gts, max_speed_gts, current_width and max_width (null when unknown) to
 * the object `obj` (docs/schema.md: a GPU's "link"). */
void ptd_pcie_link_add_json(cJSON *obj, const struct ptd_pcie_link *link);

#endif

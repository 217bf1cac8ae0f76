/* SPDX-License-Identifier: MIT */
/*
 * Integers from documents, range-checked. A document number is a JSON double written by a
 * producer that may be hostile (a guest agent, a config another cluster user wrote, `qm`
 * output): 1e308, -1, 2^63 or 2.5 where an integer is expected. Casting such a double to an
 * integer type is undefined behaviour when it does not fit, so every place that turns a
 * document number into an integer asks here, with the bound of that fact stated at the call.
 * A value outside the bound is a wrong-typed fact: the caller treats it as unknown and may
 * report the reason this module writes.
 */
#ifndef PTDIAG_DOCNUM_H
#define PTDIAG_DOCNUM_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "ptdiag/error.h"

/* The bounds the call sites state. A Proxmox VM id is 100..999999999 (pve-docs, "VMID");
 * qemu-server has hostpci0..hostpci15; a line number is positive; a count is >= 0. */
#define PTD_VMID_MIN        100
#define PTD_VMID_MAX        999999999
#define PTD_HOSTPCI_MAX     15
#define PTD_LINE_MAX        INT32_MAX
#define PTD_COUNT_MAX       INT32_MAX
#define PTD_IOMMU_GROUP_MAX INT32_MAX
/* Linux MAX_NUMNODES is at most 1 << CONFIG_NODES_SHIFT (10). */
#define PTD_NUMA_NODE_MAX 1023

enum ptd_num_state {
    PTD_NUM_ABSENT = 0, /* no member, or null: unknown, nothing wrong */
    PTD_NUM_OK = 1,     /* an integer inside [min, max], stored in *out */
    PTD_NUM_BAD = -1    /* present but not a number, not an integer, or out of range */
};

/* The integer at dotted_path in obj (ptd_json_get's paths). *out is written only on
 * PTD_NUM_OK. On PTD_NUM_BAD `why` (may be NULL) says what is wrong, naming the path and the
 * bound, e.g. "vmid: 1e+308 is not an integer in 100..999999999". */
enum ptd_num_state ptd_json_get_int(const cJSON *obj, const char *dotted_path, int64_t min,
                                    int64_t max, int64_t *out, struct ptd_error *why);

/* The same for unsigned 64-bit quantities (BAR and memory sizes in bytes): [0, max]. */
enum ptd_num_state ptd_json_get_u64(const cJSON *obj, const char *dotted_path, uint64_t max,
                                    uint64_t *out, struct ptd_error *why);

/* Convenience for the many sites where "absent" and "wrong" both mean "use dflt": the value
 * when PTD_NUM_OK, dflt otherwise. dflt need not lie inside [min, max]. */
int64_t ptd_json_int_or(const cJSON *obj, const char *dotted_path, int64_t min, int64_t max,
                        int64_t dflt);

/* The item itself (not a path): for array elements and items already looked up. */
enum ptd_num_state ptd_json_item_int(const cJSON *item, int64_t min, int64_t max, int64_t *out,
                                     struct ptd_error *why);

#endif

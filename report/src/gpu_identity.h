/* SPDX-License-Identifier: MIT */
/*
 * GPU identity by PCI id (report/data/gpu-identity.json): which family, chip and market segment
 * a vendor:device id is, how it resets, whether its Windows driver checks for a hypervisor and
 * what Resizable BAR advice holds for it. Decisions come from this data, never from pci.ids
 * names (which only label the output).
 *
 * Ownership: a struct rpt_gpu_identity owns its parsed JSON; every string in a struct
 * rpt_gpu_id points into it and lives as long as the table.
 */
#ifndef PTDIAG_GPU_IDENTITY_H
#define PTDIAG_GPU_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "ptdiag/error.h"

/* One entry of the table, with what it inherits from its family already filled in. Fields
 * the file leaves unset (chip, segment, hypervisor_check on some entries) are NULL. */
struct rpt_gpu_id {
    unsigned vendor_id;   /* 0x10de */
    unsigned first, last; /* device id range; first == last for an exact id */
    bool range;           /* written as a range: an exact id overrides it */
    const char *vendor;   /* nvidia | amd | intel */
    const char *family;   /* "Ampere", "RDNA2", "Alchemist DG2", ... */
    const char *chip;
    const char *segment; /* consumer | professional | datacenter */
    bool integrated;
    const char *reset;              /* flr | bus | vendor-reset | needs-vendor-reset-unsupported |
                                       wpr2 | unknown */
    const char *hypervisor_check;   /* none | nvidia-pre-465.89 | windows-driver */
    const char *rebar;              /* required | recommended | avoid-in-vm | neutral */
    int video_decode, video_encode; /* hardware video engine: 1 yes, 0 no, -1 not in the data */
};

struct rpt_gpu_identity {
    char *file;
    cJSON *json;
    struct rpt_gpu_id *ids;
    size_t nids;
};

/* Strict loaders: an unknown key, a value outside its list, a bad or overlapping id fails
 * with a message naming the file and the entry. *out is the caller's (rpt_gpu_identity_free). */
int rpt_gpu_identity_load_buffer(const char *name, const char *data, size_t len,
                                 struct rpt_gpu_identity **out, struct ptd_error *err);
int rpt_gpu_identity_load_file(const char *path, struct rpt_gpu_identity **out,
                               struct ptd_error *err);
/* The table compiled into the binary (gpu_identity_builtin.c). */
int rpt_gpu_identity_load_builtin(struct rpt_gpu_identity **out, struct ptd_error *err);
void rpt_gpu_identity_free(struct rpt_gpu_identity *t);

/* The entry for "10de" / "2204" (hex, as in the documents): an exact id first, else the
 * range holding it; NULL when none does or an id is not 4 hex digits. Borrowed from t. */
const struct rpt_gpu_id *rpt_gpu_identity_lookup(const struct rpt_gpu_identity *t,
                                                 const char *vendor_id, const char *device_id);

/* The table the derived facts use: the built-in one unless rpt_gpu_identity_use() set
 * another (borrowed; the caller keeps it alive while reports are derived). NULL (with a
 * message on stderr, once) if the built-in table does not load. */
const struct rpt_gpu_identity *rpt_gpu_identity_current(void);
void rpt_gpu_identity_use(const struct rpt_gpu_identity *t);

/* Adds derived.gpu = {vendor, family, chip, segment, integrated, reset, hypervisor_check,
 * rebar, video_decode, video_encode} for the ids, from rpt_gpu_identity_current(); adds nothing
 * when no entry matches, so rules naming these facts say "not checked". */
void rpt_gpu_identity_derive(cJSON *derived, const char *vendor_id, const char *device_id);

#endif

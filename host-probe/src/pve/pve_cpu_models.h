/* SPDX-License-Identifier: MIT */
/*
 * Custom CPU models, /etc/pve/virtual-guest/cpu-models.conf (a SectionConfig of
 * `cpu-model: NAME` sections with flags, hidden, hv-vendor-id, reported-model, phys-bits,
 * hugepages). A VM uses one as `cpu: custom-NAME`. Unlike the VM-level `flags`, a custom
 * model may set any flag QEMU knows (catalogue §1.4), `-hypervisor` included.
 *
 * Ownership: the returned cJSON array is the caller's.
 */
#ifndef PTDIAG_PVE_CPU_MODELS_H
#define PTDIAG_PVE_CPU_MODELS_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "pve_mapping.h"

/* [{name, flags: ["+aes", "-hypervisor"], hidden: bool|null, hv_vendor_id, reported_model,
 *   phys_bits, line}] from a parsed cpu-models.conf; problems as in pve_mapping_to_json. */
cJSON *pve_cpu_models_to_json(const char *file, const struct pve_scfg *cfg, char ***problems,
                              size_t *nproblems);

/* The model called name (without "custom-") in such an array, NULL if none (borrowed). */
const cJSON *pve_cpu_model_find(const cJSON *models, const char *name);

/* Splits a Proxmox flag list ("+aes;-hypervisor") into a JSON array of strings; each flag must
 * be [+-]name. Returns the array (caller's) or NULL when a flag is malformed (err set). */
cJSON *pve_cpu_flag_list(const char *list, struct ptd_error *err);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * Proxmox SectionConfig files and the PCI resource mappings, /etc/pve/mapping/pci.cfg
 * (catalogue §3.12), pure over a buffer.
 *
 * SectionConfig layout: a header line starting in column 0 ("type: id", or, in mapping/pci.cfg,
 * the bare mapping id), then indented "key value" properties; a blank line ends a section.
 * Array properties (pci.cfg's `map`) repeat once per entry.
 *
 * Ownership: pve_scfg_parse() fills *out, freed by pve_scfg_free(); the JSON builders return
 * a new cJSON tree the caller owns.
 */
#ifndef PTDIAG_PVE_MAPPING_H
#define PTDIAG_PVE_MAPPING_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "ptdiag/error.h"

#include "pve_lines.h" /* the problem list: pve_problem_add, pve_problems_free */

/* Same limit as the guest configs: pmxcfs holds no file above 1 MiB. */
#define PVE_SCFG_MAX_BYTES (1u << 20)

struct pve_scfg_prop {
    char *key;
    char *value; /* "" when the line has only a key */
    unsigned line;
};

struct pve_scfg_section {
    char *type; /* "cpu-model", "pci"; NULL for a bare-id header */
    char *id;
    unsigned line;
    struct pve_scfg_prop *props;
    size_t count, cap;
};

struct pve_scfg {
    struct pve_scfg_section *sections;
    size_t count;
    char **warnings; /* "FILE:LINE: what" for lines skipped */
    size_t nwarnings;
};

/* Returns 0, or -1 with err naming the file and line (binary data, size over the limit). */
int pve_scfg_parse(const char *file, const char *buf, size_t len, struct pve_scfg *out,
                   struct ptd_error *err);
void pve_scfg_free(struct pve_scfg *cfg);

/*
 * Builds docs/schema.md `mappings` from a parsed pci.cfg:
 * [{id, description, mdev, live_migration_capable, line,
 *   map: [{node, id, path, paths: [..], iommugroup, subsystem_id, description, raw}]}].
 * Malformed entries are kept with what could be read; each problem is appended to *problems
 * as "FILE:LINE: what" (caller frees each string and the array).
 */
cJSON *pve_mapping_to_json(const char *file, const struct pve_scfg *cfg, char ***problems,
                           size_t *nproblems);

/* Canonical PCI address: "dddd:bb:dd.f", or "dddd:bb:dd" when the input has no function
 * (Proxmox: all functions). Accepts an omitted domain. False when not an address. */
bool pve_bdf_canonical(const char *in, char *out, size_t outlen);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * The capability table of a guest: one row per GPU the guest sees (the hypervisor's emulated
 * displays left out), with what a user of that GPU asks first: driver and version, VRAM,
 * Direct3D feature levels, Vulkan, hardware decode and encode codecs, displays, compute.
 *
 * It is a plain function over one ptdiag.guest/1 document (Linux or Windows), so the report
 * and the agents' own verdict build the same table. The rows read the per-GPU facts the agents
 * join for it (docs/schema.md: gpus[].video, gpus[].displays, gpus[].compute) and, for the
 * API views, the document's dxgi / vulkan / nvidia sections. A cell is NULL when the fact is
 * unknown (renderers print "unknown" or JSON null); "none" means the agent looked and found
 * nothing.
 *
 * Ownership: a struct rpt_capability_table owns its rows and every cell string.
 */
#ifndef PTDIAG_REPORT_CAPABILITY_H
#define PTDIAG_REPORT_CAPABILITY_H

#include <stddef.h>
#include <stdio.h>

#include <cjson/cJSON.h>

enum rpt_cap_col {
    RPT_CAP_GPU,      /* "0000:01:00.0 GA102 [GeForce RTX 3090]" */
    RPT_CAP_DRIVER,   /* "nvidia 550.120 (proprietary)" */
    RPT_CAP_VRAM,     /* "24.0 GiB" */
    RPT_CAP_D3D,      /* "D3D11 11_1, D3D12 12_2"; "n/a (Linux)" */
    RPT_CAP_VULKAN,   /* "1.3.277 (NVIDIA)"; "none" */
    RPT_CAP_DECODE,   /* "h264 hevc vp9 av1"; "none" */
    RPT_CAP_ENCODE,   /* "h264 hevc"; "none" */
    RPT_CAP_DISPLAYS, /* "1 connected of 4 (DP-1)"; "none connected of 4" */
    RPT_CAP_COMPUTE,  /* "CUDA 12.4, compute capability 8.6"; "ROCm gfx1100"; "none" */
    RPT_CAP_NCOLS
};

/* JSON keys ("gpu", "driver", ...) and column labels ("GPU", "Driver", ...). */
extern const char *const rpt_capability_keys[RPT_CAP_NCOLS];
extern const char *const rpt_capability_labels[RPT_CAP_NCOLS];

struct rpt_capability_row {
    char *cell[RPT_CAP_NCOLS]; /* owned; NULL = unknown */
    const cJSON *gpu;          /* the guest's gpus[] entry (borrowed from the document) */
};

struct rpt_capability_table {
    struct rpt_capability_row *rows; /* owned */
    size_t nrows;
};

/* Builds the table of guest_doc (borrowed; the rows point into it, so it must outlive the
 * table). Returns 0, or -1 when out of memory (the table is then empty). A document without
 * gpus gives no rows. */
int rpt_capability_rows(const cJSON *guest_doc, struct rpt_capability_table *out);
void rpt_capability_free(struct rpt_capability_table *t);

/* Renderers (capability_render.c); untrusted cells are escaped. text: one block per GPU,
 * each line prefixed by indent. md: one Markdown table. json: an array of row objects
 * {gpu, driver, ..., location, decode_codecs, encode_codecs} (caller owns; NULL on ENOMEM). */
void rpt_capability_text(FILE *out, const cJSON *guest_doc, const char *indent);
void rpt_capability_md(FILE *out, const cJSON *guest_doc);
cJSON *rpt_capability_json(const cJSON *guest_doc);

#endif

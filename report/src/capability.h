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

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "ptdiag/strbuf.h"

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
    RPT_CAP_IRQ,      /* "GPU MSI, audio .1 line-based"; "not reported (Linux)" */
    RPT_CAP_NCOLS
};

/* JSON keys ("gpu", "driver", ...) and column labels ("GPU", "Driver", ...). */
extern const char *const rpt_capability_keys[RPT_CAP_NCOLS];
extern const char *const rpt_capability_labels[RPT_CAP_NCOLS];

struct rpt_capability_row {
    char *cell[RPT_CAP_NCOLS]; /* owned; NULL = unknown */
    const cJSON *gpu;          /* the guest's gpus[] entry (borrowed); NULL for an adapter row */
    const cJSON *adapter;      /* Windows: its hardware DXGI adapter (borrowed), or NULL */
};

struct rpt_capability_table {
    struct rpt_capability_row *rows; /* owned */
    size_t nrows;
};

/* Builds the table of guest_doc (borrowed; the rows point into it, so it must outlive the
 * table). Returns 0, or -1 when out of memory (the table is then empty). A document without
 * gpus gives no rows. On Windows, a hardware DXGI adapter whose vendor:device matches no
 * gpus[] entry (Wine's own adapter, a device SetupAPI did not list) gets a row of its own
 * after the GPUs', built from the adapter's facts (gpu NULL, adapter set). */
int rpt_capability_rows(const cJSON *guest_doc, struct rpt_capability_table *out);
void rpt_capability_free(struct rpt_capability_table *t);

/* capability_dxgi.c, the Windows API view (cells owned by the caller; NULL = unknown).
 * rpt_cap_same_ids: a and b name the same vendor:device (hex, case-insensitive).
 * rpt_cap_dxgi_adapter: the hardware DXGI adapter of gpu, or NULL (*index: its position in
 * dxgi.adapters[], -1 when none). rpt_cap_windows_driver: driver, provider, versions and the
 * Device Manager problem code. rpt_cap_interrupts: the interrupt mode of gpu and the other
 * functions of its PCI device. The adapter cells, for an adapter that matches no GPU: its
 * decode codecs, the hardware encoders tied to it by index, its outputs. */
bool rpt_cap_same_ids(const cJSON *a, const cJSON *b);
const cJSON *rpt_cap_dxgi_adapter(const cJSON *doc, const cJSON *gpu, int *index);
char *rpt_cap_interrupts(const cJSON *doc, const cJSON *gpu);
char *rpt_cap_windows_driver(const cJSON *gpu);
char *rpt_cap_adapter_decode(const cJSON *adapter);
char *rpt_cap_adapter_encode(const cJSON *doc, int index);
char *rpt_cap_adapter_displays(const cJSON *adapter);

/* The displays cell's wording, for the GPU rows and the adapter rows alike: "no outputs",
 * "none connected of 2" or "1 connected of 2 (NAMES)". Frees names' text (names may be
 * empty); returns the cell (caller frees) or NULL when out of memory. */
char *rpt_cap_connected_cell(size_t on, size_t total, struct ptd_strbuf *names);

/* Renderers (capability_render.c); untrusted cells are escaped. text: one block per GPU,
 * each line prefixed by indent. md: one Markdown table. json: an array of row objects
 * {gpu, driver, ..., interrupts, location, decode_codecs, encode_codecs} (caller owns; NULL
 * on ENOMEM). */
void rpt_capability_text(FILE *out, const cJSON *guest_doc, const char *indent);
void rpt_capability_md(FILE *out, const cJSON *guest_doc);
cJSON *rpt_capability_json(const cJSON *guest_doc);

#endif

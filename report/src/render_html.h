/* SPDX-License-Identifier: MIT */
/*
 * Internal to the HTML report (render_html.c: the page; render_html_topo.c: the topology
 * picture; render_html_tables.c: inventory and capability tables). Every string a document,
 * a config or the matrix holds reaches the page through html_text() / html_fit() only.
 */
#ifndef PTDIAG_REPORT_RENDER_HTML_H
#define PTDIAG_REPORT_RENDER_HTML_H

#include <stdio.h>

#include <cjson/cJSON.h>

#include "report.h"

/* Escaped text (control characters made visible, then & < > " ' as entities); NULL writes
 * nothing. */
void html_text(FILE *out, const char *s);
/* The same with ptd_esc_text flags (PTD_ESC_KEEP_NL: multi-line text in a <pre>). */
void html_text_flags(FILE *out, const char *s, unsigned flags);

/* s escaped and cut to at most cols columns (a non-ASCII character counts two, so the text
 * fits a box sized for monospace ASCII), with "..." when cut. */
void html_fit(FILE *out, const char *s, size_t cols);

/* The worst finding about the host function bdf, or (bdf NULL) about VM vmid: its index in
 * r->findings, or -1. */
long html_worst_for(const struct rpt_result *r, const char *bdf, long vmid);

/* "error", "warning", "info" or "ok" for a finding index from html_worst_for. */
const char *html_sev_class(const struct rpt_result *r, long finding);

/* The topology picture's grid: rows of ROW_H pixels, the PCI tree in TREE_W, the edges to
 * the VMs in GAP_W, the VM boxes in VM_W; text in a monospace font of CHAR_W per column
 * (DejaVu Sans Mono at 12px: 0.602 em). */
#define ROW_H  22
#define TREE_W 600
#define GAP_W  120
#define VM_W   360
#define CHAR_W 7.3

/* How many columns of text fit a box w pixels wide (6 px padding each side). */
static inline size_t html_cols(double w)
{
    return w > 20 ? (size_t)((w - 12) / CHAR_W) : 1;
}

/* One node: a rect of class cls with label cut to fit, title as its tooltip, wrapped in a
 * link to finding #f-N when finding >= 0; id (may be NULL) on the group. */
void html_box(FILE *out, double x, double y, double w, double h, const char *cls, long finding,
              const char *title, const char *label, const char *id);

/* The topology as inline SVG, and the collapsed list of the groups it leaves out. */
void html_topology(FILE *out, const struct rpt_render_ctx *c);

/* The VM column (render_html_vms.c): each VM that passes something, its passed functions and
 * its joined guest, with an edge from the function's row (fn_y gives its y, or -1 when it
 * is not drawn). out NULL only measures: *height is the column's height. */
void html_topology_vms(FILE *out, const struct rpt_render_ctx *c,
                       double (*fn_y)(const void *, const char *), const void *arg, double *height);

/* The version inventory (host document `inventory`, when present) and the capability table
 * of each guest GPU (guest documents). */
void html_inventory(FILE *out, const cJSON *host_doc);
void html_capabilities(FILE *out, const struct rpt_model *m);

#endif

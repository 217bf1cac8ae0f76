/* SPDX-License-Identifier: MIT */
/*
 * Formatting of soak evaluations (soak_eval.h): text for a person, a JSON section for tools,
 * Markdown for a contribution, and the one-line Markdown badge. Pure formatting: the caller
 * chooses the stream.
 */
#ifndef PTDIAG_SOAK_RENDER_H
#define PTDIAG_SOAK_RENDER_H

#include <stddef.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "soak_eval.h"

/* One evaluated file: its name, and either an evaluation or the reason it could not be read. */
struct soak_file {
    const char *path;           /* borrowed */
    const struct soak_eval *ev; /* borrowed; NULL when the file could not be read */
    const char *read_error;     /* borrowed; set when ev is NULL */
    const char *vmid;           /* borrowed; the VMID of a VMID=FILE argument, or NULL */
};

/* The Markdown badge line for a contribution into buf (no trailing newline). */
void soak_badge(const struct soak_eval *ev, char *buf, size_t n);

void soak_render_text(FILE *out, const struct soak_file *files, size_t n);
void soak_render_md(FILE *out, const struct soak_file *files, size_t n);
/* Prometheus text (soak_prom.c): verdict, clean run, the threshold (docs/metrics.md). */
void soak_render_prom(FILE *out, const struct soak_file *files, size_t n, double threshold_days);

/* The JSON object of one file (caller owns; NULL on allocation failure). Errors found in the
 * file (bad lines, no sample) are also appended to `doc` with ptd_doc_add_error(). */
cJSON *soak_file_to_json(const struct soak_file *file, cJSON *doc);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * One diagnosis, the way every front end runs it: load the matrix (a file or the built-in
 * copy), build the model from the documents, evaluate, render, and turn the result into the
 * exit status of DESIGN §6. ptdiag-report, ptdiag-host and both agents' verdicts call this, so
 * a change to the sequence (or to a message it prints) is made once.
 *
 * Ownership: rpt_run_evaluate and rpt_run take the parsed documents in o->docs (each file and
 * json) whatever they return; files named in o->inputs are read and freed here. Everything in
 * a struct rpt_run is owned by it until rpt_run_fini.
 */
#ifndef PTDIAG_REPORT_RUN_H
#define PTDIAG_REPORT_RUN_H

#include <stdbool.h>
#include <stdio.h>

#include "report.h"

struct rpt_run_opts {
    const char *prog;              /* "ptdiag-report": every message on stderr starts "prog: " */
    const char *context;           /* NULL, or what an engine error stops ("no verdict": "prog: no
                                      verdict: why") */
    const char *matrix_path;       /* NULL: the built-in matrix */
    const char *gpu_identity_path; /* NULL: the built-in GPU identity table */
    /* The documents: files to read (inputs), or documents already parsed (docs, taken). */
    const struct rpt_input *inputs;
    size_t ninputs;
    struct rpt_doc *docs;
    const long *vmids; /* one per doc: the VM a guest document came from, -1 none */
    size_t ndocs;
    enum rpt_format format;
    bool verbose;
    /* Where the report goes: out when not NULL (left open; a failure is "prog: write error"),
     * else the file out_path (NULL or "-": stdout; a failure names the file). */
    FILE *out;
    const char *out_path;
};

/* What rpt_run_evaluate built; all of it owned here (rpt_run_fini). */
struct rpt_run {
    struct rpt_matrix *matrix;
    struct rpt_model *model;
    struct rpt_result *result;
    struct rpt_gpu_identity *gpu_identity; /* in use (rpt_gpu_identity_use) until fini */
};

/* Loads, builds and evaluates. 0, or -1 with the reason on stderr. run is filled either way
 * and must be given to rpt_run_fini. */
int rpt_run_evaluate(const struct rpt_run_opts *o, struct rpt_run *run);
void rpt_run_fini(struct rpt_run *run);

/* The output a front end writes to: the file path names, created (NULL or "-": stdout). NULL
 * with "prog: path: cannot write: why" on stderr. */
FILE *rpt_out_open(const char *prog, const char *path);
/* Flushes f and closes it unless it is stdout. 0, or -1 with "prog: path: write error" on
 * stderr when that failed or bad says the writing already did. */
int rpt_out_close(const char *prog, FILE *f, const char *path, bool bad);

/* The whole diagnosis: evaluate, render o->format to the output. Returns the exit status:
 * 0 no error finding, 1 at least one, 2 an input or the output could not be used (the reason
 * on stderr). */
int rpt_run(const struct rpt_run_opts *o);

#endif

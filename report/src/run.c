/* SPDX-License-Identifier: MIT */
/* The diagnosis every front end runs (see run.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ptdiag/escape.h"

#include "gpu_identity.h"
#include "run.h"

/* "prog: [context: ]why" on stderr; why is escaped (it may quote a document or a file). */
static int run_fail(const struct rpt_run_opts *o, const char *why)
{
    fprintf(stderr, "%s: %s%s%s\n", o->prog, o->context ? o->context : "", o->context ? ": " : "",
            ptd_esc_tmp(why, 0));
    return -1;
}

/* The documents in o->docs when the run stops before rpt_model_build has taken them. */
static void free_docs(const struct rpt_run_opts *o)
{
    for (size_t i = 0; i < o->ndocs; i++) {
        free(o->docs[i].file);
        cJSON_Delete(o->docs[i].json);
    }
}

int rpt_run_evaluate(const struct rpt_run_opts *o, struct rpt_run *run)
{
    struct ptd_error err = {{0}};

    *run = (struct rpt_run){0};
    if ((o->matrix_path ? rpt_matrix_load_file(o->matrix_path, &run->matrix, &err)
                        : rpt_matrix_load_builtin(&run->matrix, &err)) < 0 ||
        (o->gpu_identity_path &&
         rpt_gpu_identity_load_file(o->gpu_identity_path, &run->gpu_identity, &err) < 0)) {
        free_docs(o);
        return run_fail(o, err.text);
    }
    if (run->gpu_identity)
        rpt_gpu_identity_use(run->gpu_identity);
    /* rpt_model_build takes the documents whatever it returns. */
    if ((o->docs ? rpt_model_build(o->docs, o->vmids, o->ndocs, &run->model, &err)
                 : rpt_model_load(o->inputs, o->ninputs, &run->model, &err)) < 0 ||
        rpt_evaluate(run->matrix, run->model, &run->result, &err) < 0)
        return run_fail(o, err.text);
    return 0;
}

void rpt_run_fini(struct rpt_run *run)
{
    rpt_result_free(run->result);
    rpt_model_free(run->model);
    rpt_matrix_free(run->matrix);
    if (run->gpu_identity)
        rpt_gpu_identity_use(NULL);
    rpt_gpu_identity_free(run->gpu_identity);
    *run = (struct rpt_run){0};
}

FILE *rpt_out_open(const char *prog, const char *path)
{
    FILE *f;

    if (!path || strcmp(path, "-") == 0)
        return stdout;
    f = fopen(path, "w");
    if (!f)
        fprintf(stderr, "%s: %s: cannot write: %s\n", prog, path, strerror(errno));
    return f;
}

int rpt_out_close(const char *prog, FILE *f, const char *path, bool bad)
{
    bad |= fflush(f) != 0 || ferror(f);
    if (f != stdout)
        bad |= fclose(f) != 0;
    if (bad)
        fprintf(stderr, "%s: %s: write error\n", prog,
                path && strcmp(path, "-") != 0 ? path : "stdout");
    return bad ? -1 : 0;
}

/* The report to o->out (left open), or to the file o->out_path names. 0 or -1 with the
 * reason on stderr. */
static int run_render(const struct rpt_run_opts *o, const struct rpt_run *run)
{
    FILE *f = o->out ? o->out : rpt_out_open(o->prog, o->out_path);
    bool bad;

    if (!f)
        return -1;
    bad = rpt_render(f, o->format, run->matrix, run->model, run->result, o->verbose) < 0;
    if (!o->out)
        return rpt_out_close(o->prog, f, o->out_path, bad);
    if (bad || fflush(f) != 0 || ferror(f)) {
        fprintf(stderr, "%s: write error\n", o->prog);
        return -1;
    }
    return 0;
}

int rpt_run(const struct rpt_run_opts *o)
{
    struct rpt_run run;
    int status = 2;

    if (rpt_run_evaluate(o, &run) == 0 && run_render(o, &run) == 0)
        status = rpt_result_exit_status(run.result);
    rpt_run_fini(&run);
    return status;
}

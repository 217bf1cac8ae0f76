/* SPDX-License-Identifier: MIT */
/*
 * ptdiag-report: joins a host document and guest documents, evaluates the symptom matrix and
 * renders the findings. Exit status (DESIGN §6): 0 no error finding, 1 at least one, 2 bad
 * usage or unreadable input.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpu_identity.h"
#include "ptdiag/doc.h"
#include "ptdiag/escape.h"
#include "report.h"
#include "soak_cli.h"

static void usage(FILE *f)
{
    fprintf(
        f, "usage: ptdiag-report [--format text|json|md|prom|html] [--matrix FILE] [-o FILE] [-v]\n"
           "                     [--guest VMID=FILE]... DOC...\n"
           "  -f, --format FMT     text (default), json, md (Markdown), prom (Prometheus) or\n"
           "                       html (one self-contained page with the topology drawn)\n"
           "  -m, --matrix FILE    symptom matrix to use instead of the built-in one\n"
           "      --gpu-identity FILE  GPU identity table instead of the built-in one\n"
           "  -o, --output FILE    write the report to FILE instead of stdout\n"
           "  -g, --guest VMID=FILE  a guest document and the VM it came from\n"
           "  -v, --verbose        text: list every rule not checked, not one line per reason\n"
           "  -h, --help           show this help\n"
           "  -V, --version        show the version\n"
           "       ptdiag-report gen-docs [--matrix FILE] [-o FILE]\n"
           "       ptdiag-report check-matrix FILE\n"
           "       ptdiag-report soak FILE...\n"
           "DOC: ptdiag.host/1 or ptdiag.guest/1 JSON (at most one host).\n"
           "Exit: 0 no error finding, 1 error finding(s), 2 bad usage or input.\n");
}

static int load_matrix(const char *path, struct rpt_matrix **mx)
{
    struct ptd_error err = {{0}};
    int rc = path ? rpt_matrix_load_file(path, mx, &err) : rpt_matrix_load_builtin(mx, &err);
    if (rc < 0)
        fprintf(stderr, "ptdiag-report: %s\n", ptd_esc_tmp(err.text, 0));
    return rc;
}

static FILE *open_out(const char *path)
{
    if (!path || strcmp(path, "-") == 0)
        return stdout;
    FILE *f = fopen(path, "w");
    if (!f)
        fprintf(stderr, "ptdiag-report: %s: cannot write: %s\n", path, strerror(errno));
    return f;
}

static int close_out(FILE *f, const char *path)
{
    int bad = fflush(f) != 0 || ferror(f);
    if (f != stdout)
        bad |= fclose(f) != 0;
    if (bad)
        fprintf(stderr, "ptdiag-report: %s: write error\n", path ? path : "stdout");
    return bad ? -1 : 0;
}

static int gen_docs(int argc, char **argv)
{
    const char *matrix = NULL, *outp = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--matrix") == 0 && i + 1 < argc)
            matrix = argv[++i];
        else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
            outp = argv[++i];
        else {
            usage(stderr);
            return 2;
        }
    }
    struct rpt_matrix *mx = NULL;
    if (load_matrix(matrix, &mx) < 0)
        return 2;
    FILE *out = open_out(outp);
    int rc = out ? rpt_render_troubleshooting(out, mx) : -1;
    if (out && close_out(out, outp) < 0)
        rc = -1;
    rpt_matrix_free(mx);
    return rc < 0 ? 2 : 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "soak") == 0)
        return report_soak_main(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "gen-docs") == 0)
        return gen_docs(argc - 1, argv + 1);
    if (argc == 3 && strcmp(argv[1], "check-matrix") == 0) {
        struct rpt_matrix *mx = NULL;
        if (load_matrix(argv[2], &mx) < 0)
            return 2;
        printf("%s: %zu rules, valid\n", argv[2], mx->nrules);
        rpt_matrix_free(mx);
        return 0;
    }

    static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
                                         {"matrix", required_argument, NULL, 'm'},
                                         {"output", required_argument, NULL, 'o'},
                                         {"guest", required_argument, NULL, 'g'},
                                         {"gpu-identity", required_argument, NULL, 'G'},
                                         {"verbose", no_argument, NULL, 'v'},
                                         {"help", no_argument, NULL, 'h'},
                                         {"version", no_argument, NULL, 'V'},
                                         {NULL, 0, NULL, 0}};
    enum rpt_format fmt = RPT_FMT_TEXT;
    const char *matrix = NULL, *outp = NULL, *identity = NULL;
    bool verbose = false;
    struct rpt_gpu_identity *ids = NULL; /* owned; rpt_gpu_identity_use borrows it */
    struct rpt_input *in = calloc((size_t)argc, sizeof *in);
    size_t nin = 0;
    int status = 2;
    struct rpt_matrix *mx = NULL;
    struct rpt_model *model = NULL;
    struct rpt_result *res = NULL;
    FILE *out = NULL;
    if (!in) {
        fprintf(stderr, "ptdiag-report: out of memory\n");
        return 2;
    }
    int c;
    while ((c = getopt_long(argc, argv, "f:m:o:g:vhV", opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (rpt_format_parse(optarg, &fmt) < 0) {
                fprintf(stderr, "ptdiag-report: unknown format '%s'\n", optarg);
                goto out;
            }
            break;
        case 'm':
            matrix = optarg;
            break;
        case 'o':
            outp = optarg;
            break;
        case 'G':
            identity = optarg;
            break;
        case 'g': {
            char *eq = strchr(optarg, '=');
            char *end = NULL;
            long vmid = eq ? strtol(optarg, &end, 10) : -1;
            if (!eq || end != eq || vmid < 100 || !eq[1]) {
                fprintf(stderr, "ptdiag-report: --guest takes VMID=FILE (VMID >= 100), got '%s'\n",
                        optarg);
                goto out;
            }
            in[nin].file = eq + 1;
            in[nin++].vmid = vmid;
            break;
        }
        case 'v':
            verbose = true;
            break;
        case 'h':
            usage(stdout);
            status = 0;
            goto out;
        case 'V':
            printf("ptdiag-report %s\n", ptd_version());
            status = 0;
            goto out;
        default:
            usage(stderr);
            goto out;
        }
    }
    for (int i = optind; i < argc; i++) {
        in[nin].file = argv[i];
        in[nin++].vmid = -1;
    }
    if (nin == 0) {
        usage(stderr);
        goto out;
    }
    if (load_matrix(matrix, &mx) < 0)
        goto out;
    struct ptd_error err = {{0}};
    if (identity) {
        if (rpt_gpu_identity_load_file(identity, &ids, &err) < 0) {
            fprintf(stderr, "ptdiag-report: %s\n", err.text);
            goto out;
        }
        rpt_gpu_identity_use(ids);
    }
    if (rpt_model_load(in, nin, &model, &err) < 0 || rpt_evaluate(mx, model, &res, &err) < 0) {
        fprintf(stderr, "ptdiag-report: %s\n", ptd_esc_tmp(err.text, 0));
        goto out;
    }
    out = open_out(outp);
    if (!out)
        goto out;
    int r = rpt_render(out, fmt, mx, model, res, verbose);
    if (close_out(out, outp) < 0 || r < 0)
        goto out;
    status = rpt_result_exit_status(res);
out:
    rpt_result_free(res);
    rpt_model_free(model);
    rpt_matrix_free(mx);
    rpt_gpu_identity_use(NULL);
    rpt_gpu_identity_free(ids);
    free(in);
    return status;
}

/* SPDX-License-Identifier: MIT */
/*
 * ptdiag-report: joins a host document and guest documents, evaluates the symptom matrix and
 * renders the findings. Exit status (DESIGN §6): 0 no error finding, 1 at least one, 2 bad
 * usage or unreadable input.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"
#include "ptdiag/escape.h"
#include "ptdiag/cli.h"
#include "report.h"
#include "run.h"
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
    FILE *out = rpt_out_open("ptdiag-report", outp);
    int rc = out ? rpt_render_troubleshooting(out, mx) : -1;
    if (out && rpt_out_close("ptdiag-report", out, outp, rc < 0) < 0)
        rc = -1;
    rpt_matrix_free(mx);
    return rc < 0 ? 2 : 0;
}

/* What ptdiag-report's options chose; strings point into argv. */
struct report_opts {
    struct ptd_cli cli;
    struct rpt_run_opts run;
    struct rpt_input *inputs; /* owned: --guest and the operands, at most argc */
};

/* --guest VMID=FILE into o->inputs; -1 with the message on stderr when it is not that. */
static int add_guest(struct report_opts *o, char *arg)
{
    char *eq = strchr(arg, '=');
    char *end = NULL;
    long vmid = eq ? strtol(arg, &end, 10) : -1;

    if (!eq || end != eq || vmid < 100 || !eq[1]) {
        fprintf(stderr, "ptdiag-report: --guest takes VMID=FILE (VMID >= 100), got '%s'\n", arg);
        return -1;
    }
    o->inputs[o->run.ninputs].file = eq + 1;
    o->inputs[o->run.ninputs++].vmid = vmid;
    return 0;
}

/* Fills o from argv (o->inputs has room for argc entries). Returns PTD_CLI_GO_ON, or the exit
 * status when the program ends here (help, version, bad usage). */
static int parse_options(int argc, char **argv, struct report_opts *o)
{
    static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
                                         {"matrix", required_argument, NULL, 'm'},
                                         {"output", required_argument, NULL, 'o'},
                                         {"guest", required_argument, NULL, 'g'},
                                         {"gpu-identity", required_argument, NULL, 'G'},
                                         PTD_CLI_LONGOPTS,
                                         {NULL, 0, NULL, 0}};
    int c, rc;

    while ((c = getopt_long(argc, argv, "f:m:o:g:" PTD_CLI_SHORTOPTS, opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (rpt_format_parse(optarg, &o->run.format) < 0) {
                fprintf(stderr, "ptdiag-report: unknown format '%s'\n", optarg);
                return 2;
            }
            break;
        case 'm':
            o->run.matrix_path = optarg;
            break;
        case 'G':
            o->run.gpu_identity_path = optarg;
            break;
        case 'g':
            if (add_guest(o, optarg) < 0)
                return 2;
            break;
        default:
            if ((rc = ptd_cli_option(&o->cli, c, optarg)) != PTD_CLI_GO_ON)
                return rc;
        }
    }
    for (int i = optind; i < argc; i++) {
        o->inputs[o->run.ninputs].file = argv[i];
        o->inputs[o->run.ninputs++].vmid = -1;
    }
    if (o->run.ninputs == 0) {
        usage(stderr);
        return 2;
    }
    o->run.verbose = o->cli.verbose > 0;
    o->run.out_path = o->cli.output;
    return PTD_CLI_GO_ON;
}

static int check_matrix(const char *path)
{
    struct rpt_matrix *mx = NULL;
    if (load_matrix(path, &mx) < 0)
        return 2;
    printf("%s: %zu rules, valid\n", path, mx->nrules);
    rpt_matrix_free(mx);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "soak") == 0)
        return report_soak_main(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "gen-docs") == 0)
        return gen_docs(argc - 1, argv + 1);
    if (argc == 3 && strcmp(argv[1], "check-matrix") == 0)
        return check_matrix(argv[2]);

    struct report_opts o = {.cli = {.prog = "ptdiag-report", .usage = usage},
                            .run = {.prog = "ptdiag-report", .format = RPT_FMT_TEXT}};
    int status;

    o.inputs = calloc((size_t)argc, sizeof *o.inputs);
    if (!o.inputs) {
        fprintf(stderr, "ptdiag-report: out of memory\n");
        return 2;
    }
    o.run.inputs = o.inputs;
    status = parse_options(argc, argv, &o);
    if (status == PTD_CLI_GO_ON)
        status = rpt_run(&o.run);
    free(o.inputs);
    return status;
}

/* SPDX-License-Identifier: MIT */
#include "soak_cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ptdiag/doc.h"
#include "ptdiag/escape.h"

#include "report.h"
#include "soak_eval.h"
#include "soak_reader.h"
#include "soak_render.h"

enum soak_format { FMT_TEXT, FMT_JSON, FMT_MD, FMT_PROM };

static void usage(FILE *f, double threshold_days)
{
    fprintf(f,
            "Usage: ptdiag-report soak [VMID=]FILE... [OPTION]...\n"
            "Evaluate ptdiag.soak/1 logs (one per guest, written by ptdiag-agent --soak).\n"
            "VMID= names the VM a log comes from (the vmid label of --format prom).\n"
            "\n"
            "  -f, --format FMT          text (default), json, md or prom\n"
            "      --threshold-days N    clean days needed for \"production\" (default %g,\n"
            "                            the symptom matrix's soak threshold)\n"
            "      --max-gap-minutes N   longest silence between two samples before the clean\n"
            "                            run restarts (default 60)\n"
            "      --now TIME            evaluate as of TIME (RFC 3339 UTC; default: now, or\n"
            "                            PTDIAG_FIXED_TIME)\n"
            "  -h, --help                show this help\n"
            "\n"
            "Verdicts: production, in-validation, failed (any driver error event or driver\n"
            "state \"error\"). Exit status: 0 production or in-validation, 1 at least one log\n"
            "failed, 2 bad usage or a file that is unreadable, empty or not a soak log.\n",
            threshold_days);
}

/* The production threshold is the matrix's (report/data/symptoms.json "soak"). */
static int matrix_threshold_days(double *days)
{
    struct rpt_matrix *mx = NULL;
    struct ptd_error err = {{0}};
    if (rpt_matrix_load_builtin(&mx, &err) < 0) {
        fprintf(stderr, "ptdiag-report soak: %s\n", ptd_esc_tmp(err.text, 0));
        return -1;
    }
    *days = mx->soak_threshold_days;
    rpt_matrix_free(mx);
    return 0;
}

/* Reads one file through the fixed-size line reader. Returns 0, or -1 with err set. */
static int eval_file(const char *path, struct soak_eval *ev, struct ptd_error *err)
{
    struct soak_reader *rd = malloc(sizeof(*rd));
    FILE *f = NULL;
    int ret = -1;

    if (!rd) {
        ptd_error_set(err, "%s: out of memory", path);
        goto out;
    }
    f = fopen(path, "rb");
    if (!f) {
        ptd_error_set(err, "%s: %s", path, strerror(errno));
        goto out;
    }
    soak_reader_init(rd, f);
    while (soak_reader_next(rd))
        soak_eval_line(ev, rd->buf, rd->len, rd->lineno, rd->too_long);
    if (rd->read_errno) {
        ptd_error_set(err, "%s: read error after line %lu: %s", path, rd->lineno,
                      strerror(rd->read_errno));
        goto out;
    }
    soak_eval_finish(ev);
    ret = 0;
out:
    if (f)
        fclose(f);
    free(rd);
    return ret;
}

static int parse_positive(const char *opt, const char *s, double max, double *out)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(s, &end);
    if (errno || end == s || *end || !(v > 0) || v > max) {
        fprintf(stderr, "ptdiag-report soak: %s: '%s' is not a number in (0, %g]\n", opt, s, max);
        return -1;
    }
    *out = v;
    return 0;
}

static int render(enum soak_format fmt, const struct soak_file *files, size_t n,
                  double threshold_days)
{
    cJSON *doc, *arr;
    size_t i;
    int ret;

    if (fmt == FMT_TEXT) {
        soak_render_text(stdout, files, n);
        return 0;
    }
    if (fmt == FMT_MD) {
        soak_render_md(stdout, files, n);
        return 0;
    }
    if (fmt == FMT_PROM) {
        soak_render_prom(stdout, files, n, threshold_days);
        return 0;
    }
    doc = ptd_doc_new(PTD_SCHEMA_REPORT, "ptdiag-report");
    arr = doc ? cJSON_AddArrayToObject(doc, "soak") : NULL;
    if (!arr) {
        cJSON_Delete(doc);
        return -1;
    }
    for (i = 0; i < n; i++) {
        cJSON *o = soak_file_to_json(&files[i], doc);
        if (!o) {
            cJSON_Delete(doc);
            return -1;
        }
        cJSON_AddItemToArray(arr, o);
    }
    ret = ptd_doc_write(doc, NULL, true, NULL);
    cJSON_Delete(doc);
    return ret;
}

/* VMID=FILE: the VM id (1 to 9 digits, Proxmox's range) before the first '='; a path that
 * merely starts with digits and '=' is read as such a pair, as `--guest VMID=FILE` is. */
static void split_vmid(struct soak_file *f, char id[16])
{
    const char *eq = strchr(f->path, '=');
    size_t len = eq ? (size_t)(eq - f->path) : 0;

    if (len == 0 || len > 9 || strspn(f->path, "0123456789") != len || !eq[1])
        return;
    memcpy(id, f->path, len);
    id[len] = '\0';
    f->vmid = id;
    f->path = eq + 1;
}

static int file_status(const struct soak_file *f)
{
    if (!f->ev || f->ev->res.bad_input)
        return 2;
    return f->ev->res.verdict == SOAK_FAILED ? 1 : 0;
}

/* --format's argument; -1 (said on stderr) when it is none of text, json, md or prom. */
static int parse_format(const char *arg, enum soak_format *fmt)
{
    if (strcmp(arg, "text") == 0)
        *fmt = FMT_TEXT;
    else if (strcmp(arg, "json") == 0)
        *fmt = FMT_JSON;
    else if (strcmp(arg, "md") == 0 || strcmp(arg, "markdown") == 0)
        *fmt = FMT_MD;
    else if (strcmp(arg, "prom") == 0)
        *fmt = FMT_PROM;
    else {
        fprintf(stderr, "ptdiag-report soak: --format: '%s' is not text, json, md or prom\n", arg);
        return -1;
    }
    return 0;
}

/* The options before the files. Returns 0, 1 after --help, or -1 after a usage error (said on
 * stderr). *now_s is the --now text when given. */
static int parse_options(int argc, char **argv, struct soak_options *opt, enum soak_format *fmt,
                         const char **now_s)
{
    enum { OPT_THRESHOLD = 256, OPT_MAX_GAP, OPT_NOW };
    static const struct option longopts[] = {
        {"format", required_argument, NULL, 'f'},
        {"threshold-days", required_argument, NULL, OPT_THRESHOLD},
        {"max-gap-minutes", required_argument, NULL, OPT_MAX_GAP},
        {"now", required_argument, NULL, OPT_NOW},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    double v;
    int o;

    optind = 0; /* glibc: full re-initialisation, the caller may have used getopt already */
    while ((o = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
        switch (o) {
        case 'f':
            if (parse_format(optarg, fmt) != 0)
                return -1;
            break;
        case OPT_THRESHOLD:
            if (parse_positive("--threshold-days", optarg, 3650, &v) != 0)
                return -1;
            opt->threshold_days = v;
            break;
        case OPT_MAX_GAP:
            if (parse_positive("--max-gap-minutes", optarg, 525600, &v) != 0)
                return -1;
            opt->max_gap_s = (long)(v * 60.0);
            break;
        case OPT_NOW:
            *now_s = optarg;
            if (ptd_time_parse_rfc3339(optarg, &opt->now) != 0) {
                fprintf(stderr, "ptdiag-report soak: --now: '%s' is not an RFC 3339 UTC time\n",
                        optarg);
                return -1;
            }
            break;
        case 'h':
            usage(stdout, opt->threshold_days);
            return 1;
        default:
            usage(stderr, opt->threshold_days);
            return -1;
        }
    }
    return 0;
}

/* "Now" without --now: PTDIAG_FIXED_TIME (tests) or the clock. Returns 0 or -1 (said). */
static int resolve_now(struct soak_options *opt, const char *now_s)
{
    if (opt->now)
        return 0;
    if (now_s && now_s[0] && ptd_time_parse_rfc3339(now_s, &opt->now) != 0) {
        fprintf(stderr, "ptdiag-report soak: PTDIAG_FIXED_TIME: '%s' is not RFC 3339\n", now_s);
        return -1;
    }
    if (!opt->now)
        opt->now = time(NULL);
    return 0;
}

/* Evaluates the n files of paths and renders them; returns the exit status (2 when the report
 * cannot be made). */
static int evaluate_files(char **paths, int n, const struct soak_options *opt, enum soak_format fmt)
{
    struct soak_eval *evs = calloc((size_t)n, sizeof(*evs));
    struct soak_file *files = calloc((size_t)n, sizeof(*files));
    struct ptd_error *errs = calloc((size_t)n, sizeof(*errs));
    char(*ids)[16] = calloc((size_t)n, sizeof(*ids)); /* the VM ids of VMID=FILE arguments */
    int i, ret = 2, status = 0;

    if (!evs || !files || !errs || !ids) {
        fprintf(stderr, "ptdiag-report soak: out of memory\n");
        goto out;
    }
    for (i = 0; i < n; i++) {
        files[i].path = paths[i];
        split_vmid(&files[i], ids[i]);
        soak_eval_init(&evs[i], opt);
        if (eval_file(files[i].path, &evs[i], &errs[i]) == 0) {
            files[i].ev = &evs[i];
        } else {
            files[i].read_error = errs[i].text;
            fprintf(stderr, "ptdiag-report soak: %s\n", ptd_esc_tmp(errs[i].text, 0));
        }
        if (file_status(&files[i]) > status)
            status = file_status(&files[i]);
    }
    if (render(fmt, files, (size_t)n, opt->threshold_days) != 0) {
        fprintf(stderr, "ptdiag-report soak: cannot write the report\n");
        goto out;
    }
    ret = status;
out:
    free(evs);
    free(files);
    free(errs);
    free(ids);
    return ret;
}

int report_soak_main(int argc, char **argv)
{
    struct soak_options opt = {0, SOAK_DEFAULT_MAX_GAP_S, 0};
    enum soak_format fmt = FMT_TEXT;
    const char *now_s = getenv("PTDIAG_FIXED_TIME");
    int r;

    /* Accept both `soak FILE...` and the caller's whole argv `ptdiag-report soak FILE...`. */
    if (argc > 1 && strcmp(argv[0], "soak") != 0 && strcmp(argv[1], "soak") == 0) {
        argc--;
        argv++;
    }
    if (matrix_threshold_days(&opt.threshold_days) < 0)
        return 2;
    r = parse_options(argc, argv, &opt, &fmt, &now_s);
    if (r != 0)
        return r > 0 ? 0 : 2;
    if (resolve_now(&opt, now_s) != 0)
        return 2;
    if (argc - optind <= 0) {
        fprintf(stderr, "ptdiag-report soak: no soak log given\n");
        usage(stderr, opt.threshold_days);
        return 2;
    }
    return evaluate_files(argv + optind, argc - optind, &opt, fmt);
}

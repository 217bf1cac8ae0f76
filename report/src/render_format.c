/* SPDX-License-Identifier: MIT */
/*
 * The output formats every tool that prints a diagnosis offers (ptdiag-report, ptdiag-host):
 * one list of names and one dispatch, so that `--format` means the same everywhere.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"

static const struct {
    const char *name;
    enum rpt_format fmt;
} format_names[] = {
    {"text", RPT_FMT_TEXT},   {"json", RPT_FMT_JSON}, {"md", RPT_FMT_MD},
    {"markdown", RPT_FMT_MD}, {"prom", RPT_FMT_PROM}, {"prometheus", RPT_FMT_PROM},
    {"html", RPT_FMT_HTML},
};

int rpt_format_parse(const char *name, enum rpt_format *fmt)
{
    for (size_t i = 0; i < sizeof format_names / sizeof format_names[0]; i++) {
        if (strcmp(name, format_names[i].name) == 0) {
            *fmt = format_names[i].fmt;
            return 0;
        }
    }
    return -1;
}

static int render_ctx(FILE *out, enum rpt_format fmt, const struct rpt_render_ctx *c)
{
    switch (fmt) {
    case RPT_FMT_JSON:
        return rpt_render_json(out, c);
    case RPT_FMT_MD:
        return rpt_render_md(out, c);
    case RPT_FMT_PROM:
        return rpt_render_prom(out, c);
    case RPT_FMT_HTML:
        return rpt_render_html(out, c);
    case RPT_FMT_TEXT:
        break;
    }
    return rpt_render_text(out, c);
}

int rpt_render(FILE *out, enum rpt_format fmt, const struct rpt_matrix *mx,
               const struct rpt_model *model, const struct rpt_result *res, bool verbose)
{
    struct rpt_render_ctx c = {.matrix = mx, .model = model, .result = res, .verbose = verbose};
    /* colour only for a person: a terminal on stdout, NO_COLOR unset */
    c.colour = out == stdout && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
    return render_ctx(out, fmt, &c);
}

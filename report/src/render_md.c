/* SPDX-License-Identifier: MIT */
/* Markdown ready to paste into a GitHub issue or a contribution: a summary table, then each
 * finding with its evidence and fix in code blocks, then what was not checked. */
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"
#include "report.h"

/* Table cells may not hold a pipe or a newline. */
static void cell(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '|')
            fputs("\\|", out);
        else if (*s == '\n')
            fputc(' ', out);
        else
            fputc(*s, out);
    }
}

/* A fence longer than any backtick run inside the text. */
static void fenced(FILE *out, const char *lang, const char *text)
{
    size_t run = 0, best = 0;
    for (const char *p = text; *p; p++) {
        run = *p == '`' ? run + 1 : 0;
        if (run > best)
            best = run;
    }
    size_t n = best >= 3 ? best + 1 : 3;
    for (size_t i = 0; i < n; i++)
        fputc('`', out);
    fprintf(out, "%s\n%s%s", lang, text, text[0] && text[strlen(text) - 1] == '\n' ? "" : "\n");
    for (size_t i = 0; i < n; i++)
        fputc('`', out);
    fputc('\n', out);
}

static const char *icon(enum rpt_severity s)
{
    return s == RPT_SEV_ERROR ? "FAIL" : s == RPT_SEV_WARNING ? "WARN" : "NOTE";
}

int rpt_render_md(FILE *out, const struct rpt_render_ctx *c)
{
    const struct rpt_model *m = c->model;
    const struct rpt_result *r = c->result;
    fprintf(out, "## ptdiag report\n\n");
    if (m->host.json)
        fprintf(out, "- Host: `%s`, kernel `%s`, collected %s\n",
                ptd_json_get_str(m->host.json, "system.hostname")
                    ? ptd_json_get_str(m->host.json, "system.hostname")
                    : "?",
                ptd_json_get_str(m->host.json, "system.kernel_release")
                    ? ptd_json_get_str(m->host.json, "system.kernel_release")
                    : "?",
                ptd_json_get_str(m->host.json, "collected_at")
                    ? ptd_json_get_str(m->host.json, "collected_at")
                    : "?");
    for (size_t i = 0; i < m->nguests; i++) {
        const struct rpt_guest *g = &m->guests[i];
        const char *os = ptd_json_get_str(g->doc.json, "system.os.name");
        fprintf(out, "- Guest: `%s` (%s)",
                ptd_json_get_str(g->doc.json, "system.hostname")
                    ? ptd_json_get_str(g->doc.json, "system.hostname")
                    : g->doc.file,
                os ? os : "?");
        if (g->vmid >= 0)
            fprintf(out, ", VM %ld (tied by %s)", g->vmid, g->tied_by);
        fputc('\n', out);
    }
    fprintf(out,
            "- Result: **%zu error(s), %zu warning(s), %zu note(s)**, %zu rule(s) not checked\n\n",
            r->counts[RPT_SEV_ERROR], r->counts[RPT_SEV_WARNING], r->counts[RPT_SEV_INFO],
            r->nunchecked);
    if (r->nfindings) {
        fprintf(out, "| | Layer | Rule | Subject | Title |\n|---|---|---|---|---|\n");
        for (int sev = RPT_SEV_ERROR; sev >= RPT_SEV_INFO; sev--)
            for (size_t i = 0; i < r->nfindings; i++) {
                const struct rpt_finding *f = &r->findings[i];
                if ((int)f->severity != sev)
                    continue;
                fprintf(out, "| %s | %s | `%s` | ", icon(f->severity), f->rule->layer, f->rule->id);
                cell(out, f->subject);
                fputs(" | ", out);
                cell(out, f->rule->title);
                fputs(" |\n", out);
            }
        fputc('\n', out);
    } else {
        fprintf(out, "No problems found.\n\n");
    }
    for (int sev = RPT_SEV_ERROR; sev >= RPT_SEV_INFO; sev--)
        for (size_t i = 0; i < r->nfindings; i++) {
            const struct rpt_finding *f = &r->findings[i];
            if ((int)f->severity != sev)
                continue;
            fprintf(out, "### %s `%s`: %s\n\n", icon(f->severity), f->rule->id, f->rule->title);
            fprintf(out, "**Subject:** ");
            cell(out, f->subject);
            fprintf(out, "  \n**Layer:** %s\n\n%s\n\n", f->rule->layer, f->root_cause);
            if (f->nevidence) {
                fprintf(out, "<details><summary>Evidence</summary>\n\n");
                struct rpt_buf b = {0};
                for (size_t e = 0; e < f->nevidence; e++) {
                    char *v =
                        f->evidence[e].value ? cJSON_PrintUnformatted(f->evidence[e].value) : NULL;
                    rpt_buf_printf(&b, "%s = %s    # %s: %s\n", f->evidence[e].fact, v ? v : "null",
                                   f->evidence[e].source, f->evidence[e].where);
                    cJSON_free(v);
                }
                char *s = rpt_buf_take(&b);
                if (s)
                    fenced(out, "", s);
                free(s);
                fprintf(out, "\n</details>\n\n");
            }
            fprintf(out, "**Fix:**\n\n");
            fenced(out, "", f->fix);
            fputc('\n', out);
        }
    if (r->nunchecked) {
        fprintf(out, "<details><summary>Not checked (%zu)</summary>\n\n", r->nunchecked);
        for (size_t i = 0; i < r->nunchecked; i++) {
            fprintf(out, "- `%s`: ", r->unchecked[i].rule->id);
            cell(out, r->unchecked[i].reason);
            fputc('\n', out);
        }
        fprintf(out, "\n</details>\n\n");
    }
    fprintf(out, "<sub>ptdiag-report %s, matrix %s (%zu rules)</sub>\n", ptd_version(),
            c->matrix->file, c->matrix->nrules);
    return ferror(out) ? -1 : 0;
}

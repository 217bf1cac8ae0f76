/* SPDX-License-Identifier: MIT */
/* Markdown ready to paste into a GitHub issue or a contribution: a summary table, then each
 * finding with its evidence and fix in code blocks, then what was not checked. */
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"
#include "ptdiag/escape.h"
#include "capability.h"
#include "report.h"

/* Untrusted text (anything a document or a template filled from one may hold) goes only into
 * code spans or escaped text (escape.h): nothing it holds ends a span, a cell or a line. */
static void cell(FILE *out, const char *s)
{
    ptd_esc_md_text(out, s, PTD_ESC_MD_CELL);
}

static void code(FILE *out, const char *s)
{
    ptd_esc_md_code(out, s, 0);
}

/* A fence longer than any backtick run inside the text, whose control characters are escaped
 * (its lines are kept: they are the template's). */
static void fenced(FILE *out, const char *lang, const char *raw)
{
    char *text = ptd_esc_text_dup(raw, PTD_ESC_KEEP_NL);
    if (!text)
        return;
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
    free(text);
}

static const char *icon(enum rpt_severity s)
{
    return s == RPT_SEV_ERROR ? "FAIL" : s == RPT_SEV_WARNING ? "WARN" : "NOTE";
}

/* Who was diagnosed: the host, each guest, and the count of findings. */
static void md_header(FILE *out, const struct rpt_model *m, const struct rpt_result *r)
{
    fprintf(out, "## ptdiag report\n\n");
    if (m->host.json) {
        const char *hn = ptd_json_get_str(m->host.json, "system.hostname");
        const char *kr = ptd_json_get_str(m->host.json, "system.kernel_release");
        const char *at = ptd_json_get_str(m->host.json, "collected_at");
        fputs("- Host: ", out);
        code(out, hn ? hn : "?");
        fputs(", kernel ", out);
        code(out, kr ? kr : "?");
        fputs(", collected ", out);
        ptd_esc_md_text(out, at ? at : "?", 0);
        fputc('\n', out);
    }
    for (size_t i = 0; i < m->nguests; i++) {
        const struct rpt_guest *g = &m->guests[i];
        const char *os = ptd_json_get_str(g->doc.json, "system.os.name");
        const char *hn = ptd_json_get_str(g->doc.json, "system.hostname");
        fputs("- Guest: ", out);
        code(out, hn ? hn : g->doc.file);
        fputs(" (", out);
        ptd_esc_md_text(out, os ? os : "?", 0);
        fputc(')', out);
        if (g->vmid >= 0)
            fprintf(out, ", VM %ld (tied by %s)", g->vmid, g->tied_by);
        fputc('\n', out);
    }
    fprintf(out,
            "- Result: **%zu error(s), %zu warning(s), %zu note(s)**, %zu rule(s) not checked\n\n",
            r->counts[RPT_SEV_ERROR], r->counts[RPT_SEV_WARNING], r->counts[RPT_SEV_INFO],
            r->nunchecked);
}

/* One row per finding, errors first. */
static void md_summary_table(FILE *out, const struct rpt_result *r)
{
    if (!r->nfindings) {
        fprintf(out, "No problems found.\n\n");
        return;
    }
    fprintf(out, "| | Layer | Rule | Subject | Title |\n|---|---|---|---|---|\n");
    for (int sev = RPT_SEV_ERROR; sev >= RPT_SEV_INFO; sev--)
        for (size_t i = 0; i < r->nfindings; i++) {
            const struct rpt_finding *f = &r->findings[i];
            if ((int)f->severity != sev)
                continue;
            fprintf(out, "| %s | %s | ", icon(f->severity), f->rule->layer);
            ptd_esc_md_code(out, f->rule->id, PTD_ESC_MD_CELL);
            fputs(" | ", out);
            cell(out, f->subject);
            fputs(" | ", out);
            cell(out, f->rule->title);
            fputs(" |\n", out);
        }
    fputc('\n', out);
}

/* The facts a finding rests on, one "fact = value    # source: where" line each, folded. */
static void md_evidence(FILE *out, const struct rpt_finding *f)
{
    struct ptd_strbuf b = {0};

    fprintf(out, "<details><summary>Evidence</summary>\n\n");
    for (size_t e = 0; e < f->nevidence; e++) {
        char *v = f->evidence[e].value ? cJSON_PrintUnformatted(f->evidence[e].value) : NULL;
        ptd_strbuf_printf(&b, "%s = %s    # %s: %s\n", f->evidence[e].fact, v ? v : "null",
                          f->evidence[e].source, f->evidence[e].where);
        cJSON_free(v);
    }
    char *s = ptd_strbuf_take(&b);
    if (s)
        fenced(out, "", s);
    free(s);
    fprintf(out, "\n</details>\n\n");
}

/* One finding in full: title, subject, layer, root cause, evidence and fix. */
static void md_finding(FILE *out, const struct rpt_finding *f)
{
    fprintf(out, "### %s ", icon(f->severity));
    code(out, f->rule->id);
    fputs(": ", out);
    cell(out, f->rule->title);
    fprintf(out, "\n\n**Subject:** ");
    cell(out, f->subject);
    fprintf(out, "  \n**Layer:** %s\n\n", f->rule->layer);
    ptd_esc_md_text(out, f->root_cause, 0);
    fputs("\n\n", out);
    if (f->nevidence)
        md_evidence(out, f);
    fprintf(out, "**Fix:**\n\n");
    fenced(out, "", f->fix);
    fputc('\n', out);
}

/* The rules that could not be evaluated, with the reason, folded. */
static void md_unchecked(FILE *out, const struct rpt_result *r)
{
    if (!r->nunchecked)
        return;
    fprintf(out, "<details><summary>Not checked (%zu)</summary>\n\n", r->nunchecked);
    for (size_t i = 0; i < r->nunchecked; i++) {
        fputs("- ", out);
        code(out, r->unchecked[i].rule->id);
        fputs(": ", out);
        cell(out, r->unchecked[i].reason);
        fputc('\n', out);
    }
    fprintf(out, "\n</details>\n\n");
}

int rpt_render_md(FILE *out, const struct rpt_render_ctx *c)
{
    const struct rpt_model *m = c->model;
    const struct rpt_result *r = c->result;

    md_header(out, m, r);
    if (m->host.json)
        rpt_render_md_inventory(out, m->host.json);
    md_summary_table(out, r);
    for (int sev = RPT_SEV_ERROR; sev >= RPT_SEV_INFO; sev--)
        for (size_t i = 0; i < r->nfindings; i++)
            if ((int)r->findings[i].severity == sev)
                md_finding(out, &r->findings[i]);
    for (size_t i = 0; i < m->nguests; i++) {
        fputs("### Capabilities seen in guest ", out);
        code(out, m->guests[i].doc.file);
        fputs("\n\n", out);
        rpt_capability_md(out, m->guests[i].doc.json);
        fputc('\n', out);
    }
    md_unchecked(out, r);
    fprintf(out, "<sub>ptdiag-report %s, matrix ", ptd_version());
    cell(out, c->matrix->file);
    fprintf(out, " (%zu rules)</sub>\n", c->matrix->nrules);
    return ferror(out) ? -1 : 0;
}

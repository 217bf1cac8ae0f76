/* SPDX-License-Identifier: MIT */
/* The report for a person: one PASS/WARN/FAIL (or PART: partly not checked) line per layer, each
 * problem with its evidence and the fix under it. Colour only when the caller says stdout is a
 * terminal. */
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"
#include "ptdiag/escape.h"
#include "capability.h"
#include "colour.h"
#include "report.h"

static const char *col(const struct rpt_render_ctx *c, const char *code)
{
    return c->colour ? code : "";
}

static const char *sev_word(enum rpt_severity s)
{
    return s == RPT_SEV_ERROR ? "FAIL" : s == RPT_SEV_WARNING ? "WARN" : "NOTE";
}

static const char *sev_col(enum rpt_severity s)
{
    return s == RPT_SEV_ERROR ? C_RED : s == RPT_SEV_WARNING ? C_YEL : C_BLU;
}

/* Untrusted text (document strings reach findings through the templates): see escape.h. */
static void esc(FILE *out, const char *s)
{
    ptd_esc_text(out, s, 0);
}

/* Prints text with every line indented; the lines are the template's, everything else in them
 * is escaped. */
static void indented(FILE *out, const char *indent, const char *text)
{
    char *t = ptd_esc_text_dup(text, PTD_ESC_KEEP_NL);
    const char *p = t ? t : "?";
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        fprintf(out, "%s%.*s\n", indent, (int)n, p);
        p += n + (nl ? 1 : 0);
    }
    free(t);
}

void rpt_evidence_text(FILE *out, const struct rpt_evidence *e);
void rpt_evidence_text(FILE *out, const struct rpt_evidence *e)
{
    char *v = e->value ? cJSON_PrintUnformatted(e->value) : NULL;
    esc(out, e->fact);
    fputs(" = ", out);
    esc(out, v ? v : "null");
    fputs("  [", out);
    esc(out, e->source);
    fputs(": ", out);
    esc(out, e->where);
    fputc(']', out);
    cJSON_free(v);
}

void rpt_text_finding(FILE *out, const struct rpt_render_ctx *c, const struct rpt_finding *f)
{
    fprintf(out, "  %s%s%s ", col(c, sev_col(f->severity)), sev_word(f->severity), col(c, C_OFF));
    esc(out, f->subject);
    fputs(": ", out);
    esc(out, f->rule->title);
    fputs("\n       rule: ", out);
    esc(out, f->rule->id);
    fputc('\n', out);
    fprintf(out, "       why:\n");
    indented(out, "         ", f->root_cause);
    if (f->nevidence) {
        fprintf(out, "       evidence:\n");
        for (size_t e = 0; e < f->nevidence; e++) {
            fputs("         ", out);
            rpt_evidence_text(out, &f->evidence[e]);
            fputc('\n', out);
        }
    }
    fprintf(out, "       fix:\n");
    indented(out, "         ", f->fix);
}

int rpt_render_text(FILE *out, const struct rpt_render_ctx *c)
{
    const struct rpt_model *m = c->model;
    const struct rpt_result *r = c->result;
    fprintf(out, "%sptdiag report%s", col(c, C_BOLD), col(c, C_OFF));
    if (m->host.json) {
        const char *hn = ptd_json_get_str(m->host.json, "system.hostname");
        fputs(" - host ", out);
        esc(out, hn ? hn : "?");
        fputs(" (", out);
        esc(out, m->host.file);
        fputc(')', out);
    }
    fprintf(out, ", %zu guest document%s\n", m->nguests, m->nguests == 1 ? "" : "s");
    for (size_t i = 0; i < m->nguests; i++) {
        const struct rpt_guest *g = &m->guests[i];
        fputs("  guest ", out);
        esc(out, g->doc.file);
        if (g->vmid >= 0)
            fprintf(out, " -> VM %ld (tied by %s)\n", g->vmid, g->tied_by);
        else
            fputs(" -> no VM\n", out);
    }
    for (size_t i = 0; i < m->nguests; i++) {
        fputs("\nCapabilities seen in guest ", out);
        esc(out, m->guests[i].doc.file);
        fputs(":\n", out);
        rpt_capability_text(out, m->guests[i].doc.json, "  ");
    }
    for (size_t li = 0; li < c->matrix->nlayers; li++) {
        const struct rpt_layer *ly = &c->matrix->layers[li];
        if (!ly->status_line)
            continue;
        const char *st = rpt_layer_status(r, ly->id);
        const char *word = strcmp(st, "fail") == 0      ? "FAIL"
                           : strcmp(st, "warn") == 0    ? "WARN"
                           : strcmp(st, "partial") == 0 ? "PART"
                                                        : "PASS";
        const char *cc = word[0] == 'F'               ? C_RED
                         : word[0] == 'W'             ? C_YEL
                         : strcmp(st, "partial") == 0 ? C_BLU
                                                      : C_GRN;
        size_t nc = 0;
        for (size_t i = 0; i < r->nunchecked; i++)
            nc += strcmp(r->unchecked[i].rule->layer, ly->id) == 0;
        fprintf(out, "\n%s%-4s%s %s", col(c, cc), word, col(c, C_OFF), ly->label);
        if (nc)
            fprintf(out, " (%zu rule%s not checked)", nc, nc == 1 ? "" : "s");
        fputc('\n', out);
        for (int sev = RPT_SEV_ERROR; sev >= RPT_SEV_INFO; sev--) {
            for (size_t i = 0; i < r->nfindings; i++) {
                const struct rpt_finding *f = &r->findings[i];
                if (strcmp(f->rule->layer, ly->id) == 0 && (int)f->severity == sev)
                    rpt_text_finding(out, c, f);
            }
        }
    }
    rpt_text_unchecked(out, r, c->verbose);
    const cJSON *n;
    bool first = true;
    cJSON_ArrayForEach(n, m->notes)
    {
        if (first)
            fprintf(out, "\nNotes:\n");
        first = false;
        fputs("  ", out);
        esc(out, ptd_json_get_str(n, "message"));
        fputc('\n', out);
    }
    fprintf(out, "\n%zu error%s, %zu warning%s, %zu note%s\n", r->counts[RPT_SEV_ERROR],
            r->counts[RPT_SEV_ERROR] == 1 ? "" : "s", r->counts[RPT_SEV_WARNING],
            r->counts[RPT_SEV_WARNING] == 1 ? "" : "s", r->counts[RPT_SEV_INFO],
            r->counts[RPT_SEV_INFO] == 1 ? "" : "s");
    return ferror(out) ? -1 : 0;
}

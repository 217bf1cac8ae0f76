/* SPDX-License-Identifier: MIT */
/*
 * `ptdiag-report --format html`: one self-contained page (inline CSS and SVG, no script, no
 * external asset) to attach to a forum post or open from a mail, and to print. Top to bottom:
 * the result, the summary per layer, the topology picture (render_html_topo.c), the findings
 * with evidence and fixes (each an anchor the picture links to), what was not checked, the
 * version inventory and the guests' capability tables (render_html_tables.c).
 */
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"
#include "ptdiag/escape.h"
#include "render_html.h"

static const char css[] =
    "body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:12px;"
    "color:#1b1f24;background:#fff}p.why{white-space:pre-line}"
    "h1{font-size:1.4em;margin:.2em 0}h2{font-size:1.15em;margin:1.2em 0 .4em;"
    "border-bottom:1px solid #ccd}"
    "code,pre,.mono{font-family:'DejaVu Sans Mono',monospace;font-size:12px}"
    "pre{background:#f4f5f7;padding:6px 8px;overflow-x:auto;white-space:pre-wrap;"
    "overflow-wrap:anywhere}"
    "table{border-collapse:collapse;margin:.3em 0}td,th{border:1px solid #ccd;padding:2px 6px;"
    "text-align:left;vertical-align:top;overflow-wrap:anywhere}td.layer{white-space:nowrap}"
    ".sev{font-weight:bold;padding:0 4px;border-radius:3px;white-space:nowrap}"
    ".error{background:#f8d7da}.warning{background:#fff3cd}.info{background:#dbeafe}"
    ".ok{background:#d1f2dc}.partial{background:#eceff3}"
    ".finding{border:1px solid #ccd;border-radius:4px;padding:6px 10px;margin:8px 0}"
    ".finding:target{outline:3px solid #2563eb}"
    ".topo{overflow-x:auto;border:1px solid #ccd;border-radius:4px}"
    ".topo svg{display:block}"
    "svg text{font-family:'DejaVu Sans Mono',monospace;font-size:12px;fill:#1b1f24}"
    "svg .n-error{fill:#f8d7da;stroke:#b42318}svg .n-warning{fill:#fff3cd;stroke:#b54708}"
    "svg .n-info{fill:#dbeafe;stroke:#1d4ed8}svg .n-ok{fill:#eefaf1;stroke:#2f7d46}"
    "svg .n-grp{fill:none;stroke:#667085;stroke-dasharray:4 2}svg .n-plain{fill:#f4f5f7;"
    "stroke:#98a2b3}svg .edge{stroke:#667085;fill:none}svg a:hover rect{stroke-width:3}"
    ".legend span{display:inline-block;padding:0 6px;margin-right:6px;border-radius:3px}"
    "@media print{.topo{overflow:visible;border:0}.topo svg{max-width:100%;height:auto}"
    "details{display:block}body{max-width:none}}";

void html_text(FILE *out, const char *s)
{
    html_text_flags(out, s, 0);
}

void html_text_flags(FILE *out, const char *s, unsigned flags)
{
    char *t;

    if (!s)
        return;
    t = ptd_esc_text_dup(s, flags);
    if (!t)
        return;
    /* ptd_esc_html makes every control character visible, '\n' too: keep the lines here. */
    for (char *line = t, *nl;; line = nl + 1) {
        nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        ptd_esc_html(out, line);
        if (!nl)
            break;
        fputc('\n', out);
    }
    free(t);
}

void html_fit(FILE *out, const char *s, size_t cols)
{
    char *t = ptd_esc_text_dup(s ? s : "", 0);
    size_t used = 0, i = 0, cut = 0;

    if (!t)
        return;
    while (t[i]) {
        unsigned char ch = (unsigned char)t[i];
        size_t len = ch < 0x80 ? 1 : ch >= 0xf0 ? 4 : ch >= 0xe0 ? 3 : 2, w = ch < 0x80 ? 1 : 2;

        if (used + w > cols)
            break;
        used += w;
        i += len;
        if (used + 3 <= cols)
            cut = i;
    }
    if (t[i]) { /* too long: end on "..." within cols */
        t[cut] = '\0';
        ptd_esc_html(out, t);
        fputs("...", out);
    } else {
        ptd_esc_html(out, t);
    }
    free(t);
}

long html_worst_for(const struct rpt_result *r, const char *bdf, long vmid)
{
    long best = -1;
    size_t i;

    for (i = 0; i < r->nfindings; i++) {
        const struct rpt_finding *f = &r->findings[i];
        bool hit = bdf ? f->bdf && rpt_bdf_eq(f->bdf, bdf) : f->vmid == vmid && vmid >= 0;

        if (hit && (best < 0 || f->severity > r->findings[best].severity))
            best = (long)i;
    }
    return best;
}

const char *html_sev_class(const struct rpt_result *r, long finding)
{
    if (finding < 0)
        return "ok";
    switch (r->findings[finding].severity) {
    case RPT_SEV_ERROR:
        return "error";
    case RPT_SEV_WARNING:
        return "warning";
    default:
        return "info";
    }
}

static const char *sev_label(enum rpt_severity s)
{
    return s == RPT_SEV_ERROR ? "FAIL" : s == RPT_SEV_WARNING ? "WARN" : "NOTE";
}

static void header(FILE *out, const struct rpt_render_ctx *c)
{
    const struct rpt_model *m = c->model;
    const struct rpt_result *r = c->result;
    const char *hn = m->host.json ? ptd_json_get_str(m->host.json, "system.hostname") : NULL;

    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<title>ptdiag report",
          out);
    if (hn) {
        fputs(": ", out);
        html_text(out, hn);
    }
    fprintf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>ptdiag report", css);
    if (hn) {
        fputs(": ", out);
        html_text(out, hn);
    }
    fputs("</h1>\n<p>", out);
    if (m->host.json) {
        fputs("Host kernel <code>", out);
        html_text(out, ptd_json_get_str(m->host.json, "system.kernel_release"));
        fputs("</code>, collected ", out);
        html_text(out, ptd_json_get_str(m->host.json, "collected_at"));
        fputs(". ", out);
    }
    for (size_t i = 0; i < m->nguests; i++) {
        const struct rpt_guest *g = &m->guests[i];
        const char *gh = ptd_json_get_str(g->doc.json, "system.hostname");

        fputs("Guest <code>", out);
        html_text(out, gh ? gh : g->doc.file);
        fputs("</code> (", out);
        html_text(out, ptd_json_get_str(g->doc.json, "system.os.name"));
        fputc(')', out);
        if (g->vmid >= 0)
            fprintf(out, " of VM %ld", g->vmid);
        fputs(". ", out);
    }
    fprintf(out,
            "<strong>%zu error(s), %zu warning(s), %zu note(s)</strong>, %zu rule(s) not "
            "checked.</p>\n",
            r->counts[RPT_SEV_ERROR], r->counts[RPT_SEV_WARNING], r->counts[RPT_SEV_INFO],
            r->nunchecked);
}

/* The layers with a status line, in the matrix's order, with its labels. */
static void layer_summary(FILE *out, const struct rpt_matrix *mx, const struct rpt_result *r)
{

    fputs("<h2 id=\"summary\">Summary per layer</h2>\n<table>\n<tr><th>Layer</th><th>Status</th>"
          "<th>Findings</th></tr>\n",
          out);
    for (size_t l = 0; l < mx->nlayers; l++) {
        const char *id = mx->layers[l].id;
        if (!mx->layers[l].status_line)
            continue;
        const char *st = rpt_layer_status(r, id);
        const char *cls = !strcmp(st, "fail")   ? "error"
                          : !strcmp(st, "warn") ? "warning"
                          : !strcmp(st, "pass") ? "ok"
                                                : "partial";

        fputs("<tr><td class=\"layer\">", out);
        html_text(out, mx->layers[l].label);
        fprintf(out, "</td><td><span class=\"sev %s\">%s</span></td><td>", cls, st);
        for (size_t i = 0; i < r->nfindings; i++) {
            size_t same = 0, k;

            if (strcmp(r->findings[i].rule->layer, id))
                continue;
            for (k = 0; k < i && r->findings[k].rule != r->findings[i].rule; k++)
                ;
            if (k < i)
                continue; /* the rule is listed once, at its first finding */
            for (k = i; k < r->nfindings; k++)
                same += r->findings[k].rule == r->findings[i].rule;
            fprintf(out, "<a href=\"#f-%zu\">", i);
            html_text(out, r->findings[i].rule->id);
            fputs("</a>", out);
            if (same > 1)
                fprintf(out, " &times;%zu", same);
            fputs(" ", out);
        }
        fputs("</td></tr>\n", out);
    }
    fputs("</table>\n", out);
}

static void evidence(FILE *out, const struct rpt_finding *f)
{
    if (!f->nevidence)
        return;
    fputs("<details><summary>Evidence</summary>\n<table>\n<tr><th>Fact</th><th>Value</th>"
          "<th>Where</th></tr>\n",
          out);
    for (size_t e = 0; e < f->nevidence; e++) {
        char *v = f->evidence[e].value ? cJSON_PrintUnformatted(f->evidence[e].value) : NULL;

        fputs("<tr><td><code>", out);
        html_text(out, f->evidence[e].fact);
        fputs("</code></td><td><code>", out);
        html_text(out, v ? v : "null");
        fputs("</code></td><td>", out);
        html_text(out, f->evidence[e].source);
        fputs(": <code>", out);
        html_text(out, f->evidence[e].where);
        fputs("</code></td></tr>\n", out);
        cJSON_free(v);
    }
    fputs("</table>\n</details>\n", out);
}

static void references(FILE *out, const cJSON *refs)
{
    const cJSON *ref;
    bool any = false;

    cJSON_ArrayForEach(ref, refs)
    {
        const char *url = cJSON_GetStringValue(ref);

        if (!url)
            continue;
        fputs(any ? ", " : "<p>References: ", out);
        any = true;
        /* Only the matrix's own http(s) references become links. */
        if (!strncmp(url, "https://", 8) || !strncmp(url, "http://", 7)) {
            fputs("<a href=\"", out);
            html_text(out, url);
            fputs("\">", out);
            html_text(out, url);
            fputs("</a>", out);
        } else {
            html_text(out, url);
        }
    }
    if (any)
        fputs("</p>\n", out);
}

static void findings(FILE *out, const struct rpt_result *r)
{
    fputs("<h2 id=\"findings\">Findings</h2>\n", out);
    if (!r->nfindings)
        fputs("<p>No problems found.</p>\n", out);
    for (int sev = RPT_SEV_ERROR; sev >= RPT_SEV_INFO; sev--)
        for (size_t i = 0; i < r->nfindings; i++) {
            const struct rpt_finding *f = &r->findings[i];

            if ((int)f->severity != sev)
                continue;
            fprintf(
                out,
                "<section class=\"finding\" id=\"f-%zu\">\n<h3><span class=\"sev %s\">%s</span> ",
                i, html_sev_class(r, (long)i), sev_label(f->severity));
            html_text(out, f->rule->title);
            fputs("</h3>\n<p><strong>", out);
            html_text(out, f->subject);
            fprintf(out, "</strong> &middot; %s &middot; rule <code>", f->rule->layer);
            html_text(out, f->rule->id);
            fputs("</code></p>\n<p class=\"why\">", out);
            html_text_flags(out, f->root_cause, PTD_ESC_KEEP_NL);
            fputs("</p>\n", out);
            evidence(out, f);
            fputs("<p>Fix:</p>\n<pre>", out);
            html_text_flags(out, f->fix, PTD_ESC_KEEP_NL);
            fputs("</pre>\n", out);
            references(out, f->rule->references);
            fputs("</section>\n", out);
        }
}

static void unchecked(FILE *out, const struct rpt_result *r)
{
    if (!r->nunchecked)
        return;
    fprintf(out,
            "<h2 id=\"unchecked\">Not checked</h2>\n<details><summary>%zu rule(s) "
            "could not be checked</summary>\n<ul>\n",
            r->nunchecked);
    for (size_t i = 0; i < r->nunchecked; i++) {
        fputs("<li><code>", out);
        html_text(out, r->unchecked[i].rule->id);
        fputs("</code>: ", out);
        html_text(out, r->unchecked[i].reason);
        fputs("</li>\n", out);
    }
    fputs("</ul>\n</details>\n", out);
}

int rpt_render_html(FILE *out, const struct rpt_render_ctx *c)
{
    header(out, c);
    layer_summary(out, c->matrix, c->result);
    html_topology(out, c);
    findings(out, c->result);
    unchecked(out, c->result);
    html_inventory(out, c->model->host.json);
    html_capabilities(out, c->model);
    fprintf(out, "<p class=\"mono\">ptdiag-report %s, matrix ", ptd_version());
    html_text(out, c->matrix->file);
    fprintf(out, " (%zu rules)</p>\n</body>\n</html>\n", c->matrix->nrules);
    return ferror(out) ? -1 : 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * The HTML report's tables of facts: the host's version inventory (the host document's
 * `inventory`, drawn generically as it is written: scalars as rows, arrays of objects as
 * tables) and, per guest GPU, what the guest can do with it: the rows of the report's
 * capability table (capability.c), escaped through html_text like every document string.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "capability.h"
#include "ptdiag/doc.h"
#include "render_html.h"

#define DEPTH_MAX 4

static void scalar(FILE *out, const cJSON *v)
{
    char *s;

    if (cJSON_IsString(v)) {
        html_text(out, v->valuestring);
        return;
    }
    s = cJSON_PrintUnformatted(v);
    html_text(out, s ? s : "?");
    cJSON_free(s);
}

static void value(FILE *out, const cJSON *v, int depth);

static void object_rows(FILE *out, const cJSON *obj, int depth)
{
    const cJSON *kid;

    fputs("<table>\n", out);
    cJSON_ArrayForEach(kid, obj)
    {
        fputs("<tr><th>", out);
        html_text(out, kid->string ? kid->string : "");
        fputs("</th><td>", out);
        value(out, kid, depth + 1);
        fputs("</td></tr>\n", out);
    }
    fputs("</table>\n", out);
}

static void value(FILE *out, const cJSON *v, int depth)
{
    const cJSON *kid;

    if (depth > DEPTH_MAX) {
        fputs("...", out);
        return;
    }
    if (cJSON_IsObject(v)) {
        object_rows(out, v, depth);
    } else if (cJSON_IsArray(v)) {
        cJSON_ArrayForEach(kid, v)
        {
            fputs("<div>", out);
            value(out, kid, depth + 1);
            fputs("</div>", out);
        }
    } else {
        scalar(out, v);
    }
}

void html_inventory(FILE *out, const cJSON *host_doc)
{
    const cJSON *inv = cJSON_GetObjectItemCaseSensitive(host_doc, "inventory");

    if (!inv || cJSON_IsNull(inv))
        return;
    fputs("<h2 id=\"inventory\">Version inventory</h2>\n", out);
    value(out, inv, 0);
}

/* One row per GPU of every guest, the columns and cells of the report's one capability table
 * (capability.h), so the page says what text, Markdown and JSON say. */
static void guest_capability_rows(FILE *out, const struct rpt_guest *g, bool *any)
{
    struct rpt_capability_table t;

    if (rpt_capability_rows(g->doc.json, &t) != 0)
        return;
    for (size_t i = 0; i < t.nrows; i++) {
        if (!*any) {
            fputs("<h2 id=\"capabilities\">Guest GPU capabilities</h2>\n<table>\n<tr><th>Guest"
                  "</th>",
                  out);
            for (size_t c = 0; c < RPT_CAP_NCOLS; c++)
                fprintf(out, "<th>%s</th>", rpt_capability_labels[c]);
            fputs("</tr>\n", out);
        }
        *any = true;
        fputs("<tr><td>", out);
        html_text(out, ptd_json_get_str(g->doc.json, "system.hostname"));
        if (g->vmid >= 0)
            fprintf(out, " (VM %ld)", g->vmid);
        fputs("</td>", out);
        for (size_t c = 0; c < RPT_CAP_NCOLS; c++) {
            fputs("<td>", out);
            html_text(out, t.rows[i].cell[c] ? t.rows[i].cell[c] : "unknown");
            fputs("</td>", out);
        }
        fputs("</tr>\n", out);
    }
    rpt_capability_free(&t);
}

void html_capabilities(FILE *out, const struct rpt_model *m)
{
    bool any = false;

    for (size_t i = 0; i < m->nguests; i++)
        guest_capability_rows(out, &m->guests[i], &any);
    if (any)
        fputs("</table>\n", out);
}

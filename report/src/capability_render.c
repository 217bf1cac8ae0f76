/* SPDX-License-Identifier: MIT */
/* The capability table (capability.h) as text, Markdown and JSON. Every cell may hold text
 * a guest wrote, so each goes through common/escape. */
#include <stdlib.h>
#include <string.h>

#include "capability.h"
#include "ptdiag/doc.h"
#include "ptdiag/escape.h"

static const char *shown(const char *cell)
{
    return cell ? cell : "unknown";
}

void rpt_capability_text(FILE *out, const cJSON *guest_doc, const char *indent)
{
    struct rpt_capability_table t;
    if (rpt_capability_rows(guest_doc, &t) != 0) {
        fprintf(out, "%s(capability table: out of memory)\n", indent);
        return;
    }
    if (!t.nrows)
        fprintf(out, "%sno GPU other than the hypervisor's emulated display\n", indent);
    for (size_t i = 0; i < t.nrows; i++) {
        const struct rpt_capability_row *r = &t.rows[i];
        fputs(indent, out);
        ptd_esc_text(out, shown(r->cell[RPT_CAP_GPU]), 0);
        fputc('\n', out);
        for (size_t c = RPT_CAP_GPU + 1; c < RPT_CAP_NCOLS; c++) {
            fprintf(out, "%s  %-10s ", indent, rpt_capability_labels[c]);
            ptd_esc_text(out, shown(r->cell[c]), 0);
            fputc('\n', out);
        }
    }
    rpt_capability_free(&t);
}

void rpt_capability_md(FILE *out, const cJSON *guest_doc)
{
    struct rpt_capability_table t;
    if (rpt_capability_rows(guest_doc, &t) != 0)
        return;
    if (!t.nrows) {
        fputs("No GPU other than the hypervisor's emulated display.\n", out);
        return;
    }
    for (size_t c = 0; c < RPT_CAP_NCOLS; c++)
        fprintf(out, "| %s ", rpt_capability_labels[c]);
    fputs("|\n", out);
    for (size_t c = 0; c < RPT_CAP_NCOLS; c++)
        fputs("|---", out);
    fputs("|\n", out);
    for (size_t i = 0; i < t.nrows; i++) {
        for (size_t c = 0; c < RPT_CAP_NCOLS; c++) {
            fputs("| ", out);
            ptd_esc_md_text(out, shown(t.rows[i].cell[c]), PTD_ESC_MD_CELL);
            fputc(' ', out);
        }
        fputs("|\n", out);
    }
    rpt_capability_free(&t);
}

/* The agent's codec list as given (an array of strings), or null when unknown. */
static void add_codecs(cJSON *o, const char *key, const cJSON *gpu, const char *src)
{
    const cJSON *list = ptd_json_get(gpu, src), *c;
    cJSON *arr = cJSON_IsArray(list) ? cJSON_CreateArray() : cJSON_CreateNull();
    if (!cJSON_IsArray(list))
        list = NULL;
    cJSON_ArrayForEach(c, list)
    {
        if (cJSON_IsString(c))
            cJSON_AddItemToArray(arr, cJSON_CreateString(c->valuestring));
    }
    if (!cJSON_AddItemToObject(o, key, arr))
        cJSON_Delete(arr);
}

cJSON *rpt_capability_json(const cJSON *guest_doc)
{
    struct rpt_capability_table t;
    cJSON *arr = cJSON_CreateArray();
    if (!arr || rpt_capability_rows(guest_doc, &t) != 0) {
        cJSON_Delete(arr);
        return NULL;
    }
    for (size_t i = 0; i < t.nrows; i++) {
        cJSON *o = cJSON_CreateObject();
        if (!o || !cJSON_AddItemToArray(arr, o)) {
            cJSON_Delete(o);
            break;
        }
        ptd_json_add_str(o, "location", ptd_json_get_str(t.rows[i].gpu, "location"));
        for (size_t c = 0; c < RPT_CAP_NCOLS; c++)
            ptd_json_add_str(o, rpt_capability_keys[c], t.rows[i].cell[c]);
        add_codecs(o, "decode_codecs", t.rows[i].gpu, "video.decode_codecs");
        add_codecs(o, "encode_codecs", t.rows[i].gpu, "video.encode_codecs");
    }
    rpt_capability_free(&t);
    return arr;
}

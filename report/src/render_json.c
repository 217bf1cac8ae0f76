/* SPDX-License-Identifier: MIT */
/* ptdiag.report/1: the findings for tools (field reference in docs/schema.md). */
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"
#include "ptdiag/docnum.h"
#include "ptdiag/escape.h"
#include "capability.h"
#include "report.h"

static cJSON *evidence_json(const struct rpt_evidence *e)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "fact", e->fact);
    cJSON_AddStringToObject(o, "where", e->where);
    cJSON_AddStringToObject(o, "source", e->source);
    cJSON_AddItemToObject(o, "value",
                          e->value ? cJSON_Duplicate(e->value, true) : cJSON_CreateNull());
    return o;
}

static void add_strings(cJSON *o, const char *key, const cJSON *arr)
{
    cJSON_AddItemToObject(o, key, arr ? cJSON_Duplicate(arr, true) : cJSON_CreateArray());
}

/* inputs[]: the host document and each guest document, with what ties the guest to a VM. */
static void json_inputs(cJSON *doc, const struct rpt_model *m)
{
    cJSON *inputs = cJSON_AddArrayToObject(doc, "inputs");
    if (m->host.json) {
        cJSON *i = cJSON_CreateObject();
        cJSON_AddStringToObject(i, "file", m->host.file);
        cJSON_AddStringToObject(i, "schema", PTD_SCHEMA_HOST);
        ptd_json_add_str(i, "hostname", ptd_json_get_str(m->host.json, "system.hostname"));
        ptd_json_add_str(i, "collected_at", ptd_json_get_str(m->host.json, "collected_at"));
        cJSON_AddNullToObject(i, "vmid");
        cJSON_AddNullToObject(i, "tied_by");
        cJSON_AddItemToArray(inputs, i);
    }
    for (size_t g = 0; g < m->nguests; g++) {
        const struct rpt_guest *gu = &m->guests[g];
        cJSON *i = cJSON_CreateObject();
        cJSON_AddStringToObject(i, "file", gu->doc.file);
        cJSON_AddStringToObject(i, "schema", PTD_SCHEMA_GUEST);
        ptd_json_add_str(i, "hostname", ptd_json_get_str(gu->doc.json, "system.hostname"));
        ptd_json_add_str(i, "collected_at", ptd_json_get_str(gu->doc.json, "collected_at"));
        ptd_json_add_num(i, "vmid", (double)gu->vmid, gu->vmid >= 0);
        ptd_json_add_str(i, "tied_by", gu->tied_by);
        cJSON *caps = rpt_capability_json(gu->doc.json);
        if (!cJSON_AddItemToObject(i, "capabilities", caps ? caps : cJSON_CreateNull()))
            cJSON_Delete(caps);
        cJSON_AddItemToArray(inputs, i);
    }
}

/* summary: the counts, the exit status and each layer's status line. */
static void json_summary(cJSON *doc, const struct rpt_render_ctx *c)
{
    const struct rpt_result *r = c->result;
    cJSON *sum = cJSON_AddObjectToObject(doc, "summary");
    cJSON_AddNumberToObject(sum, "errors", (double)r->counts[RPT_SEV_ERROR]);
    cJSON_AddNumberToObject(sum, "warnings", (double)r->counts[RPT_SEV_WARNING]);
    cJSON_AddNumberToObject(sum, "infos", (double)r->counts[RPT_SEV_INFO]);
    cJSON_AddNumberToObject(sum, "not_checked", (double)r->nunchecked);
    cJSON_AddNumberToObject(sum, "exit_status", rpt_result_exit_status(r));
    cJSON *layers = cJSON_AddObjectToObject(sum, "layers");
    for (size_t li = 0; li < c->matrix->nlayers; li++) {
        const struct rpt_layer *ly = &c->matrix->layers[li];
        if (ly->status_line)
            cJSON_AddStringToObject(layers, ly->id, rpt_layer_status(r, ly->id));
    }
}

/* findings[]: each finding with its evidence, root cause, fix and references. */
static void json_findings(cJSON *doc, const struct rpt_result *r)
{
    cJSON *fs = cJSON_AddArrayToObject(doc, "findings");
    for (size_t i = 0; i < r->nfindings; i++) {
        const struct rpt_finding *f = &r->findings[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "id", f->rule->id);
        cJSON_AddStringToObject(o, "severity", rpt_severity_name(f->severity));
        cJSON_AddStringToObject(o, "layer", f->rule->layer);
        cJSON_AddStringToObject(o, "title", f->rule->title);
        cJSON_AddStringToObject(o, "subject", f->subject);
        ptd_json_add_num(o, "vmid", (double)f->vmid, f->vmid >= 0);
        ptd_json_add_str(o, "bdf", f->bdf);
        cJSON *ev = cJSON_AddArrayToObject(o, "evidence");
        for (size_t e = 0; e < f->nevidence; e++)
            cJSON_AddItemToArray(ev, evidence_json(&f->evidence[e]));
        cJSON_AddStringToObject(o, "root_cause", f->root_cause);
        cJSON_AddStringToObject(o, "fix", f->fix);
        add_strings(o, "references", f->rule->references);
        cJSON_AddItemToArray(fs, o);
    }
}

cJSON *rpt_report_json(const struct rpt_render_ctx *c)
{
    const struct rpt_model *m = c->model;
    const struct rpt_result *r = c->result;
    cJSON *doc = ptd_doc_new(PTD_SCHEMA_REPORT, "ptdiag-report");
    if (!doc)
        return NULL;
    cJSON *mx = cJSON_AddObjectToObject(doc, "matrix");
    cJSON_AddStringToObject(mx, "file", c->matrix->file);
    cJSON_AddNumberToObject(mx, "rules", (double)c->matrix->nrules);

    json_inputs(doc, m);
    cJSON *matches = cJSON_AddArrayToObject(doc, "matches");
    for (size_t i = 0; i < m->npassed; i++) {
        const struct rpt_passed *p = &m->passed[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "vmid", (double)p->vmid);
        ptd_json_add_num(o, "hostpci",
                         (double)ptd_json_int_or(p->hp, "index", 0, PTD_HOSTPCI_MAX, p->hp_index),
                         true);
        ptd_json_add_str(o, "host_bdf", p->dev ? ptd_json_get_str(p->dev, "bdf") : NULL);
        ptd_json_add_str(o, "guest_file", p->guest ? p->guest->doc.file : NULL);
        ptd_json_add_str(o, "guest_location",
                         p->ggpu ? ptd_json_get_str(p->ggpu->gpu, "location") : NULL);
        cJSON_AddItemToArray(matches, o);
    }
    json_summary(doc, c);
    json_findings(doc, r);
    cJSON *nc = cJSON_AddArrayToObject(doc, "not_checked");
    for (size_t i = 0; i < r->nunchecked; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "id", r->unchecked[i].rule->id);
        cJSON_AddStringToObject(o, "layer", r->unchecked[i].rule->layer);
        cJSON_AddStringToObject(o, "title", r->unchecked[i].rule->title);
        cJSON_AddStringToObject(o, "reason", r->unchecked[i].reason);
        cJSON_AddItemToArray(nc, o);
    }
    cJSON *errs = cJSON_GetObjectItemCaseSensitive(doc, "errors");
    const cJSON *n;
    cJSON_ArrayForEach(n, m->notes) cJSON_AddItemToArray(errs, cJSON_Duplicate(n, true));
    return doc;
}

int rpt_render_json(FILE *out, const struct rpt_render_ctx *c)
{
    cJSON *doc = rpt_report_json(c);
    if (!doc)
        return -1;
    char *raw = cJSON_Print(doc);
    cJSON_Delete(doc);
    /* cJSON escapes C0 only; DEL, C1, bidi controls and bytes that are not UTF-8 copied from
     * the documents are escaped here. */
    char *s = raw ? ptd_esc_json_dup(raw) : NULL;
    cJSON_free(raw);
    if (!s)
        return -1;
    fputs(s, out);
    fputc('\n', out);
    free(s);
    return ferror(out) ? -1 : 0;
}

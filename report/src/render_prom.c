/* SPDX-License-Identifier: MIT */
/*
 * Prometheus text exposition (format 0.0.4) for node_exporter's textfile collector: one
 * gauge per finding, counts by severity, VRAM and BAR sizes, Xid and TDR counts. Every
 * metric family is written once, with HELP and TYPE, and its samples together.
 */
#include <string.h>

#include "ptdiag/doc.h"
#include "ptdiag/docnum.h"
#include "ptdiag/escape.h"
#include "report.h"

/* Label values escape backslash, double quote and newline, after the text escaping of
 * control characters and bytes that are not UTF-8 (the format requires UTF-8). */
static void lv(FILE *out, const char *s)
{
    fputc('"', out);
    ptd_esc_prom_label(out, s);
    fputc('"', out);
}

static void family(FILE *out, const char *name, const char *type, const char *help)
{
    fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static const char *guest_vmid(const struct rpt_guest *g, char *buf, size_t n)
{
    if (g->vmid < 0)
        return "";
    snprintf(buf, n, "%ld", g->vmid);
    return buf;
}

int rpt_render_prom(FILE *out, const struct rpt_render_ctx *c)
{
    const struct rpt_model *m = c->model;
    const struct rpt_result *r = c->result;
    char vb[32];

    family(out, "ptdiag_finding", "gauge", "A symptom-matrix rule that fired (1), by rule id.");
    for (size_t i = 0; i < r->nfindings; i++) {
        const struct rpt_finding *f = &r->findings[i];
        fputs("ptdiag_finding{id=", out);
        lv(out, f->rule->id);
        fputs(",severity=", out);
        lv(out, rpt_severity_name(f->severity));
        fputs(",layer=", out);
        lv(out, f->rule->layer);
        fputs(",subject=", out);
        lv(out, f->subject);
        fputs("} 1\n", out);
    }
    family(out, "ptdiag_findings", "gauge", "Number of findings by severity.");
    for (int s = RPT_SEV_ERROR; s >= RPT_SEV_INFO; s--)
        fprintf(out, "ptdiag_findings{severity=\"%s\"} %zu\n", rpt_severity_name(s), r->counts[s]);
    family(out, "ptdiag_rules_not_checked", "gauge",
           "Rules that could not be decided from the documents given.");
    fprintf(out, "ptdiag_rules_not_checked %zu\n", r->nunchecked);

    family(out, "ptdiag_host_gpu_bar_bytes", "gauge",
           "Largest memory BAR of each host GPU function.");
    if (m->host.json) {
        size_t i = 0;
        const cJSON *d;
        cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(m->host.json, "devices"))
        {
            const cJSON *x = i < m->ndevs ? m->dev_derived[i] : NULL;
            i++;
            if (ptd_json_get_tri(d, "is_gpu") != 1 || !x ||
                !cJSON_GetObjectItemCaseSensitive(x, "largest_bar_bytes"))
                continue;
            fputs("ptdiag_host_gpu_bar_bytes{bdf=", out);
            lv(out, ptd_json_get_str(d, "bdf"));
            fputs(",vendor_id=", out);
            lv(out, ptd_json_get_str(d, "vendor_id"));
            fputs(",device_id=", out);
            lv(out, ptd_json_get_str(d, "device_id"));
            fprintf(out, "} %.0f\n", ptd_json_get_num(x, "largest_bar_bytes", 0));
        }
    }
    family(out, "ptdiag_guest_gpu_vram_bytes", "gauge", "VRAM each guest GPU reports.");
    for (size_t g = 0; g < m->nguests; g++)
        for (size_t k = 0; k < m->guests[g].ngpus; k++) {
            const struct rpt_ggpu *gg = &m->guests[g].gpus[k];
            double v = gg->derived ? ptd_json_get_num(gg->derived, "vram_bytes", -1) : -1;
            if (v < 0)
                continue;
            fputs("ptdiag_guest_gpu_vram_bytes{vmid=", out);
            lv(out, guest_vmid(&m->guests[g], vb, sizeof vb));
            fputs(",location=", out);
            lv(out, ptd_json_get_str(gg->gpu, "location"));
            fputs(",vendor_id=", out);
            lv(out, ptd_json_get_str(gg->gpu, "vendor_id"));
            fputs(",device_id=", out);
            lv(out, ptd_json_get_str(gg->gpu, "device_id"));
            fprintf(out, "} %.0f\n", v);
        }
    family(out, "ptdiag_guest_xid_events", "gauge",
           "NVIDIA Xid events in the guest's kernel log, by code.");
    for (size_t g = 0; g < m->nguests; g++) {
        /* Count per code; codes are small integers. */
        long counts[256] = {0}, other = 0;
        const cJSON *e;
        cJSON_ArrayForEach(e, ptd_json_get(m->guests[g].doc.json, "kernel_log.events"))
        {
            const char *k = ptd_json_get_str(e, "kind");
            if (!k || strcmp(k, c->matrix->xid_event_kind) != 0)
                continue;
            int64_t code;
            if (ptd_json_get_int(e, "code", 0, 255, &code, NULL) == PTD_NUM_OK)
                counts[code]++;
            else
                other++;
        }
        for (int code = 0; code < 256; code++) {
            if (!counts[code])
                continue;
            fputs("ptdiag_guest_xid_events{vmid=", out);
            lv(out, guest_vmid(&m->guests[g], vb, sizeof vb));
            fprintf(out, ",code=\"%d\"} %ld\n", code, counts[code]);
        }
        if (other) {
            fputs("ptdiag_guest_xid_events{vmid=", out);
            lv(out, guest_vmid(&m->guests[g], vb, sizeof vb));
            fprintf(out, ",code=\"other\"} %ld\n", other);
        }
    }
    family(out, "ptdiag_guest_tdr_events", "gauge",
           "Windows display driver timeouts in the guest's event log window.");
    for (size_t g = 0; g < m->nguests; g++) {
        const cJSON *el = ptd_json_get(m->guests[g].doc.json, "event_log");
        if (!el)
            continue;
        static const char *const srcs[] = {"display_4101", "livekernel_141"};
        for (size_t s = 0; s < 2; s++) {
            char path[64];
            snprintf(path, sizeof path, "%s.count", srcs[s]);
            double n = ptd_json_get_num(el, path, -1);
            if (n < 0)
                continue;
            fputs("ptdiag_guest_tdr_events{vmid=", out);
            lv(out, guest_vmid(&m->guests[g], vb, sizeof vb));
            fprintf(out, ",source=\"%s\"} %.0f\n", srcs[s], n);
        }
    }
    family(out, "ptdiag_report_exit_status", "gauge",
           "ptdiag-report's exit status: 0 no error finding, 1 errors.");
    fprintf(out, "ptdiag_report_exit_status %d\n", rpt_result_exit_status(r));
    return ferror(out) ? -1 : 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * Prometheus text exposition (format 0.0.4) for node_exporter's textfile collector (issue 18;
 * the metric list is docs/metrics.md). Naming follows Prometheus's conventions: base units in
 * the name (_bytes, _seconds, _transfers_per_second), an _info metric for the version, and
 * only bounded labels: rule ids, severities, layers, VM ids, PCI addresses and ids, codes.
 * Free text (VM names, host names, a finding's subject line) never becomes a label value, so
 * a fleet's series stay bounded and a renamed VM keeps its series.
 *
 * The guest counts are gauges, not counters: they count the events still in the guest's
 * kernel log ring or event log window, which can shrink without a restart.
 *
 * Every metric family is written once, with HELP and TYPE, and its samples together.
 */
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"
#include "ptdiag/docnum.h"
#include "ptdiag/escape.h"
#include "report.h"

/* Label values escape backslash, double quote and newline, after the text escaping of
 * control characters and bytes that are not UTF-8 (the format requires UTF-8). NULL is the
 * empty value, which Prometheus treats as "label absent". */
static void lv(FILE *out, const char *s)
{
    fputc('"', out);
    ptd_esc_prom_label(out, s ? s : "");
    fputc('"', out);
}

static void family(FILE *out, const char *name, const char *type, const char *help)
{
    fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void vmid_label(FILE *out, long vmid)
{
    if (vmid < 0)
        fputs("vmid=\"\"", out);
    else
        fprintf(out, "vmid=\"%ld\"", vmid);
}

/* ---- findings ------------------------------------------------------------------------------ */

/* Two findings of one rule on one VM and device would be one series twice, which the
 * exposition format forbids: only the first is written. */
static bool same_series(const struct rpt_finding *a, const struct rpt_finding *b)
{
    return a->rule == b->rule && a->vmid == b->vmid &&
           strcmp(a->bdf ? a->bdf : "", b->bdf ? b->bdf : "") == 0;
}

static void findings(FILE *out, const struct rpt_result *r)
{
    family(out, "ptdiag_finding", "gauge",
           "A symptom-matrix rule that fired (1), by rule id, on a VM and/or PCI device.");
    for (size_t i = 0; i < r->nfindings; i++) {
        const struct rpt_finding *f = &r->findings[i];
        size_t j;
        for (j = 0; j < i && !same_series(&r->findings[j], f); j++)
            ;
        if (j < i)
            continue;
        fputs("ptdiag_finding{id=", out);
        lv(out, f->rule->id);
        fputs(",severity=", out);
        lv(out, rpt_severity_name(f->severity));
        fputs(",layer=", out);
        lv(out, f->rule->layer);
        fputc(',', out);
        vmid_label(out, f->vmid);
        fputs(",bdf=", out);
        lv(out, f->bdf);
        fputs("} 1\n", out);
    }
    family(out, "ptdiag_findings", "gauge", "Number of findings by severity.");
    for (int s = RPT_SEV_ERROR; s >= RPT_SEV_INFO; s--)
        fprintf(out, "ptdiag_findings{severity=\"%s\"} %zu\n", rpt_severity_name(s), r->counts[s]);
    family(out, "ptdiag_rules_not_checked", "gauge",
           "Rules that could not be decided from the documents given.");
    fprintf(out, "ptdiag_rules_not_checked %zu\n", r->nunchecked);
}

/* ---- host GPUs ----------------------------------------------------------------------------- */

static void host_gpu_labels(FILE *out, const char *name, const cJSON *d)
{
    fprintf(out, "%s{bdf=", name);
    lv(out, ptd_json_get_str(d, "bdf"));
}

/* Capabilities that decide whether a GPU passes through well: 1 has it, 0 lacks it; a
 * capability the document does not know is not written. */
static void host_gpu_capabilities(FILE *out, const cJSON *d)
{
    const cJSON *rebar = cJSON_GetObjectItemCaseSensitive(d, "rebar");
    const cJSON *resets = cJSON_GetObjectItemCaseSensitive(d, "reset_method");
    struct {
        const char *name;
        int has; /* 1, 0, or -1 unknown */
    } caps[] = {
        {"flr", ptd_json_get_tri(d, "flr")},
        {"reset", cJSON_IsArray(resets) ? cJSON_GetArraySize(resets) > 0 : -1},
        {"resizable_bar", cJSON_IsArray(rebar) ? cJSON_GetArraySize(rebar) > 0 : -1},
        {"rom", ptd_json_get_tri(d, "rom.present")},
    };
    for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
        if (caps[i].has < 0)
            continue;
        host_gpu_labels(out, "ptdiag_host_gpu_capability", d);
        fprintf(out, ",capability=\"%s\"} %d\n", caps[i].name, caps[i].has);
    }
}

typedef void (*host_gpu_fn)(FILE *out, const cJSON *dev, const cJSON *derived);

static void each_host_gpu(FILE *out, const struct rpt_model *m, host_gpu_fn fn)
{
    size_t i = 0;
    const cJSON *d;

    if (!m->host.json)
        return;
    cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(m->host.json, "devices"))
    {
        const cJSON *x = i < m->ndevs ? m->dev_derived[i] : NULL;
        i++;
        if (ptd_json_get_tri(d, "is_gpu") == 1)
            fn(out, d, x);
    }
}

static void gpu_info(FILE *out, const cJSON *d, const cJSON *x)
{
    (void)x;
    host_gpu_labels(out, "ptdiag_host_gpu_info", d);
    fputs(",vendor_id=", out);
    lv(out, ptd_json_get_str(d, "vendor_id"));
    fputs(",device_id=", out);
    lv(out, ptd_json_get_str(d, "device_id"));
    fputs(",driver=", out);
    lv(out, ptd_json_get_str(d, "driver"));
    fputs("} 1\n", out);
}

static void gpu_bar(FILE *out, const cJSON *d, const cJSON *x)
{
    if (!x || !cJSON_GetObjectItemCaseSensitive(x, "largest_bar_bytes"))
        return;
    host_gpu_labels(out, "ptdiag_host_gpu_bar_bytes", d);
    fprintf(out, "} %.0f\n", ptd_json_get_num(x, "largest_bar_bytes", 0));
}

static void gpu_caps(FILE *out, const cJSON *d, const cJSON *x)
{
    (void)x;
    host_gpu_capabilities(out, d);
}

static void gpu_link_speed(FILE *out, const cJSON *d, const cJSON *x)
{
    double gts = ptd_json_get_num(d, "link.current_speed_gts", -1);

    (void)x;
    /* GT/s in the base unit, transfers per second; past 1024 GT/s it is not a PCIe link. */
    if (gts > 0 && gts <= 1024) {
        host_gpu_labels(out, "ptdiag_host_gpu_link_transfers_per_second", d);
        fprintf(out, "} %.0f\n", gts * 1e9);
    }
}

static void gpu_link_width(FILE *out, const cJSON *d, const cJSON *x)
{
    int64_t width;

    (void)x;
    if (ptd_json_get_int(d, "link.current_width", 1, 64, &width, NULL) == PTD_NUM_OK) {
        host_gpu_labels(out, "ptdiag_host_gpu_link_width_lanes", d);
        fprintf(out, "} %lld\n", (long long)width);
    }
}

/* The host GPU families: each written once, its samples from one pass over the devices. */
static const struct {
    const char *name, *help;
    host_gpu_fn fn;
} host_gpu_families[] = {
    {"ptdiag_host_gpu_info",
     "Each host GPU function (1), with its PCI ids and the driver bound to it.", gpu_info},
    {"ptdiag_host_gpu_bar_bytes", "Largest memory BAR of each host GPU function.", gpu_bar},
    {"ptdiag_host_gpu_capability",
     "Passthrough capabilities of each host GPU function: 1 has it, 0 lacks it.", gpu_caps},
    {"ptdiag_host_gpu_link_transfers_per_second",
     "Current PCIe link speed of each host GPU function (16 GT/s = 16e9).", gpu_link_speed},
    {"ptdiag_host_gpu_link_width_lanes", "Current PCIe link width of each host GPU function.",
     gpu_link_width},
};

static void host_gpus(FILE *out, const struct rpt_model *m)
{
    for (size_t i = 0; i < sizeof(host_gpu_families) / sizeof(host_gpu_families[0]); i++) {
        family(out, host_gpu_families[i].name, "gauge", host_gpu_families[i].help);
        each_host_gpu(out, m, host_gpu_families[i].fn);
    }
}

/* ---- guests -------------------------------------------------------------------------------- */

static void guests_seen(FILE *out, const struct rpt_model *m)
{
    family(out, "ptdiag_guest_up", "gauge",
           "A guest document is part of this report (1): the guest answered.");
    for (size_t g = 0; g < m->nguests; g++) {
        fputs("ptdiag_guest_up{", out);
        vmid_label(out, m->guests[g].vmid);
        fputs("} 1\n", out);
    }
    family(out, "ptdiag_guest_gpus", "gauge", "GPUs the guest sees (0: it lost its GPU).");
    for (size_t g = 0; g < m->nguests; g++) {
        fputs("ptdiag_guest_gpus{", out);
        vmid_label(out, m->guests[g].vmid);
        fprintf(out, "} %zu\n", m->guests[g].ngpus);
    }
}

static void guest_vram(FILE *out, const struct rpt_model *m)
{
    family(out, "ptdiag_guest_gpu_vram_bytes", "gauge", "VRAM each guest GPU reports.");
    for (size_t g = 0; g < m->nguests; g++)
        for (size_t k = 0; k < m->guests[g].ngpus; k++) {
            const struct rpt_ggpu *gg = &m->guests[g].gpus[k];
            double v = gg->derived ? ptd_json_get_num(gg->derived, "vram_bytes", -1) : -1;
            if (v < 0)
                continue;
            fputs("ptdiag_guest_gpu_vram_bytes{", out);
            vmid_label(out, m->guests[g].vmid);
            fputs(",location=", out);
            lv(out, ptd_json_get_str(gg->gpu, "location"));
            fputs(",vendor_id=", out);
            lv(out, ptd_json_get_str(gg->gpu, "vendor_id"));
            fputs(",device_id=", out);
            lv(out, ptd_json_get_str(gg->gpu, "device_id"));
            fprintf(out, "} %.0f\n", v);
        }
}

/* xid_kind: the kernel-log event kind of an Xid, from the matrix ("prometheus" vocabulary). */
static void guest_xid(FILE *out, const struct rpt_guest *gu, const char *xid_kind)
{
    /* Count per code; Xid codes are small integers, anything else is "other". */
    long counts[256] = {0}, other = 0;
    const cJSON *e;

    cJSON_ArrayForEach(e, ptd_json_get(gu->doc.json, "kernel_log.events"))
    {
        const char *k = ptd_json_get_str(e, "kind");
        int64_t code;
        if (!k || strcmp(k, xid_kind) != 0)
            continue;
        if (ptd_json_get_int(e, "code", 0, 255, &code, NULL) == PTD_NUM_OK)
            counts[code]++;
        else
            other++;
    }
    for (int code = 0; code < 256; code++) {
        if (!counts[code])
            continue;
        fputs("ptdiag_guest_xid_events{", out);
        vmid_label(out, gu->vmid);
        fprintf(out, ",code=\"%d\"} %ld\n", code, counts[code]);
    }
    if (other) {
        fputs("ptdiag_guest_xid_events{", out);
        vmid_label(out, gu->vmid);
        fprintf(out, ",code=\"other\"} %ld\n", other);
    }
}

static void guest_tdr(FILE *out, const struct rpt_guest *gu)
{
    static const char *const srcs[] = {"display_4101", "livekernel_141"};
    const cJSON *el = ptd_json_get(gu->doc.json, "event_log");

    if (!el)
        return;
    for (size_t s = 0; s < sizeof(srcs) / sizeof(srcs[0]); s++) {
        char path[64];
        int64_t n;
        snprintf(path, sizeof path, "%s.count", srcs[s]);
        if (ptd_json_get_int(el, path, 0, INT32_MAX, &n, NULL) != PTD_NUM_OK)
            continue;
        fputs("ptdiag_guest_tdr_events{", out);
        vmid_label(out, gu->vmid);
        fprintf(out, ",source=\"%s\"} %lld\n", srcs[s], (long long)n);
    }
}

static void guest_events(FILE *out, const struct rpt_model *m, const char *xid_kind)
{
    family(out, "ptdiag_guest_xid_events", "gauge",
           "NVIDIA Xid events in the guest's kernel log, by code.");
    for (size_t g = 0; g < m->nguests; g++)
        guest_xid(out, &m->guests[g], xid_kind);
    family(out, "ptdiag_guest_tdr_events", "gauge",
           "Windows display driver timeouts in the guest's event log window, by source.");
    for (size_t g = 0; g < m->nguests; g++)
        guest_tdr(out, &m->guests[g]);
}

int rpt_render_prom(FILE *out, const struct rpt_render_ctx *c)
{
    family(out, "ptdiag_build_info", "gauge", "The ptdiag version that wrote these metrics (1).");
    fputs("ptdiag_build_info{version=", out);
    lv(out, ptd_version());
    fputs("} 1\n", out);
    findings(out, c->result);
    host_gpus(out, c->model);
    guests_seen(out, c->model);
    guest_vram(out, c->model);
    guest_events(out, c->model, c->matrix->xid_event_kind);
    family(out, "ptdiag_report_exit_status", "gauge",
           "ptdiag-report's exit status: 0 no error finding, 1 errors.");
    fprintf(out, "ptdiag_report_exit_status %d\n", rpt_result_exit_status(c->result));
    return ferror(out) ? -1 : 0;
}

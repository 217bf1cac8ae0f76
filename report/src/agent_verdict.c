/* SPDX-License-Identifier: MIT */
/*
 * The in-guest verdict: the report engine run over one guest document, printed for the person
 * who just installed a driver in the VM. Only the guest layer is shown: the host layers need
 * the host's facts, so the verdict says where to get them instead of listing host rules.
 */
#include <stdlib.h>
#include <string.h>

#include "agent_verdict.h"
#include "colour.h"
#include "ptdiag/doc.h"
#include "ptdiag/escape.h"
#include "report.h"
#include "run.h"

static void headline(FILE *out, const cJSON *doc, const struct rpt_agent_verdict_opts *o)
{
    const char *os = ptd_json_get_str(doc, "system.os.name");
    const char *ver = ptd_json_get_str(doc, "system.os.version");
    const char *build = ptd_json_get_str(doc, "system.os.build");
    const char *host = ptd_json_get_str(doc, "system.hostname");
    const char *at = ptd_json_get_str(doc, "collected_at");

    fprintf(out, "%s%s %s%s: this guest's GPUs and their verdict", o->colour ? C_BOLD : "",
            o->agent, ptd_version(), o->colour ? C_OFF : "");
    if (at) {
        fputs(", collected ", out);
        ptd_esc_text(out, at, 0);
    }
    fputs("\n  system: ", out);
    ptd_esc_text(out, os ? os : ptd_json_get_str(doc, "producer.os"), 0);
    if (ver) {
        fputc(' ', out);
        ptd_esc_text(out, ver, 0);
    }
    if (build) {
        fputs(" build ", out);
        ptd_esc_text(out, build, 0);
    }
    if (host) {
        fputs(", host name ", out);
        ptd_esc_text(out, host, 0);
    }
    fputc('\n', out);
}

static const char *status_word(const char *st, bool colour, const char **cc)
{
    if (strcmp(st, "fail") == 0)
        return *cc = colour ? C_RED : "", "FAIL";
    if (strcmp(st, "warn") == 0)
        return *cc = colour ? C_YEL : "", "WARN";
    if (strcmp(st, "partial") == 0)
        return *cc = colour ? C_BLU : "", "PART";
    return *cc = colour ? C_GRN : "", "PASS";
}

/* "L1-L4": the host's layers (those with a status line but the guest's), as the span of the
 * first and the last where no guest layer lies between them, else each id ("L1, L2, L4"). */
static void host_layer_span(const struct rpt_matrix *mx, char *buf, size_t size)
{
    size_t first = mx->nlayers, last = 0, used = 0;
    bool split = false;

    for (size_t i = 0; i < mx->nlayers; i++) {
        if (!mx->layers[i].status_line || mx->layers[i].guest)
            continue;
        first = first < mx->nlayers ? first : i;
        last = i;
    }
    for (size_t i = first; i < last; i++)
        split |= mx->layers[i].guest;
    buf[0] = '\0';
    if (first == mx->nlayers) {
        snprintf(buf, size, "none");
    } else if (!split && first != last) {
        snprintf(buf, size, "%s-%s", mx->layers[first].id, mx->layers[last].id);
    } else {
        for (size_t i = first; i <= last && used < size; i++)
            if (mx->layers[i].status_line && !mx->layers[i].guest)
                used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? ", " : "",
                                         mx->layers[i].id);
    }
}

/* The guest layer: its status line, its findings (errors first), and the rules of the layer
 * that could not be checked from the guest alone. */
static void guest_layer(FILE *out, const struct rpt_render_ctx *c)
{
    const struct rpt_result *r = c->result;
    const char *guest = rpt_guest_layer(c->matrix)->id; /* the loader checked there is one */
    struct rpt_result only = {0};
    const char *cc;
    const char *word = status_word(rpt_layer_status(r, guest), c->colour, &cc);
    size_t host_rules = 0;
    char span[64];

    fprintf(out, "\n%s%-4s%s %s\n", cc, word, c->colour ? C_OFF : "",
            rpt_layer_label(c->matrix, guest));
    for (int sev = RPT_SEV_ERROR; sev >= RPT_SEV_INFO; sev--)
        for (size_t i = 0; i < r->nfindings; i++)
            if (strcmp(r->findings[i].rule->layer, guest) == 0 &&
                (int)r->findings[i].severity == sev)
                rpt_text_finding(out, c, &r->findings[i]);
    if (r->nunchecked)
        only.unchecked = calloc(r->nunchecked, sizeof *only.unchecked);
    for (size_t i = 0; i < r->nunchecked; i++) {
        /* Rules of other layers, and guest rules that need the host's side (the device the VM
         * passes), are decided on the host: counted there, not listed one by one. */
        if (strcmp(r->unchecked[i].rule->layer, guest) != 0 ||
            strncmp(r->unchecked[i].reason, "no host document", 16) == 0)
            host_rules++;
        else if (only.unchecked)
            only.unchecked[only.nunchecked++] = r->unchecked[i];
    }
    rpt_text_unchecked(out, &only, c->verbose);
    free(only.unchecked);
    host_layer_span(c->matrix, span, sizeof span);
    fprintf(out,
            "\nOn the Proxmox host: %zu more rules (layers %s, and whether this guest sees the "
            "device its VM passes) need the host's facts; run `ptdiag-host --vm VMID "
            "--with-guest` there.\n",
            host_rules, ptd_esc_tmp(span, 0));
}

int rpt_agent_verdict(FILE *out, const cJSON *doc, const struct rpt_agent_verdict_opts *o)
{
    struct rpt_doc one = {.file = strdup("this guest"), .json = cJSON_Duplicate(doc, 1)};
    long vmid = -1;
    struct rpt_run run;
    int status = 2;

    if (!one.file || !one.json) {
        free(one.file);
        cJSON_Delete(one.json);
        fprintf(stderr, "%s: out of memory for the verdict\n", o->agent);
        return 2;
    }
    /* The engine takes one from here, whatever it returns. */
    if (rpt_run_evaluate(&(struct rpt_run_opts){.prog = o->agent,
                                                .context = "no verdict",
                                                .docs = &one,
                                                .vmids = &vmid,
                                                .ndocs = 1},
                         &run) < 0)
        goto out;
    const struct rpt_result *res = run.result;
    struct rpt_render_ctx c = {.matrix = run.matrix,
                               .model = run.model,
                               .result = res,
                               .colour = o->colour,
                               .verbose = o->verbose};
    headline(out, doc, o);
    rpt_agent_caps_text(out, doc);
    guest_layer(out, &c);
    fprintf(out, "\n%zu error%s, %zu warning%s, %zu note%s (`%s --json` writes the facts)\n",
            res->counts[RPT_SEV_ERROR], res->counts[RPT_SEV_ERROR] == 1 ? "" : "s",
            res->counts[RPT_SEV_WARNING], res->counts[RPT_SEV_WARNING] == 1 ? "" : "s",
            res->counts[RPT_SEV_INFO], res->counts[RPT_SEV_INFO] == 1 ? "" : "s", o->agent);
    status = fflush(out) == 0 && !ferror(out) ? rpt_result_exit_status(res) : 2;
out:
    rpt_run_fini(&run);
    return status;
}

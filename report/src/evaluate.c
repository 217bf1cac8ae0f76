/* SPDX-License-Identifier: MIT */
/*
 * Evaluates the matrix over the merged model. Conditions have three values: true, false and
 * unknown (a fact that is absent or null, or a document that was not given). A rule fires
 * only on true; a rule that stays unknown everywhere it applies is listed as "not checked"
 * with the first unknown fact, so a missing document never reads as "all good".
 *
 * Evidence is kept only for the facts that decided the result: the true branches of an
 * `any`, every leaf of a true `all`, the matching elements of a `some`.
 */
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"
#include "ptdiag/docnum.h"
#include "evaluate_internal.h"
#include "report.h"

/* ---- instances ------------------------------------------------------------------------------ */

static void bind_root(struct ctx *c, enum rpt_root r, const cJSON *node, const cJSON *derived,
                      const char *where, const char *source)
{
    c->root[r] = node;
    c->derived[r] = derived;
    snprintf(c->where[r], sizeof c->where[r], "%s", where);
    c->source[r] = source;
}

static void bind_host(struct ctx *c)
{
    const struct rpt_model *m = c->m;
    if (m->host.json)
        bind_root(c, RPT_ROOT_HOST, m->host.json, m->host_derived, "host", m->host.file);
    else
        c->absent[RPT_ROOT_HOST] = "no host document (ptdiag-host --json)";
}

static void bind_dev(struct ctx *c, int di)
{
    const struct rpt_model *m = c->m;
    char w[64];
    const cJSON *d =
        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(m->host.json, "devices"), di);
    snprintf(w, sizeof w, "host.devices[%d]", di);
    bind_root(c, RPT_ROOT_DEV, d, (size_t)di < m->ndevs ? m->dev_derived[di] : NULL, w,
              m->host.file);
}

static void bind_vm(struct ctx *c, const cJSON *vm, int vi, long vmid)
{
    char w[64];
    snprintf(w, sizeof w, "host.vms[%d]", vi);
    bind_root(c, RPT_ROOT_VM, vm, NULL, w, c->m->host.file);
    (void)vmid;
}

static void bind_guest(struct ctx *c, const struct rpt_guest *g)
{
    bind_root(c, RPT_ROOT_GUEST, g->doc.json, g->derived, "guest", g->doc.file);
}

static void bind_ggpu(struct ctx *c, const struct rpt_guest *g, const struct rpt_ggpu *gg)
{
    char w[64];
    snprintf(w, sizeof w, "guest.gpus[%d]", gg->index);
    bind_root(c, RPT_ROOT_GGPU, gg->gpu, gg->derived, w, g->doc.file);
}

static void bind_passed(struct ctx *c, const struct rpt_passed *p)
{
    char w[64];
    bind_vm(c, p->vm, p->vm_index, p->vmid);
    snprintf(w, sizeof w, "host.vms[%d].hostpci[%d]", p->vm_index, p->hp_index);
    bind_root(c, RPT_ROOT_HP, p->hp, p->derived, w, c->m->host.file);
    if (p->dev)
        bind_dev(c, p->dev_index);
    else
        c->absent[RPT_ROOT_DEV] = "the hostpci entry resolves to no device on this host";
}

static const struct rpt_guest *guest_for_vm(const struct rpt_model *m, long vmid)
{
    for (size_t i = 0; i < m->nguests; i++)
        if (m->guests[i].vmid >= 0 && m->guests[i].vmid == vmid)
            return &m->guests[i];
    return NULL;
}

struct instance {
    struct ctx c;
    char subject[256];
    long vmid;
    char bdf[64];
};

static void reset_ctx(struct instance *in, const struct rpt_model *m)
{
    memset(in, 0, sizeof *in);
    in->c.m = m;
    in->vmid = -1;
    for (int r = 0; r < RPT_ROOT_BOUND; r++)
        in->c.absent[r] = NULL;
}

static void absent_guest(struct ctx *c, long vmid)
{
    static char why[96];
    snprintf(why, sizeof why, "no guest document for VM %ld (ptdiag-agent --json)", vmid);
    c->absent[RPT_ROOT_GUEST] = why;
    c->absent[RPT_ROOT_GGPU] = why;
}

static const char *str_or(const cJSON *o, const char *path, const char *dflt)
{
    const char *s = o ? ptd_json_get_str(o, path) : NULL;
    return s ? s : dflt;
}

/* ---- driver ---------------------------------------------------------------------------------- */

struct acc {
    struct rpt_result *res;
    const struct rpt_rule *rule;
    long instances, unknown;
    char reason[600];
    bool fired;
    bool oom;
};

static void add_finding(struct acc *a, struct instance *in)
{
    struct rpt_result *res = a->res;
    const struct rpt_rule *rule = a->rule;
    for (size_t i = 0; i < res->nfindings; i++)
        if (res->findings[i].rule == rule && strcmp(res->findings[i].subject, in->subject) == 0)
            return;
    struct rpt_finding *nf = realloc(res->findings, (res->nfindings + 1) * sizeof *nf);
    if (!nf) {
        a->oom = true;
        return;
    }
    res->findings = nf;
    struct rpt_finding *f = &nf[res->nfindings];
    memset(f, 0, sizeof *f);
    f->rule = rule;
    f->severity = rule->severity;
    const char *rc = rule->root_cause, *fx = rule->fix;
    for (size_t i = 0; i < rule->ncases; i++) {
        in->c.unknown[0] = '\0';
        size_t mark = in->c.ev.n;
        if (eval(&in->c, rule->cases[i].when) == T) {
            if (rule->cases[i].root_cause)
                rc = rule->cases[i].root_cause;
            if (rule->cases[i].fix)
                fx = rule->cases[i].fix;
            if (rule->cases[i].severity >= 0)
                f->severity = (enum rpt_severity)rule->cases[i].severity;
            break;
        }
        ev_free_range(&in->c.ev, mark);
    }
    f->subject = strdup(in->subject);
    f->vmid = in->vmid;
    f->bdf = in->bdf[0] ? strdup(in->bdf) : NULL;
    f->root_cause = fill(&in->c, rc);
    f->fix = fill(&in->c, fx);
    ev_dedupe(&in->c.ev);
    f->evidence = in->c.ev.v;
    f->nevidence = in->c.ev.n;
    in->c.ev.v = NULL;
    in->c.ev.n = in->c.ev.cap = 0;
    if (!f->subject || !f->root_cause || !f->fix)
        a->oom = true;
    res->nfindings++;
    res->counts[f->severity]++;
    a->fired = true;
}

static void run_instance(struct acc *a, struct instance *in)
{
    const struct rpt_rule *rule = a->rule;
    if (rule->applies) {
        in->c.quiet = true;
        enum tri ap = eval(&in->c, rule->applies);
        in->c.quiet = false;
        ev_free_range(&in->c.ev, 0);
        if (ap != T)
            goto out;
    }
    a->instances++;
    in->c.unknown[0] = '\0';
    in->c.quiet = true;
    enum tri r = eval(&in->c, rule->when);
    in->c.quiet = false;
    if (r == T) {
        /* Again, recording the evidence this time. */
        (void)eval(&in->c, rule->when);
        add_finding(a, in);
    } else if (r == U) {
        a->unknown++;
        if (!a->reason[0])
            snprintf(a->reason, sizeof a->reason, "%s%s%s", in->c.unknown,
                     in->subject[0] ? " for " : "", in->subject);
    }
out:
    ev_free_range(&in->c.ev, 0);
    free(in->c.ev.v);
    in->c.ev.v = NULL;
    in->c.ev.cap = 0;
}

static bool need_host(struct acc *a, const struct rpt_model *m)
{
    if (m->host.json)
        return true;
    snprintf(a->reason, sizeof a->reason, "no host document (ptdiag-host --json)");
    return false;
}

static void eval_host(struct acc *a, const struct rpt_model *m)
{
    struct instance in;

    reset_ctx(&in, m);
    bind_host(&in.c);
    snprintf(in.subject, sizeof in.subject, "host %s",
             str_or(m->host.json, "system.hostname", "host"));
    run_instance(a, &in);
}

static void eval_host_devices(struct acc *a, const struct rpt_model *m)
{
    struct instance in;

    for (size_t i = 0; i < m->ndevs; i++) {
        reset_ctx(&in, m);
        bind_host(&in.c);
        bind_dev(&in.c, (int)i);
        const cJSON *d = in.c.root[RPT_ROOT_DEV];
        snprintf(in.bdf, sizeof in.bdf, "%s", str_or(d, "bdf", "?"));
        snprintf(in.subject, sizeof in.subject, "%s %s", in.bdf,
                 str_or(d, "device_name", str_or(d, "device_id", "")));
        run_instance(a, &in);
    }
}

static void eval_vms(struct acc *a, const struct rpt_model *m)
{
    struct instance in;
    int vi = 0;
    const cJSON *vm;

    cJSON_ArrayForEach(vm, cJSON_GetObjectItemCaseSensitive(m->host.json, "vms"))
    {
        reset_ctx(&in, m);
        bind_host(&in.c);
        long vmid = rpt_vm_id(vm, NULL);
        bind_vm(&in.c, vm, vi++, vmid);
        const struct rpt_guest *g = guest_for_vm(m, vmid);
        if (g)
            bind_guest(&in.c, g);
        else
            absent_guest(&in.c, vmid);
        in.vmid = vmid;
        snprintf(in.subject, sizeof in.subject, "VM %ld (%s)", vmid, str_or(vm, "name", "?"));
        run_instance(a, &in);
    }
}

static void eval_vm_hostpci(struct acc *a, const struct rpt_model *m)
{
    struct instance in;

    for (size_t i = 0; i < m->npassed; i++) {
        const struct rpt_passed *p = &m->passed[i];
        reset_ctx(&in, m);
        bind_host(&in.c);
        bind_passed(&in.c, p);
        if (p->guest)
            bind_guest(&in.c, p->guest);
        else
            absent_guest(&in.c, p->vmid);
        if (p->ggpu)
            bind_ggpu(&in.c, p->guest, p->ggpu);
        else if (p->guest)
            in.c.absent[RPT_ROOT_GGPU] = "the guest shows no GPU with the passed device's ids";
        in.vmid = p->vmid;
        int idx = (int)ptd_json_int_or(p->hp, "index", 0, PTD_HOSTPCI_MAX, p->hp_index);
        snprintf(in.bdf, sizeof in.bdf, "%s",
                 p->dev ? str_or(p->dev, "bdf", "?")
                        : str_or(p->hp, "host", str_or(p->hp, "mapping", "?")));
        snprintf(in.subject, sizeof in.subject, "VM %ld hostpci%d (%s)", p->vmid, idx, in.bdf);
        run_instance(a, &in);
    }
}

/* Binds the host VM the guest document belongs to, or says why there is none. */
static void bind_guest_vm(struct instance *in, const struct rpt_model *m, const struct rpt_guest *g)
{
    int vi = 0;
    const cJSON *vm;

    if (!g->vm) {
        in->c.absent[RPT_ROOT_VM] = "the guest is not tied to a VM of the host document";
        return;
    }
    cJSON_ArrayForEach(vm, cJSON_GetObjectItemCaseSensitive(m->host.json, "vms"))
    {
        if (vm == g->vm)
            bind_vm(&in->c, vm, vi, g->vmid);
        vi++;
    }
}

/* Binds one guest GPU and the passed host device it matches; names it in the subject. */
static void bind_guest_gpu(struct instance *in, const struct rpt_guest *g,
                           const struct rpt_ggpu *gg, const char *gname)
{
    bind_ggpu(&in->c, g, gg);
    if (gg->match) {
        in->c.root[RPT_ROOT_HP] = NULL;
        bind_passed(&in->c, gg->match);
    } else {
        in->c.absent[RPT_ROOT_HP] = in->c.absent[RPT_ROOT_DEV] =
            "the guest GPU is not matched to a passed host device";
    }
    snprintf(in->bdf, sizeof in->bdf, "%s", str_or(gg->gpu, "location", "?"));
    snprintf(in->subject, sizeof in->subject, "%s GPU %s:%s at %s", gname,
             str_or(gg->gpu, "vendor_id", "?"), str_or(gg->gpu, "device_id", "?"), in->bdf);
}

/* One instance per guest (scope guest) or per guest GPU (scope guest-gpu). */
static void eval_guests(struct acc *a, const struct rpt_model *m)
{
    bool per_gpu = a->rule->scope == RPT_SCOPE_GUEST_GPU;
    struct instance in;
    char gname[128];

    for (size_t gi = 0; gi < m->nguests; gi++) {
        const struct rpt_guest *g = &m->guests[gi];
        size_t n = per_gpu ? g->ngpus : 1;
        for (size_t k = 0; k < n; k++) {
            reset_ctx(&in, m);
            bind_host(&in.c);
            bind_guest(&in.c, g);
            in.vmid = g->vmid;
            bind_guest_vm(&in, m, g);
            if (g->vmid >= 0)
                snprintf(gname, sizeof gname, "guest %s (VM %ld)",
                         str_or(g->doc.json, "system.hostname", "?"), g->vmid);
            else
                snprintf(gname, sizeof gname, "guest %s",
                         str_or(g->doc.json, "system.hostname", g->doc.file));
            if (per_gpu)
                bind_guest_gpu(&in, g, &g->gpus[k], gname);
            else
                snprintf(in.subject, sizeof in.subject, "%s", gname);
            run_instance(a, &in);
        }
    }
}

/* Runs the rule once per instance of its scope. */
static void eval_rule(struct acc *a, const struct rpt_model *m)
{
    /* the scopes whose instances come from the host document */
    static void (*const from_host[RPT_SCOPE_COUNT])(struct acc *, const struct rpt_model *) = {
        [RPT_SCOPE_HOST] = eval_host,
        [RPT_SCOPE_HOST_DEVICE] = eval_host_devices,
        [RPT_SCOPE_VM] = eval_vms,
        [RPT_SCOPE_VM_HOSTPCI] = eval_vm_hostpci,
    };
    enum rpt_scope scope = a->rule->scope;

    if ((unsigned)scope < RPT_SCOPE_COUNT && from_host[scope]) {
        if (need_host(a, m))
            from_host[scope](a, m);
    } else if (scope == RPT_SCOPE_GUEST || scope == RPT_SCOPE_GUEST_GPU) {
        if (m->nguests == 0)
            snprintf(a->reason, sizeof a->reason, "no guest document (ptdiag-agent --json)");
        else
            eval_guests(a, m);
    } else if (scope == RPT_SCOPE_SOAK) {
        snprintf(a->reason, sizeof a->reason, "decided from a soak log: ptdiag-report soak FILE");
    }
}

int rpt_evaluate(const struct rpt_matrix *mx, const struct rpt_model *m, struct rpt_result **out,
                 struct ptd_error *err)
{
    struct rpt_result *res = calloc(1, sizeof *res);
    *out = NULL;
    if (!res)
        return ptd_error_set(err, "out of memory");
    res->unchecked = calloc(mx->nrules, sizeof *res->unchecked);
    if (!res->unchecked) {
        free(res);
        return ptd_error_set(err, "out of memory");
    }
    rpt_derive_boot_fragments(mx, m);
    for (size_t i = 0; i < mx->nrules; i++) {
        struct acc a = {.res = res, .rule = &mx->rules[i]};
        eval_rule(&a, m);
        if (a.oom) {
            rpt_result_free(res);
            return ptd_error_set(err, "out of memory");
        }
        if (!a.fired && (a.unknown > 0 || (a.instances == 0 && a.reason[0]))) {
            struct rpt_unchecked *u = &res->unchecked[res->nunchecked++];
            u->rule = a.rule;
            u->reason = strdup(a.reason[0] ? a.reason : "facts unknown");
        }
    }
    *out = res;
    return 0;
}

void rpt_result_free(struct rpt_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nfindings; i++) {
        struct rpt_finding *f = &r->findings[i];
        struct ev_list l = {.v = f->evidence, .n = f->nevidence};
        ev_free_range(&l, 0);
        free(f->evidence);
        free(f->subject);
        free(f->bdf);
        free(f->root_cause);
        free(f->fix);
    }
    free(r->findings);
    for (size_t i = 0; i < r->nunchecked; i++)
        free(r->unchecked[i].reason);
    free(r->unchecked);
    free(r);
}

const char *rpt_layer_status(const struct rpt_result *r, const char *layer)
{
    int worst = -1;
    for (size_t i = 0; i < r->nfindings; i++)
        if (strcmp(r->findings[i].rule->layer, layer) == 0 && (int)r->findings[i].severity > worst)
            worst = (int)r->findings[i].severity;
    if (worst == RPT_SEV_ERROR)
        return "fail";
    if (worst == RPT_SEV_WARNING)
        return "warn";
    for (size_t i = 0; i < r->nunchecked; i++)
        if (strcmp(r->unchecked[i].rule->layer, layer) == 0)
            return "partial";
    return "pass";
}

int rpt_result_exit_status(const struct rpt_result *r)
{
    return r->counts[RPT_SEV_ERROR] > 0 ? 1 : 0;
}

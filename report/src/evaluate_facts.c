/* SPDX-License-Identifier: MIT */
/*
 * Evidence and fact lookup for the report evaluator (split out of evaluate.c): the evidence
 * list a condition fills while it decides (push, keep or drop a branch's entries, dedupe per
 * finding), and the resolution of a fact path ("root.a.b.0.c" or a quantifier's bound name)
 * to a JSON node plus the concrete place and source it came from, noting the first unknown
 * fact for "not checked".
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"
#include "ptdiag/docnum.h"
#include "ptdiag/escape.h"
#include "evaluate_internal.h"
#include "report.h"

void ev_free_range(struct ev_list *l, size_t from)
{
    for (size_t i = from; i < l->n; i++) {
        free(l->v[i].fact);
        free(l->v[i].where);
        free(l->v[i].source);
        cJSON_Delete(l->v[i].value);
    }
    if (from < l->n)
        l->n = from;
}

void ev_push(struct ev_list *l, const char *fact, const char *where, const char *source,
             const cJSON *value)
{
    if (!l || l->n >= EV_CAP)
        return;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        struct rpt_evidence *v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return;
        l->v = v;
        l->cap = cap;
    }
    struct rpt_evidence *e = &l->v[l->n];
    /* Large arrays and objects would drown the report: keep their size instead. */
    char label[300];
    if (value && (cJSON_IsArray(value) || cJSON_IsObject(value))) {
        char *txt = cJSON_PrintUnformatted(value);
        size_t len = txt ? strlen(txt) : 0;
        cJSON_free(txt);
        if (len > 160) {
            snprintf(label, sizeof label, "count(%s)", fact);
            e->fact = strdup(label);
            e->where = strdup(where);
            e->source = strdup(source ? source : "?");
            e->value = cJSON_CreateNumber((double)cJSON_GetArraySize(value));
            if (e->fact && e->where && e->source) {
                l->n++;
                return;
            }
            free(e->fact);
            free(e->where);
            free(e->source);
            cJSON_Delete(e->value);
            return;
        }
    }
    e->fact = strdup(fact);
    e->where = strdup(where);
    e->source = strdup(source ? source : "?");
    e->value = value && !cJSON_IsNull(value) ? cJSON_Duplicate(value, true) : NULL;
    if (!e->fact || !e->where || !e->source) {
        free(e->fact);
        free(e->where);
        free(e->source);
        cJSON_Delete(e->value);
        return;
    }
    l->n++;
}

/* Drops repeated facts (the same place named by two branches of a condition), keeping the
 * first; done once per finding, after evaluation, so no branch's bookkeeping is disturbed. */
void ev_dedupe(struct ev_list *l)
{
    size_t i, j, n = 0;

    for (i = 0; i < l->n; i++) {
        bool dup = false;

        for (j = 0; j < n && !dup; j++)
            dup = strcmp(l->v[j].where, l->v[i].where) == 0 &&
                  strcmp(l->v[j].fact, l->v[i].fact) == 0;
        if (dup) {
            free(l->v[i].fact);
            free(l->v[i].where);
            free(l->v[i].source);
            cJSON_Delete(l->v[i].value);
            continue;
        }
        l->v[n++] = l->v[i];
    }
    l->n = n;
}

/* Keeps evidence [from, n) only when keep is true. */
void ev_keep(struct ev_list *l, size_t from, bool keep)
{
    if (!keep)
        ev_free_range(l, from);
}

/* Walks "a.b.0.c" below node. */
static const cJSON *walk(const cJSON *node, const char *rest)
{
    char seg[96];
    const char *p = rest;
    while (node && p && *p) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        if (n >= sizeof seg)
            return NULL;
        memcpy(seg, p, n);
        seg[n] = '\0';
        if (cJSON_IsArray(node)) {
            char *e;
            long i = strtol(seg, &e, 10);
            node = *e == '\0' && i >= 0 ? cJSON_GetArrayItem(node, (int)i) : NULL;
        } else if (cJSON_IsObject(node)) {
            node = cJSON_GetObjectItemCaseSensitive(node, seg);
        } else {
            return NULL;
        }
        p = dot ? dot + 1 : NULL;
    }
    return node;
}

/* Resolves a path. Returns false when its root is not bound (document absent). *val is
 * NULL for an absent fact. where/source describe the concrete place. */
bool resolve(struct ctx *c, const struct rpt_path *p, const cJSON **val, char *where, size_t wl,
             const char **source)
{
    const cJSON *base = NULL;
    const char *bw = "";
    *val = NULL;
    *source = "?";
    if (p->root == RPT_ROOT_BOUND) {
        for (size_t i = c->nbound; i-- > 0;) {
            if (strcmp(c->bound[i].name, p->bound_name) == 0) {
                base = c->bound[i].node;
                bw = c->bound[i].where;
                *source = c->bound[i].source;
                break;
            }
        }
        if (!base)
            return false;
    } else if (p->derived) {
        if (!c->root[p->root])
            return false;
        base = c->derived[p->root];
        *source = "derived";
        if (!c->quiet)
            snprintf(where, wl, "%s.x.%s", c->where[p->root], p->rest);
        *val = base ? walk(base, p->rest) : NULL;
        return true;
    } else {
        base = c->root[p->root];
        if (!base)
            return false;
        bw = c->where[p->root];
        *source = c->source[p->root];
    }
    if (c->quiet)
        where[0] = '\0';
    else if (p->rest && *p->rest)
        snprintf(where, wl, "%s.%s", bw, p->rest);
    else
        snprintf(where, wl, "%s", bw);
    *val = walk(base, p->rest);
    return true;
}

void set_unknown(struct ctx *c, const struct rpt_path *p, bool root_absent)
{
    if (c->unknown[0])
        return;
    if (root_absent && p->root != RPT_ROOT_BOUND && c->absent[p->root])
        snprintf(c->unknown, sizeof c->unknown, "%s", c->absent[p->root]);
    else
        snprintf(c->unknown, sizeof c->unknown, "%s is unknown", p->text);
}

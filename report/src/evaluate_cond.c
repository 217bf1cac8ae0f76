/* SPDX-License-Identifier: MIT */
/*
 * Condition evaluation for the report evaluator (split out of evaluate.c): evaluates leaves
 * with the matrix's operators (evaluate_ops.c), quantifiers (`some`, `none`, `count`) and the
 * `all`/`any`/`not` combinators in three values (true, false, unknown), recording evidence
 * only for the facts that decided the result.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"
#include "ptdiag/docnum.h"
#include "ptdiag/escape.h"
#include "evaluate_internal.h"
#include "report.h"

bool is_null(const cJSON *v)
{
    return !v || cJSON_IsNull(v);
}

static enum tri eval_leaf(struct ctx *c, const struct rpt_cond *k)
{
    const cJSON *fv;
    const char *src;
    char where[256];
    if (!resolve(c, &k->fact, &fv, where, sizeof where, &src)) {
        set_unknown(c, &k->fact, true);
        return U;
    }
    enum tri r = U;
    if (k->op == RPT_OP_EXISTS || k->op == RPT_OP_MISSING) {
        r = rpt_ops[k->op].evaluate(fv, NULL);
        ev_push(EV(c), k->fact.text, where, src, fv);
        return r;
    }
    if (is_null(fv)) {
        set_unknown(c, &k->fact, false);
        return U;
    }
    cJSON *scaled = NULL;
    const cJSON *vv = k->value;
    if (k->has_value_fact) {
        const char *vsrc;
        char vwhere[256];
        if (!resolve(c, &k->value_fact, &vv, vwhere, sizeof vwhere, &vsrc)) {
            set_unknown(c, &k->value_fact, true);
            return U;
        }
        if (is_null(vv)) {
            set_unknown(c, &k->value_fact, false);
            return U;
        }
        if (k->scale != 1.0 && cJSON_IsNumber(vv)) {
            scaled = cJSON_CreateNumber(vv->valuedouble * k->scale);
            if (!scaled)
                return U;
            vv = scaled;
        }
        ev_push(EV(c), k->value_fact.text, vwhere, vsrc, vv);
    }
    r = rpt_ops[k->op].evaluate(fv, vv);
    if (r == U)
        set_unknown(c, &k->fact, false);
    ev_push(EV(c), k->fact.text, where, src, fv);
    cJSON_Delete(scaled);
    return r;
}

static enum tri eval_quant(struct ctx *c, const struct rpt_cond *k)
{
    const cJSON *arr;
    const char *src;
    char where[256];
    if (!resolve(c, &k->fact, &arr, where, sizeof where, &src)) {
        set_unknown(c, &k->fact, true);
        return U;
    }
    if (is_null(arr) || !cJSON_IsArray(arr)) {
        set_unknown(c, &k->fact, false);
        return U;
    }
    if (c->nbound >= sizeof c->bound / sizeof c->bound[0])
        return U;
    size_t start = c->ev.n;
    long trues = 0, unknowns = 0;
    int i = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, arr)
    {
        struct binding *b = &c->bound[c->nbound++];
        b->name = k->as;
        b->node = e;
        b->source = src;
        if (c->quiet)
            b->where[0] = '\0';
        else
            snprintf(b->where, sizeof b->where, "%s[%d]", where, i);
        i++;
        size_t mark = c->ev.n;
        /* Elements are tried quietly; only a matching one is evaluated again for evidence. */
        bool was_quiet = c->quiet;
        c->quiet = true;
        enum tri r = k->nkids ? eval(c, k->kids[0]) : T;
        c->quiet = was_quiet;
        if (r == T && !was_quiet && k->nkids)
            r = eval(c, k->kids[0]);
        c->nbound--;
        /* Keep the evidence of matching elements only (without a where, the count is it). */
        ev_keep(&c->ev, mark, r == T && k->nkids);
        if (r == T)
            trues++;
        else if (r == U)
            unknowns++;
        if (r == T && c->quiet && k->kind != RPT_C_COUNT)
            break; /* some/none are decided by the first match */
    }
    enum tri r;
    if (k->kind == RPT_C_COUNT) {
        if (unknowns) {
            r = U;
        } else {
            cJSON *n = cJSON_CreateNumber((double)trues);
            r = n ? rpt_ops[k->op].evaluate(n, k->value) : U;
            char label[300];
            snprintf(label, sizeof label, "count(%s)", k->fact.text);
            ev_push(EV(c), label, where, src, n);
            cJSON_Delete(n);
        }
    } else {
        r = trues ? T : (unknowns ? U : F);
        if (r == F) {
            /* Nothing matched: the evidence is the array's size, not each element. */
            ev_free_range(&c->ev, start);
            cJSON *n = cJSON_CreateNumber((double)cJSON_GetArraySize(arr));
            char label[300];
            snprintf(label, sizeof label, "count(%s) with none matching", k->fact.text);
            ev_push(EV(c), label, where, src, n);
            cJSON_Delete(n);
        }
        if (k->kind == RPT_C_NONE)
            r = r == U ? U : (r == T ? F : T);
    }
    if (r == U)
        set_unknown(c, &k->fact, false);
    return r;
}

enum tri eval(struct ctx *c, const struct rpt_cond *k)
{
    switch (k->kind) {
    case RPT_C_LEAF:
        return eval_leaf(c, k);
    case RPT_C_SOME:
    case RPT_C_NONE:
    case RPT_C_COUNT:
        return eval_quant(c, k);
    case RPT_C_NOT: {
        enum tri r = eval(c, k->kids[0]);
        return r == U ? U : (r == T ? F : T);
    }
    case RPT_C_ALL:
    case RPT_C_ANY: {
        bool all = k->kind == RPT_C_ALL;
        /* all: false wins; any: true wins. Evidence of the deciding kids only. */
        enum tri decisive = all ? F : T;
        size_t marks[64];
        enum tri res[64];
        size_t n = k->nkids < 64 ? k->nkids : 64;
        bool seen_dec = false, seen_u = false;
        for (size_t i = 0; i < n; i++) {
            marks[i] = c->ev.n;
            res[i] = eval(c, k->kids[i]);
            seen_dec |= res[i] == decisive;
            seen_u |= res[i] == U;
            if (seen_dec && c->quiet) {
                n = i + 1; /* no evidence wanted: the rest cannot change the result */
                break;
            }
        }
        enum tri r = seen_dec ? decisive : (seen_u ? U : (all ? T : F));
        if (seen_dec) {
            /* Drop the evidence of kids that did not decide. Walk backwards so marks stay
             * valid. */
            for (size_t i = n; i-- > 0;) {
                if (res[i] == decisive)
                    continue;
                size_t end = i + 1 < n ? marks[i + 1] : c->ev.n;
                size_t from = marks[i];
                if (end > c->ev.n)
                    end = c->ev.n;
                if (from >= end)
                    continue;
                for (size_t e = from; e < end; e++) {
                    free(c->ev.v[e].fact);
                    free(c->ev.v[e].where);
                    free(c->ev.v[e].source);
                    cJSON_Delete(c->ev.v[e].value);
                }
                memmove(&c->ev.v[from], &c->ev.v[end], (c->ev.n - end) * sizeof *c->ev.v);
                size_t removed = end - from;
                c->ev.n -= removed;
                for (size_t j = i + 1; j < n; j++)
                    marks[j] -= removed;
            }
        }
        return r;
    }
    }
    return U;
}

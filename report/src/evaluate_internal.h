/* SPDX-License-Identifier: MIT */
/*
 * Internal to the report evaluator; owned by evaluate.c, evaluate_facts.c and evaluate_cond.c and
 * included by nothing else. Holds the three-valued result type, the evaluation context (bound
 * roots, quantifier bindings, collected evidence, first unknown fact) and the functions the
 * three files share: evidence bookkeeping and path resolution (evaluate_facts.c) and condition
 * evaluation (evaluate_cond.c).
 */
#ifndef PTDIAG_REPORT_EVALUATE_INTERNAL_H
#define PTDIAG_REPORT_EVALUATE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "report.h"

enum tri { F = 0, T = 1, U = 2 };

struct binding {
    const char *name;
    const cJSON *node;
    char where[300];
    const char *source;
};

struct ev_list {
    struct rpt_evidence *v;
    size_t n, cap;
};

struct ctx {
    const struct rpt_model *m;
    const cJSON *root[RPT_ROOT_BOUND];
    const cJSON *derived[RPT_ROOT_BOUND];
    char where[RPT_ROOT_BOUND][96];
    const char *source[RPT_ROOT_BOUND];
    const char *absent[RPT_ROOT_BOUND]; /* why a root is unbound */
    struct binding bound[8];
    size_t nbound;
    struct ev_list ev;
    bool quiet;        /* evaluate without recording evidence (the common, silent path) */
    char unknown[256]; /* first unknown fact, for "not checked" */
};

#define EV_CAP 24
#define EV(c)  ((c)->quiet ? NULL : &(c)->ev)

/* evaluate_facts.c: evidence list and fact paths. */
void ev_free_range(struct ev_list *l, size_t from);
void ev_push(struct ev_list *l, const char *fact, const char *where, const char *source,
             const cJSON *value);
void ev_dedupe(struct ev_list *l);
void ev_keep(struct ev_list *l, size_t from, bool keep);
bool resolve(struct ctx *c, const struct rpt_path *p, const cJSON **val, char *where, size_t wl,
             const char **source);
void set_unknown(struct ctx *c, const struct rpt_path *p, bool root_absent);

/* evaluate_cond.c: three-valued condition evaluation. */
bool is_null(const cJSON *v);

/* evaluate_ops.c: the operator table, one entry per enum rpt_op (a static assertion holds it
 * to the enum). evaluate(fact, value) compares a fact with a rule's value. */
struct rpt_op_def {
    const char *name;
    enum tri (*evaluate)(const cJSON *fact, const cJSON *value);
};
extern const struct rpt_op_def rpt_ops[];
enum tri eval(struct ctx *c, const struct rpt_cond *k);

/* evaluate_template.c: {root.path} in t replaced by the fact's value (<root.path> when
 * unknown). Returns a malloc'd string the caller frees, or NULL when out of memory. */
char *fill(struct ctx *c, const char *t);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * Internal to the matrix loader; owned by matrix_load.c, matrix_load_cond.c and
 * matrix_load_rule.c and included by nothing else. Holds the loader state, the name tables
 * and the helpers the three files share: messages and key checks (matrix_load.c), fact paths
 * and conditions (matrix_load_cond.c), rules and their templates (matrix_load_rule.c).
 */
#ifndef PTDIAG_REPORT_MATRIX_LOAD_INTERNAL_H
#define PTDIAG_REPORT_MATRIX_LOAD_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "report.h"

struct loader {
    const struct rpt_matrix *matrix; /* its vocabulary is loaded before the rules */
    const char *file;
    const char *rule_id; /* for messages */
    enum rpt_scope scope;
    const char *bound[8]; /* quantifier names in force */
    size_t nbound;
    struct ptd_error *err;
};

/* matrix_load.c: the vocabulary, one index per enum value. */
extern const char *const severity_names[3];
extern const char *const scope_names[RPT_SCOPE_COUNT];
extern const char *const root_names[RPT_ROOT_BOUND];
/* Which roots each scope binds (bit per enum rpt_root). */
extern const unsigned scope_roots[RPT_SCOPE_COUNT];

/* matrix_load.c: messages (always -1) and plain checks. */
int fail(struct loader *l, const char *what, const char *detail);
int lookup_name(const char *const *names, size_t n, const char *s);
bool only_keys(const cJSON *obj, const char *const *allowed, const char **bad);
bool valid_name(const char *s);

/* matrix_load_cond.c: fact paths and conditions; *out is owned by the caller (cond_free). */
int parse_path(struct loader *l, const char *text, struct rpt_path *p);
void cond_free(struct rpt_cond *c);
int parse_cond(struct loader *l, const cJSON *j, struct rpt_cond **out);

/* matrix_load_rule.c: one rule; its conditions and cases are freed by rpt_matrix_free. */
int parse_rule(struct loader *l, const cJSON *j, struct rpt_rule *r);

#endif

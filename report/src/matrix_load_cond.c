/* SPDX-License-Identifier: MIT */
/*
 * Matrix loader, conditions: fact paths checked against the rule's scope and the names
 * its quantifiers bind, leaves with their operator and value, all/any/not and the quantifiers.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "matrix_load_internal.h"

/* Splits and checks a fact path against the roots of the rule's scope and bound names. */
int parse_path(struct loader *l, const char *text, struct rpt_path *p)
{
    char root[32];
    const char *dot = strchr(text, '.');
    size_t rl = dot ? (size_t)(dot - text) : strlen(text);
    if (rl == 0 || rl >= sizeof root)
        return fail(l, "bad fact path", text);
    memcpy(root, text, rl);
    root[rl] = '\0';
    memset(p, 0, sizeof *p);
    p->text = text;
    p->rest = dot ? dot + 1 : "";
    for (size_t i = l->nbound; i-- > 0;) {
        if (strcmp(l->bound[i], root) == 0) {
            p->root = RPT_ROOT_BOUND;
            p->bound_name = l->bound[i];
            return 0;
        }
    }
    int r = lookup_name(root_names, RPT_ROOT_BOUND, root);
    if (r < 0)
        return fail(l, "unknown fact root (host, dev, vm, hp, guest, ggpu or a bound name)", text);
    if (!(scope_roots[l->scope] & (1u << r))) {
        char msg[160];
        snprintf(msg, sizeof msg, "root '%s' is not available in scope '%s'", root,
                 scope_names[l->scope]);
        return fail(l, msg, text);
    }
    p->root = (enum rpt_root)r;
    if (strncmp(p->rest, "x.", 2) == 0) {
        p->derived = true;
        p->rest += 2;
        if (!*p->rest)
            return fail(l, "empty derived fact name", text);
    }
    for (const char *s = p->rest; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_' || *s == '.'))
            return fail(l, "bad character in fact path", text);
    return 0;
}

void cond_free(struct rpt_cond *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nkids; i++)
        cond_free(c->kids[i]);
    free(c->kids);
    free(c);
}

static int parse_kids(struct loader *l, const cJSON *arr, struct rpt_cond *c)
{
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) == 0)
        return fail(l, "all/any needs a non-empty array", NULL);
    size_t n = (size_t)cJSON_GetArraySize(arr);
    c->kids = calloc(n, sizeof *c->kids);
    if (!c->kids)
        return fail(l, "out of memory", NULL);
    const cJSON *k;
    cJSON_ArrayForEach(k, arr)
    {
        /* Count the kid before parsing it: a half-built one is freed with its parent. */
        if (parse_cond(l, k, &c->kids[c->nkids++]) < 0)
            return -1;
    }
    return 0;
}

static bool op_needs_value(enum rpt_op op)
{
    return !(op == RPT_OP_EXISTS || op == RPT_OP_MISSING || op == RPT_OP_EMPTY ||
             op == RPT_OP_NONEMPTY);
}

static int parse_op_value(struct loader *l, const cJSON *j, struct rpt_cond *c)
{
    const cJSON *op = cJSON_GetObjectItemCaseSensitive(j, "op");
    if (!cJSON_IsString(op))
        return fail(l, "a leaf needs \"op\" (a string)", NULL);
    int o = rpt_op_lookup(op->valuestring);
    if (o < 0)
        return fail(l, "unknown operator", op->valuestring);
    c->op = (enum rpt_op)o;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "value");
    const cJSON *vf = cJSON_GetObjectItemCaseSensitive(j, "value_fact");
    const cJSON *sc = cJSON_GetObjectItemCaseSensitive(j, "scale");
    c->scale = 1.0;
    if (!op_needs_value(c->op)) {
        if (v || vf || sc)
            return fail(l, "this operator takes no value", op->valuestring);
        return 0;
    }
    if (v && vf)
        return fail(l, "give \"value\" or \"value_fact\", not both", op->valuestring);
    if (!v && !vf)
        return fail(l, "operator needs \"value\" or \"value_fact\"", op->valuestring);
    if (vf) {
        if (!cJSON_IsString(vf))
            return fail(l, "\"value_fact\" must be a string", NULL);
        if (parse_path(l, vf->valuestring, &c->value_fact) < 0)
            return -1;
        c->has_value_fact = true;
    } else {
        c->value = v;
        bool list = c->op == RPT_OP_IN || c->op == RPT_OP_NOT_IN;
        if (list && !cJSON_IsArray(v))
            return fail(l, "in/not_in need an array value", op->valuestring);
        if ((c->op == RPT_OP_VERSION_LT || c->op == RPT_OP_VERSION_GE || c->op == RPT_OP_BDF_EQ) &&
            !cJSON_IsString(v))
            return fail(l, "version and bdf operators need a string value", op->valuestring);
        if ((c->op == RPT_OP_LT || c->op == RPT_OP_LE || c->op == RPT_OP_GT ||
             c->op == RPT_OP_GE) &&
            !(cJSON_IsNumber(v) || cJSON_IsString(v)))
            return fail(l, "ordering operators need a number or string value", op->valuestring);
        if (c->op == RPT_OP_PREFIX && !(cJSON_IsString(v) || cJSON_IsArray(v)))
            return fail(l, "prefix needs a string or an array of strings", NULL);
    }
    if (sc) {
        if (!cJSON_IsNumber(sc) || !vf)
            return fail(l, "\"scale\" must be a number and goes with \"value_fact\"", NULL);
        c->scale = sc->valuedouble;
    }
    return 0;
}

static int parse_quantifier(struct loader *l, const cJSON *j, struct rpt_cond *c, const char *key)
{
    static const char *const some_keys[] = {"some", "none", "as", "where", NULL};
    static const char *const count_keys[] = {"count", "as", "where", "op", "value", NULL};
    const char *bad = NULL;
    if (!only_keys(j, c->kind == RPT_C_COUNT ? count_keys : some_keys, &bad))
        return fail(l, "unknown key in a quantifier", bad);
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(j, key);
    if (!cJSON_IsString(arr))
        return fail(l, "a quantifier names an array fact path (string)", key);
    if (parse_path(l, arr->valuestring, &c->fact) < 0)
        return -1;
    const cJSON *as = cJSON_GetObjectItemCaseSensitive(j, "as");
    c->as = "it";
    if (as) {
        if (!cJSON_IsString(as) || !valid_name(as->valuestring))
            return fail(l, "\"as\" must be a plain name", NULL);
        if (lookup_name(root_names, RPT_ROOT_BOUND, as->valuestring) >= 0)
            return fail(l, "\"as\" may not shadow a fact root", as->valuestring);
        c->as = as->valuestring;
    }
    const cJSON *where = cJSON_GetObjectItemCaseSensitive(j, "where");
    if (c->kind == RPT_C_COUNT) {
        if (parse_op_value(l, j, c) < 0)
            return -1;
        if (!(c->op >= RPT_OP_EQ && c->op <= RPT_OP_GE) || !cJSON_IsNumber(c->value))
            return fail(l, "count compares with eq/ne/lt/le/gt/ge and a number", NULL);
    }
    if (!where) {
        if (c->kind != RPT_C_COUNT)
            return fail(l, "some/none need \"where\"", NULL);
        return 0;
    }
    if (l->nbound >= sizeof l->bound / sizeof l->bound[0])
        return fail(l, "quantifiers nested too deep", NULL);
    l->bound[l->nbound++] = c->as;
    c->kids = calloc(1, sizeof *c->kids);
    if (c->kids)
        c->nkids = 1;
    int rc = c->kids ? parse_cond(l, where, &c->kids[0]) : fail(l, "out of memory", NULL);
    l->nbound--;
    return rc < 0 ? -1 : 0;
}

int parse_cond(struct loader *l, const cJSON *j, struct rpt_cond **out)
{
    static const char *const leaf_keys[] = {"fact", "op", "value", "value_fact", "scale", NULL};
    if (!cJSON_IsObject(j))
        return fail(l, "a condition must be an object", NULL);
    struct rpt_cond *c = calloc(1, sizeof *c);
    if (!c)
        return fail(l, "out of memory", NULL);
    *out = c;
    const char *bad = NULL;
    const cJSON *k;
    if ((k = cJSON_GetObjectItemCaseSensitive(j, "all")) ||
        (k = cJSON_GetObjectItemCaseSensitive(j, "any"))) {
        c->kind = strcmp(k->string, "all") == 0 ? RPT_C_ALL : RPT_C_ANY;
        if (cJSON_GetArraySize(j) != 1)
            return fail(l, "all/any must be alone in their object", NULL);
        return parse_kids(l, k, c);
    }
    if ((k = cJSON_GetObjectItemCaseSensitive(j, "not"))) {
        c->kind = RPT_C_NOT;
        if (cJSON_GetArraySize(j) != 1)
            return fail(l, "not must be alone in its object", NULL);
        c->kids = calloc(1, sizeof *c->kids);
        if (!c->kids)
            return fail(l, "out of memory", NULL);
        c->nkids = 1;
        return parse_cond(l, k, &c->kids[0]);
    }
    if (cJSON_GetObjectItemCaseSensitive(j, "some")) {
        c->kind = RPT_C_SOME;
        return parse_quantifier(l, j, c, "some");
    }
    if (cJSON_GetObjectItemCaseSensitive(j, "none")) {
        c->kind = RPT_C_NONE;
        return parse_quantifier(l, j, c, "none");
    }
    if (cJSON_GetObjectItemCaseSensitive(j, "count")) {
        c->kind = RPT_C_COUNT;
        return parse_quantifier(l, j, c, "count");
    }
    c->kind = RPT_C_LEAF;
    if (!only_keys(j, leaf_keys, &bad))
        return fail(l, "unknown key in a condition", bad);
    const cJSON *fact = cJSON_GetObjectItemCaseSensitive(j, "fact");
    if (!cJSON_IsString(fact))
        return fail(l, "a leaf needs \"fact\" (a string)", NULL);
    if (parse_path(l, fact->valuestring, &c->fact) < 0)
        return -1;
    return parse_op_value(l, j, c);
}

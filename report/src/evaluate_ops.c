/* SPDX-License-Identifier: MIT */
/*
 * The matrix's operators: one table of {name, evaluate}, indexed by enum rpt_op. The loader
 * takes an operator's name from here, the evaluator its behaviour, so a name cannot exist
 * without a behaviour or the other way round (the static assertion below holds the table to
 * the enum). Each evaluate gets the fact's value and the rule's value (both non-NULL, the fact
 * not null, except for exists/missing) and answers in three values: a fact of another kind
 * than the rule expects is unknown, never false.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "evaluate_internal.h"
#include "report.h"

/* Same JSON type (numbers, strings, booleans)? A fact of another type than the rule expects
 * is a broken document, and its value says nothing: the leaf is unknown, never false. */
static bool same_kind(const cJSON *a, const cJSON *b)
{
    return (cJSON_IsNumber(a) && cJSON_IsNumber(b)) || (cJSON_IsString(a) && cJSON_IsString(b)) ||
           (cJSON_IsBool(a) && cJSON_IsBool(b));
}

/* eq over scalars of the same kind: numbers numerically, strings without case (ids are
 * hex), booleans exactly. */
static bool scalar_eq(const cJSON *a, const cJSON *b)
{
    if (cJSON_IsBool(a))
        return cJSON_IsBool(b) && cJSON_IsTrue(a) == cJSON_IsTrue(b);
    if (cJSON_IsString(a) && cJSON_IsString(b))
        return strcasecmp(a->valuestring, b->valuestring) == 0;
    return cJSON_IsNumber(a) && cJSON_IsNumber(b) && a->valuedouble == b->valuedouble;
}

/* <0, 0, >0, or 2 when not comparable. */
static int scalar_cmp(const cJSON *a, const cJSON *b)
{
    if (cJSON_IsNumber(a) && cJSON_IsNumber(b))
        return a->valuedouble < b->valuedouble ? -1 : a->valuedouble > b->valuedouble;
    if (cJSON_IsString(a) && cJSON_IsString(b)) {
        int r = strcmp(a->valuestring, b->valuestring);
        return r < 0 ? -1 : r > 0;
    }
    return 2;
}

static enum tri negate(enum tri r)
{
    return r == U ? U : (r == T ? F : T);
}

static enum tri op_exists(const cJSON *fact, const cJSON *value)
{
    (void)value;
    return is_null(fact) ? F : T;
}

static enum tri op_missing(const cJSON *fact, const cJSON *value)
{
    return negate(op_exists(fact, value));
}

static enum tri op_eq(const cJSON *fact, const cJSON *value)
{
    return !same_kind(fact, value) ? U : scalar_eq(fact, value) ? T : F;
}

static enum tri op_ne(const cJSON *fact, const cJSON *value)
{
    return negate(op_eq(fact, value));
}

static enum tri op_lt(const cJSON *fact, const cJSON *value)
{
    int cmp = scalar_cmp(fact, value);
    return cmp == 2 ? U : cmp < 0 ? T : F;
}

static enum tri op_le(const cJSON *fact, const cJSON *value)
{
    int cmp = scalar_cmp(fact, value);
    return cmp == 2 ? U : cmp <= 0 ? T : F;
}

static enum tri op_gt(const cJSON *fact, const cJSON *value)
{
    return negate(op_le(fact, value));
}

static enum tri op_ge(const cJSON *fact, const cJSON *value)
{
    return negate(op_lt(fact, value));
}

static enum tri op_in(const cJSON *fact, const cJSON *value)
{
    bool found = false, comparable = false;
    const cJSON *e;
    cJSON_ArrayForEach(e, value)
    {
        comparable |= same_kind(fact, e);
        found |= scalar_eq(fact, e);
    }
    return !comparable ? U : found ? T : F;
}

static enum tri op_not_in(const cJSON *fact, const cJSON *value)
{
    return negate(op_in(fact, value));
}

/* Lists only: "dmar0" where a list of IOMMUs belongs is a broken fact. */
static enum tri op_empty(const cJSON *fact, const cJSON *value)
{
    (void)value;
    if (!cJSON_IsArray(fact) && !cJSON_IsObject(fact))
        return U;
    return cJSON_GetArraySize(fact) == 0 ? T : F;
}

static enum tri op_nonempty(const cJSON *fact, const cJSON *value)
{
    return negate(op_empty(fact, value));
}

static enum tri op_contains(const cJSON *fact, const cJSON *value)
{
    /* Checked before the list of values: a number says nothing about any of them. */
    if (!cJSON_IsString(fact) && !cJSON_IsArray(fact))
        return U;
    if (cJSON_IsArray(value)) {
        const cJSON *v;
        cJSON_ArrayForEach(v, value) if (op_contains(fact, v) == T) return T;
        return F;
    }
    if (cJSON_IsString(fact))
        return cJSON_IsString(value) && strstr(fact->valuestring, value->valuestring) ? T : F;
    const cJSON *e;
    cJSON_ArrayForEach(e, fact) if (scalar_eq(e, value)) return T;
    return F;
}

static enum tri op_not_contains(const cJSON *fact, const cJSON *value)
{
    return negate(op_contains(fact, value));
}

static enum tri op_prefix(const cJSON *fact, const cJSON *value)
{
    if (!cJSON_IsString(fact))
        return U;
    if (cJSON_IsArray(value)) {
        const cJSON *v;
        cJSON_ArrayForEach(v, value) if (op_prefix(fact, v) == T) return T;
        return F;
    }
    if (!cJSON_IsString(value))
        return F;
    return strncasecmp(fact->valuestring, value->valuestring, strlen(value->valuestring)) == 0 ? T
                                                                                               : F;
}

static enum tri op_version_lt(const cJSON *fact, const cJSON *value)
{
    if (!cJSON_IsString(fact) || !cJSON_IsString(value))
        return U;
    return rpt_version_cmp(fact->valuestring, value->valuestring) < 0 ? T : F;
}

static enum tri op_version_ge(const cJSON *fact, const cJSON *value)
{
    return negate(op_version_lt(fact, value));
}

static enum tri op_bdf_eq(const cJSON *fact, const cJSON *value)
{
    if (!cJSON_IsString(fact) || !cJSON_IsString(value))
        return U;
    return rpt_bdf_eq(fact->valuestring, value->valuestring) ? T : F;
}

const struct rpt_op_def rpt_ops[] = {
    [RPT_OP_EQ] = {"eq", op_eq},
    [RPT_OP_NE] = {"ne", op_ne},
    [RPT_OP_LT] = {"lt", op_lt},
    [RPT_OP_LE] = {"le", op_le},
    [RPT_OP_GT] = {"gt", op_gt},
    [RPT_OP_GE] = {"ge", op_ge},
    [RPT_OP_IN] = {"in", op_in},
    [RPT_OP_NOT_IN] = {"not_in", op_not_in},
    [RPT_OP_EXISTS] = {"exists", op_exists},
    [RPT_OP_MISSING] = {"missing", op_missing},
    [RPT_OP_EMPTY] = {"empty", op_empty},
    [RPT_OP_NONEMPTY] = {"nonempty", op_nonempty},
    [RPT_OP_CONTAINS] = {"contains", op_contains},
    [RPT_OP_NOT_CONTAINS] = {"not_contains", op_not_contains},
    [RPT_OP_PREFIX] = {"prefix", op_prefix},
    [RPT_OP_VERSION_LT] = {"version_lt", op_version_lt},
    [RPT_OP_VERSION_GE] = {"version_ge", op_version_ge},
    [RPT_OP_BDF_EQ] = {"bdf_eq", op_bdf_eq},
};
_Static_assert(sizeof rpt_ops / sizeof rpt_ops[0] == RPT_OP_COUNT,
               "rpt_ops needs one {name, evaluate} entry for every enum rpt_op");

const char *rpt_op_name(enum rpt_op op)
{
    return rpt_ops[op].name;
}

int rpt_op_lookup(const char *name)
{
    for (int i = 0; i < RPT_OP_COUNT; i++)
        if (strcmp(rpt_ops[i].name, name) == 0)
            return i;
    return -1;
}

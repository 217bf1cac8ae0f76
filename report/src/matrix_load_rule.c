/* SPDX-License-Identifier: MIT */
/*
 * Matrix loader, one rule: its fields, severity, scope, conditions, cases and the fact
 * paths named in its root_cause/fix templates.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "matrix_load_internal.h"

/* Placeholders in root_cause/fix: {root.path}; the root must be one the scope binds. */
static int check_template(struct loader *l, const char *field, const char *t)
{
    for (const char *p = strchr(t, '{'); p; p = strchr(p + 1, '{')) {
        const char *end = strchr(p, '}');
        if (!end)
            break;
        size_t n = (size_t)(end - p - 1);
        char name[128];
        if (n == 0 || n >= sizeof name)
            continue;
        memcpy(name, p + 1, n);
        name[n] = '\0';
        const char *dot = strchr(name, '.');
        if (!dot)
            continue;
        bool ident = true;
        for (const char *s = name; *s; s++)
            if (!(isalnum((unsigned char)*s) || *s == '_' || *s == '.'))
                ident = false;
        if (!ident)
            continue;
        struct rpt_path path;
        size_t saved = l->nbound;
        l->nbound = 0; /* no quantifier names in templates */
        int rc = parse_path(l, name, &path);
        l->nbound = saved;
        if (rc < 0) {
            char msg[PTD_ERROR_MAX];
            snprintf(msg, sizeof msg, "%.200s (in %s)", l->err ? l->err->text : "", field);
            ptd_error_set(l->err, "%s", msg);
            return -1;
        }
    }
    return 0;
}

static int get_str(struct loader *l, const cJSON *obj, const char *key, bool required,
                   const char **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    *out = NULL;
    if (!v) {
        if (required)
            return fail(l, "missing field", key);
        return 0;
    }
    if (!cJSON_IsString(v) || !*v->valuestring)
        return fail(l, "field must be a non-empty string", key);
    *out = v->valuestring;
    return 0;
}

static int check_str_array(struct loader *l, const cJSON *obj, const char *key, bool required,
                           const cJSON **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    *out = v;
    if (!v)
        return required ? fail(l, "missing field", key) : 0;
    if (!cJSON_IsArray(v))
        return fail(l, "field must be an array of strings", key);
    const cJSON *e;
    cJSON_ArrayForEach(e, v) if (!cJSON_IsString(e)) return fail(
        l, "field must be an array of strings", key);
    return 0;
}

static bool valid_id(const char *s)
{
    if (!*s || *s == '-')
        return false;
    for (; *s; s++)
        if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '-'))
            return false;
    return true;
}

/* One entry of "cases": its condition and what it changes (at least one of root_cause, fix,
 * severity). */
static int parse_case(struct loader *l, const cJSON *cj, struct rpt_case *c)
{
    static const char *const case_keys[] = {"when", "root_cause", "fix", "severity", NULL};
    const char *bad = NULL, *s = NULL;
    c->severity = -1;
    if (!cJSON_IsObject(cj) || !only_keys(cj, case_keys, &bad))
        return fail(l, "unknown key in a case", bad ? bad : "(not an object)");
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(cj, "when");
    if (!w)
        return fail(l, "a case needs \"when\"", NULL);
    if (parse_cond(l, w, &c->when) < 0 || get_str(l, cj, "root_cause", false, &c->root_cause) < 0 ||
        get_str(l, cj, "fix", false, &c->fix) < 0 || get_str(l, cj, "severity", false, &s) < 0)
        return -1;
    if (s) {
        c->severity = lookup_name(severity_names, 3, s);
        if (c->severity < 0)
            return fail(l, "case severity must be error, warning or info", s);
    }
    if (!c->root_cause && !c->fix && c->severity < 0)
        return fail(l, "a case must change root_cause, fix or severity", NULL);
    if ((c->root_cause && check_template(l, "case root_cause", c->root_cause) < 0) ||
        (c->fix && check_template(l, "case fix", c->fix) < 0))
        return -1;
    return 0;
}

/* "cases", when present: a non-empty array, each entry parsed into r->cases (owned by r). */
static int parse_cases(struct loader *l, const cJSON *j, struct rpt_rule *r)
{
    const cJSON *cases = cJSON_GetObjectItemCaseSensitive(j, "cases");
    if (!cases)
        return 0;
    if (!cJSON_IsArray(cases) || cJSON_GetArraySize(cases) == 0)
        return fail(l, "cases must be a non-empty array", NULL);
    r->cases = calloc((size_t)cJSON_GetArraySize(cases), sizeof *r->cases);
    if (!r->cases)
        return fail(l, "out of memory", NULL);
    const cJSON *cj;
    cJSON_ArrayForEach(cj, cases)
    {
        if (parse_case(l, cj, &r->cases[r->ncases++]) < 0)
            return -1;
    }
    return 0;
}

int parse_rule(struct loader *l, const cJSON *j, struct rpt_rule *r)
{
    static const char *const keys[] = {"id",    "title",      "layer", "severity",
                                       "scope", "applies",    "when",  "root_cause",
                                       "fix",   "references", "cases", NULL};
    const char *bad = NULL, *s = NULL;
    if (!cJSON_IsObject(j))
        return fail(l, "each rule must be an object", NULL);
    if (get_str(l, j, "id", true, &r->id) < 0)
        return -1;
    if (!valid_id(r->id))
        return fail(l, "id must be kebab-case", r->id);
    l->rule_id = r->id;
    /* "vendors" was a tag the report never evaluated, mixing GPU and CPU vendors: a rule
     * whose verdict depends on a vendor says so in its condition. */
    if (cJSON_GetObjectItemCaseSensitive(j, "vendors"))
        return fail(l, "\"vendors\" is not a rule field: name the vendor in the condition",
                    "vendors");
    if (!only_keys(j, keys, &bad))
        return fail(l, "unknown key", bad);
    if (get_str(l, j, "title", true, &r->title) < 0 ||
        get_str(l, j, "layer", true, &r->layer) < 0 ||
        get_str(l, j, "root_cause", true, &r->root_cause) < 0 ||
        get_str(l, j, "fix", true, &r->fix) < 0)
        return -1;
    if (!rpt_layer_find(l->matrix, r->layer))
        return fail(l, "layer is not one of the matrix's \"layers\"", r->layer);
    if (check_str_array(l, j, "references", true, &r->references) < 0)
        return -1;
    if (get_str(l, j, "severity", true, &s) < 0)
        return -1;
    int sev = lookup_name(severity_names, 3, s);
    if (sev < 0)
        return fail(l, "severity must be error, warning or info", s);
    r->severity = (enum rpt_severity)sev;
    if (get_str(l, j, "scope", true, &s) < 0)
        return -1;
    int sc = lookup_name(scope_names, RPT_SCOPE_COUNT, s);
    if (sc < 0)
        return fail(l, "unknown scope", s);
    r->scope = l->scope = (enum rpt_scope)sc;
    r->when_json = cJSON_GetObjectItemCaseSensitive(j, "when");
    if (r->scope == RPT_SCOPE_SOAK) {
        if (r->when_json || cJSON_GetObjectItemCaseSensitive(j, "applies") ||
            cJSON_GetObjectItemCaseSensitive(j, "cases"))
            return fail(l,
                        "soak rules are decided by `ptdiag-report soak` and take no "
                        "when/applies/cases",
                        NULL);
    } else {
        if (!r->when_json)
            return fail(l, "missing field", "when");
        if (parse_cond(l, r->when_json, &r->when) < 0)
            return -1;
        const cJSON *ap = cJSON_GetObjectItemCaseSensitive(j, "applies");
        if (ap && parse_cond(l, ap, &r->applies) < 0)
            return -1;
    }
    if (check_template(l, "root_cause", r->root_cause) < 0 || check_template(l, "fix", r->fix) < 0)
        return -1;
    if (parse_cases(l, j, r) < 0)
        return -1;
    l->rule_id = NULL;
    return 0;
}

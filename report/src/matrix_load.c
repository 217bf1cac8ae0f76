/* SPDX-License-Identifier: MIT */
/*
 * Loads the symptom matrix (report/data/symptoms.json) and validates it strictly: a typo in a
 * key or an operator would otherwise make a rule silently never fire, which is the one failure
 * a diagnostic tool must not have. Every error names the file and the rule.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"
#include "report.h"

#define MATRIX_SCHEMA "ptdiag.matrix/1"

static const char *const severity_names[] = {"info", "warning", "error"};
static const char *const scope_names[] = {"host",  "host_device", "vm",  "vm_hostpci",
                                          "guest", "guest_gpu",   "soak"};
static const char *const root_names[] = {"host", "dev", "vm", "hp", "guest", "ggpu"};

/* Which roots each scope binds (bit per enum rpt_root). */
#define R(x) (1u << RPT_ROOT_##x)
static const unsigned scope_roots[RPT_SCOPE_COUNT] = {
    [RPT_SCOPE_HOST] = R(HOST),
    [RPT_SCOPE_HOST_DEVICE] = R(HOST) | R(DEV),
    [RPT_SCOPE_VM] = R(HOST) | R(VM) | R(GUEST),
    [RPT_SCOPE_VM_HOSTPCI] = R(HOST) | R(VM) | R(HP) | R(DEV) | R(GUEST) | R(GGPU),
    [RPT_SCOPE_GUEST] = R(GUEST) | R(HOST) | R(VM),
    [RPT_SCOPE_GUEST_GPU] = R(GUEST) | R(GGPU) | R(HOST) | R(VM) | R(HP) | R(DEV),
    [RPT_SCOPE_SOAK] = 0,
};
#undef R

const char *rpt_severity_name(enum rpt_severity s)
{
    return severity_names[s];
}

const char *rpt_scope_name(enum rpt_scope s)
{
    return scope_names[s];
}

struct loader {
    const struct rpt_matrix *matrix; /* its vocabulary is loaded before the rules */
    const char *file;
    const char *rule_id; /* for messages */
    enum rpt_scope scope;
    const char *bound[8]; /* quantifier names in force */
    size_t nbound;
    struct ptd_error *err;
};

static int fail(struct loader *l, const char *what, const char *detail)
{
    if (l->rule_id)
        return ptd_error_set(l->err, "%s: rule '%s': %s%s%s", l->file, l->rule_id, what,
                             detail ? ": " : "", detail ? detail : "");
    return ptd_error_set(l->err, "%s: %s%s%s", l->file, what, detail ? ": " : "",
                         detail ? detail : "");
}

static int lookup_name(const char *const *names, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], s) == 0)
            return (int)i;
    return -1;
}

static bool only_keys(const cJSON *obj, const char *const *allowed, const char **bad)
{
    for (const cJSON *k = obj->child; k; k = k->next) {
        bool ok = false;
        for (size_t i = 0; allowed[i]; i++)
            if (strcmp(k->string, allowed[i]) == 0)
                ok = true;
        if (!ok) {
            *bad = k->string;
            return false;
        }
    }
    return true;
}

static bool valid_name(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_'))
            return false;
    return true;
}

/* Splits and checks a fact path against the roots of the rule's scope and bound names. */
static int parse_path(struct loader *l, const char *text, struct rpt_path *p)
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

static void cond_free(struct rpt_cond *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nkids; i++)
        cond_free(c->kids[i]);
    free(c->kids);
    free(c);
}

static int parse_cond(struct loader *l, const cJSON *j, struct rpt_cond **out);

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

static int parse_cond(struct loader *l, const cJSON *j, struct rpt_cond **out)
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

static int parse_rule(struct loader *l, const cJSON *j, struct rpt_rule *r)
{
    static const char *const keys[] = {"id",         "title",   "layer", "vendors",    "severity",
                                       "scope",      "applies", "when",  "root_cause", "fix",
                                       "references", "cases",   NULL};
    static const char *const case_keys[] = {"when", "root_cause", "fix", "severity", NULL};
    const char *bad = NULL, *s = NULL;
    if (!cJSON_IsObject(j))
        return fail(l, "each rule must be an object", NULL);
    if (get_str(l, j, "id", true, &r->id) < 0)
        return -1;
    if (!valid_id(r->id))
        return fail(l, "id must be kebab-case", r->id);
    l->rule_id = r->id;
    if (!only_keys(j, keys, &bad))
        return fail(l, "unknown key", bad);
    if (get_str(l, j, "title", true, &r->title) < 0 ||
        get_str(l, j, "layer", true, &r->layer) < 0 ||
        get_str(l, j, "root_cause", true, &r->root_cause) < 0 ||
        get_str(l, j, "fix", true, &r->fix) < 0)
        return -1;
    if (!rpt_layer_find(l->matrix, r->layer))
        return fail(l, "layer is not one of the matrix's \"layers\"", r->layer);
    if (check_str_array(l, j, "vendors", true, &r->vendors) < 0 ||
        check_str_array(l, j, "references", true, &r->references) < 0)
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
    const cJSON *cases = cJSON_GetObjectItemCaseSensitive(j, "cases");
    if (cases) {
        if (!cJSON_IsArray(cases) || cJSON_GetArraySize(cases) == 0)
            return fail(l, "cases must be a non-empty array", NULL);
        r->cases = calloc((size_t)cJSON_GetArraySize(cases), sizeof *r->cases);
        if (!r->cases)
            return fail(l, "out of memory", NULL);
        const cJSON *cj;
        cJSON_ArrayForEach(cj, cases)
        {
            struct rpt_case *c = &r->cases[r->ncases++];
            c->severity = -1;
            if (!cJSON_IsObject(cj) || !only_keys(cj, case_keys, &bad))
                return fail(l, "unknown key in a case", bad ? bad : "(not an object)");
            const cJSON *w = cJSON_GetObjectItemCaseSensitive(cj, "when");
            if (!w)
                return fail(l, "a case needs \"when\"", NULL);
            if (parse_cond(l, w, &c->when) < 0 ||
                get_str(l, cj, "root_cause", false, &c->root_cause) < 0 ||
                get_str(l, cj, "fix", false, &c->fix) < 0 ||
                get_str(l, cj, "severity", false, &s) < 0)
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
        }
    }
    l->rule_id = NULL;
    return 0;
}

void rpt_matrix_free(struct rpt_matrix *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nrules; i++) {
        struct rpt_rule *r = &m->rules[i];
        cond_free(r->when);
        cond_free(r->applies);
        for (size_t k = 0; k < r->ncases; k++)
            cond_free(r->cases[k].when);
        free(r->cases);
    }
    free(m->rules);
    free(m->layers);
    cJSON_Delete(m->json);
    free(m->file);
    free(m);
}

int rpt_matrix_load_buffer(const char *name, const char *data, size_t len, struct rpt_matrix **out,
                           struct ptd_error *err)
{
    struct rpt_matrix *m = calloc(1, sizeof *m);
    struct loader l = {.matrix = m, .file = name, .err = err};
    *out = NULL;
    if (!m || !(m->file = strdup(name))) {
        free(m);
        return ptd_error_set(err, "%s: out of memory", name);
    }
    const char *end = NULL;
    m->json = cJSON_ParseWithLengthOpts(data, len, &end, false);
    if (!m->json) {
        size_t off = end ? (size_t)(end - data) : 0;
        ptd_error_set(err, "%s: not valid JSON (near byte %zu)", name, off);
        goto fail;
    }
    static const char *const top_keys[] = {"schema",     "description",  "layers", "soak",
                                           "prometheus", "boot_loaders", "rules",  NULL};
    const char *bad = NULL;
    if (!cJSON_IsObject(m->json)) {
        fail(&l, "top level must be an object", NULL);
        goto fail;
    }
    if (!only_keys(m->json, top_keys, &bad)) {
        fail(&l, "unknown top-level key", bad);
        goto fail;
    }
    const char *schema = ptd_json_get_str(m->json, "schema");
    if (!schema || strcmp(schema, MATRIX_SCHEMA) != 0) {
        fail(&l, "\"schema\" must be \"" MATRIX_SCHEMA "\"", schema);
        goto fail;
    }
    if (rpt_matrix_load_vocabulary(m, err) < 0)
        goto fail;
    const cJSON *rules = cJSON_GetObjectItemCaseSensitive(m->json, "rules");
    if (!cJSON_IsArray(rules) || cJSON_GetArraySize(rules) == 0) {
        fail(&l, "\"rules\" must be a non-empty array", NULL);
        goto fail;
    }
    m->rules = calloc((size_t)cJSON_GetArraySize(rules), sizeof *m->rules);
    if (!m->rules) {
        fail(&l, "out of memory", NULL);
        goto fail;
    }
    const cJSON *rj;
    cJSON_ArrayForEach(rj, rules)
    {
        struct rpt_rule *r = &m->rules[m->nrules++];
        if (parse_rule(&l, rj, r) < 0)
            goto fail;
        for (size_t i = 0; i + 1 < m->nrules; i++) {
            if (strcmp(m->rules[i].id, r->id) == 0) {
                l.rule_id = NULL;
                fail(&l, "duplicate rule id", r->id);
                goto fail;
            }
        }
    }
    *out = m;
    return 0;
fail:
    rpt_matrix_free(m);
    return -1;
}

int rpt_matrix_load_file(const char *path, struct rpt_matrix **out, struct ptd_error *err)
{
    char *data = NULL;
    size_t len = 0;
    *out = NULL;
    if (rpt_read_data_file(path, &data, &len, err) < 0)
        return -1;
    int rc = rpt_matrix_load_buffer(path, data, len, out, err);
    free(data);
    return rc;
}

/* SPDX-License-Identifier: MIT */
/*
 * Loads the symptom matrix (report/data/symptoms.json) and validates it strictly: a typo in a
 * key or an operator would otherwise make a rule silently never fire, which is the one failure
 * a diagnostic tool must not have. Every error names the file and the rule. This file holds the
 * vocabulary, the shared checks and the top level; conditions are in matrix_load_cond.c and
 * rules in matrix_load_rule.c.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"
#include "matrix_load_internal.h"

#define MATRIX_SCHEMA "ptdiag.matrix/1"

const char *const severity_names[] = {"info", "warning", "error"};
const char *const scope_names[] = {"host",  "host_device", "vm",  "vm_hostpci",
                                   "guest", "guest_gpu",   "soak"};
const char *const root_names[] = {"host", "dev", "vm", "hp", "guest", "ggpu"};

/* Which roots each scope binds (bit per enum rpt_root). */
#define R(x) (1u << RPT_ROOT_##x)
const unsigned scope_roots[RPT_SCOPE_COUNT] = {
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

int fail(struct loader *l, const char *what, const char *detail)
{
    if (l->rule_id)
        return ptd_error_set(l->err, "%s: rule '%s': %s%s%s", l->file, l->rule_id, what,
                             detail ? ": " : "", detail ? detail : "");
    return ptd_error_set(l->err, "%s: %s%s%s", l->file, what, detail ? ": " : "",
                         detail ? detail : "");
}

int lookup_name(const char *const *names, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], s) == 0)
            return (int)i;
    return -1;
}

bool only_keys(const cJSON *obj, const char *const *allowed, const char **bad)
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

bool valid_name(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_'))
            return false;
    return true;
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

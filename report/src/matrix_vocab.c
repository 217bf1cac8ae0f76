/* SPDX-License-Identifier: MIT */
/*
 * The matrix's own words, next to its rules in report/data/symptoms.json: the layers and their
 * labels, the soak threshold, the event kind the Prometheus output counts, and the boot-loader
 * fragments the fixes quote. The C code names none of them; a test fails when they drift from
 * what the rules use (the loader checks every rule's layer against "layers").
 */
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"
#include "report.h"

static int vocab_fail(const char *file, const char *key, const char *what, struct ptd_error *err)
{
    return ptd_error_set(err, "%s: \"%s\": %s", file, key, what);
}

static const char *member_str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : NULL;
}

/* Each member of o is one of keys (NULL-terminated); the first nrequired keys are there, the
 * rest are optional. */
static bool has_only(const cJSON *o, const char *const *keys, size_t nrequired)
{
    size_t required = 0;
    for (const cJSON *k = o->child; k; k = k->next) {
        size_t i = 0;
        while (keys[i] && strcmp(k->string, keys[i]) != 0)
            i++;
        if (!keys[i])
            return false;
        required += i < nrequired;
    }
    return required == nrequired;
}

/* One entry of "layers": {id, label, status_line?, guest?}. */
static int load_layer(struct rpt_matrix *m, const cJSON *lj, struct rpt_layer *ly,
                      struct ptd_error *err)
{
    static const char *const keys[] = {"id", "label", "status_line", "guest", NULL};
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(lj, "status_line");
    const cJSON *guest = cJSON_GetObjectItemCaseSensitive(lj, "guest");

    if (!cJSON_IsObject(lj) || !has_only(lj, keys, 2) || !(ly->id = member_str(lj, "id")) ||
        !(ly->label = member_str(lj, "label")) || (st && !cJSON_IsBool(st)) ||
        (guest && !cJSON_IsBool(guest)))
        return vocab_fail(m->file, "layers",
                          "each entry is {\"id\": string, \"label\": string, "
                          "\"status_line\"?: boolean, \"guest\"?: boolean}",
                          err);
    ly->status_line = !st || cJSON_IsTrue(st);
    ly->guest = cJSON_IsTrue(guest);
    return 0;
}

/* "layers": [{id, label, status_line?, guest?}], ids unique; exactly one guest layer, which
 * has a status line (the agents' verdict prints it). */
static int load_layers(struct rpt_matrix *m, struct ptd_error *err)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(m->json, "layers");
    size_t nguest = 0;
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) == 0)
        return vocab_fail(m->file, "layers", "must be a non-empty array", err);
    m->layers = calloc((size_t)cJSON_GetArraySize(arr), sizeof *m->layers);
    if (!m->layers)
        return ptd_error_set(err, "%s: out of memory", m->file);
    const cJSON *lj;
    cJSON_ArrayForEach(lj, arr)
    {
        struct rpt_layer *ly = &m->layers[m->nlayers];
        if (load_layer(m, lj, ly, err) < 0)
            return -1;
        if (rpt_layer_find(m, ly->id))
            return vocab_fail(m->file, "layers", "duplicate id", err);
        nguest += ly->guest;
        if (ly->guest && !ly->status_line)
            return vocab_fail(m->file, "layers", "the guest layer has a status line", err);
        m->nlayers++;
    }
    if (nguest != 1)
        return vocab_fail(m->file, "layers", "exactly one layer is \"guest\": true", err);
    return 0;
}

/* "boot_loaders": {LOADER: {cmdline_file, cmdline_apply}}, with an "unknown" entry. */
static int load_boot_loaders(struct rpt_matrix *m, struct ptd_error *err)
{
    static const char *const keys[] = {"cmdline_file", "cmdline_apply", NULL};
    const cJSON *bl = cJSON_GetObjectItemCaseSensitive(m->json, "boot_loaders");
    if (!cJSON_IsObject(bl) || !cJSON_GetObjectItemCaseSensitive(bl, "unknown"))
        return vocab_fail(m->file, "boot_loaders", "must be an object with an \"unknown\" entry",
                          err);
    const cJSON *e;
    cJSON_ArrayForEach(e, bl)
    {
        if (!cJSON_IsObject(e) || !has_only(e, keys, 2) || !member_str(e, "cmdline_file") ||
            !member_str(e, "cmdline_apply"))
            return vocab_fail(m->file, "boot_loaders",
                              "each entry is {\"cmdline_file\": string, \"cmdline_apply\": string}",
                              err);
    }
    m->boot_loaders = bl;
    return 0;
}

int rpt_matrix_load_vocabulary(struct rpt_matrix *m, struct ptd_error *err)
{
    static const char *const soak_keys[] = {"threshold_days", NULL};
    static const char *const prom_keys[] = {"xid_event_kind", NULL};
    if (load_layers(m, err) < 0 || load_boot_loaders(m, err) < 0)
        return -1;
    const cJSON *soak = cJSON_GetObjectItemCaseSensitive(m->json, "soak");
    const cJSON *days = cJSON_GetObjectItemCaseSensitive(soak, "threshold_days");
    if (!cJSON_IsObject(soak) || !has_only(soak, soak_keys, 1) || !cJSON_IsNumber(days) ||
        !(days->valuedouble > 0 && days->valuedouble <= 3650))
        return vocab_fail(m->file, "soak",
                          "must be {\"threshold_days\": a number of days, 0..3650}", err);
    m->soak_threshold_days = days->valuedouble;
    const cJSON *prom = cJSON_GetObjectItemCaseSensitive(m->json, "prometheus");
    if (!cJSON_IsObject(prom) || !has_only(prom, prom_keys, 1) ||
        !(m->xid_event_kind = member_str(prom, "xid_event_kind")))
        return vocab_fail(m->file, "prometheus", "must be {\"xid_event_kind\": string}", err);
    return 0;
}

const struct rpt_layer *rpt_layer_find(const struct rpt_matrix *m, const char *id)
{
    for (size_t i = 0; i < m->nlayers; i++)
        if (strcmp(m->layers[i].id, id) == 0)
            return &m->layers[i];
    return NULL;
}

const struct rpt_layer *rpt_guest_layer(const struct rpt_matrix *m)
{
    for (size_t i = 0; i < m->nlayers; i++)
        if (m->layers[i].guest)
            return &m->layers[i];
    return NULL;
}

const char *rpt_layer_label(const struct rpt_matrix *m, const char *id)
{
    const struct rpt_layer *ly = rpt_layer_find(m, id);
    return ly ? ly->label : id;
}

const cJSON *rpt_boot_loader_fragments(const struct rpt_matrix *m, const char *loader)
{
    const cJSON *e = loader ? cJSON_GetObjectItemCaseSensitive(m->boot_loaders, loader) : NULL;
    return e && strcmp(loader, "unknown") != 0
               ? e
               : cJSON_GetObjectItemCaseSensitive(m->boot_loaders, "unknown");
}

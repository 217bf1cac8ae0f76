/* SPDX-License-Identifier: MIT */
/*
 * Loads report/data/gpu-identity.json strictly, like the symptom matrix: a misspelt key or
 * value would make a GPU silently "not checked", so every error names the file and the entry.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "gpu_identity.h"
#include "ptdiag/doc.h"
#include "report.h"

#define GPU_IDENTITY_SCHEMA "ptdiag.gpu-identity/1"

static const char *const vendor_names[] = {"nvidia", "amd", "intel", NULL};
static const char *const segment_names[] = {"consumer", "professional", "datacenter", NULL};
static const char *const reset_names[] = {
    "flr", "bus", "vendor-reset", "needs-vendor-reset-unsupported", "wpr2", "unknown", NULL};
static const char *const hv_names[] = {"none", "nvidia-pre-465.89", "windows-driver", NULL};
static const char *const rebar_names[] = {"required", "recommended", "avoid-in-vm", "neutral",
                                          NULL};
/* The PCI-SIG vendor id each vendor name stands for: an entry must agree with it. */
static const unsigned vendor_pci_ids[] = {0x10de, 0x1002, 0x8086};

/* Fields a family sets and an entry may override. */
static const char *const field_keys[] = {
    "vendor",           "family", "chip",    "segment",      "integrated",   "reset",
    "hypervisor_check", "rebar",  "sources", "video_decode", "video_encode", NULL};

struct loader {
    const char *file;
    const char *entry; /* family name or device id, for messages */
    struct ptd_error *err;
};

static int fail(struct loader *l, const char *what, const char *detail)
{
    if (l->entry)
        return ptd_error_set(l->err, "%s: entry '%s': %s%s%s", l->file, l->entry, what,
                             detail ? ": " : "", detail ? detail : "");
    return ptd_error_set(l->err, "%s: %s%s%s", l->file, what, detail ? ": " : "",
                         detail ? detail : "");
}

static int index_of(const char *const *names, const char *s)
{
    for (int i = 0; names[i]; i++)
        if (strcmp(names[i], s) == 0)
            return i;
    return -1;
}

static int check_keys(struct loader *l, const cJSON *obj, const char *const *extra)
{
    for (const cJSON *k = obj->child; k; k = k->next)
        if (index_of(field_keys, k->string) < 0 && (!extra || index_of(extra, k->string) < 0))
            return fail(l, "unknown key", k->string);
    return 0;
}

/* A string field from the entry, else from its family; must be one of names (when given). */
static int pick_str(struct loader *l, const cJSON *entry, const cJSON *family, const char *key,
                    const char *const *names, bool required, const char **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(entry, key);
    if (!v && family)
        v = cJSON_GetObjectItemCaseSensitive(family, key);
    *out = NULL;
    if (!v) {
        if (required)
            return fail(l, "missing (in the entry and its family)", key);
        return 0;
    }
    if (!cJSON_IsString(v) || !v->valuestring[0])
        return fail(l, "must be a non-empty string", key);
    if (names && index_of(names, v->valuestring) < 0) {
        char msg[160];
        snprintf(msg, sizeof msg, "%s \"%.80s\" is not a known value", key, v->valuestring);
        return fail(l, msg, NULL);
    }
    *out = v->valuestring;
    return 0;
}

/* Every source is a public URL a user can open. */
static int check_sources(struct loader *l, const cJSON *obj)
{
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(obj, "sources");
    if (!s)
        return 0;
    if (!cJSON_IsArray(s) || cJSON_GetArraySize(s) == 0)
        return fail(l, "\"sources\" must be a non-empty array of URLs", NULL);
    const cJSON *u;
    cJSON_ArrayForEach(u, s)
    {
        if (!cJSON_IsString(u) || strncmp(u->valuestring, "https://", 8) != 0 ||
            strpbrk(u->valuestring, " \t\n"))
            return fail(l, "a source must be an https:// URL",
                        cJSON_IsString(u) ? u->valuestring : NULL);
    }
    return 0;
}

static bool hex4(const char *s, size_t n, unsigned *out)
{
    if (n != 4)
        return false;
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isxdigit((unsigned char)s[i]))
            return false;
        v = v * 16 + (unsigned)(isdigit((unsigned char)s[i])
                                    ? s[i] - '0'
                                    : (tolower((unsigned char)s[i]) - 'a' + 10));
    }
    *out = v;
    return true;
}

/* "10de:2204" or "1002:73a0-73bf". */
static int parse_id(struct loader *l, const char *text, struct rpt_gpu_id *id)
{
    const char *colon = strchr(text, ':');
    const char *dash = colon ? strchr(colon, '-') : NULL;
    size_t dl = dash ? (size_t)(dash - colon - 1) : (colon ? strlen(colon + 1) : 0);
    if (!colon || !hex4(text, (size_t)(colon - text), &id->vendor_id) ||
        !hex4(colon + 1, dl, &id->first))
        return fail(l, "\"id\" must be vvvv:dddd or vvvv:dddd-dddd (hex)", text);
    id->last = id->first;
    id->range = dash != NULL;
    if (dash && (!hex4(dash + 1, strlen(dash + 1), &id->last) || id->last <= id->first))
        return fail(l, "a range must be vvvv:dddd-dddd with the first id below the last", text);
    return 0;
}

/* An optional bool the entry or its family sets: 1, 0, or -1 when neither does. */
static int pick_tri(struct loader *l, const cJSON *e, const cJSON *fam, const char *key, int *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, key);
    if (!v)
        v = cJSON_GetObjectItemCaseSensitive(fam, key);
    if (v && !cJSON_IsBool(v))
        return fail(l, "must be true or false", key);
    *out = v ? cJSON_IsTrue(v) : -1;
    return 0;
}

static int parse_entry(struct loader *l, const cJSON *families, const cJSON *e,
                       struct rpt_gpu_id *id)
{
    static const char *const entry_extra[] = {"id", "name", NULL};
    if (!cJSON_IsObject(e))
        return fail(l, "every device entry must be an object", NULL);
    const char *text = ptd_json_get_str(e, "id");
    if (!text)
        return fail(l, "a device entry needs \"id\"", NULL);
    l->entry = text;
    if (check_keys(l, e, entry_extra) < 0 || parse_id(l, text, id) < 0 || check_sources(l, e) < 0)
        return -1;
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(e, "name");
    if (name && !cJSON_IsString(name))
        return fail(l, "\"name\" must be a string", NULL);
    const char *fam_key = ptd_json_get_str(e, "family");
    const cJSON *fam = fam_key ? cJSON_GetObjectItemCaseSensitive(families, fam_key) : NULL;
    if (!fam)
        return fail(l, "\"family\" must name an entry of \"families\"", fam_key);
    /* "family" in an entry names its family object; the family object's own "family" is
     * the architecture name reported. */
    if (pick_str(l, fam, NULL, "family", NULL, true, &id->family) < 0 ||
        pick_str(l, e, fam, "vendor", vendor_names, true, &id->vendor) < 0 ||
        pick_str(l, e, fam, "chip", NULL, false, &id->chip) < 0 ||
        pick_str(l, e, fam, "segment", segment_names, false, &id->segment) < 0 ||
        pick_str(l, e, fam, "reset", reset_names, true, &id->reset) < 0 ||
        pick_str(l, e, fam, "hypervisor_check", hv_names, false, &id->hypervisor_check) < 0 ||
        pick_str(l, e, fam, "rebar", rebar_names, true, &id->rebar) < 0)
        return -1;
    const cJSON *ig = cJSON_GetObjectItemCaseSensitive(e, "integrated");
    if (!ig)
        ig = cJSON_GetObjectItemCaseSensitive(fam, "integrated");
    if (!cJSON_IsBool(ig))
        return fail(l, "\"integrated\" must be true or false (in the entry or its family)", NULL);
    id->integrated = cJSON_IsTrue(ig);
    if (pick_tri(l, e, fam, "video_decode", &id->video_decode) < 0 ||
        pick_tri(l, e, fam, "video_encode", &id->video_encode) < 0)
        return -1;
    if (vendor_pci_ids[index_of(vendor_names, id->vendor)] != id->vendor_id)
        return fail(l, "the id's vendor does not match \"vendor\"", id->vendor);
    return 0;
}

static int check_family(struct loader *l, const cJSON *fam)
{
    if (!cJSON_IsObject(fam))
        return fail(l, "a family must be an object", NULL);
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(fam, "sources");
    if (!s)
        return fail(l, "a family needs \"sources\" (public URLs)", NULL);
    return check_keys(l, fam, NULL) < 0 || check_sources(l, fam) < 0 ? -1 : 0;
}

/* Two exact ids, or two ranges, must not overlap: which entry wins would be arbitrary. */
static int check_overlaps(struct loader *l, const struct rpt_gpu_identity *t)
{
    for (size_t i = 0; i < t->nids; i++) {
        const struct rpt_gpu_id *a = &t->ids[i];
        for (size_t k = 0; k < i; k++) {
            const struct rpt_gpu_id *b = &t->ids[k];
            if (a->vendor_id != b->vendor_id || a->range != b->range || a->first > b->last ||
                b->first > a->last)
                continue;
            char msg[96];
            snprintf(msg, sizeof msg, "%04x:%04x-%04x overlaps %04x:%04x-%04x", a->vendor_id,
                     a->first, a->last, b->vendor_id, b->first, b->last);
            l->entry = NULL;
            return fail(l, a->range ? "overlapping ranges" : "duplicate id", msg);
        }
    }
    return 0;
}

void rpt_gpu_identity_free(struct rpt_gpu_identity *t)
{
    if (!t)
        return;
    free(t->ids);
    cJSON_Delete(t->json);
    free(t->file);
    free(t);
}

int rpt_gpu_identity_load_buffer(const char *name, const char *data, size_t len,
                                 struct rpt_gpu_identity **out, struct ptd_error *err)
{
    struct loader l = {.file = name, .err = err};
    struct rpt_gpu_identity *t = calloc(1, sizeof *t);
    *out = NULL;
    if (!t || !(t->file = strdup(name))) {
        free(t);
        return ptd_error_set(err, "%s: out of memory", name);
    }
    const char *end = NULL;
    t->json = cJSON_ParseWithLengthOpts(data, len, &end, false);
    if (!t->json) {
        ptd_error_set(err, "%s: not valid JSON (near byte %zu)", name,
                      end ? (size_t)(end - data) : 0);
        goto fail;
    }
    static const char *const top_keys[] = {"schema", "description", "families", "devices", NULL};
    if (!cJSON_IsObject(t->json)) {
        fail(&l, "top level must be an object", NULL);
        goto fail;
    }
    for (const cJSON *k = t->json->child; k; k = k->next)
        if (index_of(top_keys, k->string) < 0) {
            fail(&l, "unknown top-level key", k->string);
            goto fail;
        }
    const char *schema = ptd_json_get_str(t->json, "schema");
    if (!schema || strcmp(schema, GPU_IDENTITY_SCHEMA) != 0) {
        fail(&l, "\"schema\" must be \"" GPU_IDENTITY_SCHEMA "\"", schema);
        goto fail;
    }
    const cJSON *families = cJSON_GetObjectItemCaseSensitive(t->json, "families");
    const cJSON *devices = cJSON_GetObjectItemCaseSensitive(t->json, "devices");
    if (!cJSON_IsObject(families) || !families->child) {
        fail(&l, "\"families\" must be a non-empty object", NULL);
        goto fail;
    }
    if (!cJSON_IsArray(devices) || cJSON_GetArraySize(devices) == 0) {
        fail(&l, "\"devices\" must be a non-empty array", NULL);
        goto fail;
    }
    for (const cJSON *f = families->child; f; f = f->next) {
        l.entry = f->string;
        if (check_family(&l, f) < 0)
            goto fail;
    }
    t->ids = calloc((size_t)cJSON_GetArraySize(devices), sizeof *t->ids);
    if (!t->ids) {
        fail(&l, "out of memory", NULL);
        goto fail;
    }
    const cJSON *e;
    cJSON_ArrayForEach(e, devices)
    {
        l.entry = NULL;
        if (parse_entry(&l, families, e, &t->ids[t->nids]) < 0)
            goto fail;
        t->nids++;
    }
    if (check_overlaps(&l, t) < 0)
        goto fail;
    *out = t;
    return 0;
fail:
    rpt_gpu_identity_free(t);
    return -1;
}

int rpt_gpu_identity_load_file(const char *path, struct rpt_gpu_identity **out,
                               struct ptd_error *err)
{
    char *data = NULL;
    size_t len = 0;
    *out = NULL;
    if (rpt_read_data_file(path, &data, &len, err) < 0)
        return -1;
    int rc = rpt_gpu_identity_load_buffer(path, data, len, out, err);
    free(data);
    return rc;
}

const struct rpt_gpu_id *rpt_gpu_identity_lookup(const struct rpt_gpu_identity *t,
                                                 const char *vendor_id, const char *device_id)
{
    unsigned v, d;
    if (!t || !vendor_id || !device_id || !hex4(vendor_id, strlen(vendor_id), &v) ||
        !hex4(device_id, strlen(device_id), &d))
        return NULL;
    const struct rpt_gpu_id *in_range = NULL;
    for (size_t i = 0; i < t->nids; i++) {
        const struct rpt_gpu_id *id = &t->ids[i];
        if (id->vendor_id != v || d < id->first || d > id->last)
            continue;
        if (!id->range)
            return id;
        in_range = id;
    }
    return in_range;
}

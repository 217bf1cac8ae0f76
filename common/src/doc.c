/* SPDX-License-Identifier: MIT */
#include "ptdiag/doc.h"
#include "ptdiag/escape.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef PTDIAG_VERSION
#define PTDIAG_VERSION "0.0.0"
#endif

const char *ptd_version(void)
{
    return PTDIAG_VERSION;
}

const char *ptd_os_name(void)
{
#ifdef _WIN32
    return "windows";
#else
    return "linux";
#endif
}

void ptd_time_rfc3339(time_t t, char *buf, size_t buflen)
{
    struct tm tm;

#ifdef _WIN32
    gmtime_s(&tm, &t);
#else
    gmtime_r(&t, &tm);
#endif
    strftime(buf, buflen, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (H. Hinnant's algorithm);
 * avoids timegm(), which MinGW lacks. */
static long long days_from_civil(int y, unsigned m, unsigned d)
{
    unsigned yoe, doy, doe;
    int era;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* m is 1..12: no wrap-around */
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (long long)era * 146097 + (long long)doe - 719468;
}

int ptd_time_parse_rfc3339(const char *s, time_t *out)
{
    int y, mo, d, h, mi, sec, n = 0;
    const char *p;

    if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 ||
        n != 19)
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 || y < 1970)
        return -1;
    p = s + n;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return -1;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (strcmp(p, "Z") != 0 && strcmp(p, "+00:00") != 0)
        return -1;
    *out = (time_t)(days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400LL + h * 3600LL +
                    mi * 60LL + sec);
    return 0;
}

cJSON *ptd_doc_new(const char *schema, const char *producer_name)
{
    cJSON *doc = cJSON_CreateObject(), *prod;
    const char *fixed = getenv("PTDIAG_FIXED_TIME");
    char when[32];
    time_t t;

    if (!doc)
        return NULL;
    cJSON_AddStringToObject(doc, "schema", schema);
    prod = cJSON_AddObjectToObject(doc, "producer");
    if (prod) {
        cJSON_AddStringToObject(prod, "name", producer_name);
        cJSON_AddStringToObject(prod, "version", ptd_version());
        cJSON_AddStringToObject(prod, "os", ptd_os_name());
    }
    if (fixed && ptd_time_parse_rfc3339(fixed, &t) == 0)
        ptd_time_rfc3339(t, when, sizeof(when));
    else
        ptd_time_rfc3339(time(NULL), when, sizeof(when));
    cJSON_AddStringToObject(doc, "collected_at", when);
    cJSON_AddArrayToObject(doc, "errors");
    return doc;
}

void ptd_doc_add_error(cJSON *doc, const char *source, const char *fmt, ...)
{
    cJSON *errors = cJSON_GetObjectItemCaseSensitive(doc, "errors"), *e;
    char msg[1024];
    va_list ap;

    if (!errors) {
        errors = cJSON_AddArrayToObject(doc, "errors");
        if (!errors)
            return;
    }
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    e = cJSON_CreateObject();
    if (!e)
        return;
    cJSON_AddStringToObject(e, "source", source);
    cJSON_AddStringToObject(e, "message", msg);
    cJSON_AddItemToArray(errors, e);
}

cJSON *ptd_json_add_str(cJSON *obj, const char *key, const char *value)
{
    return value ? cJSON_AddStringToObject(obj, key, value) : cJSON_AddNullToObject(obj, key);
}

cJSON *ptd_json_add_num(cJSON *obj, const char *key, double value, bool known)
{
    return known ? cJSON_AddNumberToObject(obj, key, value) : cJSON_AddNullToObject(obj, key);
}

cJSON *ptd_json_add_u64(cJSON *obj, const char *key, uint64_t value, bool known)
{
    return ptd_json_add_num(obj, key, (double)value, known);
}

cJSON *ptd_json_add_tri(cJSON *obj, const char *key, int tri)
{
    return tri < 0 ? cJSON_AddNullToObject(obj, key) : cJSON_AddBoolToObject(obj, key, tri > 0);
}

cJSON *ptd_json_add_hex16(cJSON *obj, const char *key, unsigned value)
{
    char buf[8];

    snprintf(buf, sizeof(buf), "%04x", value & 0xffffu);
    return cJSON_AddStringToObject(obj, key, buf);
}

int ptd_doc_write(const cJSON *doc, const char *path, bool pretty, struct ptd_error *err)
{
    char *raw = pretty ? cJSON_Print(doc) : cJSON_PrintUnformatted(doc);
    /* A document may carry strings read from a guest or a config: written out as valid UTF-8
     * with DEL, C1 and bidi controls escaped (escape.h). */
    char *text = raw ? ptd_esc_json_dup(raw) : NULL;
    FILE *f = NULL;
    const char *name = (!path || strcmp(path, "-") == 0) ? "<stdout>" : path;
    int ret = -1;

    cJSON_free(raw);
    if (!text)
        return ptd_error_set(err, "%s: out of memory while serialising the document", name);
    if (!path || strcmp(path, "-") == 0) {
        f = stdout;
    } else {
        f = fopen(path, "w");
        if (!f) {
            ptd_error_set(err, "%s: cannot open for writing: %s", path, strerror(errno));
            goto out;
        }
    }
    if (fputs(text, f) == EOF || fputc('\n', f) == EOF || fflush(f) != 0) {
        ptd_error_set(err, "%s: write failed: %s", name, strerror(errno));
        goto out;
    }
    ret = 0;
out:
    if (f && f != stdout && fclose(f) != 0 && ret == 0)
        ret = ptd_error_set(err, "%s: write failed: %s", name, strerror(errno));
    free(text);
    return ret;
}

int ptd_doc_parse(const char *name, const char *data, size_t len, const char *expected_schema,
                  cJSON **out, struct ptd_error *err)
{
    const cJSON *schema;
    const char *end = NULL;
    cJSON *doc;

    *out = NULL;
    if (len == 0)
        return ptd_error_set(err, "%s: empty file, expected a ptdiag JSON document", name);
    if (memchr(data, '\0', len))
        return ptd_error_set(err, "%s: contains a NUL byte: not a JSON document", name);
    doc = cJSON_ParseWithLengthOpts(data, len, &end, 0);
    if (!doc) {
        size_t off = end && end >= data ? (size_t)(end - data) : 0;
        return ptd_error_set(err, "%s: invalid JSON near byte %zu", name, off);
    }
    if (!cJSON_IsObject(doc)) {
        cJSON_Delete(doc);
        return ptd_error_set(err, "%s: top level is not a JSON object", name);
    }
    schema = cJSON_GetObjectItemCaseSensitive(doc, "schema");
    if (!cJSON_IsString(schema)) {
        cJSON_Delete(doc);
        return ptd_error_set(err, "%s: no \"schema\" string: not a ptdiag document", name);
    }
    if (expected_schema ? strcmp(schema->valuestring, expected_schema) != 0
                        : strncmp(schema->valuestring, "ptdiag.", 7) != 0) {
        ptd_error_set(err, "%s: schema is \"%.64s\", expected \"%s\"", name, schema->valuestring,
                      expected_schema ? expected_schema : "ptdiag.*");
        cJSON_Delete(doc);
        return -1;
    }
    *out = doc;
    return 0;
}

int ptd_doc_load(const char *path, const char *expected_schema, cJSON **out, struct ptd_error *err)
{
    FILE *f;
    char *buf = NULL;
    size_t used = 0, cap = 65536;
    int ret = -1;

    *out = NULL;
    if (strcmp(path, "-") != 0) {
        struct stat st;

        /* A FIFO or device would block or never end: documents are regular files. */
        if (stat(path, &st) != 0)
            return ptd_error_set(err, "%s: cannot open: %s", path, strerror(errno));
        if (!S_ISREG(st.st_mode))
            return ptd_error_set(err, "%s: not a regular file", path);
    }
    f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f)
        return ptd_error_set(err, "%s: cannot open: %s", path, strerror(errno));
    buf = malloc(cap);
    if (!buf) {
        ptd_error_set(err, "%s: out of memory", path);
        goto out;
    }
    for (;;) {
        size_t r;

        if (used == cap) {
            char *nbuf;

            if (cap >= PTD_DOC_MAX_BYTES + 1) {
                ptd_error_set(err, "%s: larger than %u MiB: not a ptdiag document", path,
                              PTD_DOC_MAX_BYTES >> 20);
                goto out;
            }
            cap = cap * 2 > PTD_DOC_MAX_BYTES + 1 ? PTD_DOC_MAX_BYTES + 1 : cap * 2;
            nbuf = realloc(buf, cap);
            if (!nbuf) {
                ptd_error_set(err, "%s: out of memory", path);
                goto out;
            }
            buf = nbuf;
        }
        r = fread(buf + used, 1, cap - used, f);
        used += r;
        if (r == 0) {
            if (ferror(f)) {
                ptd_error_set(err, "%s: read error: %s", path, strerror(errno));
                goto out;
            }
            break;
        }
    }
    if (used > PTD_DOC_MAX_BYTES) {
        ptd_error_set(err, "%s: larger than %u MiB: not a ptdiag document", path,
                      PTD_DOC_MAX_BYTES >> 20);
        goto out;
    }
    ret = ptd_doc_parse(path, buf, used, expected_schema, out, err);
out:
    free(buf);
    if (f != stdin)
        fclose(f);
    return ret;
}

const cJSON *ptd_json_get(const cJSON *obj, const char *dotted_path)
{
    const char *p = dotted_path;
    char key[128];

    while (obj && *p) {
        size_t n = strcspn(p, ".");

        if (n == 0 || n >= sizeof(key))
            return NULL;
        memcpy(key, p, n);
        key[n] = '\0';
        p += n;
        if (*p == '.')
            p++;
        if (cJSON_IsArray(obj)) {
            char *end;
            long idx = strtol(key, &end, 10);

            if (*end != '\0' || idx < 0)
                return NULL;
            obj = cJSON_GetArrayItem(obj, (int)idx);
        } else if (cJSON_IsObject(obj)) {
            obj = cJSON_GetObjectItemCaseSensitive(obj, key);
        } else {
            return NULL;
        }
    }
    return obj;
}

const char *ptd_json_get_str(const cJSON *obj, const char *dotted_path)
{
    const cJSON *it = ptd_json_get(obj, dotted_path);

    return cJSON_IsString(it) ? it->valuestring : NULL;
}

double ptd_json_get_num(const cJSON *obj, const char *dotted_path, double dflt)
{
    const cJSON *it = ptd_json_get(obj, dotted_path);

    return cJSON_IsNumber(it) ? it->valuedouble : dflt;
}

int ptd_json_get_tri(const cJSON *obj, const char *dotted_path)
{
    const cJSON *it = ptd_json_get(obj, dotted_path);

    if (cJSON_IsTrue(it))
        return 1;
    if (cJSON_IsFalse(it))
        return 0;
    return -1;
}

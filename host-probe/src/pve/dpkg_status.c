/* SPDX-License-Identifier: MIT */
/* dpkg's status database. See dpkg_status.h. */
#include "dpkg_status.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* deb-version(7): [epoch:]upstream[-revision], alphanumerics and . + - ~ : */
#define VERSION_CHARS "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.+-~:"
#define VERSION_MAX   128

struct stanza {
    const char *package, *status, *version; /* point into the data, not NUL-terminated */
    size_t package_len, status_len, version_len;
};

/* "Field: value" at line (n bytes): sets *value to the trimmed value when the field matches. */
static bool field(const char *line, size_t n, const char *name, const char **value,
                  size_t *value_len)
{
    size_t k = strlen(name);

    if (n <= k || strncmp(line, name, k) || line[k] != ':')
        return false;
    line += k + 1;
    n -= k + 1;
    while (n && (*line == ' ' || *line == '\t')) {
        line++;
        n--;
    }
    while (n && (line[n - 1] == ' ' || line[n - 1] == '\t' || line[n - 1] == '\r'))
        n--;
    *value = line;
    *value_len = n;
    return true;
}

/* deb-version(7) characters only, and not empty or absurdly long. */
static bool valid_version(const char *v, size_t n)
{
    size_t i;

    if (!v || !n || n > VERSION_MAX)
        return false;
    for (i = 0; i < n; i++)
        if (!v[i] || !strchr(VERSION_CHARS, v[i]))
            return false;
    return true;
}

static bool equals(const char *s, size_t n, const char *want)
{
    return s && n == strlen(want) && !strncmp(s, want, n);
}

/* Status is "want flag status"; the last word says whether the files are there. */
static bool installed(const struct stanza *st)
{
    const char *sp;

    if (!st->status)
        return false;
    sp = st->status + st->status_len;
    while (sp > st->status && sp[-1] != ' ')
        sp--;
    return equals(sp, (size_t)(st->status + st->status_len - sp), "installed");
}

int dpkg_for_each_installed(const char *file, const char *data, size_t len,
                            int (*visit)(const char *package, size_t package_len,
                                         const char *version, size_t version_len, void *user),
                            void *user, struct ptd_error *err)
{
    struct stanza st = {0};
    size_t pos = 0;
    bool any_package = false;
    int r;

    while (pos < len) {
        const char *line = data + pos, *nl = memchr(line, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - line) : len - pos;
        bool blank = n == 0 || (n == 1 && *line == '\r');

        if (memchr(line, '\0', n))
            return ptd_error_set(err, "%s: binary data (a NUL byte): not a dpkg status file", file);
        if (field(line, n, "Package", &st.package, &st.package_len))
            any_package = true;
        else if (!field(line, n, "Status", &st.status, &st.status_len))
            field(line, n, "Version", &st.version, &st.version_len);
        pos += n + 1;
        if (!blank && pos < len)
            continue;
        /* a blank line or the end of the data ends the stanza */
        if (st.package && st.package_len && installed(&st)) {
            bool ok = valid_version(st.version, st.version_len);

            r = visit(st.package, st.package_len, ok ? st.version : NULL, ok ? st.version_len : 0,
                      user);
            if (r)
                return r;
        }
        memset(&st, 0, sizeof(st));
    }
    if (!any_package && len)
        return ptd_error_set(err, "%s: no \"Package:\" field: not a dpkg status file", file);
    return 0;
}

struct find_one {
    const char *file, *package;
    char *version;
    struct ptd_error *err;
};

static int find_one_visit(const char *package, size_t package_len, const char *version,
                          size_t version_len, void *user)
{
    struct find_one *f = user;

    if (!equals(package, package_len, f->package))
        return 0;
    if (!version)
        return ptd_error_set(f->err, "%s: package %s: Version missing or malformed", f->file,
                             f->package);
    f->version = strndup(version, version_len);
    return f->version ? 1 : 2;
}

int dpkg_installed_version(const char *file, const char *data, size_t len, const char *package,
                           char **version, struct ptd_error *err)
{
    struct find_one f = {file, package, NULL, err};
    int r = dpkg_for_each_installed(file, data, len, find_one_visit, &f, err);

    *version = f.version;
    if (r == 2)
        return ptd_error_set(err, "%s: out of memory", file);
    return r;
}

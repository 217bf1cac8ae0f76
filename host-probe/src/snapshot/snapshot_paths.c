/* SPDX-License-Identifier: MIT */
/*
 * Path safety for --save-snapshot (snapshot.c): decides which traced paths may be
 * recreated, creates directories under DIR, and resolves parents and link targets, always
 * checking that the result stays inside DIR. This file's one job is keeping the snapshot
 * writer from creating anything outside the snapshot directory.
 */
#include "snapshot_paths.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- path safety -------------------------------------------------------------------- */

/* A traced system path we are willing to recreate: absolute, no "." / ".." / empty parts. */
bool safe_sys_path(const char *p)
{
    const char *c = p;

    if (p[0] != '/' || strlen(p) >= PATH_MAX / 2)
        return false;
    while (*c == '/') {
        size_t n;

        c++;
        n = strcspn(c, "/");
        if (n == 0 && *c != '\0')
            return false;
        if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
            return false;
        c += n;
    }
    return true;
}

bool inside(const struct snap *s, const char *real)
{
    size_t n = strlen(s->base);

    return strncmp(real, s->base, n) == 0 && (real[n] == '\0' || real[n] == '/');
}

/* mkdir -p of base + rel (rel starts with '/'), following the links already made inside
 * DIR; checks the result is still inside DIR. */
int mkdirs(struct snap *s, const char *rel)
{
    char path[PATH_MAX], real[PATH_MAX];
    size_t blen = strlen(s->base), i;

    int n = snprintf(path, sizeof(path), "%s%s", s->base, rel);

    if (n < 0 || (size_t)n >= sizeof(path))
        return -ENAMETOOLONG;
    for (i = blen + 1; path[i - 1]; i++) {
        if (path[i] != '/' && path[i] != '\0')
            continue;
        {
            char save = path[i];

            path[i] = '\0';
            if (mkdir(path, 0755) != 0 && errno != EEXIST) {
                int e = -errno;
                path[i] = save;
                return e;
            }
            path[i] = save;
        }
        if (!path[i])
            break;
    }
    if (!realpath(path, real))
        return -errno;
    if (!inside(s, real))
        return -EXDEV;
    return 0;
}

/* Lexically resolves `target` relative to the directory `dir_real` (no links in it). */
int resolve_lexically(const char *dir_real, const char *target, char *out, size_t outlen)
{
    char buf[PATH_MAX * 2];
    char *parts[PATH_MAX / 2];
    size_t np = 0, i, len = 0;
    char *tok, *save = NULL;

    if (snprintf(buf, sizeof(buf), "%s/%s", dir_real, target) >= (int)sizeof(buf))
        return -ENAMETOOLONG;
    for (tok = strtok_r(buf, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
        if (strcmp(tok, ".") == 0)
            continue;
        if (strcmp(tok, "..") == 0) {
            if (np > 0)
                np--;
            continue;
        }
        if (np == sizeof(parts) / sizeof(parts[0]))
            return -ENAMETOOLONG;
        parts[np++] = tok;
    }
    out[0] = '\0';
    for (i = 0; i < np; i++) {
        size_t n = strlen(parts[i]);

        if (len + n + 2 > outlen)
            return -ENAMETOOLONG;
        out[len++] = '/';
        memcpy(out + len, parts[i], n);
        len += n;
        out[len] = '\0';
    }
    if (len == 0)
        snprintf(out, outlen, "/");
    return 0;
}

/* Splits sys_path into its parent (made and resolved inside DIR) and basename. */
int prepare_parent(struct snap *s, const char *sys_path, char *parent_real, size_t len,
                   const char **base)
{
    char parent[PATH_MAX];
    const char *slash = strrchr(sys_path, '/');
    int ret;

    *base = slash + 1;
    snprintf(parent, sizeof(parent), "%.*s", (int)(slash - sys_path), sys_path);
    ret = mkdirs(s, parent[0] ? parent : "/");
    if (ret)
        return ret;
    {
        char p[PATH_MAX * 2];

        snprintf(p, sizeof(p), "%s%s", s->base, parent);
        if (!realpath(p, parent_real))
            return -errno;
    }
    (void)len;
    return inside(s, parent_real) ? 0 : -EXDEV;
}

/* SPDX-License-Identifier: MIT */
/* The --root seam (POSIX). See ptdiag/root.h. */
#include "ptdiag/root.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int ptd_root_init(struct ptd_root *root, const char *dir, struct ptd_error *err)
{
    struct stat st;
    size_t n;

    memset(root, 0, sizeof(*root));
    if (!dir || !dir[0] || strcmp(dir, "/") == 0)
        return 0;
    n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    if (n >= sizeof(root->dir))
        return ptd_error_set(err, "%s: root path too long", dir);
    if (stat(dir, &st) != 0)
        return ptd_error_set(err, "%s: cannot use as root: %s", dir, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return ptd_error_set(err, "%s: cannot use as root: not a directory", dir);
    memcpy(root->dir, dir, n);
    root->dir[n] = '\0';
    return 0;
}

int ptd_root_enable_trace(struct ptd_root *root)
{
    if (root->trace)
        return 0;
    root->trace = calloc(1, sizeof(*root->trace));
    return root->trace ? 0 : -ENOMEM;
}

void ptd_root_fini(struct ptd_root *root)
{
    size_t i;

    if (!root || !root->trace)
        return;
    for (i = 0; i < root->trace->count; i++)
        free(root->trace->entries[i].path);
    free(root->trace->entries);
    free(root->trace);
    root->trace = NULL;
}

bool ptd_root_is_live(const struct ptd_root *root)
{
    return root->dir[0] == '\0';
}

int ptd_root_path(const struct ptd_root *root, const char *sys_path, char *out, size_t outlen)
{
    int n;

    if (!sys_path || sys_path[0] != '/')
        return -EINVAL;
    n = snprintf(out, outlen, "%s%s", root->dir, sys_path);
    if (n < 0 || (size_t)n >= outlen)
        return -ENAMETOOLONG;
    return 0;
}

void ptd_root_trace(struct ptd_root *root, const char *sys_path, enum ptd_trace_kind kind)
{
    struct ptd_trace *t = root->trace;
    size_t i;

    if (!t)
        return;
    /* Probes touch a few hundred paths; a linear scan from the end catches the common
     * repeat (same attribute twice in a row) cheaply and keeps access order. */
    for (i = t->count; i > 0; i--) {
        if (t->entries[i - 1].kind == kind && strcmp(t->entries[i - 1].path, sys_path) == 0)
            return;
        if (t->count - i > 64)
            break;
    }
    if (t->count == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        struct ptd_trace_entry *e = realloc(t->entries, cap * sizeof(*e));
        if (!e)
            return; /* the snapshot will miss a file; the probe itself is unaffected */
        t->entries = e;
        t->cap = cap;
    }
    t->entries[t->count].path = strdup(sys_path);
    if (!t->entries[t->count].path)
        return;
    t->entries[t->count].kind = kind;
    t->count++;
}

int ptd_root_read_file(struct ptd_root *root, const char *sys_path, size_t max_bytes, char **data,
                       size_t *len)
{
    char path[PATH_MAX];
    struct stat st;
    char *buf = NULL;
    size_t used = 0, cap;
    int fd = -1, ret;

    *data = NULL;
    if (len)
        *len = 0;
    ret = ptd_root_path(root, sys_path, path, sizeof(path));
    if (ret)
        return ret;
    /* O_NONBLOCK: a FIFO planted in a snapshot must not hang the probe. */
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return -errno;
    if (fstat(fd, &st) != 0) {
        ret = -errno;
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        ret = -EINVAL;
        goto out;
    }
    /* sysfs reports 4096 and procfs 0 whatever the content: st_size is only a hint. */
    cap = st.st_size > 0 && (size_t)st.st_size < max_bytes ? (size_t)st.st_size + 1 : 4096;
    if (cap > max_bytes + 1)
        cap = max_bytes + 1;
    buf = malloc(cap + 1);
    if (!buf) {
        ret = -ENOMEM;
        goto out;
    }
    for (;;) {
        ssize_t r;

        if (used == cap) {
            size_t ncap;
            char *nbuf;

            if (used > max_bytes) {
                ret = -EFBIG;
                goto out;
            }
            ncap = cap * 2 > max_bytes + 1 ? max_bytes + 1 : cap * 2;
            if (ncap <= cap) {
                ret = -EFBIG;
                goto out;
            }
            nbuf = realloc(buf, ncap + 1);
            if (!nbuf) {
                ret = -ENOMEM;
                goto out;
            }
            buf = nbuf;
            cap = ncap;
        }
        r = read(fd, buf + used, cap - used);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            ret = -errno;
            goto out;
        }
        if (r == 0)
            break;
        used += (size_t)r;
    }
    if (used > max_bytes) {
        ret = -EFBIG;
        goto out;
    }
    buf[used] = '\0';
    *data = buf;
    buf = NULL;
    if (len)
        *len = used;
    ptd_root_trace(root, sys_path, PTD_TRACE_FILE);
    ret = 0;
out:
    free(buf);
    if (fd >= 0)
        close(fd);
    return ret;
}

int ptd_root_read_attr(struct ptd_root *root, const char *sys_path, char *buf, size_t buflen)
{
    char *data;
    size_t len;
    int ret;

    if (buflen == 0)
        return -EINVAL;
    ret = ptd_root_read_file(root, sys_path, 64 * 1024, &data, &len);
    if (ret)
        return ret;
    while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == ' ' || data[len - 1] == '\t' ||
                       data[len - 1] == '\r'))
        data[--len] = '\0';
    if (len >= buflen) {
        free(data);
        return -EOVERFLOW;
    }
    memcpy(buf, data, len + 1);
    free(data);
    return 0;
}

int ptd_root_read_u64(struct ptd_root *root, const char *sys_path, uint64_t *out)
{
    char buf[64], *end;
    unsigned long long v;
    int ret;

    ret = ptd_root_read_attr(root, sys_path, buf, sizeof(buf));
    if (ret)
        return ret;
    if (!buf[0] || buf[0] == '-')
        return -EINVAL;
    errno = 0;
    v = strtoull(buf, &end, 0);
    if (errno || *end != '\0')
        return -EINVAL;
    *out = v;
    return 0;
}

int ptd_root_readlink(struct ptd_root *root, const char *sys_path, char *buf, size_t buflen)
{
    char path[PATH_MAX];
    ssize_t n;
    int ret;

    ret = ptd_root_path(root, sys_path, path, sizeof(path));
    if (ret)
        return ret;
    if (buflen == 0)
        return -EINVAL;
    n = readlink(path, buf, buflen - 1);
    if (n < 0)
        return -errno;
    if ((size_t)n >= buflen - 1)
        return -ENAMETOOLONG;
    buf[n] = '\0';
    ptd_root_trace(root, sys_path, PTD_TRACE_LINK);
    return 0;
}

int ptd_root_link_basename(struct ptd_root *root, const char *sys_path, char *buf, size_t buflen)
{
    char target[PATH_MAX];
    const char *base;
    int ret;

    ret = ptd_root_readlink(root, sys_path, target, sizeof(target));
    if (ret)
        return ret;
    base = strrchr(target, '/');
    base = base ? base + 1 : target;
    if (strlen(base) >= buflen)
        return -ENAMETOOLONG;
    strcpy(buf, base);
    return 0;
}

int ptd_root_stat(struct ptd_root *root, const char *sys_path, struct stat *st)
{
    char path[PATH_MAX];
    int ret;

    ret = ptd_root_path(root, sys_path, path, sizeof(path));
    if (ret)
        return ret;
    if (stat(path, st) != 0)
        return -errno;
    ptd_root_trace(root, sys_path, PTD_TRACE_EXISTS);
    return 0;
}

int ptd_root_exists(struct ptd_root *root, const char *sys_path)
{
    struct stat st;
    int ret = ptd_root_stat(root, sys_path, &st);

    if (ret == 0)
        return 1;
    if (ret == -ENOENT || ret == -ENOTDIR)
        return 0;
    return ret;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void ptd_strv_free(char **v)
{
    size_t i;

    if (!v)
        return;
    for (i = 0; v[i]; i++)
        free(v[i]);
    free(v);
}

int ptd_root_list_dir(struct ptd_root *root, const char *sys_path, char ***names, size_t *count)
{
    char path[PATH_MAX];
    DIR *d = NULL;
    struct dirent *de;
    char **v = NULL;
    size_t n = 0, cap = 0;
    int ret;

    *names = NULL;
    if (count)
        *count = 0;
    ret = ptd_root_path(root, sys_path, path, sizeof(path));
    if (ret)
        return ret;
    d = opendir(path);
    if (!d)
        return -errno;
    errno = 0;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (n + 1 >= cap) {
            size_t ncap = cap ? cap * 2 : 32;
            char **nv = realloc(v, ncap * sizeof(*nv));
            if (!nv) {
                ret = -ENOMEM;
                goto out;
            }
            v = nv;
            cap = ncap;
        }
        v[n] = strdup(de->d_name);
        if (!v[n]) {
            ret = -ENOMEM;
            goto out;
        }
        v[++n] = NULL;
    }
    if (!v) {
        v = calloc(1, sizeof(*v));
        if (!v) {
            ret = -ENOMEM;
            goto out;
        }
    }
    qsort(v, n, sizeof(*v), cmp_str);
    *names = v;
    v = NULL;
    if (count)
        *count = n;
    ptd_root_trace(root, sys_path, PTD_TRACE_DIR);
    ret = 0;
out:
    ptd_strv_free(v);
    closedir(d);
    return ret;
}

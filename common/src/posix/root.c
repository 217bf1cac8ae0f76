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

static int cmp_str(const void *a, const void *b);

/* Loads DIR/.ptdiag-empty-dirs when present. A malformed line is skipped: the list only
 * restores directories, it never hides or invents files. */
static int load_empty_dirs(struct ptd_root *root, struct ptd_error *err)
{
    char path[PATH_MAX + 32], *line = NULL;
    size_t cap = 0, n = 0, alloc = 0;
    ssize_t len;
    FILE *f;
    int ret = -1;

    snprintf(path, sizeof(path), "%s/%s", root->dir, PTD_ROOT_EMPTY_DIRS_FILE);
    f = fopen(path, "re");
    if (!f)
        return errno == ENOENT ? 0 : ptd_error_set(err, "%s: %s", path, strerror(errno));
    while ((len = getline(&line, &cap, f)) >= 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0 || line[0] != '/' || strstr(line, "/..") || len >= PATH_MAX)
            continue;
        if (n + 1 >= alloc) {
            size_t na = alloc ? alloc * 2 : 32;
            char **nv;

            if (na > 1u << 20) {
                ptd_error_set(err, "%s: too many entries", path);
                goto out;
            }
            nv = realloc(root->empty_dirs, na * sizeof(*nv));
            if (!nv) {
                ptd_error_set(err, "%s: out of memory", path);
                goto out;
            }
            root->empty_dirs = nv;
            alloc = na;
        }
        root->empty_dirs[n] = strdup(line);
        if (!root->empty_dirs[n]) {
            ptd_error_set(err, "%s: out of memory", path);
            goto out;
        }
        root->empty_dirs[++n] = NULL;
    }
    if (n)
        qsort(root->empty_dirs, n, sizeof(char *), cmp_str);
    root->n_empty_dirs = n;
    ret = 0;
out:
    free(line);
    fclose(f);
    return ret;
}

/* True when sys_path is a listed empty directory or a parent of one. */
static bool in_empty_dirs(const struct ptd_root *root, const char *sys_path)
{
    size_t lo = 0, hi = root->n_empty_dirs, n = strlen(sys_path);

    /* binary search for the first entry >= sys_path */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;

        if (strcmp(root->empty_dirs[mid], sys_path) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* entries with sys_path as prefix are contiguous from lo ("/a-x" may sort between "/a"
     * and "/a/b", so look at all of them) */
    for (; lo < root->n_empty_dirs && strncmp(root->empty_dirs[lo], sys_path, n) == 0; lo++)
        if (root->empty_dirs[lo][n] == '\0' || root->empty_dirs[lo][n] == '/')
            return true;
    return false;
}

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
    if (load_empty_dirs(root, err) != 0) {
        ptd_root_fini(root);
        return -1;
    }
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

    if (!root)
        return;
    ptd_strv_free(root->empty_dirs);
    root->empty_dirs = NULL;
    root->n_empty_dirs = 0;
    if (!root->trace)
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
    if (stat(path, st) != 0) {
        if (errno != ENOENT || !in_empty_dirs(root, sys_path))
            return -errno;
        memset(st, 0, sizeof(*st));
        st->st_mode = S_IFDIR | 0755;
    }
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

/* Appends a copy of name[0..len) to the NULL-terminated vector unless it is already there. */
static int strv_add_unique(char ***v, size_t *n, size_t *cap, const char *name, size_t len,
                           bool check_dup)
{
    size_t i;

    if (check_dup)
        for (i = 0; i < *n; i++)
            if (strlen((*v)[i]) == len && strncmp((*v)[i], name, len) == 0)
                return 0;
    if (*n + 1 >= *cap) {
        size_t ncap = *cap ? *cap * 2 : 32;
        char **nv = realloc(*v, ncap * sizeof(*nv));

        if (!nv)
            return -ENOMEM;
        *v = nv;
        *cap = ncap;
    }
    (*v)[*n] = strndup(name, len);
    if (!(*v)[*n])
        return -ENOMEM;
    (*v)[++*n] = NULL;
    return 0;
}

int ptd_root_list_dir(struct ptd_root *root, const char *sys_path, char ***names, size_t *count)
{
    char path[PATH_MAX];
    DIR *d = NULL;
    struct dirent *de;
    char **v = NULL;
    size_t n = 0, cap = 0, plen = strlen(sys_path), i;
    int ret;

    *names = NULL;
    if (count)
        *count = 0;
    ret = ptd_root_path(root, sys_path, path, sizeof(path));
    if (ret)
        return ret;
    d = opendir(path);
    if (!d && (errno != ENOENT || !in_empty_dirs(root, sys_path)))
        return -errno;
    while (d && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        ret = strv_add_unique(&v, &n, &cap, de->d_name, strlen(de->d_name), false);
        if (ret)
            goto out;
    }
    /* children that only the empty-directory list remembers */
    for (i = 0; i < root->n_empty_dirs; i++) {
        const char *e = root->empty_dirs[i], *child;

        if (strncmp(e, sys_path, plen) != 0 || e[plen] != '/' || !e[plen + 1])
            continue;
        child = e + plen + 1;
        ret = strv_add_unique(&v, &n, &cap, child, strcspn(child, "/"), true);
        if (ret)
            goto out;
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
    if (d)
        closedir(d);
    return ret;
}

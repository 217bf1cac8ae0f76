/* SPDX-License-Identifier: MIT */
/*
 * --save-snapshot DIR: rebuilds, under DIR, every path the probes read (the root's trace),
 * so that `ptdiag-host --root DIR` replays the same document anywhere (DESIGN §3).
 *
 *  - files read are copied (with --redact: host name, MACs, IPs, UUIDs and serials removed
 *    from text files); their mtimes are kept, since the initramfs and module configuration
 *    ages are facts;
 *  - symlinks are recreated with their relative targets exactly as read, and the targets'
 *    directories are created, so sysfs links resolve as on the machine;
 *  - listed directories get their entries back (links as links, others as empty files),
 *    since a listing is a fact too (which IOMMU units, which PCI devices);
 *  - paths only tested for existence become empty files (directories stay directories);
 *  - the kernel log is saved as text in DIR/dev/kmsg;
 *  - helper output the probes captured (`qm showcmd VMID --pretty`) is written where the
 *    replay reads it (DIR/run/ptdiag/showcmd-VMID.txt), and so are the task logs and journal
 *    entries the logs probe read (with --redact: the journal export field by field, and each
 *    task log under its redacted UPID, the name the redacted task lists give it).
 *
 * Nothing is written outside DIR: traced paths with "." or ".." components are refused,
 * every link target is checked to stay inside DIR before the link is made, and files are
 * created with O_EXCL|O_NOFOLLOW. DIR must not exist or be empty.
 *
 * The text redaction lives in snapshot_redact.c and the path-safety helpers in
 * snapshot_paths.c (snapshot_paths.h), the target directory and its empty-directory list in
 * snapshot_dirs.c; this file walks the trace and does the copying.
 */
#include "journal.h"
#include "probe.h"
#include "snapshot_paths.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ptdiag/kmsg.h"
#include "ptdiag/log.h"

/* Larger traced files (none expected) are not copied. */
#define COPY_MAX (64u << 20)

/* ---- the copy ------------------------------------------------------------------------ */

static void fail(struct snap *s, const char *sys_path, const char *what, int err)
{
    s->failures++;
    PTD_WARN("snapshot: %s: %s: %s", sys_path, what, strerror(err < 0 ? -err : err));
}

/* Makes DIR/sys_path a symlink to `target` (as read). Absolute targets are rewritten
 * relative to the link so that they resolve inside DIR. */
static int make_link(struct snap *s, const char *sys_path, const char *target, bool target_is_dir)
{
    char parent_real[PATH_MAX], resolved[PATH_MAX], dest[PATH_MAX * 2], rel_target[PATH_MAX];
    const char *base;
    int ret;

    ret = prepare_parent(s, sys_path, parent_real, sizeof(parent_real), &base);
    if (ret)
        return ret;
    if (target[0] == '/') {
        /* from the link's directory up to the snapshot root, then down */
        const char *c;
        size_t n = 0;

        rel_target[0] = '\0';
        for (c = sys_path + 1; (c = strchr(c, '/')) != NULL; c++)
            n += (size_t)snprintf(rel_target + n, sizeof(rel_target) - n, "../");
        snprintf(rel_target + n, sizeof(rel_target) - n, "%s", target + 1);
        target = rel_target;
    }
    ret = resolve_lexically(parent_real, target, resolved, sizeof(resolved));
    if (ret)
        return ret;
    if (!inside(s, resolved))
        return -EXDEV;
    snprintf(dest, sizeof(dest), "%s/%s", parent_real, base);
    if (symlink(target, dest) != 0 && errno != EEXIST)
        return -errno;
    /* the target's directory (or the target itself, when a directory) must exist for the
     * link to resolve on replay */
    {
        char *slash;

        if (!target_is_dir) {
            slash = strrchr(resolved, '/');
            if (slash && slash != resolved)
                *slash = '\0';
        }
        ret = mkdirs(s, resolved + strlen(s->base));
    }
    return ret;
}

static int copy_link(struct snap *s, const char *sys_path)
{
    char target[PATH_MAX], src[PATH_MAX];
    struct stat st;
    int ret = ptd_root_readlink(s->root, sys_path, target, sizeof(target));

    if (ret)
        return ret;
    if (ptd_root_path(s->root, sys_path, src, sizeof(src)) != 0)
        return -ENAMETOOLONG;
    return make_link(s, sys_path, target, stat(src, &st) == 0 && S_ISDIR(st.st_mode));
}

/* Opens DIR/sys_path for writing a new file; a link made earlier at that path is followed
 * one level (its target was checked to be inside DIR). */
static int create_file(struct snap *s, const char *sys_path)
{
    char parent_real[PATH_MAX], dest[PATH_MAX * 2], target[PATH_MAX], resolved[PATH_MAX];
    const char *base;
    ssize_t n;
    int ret, fd;

    ret = prepare_parent(s, sys_path, parent_real, sizeof(parent_real), &base);
    if (ret)
        return ret;
    snprintf(dest, sizeof(dest), "%s/%s", parent_real, base);
    n = readlink(dest, target, sizeof(target) - 1);
    if (n > 0) {
        target[n] = '\0';
        ret = resolve_lexically(parent_real, target, resolved, sizeof(resolved));
        if (ret)
            return ret;
        if (!inside(s, resolved))
            return -EXDEV;
        snprintf(dest, sizeof(dest), "%s", resolved);
    }
    fd = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    return fd < 0 ? -errno : fd;
}

static bool is_text(const char *data, size_t len)
{
    return memchr(data, '\0', len) == NULL;
}

static int write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, data, len);

        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        data += w;
        len -= (size_t)w;
    }
    return 0;
}

static void keep_mtime(struct snap *s, const char *sys_path, int fd)
{
    char src[PATH_MAX];
    struct stat st;
    struct timespec ts[2];

    if (ptd_root_path(s->root, sys_path, src, sizeof(src)) != 0 || stat(src, &st) != 0)
        return;
    ts[0] = st.st_atim;
    ts[1] = st.st_mtim;
    futimens(fd, ts);
}

static char *redact_value(void *names, const char *v, size_t len, size_t *outlen)
{
    return host_redact_map_text(names, v, len, outlen);
}

/* --redact: the journal export holds binary fields with their lengths, rewritten field by
 * field; other text files as a whole. NULL: out of memory, or an export not in its format. */
static char *redact_data(struct snap *s, const char *sys_path, const char *data, size_t *len)
{
    if (strcmp(sys_path, JOURNAL_EXPORT_PATH) == 0)
        return journal_export_rewrite(data, *len, redact_value, &s->names, len);
    return is_text(data, *len) ? host_redact_map_text(&s->names, data, *len, len) : NULL;
}

/* --redact: a task log is named by its UPID, which holds the node and user names. Its new
 * name is its UPID rewritten by the same mapping as the "index"/"active" lines naming it, so
 * that a replay still finds it. A malloc'd path (caller frees), NULL on ENOMEM. */
static char *redact_task_path(struct snap *s, const char *sys_path)
{
    static const char dir[] = "/var/log/pve/tasks/";
    const char *base = strrchr(sys_path, '/') + 1;
    size_t dlen = (size_t)(base - sys_path), blen;
    char *red, *out;

    if (!s->redact || strncmp(sys_path, dir, sizeof(dir) - 1) != 0 ||
        strncmp(base, "UPID:", 5) != 0)
        return strdup(sys_path);
    red = host_redact_map_text(&s->names, base, strlen(base), &blen);
    out = red ? malloc(dlen + blen + 1) : NULL;
    if (out) {
        memcpy(out, sys_path, dlen);
        memcpy(out + dlen, red, blen + 1);
    }
    free(red);
    return out;
}

/* Writes data as sys_path under the snapshot (redacted when asked); keep_time copies the
 * original's mtime. data stays the caller's. */
static int save_data(struct snap *s, const char *sys_path, const char *data, size_t len,
                     bool keep_time)
{
    char *red = NULL;
    const char *out = data;
    int ret, fd;

    if (s->redact && (is_text(data, len) || strcmp(sys_path, JOURNAL_EXPORT_PATH) == 0)) {
        red = redact_data(s, sys_path, data, &len);
        if (!red)
            return strcmp(sys_path, JOURNAL_EXPORT_PATH) == 0 ? -EINVAL : -ENOMEM;
        out = red;
    }
    fd = create_file(s, sys_path);
    if (fd == -EEXIST) {
        ret = 0; /* traced twice */
        goto out;
    }
    if (fd < 0) {
        ret = fd;
        goto out;
    }
    ret = write_all(fd, out, len);
    if (!ret && keep_time)
        keep_mtime(s, sys_path, fd);
    close(fd);
out:
    free(red);
    return ret;
}

static int copy_file(struct snap *s, const char *sys_path)
{
    char *data = NULL;
    size_t len = 0;
    int ret;
    bool kmsg = strcmp(sys_path, "/dev/kmsg") == 0;

    /* the live /dev/kmsg is a character device: save what it reads as a text log */
    ret = kmsg ? ptd_kmsg_read(s->root, &data, &len)
               : ptd_root_read_file(s->root, sys_path, COPY_MAX, &data, &len);
    if (ret)
        return ret;
    ret = save_data(s, sys_path, data, len, !kmsg);
    free(data);
    return ret;
}

/* Helper output the probes captured (`qm showcmd`), written where a replay reads it. */
static void save_captured(struct snap *s, const cJSON *captured)
{
    const cJSON *it;
    char *path;
    int r;

    cJSON_ArrayForEach(it, captured)
    {
        if (!cJSON_IsString(it) || !it->string || !safe_sys_path(it->string)) {
            fail(s, it->string ? it->string : "(captured)", "refusing path", EINVAL);
            continue;
        }
        path = redact_task_path(s, it->string);
        r = !path ? -ENOMEM
            : !safe_sys_path(path)
                ? -EINVAL
                : save_data(s, path, it->valuestring, strlen(it->valuestring), false);
        if (r)
            fail(s, it->string, "writing", r);
        free(path);
    }
}

static int copy_exists(struct snap *s, const char *sys_path)
{
    char src[PATH_MAX];
    struct stat st;
    int fd;

    if (ptd_root_path(s->root, sys_path, src, sizeof(src)) != 0)
        return -ENAMETOOLONG;
    if (stat(src, &st) != 0)
        return errno == ENOENT ? 0 : -errno; /* gone since the probe looked */
    if (S_ISDIR(st.st_mode))
        return mkdirs(s, sys_path);
    fd = create_file(s, sys_path);
    if (fd >= 0) {
        keep_mtime(s, sys_path, fd);
        close(fd);
        return 0;
    }
    /* EEXIST: already copied as a file, with its mtime */
    return fd == -EEXIST ? 0 : fd;
}

/* Recreates a listed directory's entries: its links and subdirectories (structure = true),
 * or empty placeholders for the other entries (structure = false, after files are copied). */
static int copy_dir(struct snap *s, const char *sys_path, bool structure)
{
    char src[PATH_MAX];
    DIR *d;
    struct dirent *de;
    int ret;

    ret = mkdirs(s, sys_path);
    if (ret)
        return ret;
    if (ptd_root_path(s->root, sys_path, src, sizeof(src)) != 0)
        return -ENAMETOOLONG;
    d = opendir(src);
    if (!d)
        return -errno;
    while ((de = readdir(d)) != NULL) {
        char child[PATH_MAX], csrc[PATH_MAX * 2];
        struct stat st;

        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (snprintf(child, sizeof(child), "%s%s%s", sys_path,
                     sys_path[strlen(sys_path) - 1] == '/' ? "" : "/",
                     de->d_name) >= (int)sizeof(child) ||
            !safe_sys_path(child))
            continue;
        snprintf(csrc, sizeof(csrc), "%s/%s", src, de->d_name);
        if (lstat(csrc, &st) != 0)
            continue;
        if (structure && S_ISLNK(st.st_mode))
            ret = copy_link(s, child);
        else if (structure && S_ISDIR(st.st_mode))
            ret = mkdirs(s, child);
        else if (!structure && !S_ISLNK(st.st_mode) && !S_ISDIR(st.st_mode)) {
            int fd = create_file(s, child);

            ret = fd >= 0 ? close(fd) : fd == -EEXIST ? 0 : fd;
        } else
            continue;
        if (ret)
            fail(s, child, "recreating a directory entry", ret);
    }
    closedir(d);
    return 0;
}

static int depth(const char *p)
{
    int n = 0;

    for (; *p; p++)
        n += *p == '/';
    return n;
}

struct order {
    const struct ptd_trace_entry *e;
    size_t idx;
};

static int cmp_links_by_depth(const void *a, const void *b)
{
    const struct order *x = a, *y = b;
    int dx = depth(x->e->path), dy = depth(y->e->path);

    if (dx != dy)
        return dx < dy ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

int host_snapshot_write(struct ptd_root *root, const char *dir, bool redact, const cJSON *captured,
                        struct ptd_error *err)
{
    struct ptd_trace *trace = root->trace;
    struct order *ord = NULL;
    struct snap s;
    size_t i, n = 0;
    int ret = -1, phase;

    if (!trace)
        return ptd_error_set(err, "snapshot: nothing was traced");
    if (snapshot_check_target_dir(dir, err) != 0)
        return -1;
    memset(&s, 0, sizeof(s));
    s.root = root;
    s.redact = redact;
    if (!realpath(dir, s.base))
        return ptd_error_set(err, "%s: %s", dir, strerror(errno));
    /* reads made while copying must not grow the list being walked */
    root->trace = NULL;
    if (redact)
        host_redact_map_build(root, &s.names);

    ord = calloc(trace->count ? trace->count : 1, sizeof(*ord));
    if (!ord) {
        ptd_error_set(err, "snapshot: out of memory");
        goto out;
    }
    for (i = 0; i < trace->count; i++) {
        if (!safe_sys_path(trace->entries[i].path)) {
            fail(&s, trace->entries[i].path, "refusing path", EINVAL);
            continue;
        }
        ord[n].e = &trace->entries[i];
        ord[n].idx = i;
        n++;
    }
    /* links first, shallow before deep, so that files under a linked directory land where
     * the link points (as /sys/bus/pci/devices/X/... does on the machine); then files,
     * placeholders for the rest of each listing, and existence-only paths */
    qsort(ord, n, sizeof(*ord), cmp_links_by_depth);
    for (phase = 0; phase < 4; phase++) {
        for (i = 0; i < n; i++) {
            const char *p = ord[i].e->path;
            enum ptd_trace_kind k = ord[i].e->kind;
            int r = 0;

            /* links traced and links found in listed directories, together and by
             * depth: /sys/bus/pci/devices (listed) must hold its device links before
             * /sys/bus/pci/devices/X/driver is made inside one of them */
            if (phase == 0 && k == PTD_TRACE_LINK)
                r = copy_link(&s, p);
            else if (phase == 0 && k == PTD_TRACE_DIR)
                r = copy_dir(&s, p, true);
            else if (phase == 1 && k == PTD_TRACE_FILE)
                r = copy_file(&s, p);
            else if (phase == 2 && k == PTD_TRACE_DIR)
                r = copy_dir(&s, p, false);
            else if (phase == 3 && k == PTD_TRACE_EXISTS)
                r = copy_exists(&s, p);
            if (r && r != -ENOENT)
                fail(&s, p, "copying", r);
        }
    }
    save_captured(&s, captured);
    if (snapshot_write_empty_dirs(&s) != 0)
        fail(&s, "/" PTD_ROOT_EMPTY_DIRS_FILE, "writing", EIO);
    if (s.failures)
        PTD_WARN("snapshot: %u path(s) could not be saved (see above)", s.failures);
    ret = 0;
out:
    host_redact_map_free(&s.names);
    free(ord);
    root->trace = trace;
    return ret;
}

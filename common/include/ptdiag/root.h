/* SPDX-License-Identifier: MIT */
/*
 * The --root seam: every read of system state (/sys, /proc, /etc, /boot, /dev, /run) goes
 * through these functions, so a probe runs the same against the live machine and against a
 * snapshot tree. Each successful access can be traced, which is how --save-snapshot knows
 * what to copy.
 *
 * Read-only by construction: nothing here opens a file for writing.
 * Errors are returned as negative errno values; nothing here logs or prints.
 */
#ifndef PTDIAG_ROOT_H
#define PTDIAG_ROOT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "ptdiag/error.h"

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

/* What kind of access a traced path had; the snapshot writer copies accordingly. */
enum ptd_trace_kind {
    PTD_TRACE_FILE,   /* contents read */
    PTD_TRACE_LINK,   /* symlink read with readlink */
    PTD_TRACE_DIR,    /* directory listed */
    PTD_TRACE_EXISTS, /* only existence / metadata looked at */
};

struct ptd_trace_entry {
    char *path; /* system path ("/sys/..."), owned by the trace */
    enum ptd_trace_kind kind;
};

struct ptd_trace {
    struct ptd_trace_entry *entries; /* owned; in access order, duplicates removed */
    size_t count, cap;
};

/* A snapshot lists its empty directories in this file at its top, one system path a line:
 * git and some archivers drop empty directories, and an empty /sys/class/iommu or
 * /sys/module/vfio is a fact ("present, nothing in it"), not the same as "absent". */
#define PTD_ROOT_EMPTY_DIRS_FILE ".ptdiag-empty-dirs"

struct ptd_root {
    char dir[PATH_MAX];      /* "" reads the live system; otherwise the snapshot root */
    struct ptd_trace *trace; /* NULL unless tracing; owned by the root when set */
    char **empty_dirs;       /* sorted system paths from PTD_ROOT_EMPTY_DIRS_FILE; owned */
    size_t n_empty_dirs;
};

/* Initialises root for `dir` (NULL or "/" = live system). Fails if dir is not a directory. */
int ptd_root_init(struct ptd_root *root, const char *dir, struct ptd_error *err);

/* Starts recording accesses (for --save-snapshot). Returns 0 or -ENOMEM. */
int ptd_root_enable_trace(struct ptd_root *root);

/* Frees the trace and the empty-directory list. The root itself is caller storage. */
void ptd_root_fini(struct ptd_root *root);

bool ptd_root_is_live(const struct ptd_root *root);

/* Maps an absolute system path to the path to open. 0 or -ENAMETOOLONG / -EINVAL. */
int ptd_root_path(const struct ptd_root *root, const char *sys_path, char *out, size_t outlen);

/* Reads a whole regular file of at most max_bytes. On success *data is a NUL-terminated
 * malloc'd buffer the caller frees, *len its length (len may be NULL). Returns 0, or
 * -errno (-EFBIG when larger than max_bytes, -EINVAL when not a regular file). */
int ptd_root_read_file(struct ptd_root *root, const char *sys_path, size_t max_bytes, char **data,
                       size_t *len);

/* Reads a small text attribute (sysfs style) into buf, trailing whitespace removed. */
int ptd_root_read_attr(struct ptd_root *root, const char *sys_path, char *buf, size_t buflen);

/* Reads an attribute and parses it as an unsigned integer (base 0: "0x10de" and "16" work). */
int ptd_root_read_u64(struct ptd_root *root, const char *sys_path, uint64_t *out);

/* readlink() under the root; the target is returned as stored (relative for sysfs). */
int ptd_root_readlink(struct ptd_root *root, const char *sys_path, char *buf, size_t buflen);

/* Last component of a symlink's target (driver name, group number). */
int ptd_root_link_basename(struct ptd_root *root, const char *sys_path, char *buf, size_t buflen);

/* stat() (follows links) under the root. */
int ptd_root_stat(struct ptd_root *root, const char *sys_path, struct stat *st);

/* 1 if the path exists, 0 if not (ENOENT/ENOTDIR), -errno on other errors (EACCES). */
int ptd_root_exists(struct ptd_root *root, const char *sys_path);

/* Lists a directory: sorted names without "." and "..". *names is a NULL-terminated
 * malloc'd array freed with ptd_strv_free(). Returns 0 or -errno. */
int ptd_root_list_dir(struct ptd_root *root, const char *sys_path, char ***names, size_t *count);

/* Frees a NULL-terminated string array (NULL is fine). */
void ptd_strv_free(char **v);

/* Records an access in the trace (no-op when tracing is off). For readers that open
 * files themselves (libpci, /dev/kmsg). */
void ptd_root_trace(struct ptd_root *root, const char *sys_path, enum ptd_trace_kind kind);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * Internal to the --save-snapshot writer (snapshot.c, snapshot_paths.c); not part of the
 * host probe's interface. Owns struct snap, the state of one snapshot being written, and
 * the path-safety helpers that keep everything the snapshot creates inside DIR. Owner:
 * snapshot_paths.c defines these helpers; snapshot.c is their only other user.
 */
#ifndef PTDIAG_HOST_SNAPSHOT_PATHS_H
#define PTDIAG_HOST_SNAPSHOT_PATHS_H

#include "probe.h"
#include "redact_map.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

struct snap {
    struct ptd_root *root;
    char base[PATH_MAX]; /* realpath of DIR */
    bool redact;
    struct host_redact_map names; /* --redact: node and cluster names (redact_map.h) */
    unsigned failures;
};

/* A traced system path we are willing to recreate: absolute, no "." / ".." / empty parts. */
bool safe_sys_path(const char *p);
/* Whether the resolved path `real` is DIR or under it. */
bool inside(const struct snap *s, const char *real);
/* mkdir -p of base + rel (rel starts with '/'), following the links already made inside
 * DIR; checks the result is still inside DIR. */
int mkdirs(struct snap *s, const char *rel);

/* snapshot_dirs.c: DIR must not exist (it is created) or be empty; -1 with err set otherwise. */
int snapshot_check_target_dir(const char *dir, struct ptd_error *err);
/* snapshot_dirs.c: lists s->base's empty directories in DIR/.ptdiag-empty-dirs; 0 or -errno. */
int snapshot_write_empty_dirs(struct snap *s);
/* Lexically resolves `target` relative to the directory `dir_real` (no links in it). */
int resolve_lexically(const char *dir_real, const char *target, char *out, size_t outlen);
/* Splits sys_path into its parent (made and resolved inside DIR) and basename. */
int prepare_parent(struct snap *s, const char *sys_path, char *parent_real, size_t len,
                   const char **base);

#endif

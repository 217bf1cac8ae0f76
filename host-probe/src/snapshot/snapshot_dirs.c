/* SPDX-License-Identifier: MIT */
/*
 * The snapshot's directory: DIR must be new or empty before anything is written, and after
 * the copy its empty directories are listed in DIR/.ptdiag-empty-dirs, because git and some
 * archivers drop them while their presence is a fact (see ptdiag/root.h).
 */
#include "snapshot_paths.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "ptdiag/root.h"

/* 1 when dir holds nothing but "." and "..", 0 when it holds an entry, -1 (errno) when it
 * cannot be listed. */
static int dir_is_empty(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int empty = 1;

    if (!d)
        return -1;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
            empty = 0;
            break;
        }
    }
    closedir(d);
    return empty;
}

int snapshot_check_target_dir(const char *dir, struct ptd_error *err)
{
    struct stat st;
    int empty;

    if (stat(dir, &st) != 0) {
        if (errno != ENOENT)
            return ptd_error_set(err, "%s: %s", dir, strerror(errno));
        if (mkdir(dir, 0755) != 0)
            return ptd_error_set(err, "%s: cannot create the snapshot directory: %s", dir,
                                 strerror(errno));
        return 0;
    }
    if (!S_ISDIR(st.st_mode))
        return ptd_error_set(err, "%s: exists and is not a directory", dir);
    empty = dir_is_empty(dir);
    if (empty < 0)
        return ptd_error_set(err, "%s: %s", dir, strerror(errno));
    if (!empty)
        return ptd_error_set(err,
                             "%s: directory is not empty; a snapshot needs a new or empty "
                             "directory",
                             dir);
    return 0;
}

/* nftw() has no user pointer: the walk below is the only user of these. */
static FILE *empty_list;
static size_t empty_base_len;

static int note_empty_dir(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (type != FTW_D || strlen(path) <= empty_base_len)
        return 0;
    /* an unreadable directory (-1) is left out, as it cannot be told empty */
    if (dir_is_empty(path) == 1)
        fprintf(empty_list, "%s\n", path + empty_base_len);
    return 0;
}

/* Lists the snapshot's empty directories in DIR/.ptdiag-empty-dirs (see ptdiag/root.h):
 * git drops them, yet an empty /sys/module/vfio means "loaded", an absent one "not". */
int snapshot_write_empty_dirs(struct snap *s)
{
    char path[PATH_MAX + 32];
    int ret;

    snprintf(path, sizeof(path), "%s/%s", s->base, PTD_ROOT_EMPTY_DIRS_FILE);
    empty_list = fopen(path, "wx");
    if (!empty_list)
        return -errno;
    empty_base_len = strlen(s->base);
    ret = nftw(s->base, note_empty_dir, 32, FTW_PHYS) == 0 ? 0 : -EIO;
    if (fclose(empty_list) != 0 && ret == 0)
        ret = -errno;
    empty_list = NULL;
    return ret;
}

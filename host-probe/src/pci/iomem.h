/* SPDX-License-Identifier: MIT */
/*
 * /proc/iomem: the kernel's tree of claimed physical address ranges. ptdiag looks in it for a
 * boot framebuffer (BOOTFB, efifb, simplefb, vesafb) still sitting inside a GPU BAR, which
 * keeps vfio-pci from reserving the BAR ("BAR N: can't reserve").
 *
 * Lines look like "  6000000000-67ffffffff : 0000:01:00.0": two spaces of indent per nesting
 * level, hex start-end (inclusive), " : ", the owner's name. Unprivileged readers see every
 * address as 0; the parser reports that as `addresses_hidden` so callers do not take the
 * zeros for facts.
 */
#ifndef PTDIAG_HOST_IOMEM_H
#define PTDIAG_HOST_IOMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ptdiag/error.h"
#include "ptdiag/root.h"

struct iomem_range {
    uint64_t start, end; /* inclusive, as the kernel prints them */
    unsigned depth;      /* nesting level (indent / 2) */
    char *name;          /* owned by the iomem_map */
};

struct iomem_map {
    struct iomem_range *ranges; /* owned; in file order */
    size_t count;
    bool addresses_hidden;   /* every range is 0-0: read without CAP_SYS_ADMIN */
    unsigned bad_lines;      /* lines that did not parse (skipped) */
    unsigned first_bad_line; /* 1-based line number of the first of them, 0 if none */
};

/* Parses a /proc/iomem image. On success fills *map (free with iomem_map_free) and returns 0;
 * unparseable lines are skipped and counted, never fatal. Returns -1 (err set) only when out of
 * memory. `buf` need not be NUL-terminated. */
int iomem_parse(const char *buf, size_t len, struct iomem_map *map, struct ptd_error *err);

/* Reads and parses /proc/iomem under root. Errors name the file. */
int iomem_read(struct ptd_root *root, struct iomem_map *map, struct ptd_error *err);

void iomem_map_free(struct iomem_map *map);

/* True for the names a firmware/boot framebuffer registers (BOOTFB, efifb, simplefb, vesafb). */
bool iomem_is_boot_framebuffer(const char *name);

#endif

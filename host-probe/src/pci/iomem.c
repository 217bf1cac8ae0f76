/* SPDX-License-Identifier: MIT */
/* /proc/iomem parser. See iomem.h. */
#include "iomem.h"

#include "ptdiag/hex.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* /proc/iomem is a few KiB; a bigger file is not /proc/iomem. */
#define IOMEM_MAX_BYTES (4u << 20)

/* Parses one line [p, end). Returns 0 and fills r (name borrowed as [*name, *name_end)),
 * or -1 when the line is malformed. */
static int parse_line(const char *p, const char *end, struct iomem_range *r, const char **name,
                      const char **name_end)
{
    unsigned spaces = 0;

    while (p < end && *p == ' ') {
        spaces++;
        p++;
    }
    if (ptd_parse_hex_u64(&p, end, &r->start) != 0 || p >= end || *p != '-')
        return -1;
    p++;
    if (ptd_parse_hex_u64(&p, end, &r->end) != 0)
        return -1;
    if (end - p < 3 || memcmp(p, " : ", 3) != 0)
        return -1;
    p += 3;
    if (r->end < r->start)
        return -1;
    r->depth = spaces / 2;
    while (end > p && (end[-1] == ' ' || end[-1] == '\r' || end[-1] == '\t'))
        end--;
    *name = p;
    *name_end = end;
    return 0;
}

int iomem_parse(const char *buf, size_t len, struct iomem_map *map, struct ptd_error *err)
{
    const char *p = buf, *bufend = buf + len;
    size_t cap = 0;
    unsigned lineno = 0;
    bool any_nonzero = false;

    memset(map, 0, sizeof(*map));
    while (p < bufend) {
        const char *nl = memchr(p, '\n', (size_t)(bufend - p));
        const char *lend = nl ? nl : bufend;
        const char *name, *name_end;
        struct iomem_range r;

        lineno++;
        if (lend == p) { /* empty line */
            p = lend + 1;
            continue;
        }
        if (parse_line(p, lend, &r, &name, &name_end) != 0) {
            if (!map->bad_lines)
                map->first_bad_line = lineno;
            map->bad_lines++;
            p = lend + 1;
            continue;
        }
        if (map->count == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            struct iomem_range *n = realloc(map->ranges, ncap * sizeof(*n));

            if (!n)
                goto oom;
            map->ranges = n;
            cap = ncap;
        }
        r.name = strndup(name, (size_t)(name_end - name));
        if (!r.name)
            goto oom;
        if (r.start || r.end)
            any_nonzero = true;
        map->ranges[map->count++] = r;
        p = lend + 1;
    }
    map->addresses_hidden = map->count > 0 && !any_nonzero;
    return 0;
oom:
    iomem_map_free(map);
    return ptd_error_set(err, "/proc/iomem: out of memory");
}

int iomem_read(struct ptd_root *root, struct iomem_map *map, struct ptd_error *err)
{
    char *data = NULL;
    size_t len = 0;
    int ret;

    memset(map, 0, sizeof(*map));
    ret = ptd_root_read_file(root, "/proc/iomem", IOMEM_MAX_BYTES, &data, &len);
    if (ret)
        return ptd_error_set(err, "/proc/iomem: %s",
                             ret == -EFBIG ? "larger than 4 MiB" : strerror(-ret));
    ret = iomem_parse(data, len, map, err);
    free(data);
    return ret;
}

void iomem_map_free(struct iomem_map *map)
{
    size_t i;

    if (!map)
        return;
    for (i = 0; i < map->count; i++)
        free(map->ranges[i].name);
    free(map->ranges);
    memset(map, 0, sizeof(*map));
}

bool iomem_is_boot_framebuffer(const char *name)
{
    static const char *const names[] = {"BOOTFB", "efifb", "simplefb", "vesafb"};
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(name, names[i]) == 0)
            return true;
    return false;
}

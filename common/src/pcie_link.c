/* SPDX-License-Identifier: MIT */
/* PCIe link attributes. See ptdiag/pcie_link.h. */
#include "ptdiag/pcie_link.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"

static bool parse_speed(const char *s, double *out)
{
    char *end;
    double v;

    if (!s)
        return false;
    v = strtod(s, &end);
    /* "16.0 GT/s PCIe", "8 GT/s"; "Unknown" and anything else is no rate. */
    if (end == s || !(v > 0.0 && v < 1000.0) || strncmp(end, " GT/s", 5) != 0)
        return false;
    *out = v;
    return true;
}

static bool parse_width(const char *s, unsigned *out)
{
    static const unsigned widths[] = {1, 2, 4, 8, 12, 16, 32};
    char *end;
    unsigned long v;

    if (!s || *s < '0' || *s > '9')
        return false;
    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno || (*end && strcmp(end, "\n") != 0))
        return false;
    for (size_t i = 0; i < sizeof(widths) / sizeof(widths[0]); i++) {
        if (v == widths[i]) {
            *out = (unsigned)v;
            return true;
        }
    }
    return false;
}

void ptd_pcie_link_parse(const char *cur_speed, const char *max_speed, const char *cur_width,
                         const char *max_width, struct ptd_pcie_link *out)
{
    memset(out, 0, sizeof(*out));
    out->has_cur_speed = parse_speed(cur_speed, &out->cur_speed_gts);
    out->has_max_speed = parse_speed(max_speed, &out->max_speed_gts);
    out->has_cur_width = parse_width(cur_width, &out->cur_width);
    out->has_max_width = parse_width(max_width, &out->max_width);
}

bool ptd_pcie_link_any(const struct ptd_pcie_link *link)
{
    return link->has_cur_speed || link->has_max_speed || link->has_cur_width || link->has_max_width;
}

void ptd_pcie_link_add_json(cJSON *obj, const struct ptd_pcie_link *link)
{
    ptd_json_add_num(obj, "current_speed_gts", link->cur_speed_gts, link->has_cur_speed);
    ptd_json_add_num(obj, "max_speed_gts", link->max_speed_gts, link->has_max_speed);
    ptd_json_add_num(obj, "current_width", link->cur_width, link->has_cur_width);
    ptd_json_add_num(obj, "max_width", link->max_width, link->has_max_width);
}

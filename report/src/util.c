/* SPDX-License-Identifier: MIT */
/* Small helpers shared by the evaluator and the renderers. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptdiag/docnum.h"
#include "report.h"

int rpt_version_cmp(const char *a, const char *b)
{
    while (*a || *b) {
        while (*a && !isdigit((unsigned char)*a))
            a++;
        while (*b && !isdigit((unsigned char)*b))
            b++;
        if (!*a || !*b)
            return (*a != 0) - (*b != 0);
        unsigned long x = strtoul(a, (char **)&a, 10);
        unsigned long y = strtoul(b, (char **)&b, 10);
        if (x != y)
            return x < y ? -1 : 1;
    }
    return 0;
}

/* Reads up to `max` hex digits; returns how many were read. */
static int hex_field(const char **p, unsigned *out, int max)
{
    int n = 0;
    unsigned v = 0;
    while (n < max && isxdigit((unsigned char)**p)) {
        char c = *(*p)++;
        v = v * 16 + (unsigned)(isdigit((unsigned char)c) ? c - '0'
                                                          : (tolower((unsigned char)c) - 'a' + 10));
        n++;
    }
    *out = v;
    return n;
}

/* Parses "dddd:bb:dd.f", "bb:dd.f" or "dddd:bb:dd" into one key (domain, bus, device) and the
 * function (-1 when absent). Hand-written: this runs for every kernel-log event of every rule
 * that ties an event to a device, and sscanf was the evaluator's hottest function. */
static bool bdf_split(const char *s, unsigned long *slot, int *fn)
{
    unsigned a, b, c, f;
    const char *p = s;
    *fn = -1;
    if (!hex_field(&p, &a, 4) || *p++ != ':' || !hex_field(&p, &b, 2))
        return false;
    if (*p == '.') { /* bb:dd.f */
        p++;
        if (!hex_field(&p, &f, 1) || *p)
            return false;
        *slot = (unsigned long)a << 8 | b; /* a was the bus, b the device; domain 0 */
        *fn = (int)f;
        return a <= 0xff;
    }
    if (*p++ != ':' || !hex_field(&p, &c, 2))
        return false;
    if (*p == '.') {
        p++;
        if (!hex_field(&p, &f, 1))
            return false;
        *fn = (int)f;
    }
    if (*p)
        return false;
    *slot = (unsigned long)a << 16 | b << 8 | c;
    return true;
}

bool rpt_bdf_eq(const char *a, const char *b)
{
    unsigned long sa, sb;
    int fa, fb;
    if (!bdf_split(a, &sa, &fa) || !bdf_split(b, &sb, &fb))
        return false;
    return sa == sb && (fa < 0 || fb < 0 || fa == fb);
}

/* NVIDIA's Windows driver version a.b.1c.defg encodes the release as cdefg: 31.0.15.3623 is
 * 536.23 and 27.21.14.6089 is 460.89 (the last digit of the third field and the fourth). */
bool rpt_nvidia_version_from_windows(const char *ver, char *buf, size_t buflen)
{
    unsigned a, b, c, d;
    int n = 0;
    if (!ver)
        return false;
    if (sscanf(ver, "%u.%u.%u.%u%n", &a, &b, &c, &d, &n) == 4 && ver[n] == '\0') {
        if (d > 9999)
            return false;
        unsigned rel = (c % 10) * 100 + d / 100;
        snprintf(buf, buflen, "%u.%02u", rel, d % 100);
        return true;
    }
    if (sscanf(ver, "%u.%u%n", &a, &b, &n) == 2 && a >= 100) {
        snprintf(buf, buflen, "%s", ver);
        return true;
    }
    return false;
}

long rpt_vm_id(const cJSON *vm, struct ptd_error *why)
{
    int64_t v;
    ptd_error_clear(why);
    return ptd_json_get_int(vm, "vmid", PTD_VMID_MIN, PTD_VMID_MAX, &v, why) == PTD_NUM_OK ? (long)v
                                                                                           : -1;
}

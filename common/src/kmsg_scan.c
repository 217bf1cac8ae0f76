/* SPDX-License-Identifier: MIT */
/*
 * Kernel log scanning helpers for the classifier (kmsg_classify.c): small string helpers that
 * copy message text cleanly into event fields, find and normalise PCI addresses (BDFs) in the
 * formats the kernel prints, and parse numbers, BAR indices and bracketed resources. They only
 * read the message; which message is which event is kmsg_classify.c. Portable C only: the
 * Windows cross build compiles this file too. See kmsg_scan.h.
 */
#include "kmsg_scan.h"

#include "ptdiag/kmsg.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* ---- small string helpers ---------------------------------------------------------- */

static bool is_hex(char c)
{
    return isxdigit((unsigned char)c) != 0;
}

bool kmsg_all_hex(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!is_hex(s[i]))
            return false;
    return true;
}

/* Copies at most dstlen-1 bytes of src[0..n), NUL-terminated, printable ASCII only: the
 * result goes into JSON and must be valid UTF-8 whatever the log held. */
void kmsg_copy_clean(char *dst, size_t dstlen, const char *src, size_t n)
{
    size_t i;

    if (dstlen == 0)
        return;
    if (n > dstlen - 1)
        n = dstlen - 1;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)src[i];
        dst[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    dst[n] = '\0';
}

void kmsg_copy_trimmed(char *dst, size_t dstlen, const char *src, size_t n)
{
    while (n > 0 && isspace((unsigned char)*src)) {
        src++;
        n--;
    }
    while (n > 0 && (isspace((unsigned char)src[n - 1]) || src[n - 1] == '.'))
        n--;
    kmsg_copy_clean(dst, dstlen, src, n);
}

/* "dddd:bb:dd.f" at s (exactly, with no hex digit right before or after). */
static bool is_full_bdf(const char *s, const char *start)
{
    if (s > start && (is_hex(s[-1]) || s[-1] == ':'))
        return false;
    return kmsg_all_hex(s, 4) && s[4] == ':' && kmsg_all_hex(s + 5, 2) && s[7] == ':' &&
           kmsg_all_hex(s + 8, 2) && s[10] == '.' && s[11] >= '0' && s[11] <= '7' && !is_hex(s[12]);
}

/* "bb:dd.f" at s, without a segment (DMAR faults, old AMD-Vi lines). */
static bool is_short_bdf(const char *s)
{
    return kmsg_all_hex(s, 2) && s[2] == ':' && kmsg_all_hex(s + 3, 2) && s[5] == '.' &&
           s[6] >= '0' && s[6] <= '7' && !is_hex(s[7]);
}

void kmsg_lower_copy(char *dst, const char *src, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        dst[i] = (char)tolower((unsigned char)src[i]);
    dst[n] = '\0';
}

/* The first full BDF anywhere in msg, lower-cased into dev; "" when none. */
void kmsg_find_bdf(const char *msg, char *dev, size_t devlen)
{
    const char *p;

    dev[0] = '\0';
    if (devlen < 13)
        return;
    for (p = msg; *p; p++) {
        if (*p != ':' || p - msg < 4)
            continue;
        if (is_full_bdf(p - 4, msg)) {
            kmsg_lower_copy(dev, p - 4, 12);
            return;
        }
    }
}

/* "0xbb:0xdd.f" (DMAR faults on some kernels, e.g. "Request device [0x00:0x02.0]") at s
 * becomes "0000:bb:dd.f". */
bool kmsg_hex_bdf_at(const char *s, char *dev, size_t devlen)
{
    char bdf[8];

    if (devlen < 13 || s[0] != '0' || s[1] != 'x' || !kmsg_all_hex(s + 2, 2) || s[4] != ':' ||
        s[5] != '0' || s[6] != 'x' || !kmsg_all_hex(s + 7, 2) || s[9] != '.' || s[10] < '0' ||
        s[10] > '7' || is_hex(s[11]))
        return false;
    memcpy(bdf, s + 2, 3);     /* "bb:" */
    memcpy(bdf + 3, s + 7, 4); /* "dd.f" */
    bdf[7] = '\0';
    memcpy(dev, "0000:", 5);
    kmsg_lower_copy(dev + 5, bdf, 7);
    return true;
}

/* A short "bb:dd.f" right at s becomes "0000:bb:dd.f". The DMAR and old AMD-Vi formats print
 * no segment; segment 0 is the only one on the single-segment hosts ptdiag targets. */
bool kmsg_short_bdf_at(const char *s, char *dev, size_t devlen)
{
    if (devlen < 13 || !is_short_bdf(s))
        return false;
    memcpy(dev, "0000:", 5);
    kmsg_lower_copy(dev + 5, s, 7);
    return true;
}

/* Parses a decimal (optionally signed) integer at s; returns false when there is none or it
 * is outside the int range (no code, Xid, errno or ms count comes near it). */
bool kmsg_parse_long(const char *s, long *out, const char **end)
{
    char *e;
    long v;

    if (!s ||
        !(isdigit((unsigned char)*s) || ((*s == '-' || *s == '+') && isdigit((unsigned char)s[1]))))
        return false;
    errno = 0;
    v = strtol(s, &e, 10);
    if (errno || v < INT_MIN || v > INT_MAX)
        return false;
    *out = v;
    if (end)
        *end = e;
    return true;
}

/* The index N of the last "BAR N" / "BARN" before `limit` (or anywhere when limit is NULL);
 * PTD_KMSG_NO_CODE when there is none. */
long kmsg_bar_index(const char *msg, const char *limit)
{
    const char *p = msg, *hit = NULL;
    long v = -1;

    while ((p = strstr(p, "BAR")) != NULL && (!limit || p < limit)) {
        hit = p;
        p += 3;
    }
    if (!hit)
        return PTD_KMSG_NO_CODE;
    hit += 3;
    if (*hit == ' ')
        hit++;
    if (!kmsg_parse_long(hit, &v, NULL) || v < 0 || v > 16)
        return PTD_KMSG_NO_CODE;
    return v;
}

/* Text from the first '[' at or after p to its matching ']' (a resource "[mem 0x..]"). */
void kmsg_bracket_detail(const char *p, char *detail, size_t len)
{
    const char *open = p ? strchr(p, '[') : NULL;
    const char *close = open ? strchr(open, ']') : NULL;

    if (open && close)
        kmsg_copy_clean(detail, len, open, (size_t)(close - open + 1));
}

const char *kmsg_after(const char *msg, const char *needle)
{
    const char *p = strstr(msg, needle);

    return p ? p + strlen(needle) : NULL;
}

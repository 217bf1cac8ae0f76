/* SPDX-License-Identifier: MIT */
/* Kernel log line prefixes: dmesg stamps and syslog/journal headers. See kmsg_prefix.h. */
#include "kmsg_prefix.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static bool digits(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

/* "hh:mm:ss" at s (8 bytes available). */
static bool is_hms(const char *s)
{
    return digits(s, 2) && s[2] == ':' && digits(s + 3, 2) && s[5] == ':' && digits(s + 6, 2);
}

static bool is_month(const char *s)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    size_t i;

    for (i = 0; i < 36; i += 3)
        if (memcmp(s, months + i, 3) == 0)
            return true;
    return false;
}

/* True when s[0..n) holds "hh:mm:ss" somewhere (the dmesg -T prefix). */
static bool has_clock(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i + 8 <= n; i++)
        if (is_hms(s + i))
            return true;
    return false;
}

/* dmesg -H: "Nov22 12:00" (a new minute) or "  +0.000123" (a delta from the line before). */
static bool is_human_stamp(const char *s, size_t n)
{
    size_t i = 0;

    while (i < n && s[i] == ' ')
        i++;
    if (i < n && s[i] == '+') {
        size_t d = ++i;

        while (i < n && (isdigit((unsigned char)s[i]) || s[i] == '.'))
            i++;
        return i == n && i > d;
    }
    /* "Nov22" (util-linux prints month and day together) or "Nov 3" */
    if (n - i < 9 || !is_month(s + i))
        return false;
    i += 3;
    if (i < n && s[i] == ' ')
        i++;
    if (i < n && isdigit((unsigned char)s[i]))
        i++;
    if (i < n && isdigit((unsigned char)s[i]))
        i++;
    if (i >= n || s[i] != ' ')
        return false;
    i++;
    return n - i >= 5 && digits(s + i, 2) && s[i + 2] == ':' && digits(s + i + 3, 2);
}

/* Length of a dmesg stamp with its trailing space at line, 0 when there is none; time_s gets
 * the seconds since boot, or -1 for the wall-clock and human forms. "[drm] ..." is message
 * text, not a stamp. */
static size_t dmesg_stamp(const char *line, size_t n, double *time_s)
{
    const char *close, *p = line + 1;
    char num[40];
    size_t k = 0, len;

    if (n < 3 || line[0] != '[')
        return 0;
    close = memchr(line, ']', n < 64 ? n : 64);
    if (!close)
        return 0;
    len = (size_t)(close - line - 1);
    while (p < close && *p == ' ')
        p++;
    while (p < close && k < sizeof(num) - 1 && (isdigit((unsigned char)*p) || *p == '.'))
        num[k++] = *p++;
    num[k] = '\0';
    if (p == close && k > 0 && strchr(num, '.'))
        *time_s = strtod(num, NULL);
    else if (has_clock(line + 1, len) || is_human_stamp(line + 1, len))
        *time_s = -1;
    else
        return 0;
    len += 2;
    if (len < n && line[len] == ' ')
        len++;
    return len;
}

/* Length of a syslog/journal timestamp with its trailing space: "Nov  3 12:00:00 ",
 * "Nov 03 12:00:00 " or "2026-11-03T12:00:00[.frac][Z|+hh:mm] "; 0 when there is none. */
static size_t syslog_time(const char *s, size_t n)
{
    size_t i;

    if (n >= 16 && is_month(s) && s[3] == ' ' && (s[4] == ' ' || isdigit((unsigned char)s[4])) &&
        isdigit((unsigned char)s[5]) && s[6] == ' ' && is_hms(s + 7) && s[15] == ' ')
        return 16;
    if (n < 20 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' ||
        !digits(s + 8, 2) || s[10] != 'T' || !is_hms(s + 11))
        return 0;
    i = 19;
    if (i < n && s[i] == '.')
        for (i++; i < n && isdigit((unsigned char)s[i]); i++)
            ;
    if (i < n && s[i] == 'Z')
        i++;
    else if (i + 6 <= n && (s[i] == '+' || s[i] == '-') && digits(s + i + 1, 2) &&
             s[i + 3] == ':' && digits(s + i + 4, 2))
        i += 6;
    return i < n && s[i] == ' ' ? i + 1 : 0;
}

/* Length of "kernel: " or "<host> kernel: " at s; 0 when s is not that. */
static size_t kernel_tag(const char *s, size_t n)
{
    size_t host = 0;

    if (n >= 8 && memcmp(s, "kernel: ", 8) == 0)
        return 8;
    while (host < n && host < 256 && s[host] != ' ' && s[host] != ':')
        host++;
    if (host == 0 || host >= n || s[host] != ' ' || n - host - 1 < 8 ||
        memcmp(s + host + 1, "kernel: ", 8) != 0)
        return 0;
    return host + 1 + 8;
}

const char *kmsg_strip_prefix(const char *line, size_t n, struct kmsg_prefix *out)
{
    const char *p = line, *end = line + n;
    size_t k;

    out->time_s = -1;
    out->syslog = false;
    out->other = false;
    /* "<6>" from dmesg -r */
    if (n >= 3 && p[0] == '<') {
        for (k = 1; k < 4 && p + k < end && isdigit((unsigned char)p[k]); k++)
            ;
        if (k > 1 && p + k < end && p[k] == '>')
            p += k + 1;
    }
    if ((k = syslog_time(p, (size_t)(end - p))) != 0) {
        size_t tag = kernel_tag(p + k, (size_t)(end - p - k));

        out->syslog = true;
        if (!tag) {
            /* "host program[pid]: ..." - a syslog line, but not the kernel's */
            out->other = true;
            return end;
        }
        p += k + tag;
    }
    if ((k = dmesg_stamp(p, (size_t)(end - p), &out->time_s)) != 0) {
        p += k;
        p += kernel_tag(p, (size_t)(end - p));
    }
    return p;
}

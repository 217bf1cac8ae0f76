/* SPDX-License-Identifier: MIT */
/*
 * --save-snapshot --redact: host_redact_text() removes the host name, MACs, IPv4/IPv6
 * addresses, UUIDs, FAT volume serials and serial numbers from the text files a snapshot
 * copies (see snapshot.c). This file's one job is that text redaction; it knows nothing
 * about the snapshot directory.
 */
#include "probe.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ptdiag/strbuf.h"

/* ---- redaction ------------------------------------------------------------------------ */

static bool ishex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool isdig(char c)
{
    return c >= '0' && c <= '9';
}

static bool isalnum_(char c)
{
    return isdig(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static size_t hex_run(const char *s, const char *end)
{
    size_t n = 0;

    while (s + n < end && ishex(s[n]))
        n++;
    return n;
}

/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" */
static size_t match_uuid(const char *s, const char *end)
{
    static const size_t groups[] = {8, 4, 4, 4, 12};
    const char *p = s;
    size_t i;

    for (i = 0; i < 5; i++) {
        if (hex_run(p, end) != groups[i])
            return 0;
        p += groups[i];
        if (i < 4) {
            if (p >= end || *p != '-')
                return 0;
            p++;
        }
    }
    return (p < end && isalnum_(*p)) ? 0 : (size_t)(p - s);
}

/* FAT volume serials as proxmox-boot-tool lists ESPs: "5A3B-1C2D" */
static size_t match_volid(const char *s, const char *end)
{
    if (end - s < 9 || hex_run(s, end) != 4 || s[4] != '-' || hex_run(s + 5, end) != 4)
        return 0;
    if (s + 9 < end && (isalnum_(s[9]) || s[9] == '-'))
        return 0;
    /* at least one digit and one letter: "2024-1122" style numbers stay */
    {
        bool letter = false, digit = false;
        size_t i;

        for (i = 0; i < 9; i++) {
            letter |= (s[i] >= 'A' && s[i] <= 'F') || (s[i] >= 'a' && s[i] <= 'f');
            digit |= isdig(s[i]);
        }
        if (!letter || !digit)
            return 0;
    }
    return 9;
}

/* "aa:bb:cc:dd:ee:ff" or with '-' */
static size_t match_mac(const char *s, const char *end)
{
    char sep;
    size_t i;

    if (end - s < 17)
        return 0;
    sep = s[2];
    if (sep != ':' && sep != '-')
        return 0;
    for (i = 0; i < 6; i++) {
        if (!ishex(s[i * 3]) || !ishex(s[i * 3 + 1]))
            return 0;
        if (i < 5 && s[i * 3 + 2] != sep)
            return 0;
    }
    if (s + 17 < end && (ishex(s[17]) || s[17] == sep))
        return 0;
    return 17;
}

static size_t match_ipv4(const char *s, const char *end)
{
    const char *p = s;
    int part;

    for (part = 0; part < 4; part++) {
        size_t n = 0;
        int v = 0;

        while (p + n < end && isdig(p[n]) && n < 4)
            v = v * 10 + (p[n++] - '0');
        if (n == 0 || n > 3 || v > 255)
            return 0;
        p += n;
        if (part < 3) {
            if (p >= end || *p != '.')
                return 0;
            p++;
        }
    }
    if (p < end && (isdig(*p) || (*p == '.' && p + 1 < end && isdig(p[1]))))
        return 0;
    return (size_t)(p - s);
}

static size_t match_ipv6(const char *s, const char *end)
{
    size_t n = 0, colons = 0, groups = 0, glen = 0;
    bool dbl = false;

    while (s + n < end && (ishex(s[n]) || s[n] == ':')) {
        if (s[n] == ':') {
            colons++;
            if (glen > 0)
                groups++;
            if (n > 0 && s[n - 1] == ':') {
                if (dbl)
                    return 0;
                dbl = true;
            }
            glen = 0;
        } else if (++glen > 4) {
            return 0;
        }
        n++;
    }
    if (glen > 0)
        groups++;
    if (colons < 2 || colons > 7 || (!dbl && colons != 7))
        return 0;
    if (s + n < end && (s[n] == '.' || isalnum_(s[n])))
        return 0; /* "0000:01:00.0", "std::string" */
    if (n == 3 && memcmp(s, "::1", 3) == 0)
        return n;
    /* "a::b" in C++ or a shell script is not an address; real ones have more digits */
    if (groups < 2 || n - colons < 4)
        return 0;
    return n;
}

/* "serial: X", "Serial Number = X", "serial=X": returns the offset of the value and its
 * length in *vlen, or 0. */
static size_t match_serial(const char *s, const char *end, size_t *vlen)
{
    static const char kw[] = "serial";
    const char *p = s, *v;
    size_t i;

    if ((size_t)(end - s) < sizeof(kw))
        return 0;
    for (i = 0; i < sizeof(kw) - 1; i++)
        if ((s[i] | 0x20) != kw[i])
            return 0;
    p += sizeof(kw) - 1;
    if (p < end && (*p == ' ' || *p == '_' || *p == '-')) {
        const char *q = p + 1;
        if (end - q >= 6 && strncasecmp(q, "number", 6) == 0)
            p = q + 6;
        else if (end - q >= 2 && strncasecmp(q, "no", 2) == 0)
            p = q + 2;
    }
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if (p >= end || (*p != ':' && *p != '='))
        return 0;
    p++;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '"'))
        p++;
    v = p;
    while (p < end && *p != ' ' && *p != '\t' && *p != '\n' && *p != ',' && *p != ';' && *p != '"')
        p++;
    if (p == v)
        return 0;
    *vlen = (size_t)(p - v);
    return (size_t)(v - s);
}

static bool host_char(char c)
{
    return isalnum_(c) || c == '-' || c == '.' || c == '/';
}

/* A known name at p, on name boundaries: "pve1" and "pve1.example.com", not "pve1-data" or
 * "/etc/pve1/". Returns the index into names or -1. */
static int match_name(const char *text, const char *p, const char *end, const char *const *names,
                      size_t nnames, size_t *n)
{
    const char *prev = p > text ? p - 1 : NULL;
    size_t i;

    if (prev && host_char(*prev))
        return -1;
    for (i = 0; i < nnames; i++) {
        size_t k = names[i] ? strlen(names[i]) : 0;

        if (k < 2 || (size_t)(end - p) < k || strncasecmp(p, names[i], k) != 0)
            continue; /* a one-letter name would eat every word */
        /* "pve1.example.com", and "pve1." ending a sentence, but not "pve1-data" */
        if (p + k == end || !host_char(p[k]) ||
            (p[k] == '.' && (p + k + 1 == end || isalnum_(p[k + 1]) || !host_char(p[k + 1])))) {
            *n = k;
            return (int)i;
        }
    }
    return -1;
}

char *host_redact_names_text(const char *text, size_t len, const char *const *names,
                             const char *const *tokens, size_t nnames, size_t *outlen)
{
    struct ptd_strbuf sb = {0};
    const char *p = text, *end = text + len, *run = text;

    while (p < end) {
        const char *prev = p > text ? p - 1 : NULL;
        bool word_start = !prev || !isalnum_(*prev);
        const char *repl = NULL;
        size_t n = 0, keep = 0, vlen = 0;
        int name;

        if (word_start && ishex(*p)) {
            if ((n = match_uuid(p, end)) != 0 || (n = match_volid(p, end)) != 0)
                repl = "[uuid]";
            else if ((!prev || (*prev != ':' && *prev != '-')) && (n = match_mac(p, end)) != 0)
                repl = "[mac]";
        }
        if (!repl && (!prev || (!ishex(*prev) && *prev != ':' && *prev != '.')) &&
            (ishex(*p) || *p == ':') && (n = match_ipv6(p, end)) != 0)
            repl = "[ipv6]";
        if (!repl && isdig(*p) && (!prev || (!isdig(*prev) && *prev != '.')) &&
            (n = match_ipv4(p, end)) != 0)
            repl = "[ipv4]";
        if (!repl && word_start && (*p | 0x20) == 's' && (keep = match_serial(p, end, &vlen))) {
            repl = "[serial]";
            n = keep + vlen;
        }
        if (!repl && (name = match_name(text, p, end, names, nnames, &n)) >= 0)
            repl = tokens[name];
        if (!repl) {
            p++;
            continue;
        }
        ptd_strbuf_addn(&sb, run, (size_t)(p - run));
        ptd_strbuf_addn(&sb, p, keep); /* the "serial: " key stays */
        ptd_strbuf_addn(&sb, repl, strlen(repl));
        p += n;
        run = p;
    }
    ptd_strbuf_addn(&sb, run, (size_t)(end - run));
    if (outlen && !sb.failed)
        *outlen = sb.len;
    return ptd_strbuf_take(&sb);
}

char *host_redact_text(const char *text, size_t len, const char *hostname, size_t *outlen)
{
    static const char *const token[] = {"[node-1]"};
    const char *const names[] = {hostname};

    return host_redact_names_text(text, len, names, token, hostname ? 1 : 0, outlen);
}

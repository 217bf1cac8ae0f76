/* SPDX-License-Identifier: MIT */
/*
 * UPID and task list line parsing (see upid.h). Strict, as pve-common's own regular
 * expressions are: a line Proxmox would not have written is refused, never guessed at.
 */
#include "upid.h"

#include <string.h>

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_alnum(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static uint64_t hex_value(const char *s, size_t n)
{
    uint64_t v = 0;
    size_t i;

    for (i = 0; i < n; i++)
        v = v * 16 + (uint64_t)(s[i] <= '9' ? s[i] - '0' : (s[i] | 0x20) - 'a' + 10);
    return v;
}

/* The field at *p up to the next ':' (not past end); advances *p past the ':'. */
static bool next_field(const char **p, const char *end, const char **f, size_t *n)
{
    const char *c = memchr(*p, ':', (size_t)(end - *p));

    if (!c)
        return false;
    *f = *p;
    *n = (size_t)(c - *p);
    *p = c + 1;
    return true;
}

static bool copy_field(char *dst, size_t dstlen, const char *f, size_t n, bool may_be_empty)
{
    size_t i;

    if ((!n && !may_be_empty) || n >= dstlen)
        return false;
    for (i = 0; i < n; i++)
        if (is_space(f[i]) || f[i] == '\0')
            return false;
    memcpy(dst, f, n);
    dst[n] = '\0';
    return true;
}

/* "[node]", "[node-2]": the node as a --redact snapshot writes it (redact_map.h), which its
 * replay must still decode; Proxmox itself never writes brackets. */
static bool redaction_token(const char *f, size_t n)
{
    size_t i;

    if (n == 6 && memcmp(f, "[node]", 6) == 0)
        return true;
    if (n < 8 || n > 10 || memcmp(f, "[node-", 6) != 0 || f[n - 1] != ']')
        return false;
    for (i = 6; i < n - 1; i++)
        if (f[i] < '0' || f[i] > '9')
            return false;
    return true;
}

static bool valid_node(const char *f, size_t n)
{
    size_t i;

    if (redaction_token(f, n))
        return true;
    if (!n || !is_alnum(f[0]) || !is_alnum(f[n - 1]))
        return false;
    for (i = 0; i < n; i++)
        if (!is_alnum(f[i]) && f[i] != '-')
            return false;
    return true;
}

static bool all_hex(const char *f, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!is_hex(f[i]))
            return false;
    return true;
}

bool upid_decode(const char *s, size_t len, struct upid *out)
{
    const char *p = s, *end = s + len, *f;
    size_t n;

    memset(out, 0, sizeof(*out));
    if (len < 5 || memcmp(s, "UPID:", 5) != 0)
        return false;
    p += 5;
    if (!next_field(&p, end, &f, &n) || !valid_node(f, n) ||
        !copy_field(out->node, sizeof(out->node), f, n, false))
        return false;
    if (!next_field(&p, end, &f, &n) || n != 8 || !all_hex(f, n))
        return false;
    out->pid = (uint32_t)hex_value(f, n);
    if (!next_field(&p, end, &f, &n) || (n != 8 && n != 9) || !all_hex(f, n))
        return false;
    out->pstart = hex_value(f, n);
    if (!next_field(&p, end, &f, &n) || n != 8 || !all_hex(f, n))
        return false;
    out->starttime = (uint32_t)hex_value(f, n);
    out->subdir = f[7];
    if (!next_field(&p, end, &f, &n) || !copy_field(out->type, sizeof(out->type), f, n, false))
        return false;
    if (!next_field(&p, end, &f, &n) || !copy_field(out->id, sizeof(out->id), f, n, true))
        return false;
    if (!next_field(&p, end, &f, &n) || !copy_field(out->user, sizeof(out->user), f, n, false))
        return false;
    return p == end; /* the UPID ends with its last ':' */
}

bool upid_is_safe_filename(const char *s, size_t len)
{
    struct upid u;

    return upid_decode(s, len, &u) && memchr(s, '/', len) == NULL;
}

bool task_line_parse(const char *line, size_t len, struct task_line *out)
{
    const char *p = line, *end = line + len, *sp;

    memset(out, 0, sizeof(*out));
    while (end > p && (end[-1] == '\r' || end[-1] == '\n'))
        end--;
    sp = memchr(p, ' ', (size_t)(end - p));
    out->upid = p;
    out->upid_len = sp ? (size_t)(sp - p) : (size_t)(end - p);
    if (out->upid_len < 5 || memcmp(p, "UPID:", 5) != 0)
        return false;
    if (!sp)
        return false; /* both formats have at least one more field */
    p = sp + 1;
    /* "active": the saved flag comes first */
    if (end - p >= 1 && (*p == '0' || *p == '1') && (end - p == 1 || p[1] == ' ')) {
        p += 1;
        if (p == end)
            return true;
        p++;
    }
    if (end - p < 8 || !all_hex(p, 8) || (end - p > 8 && p[8] != ' '))
        return false;
    out->has_end = true;
    out->endtime = (uint32_t)hex_value(p, 8);
    p += 8;
    if (p < end) {
        p++;
        while (p < end && *p == ' ')
            p++;
        if (p < end) {
            out->status = p;
            out->status_len = (size_t)(end - p);
        }
    }
    return true;
}

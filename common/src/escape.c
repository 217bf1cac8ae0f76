/* SPDX-License-Identifier: MIT */
/* Escaping of untrusted text for every renderer (see ptdiag/escape.h). */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ptdiag/escape.h"
#include "ptdiag/strbuf.h"

/* Where escaped text goes: a FILE, or a growing buffer (for the _dup functions and for the
 * two-pass escapes, which text-escape first and then escape for their format). */
struct sink {
    FILE *f;
    struct ptd_strbuf buf;
};

static void put(struct sink *k, const char *s, size_t n)
{
    if (k->f)
        fwrite(s, 1, n, k->f);
    else
        ptd_strbuf_addn(&k->buf, s, n);
}

static void putc_(struct sink *k, char c)
{
    put(k, &c, 1);
}

/* The buffered text (caller frees), or NULL when an allocation failed. */
static char *take(struct sink *k)
{
    return ptd_strbuf_take(&k->buf);
}

/* Decodes one UTF-8 sequence at s (RFC 3629: no overlong forms, no surrogates, at most
 * U+10FFFF). Returns its length and sets *cp, or 0 when the byte at s starts no valid one. */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
    uint32_t c = s[0], min;
    size_t n;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2, c &= 0x1f, min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3, c &= 0x0f, min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4, c &= 0x07, min = 0x10000;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) /* also stops at the terminating NUL */
            return 0;
        c = c << 6 | (s[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return n;
}

/* Code points a terminal or a bidi-aware viewer acts on rather than shows: C1 controls and
 * the bidirectional marks, embeddings, overrides and isolates ("Trojan Source"). */
static bool cp_hidden(uint32_t cp)
{
    return (cp >= 0x80 && cp <= 0x9f) || cp == 0x061c || cp == 0x200e || cp == 0x200f ||
           (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

static void text_escape(struct sink *k, const char *s, unsigned flags)
{
    const unsigned char *p = (const unsigned char *)s;
    char tmp[16];

    while (p && *p) {
        uint32_t cp;
        size_t n = utf8_decode(p, &cp);

        if (n == 0) {
            snprintf(tmp, sizeof tmp, "\\x%02x", *p);
            put(k, tmp, strlen(tmp));
            p++;
            continue;
        }
        if (cp == '\n' && (flags & PTD_ESC_KEEP_NL)) {
            putc_(k, '\n');
        } else if (cp < 0x20 || cp == 0x7f) {
            const char *named = cp == '\n'   ? "\\n"
                                : cp == '\t' ? "\\t"
                                : cp == '\r' ? "\\r"
                                : cp == 0x1b ? "\\e"
                                             : NULL;
            if (!named) {
                snprintf(tmp, sizeof tmp, "\\x%02x", (unsigned)cp);
                named = tmp;
            }
            put(k, named, strlen(named));
        } else if (cp_hidden(cp)) {
            snprintf(tmp, sizeof tmp, "\\u%04x", (unsigned)cp);
            put(k, tmp, strlen(tmp));
        } else {
            put(k, (const char *)p, n);
        }
        p += n;
    }
}

void ptd_esc_text(FILE *out, const char *s, unsigned flags)
{
    struct sink k = {.f = out};

    text_escape(&k, s, flags);
}

char *ptd_esc_text_dup(const char *s, unsigned flags)
{
    struct sink k = {0};

    text_escape(&k, s, flags);
    return take(&k);
}

const char *ptd_esc_tmp(const char *s, size_t max)
{
    static char ring[16][1024];
    static unsigned next;
    char *slot = ring[next++ % 16];
    char *t = ptd_esc_text_dup(s, 0);
    size_t n;

    if (max == 0 || max >= sizeof(ring[0]))
        max = sizeof(ring[0]) - 1;
    n = t ? strlen(t) : 1;
    if (n > max) {
        n = max;
        while (n > 0 && ((unsigned char)t[n] & 0xc0) == 0x80)
            n--; /* t[n] is the first byte dropped: never split a UTF-8 sequence */
    }
    memcpy(slot, t ? t : "?", n);
    slot[n] = '\0';
    free(t);
    return slot;
}

void ptd_esc_md_code(FILE *out, const char *s, unsigned flags)
{
    char *t = ptd_esc_text_dup(s, flags & ~(unsigned)PTD_ESC_KEEP_NL);
    size_t run = 0, best = 0, len;

    if (!t) {
        fputs("`?`", out);
        return;
    }
    for (const char *p = t; *p; p++) {
        run = *p == '`' ? run + 1 : 0;
        best = run > best ? run : best;
    }
    /* A delimiter longer than every backtick run inside cannot be closed early; a space
     * between delimiter and content keeps a backtick or space at either end (CommonMark strips
     * exactly one space from each side). */
    len = strlen(t);
    bool pad = len && (t[0] == '`' || t[0] == ' ' || t[len - 1] == '`' || t[len - 1] == ' ');
    for (size_t i = 0; i <= best; i++)
        fputc('`', out);
    if (pad)
        fputc(' ', out);
    for (const char *p = t; *p; p++) {
        /* In a GFM table a pipe ends the cell even inside a code span unless escaped. */
        if (*p == '|' && (flags & PTD_ESC_MD_CELL))
            fputc('\\', out);
        fputc(*p, out);
    }
    if (pad)
        fputc(' ', out);
    for (size_t i = 0; i <= best; i++)
        fputc('`', out);
    free(t);
}

void ptd_esc_md_text(FILE *out, const char *s, unsigned flags)
{
    char *t = ptd_esc_text_dup(s, PTD_ESC_KEEP_NL);
    bool line_start = true;

    if (!t) {
        fputc('?', out);
        return;
    }
    for (const char *p = t; *p; p++) {
        unsigned char c = (unsigned char)*p;

        if (c == '\n') {
            /* A cell is one line; elsewhere a backslash before the newline is a hard break,
             * and the next line cannot start a block: its punctuation is escaped too. */
            fputs(flags & PTD_ESC_MD_CELL ? " " : "\\\n", out);
            line_start = true;
            continue;
        }
        if (c == ' ' && line_start)
            continue; /* four leading spaces would start an indented code block */
        line_start = false;
        /* Every ASCII punctuation character CommonMark lets a backslash escape, but for , ' "
         * ; % $ / ? which start nothing on their own (':' and '.' stay escaped: they break
         * GFM's bare http:// and www. autolinks). */
        if (c < 0x80 && strchr("!#&()*+-.:<=>@[\\]^_`{|}~", c))
            fputc('\\', out);
        fputc(c, out);
    }
    free(t);
}

void ptd_esc_prom_label(FILE *out, const char *s)
{
    char *t = ptd_esc_text_dup(s, 0);

    for (const char *p = t ? t : "?"; *p; p++) {
        if (*p == '\\' || *p == '"')
            fputc('\\', out);
        fputc(*p, out);
    }
    free(t);
}

char *ptd_esc_json_dup(const char *json)
{
    struct sink k = {0};
    const unsigned char *p = (const unsigned char *)json;
    char tmp[16];

    while (p && *p) {
        uint32_t cp;
        size_t n = utf8_decode(p, &cp);

        if (n == 0) {
            put(&k, "\\ufffd", 6);
            p++;
            continue;
        }
        if (cp == 0x7f || cp_hidden(cp)) {
            snprintf(tmp, sizeof tmp, "\\u%04x", (unsigned)cp);
            put(&k, tmp, strlen(tmp));
        } else {
            put(&k, (const char *)p, n);
        }
        p += n;
    }
    return take(&k);
}

void ptd_esc_html(FILE *out, const char *s)
{
    char *t = ptd_esc_text_dup(s, 0);

    for (const char *p = t ? t : "?"; *p; p++) {
        switch (*p) {
        case '&':
            fputs("&amp;", out);
            break;
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        case '\'':
            fputs("&#39;", out);
            break;
        default:
            fputc(*p, out);
        }
    }
    free(t);
}

/* SPDX-License-Identifier: MIT */
/*
 * The journal export format (systemd's docs/JOURNAL_EXPORT_FORMATS.md): what `journalctl -o
 * export` writes and `systemd-journal-remote` reads. Entries are runs of fields separated by an
 * empty line; a field is "NAME=value\n", or, when the value holds a newline or other binary
 * data, "NAME\n" + its length as a 64-bit little-endian integer + the data + "\n".
 *
 * --save-snapshot writes the journal entries it used in this format (journal_export_write) and
 * the replay reads them back (journal_export_parse), so a snapshot replays the same findings
 * without copying journal files of gigabytes. The parser takes untrusted input: every length
 * is checked against what is left, a malformed entry is an error naming what is wrong.
 */
#include "journal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptdiag/strbuf.h"

struct xentry {
    uint64_t usec, mono;
    bool has_usec;
    char boot[33];
    char ident[48];
    char transport[16];
    char unit[48];
    const char *msg;
    size_t msg_len;
    bool read_error;
};

/* Not a systemd field: the snapshot's mark, on a boot's last entry, that sd-journal could not
 * read that boot to its end (journal.h, read_error), so that a replay too says its end is
 * unknown rather than "no shutdown". */
#define READ_ERROR_FIELD "PTDIAG_READ_ERROR"

static bool parse_u64(const char *s, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    size_t i;

    if (!n || n > 20)
        return false;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
            return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *out = v;
    return true;
}

static void copy_value(char *dst, size_t dstlen, const char *v, size_t n)
{
    if (n >= dstlen)
        n = dstlen - 1;
    memcpy(dst, v, n);
    dst[n] = '\0';
}

static void take_field(struct xentry *x, const char *name, size_t nlen, const char *v, size_t vlen)
{
#define IS(s) (nlen == sizeof(s) - 1 && memcmp(name, s, nlen) == 0)
    if (IS("__REALTIME_TIMESTAMP"))
        x->has_usec = parse_u64(v, vlen, &x->usec);
    else if (IS("__MONOTONIC_TIMESTAMP"))
        parse_u64(v, vlen, &x->mono);
    else if (IS("_BOOT_ID") && vlen == 32)
        copy_value(x->boot, sizeof(x->boot), v, vlen);
    else if (IS("SYSLOG_IDENTIFIER"))
        copy_value(x->ident, sizeof(x->ident), v, vlen);
    else if (IS("_TRANSPORT"))
        copy_value(x->transport, sizeof(x->transport), v, vlen);
    else if (IS("_SYSTEMD_UNIT"))
        copy_value(x->unit, sizeof(x->unit), v, vlen);
    else if (IS("MESSAGE"))
        x->msg = v, x->msg_len = vlen;
    else if (IS(READ_ERROR_FIELD))
        x->read_error = vlen == 1 && v[0] == '1';
#undef IS
}

static struct jboot *boot_for(struct jlog *l, struct jboot *all, size_t *nall, const char *id)
{
    size_t i;

    (void)l;
    for (i = 0; i < *nall; i++)
        if (strcmp(all[i].id, id) == 0)
            return &all[i];
    if (*nall == 64)
        return NULL; /* a saved snapshot holds three boots; more is not ours */
    memset(&all[*nall], 0, sizeof(all[0]));
    memcpy(all[*nall].id, id, 33);
    return &all[(*nall)++];
}

static int finish_entry(struct jlog *l, struct jboot *all, size_t *nall, struct xentry *x,
                        struct ptd_error *err, size_t lineno)
{
    struct jboot *b;

    if (!x->has_usec || !x->boot[0])
        return ptd_error_set(
                   err, "entry ending at line %zu has no __REALTIME_TIMESTAMP or _BOOT_ID", lineno),
               -EINVAL;
    b = boot_for(l, all, nall, x->boot);
    if (!b)
        return ptd_error_set(err, "more than 64 boots"), -EINVAL;
    if (!b->n || x->usec < b->first_usec)
        b->first_usec = x->usec;
    if (!b->n || x->usec > b->last_usec)
        b->last_usec = x->usec;
    b->read_error |= x->read_error;
    {
        struct jfields f = {x->ident, x->transport, x->unit};

        int r = journal_boot_add(b, x->usec, x->mono, &f, x->msg ? x->msg : "",
                                 x->msg ? x->msg_len : 0);

        /* the stored copy is NUL-terminated; x->msg points into the input */
        if (r == 0 && journal_is_shutdown_message(x->ident, b->e[b->n - 1].message))
            b->shutdown_seen = true;
        return r;
    }
}

static int by_last_desc(const void *a, const void *b)
{
    const struct jboot *x = a, *y = b;

    return x->last_usec > y->last_usec ? -1 : x->last_usec < y->last_usec;
}

/* Parses all entries into up to 64 boots, then keeps the newest JOURNAL_BOOTS. */
static int parse_all(const char *p, const char *end, struct jlog *out, struct jboot *all,
                     size_t *nall, struct ptd_error *err)
{
    struct xentry x;
    size_t lineno = 1;
    bool open = false;
    int r;

    memset(&x, 0, sizeof(x));
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p)), *eq;

        if (!nl)
            nl = end;  /* a last line without newline */
        if (nl == p) { /* empty line: end of entry */
            if (open && (r = finish_entry(out, all, nall, &x, err, lineno)) < 0)
                return r;
            memset(&x, 0, sizeof(x));
            open = false;
            p = nl + 1;
            lineno++;
            continue;
        }
        open = true;
        eq = memchr(p, '=', (size_t)(nl - p));
        if (eq) {
            take_field(&x, p, (size_t)(eq - p), eq + 1, (size_t)(nl - eq - 1));
            p = nl + 1;
        } else {
            /* binary field: NAME\n, le64 size, data, \n */
            uint64_t size = 0;
            const char *name = p;
            size_t nlen = (size_t)(nl - p), i;

            if (nl == end || (size_t)(end - nl - 1) < 8)
                return ptd_error_set(err, "line %zu: binary field without its size", lineno),
                       -EINVAL;
            for (i = 0; i < 8; i++)
                size |= (uint64_t)(unsigned char)nl[1 + i] << (8 * i);
            if (size > (uint64_t)(end - nl - 9) || (uint64_t)(end - nl - 9) - size < 1 ||
                nl[9 + size] != '\n')
                return ptd_error_set(err, "line %zu: binary field %.*s overruns the data", lineno,
                                     (int)(nlen > 40 ? 40 : nlen), name),
                       -EINVAL;
            take_field(&x, name, nlen, nl + 9, (size_t)size);
            p = nl + 9 + size + 1;
        }
        lineno++;
    }
    if (open && (r = finish_entry(out, all, nall, &x, err, lineno)) < 0)
        return r;
    return 0;
}

int journal_export_parse(const char *data, size_t len, struct jlog *out, struct ptd_error *err)
{
    struct jboot *all = calloc(64, sizeof(*all));
    size_t nall = 0, i;
    int r;

    memset(out, 0, sizeof(*out));
    if (!all)
        return -ENOMEM;
    r = parse_all(data, data + len, out, all, &nall, err);
    if (r == 0) {
        qsort(all, nall, sizeof(*all), by_last_desc);
        for (i = 0; i < nall; i++) {
            if (i < JOURNAL_BOOTS) {
                out->boots[i] = all[i];
                journal_boot_sort(&out->boots[i]);
                continue;
            }
            out->truncated = true;
        }
        out->nboots = nall < JOURNAL_BOOTS ? nall : JOURNAL_BOOTS;
    }
    for (i = r == 0 ? JOURNAL_BOOTS : 0; i < nall; i++) {
        size_t k;

        for (k = 0; k < all[i].n; k++)
            free(all[i].e[k].message);
        free(all[i].e);
    }
    free(all);
    if (r)
        journal_free(out);
    return r;
}

/* ---- writing -------------------------------------------------------------------------- */

/* NAME=value, or the binary form when the value holds a newline (or binary is asked for) */
static void put_field_n(struct ptd_strbuf *s, const char *name, size_t nlen, const char *v,
                        size_t n, bool binary)
{
    ptd_strbuf_addn(s, name, nlen);
    if (!binary && !memchr(v, '\n', n)) {
        ptd_strbuf_addn(s, "=", 1);
        ptd_strbuf_addn(s, v, n);
    } else {
        unsigned char le[9];
        size_t i;

        le[0] = '\n';
        for (i = 0; i < 8; i++)
            le[1 + i] = (unsigned char)((uint64_t)n >> (8 * i));
        ptd_strbuf_addn(s, (const char *)le, 9);
        ptd_strbuf_addn(s, v, n);
    }
    ptd_strbuf_addn(s, "\n", 1);
}

static void put_field(struct ptd_strbuf *s, const char *name, const char *v)
{
    put_field_n(s, name, strlen(name), v, strlen(v), false);
}

static void put_entry(struct ptd_strbuf *s, const struct jboot *b, const struct jentry *e)
{
    char num[32];

    snprintf(num, sizeof(num), "%" PRIu64, e->usec);
    put_field(s, "__REALTIME_TIMESTAMP", num);
    snprintf(num, sizeof(num), "%" PRIu64, e->mono_usec);
    put_field(s, "__MONOTONIC_TIMESTAMP", num);
    put_field(s, "_BOOT_ID", b->id);
    if (e->transport[0])
        put_field(s, "_TRANSPORT", e->transport);
    if (e->ident[0])
        put_field(s, "SYSLOG_IDENTIFIER", e->ident);
    if (e->unit[0])
        put_field(s, "_SYSTEMD_UNIT", e->unit);
    put_field(s, "MESSAGE", e->message);
    if (b->read_error && e->usec == b->last_usec)
        put_field(s, READ_ERROR_FIELD, "1");
    ptd_strbuf_addn(s, "\n", 1);
}

char *journal_export_write(const struct jlog *l)
{
    struct ptd_strbuf s = {0};
    size_t i, k;

    for (i = 0; i < l->nboots; i++) {
        const struct jboot *b = &l->boots[i];

        if (!b->n && b->read_error) {
            /* nothing of the boot could be read but its span: keep that, with the mark */
            char none[1] = "";
            struct jentry span[2] = {{.usec = b->first_usec, .message = none},
                                     {.usec = b->last_usec, .message = none}};

            put_entry(&s, b, &span[0]);
            put_entry(&s, b, &span[1]);
        }
        for (k = 0; k < b->n; k++) {
            const struct jentry *e = &b->e[k];

            /* the boot's span (its first and last entry), and every entry used */
            if (e->used || e->usec == b->first_usec || e->usec == b->last_usec ||
                journal_is_shutdown_message(e->ident, e->message))
                put_entry(&s, b, e);
        }
    }
    return ptd_strbuf_take(&s);
}

/* ---- rewriting values (--save-snapshot --redact) -------------------------------------- */

/* The fields that tell entries apart and order them: kept as they are. */
static bool kept_field(const char *name, size_t nlen)
{
    return (nlen == 20 && memcmp(name, "__REALTIME_TIMESTAMP", 20) == 0) ||
           (nlen == 21 && memcmp(name, "__MONOTONIC_TIMESTAMP", 21) == 0) ||
           (nlen == 8 && memcmp(name, "_BOOT_ID", 8) == 0);
}

static void rewrite_field(struct ptd_strbuf *s, const char *name, size_t nlen, const char *v,
                          size_t vlen, bool binary, journal_value_fn fn, void *arg)
{
    size_t olen = 0;
    char *o;

    if (kept_field(name, nlen)) {
        put_field_n(s, name, nlen, v, vlen, binary);
        return;
    }
    o = fn(arg, v, vlen, &olen);
    if (!o) {
        s->failed = true;
        return;
    }
    put_field_n(s, name, nlen, o, olen, binary);
    free(o);
}

char *journal_export_rewrite(const char *data, size_t len, journal_value_fn fn, void *arg,
                             size_t *outlen)
{
    struct ptd_strbuf s = {0};
    const char *p = data, *end = data + len;

    while (p < end && !s.failed) {
        const char *nl = memchr(p, '\n', (size_t)(end - p)), *eq;

        if (!nl)
            nl = end;
        if (nl == p) { /* the empty line between entries */
            ptd_strbuf_addn(&s, "\n", 1);
            p = nl + 1;
            continue;
        }
        eq = memchr(p, '=', (size_t)(nl - p));
        if (eq) {
            rewrite_field(&s, p, (size_t)(eq - p), eq + 1, (size_t)(nl - eq - 1), false, fn, arg);
            p = nl + 1;
        } else {
            uint64_t size = 0;
            size_t i;

            if (nl == end || (size_t)(end - nl - 1) < 8)
                goto bad;
            for (i = 0; i < 8; i++)
                size |= (uint64_t)(unsigned char)nl[1 + i] << (8 * i);
            if (size > (uint64_t)(end - nl - 9) || (uint64_t)(end - nl - 9) - size < 1 ||
                nl[9 + size] != '\n')
                goto bad;
            rewrite_field(&s, p, (size_t)(nl - p), nl + 9, (size_t)size, true, fn, arg);
            p = nl + 9 + size + 1;
        }
    }
    if (s.failed)
        goto bad;
    if (outlen)
        *outlen = s.len;
    return ptd_strbuf_take(&s);
bad:
    /* never a half-rewritten copy: the caller writes nothing */
    ptd_strbuf_release(&s);
    return NULL;
}

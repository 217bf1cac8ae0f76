/* SPDX-License-Identifier: MIT */
/* The growable string buffer (see ptdiag/strbuf.h). */
#include "ptdiag/strbuf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The first allocation: most texts built here (a field, an escaped name, one log message)
 * fit, so the common case is one malloc. */
#define STRBUF_FIRST_CAP 256u

/* Makes room for n more bytes and the NUL. Sizes are checked before they are computed: on
 * absurd input len + n + 1 or the doubling could wrap size_t and under-allocate. */
static bool reserve(struct ptd_strbuf *b, size_t n)
{
    size_t need, cap;
    char *grown;

    if (b->failed)
        return false;
    if (n > SIZE_MAX - 1 - b->len)
        goto fail;
    need = b->len + n + 1;
    if (need <= b->cap)
        return true;
    cap = b->cap ? b->cap : STRBUF_FIRST_CAP;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    grown = realloc(b->data, cap);
    if (!grown)
        goto fail;
    b->data = grown;
    b->cap = cap;
    return true;
fail:
    b->failed = true;
    return false;
}

void ptd_strbuf_addn(struct ptd_strbuf *b, const char *s, size_t n)
{
    if (b->limit) {
        size_t room = b->len < b->limit ? b->limit - b->len : 0;

        if (n > room)
            n = room;
    }
    if (!reserve(b, n))
        return;
    if (n)
        memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void ptd_strbuf_add(struct ptd_strbuf *b, const char *s)
{
    ptd_strbuf_addn(b, s, strlen(s));
}

void ptd_strbuf_addc(struct ptd_strbuf *b, char c)
{
    ptd_strbuf_addn(b, &c, 1);
}

void ptd_strbuf_printf(struct ptd_strbuf *b, const char *fmt, ...)
{
    char small[512], *big = NULL;
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = true;
        return;
    }
    if ((size_t)n < sizeof small) {
        ptd_strbuf_addn(b, small, (size_t)n);
        return;
    }
    /* too long for the stack: format again into a buffer of the exact size */
    big = malloc((size_t)n + 1);
    if (!big) {
        b->failed = true;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    ptd_strbuf_addn(b, big, (size_t)n);
    free(big);
}

void ptd_strbuf_clear(struct ptd_strbuf *b)
{
    b->len = 0;
    b->failed = false;
    if (b->data)
        b->data[0] = '\0';
}

char *ptd_strbuf_take(struct ptd_strbuf *b)
{
    char *text = b->failed ? NULL : b->data;

    if (b->failed)
        free(b->data);
    else if (!text)
        text = strdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = false;
    return text;
}

void ptd_strbuf_release(struct ptd_strbuf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = false;
}

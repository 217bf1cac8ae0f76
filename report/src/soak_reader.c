/* SPDX-License-Identifier: MIT */
#include "soak_reader.h"

#include <errno.h>
#include <string.h>

#ifdef _WIN32
#define getc_unlocked _getc_nolock
#endif

void soak_reader_init(struct soak_reader *r, FILE *f)
{
    r->f = f;
    r->len = 0;
    r->lineno = 0;
    r->too_long = false;
    r->has_newline = false;
    r->read_errno = 0;
    r->buf[0] = '\0';
}

bool soak_reader_next(struct soak_reader *r)
{
    bool any = false;
    int c;

    r->len = 0;
    r->too_long = false;
    r->has_newline = false;
    /* getc_unlocked on a stdio buffer: one pass over the bytes, no allocation. */
    while ((c = getc_unlocked(r->f)) != EOF) {
        any = true;
        if (c == '\n') {
            r->has_newline = true;
            break;
        }
        if (r->len < SOAK_READER_LINE_MAX)
            r->buf[r->len++] = (char)c;
        else
            r->too_long = true;
    }
    if (c == EOF && ferror(r->f)) {
        r->read_errno = errno ? errno : EIO;
        return false;
    }
    if (!any)
        return false;
    r->buf[r->len] = '\0';
    r->lineno++;
    return true;
}

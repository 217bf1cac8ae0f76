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

/* Passes over the rest of an over-long line up to its newline (consumed; *newline set) or
 * the end of the file. Byte by byte a 1 GiB line took over 30 s under ASan on a busy machine (a
 * sparse file of zeros, tests/bad-input soak-sparse-1gib); fgets scans the stdio buffer with the C
 * library's memchr. fgets stops after the first newline, so a newline in the chunk, found
 * past any NUL bytes because the chunk is zeroed first, is the line's end. Returns EOF at the
 * end of the file or on an error (ferror tells), else '\n'. Never inlined: its 64 KiB chunk
 * in soak_reader_next's frame cost every line a stack probe (about 5% of a soak run). */
__attribute__((noinline)) static int skip_line(FILE *f, bool *newline)
{
    char chunk[64 * 1024];

    for (;;) {
        memset(chunk, 0, sizeof(chunk));
        if (!fgets(chunk, (int)sizeof(chunk), f))
            return EOF;
        if (memchr(chunk, '\n', sizeof(chunk))) {
            *newline = true;
            return '\n';
        }
    }
}

bool soak_reader_next(struct soak_reader *r)
{
    FILE *f = r->f;
    char *buf = r->buf;
    size_t len = 0;
    bool any = false;
    int c;

    r->too_long = false;
    r->has_newline = false;
    /* getc_unlocked on a stdio buffer: one pass over the bytes, no allocation. The length is
     * a local: stored through r, every byte's char store would make it reload (aliasing). */
    while ((c = getc_unlocked(f)) != EOF) {
        any = true;
        if (c == '\n') {
            r->has_newline = true;
            break;
        }
        if (len == SOAK_READER_LINE_MAX) {
            r->too_long = true;
            c = skip_line(f, &r->has_newline);
            break;
        }
        buf[len++] = (char)c;
    }
    r->len = len;
    if (c == EOF && ferror(f)) {
        r->read_errno = errno ? errno : EIO;
        return false;
    }
    if (!any)
        return false;
    buf[len] = '\0';
    r->lineno++;
    return true;
}

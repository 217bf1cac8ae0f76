/* SPDX-License-Identifier: MIT */
/*
 * A line reader with a fixed buffer, so that a soak log of any length (or a file with no
 * newline at all) is read in constant memory. Lines longer than SOAK_READER_LINE_MAX are not
 * kept: they come back flagged `too_long` with their first bytes only.
 */
#ifndef PTDIAG_SOAK_READER_H
#define PTDIAG_SOAK_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Real samples are well under 8 KiB (a few GPUs, a handful of events). */
#define SOAK_READER_LINE_MAX (256u * 1024u)

struct soak_reader {
    FILE *f;                            /* borrowed: the caller opens and closes it */
    char buf[SOAK_READER_LINE_MAX + 1]; /* the current line, NUL-terminated */
    size_t len;                         /* bytes in buf (the line may hold NUL bytes) */
    unsigned long lineno;               /* 1-based number of the current line */
    bool too_long;                      /* the line was longer than the buffer */
    bool has_newline;                   /* the line ended with '\n' (false: end of file) */
    int read_errno;                     /* set when fread failed */
};

/* Starts reading f from its current position. */
void soak_reader_init(struct soak_reader *r, FILE *f);

/* Reads the next line (without its '\n'). Returns true with the line in r->buf/r->len, false
 * at end of file or on a read error (r->read_errno). */
bool soak_reader_next(struct soak_reader *r);

#endif

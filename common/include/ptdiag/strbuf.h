/* SPDX-License-Identifier: MIT */
/*
 * One growable, NUL-terminated string buffer for every module that builds text in memory
 * (escaping, the renderers, the kernel log splitter, the journal writer, the redactor).
 * Portable C: the MinGW agent links it too.
 *
 * Ownership: the buffer owns data. ptd_strbuf_take() hands it to the caller (who frees it);
 * otherwise the owner of the struct calls ptd_strbuf_release(). A zeroed struct is an empty
 * buffer with no byte cap: `struct ptd_strbuf b = {0};`.
 *
 * Failure is sticky: once an allocation fails or a length would overflow size_t, `failed`
 * stays set, every later append is ignored, and ptd_strbuf_take() returns NULL; callers check
 * once at the end instead of after every append.
 */
#ifndef PTDIAG_STRBUF_H
#define PTDIAG_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

#include "ptdiag/error.h" /* PTD_PRINTF */

struct ptd_strbuf {
    char *data;   /* owned; NULL until the first append (even of 0 bytes), then NUL-terminated */
    size_t len;   /* bytes in data, not counting the NUL */
    size_t cap;   /* bytes allocated at data */
    size_t limit; /* 0: none; else len never exceeds it: longer appends are cut, not failed */
    bool failed;  /* sticky: an allocation failed or a size would have overflowed */
};

/* Appends n bytes of s (which may hold NULs). n == 0 still allocates the empty string. */
void ptd_strbuf_addn(struct ptd_strbuf *b, const char *s, size_t n);
/* Appends the C string s. */
void ptd_strbuf_add(struct ptd_strbuf *b, const char *s);
/* Appends one byte. */
void ptd_strbuf_addc(struct ptd_strbuf *b, char c);
/* Appends formatted text; a formatting error sets failed. */
void ptd_strbuf_printf(struct ptd_strbuf *b, const char *fmt, ...) PTD_PRINTF(2, 3);

/* Empties the buffer for reuse and clears failed; keeps the allocation and the limit. */
void ptd_strbuf_clear(struct ptd_strbuf *b);
/* Returns the text (caller frees; "" when nothing was appended), or NULL when failed (the
 * text is freed then). Either way the buffer is left empty, with its limit, and reusable. */
char *ptd_strbuf_take(struct ptd_strbuf *b);
/* Frees the text; the buffer is left empty, with its limit, and reusable. */
void ptd_strbuf_release(struct ptd_strbuf *b);

#endif

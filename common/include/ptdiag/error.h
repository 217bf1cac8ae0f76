/* SPDX-License-Identifier: MIT */
/* A caller-owned error message buffer: library code fills it, tools print it. */
#ifndef PTDIAG_ERROR_H
#define PTDIAG_ERROR_H

#include <stddef.h>

#define PTD_ERROR_MAX 512

struct ptd_error {
    char text[PTD_ERROR_MAX];
};

#if defined(__MINGW32__)
/* MinGW builds use the C99 printf (__USE_MINGW_ANSI_STDIO), so check against GNU rules. */
#define PTD_PRINTF(a, b) __attribute__((format(gnu_printf, a, b)))
#elif defined(__GNUC__)
#define PTD_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define PTD_PRINTF(a, b)
#endif

/* Sets err->text (truncating); err may be NULL. Always returns -1 so callers can
 * `return ptd_error_set(err, ...)`. */
int ptd_error_set(struct ptd_error *err, const char *fmt, ...) PTD_PRINTF(2, 3);

/* Clears err (err may be NULL). */
void ptd_error_clear(struct ptd_error *err);

#endif

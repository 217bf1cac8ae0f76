/* SPDX-License-Identifier: MIT */
#include "ptdiag/error.h"

#include <stdarg.h>
#include <stdio.h>

int ptd_error_set(struct ptd_error *err, const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return -1;
    va_start(ap, fmt);
    vsnprintf(err->text, sizeof(err->text), fmt, ap);
    va_end(ap);
    return -1;
}

void ptd_error_clear(struct ptd_error *err)
{
    if (err)
        err->text[0] = '\0';
}

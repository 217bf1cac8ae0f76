/* SPDX-License-Identifier: MIT */
/* In-place cleaning of driver strings. See ptdiag/text_clean.h. */
#include "ptdiag/text_clean.h"

#include <stddef.h>

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *s)
{
    size_t n, i;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        n = 2;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        n = 3;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        n = 4;
    else
        return 0;
    for (i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    return n;
}

void ptd_text_clean(char *text)
{
    unsigned char *p = (unsigned char *)text;

    while (p && *p) {
        size_t n = utf8_len(p);

        if (n == 0 || (n == 1 && ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f))) {
            *p++ = '?';
            continue;
        }
        p += n;
    }
}

/* SPDX-License-Identifier: MIT */
#include "ptdiag/hex.h"

int ptd_parse_hex_u64(const char **p, const char *end, uint64_t *out)
{
    uint64_t v = 0;
    unsigned digits = 0;

    while (*p < end) {
        char c = **p;
        unsigned d;

        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            break;
        if (digits == 16)
            return -1; /* more than 64 bits */
        v = v << 4 | d;
        digits++;
        (*p)++;
    }
    if (digits == 0)
        return -1;
    *out = v;
    return 0;
}

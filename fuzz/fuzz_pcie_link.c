/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: the PCIe link attribute parser, the input split into its four attribute
 * texts at NUL bytes (a missing part is an absent attribute). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ptdiag/pcie_link.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const unsigned widths[] = {0, 1, 2, 4, 8, 12, 16, 32};
    const char *part[4] = {NULL, NULL, NULL, NULL};
    struct ptd_pcie_link l;
    char *copy = malloc(size + 1);
    size_t at = 0;
    unsigned ok = 0;

    if (!copy)
        return 0;
    memcpy(copy, data, size);
    copy[size] = '\0';
    for (int i = 0; i < 4 && at <= size; i++) {
        part[i] = copy + at;
        at += strlen(copy + at) + 1;
    }
    ptd_pcie_link_parse(part[0], part[1], part[2], part[3], &l);
    /* An unknown value is 0; a known width is one PCIe defines; a known rate is positive. */
    for (size_t i = 0; i < sizeof(widths) / sizeof(widths[0]); i++)
        ok += (l.cur_width == widths[i]) + (l.max_width == widths[i]) * 2;
    if (ok != 3 || l.has_cur_width != (l.cur_width != 0) || l.has_max_width != (l.max_width != 0) ||
        (l.has_cur_speed && !(l.cur_speed_gts > 0)) || (l.has_max_speed && !(l.max_speed_gts > 0)))
        abort();
    free(copy);
    return 0;
}

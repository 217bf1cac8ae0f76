/* SPDX-License-Identifier: MIT */
/* Bounded hex number scanning for the kernel's text files (/proc/iomem, sysfs `resource`),
 * which need not be NUL-terminated when handed over as a slice of a buffer. */
#ifndef PTDIAG_HEX_H
#define PTDIAG_HEX_H

#include <stdint.h>

/* Reads hex digits from *p up to end (no prefix), advancing *p past them. Returns 0 and
 * stores the value, or -1 when there is no digit or more than 16 (over 64 bits). */
int ptd_parse_hex_u64(const char **p, const char *end, uint64_t *out);

#endif

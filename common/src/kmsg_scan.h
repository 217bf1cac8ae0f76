/* SPDX-License-Identifier: MIT */
/*
 * Scanning helpers the kernel log classifier uses to pull fields out of one message: clean
 * copies into event text, PCI addresses (BDFs), numbers, BAR indices and bracketed resources
 * (private to common/src/kmsg*.c; owned by kmsg_scan.c, used by kmsg_classify.c). Portable C
 * only. The comments on each function are in kmsg_scan.c.
 */
#ifndef PTDIAG_KMSG_SCAN_H
#define PTDIAG_KMSG_SCAN_H

#include <stdbool.h>
#include <stddef.h>

/* true when s[0..n) are all hex digits */
bool kmsg_all_hex(const char *s, size_t n);
/* printable-ASCII copy of src[0..n) into dst, NUL-terminated, truncated to dstlen-1 */
void kmsg_copy_clean(char *dst, size_t dstlen, const char *src, size_t n);
/* kmsg_copy_clean without leading space and trailing space or dots */
void kmsg_copy_trimmed(char *dst, size_t dstlen, const char *src, size_t n);
/* lower-cased copy of src[0..n) into dst (n + 1 bytes), NUL-terminated */
void kmsg_lower_copy(char *dst, const char *src, size_t n);
/* the first full BDF anywhere in msg, lower-cased into dev; "" when none */
void kmsg_find_bdf(const char *msg, char *dev, size_t devlen);
/* "0xbb:0xdd.f" at s into dev as "0000:bb:dd.f" */
bool kmsg_hex_bdf_at(const char *s, char *dev, size_t devlen);
/* "bb:dd.f" at s into dev as "0000:bb:dd.f" */
bool kmsg_short_bdf_at(const char *s, char *dev, size_t devlen);
/* a decimal int-range integer at s */
bool kmsg_parse_long(const char *s, long *out, const char **end);
/* N of the last "BAR N" before limit (anywhere when NULL); PTD_KMSG_NO_CODE when none */
long kmsg_bar_index(const char *msg, const char *limit);
/* text from the first '[' at or after p to its ']' into detail */
void kmsg_bracket_detail(const char *p, char *detail, size_t len);
/* just past the first needle in msg; NULL when none */
const char *kmsg_after(const char *msg, const char *needle);

#include <cjson/cJSON.h>

/* Adds an event's device, code, detail and text to o ("" and PTD_KMSG_NO_CODE as null); the
 * shape kernel log and start-failure events share. Defined in kmsg.c. */
bool kmsg_add_event_fields(cJSON *o, const char *device, long code, const char *detail,
                           const char *text);

#endif

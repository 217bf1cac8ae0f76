/* SPDX-License-Identifier: MIT */
/*
 * The prefixes a kernel log line carries in the formats users paste and snapshots hold
 * (private to common/src/kmsg*.c). Portable C only.
 */
#ifndef PTDIAG_KMSG_PREFIX_H
#define PTDIAG_KMSG_PREFIX_H

#include <stdbool.h>
#include <stddef.h>

struct kmsg_prefix {
    double time_s; /* seconds since boot from a "[   12.345678]" stamp; -1 when none */
    bool syslog;   /* a syslog/journal prefix was there: rsyslog's "#012" escapes apply */
    bool other;    /* a syslog/journal line of another program, not the kernel: skip it */
};

/* Strips, in this order, what may precede the message on one line (line[0..n), not
 * NUL-terminated): a "<6>" priority (dmesg -r); a syslog/journal prefix, "Nov  3 12:00:00
 * host kernel: " (journalctl -k, rsyslog's traditional format) or "2026-11-03T12:00:00.123+01:00
 * host kernel: " (RFC 3339, Debian's rsyslog default); a dmesg stamp, "[   12.345678]"
 * (seconds since boot), "[Mon Nov  3 12:00:00 2026]" (-T), "[Nov 3 12:00]" or "[  +0.000123]"
 * (-H); and "kernel: " or "host kernel: " after a stamp (journalctl -o short-monotonic).
 * Returns the message start within line (line itself when there is no prefix). */
const char *kmsg_strip_prefix(const char *line, size_t n, struct kmsg_prefix *out);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * Line-by-line reading of a Proxmox text file image (a qemu-server config, a section config
 * such as /etc/pve/mapping/pci.cfg, corosync.conf): the one loop the three parsers share. A
 * line ends at "\n" or at the end of the buffer; a trailing "\r" is dropped, as Proxmox's
 * Perl readers do with their line-ending regexes. Pure: no I/O.
 */
#ifndef PTDIAG_HOST_PVE_LINES_H
#define PTDIAG_HOST_PVE_LINES_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "ptdiag/error.h"

struct pve_lines {
    const char *buf; /* borrowed: the file image */
    size_t len, pos;
    unsigned lineno; /* 1-based number of the line last returned */
    char *line;      /* owned: a writable copy of that line */
};

/* Starts reading buf[0..len). Returns 0, or -1 when out of memory. Close with
 * pve_lines_close() either way. */
int pve_lines_open(struct pve_lines *r, const char *buf, size_t len);

/* The next line, NUL-terminated, without its line ending; *n is its length. The line is the
 * reader's and may be modified by the caller until the next call. Returns false at the end. */
bool pve_lines_next(struct pve_lines *r, char **line, size_t *n);

void pve_lines_close(struct pve_lines *r);

/* 1-based number of the line holding the first NUL byte of buf[0..len), 0 when there is none:
 * a NUL means binary data, not a Proxmox text file. */
unsigned pve_lines_first_nul(const char *buf, size_t len);

/* True when text[0..n) is valid UTF-8 with no control character but tab. */
bool pve_line_is_text(const char *text, size_t n);

/* Adds "FILE:LINE: what" to a problem list (an array of strings the list owns; free it with
 * pve_problems_free). Returns 0, or -1 on allocation failure. */
int pve_problem_add(char ***problems, size_t *nproblems, const char *fmt, ...) PTD_PRINTF(3, 4);
int pve_problem_vadd(char ***problems, size_t *nproblems, const char *fmt, va_list ap)
    PTD_PRINTF(3, 0);
void pve_problems_free(char **problems, size_t nproblems);

/* Handles one text line of a walked file (the line is the walker's and may be modified).
 * Returns 0, or -1 when out of memory. */
typedef int (*pve_text_line_fn)(void *arg, const char *file, char *line, unsigned lineno);

/* The loop of the pmxcfs text parsers: calls fn for every line of buf[0..len) that is text
 * (pve_line_is_text); any other line is skipped with "FILE:N: invalid UTF-8 or control
 * characters (line skipped)" added to the problem list *warnings. Returns 0, or -1 when out
 * of memory (here or in fn); the warnings added so far stay on the list either way. */
int pve_lines_walk_text(const char *file, const char *buf, size_t len, char ***warnings,
                        size_t *nwarnings, pve_text_line_fn fn, void *arg);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * Line-by-line reading of a Proxmox text file image (a qemu-server config, a section config
 * such as /etc/pve/mapping/pci.cfg, corosync.conf): the one loop the three parsers share. A
 * line ends at "\n" or at the end of the buffer; a trailing "\r" is dropped, as Proxmox's
 * Perl readers do with their line-ending regexes. Pure: no I/O.
 */
#ifndef PTDIAG_HOST_PVE_LINES_H
#define PTDIAG_HOST_PVE_LINES_H

#include <stdbool.h>
#include <stddef.h>

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

#endif

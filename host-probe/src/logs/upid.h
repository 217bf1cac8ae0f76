/* SPDX-License-Identifier: MIT */
/*
 * Proxmox task identifiers (UPIDs) and the task list files under /var/log/pve/tasks, parsed
 * exactly as pve-common writes them (PVE::Tools upid_encode/upid_decode, PVE::INotify
 * read/write_active_workers, RESTEnvironment active_workers):
 *
 *   UPID:$node:$pid:$pstart:$starttime:$type:$id:$user:
 *     node      [a-zA-Z0-9] or [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9], or a --redact snapshot's
 *               "[node-N]" (redact_map.h) so that its replay finds the same tasks
 *     pid       8 hex digits; pstart 8 or 9 hex digits; starttime 8 hex digits (epoch s)
 *     type      no ':' and no white space ("qmstart"); id may be empty ("100"); user non-empty
 *   the task's log file: /var/log/pve/tasks/<last hex digit of starttime>/<UPID>
 *   "index":  "<UPID> <ENDTIME as %08X> <status>"
 *   "active": "<UPID> <saved 0|1>[ <ENDTIME> <status>]"
 *
 * Pure parsers (tests and fuzzers call them); no I/O. Owner: upid.c.
 */
#ifndef PTDIAG_HOST_UPID_H
#define PTDIAG_HOST_UPID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct upid {
    char node[64];
    uint32_t pid;
    uint64_t pstart;
    uint32_t starttime; /* seconds since the epoch */
    char type[32];
    char id[64];
    char user[128];
    char subdir; /* the hex digit folder the log file is in */
};

/* Decodes a UPID of exactly len bytes (no trailing newline). Returns false when it is not
 * one pve-common would accept, or a field does not fit. */
bool upid_decode(const char *s, size_t len, struct upid *out);

/* Whether the UPID can name a file under the tasks folder: decodable and without '/' (the id
 * and user fields allow it; such a UPID is never opened). */
bool upid_is_safe_filename(const char *s, size_t len);

struct task_line {
    const char *upid; /* into the line, upid_len bytes */
    size_t upid_len;
    bool has_end;
    uint32_t endtime;   /* seconds since the epoch, when has_end */
    const char *status; /* into the line, status_len bytes; NULL when none */
    size_t status_len;
};

/* Parses one line (without its newline) of "index" or "active". Returns false on a line
 * neither format allows. */
bool task_line_parse(const char *line, size_t len, struct task_line *out);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * The soak log (DESIGN §5, docs/schema.md "Soak log lines"): an append-only JSON Lines file,
 * one compact `ptdiag.soak/1` object per line, written by both guest agents (Linux and, built
 * with MinGW, Windows). Portable: POSIX open/write/fsync, or _open/_write/_commit on Windows.
 *
 * Crash safety: each sample goes out as one write of one whole line, then is flushed to disk.
 * A writer killed mid-line (or a power loss) leaves a torn last line without its '\n'; the
 * next append starts with '\n', so the torn fragment stays on a line of its own and never
 * swallows the new sample. Readers skip a torn last line and report a torn middle line.
 *
 * Nothing here prints or exits; errors name the file and what went wrong.
 */
#ifndef PTDIAG_SOAK_H
#define PTDIAG_SOAK_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "ptdiag/error.h"

/* Longest line ptd_soak_last_sample() looks back over; real samples are under 8 KiB. */
#define PTD_SOAK_MAX_LINE (1u << 20)

/* Appends `line` (len bytes, no '\n' inside; the newline is added here) to path, creating the
 * file (mode 0644) if needed, then flushes it to stable storage. Returns 0, or -1 with err
 * set (file not writable, disk full, a '\n' inside the line). */
int ptd_soak_append(const char *path, const char *line, size_t len, struct ptd_error *err);

/* Serialises `sample` compactly and appends it as one line. The sample stays the caller's. */
int ptd_soak_append_json(const char *path, const cJSON *sample, struct ptd_error *err);

/* Finds the last good line of the log: the last complete ('\n'-terminated) line that parses
 * as a JSON object whose "schema" is "ptdiag.soak/1". A torn tail and unparseable lines are
 * stepped over. Returns 1 with *out set (caller frees with cJSON_Delete), 0 when the file is
 * absent or holds no good line (*out NULL), -1 with err set when it cannot be read. */
int ptd_soak_last_sample(const char *path, cJSON **out, struct ptd_error *err);

#endif

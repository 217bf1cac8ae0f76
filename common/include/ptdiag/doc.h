/* SPDX-License-Identifier: MIT */
/*
 * The one document model every ptdiag binary shares (DESIGN §2, docs/schema.md):
 * a cJSON tree with a fixed envelope {schema, producer, collected_at, ..., errors}.
 *
 * Ownership follows cJSON: ptd_doc_new() returns a tree the caller frees with cJSON_Delete();
 * the ptd_json_add_* helpers copy strings and return a pointer borrowed from the tree.
 * "Unknown" is JSON null, never false: the *_or_null helpers take a flag for that.
 */
#ifndef PTDIAG_DOC_H
#define PTDIAG_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "ptdiag/error.h"

#define PTD_SCHEMA_HOST   "ptdiag.host/1"
#define PTD_SCHEMA_GUEST  "ptdiag.guest/1"
#define PTD_SCHEMA_REPORT "ptdiag.report/1"
#define PTD_SCHEMA_SOAK   "ptdiag.soak/1"

/* Largest document a reader accepts; real documents are well under 1 MiB. */
#define PTD_DOC_MAX_BYTES (16u << 20)

/* Version string of this build ("0.1.0"). */
const char *ptd_version(void);

/* "linux" or "windows". */
const char *ptd_os_name(void);

/* Writes t as RFC 3339 UTC ("2026-11-22T20:31:22Z") into buf (>= 21 bytes). */
void ptd_time_rfc3339(time_t t, char *buf, size_t buflen);

/* Parses the RFC 3339 UTC form written above (a fractional part and "+00:00" are accepted).
 * Returns 0 or -1. */
int ptd_time_parse_rfc3339(const char *s, time_t *out);

/* New document: {"schema", "producer": {name, version, os}, "collected_at", "errors": []}.
 * collected_at is now, unless PTDIAG_FIXED_TIME (RFC 3339) is set in the environment, which
 * makes documents reproducible for tests and snapshots. NULL on allocation failure. */
cJSON *ptd_doc_new(const char *schema, const char *producer_name);

/* Appends {"source", "message"} to doc.errors. */
void ptd_doc_add_error(cJSON *doc, const char *source, const char *fmt, ...) PTD_PRINTF(3, 4);

/* Adds key:value to obj. value NULL adds null. Returns the new item (borrowed). */
cJSON *ptd_json_add_str(cJSON *obj, const char *key, const char *value);
/* Adds a number; known=false adds null. Values above 2^53 lose precision (none do here). */
cJSON *ptd_json_add_num(cJSON *obj, const char *key, double value, bool known);
cJSON *ptd_json_add_u64(cJSON *obj, const char *key, uint64_t value, bool known);
/* Adds a boolean: tri < 0 adds null (unknown), 0 false, > 0 true. */
cJSON *ptd_json_add_tri(cJSON *obj, const char *key, int tri);
/* Adds a 4-hex-digit lower-case id string ("10de"). */
cJSON *ptd_json_add_hex16(cJSON *obj, const char *key, unsigned value);

/* Serialises doc (pretty or compact) to path, or stdout when path is NULL or "-".
 * The file is written whole with a trailing newline. */
int ptd_doc_write(const cJSON *doc, const char *path, bool pretty, struct ptd_error *err);

/* Reads and parses a document. expected_schema NULL accepts any ptdiag.* schema; otherwise the
 * "schema" member must equal it. Errors name the file and what is wrong. *out is the caller's
 * to cJSON_Delete(). */
int ptd_doc_load(const char *path, const char *expected_schema, cJSON **out, struct ptd_error *err);

/* The same over a buffer already in memory; `name` is used in error messages. */
int ptd_doc_parse(const char *name, const char *data, size_t len, const char *expected_schema,
                  cJSON **out, struct ptd_error *err);

/* Looks up a dotted path ("system.cpu.vendor", "devices.0.bdf") in obj; NULL if absent. */
const cJSON *ptd_json_get(const cJSON *obj, const char *dotted_path);
/* Typed lookups: return the default when absent or of another type. */
const char *ptd_json_get_str(const cJSON *obj, const char *dotted_path);
double ptd_json_get_num(const cJSON *obj, const char *dotted_path, double dflt);
/* 1 true, 0 false, -1 absent/null/not a boolean. */
int ptd_json_get_tri(const cJSON *obj, const char *dotted_path);

#endif

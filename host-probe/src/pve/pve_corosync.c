/* SPDX-License-Identifier: MIT */
/* /etc/pve/corosync.conf reader. See pve_corosync.h. */
#include "pve_corosync.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"

#include "pve_conf.h"

#define MAX_DEPTH 8

/* The walk through the file: which blocks are open and what was found so far. */
struct corosync_walk {
    char stack[MAX_DEPTH][32]; /* the names of the open blocks, outermost first */
    unsigned depth;
    char *name;   /* totem.cluster_name; owned */
    cJSON *nodes; /* every nodelist.node.name; owned until handed to the result */
};

/* Cuts the white space at both ends of [s, e) in place; returns the new start. */
static char *trim(char *s, char *e)
{
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    while (isspace((unsigned char)*s))
        s++;
    return s;
}

/* One trimmed line that is neither empty nor a comment: "name {", "}" or "key: value".
 * Returns -1 (err set) on a nesting error. */
static int walk_line(struct corosync_walk *w, char *s, const char *file, unsigned lineno,
                     struct ptd_error *err)
{
    size_t n = strlen(s);
    char *value;

    if (s[n - 1] == '{') {
        s[n - 1] = '\0';
        s = trim(s, s + n - 1);
        if (w->depth >= MAX_DEPTH)
            return ptd_error_set(err, "%s:%u: blocks nested deeper than %d", file, lineno,
                                 MAX_DEPTH);
        snprintf(w->stack[w->depth++], sizeof(w->stack[0]), "%s", s);
        return 0;
    }
    if (!strcmp(s, "}")) {
        if (!w->depth)
            return ptd_error_set(err, "%s:%u: '}' without an open block", file, lineno);
        w->depth--;
        return 0;
    }
    value = strchr(s, ':');
    if (!value)
        return 0; /* corosync would reject it; nothing we need is on such a line */
    *value++ = '\0';
    s = trim(s, value - 1);
    value = trim(value, value + strlen(value));
    if (w->depth == 1 && !strcmp(w->stack[0], "totem") && !strcmp(s, "cluster_name")) {
        free(w->name);
        w->name = strdup(value);
    } else if (w->depth == 2 && !strcmp(w->stack[0], "nodelist") && !strcmp(w->stack[1], "node") &&
               !strcmp(s, "name")) {
        cJSON_AddItemToArray(w->nodes, cJSON_CreateString(value));
    }
    return 0;
}

cJSON *pve_corosync_parse(const char *file, const char *buf, size_t len, struct ptd_error *err)
{
    struct corosync_walk w = {0};
    cJSON *out = NULL;
    struct pve_lines lines = {0};
    char *line, *s;
    size_t n;

    if (len > PVE_COROSYNC_MAX_BYTES) {
        ptd_error_set(err, "%s: %zu bytes, larger than the %u-byte limit", file, len,
                      PVE_COROSYNC_MAX_BYTES);
        return NULL;
    }
    out = cJSON_CreateObject();
    w.nodes = cJSON_CreateArray();
    if (!out || !w.nodes || pve_lines_open(&lines, buf, len) != 0) {
        ptd_error_set(err, "%s: out of memory", file);
        goto fail;
    }
    while (pve_lines_next(&lines, &line, &n)) {
        if (memchr(line, '\0', n) || !pve_line_is_text(line, n)) {
            ptd_error_set(err, "%s:%u: binary data or invalid UTF-8", file, lines.lineno);
            goto fail;
        }
        s = trim(line, line + n);
        if (!*s || *s == '#')
            continue;
        if (walk_line(&w, s, file, lines.lineno, err) < 0)
            goto fail;
    }
    if (w.depth) {
        ptd_error_set(err, "%s:%u: end of file inside block '%s' (truncated?)", file, lines.lineno,
                      w.stack[w.depth - 1]);
        goto fail;
    }
    ptd_json_add_str(out, "name", w.name);
    cJSON_AddItemToObject(out, "nodes", w.nodes);
    free(w.name);
    pve_lines_close(&lines);
    return out;
fail:
    cJSON_Delete(w.nodes);
    free(w.name);
    pve_lines_close(&lines);
    cJSON_Delete(out);
    return NULL;
}

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

cJSON *pve_corosync_parse(const char *file, const char *buf, size_t len, struct ptd_error *err)
{
    char stack[MAX_DEPTH][32];
    cJSON *out = NULL, *nodes;
    struct pve_lines lines = {0};
    char *line, *name = NULL;
    size_t n;
    unsigned depth = 0;

    if (len > PVE_COROSYNC_MAX_BYTES) {
        ptd_error_set(err, "%s: %zu bytes, larger than the %u-byte limit", file, len,
                      PVE_COROSYNC_MAX_BYTES);
        return NULL;
    }
    out = cJSON_CreateObject();
    nodes = cJSON_CreateArray();
    if (!out || !nodes || pve_lines_open(&lines, buf, len) != 0) {
        cJSON_Delete(nodes);
        ptd_error_set(err, "%s: out of memory", file);
        goto fail;
    }
    while (pve_lines_next(&lines, &line, &n)) {
        char *s, *e, *colon;
        unsigned lineno = lines.lineno;
        if (memchr(line, '\0', n) || !pve_line_is_text(line, n)) {
            ptd_error_set(err, "%s:%u: binary data or invalid UTF-8", file, lineno);
            cJSON_Delete(nodes);
            goto fail;
        }
        s = line;
        e = line + n;
        while (e > s && isspace((unsigned char)e[-1]))
            *--e = '\0';
        while (isspace((unsigned char)*s))
            s++;
        if (!*s || *s == '#')
            continue;
        if (e > s && e[-1] == '{') {
            e[-1] = '\0';
            e--;
            while (e > s && isspace((unsigned char)e[-1]))
                *--e = '\0';
            if (depth >= MAX_DEPTH) {
                ptd_error_set(err, "%s:%u: blocks nested deeper than %d", file, lineno, MAX_DEPTH);
                cJSON_Delete(nodes);
                goto fail;
            }
            snprintf(stack[depth++], sizeof(stack[0]), "%s", s);
            continue;
        }
        if (!strcmp(s, "}")) {
            if (!depth) {
                ptd_error_set(err, "%s:%u: '}' without an open block", file, lineno);
                cJSON_Delete(nodes);
                goto fail;
            }
            depth--;
            continue;
        }
        colon = strchr(s, ':');
        if (!colon)
            continue; /* corosync would reject it; nothing we need is on such a line */
        *colon = '\0';
        for (e = colon; e > s && isspace((unsigned char)e[-1]);)
            *--e = '\0';
        colon++;
        while (isspace((unsigned char)*colon))
            colon++;
        if (depth == 1 && !strcmp(stack[0], "totem") && !strcmp(s, "cluster_name")) {
            free(name);
            name = strdup(colon);
        } else if (depth == 2 && !strcmp(stack[0], "nodelist") && !strcmp(stack[1], "node") &&
                   !strcmp(s, "name")) {
            cJSON_AddItemToArray(nodes, cJSON_CreateString(colon));
        }
    }
    if (depth) {
        ptd_error_set(err, "%s:%u: end of file inside block '%s' (truncated?)", file, lines.lineno,
                      stack[depth - 1]);
        cJSON_Delete(nodes);
        goto fail;
    }
    ptd_json_add_str(out, "name", name);
    cJSON_AddItemToObject(out, "nodes", nodes);
    free(name);
    pve_lines_close(&lines);
    return out;
fail:
    free(name);
    pve_lines_close(&lines);
    cJSON_Delete(out);
    return NULL;
}

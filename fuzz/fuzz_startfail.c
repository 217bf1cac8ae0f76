/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: the start-failure parsers of the logs probe, on one input read three
 * ways: as lines of a task log or task list (each classified as a QEMU/qemu-server message,
 * parsed as an "index"/"active" line and its UPID decoded, and redacted as --redact does),
 * and whole as a journal export file (parsed, then the used entries written back and parsed
 * again; rewritten field by field through the redactor, as --save-snapshot --redact does). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "journal.h"
#include "redact_map.h"
#include "upid.h"

#include "ptdiag/startfail.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* node pve1 of cluster "homelab", realms pam and pve (as host_redact_map_build makes it) */
static struct host_redact_map *names(void)
{
    static struct host_redact_map m;

    if (!m.n) {
        host_redact_map_add(&m, "pve1");
        host_redact_map_add(&m, "pve2");
        m.cluster = strdup("homelab");
        m.realms[m.nrealms++] = strdup("pam");
        m.realms[m.nrealms++] = strdup("pve");
    }
    return &m;
}

static char *redact_value(void *m, const char *v, size_t len, size_t *outlen)
{
    return host_redact_map_text(m, v, len, outlen);
}

static void one_line(const char *line, size_t len)
{
    struct ptd_start_event ev;
    struct task_line tl;
    struct upid u;
    cJSON *j;

    if (ptd_start_classify(line, &ev)) {
        j = ptd_start_event_to_json(&ev);
        cJSON_Delete(j);
    }
    if (task_line_parse(line, len, &tl))
        (void)upid_decode(tl.upid, tl.upid_len, &u);
    (void)upid_is_safe_filename(line, len);
    free(host_redact_map_text(names(), line, len, NULL));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1), *line, *next;
    struct ptd_error err;
    struct jlog l;

    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    {
        size_t n = 0;
        char *red = journal_export_rewrite(buf, size, redact_value, names(), &n);

        if (red && journal_export_parse(red, n, &l, &err) == 0)
            journal_free(&l);
        free(red);
    }
    if (journal_export_parse(buf, size, &l, &err) == 0) {
        char *out;
        size_t i, k;

        for (i = 0; i < l.nboots; i++)
            for (k = 0; k < l.boots[i].n; k++)
                l.boots[i].e[k].used = (k % 2) == 0;
        out = journal_export_write(&l);
        journal_free(&l);
        if (out && journal_export_parse(out, strlen(out), &l, &err) == 0)
            journal_free(&l);
        free(out);
    }
    for (line = buf; line && line < buf + size; line = next) {
        next = memchr(line, '\n', (size_t)(buf + size - line));
        if (next)
            *next++ = '\0';
        one_line(line, strlen(line));
    }
    free(buf);
    return 0;
}

/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: the start-failure parsers of the logs probe, on one input read three
 * ways: as lines of a task log or task list (each classified as a QEMU/qemu-server message,
 * parsed as an "index"/"active" line and its UPID decoded), and whole as a journal export
 * file (parsed, then the used entries written back and parsed again). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "journal.h"
#include "upid.h"

#include "ptdiag/startfail.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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

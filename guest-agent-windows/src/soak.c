/* SPDX-License-Identifier: MIT */
/*
 * --soak FILE on Windows: one ptdiag.soak/1 sample built from the collected document,
 * appended through the shared crash-safe writer (ptdiag/soak.h). Events are the event-log
 * records newer than the previous sample's time (Windows event records carry wall-clock
 * times, not a boot-relative clock as the Linux kernel log does).
 */
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "ptdiag/doc.h"
#include "ptdiag/soak.h"
#include "ptdiag/soak_sample.h"

static const struct {
    const char *log_key, *kind;
    int code;
} event_kinds[] = {
    {"dxgkrnl_549", "windows-adapter-start-failed", 549},
    {"display_4101", "windows-tdr", 4101},
    {"livekernel_141", "windows-livekernel", 141},
};

/* Adds the new events; returns the number of adapter start failures among them, or -1 when
 * the event log could not be read. */
static int add_events(cJSON *s, const cJSON *doc, time_t after)
{
    cJSON *events = cJSON_CreateArray();
    int start_failures = 0;

    for (size_t k = 0; k < sizeof(event_kinds) / sizeof(event_kinds[0]); k++) {
        char path[64];
        const cJSON *rec;

        snprintf(path, sizeof(path), "event_log.%s.count", event_kinds[k].log_key);
        if (!cJSON_IsNumber(ptd_json_get(doc, path))) {
            cJSON_Delete(events);
            cJSON_AddNullToObject(s, "events"); /* unknown: the log could not be read */
            return -1;
        }
        snprintf(path, sizeof(path), "event_log.%s.newest", event_kinds[k].log_key);
        cJSON_ArrayForEach(rec, ptd_json_get(doc, path))
        {
            const char *when = ptd_json_get_str(rec, "time");
            time_t t;
            cJSON *o;

            if (!when || ptd_time_parse_rfc3339(when, &t) < 0 || t <= after)
                continue;
            o = cJSON_CreateObject();
            if (!o || !cJSON_AddItemToArray(events, o)) {
                cJSON_Delete(o);
                break;
            }
            ptd_json_add_str(o, "kind", event_kinds[k].kind);
            ptd_json_add_num(o, "code", event_kinds[k].code, true);
            ptd_json_add_str(o, "time", when);
            ptd_soak_add_copy(o, "status", cJSON_GetObjectItemCaseSensitive(rec, "status"));
            ptd_soak_add_copy(o, "text", cJSON_GetObjectItemCaseSensitive(rec, "text"));
            if (event_kinds[k].code == 549)
                start_failures++;
        }
    }
    if (!cJSON_AddItemToObject(s, "events", events))
        cJSON_Delete(events);
    return start_failures;
}

static cJSON *build_sample(const cJSON *doc, const cJSON *previous)
{
    cJSON *s = ptd_soak_sample_new(doc, PTD_SOAK_WINDOWS), *gpus, *drv;
    const cJSON *first = NULL;
    const char *prev_t = previous ? ptd_json_get_str(previous, "t") : NULL;
    time_t after = 0;
    int failures;
    double problem;

    if (!s)
        return NULL;
    gpus = ptd_soak_sample_gpus(doc, PTD_SOAK_WINDOWS, &first);
    if (!cJSON_AddItemToObject(s, "gpus", gpus))
        cJSON_Delete(gpus);

    /* Only records newer than the previous sample are new; the first sample takes the window. */
    if (prev_t)
        ptd_time_parse_rfc3339(prev_t, &after);
    failures = add_events(s, doc, after);

    drv = cJSON_AddObjectToObject(s, "driver");
    problem = first ? ptd_json_get_num(first, "windows.problem_code", 0) : 0;
    ptd_json_add_str(drv, "state",
                     !first || !ptd_json_get_str(first, "driver") ? "missing"
                     : problem != 0 || failures > 0               ? "error"
                                                                  : "ok");
    ptd_json_add_str(drv, "name", first ? ptd_json_get_str(first, "driver") : NULL);
    ptd_json_add_str(drv, "version",
                     first ? ptd_json_get_str(first, "windows.driver_version") : NULL);
    return s;
}

int ptw_soak_append_doc(const cJSON *doc, const char *path)
{
    struct ptd_error err = {{0}};
    cJSON *prev = NULL, *sample = NULL;
    int rc = 1;

    if (ptd_soak_last_sample(path, &prev, &err) < 0)
        goto out;
    sample = build_sample(doc, prev);
    if (!sample) {
        ptd_error_set(&err, "%s: out of memory building the sample", path);
        goto out;
    }
    if (ptd_soak_append_json(path, sample, &err) == 0)
        rc = 0;
out:
    if (rc)
        fprintf(stderr, "ptdiag-agent: %s\n", err.text);
    cJSON_Delete(prev);
    cJSON_Delete(sample);
    return rc;
}

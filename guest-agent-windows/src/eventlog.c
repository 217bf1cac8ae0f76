/* SPDX-License-Identifier: MIT */
/*
 * event_log: adapter start failures (DxgKrnl/Admin 549), TDRs (Display 4101) and video engine
 * timeouts (WER LiveKernelEvent 141) over a time window, newest first: a count and the newest
 * few records. The XML each record renders to is read by the portable interp_event.c.
 */
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <winevt.h>

#include "agent.h"
#include "interp.h"
#include "ptdiag/doc.h"

#define NEWEST_KEPT 5
#define MAX_SCANNED 20000 /* bounds the run time on a log flooded with events */

struct query {
    const char *key;
    const wchar_t *channel;
    const wchar_t *filter; /* XPath inside System[...], before the time condition */
    enum ptw_event_kind kind;
};

static const struct query queries[] = {
    {"dxgkrnl_549", L"Microsoft-Windows-DxgKrnl/Admin", L"(EventID=549)", PTW_EV_DXGKRNL_549},
    {"display_4101", L"System", L"Provider[@Name='Display'] and (EventID=4101)",
     PTW_EV_DISPLAY_4101},
    {"livekernel_141", L"Application",
     L"Provider[@Name='Windows Error Reporting'] and (EventID=1001)", PTW_EV_LIVEKERNEL_141},
};

/* The record's XML as UTF-8 (caller frees). */
static char *render_xml(EVT_HANDLE ev)
{
    DWORD used = 0, props = 0;
    wchar_t *w;
    char *s;

    EvtRender(NULL, ev, EvtRenderEventXml, 0, NULL, &used, &props);
    if (GetLastError() != ERROR_INSUFFICIENT_BUFFER || used == 0 || used > (1u << 20))
        return NULL;
    w = calloc(1, used + sizeof(wchar_t));
    if (!w)
        return NULL;
    if (!EvtRender(NULL, ev, EvtRenderEventXml, used, w, &used, &props)) {
        free(w);
        return NULL;
    }
    s = ptw_utf8_dup(w);
    free(w);
    return s;
}

/* The event's message in the system language (needs the provider's metadata). */
static char *format_message(const char *provider, EVT_HANDLE ev)
{
    wchar_t *wprov = ptw_wide_dup(provider), buf[1024];
    EVT_HANDLE pub = wprov ? EvtOpenPublisherMetadata(NULL, wprov, NULL, 0, 0) : NULL;
    DWORD used = 0;
    char *s = NULL;

    if (pub && EvtFormatMessage(pub, ev, 0, 0, NULL, EvtFormatMessageEvent,
                                sizeof(buf) / sizeof(buf[0]), buf, &used))
        s = ptw_utf8_dup(buf);
    if (pub)
        EvtClose(pub);
    free(wprov);
    return s;
}

static void add_record(cJSON *newest, const struct ptw_event *ev, const struct ptw_event_facts *f)
{
    cJSON *o = cJSON_CreateObject();

    if (!o || !cJSON_AddItemToArray(newest, o)) {
        cJSON_Delete(o);
        return;
    }
    ptd_json_add_str(o, "time", ev->time[0] ? ev->time : NULL);
    ptd_json_add_str(o, "status", f->status[0] ? f->status : NULL);
    if (f->has_ids) {
        ptd_json_add_hex16(o, "vendor_id", f->vendor_id);
        ptd_json_add_hex16(o, "device_id", f->device_id);
    } else {
        ptd_json_add_str(o, "vendor_id", NULL);
        ptd_json_add_str(o, "device_id", NULL);
    }
    ptd_json_add_str(o, "text", f->text[0] ? f->text : NULL);
}

static void run_query(struct ptw_agent *a, cJSON *log, const struct query *q, long long window_ms)
{
    cJSON *o = cJSON_AddObjectToObject(log, q->key), *newest;
    wchar_t xpath[512];
    EVT_HANDLE res;
    DWORD err;
    long count = 0, scanned = 0;
    char chan[128], msg[200];

    swprintf(xpath, sizeof(xpath) / sizeof(xpath[0]),
             L"*[System[%ls and TimeCreated[timediff(@SystemTime) <= %lld]]]", q->filter,
             window_ms);
    ptw_utf8(q->channel, chan, sizeof(chan));
    /* Wine's EvtQuery is a stub that returns NULL without setting an error: clear it first so
     * "no handle, error 0" reads as "event log unavailable", not as a stale error. */
    SetLastError(0);
    res = EvtQuery(NULL, q->channel, xpath, EvtQueryChannelPath | EvtQueryReverseDirection);
    if (!res) {
        err = GetLastError();
        cJSON_AddNullToObject(o, "count");
        cJSON_AddArrayToObject(o, "newest");
        if (err == 0)
            ptd_doc_add_error(a->doc, "event_log",
                              "EvtQuery(%s): no result and no error (event log service "
                              "unavailable)",
                              chan);
        else
            ptd_doc_add_error(a->doc, "event_log", "EvtQuery(%s): %s", chan,
                              ptw_win_error(err, msg, sizeof(msg)));
        return;
    }
    newest = cJSON_CreateArray();
    for (;;) {
        EVT_HANDLE batch[32];
        DWORD got = 0;

        if (!EvtNext(res, 32, batch, 2000, 0, &got)) {
            err = GetLastError();
            if (err != ERROR_NO_MORE_ITEMS)
                ptd_doc_add_error(a->doc, "event_log", "EvtNext(%s): %s", chan,
                                  ptw_win_error(err, msg, sizeof(msg)));
            break;
        }
        for (DWORD i = 0; i < got; i++) {
            char *xml = render_xml(batch[i]);
            struct ptw_event ev;

            if (xml && ptw_event_parse_xml(xml, &ev) && ptw_event_classify(&ev) == q->kind) {
                count++;
                if (cJSON_GetArraySize(newest) < NEWEST_KEPT) {
                    struct ptw_event_facts f;
                    char *text = q->kind == PTW_EV_DXGKRNL_549
                                     ? format_message(ev.provider, batch[i])
                                     : NULL;

                    ptw_event_facts(&ev, text, &f);
                    add_record(newest, &ev, &f);
                    free(text);
                }
            }
            free(xml);
            EvtClose(batch[i]);
        }
        scanned += (long)got;
        if (scanned >= MAX_SCANNED) {
            ptd_doc_add_error(a->doc, "event_log", "%s: stopped after %ld records", chan, scanned);
            break;
        }
    }
    EvtClose(res);
    ptd_json_add_num(o, "count", (double)count, true);
    cJSON_AddItemToObject(o, "newest", newest);
}

void ptw_collect_eventlog(struct ptw_agent *a)
{
    cJSON *log = ptw_obj(a->doc, "event_log");
    long long window_s = (long long)a->event_window_days * 86400;

    ptd_json_add_num(log, "window_s", (double)window_s, true);
    for (size_t i = 0; i < sizeof(queries) / sizeof(queries[0]); i++)
        run_query(a, log, &queries[i], window_s * 1000);
}

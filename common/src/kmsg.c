/* SPDX-License-Identifier: MIT */
/*
 * Kernel log splitting and event collection (see ptdiag/kmsg.h); one message is classified by
 * kmsg_classify.c, line prefixes are parsed by kmsg_prefix.c. Portable C only: the Windows
 * cross build compiles this file too, and the Linux agent and the host probe share it.
 */
#include "ptdiag/kmsg.h"
#include "ptdiag/strbuf.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kmsg_prefix.h"
#include "kmsg_scan.h"

/* A message longer than this is cut: no message we classify comes near it, and a corrupt
 * log without newlines must not grow one message without bound. */
#define KMSG_MAX_MESSAGE (64u * 1024u)

/* ---- splitting ------------------------------------------------------------------------ */

struct msgbuf {
    struct ptd_strbuf text; /* the message being built; cut at KMSG_MAX_MESSAGE */
    double time_s;
    bool open; /* a message is being built */
};

static void mb_append(struct msgbuf *mb, const char *s, size_t n)
{
    ptd_strbuf_addn(&mb->text, s, n);
}

/* Appends /dev/kmsg text, undoing its "\xNN" escapes (a newline inside a message is
 * written as "\x0a"); control characters become spaces. */
static void mb_append_unescaped(struct msgbuf *mb, const char *s, size_t n)
{
    size_t i = 0, run = 0;

    while (i < n) {
        if (s[i] == '\\' && i + 3 < n + 0 && s[i + 1] == 'x' && isxdigit((unsigned char)s[i + 2]) &&
            isxdigit((unsigned char)s[i + 3])) {
            char hex[3] = {s[i + 2], s[i + 3], '\0'};
            char c = (char)strtol(hex, NULL, 16);

            mb_append(mb, s + run, i - run);
            if ((unsigned char)c < 0x20)
                c = ' ';
            mb_append(mb, &c, 1);
            i += 4;
            run = i;
            continue;
        }
        i++;
    }
    mb_append(mb, s + run, n - run);
}

/* Appends syslog text, undoing rsyslog's control-character escapes: "#012" (a newline inside
 * a message, where dmesg would indent a continuation line) and the like become a space. */
static void mb_append_syslog(struct msgbuf *mb, const char *s, size_t n)
{
    size_t i = 0, run = 0;

    while (i + 4 <= n) {
        if (s[i] == '#' && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' &&
            s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7' &&
            ((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0')) < 0x20) {
            mb_append(mb, s + run, i - run);
            mb_append(mb, " ", 1);
            i += 4;
            run = i;
            continue;
        }
        i++;
    }
    mb_append(mb, s + run, n - run);
}

/* Emits the message being built; returns false when the callback asked to stop. */
static bool mb_flush(struct msgbuf *mb, ptd_kmsg_line_fn fn, void *user)
{
    bool go = true;

    /* after a failed allocation the message is dropped, and the next one starts afresh */
    if (mb->open && !mb->text.failed && mb->text.data)
        go = fn(mb->time_s, mb->text.data, user);
    mb->open = false;
    ptd_strbuf_clear(&mb->text);
    return go;
}

/* "prio,seq,usec,flags;" (flags may be empty or "-" / "c"); returns the text start or NULL.
 * usec gets the timestamp. */
static const char *kmsg_record_text(const char *line, size_t n, double *time_s)
{
    const char *p = line, *end = line + n;
    unsigned long long field[3] = {0, 0, 0};
    int i;

    for (i = 0; i < 3; i++) {
        const char *start = p;
        unsigned long long v = 0;

        while (p < end && *p >= '0' && *p <= '9') {
            if (v > UINT64_MAX / 10 - 10)
                return NULL;
            v = v * 10 + (unsigned long long)(*p - '0');
            p++;
        }
        if (p == start || p >= end || *p != ',')
            return NULL;
        field[i] = v;
        p++;
    }
    /* flags ("-", "c", "+"), and on some kernels more ",key=value" fields, up to ';' */
    while (p < end && *p != ';' && p - line < 128)
        p++;
    if (p >= end || *p != ';')
        return NULL;
    *time_s = (double)field[2] / 1e6;
    return p + 1;
}

void ptd_kmsg_split(const char *buf, size_t len, ptd_kmsg_line_fn fn, void *user)
{
    struct msgbuf mb = {.text = {.limit = KMSG_MAX_MESSAGE}};
    const char *p = buf, *end = buf + len;
    bool last_was_kmsg = false;

    if (!buf || !fn)
        return;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        const char *text;
        double t;

        if (n > 0 && p[n - 1] == '\r')
            n--;
        if (n == 0) {
            /* an empty line ends a message */
            if (!mb_flush(&mb, fn, user))
                goto out;
        } else if (p[0] == ' ' || p[0] == '\t') {
            /* /dev/kmsg dictionary ("SUBSYSTEM=pci") or a dmesg continuation line */
            if (!last_was_kmsg && mb.open) {
                size_t skip = 0;

                /* bounded by n: the buffer need not be NUL-terminated */
                while (skip < n && (p[skip] == ' ' || p[skip] == '\t'))
                    skip++;
                mb_append(&mb, " ", 1);
                mb_append(&mb, p + skip, n - skip);
            }
        } else if ((text = kmsg_record_text(p, n, &t)) != NULL) {
            if (!mb_flush(&mb, fn, user))
                goto out;
            mb.open = true;
            mb.time_s = t;
            mb_append_unescaped(&mb, text, (size_t)(p + n - text));
            last_was_kmsg = true;
        } else {
            struct kmsg_prefix pre;

            if (!mb_flush(&mb, fn, user))
                goto out;
            /* dmesg (-T, -H, -t), journalctl -k, kern.log: see kmsg_prefix.h */
            text = kmsg_strip_prefix(p, n, &pre);
            last_was_kmsg = false;
            if (!pre.other) {
                mb.open = true;
                mb.time_s = pre.time_s;
                if (pre.syslog)
                    mb_append_syslog(&mb, text, (size_t)(p + n - text));
                else
                    mb_append(&mb, text, (size_t)(p + n - text));
            }
        }
        if (!nl)
            break;
        p = nl + 1;
    }
    mb_flush(&mb, fn, user);
out:
    ptd_strbuf_release(&mb.text);
}

/* ---- collection ----------------------------------------------------------------------- */

/* At most this many consecutive unclassified "NVRM: " lines are joined: NVIDIA's longest
 * split message ("The NVIDIA GPU ... / (PCI ID: ...) installed in this system has / fallen
 * off the bus ...") has three. */
#define NVRM_JOIN_LINES 4

struct collector {
    struct ptd_kmsg_event *ring; /* the newest max events, oldest at `head` once full */
    size_t cap, count, head, max;
    bool oom;
    char nvrm[1024]; /* consecutive unclassified NVRM lines, joined; "" when none */
    double nvrm_time;
    unsigned nvrm_lines;
};

static bool store_event(struct collector *c, const struct ptd_kmsg_event *ev);

/* A message that did not classify alone: when it continues unclassified NVRM lines, the
 * joined text may (dmesg -t, or a log where each line became its own record). */
static bool classify_nvrm_joined(struct collector *c, double time_s, const char *msg,
                                 struct ptd_kmsg_event *ev)
{
    bool is_nvrm = strncmp(msg, "NVRM: ", 6) == 0;
    size_t used = strlen(c->nvrm);

    if (is_nvrm && used && c->nvrm_lines < NVRM_JOIN_LINES &&
        used + 1 + strlen(msg) < sizeof(c->nvrm)) {
        c->nvrm[used] = ' ';
        memcpy(c->nvrm + used + 1, msg, strlen(msg) + 1);
        c->nvrm_lines++;
        ev->time_s = c->nvrm_time;
        if (ptd_kmsg_classify(c->nvrm, ev)) {
            c->nvrm[0] = '\0';
            return true;
        }
        return false;
    }
    c->nvrm[0] = '\0';
    if (is_nvrm && strlen(msg) < sizeof(c->nvrm)) {
        memcpy(c->nvrm, msg, strlen(msg) + 1);
        c->nvrm_time = time_s;
        c->nvrm_lines = 1;
    }
    return false;
}

static bool collect_one(double time_s, const char *msg, void *user)
{
    struct collector *c = user;
    struct ptd_kmsg_event ev;

    ev.time_s = time_s;
    if (ptd_kmsg_classify(msg, &ev))
        c->nvrm[0] = '\0';
    else if (!classify_nvrm_joined(c, time_s, msg, &ev))
        return true;
    return store_event(c, &ev);
}

static bool store_event(struct collector *c, const struct ptd_kmsg_event *ev)
{
    if (c->count < c->max) {
        if (c->count == c->cap) {
            size_t cap = c->cap ? c->cap * 2 : 32;
            struct ptd_kmsg_event *r;

            if (cap > c->max)
                cap = c->max;
            r = realloc(c->ring, cap * sizeof(*r));
            if (!r) {
                c->oom = true;
                return false;
            }
            c->ring = r;
            c->cap = cap;
        }
        c->ring[c->count++] = *ev;
    } else {
        c->ring[c->head] = *ev;
        c->head = (c->head + 1) % c->max;
    }
    return true;
}

int ptd_kmsg_collect(const char *buf, size_t len, cJSON *events, size_t max_events)
{
    struct collector c = {0};
    size_t i;
    int added = 0;

    if (!events || max_events == 0)
        return 0;
    c.max = max_events;
    ptd_kmsg_split(buf, len, collect_one, &c);
    for (i = 0; i < c.count; i++) {
        cJSON *o = ptd_kmsg_event_to_json(&c.ring[(c.head + i) % c.count]);

        if (!o || !cJSON_AddItemToArray(events, o)) {
            cJSON_Delete(o);
            break;
        }
        added++;
    }
    free(c.ring);
    return added;
}

bool kmsg_add_event_fields(cJSON *o, const char *device, long code, const char *detail,
                           const char *text)
{
    if (!(device[0] ? cJSON_AddStringToObject(o, "device", device)
                    : cJSON_AddNullToObject(o, "device")))
        return false;
    if (!(code != PTD_KMSG_NO_CODE ? cJSON_AddNumberToObject(o, "code", (double)code)
                                   : cJSON_AddNullToObject(o, "code")))
        return false;
    if (!(detail[0] ? cJSON_AddStringToObject(o, "detail", detail)
                    : cJSON_AddNullToObject(o, "detail")))
        return false;
    return cJSON_AddStringToObject(o, "text", text) != NULL;
}

cJSON *ptd_kmsg_event_to_json(const struct ptd_kmsg_event *ev)
{
    cJSON *o = cJSON_CreateObject();

    if (!o)
        return NULL;
    if (!cJSON_AddStringToObject(o, "kind", ptd_kmsg_kind_name(ev->kind)))
        goto fail;
    if (!(ev->time_s >= 0 ? cJSON_AddNumberToObject(o, "time_s", ev->time_s)
                          : cJSON_AddNullToObject(o, "time_s")))
        goto fail;
    if (!kmsg_add_event_fields(o, ev->device, ev->code, ev->detail, ev->text))
        goto fail;
    return o;
fail:
    cJSON_Delete(o);
    return NULL;
}

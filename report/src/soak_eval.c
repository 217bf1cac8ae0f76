/* SPDX-License-Identifier: MIT */
#include "soak_eval.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ptdiag/doc.h"
#include "ptdiag/docnum.h"

#define SOAK_PREFIX "{\"schema\":\"" PTD_SCHEMA_SOAK "\""

/* Event kinds that record normal operation rather than a fault (kmsg.h kinds a writer may pass
 * through). Every other kind, known or not, counts as a driver error: an unknown kind must
 * never read as "clean". */
static const char *const benign_kinds[] = {
    "iommu-enabled", "irq-remapping-enabled", "hypervisor-detected", "vendor-reset", NULL,
};

const char *soak_verdict_name(enum soak_verdict v)
{
    switch (v) {
    case SOAK_PRODUCTION:
        return "production";
    case SOAK_IN_VALIDATION:
        return "in-validation";
    case SOAK_FAILED:
        return "failed";
    case SOAK_NO_VERDICT:
        break;
    }
    return "none";
}

void soak_eval_init(struct soak_eval *ev, const struct soak_options *opt)
{
    memset(ev, 0, sizeof(*ev));
    ev->opt = *opt;
    ev->prev_uptime_s = -1;
    ev->res.since_last_s = -1;
}

static void copy_str(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
}

static void mark(struct soak_mark *list, unsigned long index, time_t t, unsigned long lineno,
                 const char *fmt, ...) PTD_PRINTF(5, 6);

static void mark(struct soak_mark *list, unsigned long index, time_t t, unsigned long lineno,
                 const char *fmt, ...)
{
    va_list ap;

    if (index >= SOAK_LISTED)
        return;
    list[index].t = t;
    list[index].lineno = lineno;
    va_start(ap, fmt);
    vsnprintf(list[index].text, sizeof(list[index].text), fmt, ap);
    va_end(ap);
}

static void add_bad_line(struct soak_result *r, unsigned long lineno, const char *reason)
{
    if (r->bad_listed < SOAK_LISTED) {
        r->bad_list[r->bad_listed].lineno = lineno;
        copy_str(r->bad_list[r->bad_listed].reason, sizeof(r->bad_list[0].reason), reason);
        r->bad_listed++;
    }
}

/* A pending bad line turns out not to be the last one. */
static void settle_pending_middle(struct soak_eval *ev)
{
    if (!ev->pending_bad)
        return;
    if (ev->pending_torn)
        ev->res.torn_lines++;
    else
        ev->res.invalid_lines++;
    add_bad_line(&ev->res, ev->pending_lineno, ev->pending_reason);
    ev->pending_bad = false;
}

/* A line that is what a writer killed mid-line leaves: a prefix of a sample, or NUL bytes
 * (a file system that zero-fills the unwritten tail after a crash). */
static bool looks_torn(const char *line, size_t len)
{
    size_t plen = strlen(SOAK_PREFIX);

    if (memchr(line, '\0', len))
        return true;
    if (len >= plen)
        return memcmp(line, SOAK_PREFIX, plen) == 0;
    return memcmp(line, SOAK_PREFIX, len) == 0;
}

static bool is_benign(const char *kind)
{
    size_t i;

    for (i = 0; benign_kinds[i]; i++)
        if (strcmp(kind, benign_kinds[i]) == 0)
            return true;
    return false;
}

static void note_error_time(struct soak_result *r, time_t t)
{
    if (r->error_events + r->driver_error_samples + r->video_lost_samples == 0 ||
        t < r->first_error_t)
        r->first_error_t = t;
    if (r->error_events + r->driver_error_samples + r->video_lost_samples == 0 ||
        t > r->last_error_t)
        r->last_error_t = t;
}

static void count_kind(struct soak_result *r, const char *kind, long code, time_t t)
{
    size_t i;

    for (i = 0; i < r->n_kinds; i++) {
        struct soak_kind_count *k = &r->kinds[i];
        if (k->code == code && strcmp(k->kind, kind) == 0) {
            k->count++;
            if (t < k->first_t)
                k->first_t = t;
            if (t > k->last_t)
                k->last_t = t;
            return;
        }
    }
    if (r->n_kinds == SOAK_KIND_SLOTS) {
        r->other_kind_events++;
        return;
    }
    copy_str(r->kinds[r->n_kinds].kind, sizeof(r->kinds[0].kind), kind);
    r->kinds[r->n_kinds].code = code;
    r->kinds[r->n_kinds].count = 1;
    r->kinds[r->n_kinds].first_t = t;
    r->kinds[r->n_kinds].last_t = t;
    r->n_kinds++;
}

/* Validates the shape the writer produces; returns NULL when fine, else why not. */
static const char *check_sample(const cJSON *s, time_t *t)
{
    const cJSON *item;

    if (!cJSON_IsObject(s))
        return "not a JSON object";
    item = cJSON_GetObjectItemCaseSensitive(s, "schema");
    if (!cJSON_IsString(item))
        return "no \"schema\" (not a ptdiag soak sample)";
    if (strcmp(item->valuestring, PTD_SCHEMA_SOAK) != 0)
        return "\"schema\" is not \"" PTD_SCHEMA_SOAK "\"";
    item = cJSON_GetObjectItemCaseSensitive(s, "t");
    if (!cJSON_IsString(item) || ptd_time_parse_rfc3339(item->valuestring, t) != 0)
        return "\"t\" is missing or not an RFC 3339 UTC time";
    item = cJSON_GetObjectItemCaseSensitive(s, "events");
    if (item && !cJSON_IsArray(item) && !cJSON_IsNull(item))
        return "\"events\" is not an array";
    item = cJSON_GetObjectItemCaseSensitive(s, "driver");
    if (item && !cJSON_IsObject(item) && !cJSON_IsNull(item))
        return "\"driver\" is not an object";
    item = cJSON_GetObjectItemCaseSensitive(s, "gpus");
    if (item && !cJSON_IsArray(item) && !cJSON_IsNull(item))
        return "\"gpus\" is not an array";
    return NULL;
}

static const char *str_member(const cJSON *obj, const char *key)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(item) ? item->valuestring : NULL;
}

static void take_gap(struct soak_eval *ev, time_t t)
{
    struct soak_result *r = &ev->res;
    long gap;

    if (!ev->have_prev)
        return;
    if (t < ev->prev_t) {
        r->clock_backwards++;
        return;
    }
    gap = (long)(t - ev->prev_t);
    if (gap > r->longest_gap_s) {
        r->longest_gap_s = gap;
        r->longest_gap_from = ev->prev_t;
        r->longest_gap_to = t;
    }
    if (gap > ev->opt.max_gap_s) {
        r->gaps_over_limit++;
        r->run_start = t; /* the clock restarts with this sample */
    }
}

static void take_boot(struct soak_eval *ev, const cJSON *s, time_t t, unsigned long lineno)
{
    struct soak_result *r = &ev->res;
    const char *boot_id = str_member(s, "boot_id");
    const cJSON *up = cJSON_GetObjectItemCaseSensitive(s, "uptime_s");
    double uptime = cJSON_IsNumber(up) ? up->valuedouble : -1;
    bool rebooted = false;

    if (ev->have_prev) {
        if (boot_id && ev->prev_boot_id[0])
            rebooted = strcmp(boot_id, ev->prev_boot_id) != 0;
        else if (uptime >= 0 && ev->prev_uptime_s >= 0)
            rebooted = uptime < ev->prev_uptime_s; /* no boot id: uptime went back */
    }
    if (rebooted) {
        mark(r->reboot_list, r->reboots, t, lineno, "boot id %s",
             boot_id ? boot_id : "(unknown; uptime went back)");
        r->reboots++;
    }
    copy_str(ev->prev_boot_id, sizeof(ev->prev_boot_id), boot_id);
    ev->prev_uptime_s = uptime;
}

static void take_driver(struct soak_eval *ev, const cJSON *s, time_t t, unsigned long lineno)
{
    struct soak_result *r = &ev->res;
    const cJSON *drv = cJSON_GetObjectItemCaseSensitive(s, "driver");
    const char *state = cJSON_IsObject(drv) ? str_member(drv, "state") : NULL;
    const char *name = cJSON_IsObject(drv) ? str_member(drv, "name") : NULL;
    const char *version = cJSON_IsObject(drv) ? str_member(drv, "version") : NULL;
    char now[128];

    if (!state)
        state = "unknown";
    snprintf(now, sizeof(now), "%s %s %s", state, name ? name : "-", version ? version : "-");
    if (ev->have_prev && strcmp(now, ev->prev_driver) != 0) {
        mark(r->driver_list, r->driver_changes, t, lineno, "%s -> %s", ev->prev_driver, now);
        r->driver_changes++;
    }
    copy_str(ev->prev_driver, sizeof(ev->prev_driver), now);
    copy_str(r->driver_state, sizeof(r->driver_state), state);
    if (name)
        copy_str(r->driver_name, sizeof(r->driver_name), name);
    if (version)
        copy_str(r->driver_version, sizeof(r->driver_version), version);

    if (strcmp(state, "error") == 0) {
        note_error_time(r, t);
        r->driver_error_samples++;
        if (r->error_listed < SOAK_LISTED)
            mark(r->error_list, r->error_listed++, t, lineno, "driver state \"error\" (%s %s)",
                 name ? name : "-", version ? version : "-");
    }
    /* The clean-run clock only runs while the driver is known to be up. */
    if (strcmp(state, "ok") != 0 && strcmp(state, "error") != 0) {
        r->run_active = false;
        snprintf(r->run_stopped_why, sizeof(r->run_stopped_why),
                 "the driver state is \"%s\" in the last sample", state);
    } else if (!r->run_active) {
        r->run_active = true;
        r->run_start = t;
    }
}

static void take_events(struct soak_eval *ev, const cJSON *s, time_t t, unsigned long lineno)
{
    struct soak_result *r = &ev->res;
    const cJSON *events = cJSON_GetObjectItemCaseSensitive(s, "events");
    const cJSON *e;

    if (!cJSON_IsArray(events)) {
        /* Errors could not have been seen: such a sample proves nothing clean. */
        r->events_unknown_samples++;
        r->run_active = false;
        snprintf(r->run_stopped_why, sizeof(r->run_stopped_why),
                 "the last sample could not read the kernel log (\"events\": null)");
        return;
    }
    cJSON_ArrayForEach(e, events)
    {
        const char *kind = str_member(e, "kind");
        const char *text = str_member(e, "text");
        /* An event code (Xid, Windows event id) is a non-negative 32-bit number; any other
         * value is an unknown code, never a cast. */
        long c = (long)ptd_json_int_or(e, "code", 0, INT32_MAX, -1);

        if (!kind)
            kind = "unknown";
        if (is_benign(kind))
            continue;
        note_error_time(r, t);
        r->error_events++;
        count_kind(r, kind, c, t);
        if (r->error_listed < SOAK_LISTED) {
            if (c >= 0)
                mark(r->error_list, r->error_listed++, t, lineno, "%s %ld: %s", kind, c,
                     text ? text : "");
            else
                mark(r->error_list, r->error_listed++, t, lineno, "%s: %s", kind, text ? text : "");
        }
    }
}

static void take_identity(struct soak_result *r, const cJSON *s)
{
    const cJSON *gpus = cJSON_GetObjectItemCaseSensitive(s, "gpus");
    const cJSON *g;
    size_t used = 0;

    if (str_member(s, "host"))
        copy_str(r->host, sizeof(r->host), str_member(s, "host"));
    if (str_member(s, "os"))
        copy_str(r->os, sizeof(r->os), str_member(s, "os"));
    if (!cJSON_IsArray(gpus))
        return;
    r->gpus[0] = '\0';
    cJSON_ArrayForEach(g, gpus)
    {
        const char *v = str_member(g, "vendor_id"), *d = str_member(g, "device_id");
        int n;

        if (!v || !d)
            continue;
        n = snprintf(r->gpus + used, sizeof(r->gpus) - used, "%s%s:%s", used ? ", " : "", v, d);
        if (n < 0 || (size_t)n >= sizeof(r->gpus) - used)
            break;
        used += (size_t)n;
    }
}

/* gpus[].decode / .encode: any GPU true = the path is there; false (and none true) = gone. */
static void take_video(struct soak_eval *ev, const cJSON *s, time_t t, unsigned long lineno)
{
    static const char *const keys[2] = {"decode", "encode"};
    struct soak_result *r = &ev->res;
    bool lost = false;

    for (int k = 0; k < 2; k++) {
        int state = -1; /* unknown */
        const cJSON *g;
        cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(s, "gpus"))
        {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(g, keys[k]);
            if (cJSON_IsBool(v))
                state = cJSON_IsTrue(v) ? 1 : (state == 1 ? 1 : 0);
        }
        if (state == 0 && ev->had_video[k] == 1) {
            if (r->error_listed < SOAK_LISTED)
                mark(r->error_list, r->error_listed++, t, lineno,
                     "hardware video %s path lost (an earlier sample had it)", keys[k]);
            ev->had_video[k] = 0; /* counted once per loss */
            lost = true;
        } else if (state == 1) {
            ev->had_video[k] = 1;
        }
    }
    if (lost) {
        note_error_time(r, t);
        r->video_lost_samples++;
    }
}

static void take_sample(struct soak_eval *ev, const cJSON *s, time_t t, unsigned long lineno)
{
    struct soak_result *r = &ev->res;

    if (r->samples == 0 || t < r->first_t)
        r->first_t = t;
    if (r->samples == 0 || t > r->last_t)
        r->last_t = t;
    take_gap(ev, t);
    take_boot(ev, s, t, lineno);
    take_driver(ev, s, t, lineno);
    take_events(ev, s, t, lineno);
    take_video(ev, s, t, lineno);
    take_identity(r, s);
    r->samples++;
    ev->have_prev = true;
    ev->prev_t = t;
}

void soak_eval_line(struct soak_eval *ev, const char *line, size_t len, unsigned long lineno,
                    bool too_long)
{
    const char *why = NULL;
    cJSON *s = NULL;
    time_t t = 0;
    size_t i;

    ev->res.lines = lineno;
    for (i = 0; i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'); i++)
        ;
    if (i == len)
        return; /* blank lines carry nothing */

    settle_pending_middle(ev);
    if (too_long)
        why = "line longer than 256 KiB";
    else if (!(s = cJSON_ParseWithLength(line, len)))
        why = looks_torn(line, len) ? "torn sample (not complete JSON)" : "not JSON";
    else
        why = check_sample(s, &t);

    if (why) {
        ev->pending_bad = true;
        ev->pending_torn = !too_long && !s && looks_torn(line, len);
        ev->pending_lineno = lineno;
        copy_str(ev->pending_reason, sizeof(ev->pending_reason), why);
    } else {
        take_sample(ev, s, t, lineno);
    }
    cJSON_Delete(s);
}

static void decide(struct soak_eval *ev)
{
    struct soak_result *r = &ev->res;
    double need_s = ev->opt.threshold_days * 86400.0;
    char a[32], b[32];

    if (r->samples == 0) {
        r->verdict = SOAK_NO_VERDICT;
        r->bad_input = true;
        snprintf(r->reason, sizeof(r->reason), "no soak sample in the file");
        return;
    }
    r->covered_days = (double)(r->last_t - r->first_t) / 86400.0;
    r->run_days = r->run_active ? (double)(r->last_t - r->run_start) / 86400.0 : 0;
    if (r->error_events || r->driver_error_samples || r->video_lost_samples) {
        r->verdict = SOAK_FAILED;
        ptd_time_rfc3339(r->first_error_t, a, sizeof(a));
        if (!r->error_events && !r->driver_error_samples)
            snprintf(r->reason, sizeof(r->reason),
                     "%lu sample(s) lost a hardware video decode/encode path an earlier sample "
                     "had, the first at %s",
                     r->video_lost_samples, a);
        else if (r->error_events && r->driver_error_samples)
            snprintf(r->reason, sizeof(r->reason),
                     "%lu driver error event(s) and %lu sample(s) in driver state \"error\", "
                     "the first at %s",
                     r->error_events, r->driver_error_samples, a);
        else if (r->error_events)
            snprintf(r->reason, sizeof(r->reason), "%lu driver error event(s), the first at %s",
                     r->error_events, a);
        else
            snprintf(r->reason, sizeof(r->reason),
                     "%lu sample(s) in driver state \"error\", the first at %s",
                     r->driver_error_samples, a);
        return;
    }
    if (r->run_active && (double)(r->last_t - r->run_start) >= need_s) {
        r->verdict = SOAK_PRODUCTION;
        ptd_time_rfc3339(r->run_start, a, sizeof(a));
        ptd_time_rfc3339(r->last_t, b, sizeof(b));
        snprintf(r->reason, sizeof(r->reason),
                 "%.1f clean days (%s to %s), at least %g needed, no driver error", r->run_days, a,
                 b, ev->opt.threshold_days);
        return;
    }
    r->verdict = SOAK_IN_VALIDATION;
    if (!r->run_active) {
        snprintf(r->reason, sizeof(r->reason), "%s; the clean-run clock restarts after it",
                 r->run_stopped_why);
        return;
    }
    r->production_on = r->run_start + (time_t)need_s;
    ptd_time_rfc3339(r->run_start, a, sizeof(a));
    ptd_time_rfc3339(r->production_on, b, sizeof(b));
    snprintf(r->reason, sizeof(r->reason),
             "%.1f of %g clean days so far (since %s%s); production on %s if it stays clean",
             r->run_days, ev->opt.threshold_days, a,
             r->gaps_over_limit ? ", after the last gap over the limit" : "", b);
}

void soak_eval_finish(struct soak_eval *ev)
{
    struct soak_result *r = &ev->res;

    if (ev->pending_bad) {
        if (ev->pending_torn) {
            r->torn_last_lineno = ev->pending_lineno;
        } else {
            r->invalid_lines++;
            add_bad_line(r, ev->pending_lineno, ev->pending_reason);
        }
        ev->pending_bad = false;
    }
    decide(ev);
    if (r->invalid_lines)
        r->bad_input = true;
    if (ev->opt.now > 0 && r->samples) {
        r->since_last_s = (long)(ev->opt.now - r->last_t);
        r->stale = r->since_last_s > ev->opt.max_gap_s;
    }
}

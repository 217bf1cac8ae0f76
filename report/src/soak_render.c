/* SPDX-License-Identifier: MIT */
#include "soak_render.h"

#include <stdio.h>
#include <string.h>

#include "ptdiag/doc.h"
#include "ptdiag/escape.h"

struct tbuf {
    char s[32];
};

static struct tbuf when(time_t t)
{
    struct tbuf b;
    ptd_time_rfc3339(t, b.s, sizeof(b.s));
    return b;
}

static struct tbuf day(time_t t)
{
    struct tbuf b = when(t);
    b.s[10] = '\0';
    return b;
}

/* "40 s", "35 min", "5.5 h", "3.2 days" */
static struct tbuf span(long s)
{
    struct tbuf b;

    if (s < 120)
        snprintf(b.s, sizeof(b.s), "%ld s", s);
    else if (s < 3 * 3600)
        snprintf(b.s, sizeof(b.s), "%ld min", s / 60);
    else if (s < 2 * 86400)
        snprintf(b.s, sizeof(b.s), "%.1f h", (double)s / 3600.0);
    else
        snprintf(b.s, sizeof(b.s), "%.1f days", (double)s / 86400.0);
    return b;
}

/* Everything a soak log holds was written in the guest: escaped for the terminal (escape.h)
 * into a static slot, for use inside one printf. */
static const char *txt(const char *s)
{
    return ptd_esc_tmp(s, 0);
}

static const char *or_dash(const char *s)
{
    return s && s[0] ? txt(s) : "-";
}

/* A Markdown table cell or paragraph text from the log: escaped text only. */
static void md_cell(FILE *out, const char *s)
{
    ptd_esc_md_text(out, s, PTD_ESC_MD_CELL);
}

/* Shields.io static badge path segment: '-' doubles, '_' doubles, ' ' is %20. */
static void badge_escape(char *dst, size_t n, const char *src)
{
    size_t o = 0;

    for (; *src && o + 4 < n; src++) {
        if (*src == '-' || *src == '_') {
            dst[o++] = *src;
            dst[o++] = *src;
        } else if (*src == ' ') {
            memcpy(dst + o, "%20", 3);
            o += 3;
        } else {
            dst[o++] = *src;
        }
    }
    dst[o] = '\0';
}

void soak_badge(const struct soak_eval *ev, char *buf, size_t n)
{
    const struct soak_result *r = &ev->res;
    const char *verdict = soak_verdict_name(r->verdict);
    const char *colour = r->verdict == SOAK_PRODUCTION      ? "brightgreen"
                         : r->verdict == SOAK_FAILED        ? "red"
                         : r->verdict == SOAK_IN_VALIDATION ? "yellow"
                                                            : "lightgrey";
    char message[96], escaped[192];

    snprintf(message, sizeof(message), "%s %.1f days", verdict,
             r->verdict == SOAK_FAILED ? r->covered_days : r->run_days);
    badge_escape(escaped, sizeof(escaped), message);
    snprintf(buf, n,
             "![ptdiag soak: %s](https://img.shields.io/badge/ptdiag%%20soak-%s-%s) "
             "%s to %s, %.1f days, driver %s %s, GPU %s, %lu reboot(s), %lu driver error(s), "
             "longest gap %s (ptdiag %s)",
             message, escaped, colour, day(r->first_t).s, day(r->last_t).s, r->covered_days,
             or_dash(r->driver_name), or_dash(r->driver_version), or_dash(r->gpus), r->reboots,
             r->error_events + r->driver_error_samples, span(r->longest_gap_s).s, ptd_version());
}

static void text_marks(FILE *out, const char *label, unsigned long count,
                       const struct soak_mark *list)
{
    unsigned long i, shown = count < SOAK_LISTED ? count : SOAK_LISTED;

    for (i = 0; i < shown; i++)
        fprintf(out, "  %-10s %s (line %lu) %s\n", i ? "" : label, when(list[i].t).s,
                list[i].lineno, txt(list[i].text));
    if (count > shown)
        fprintf(out, "  %-10s ... and %lu more\n", "", count - shown);
}

static void text_one(FILE *out, const struct soak_file *f)
{
    const struct soak_result *r;
    char badge[768];
    unsigned long i;

    if (!f->ev) {
        fprintf(out, "%s: ERROR %s\n", txt(f->path), txt(f->read_error));
        return;
    }
    r = &f->ev->res;
    if (r->samples == 0) {
        fprintf(out, "%s: ERROR %s\n", txt(f->path), txt(r->reason));
    } else {
        fprintf(out, "%s: %s\n", txt(f->path), soak_verdict_name(r->verdict));
        fprintf(out, "  %-10s %s\n", "why", txt(r->reason));
        fprintf(out, "  %-10s %s (%s), driver %s %s (%s), GPU %s\n", "guest", or_dash(r->host),
                or_dash(r->os), or_dash(r->driver_name), or_dash(r->driver_version),
                or_dash(r->driver_state), or_dash(r->gpus));
        fprintf(out, "  %-10s %.1f days, %s to %s, %lu samples\n", "covered", r->covered_days,
                when(r->first_t).s, when(r->last_t).s, r->samples);
        if (r->samples > 1)
            fprintf(out, "  %-10s longest %s (%s to %s); %lu over the %s limit\n", "gaps",
                    span(r->longest_gap_s).s, when(r->longest_gap_from).s,
                    when(r->longest_gap_to).s, r->gaps_over_limit, span(f->ev->opt.max_gap_s).s);
        if (r->reboots)
            text_marks(out, "reboots", r->reboots, r->reboot_list);
        else
            fprintf(out, "  %-10s none\n", "reboots");
        if (r->error_events + r->driver_error_samples + r->video_lost_samples) {
            for (i = 0; i < r->n_kinds; i++) {
                const struct soak_kind_count *k = &r->kinds[i];
                char code[24] = "";
                if (k->code >= 0)
                    snprintf(code, sizeof(code), " %ld", k->code);
                fprintf(out, "  %-10s %s%s x%lu (%s to %s)\n", i ? "" : "errors", txt(k->kind),
                        code, k->count, when(k->first_t).s, when(k->last_t).s);
            }
            if (r->other_kind_events)
                fprintf(out, "  %-10s %lu more of other kinds\n", "", r->other_kind_events);
            if (r->driver_error_samples)
                fprintf(out, "  %-10s %lu sample(s) with driver state \"error\"\n",
                        r->n_kinds ? "" : "errors", r->driver_error_samples);
            if (r->video_lost_samples)
                fprintf(out, "  %-10s %lu sample(s) lost a hardware video path\n",
                        r->n_kinds || r->driver_error_samples ? "" : "errors",
                        r->video_lost_samples);
            text_marks(out, "first", r->error_listed, r->error_list);
        } else {
            fprintf(out, "  %-10s none\n", "errors");
        }
        if (r->driver_changes)
            text_marks(out, "driver", r->driver_changes, r->driver_list);
        if (r->events_unknown_samples)
            fprintf(out, "  %-10s %lu sample(s) could not read the kernel log: errors unknown\n",
                    "unchecked", r->events_unknown_samples);
        if (r->clock_backwards)
            fprintf(out, "  %-10s the clock went back %lu time(s)\n", "clock", r->clock_backwards);
        if (r->stale)
            fprintf(out, "  %-10s no sample for %s: is the soak timer still running?\n", "stale",
                    span(r->since_last_s).s);
    }
    if (r->torn_last_lineno)
        fprintf(out, "  %-10s torn last line %lu ignored (writer interrupted)\n", "note",
                r->torn_last_lineno);
    for (i = 0; i < r->bad_listed; i++)
        fprintf(out, "  %-10s line %lu: %s\n", i ? "" : "bad lines", r->bad_list[i].lineno,
                txt(r->bad_list[i].reason));
    if (r->torn_lines + r->invalid_lines > r->bad_listed)
        fprintf(out, "  %-10s ... and %lu more\n", "",
                r->torn_lines + r->invalid_lines - r->bad_listed);
    if (r->invalid_lines)
        fprintf(out, "  %-10s %lu line(s) are not ptdiag.soak/1 samples: not a usable soak log\n",
                "ERROR", r->invalid_lines);
    if (r->samples) {
        soak_badge(f->ev, badge, sizeof(badge));
        fprintf(out, "  %-10s %s\n", "badge", txt(badge));
    }
}

/* Renders each file with one, a blank line between files. */
static void render_each(FILE *out, const struct soak_file *files, size_t n,
                        void (*one)(FILE *, const struct soak_file *))
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (i)
            fputc('\n', out);
        one(out, &files[i]);
    }
}

void soak_render_text(FILE *out, const struct soak_file *files, size_t n)
{
    render_each(out, files, n, text_one);
}

static void md_one(FILE *out, const struct soak_file *f)
{
    const struct soak_result *r;
    char badge[768];
    unsigned long i;

    fputs("### Soak: ", out);
    ptd_esc_md_code(out, f->path, 0);
    fputs("\n\n", out);
    if (!f->ev || f->ev->res.samples == 0) {
        fputs("**Error:** ", out);
        ptd_esc_md_text(out, f->ev ? f->ev->res.reason : f->read_error, 0);
        fputc('\n', out);
        return;
    }
    r = &f->ev->res;
    soak_badge(f->ev, badge, sizeof(badge));
    /* The image is ours; what follows it names the guest's driver and GPU. */
    const char *rest = strstr(badge, ") ");
    fwrite(badge, 1, rest ? (size_t)(rest - badge) + 2 : 0, out);
    ptd_esc_md_text(out, rest ? rest + 2 : badge, 0);
    fputs("\n\n| | |\n|---|---|\n", out);
    fprintf(out, "| Verdict | **%s**: ", soak_verdict_name(r->verdict));
    md_cell(out, r->reason);
    fputs(" |\n| Guest | ", out);
    md_cell(out, or_dash(r->host));
    fputs(" (", out);
    md_cell(out, or_dash(r->os));
    fputs(") |\n| Driver | ", out);
    md_cell(out, or_dash(r->driver_name));
    fputc(' ', out);
    md_cell(out, or_dash(r->driver_version));
    fputs(" (", out);
    md_cell(out, or_dash(r->driver_state));
    fputs(") |\n| GPU | ", out);
    md_cell(out, or_dash(r->gpus));
    fputs(" |\n", out);
    fprintf(out, "| Covered | %.1f days, %s to %s, %lu samples |\n", r->covered_days,
            when(r->first_t).s, when(r->last_t).s, r->samples);
    if (r->production_on)
        fprintf(out, "| Production on | %s if it stays clean |\n", when(r->production_on).s);
    fprintf(out, "| Longest gap | %s (%s to %s); %lu over the %s limit |\n",
            span(r->longest_gap_s).s, when(r->longest_gap_from).s, when(r->longest_gap_to).s,
            r->gaps_over_limit, span(f->ev->opt.max_gap_s).s);
    fprintf(out, "| Reboots | %lu |\n", r->reboots);
    fprintf(out, "| Driver errors | %lu |\n", r->error_events + r->driver_error_samples);
    fprintf(out, "| Driver changes | %lu |\n", r->driver_changes);
    if (r->events_unknown_samples)
        fprintf(out, "| Kernel log unreadable | %lu sample(s) |\n", r->events_unknown_samples);
    if (r->n_kinds) {
        fprintf(out, "\n| Error | Code | Count | First | Last |\n|---|---|---|---|---|\n");
        for (i = 0; i < r->n_kinds; i++) {
            const struct soak_kind_count *k = &r->kinds[i];
            fputs("| ", out);
            md_cell(out, k->kind);
            fputs(" | ", out);
            if (k->code >= 0)
                fprintf(out, "%ld", k->code);
            fprintf(out, " | %lu | %s | %s |\n", k->count, when(k->first_t).s, when(k->last_t).s);
        }
    }
    if (r->torn_last_lineno || r->bad_listed || r->stale)
        fputc('\n', out);
    if (r->torn_last_lineno)
        fprintf(out, "- torn last line %lu ignored (writer interrupted)\n", r->torn_last_lineno);
    for (i = 0; i < r->bad_listed; i++) {
        fprintf(out, "- line %lu: ", r->bad_list[i].lineno);
        md_cell(out, r->bad_list[i].reason);
        fputc('\n', out);
    }
    if (r->stale)
        fprintf(out, "- no sample for %s before the evaluation\n", span(r->since_last_s).s);
}

void soak_render_md(FILE *out, const struct soak_file *files, size_t n)
{
    render_each(out, files, n, md_one);
}

static void add_time(cJSON *obj, const char *key, time_t t, bool known)
{
    struct tbuf b;

    if (!known) {
        cJSON_AddNullToObject(obj, key);
        return;
    }
    b = when(t);
    cJSON_AddStringToObject(obj, key, b.s);
}

static cJSON *marks_json(const struct soak_mark *list, unsigned long count)
{
    cJSON *arr = cJSON_CreateArray();
    unsigned long i;

    for (i = 0; arr && i < count && i < SOAK_LISTED; i++) {
        cJSON *m = cJSON_CreateObject();
        if (!m)
            break;
        add_time(m, "t", list[i].t, true);
        cJSON_AddNumberToObject(m, "line", (double)list[i].lineno);
        cJSON_AddStringToObject(m, "text", list[i].text);
        cJSON_AddItemToArray(arr, m);
    }
    return arr;
}

static void add_counted_list(cJSON *obj, const char *key, unsigned long count,
                             const struct soak_mark *list)
{
    cJSON *o = cJSON_AddObjectToObject(obj, key);

    if (!o)
        return;
    cJSON_AddNumberToObject(o, "count", (double)count);
    cJSON_AddItemToObject(o, "first", marks_json(list, count));
}

static void add_errors_json(cJSON *o, const struct soak_result *r)
{
    cJSON *kinds = cJSON_AddArrayToObject(o, "errors_by_kind");
    size_t i;

    cJSON_AddNumberToObject(o, "error_events", (double)r->error_events);
    cJSON_AddNumberToObject(o, "driver_error_samples", (double)r->driver_error_samples);
    cJSON_AddNumberToObject(o, "video_lost_samples", (double)r->video_lost_samples);
    cJSON_AddNumberToObject(o, "error_events_uncounted_kinds", (double)r->other_kind_events);
    cJSON_AddNumberToObject(o, "events_unknown_samples", (double)r->events_unknown_samples);
    unsigned long any = r->error_events + r->driver_error_samples + r->video_lost_samples;
    add_time(o, "first_error", r->first_error_t, any > 0);
    add_time(o, "last_error", r->last_error_t, any > 0);
    for (i = 0; kinds && i < r->n_kinds; i++) {
        cJSON *k = cJSON_CreateObject();
        if (!k)
            break;
        cJSON_AddStringToObject(k, "kind", r->kinds[i].kind);
        ptd_json_add_num(k, "code", (double)r->kinds[i].code, r->kinds[i].code >= 0);
        cJSON_AddNumberToObject(k, "count", (double)r->kinds[i].count);
        add_time(k, "first", r->kinds[i].first_t, true);
        add_time(k, "last", r->kinds[i].last_t, true);
        cJSON_AddItemToArray(kinds, k);
    }
    cJSON_AddItemToObject(o, "error_examples", marks_json(r->error_list, r->error_listed));
}

static void add_lines_json(cJSON *o, const struct soak_result *r, const char *path, cJSON *doc)
{
    cJSON *bad = cJSON_AddArrayToObject(o, "bad_lines");
    unsigned long i;

    cJSON_AddNumberToObject(o, "lines", (double)r->lines);
    ptd_json_add_num(o, "torn_last_line", (double)r->torn_last_lineno, r->torn_last_lineno > 0);
    cJSON_AddNumberToObject(o, "torn_lines", (double)r->torn_lines);
    cJSON_AddNumberToObject(o, "invalid_lines", (double)r->invalid_lines);
    for (i = 0; i < r->bad_listed; i++) {
        cJSON *b = cJSON_CreateObject();
        if (b) {
            cJSON_AddNumberToObject(b, "line", (double)r->bad_list[i].lineno);
            cJSON_AddStringToObject(b, "reason", r->bad_list[i].reason);
            cJSON_AddItemToArray(bad, b);
        }
        ptd_doc_add_error(doc, "soak", "%s:%lu: %s", path, r->bad_list[i].lineno,
                          r->bad_list[i].reason);
    }
}

cJSON *soak_file_to_json(const struct soak_file *f, cJSON *doc)
{
    const struct soak_result *r;
    cJSON *o = cJSON_CreateObject(), *g;
    char badge[768];

    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "file", f->path);
    if (!f->ev) {
        cJSON_AddNullToObject(o, "verdict");
        cJSON_AddStringToObject(o, "error", f->read_error);
        ptd_doc_add_error(doc, "soak", "%s", f->read_error);
        return o;
    }
    r = &f->ev->res;
    ptd_json_add_str(o, "verdict",
                     r->verdict == SOAK_NO_VERDICT ? NULL : soak_verdict_name(r->verdict));
    cJSON_AddStringToObject(o, "reason", r->reason);
    cJSON_AddBoolToObject(o, "usable", !r->bad_input);
    if (r->samples == 0)
        ptd_doc_add_error(doc, "soak", "%s: %s", f->path, r->reason);
    cJSON_AddNumberToObject(o, "threshold_days", f->ev->opt.threshold_days);
    cJSON_AddNumberToObject(o, "max_gap_s", (double)f->ev->opt.max_gap_s);
    ptd_json_add_str(o, "host", r->host[0] ? r->host : NULL);
    ptd_json_add_str(o, "os", r->os[0] ? r->os : NULL);
    g = cJSON_AddObjectToObject(o, "driver");
    if (g) {
        ptd_json_add_str(g, "name", r->driver_name[0] ? r->driver_name : NULL);
        ptd_json_add_str(g, "version", r->driver_version[0] ? r->driver_version : NULL);
        ptd_json_add_str(g, "state", r->driver_state[0] ? r->driver_state : NULL);
    }
    ptd_json_add_str(o, "gpus", r->gpus[0] ? r->gpus : NULL);
    cJSON_AddNumberToObject(o, "samples", (double)r->samples);
    add_time(o, "first_sample", r->first_t, r->samples > 0);
    add_time(o, "last_sample", r->last_t, r->samples > 0);
    ptd_json_add_num(o, "covered_days", r->covered_days, r->samples > 0);
    add_time(o, "clean_since", r->run_start, r->samples > 0 && r->run_active);
    ptd_json_add_num(o, "clean_days", r->run_days, r->samples > 0);
    add_time(o, "production_on", r->production_on, r->production_on != 0);
    g = cJSON_AddObjectToObject(o, "longest_gap");
    if (g) {
        cJSON_AddNumberToObject(g, "seconds", (double)r->longest_gap_s);
        add_time(g, "from", r->longest_gap_from, r->samples > 1);
        add_time(g, "to", r->longest_gap_to, r->samples > 1);
    }
    cJSON_AddNumberToObject(o, "gaps_over_limit", (double)r->gaps_over_limit);
    cJSON_AddNumberToObject(o, "clock_backwards", (double)r->clock_backwards);
    add_counted_list(o, "reboots", r->reboots, r->reboot_list);
    add_counted_list(o, "driver_changes", r->driver_changes, r->driver_list);
    add_errors_json(o, r);
    add_lines_json(o, r, f->path, doc);
    ptd_json_add_num(o, "since_last_sample_s", (double)r->since_last_s, r->since_last_s >= 0);
    ptd_json_add_tri(o, "stale", r->since_last_s >= 0 ? r->stale : -1);
    if (r->samples) {
        soak_badge(f->ev, badge, sizeof(badge));
        cJSON_AddStringToObject(o, "badge", badge);
    } else {
        cJSON_AddNullToObject(o, "badge");
    }
    return o;
}

/* SPDX-License-Identifier: MIT */
/*
 * Evaluation of one soak log (DESIGN §5, docs/schema.md "Soak log lines"), streaming: lines go
 * in one at a time and only running aggregates are kept (counters, the longest gap, and the
 * first SOAK_LISTED reboots/errors/driver changes/bad lines for the report), so memory does not
 * grow with the log. Nothing here prints.
 *
 * Rules (also in man/ptdiag-report.1):
 *  - failed:        any error event in any sample (Xid, TDR, RmInitAdapter, ...), any sample
 *                   whose driver state is "error", or a sample where the hardware decode or
 *                   encode path an earlier sample had is gone (a driver update that lost NVENC).
 * Sticky for the whole log: a fix starts a new log.
 *  - production:    not failed, and the current clean run covers >= threshold days. The clean
 *                   run restarts after a gap longer than max_gap_s between two samples and after
 *                   samples whose driver state is not known to be "ok" ("missing", absent)
 *                   and samples whose events are unknown ("events": null: the agent could
 *                   not read the kernel log), since errors could not have been seen then.
 *  - in-validation: neither of the above; production_on says when it would be reached.
 *  Reboots (boot id changes) and driver version changes are reported, not penalised.
 *
 * Bad lines: a torn sample (a prefix of a ptdiag.soak/1 line, or crash debris with NUL bytes)
 * is the documented result of a writer killed mid-line. As the last line it is ignored and
 * noted; in the middle it is reported with its line number but does not change the verdict
 * (the time it covered is judged by the gap rule; the agent re-reports events newer than the
 * last good sample). Any other line that is not a valid sample (garbage, another schema, a
 * sample without a valid "t") makes the input unusable: `bad_input` (exit status 2).
 */
#ifndef PTDIAG_SOAK_EVAL_H
#define PTDIAG_SOAK_EVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define SOAK_LISTED            8 /* how many reboots/errors/changes/bad lines are listed by date */
#define SOAK_KIND_SLOTS        32 /* distinct (kind, code) pairs counted apart; the rest go to "other" */
#define SOAK_DEFAULT_MAX_GAP_S 3600L

enum soak_verdict { SOAK_NO_VERDICT, SOAK_PRODUCTION, SOAK_IN_VALIDATION, SOAK_FAILED };

struct soak_options {
    double threshold_days; /* clean days needed for production */
    long max_gap_s;        /* longest allowed silence between two samples */
    time_t now;            /* the evaluation time (staleness); 0 = not known */
};

/* Something that happened at a time, for the lists in the report. */
struct soak_mark {
    time_t t;
    unsigned long lineno;
    char text[200];
};

struct soak_kind_count {
    char kind[48];
    long code; /* -1 when the event has no code */
    unsigned long count;
    time_t first_t, last_t;
};

struct soak_bad_line {
    unsigned long lineno;
    char reason[120];
};

struct soak_result {
    /* what the samples say about the guest (the last value seen) */
    char host[64], os[16], driver_name[32], driver_version[64], driver_state[16];
    char gpus[160]; /* "10de:2204, 1002:744c" */

    unsigned long lines, samples;
    time_t first_t, last_t;

    long longest_gap_s; /* between consecutive samples; 0 with one sample */
    time_t longest_gap_from, longest_gap_to;
    unsigned long gaps_over_limit;
    unsigned long clock_backwards; /* samples older than the one before them */

    unsigned long reboots;
    struct soak_mark reboot_list[SOAK_LISTED];

    unsigned long error_events, driver_error_samples, other_kind_events;
    time_t first_error_t, last_error_t; /* valid when error_events + driver_error_samples > 0 */
    struct soak_kind_count kinds[SOAK_KIND_SLOTS];
    size_t n_kinds;
    struct soak_mark error_list[SOAK_LISTED];
    unsigned long error_listed; /* error_list entries filled (<= SOAK_LISTED) */

    unsigned long driver_changes;
    struct soak_mark driver_list[SOAK_LISTED];

    /* samples where a GPU's hardware decode or encode path, present before, was gone
     * (gpus[].decode / .encode true -> false): a regression, counted like an error */
    unsigned long video_lost_samples;

    unsigned long torn_lines;       /* torn lines in the middle */
    unsigned long torn_last_lineno; /* 0: the last line was fine */
    unsigned long invalid_lines;
    struct soak_bad_line bad_list[SOAK_LISTED]; /* torn-middle and invalid lines, in order */
    unsigned long bad_listed;

    unsigned long events_unknown_samples; /* "events": null (kernel log unreadable) */

    bool run_active;          /* the clean-run clock is running */
    char run_stopped_why[96]; /* why it is not running, when it is not */
    time_t run_start;         /* the current clean run began with the sample at this time */

    /* filled by soak_eval_finish() */
    enum soak_verdict verdict;
    bool bad_input;       /* invalid lines or no sample: exit status 2 */
    char reason[256];     /* one sentence: why this verdict */
    double covered_days;  /* last - first sample */
    double run_days;      /* the current clean run; 0 when none */
    time_t production_on; /* in-validation: run_start + threshold; 0 when not applicable */
    long since_last_s;    /* now - last sample; -1 when now is unknown */
    bool stale;           /* no sample for longer than max_gap_s before now */
};

/* The running state of one evaluation. Zero-initialise through soak_eval_init(). */
struct soak_eval {
    struct soak_options opt;
    struct soak_result res;
    /* the previous good sample */
    bool have_prev;
    time_t prev_t;
    double prev_uptime_s; /* < 0 unknown */
    char prev_boot_id[64];
    char prev_driver[128]; /* "state name version" */
    int had_video[2];      /* decode, encode: 1 once a sample showed the path, else 0 */
    /* a bad line waits until we know whether it was the last one */
    bool pending_bad;
    bool pending_torn;
    unsigned long pending_lineno;
    char pending_reason[120];
};

void soak_eval_init(struct soak_eval *ev, const struct soak_options *opt);

/* Feeds one line (without '\n'; may hold NUL bytes; `too_long` when it was cut). */
void soak_eval_line(struct soak_eval *ev, const char *line, size_t len, unsigned long lineno,
                    bool too_long);

/* Settles the pending line and computes the verdict into ev->res. */
void soak_eval_finish(struct soak_eval *ev);

const char *soak_verdict_name(enum soak_verdict v);

#endif

/* SPDX-License-Identifier: MIT */
/* soak_eval: the verdict rules on hand-written samples (the generated-log tests are in
 * check_soak.py). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "soak_eval.h"

#define BOOT_A "0f5c2b7e-3f7a-4a44-9a61-1d2b6c0e9a11"
#define BOOT_B "7d1e4c2a-8b90-4f3e-b1c2-5a6d7e8f9012"

static const struct soak_options opts = {14.0, 3600, 0};

/* One sample at start + minutes, in the writer's compact form. */
static void feed(struct soak_eval *ev, unsigned long *lineno, long minutes, const char *boot,
                 const char *state, const char *events)
{
    char line[1024];
    char t[32];
    time_t ts = 1793520000 + minutes * 60; /* 2026-11-01T08:00:00Z */
    struct tm tm;

    gmtime_r(&ts, &tm);
    strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%SZ", &tm);
    snprintf(line, sizeof(line),
             "{\"schema\":\"ptdiag.soak/1\",\"t\":\"%s\",\"boot_id\":\"%s\",\"uptime_s\":%ld,"
             "\"host\":\"vm\",\"os\":\"linux\",\"driver\":{\"state\":\"%s\",\"name\":\"nvidia\","
             "\"version\":\"570.86.16\"},\"gpus\":[{\"vendor_id\":\"10de\",\"device_id\":"
             "\"2204\"}],\"events\":[%s]}",
             t, boot, 600 + minutes * 60, state, events);
    (*lineno)++;
    soak_eval_line(ev, line, strlen(line), *lineno, false);
}

static void feed_raw(struct soak_eval *ev, unsigned long *lineno, const char *raw, size_t len)
{
    (*lineno)++;
    soak_eval_line(ev, raw, len, *lineno, false);
}

/* Samples every 5 minutes from minute `from` to `to` inclusive. */
static void feed_run(struct soak_eval *ev, unsigned long *lineno, long from, long to,
                     const char *boot)
{
    long m;

    for (m = from; m <= to; m += 5)
        feed(ev, lineno, m, boot, "ok", "");
}

/* One sample whose GPU has (1), lacks (0) or does not know (-1) its hardware encode path,
 * decode always present: what the agent writes as gpus[].decode / .encode. */
static void feed_video(struct soak_eval *ev, unsigned long *lineno, long minutes, int encode)
{
    char line[1024], t[32];
    time_t ts = 1793520000 + minutes * 60;
    struct tm tm;

    gmtime_r(&ts, &tm);
    strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%SZ", &tm);
    snprintf(line, sizeof(line),
             "{\"schema\":\"ptdiag.soak/1\",\"t\":\"%s\",\"boot_id\":\"%s\",\"uptime_s\":%ld,"
             "\"driver\":{\"state\":\"ok\",\"name\":\"nvidia\"},\"gpus\":[{\"vendor_id\":"
             "\"10de\",\"device_id\":\"2204\",\"decode\":true,\"encode\":%s}],\"events\":[]}",
             t, BOOT_A, 600 + minutes * 60,
             encode > 0    ? "true"
             : encode == 0 ? "false"
                           : "null");
    (*lineno)++;
    soak_eval_line(ev, line, strlen(line), *lineno, false);
}

/* A driver update that loses NVENC on day 3 is a regression: the two weeks fail. Unknown
 * (null) samples before it and a log that never had encode do not fail. */
static void test_lost_encode_path_fails(void **state)
{
    struct soak_eval ev;
    unsigned long n = 0;
    long m;

    (void)state;
    soak_eval_init(&ev, &opts);
    for (m = 0; m <= 14 * 1440; m += 5)
        feed_video(&ev, &n, m, m < 3 * 1440 ? (m < 60 ? -1 : 1) : 0);
    soak_eval_finish(&ev);
    assert_int_equal(ev.res.verdict, SOAK_FAILED);
    assert_int_equal(ev.res.video_lost_samples, 1);
    assert_non_null(strstr(ev.res.reason, "hardware video"));
    assert_non_null(strstr(ev.res.error_list[0].text, "encode path lost"));

    soak_eval_init(&ev, &opts);
    n = 0;
    for (m = 0; m <= 14 * 1440; m += 5)
        feed_video(&ev, &n, m, m % 10 ? -1 : 0); /* never had it: nothing lost */
    soak_eval_finish(&ev);
    assert_int_equal(ev.res.verdict, SOAK_PRODUCTION);
    assert_int_equal(ev.res.video_lost_samples, 0);
}

static void test_clean_14_days_is_production(void **state)
{
    struct soak_eval ev;
    unsigned long n = 0;

    soak_eval_init(&ev, &opts);
    feed_run(&ev, &n, 0, 14 * 1440, BOOT_A);
    soak_eval_finish(&ev);
    assert_int_equal(ev.res.verdict, SOAK_PRODUCTION);
    assert_false(ev.res.bad_input);
    assert_int_equal(ev.res.samples, 14 * 288 + 1);
    assert_int_equal(ev.res.longest_gap_s, 300);
    assert_int_equal(ev.res.reboots, 0);
    assert_string_equal(ev.res.gpus, "10de:2204");
}

static void test_one_sample_short_is_in_validation(void **state)
{
    struct soak_eval ev;
    unsigned long n = 0;

    soak_eval_init(&ev, &opts);
    feed_run(&ev, &n, 0, 14 * 1440 - 5, BOOT_A);
    soak_eval_finish(&ev);
    assert_int_equal(ev.res.verdict, SOAK_IN_VALIDATION);
    /* production is due exactly 14 days after the first sample */
    assert_int_equal(ev.res.production_on, 1793520000 + 14 * 86400);
}

static void test_xid_fails_and_is_counted_by_code(void **state)
{
    struct soak_eval ev;
    unsigned long n = 0;

    soak_eval_init(&ev, &opts);
    feed_run(&ev, &n, 0, 100, BOOT_A);
    feed(&ev, &n, 105, BOOT_A, "ok",
         "{\"kind\":\"nvrm-xid\",\"code\":79,\"time_s\":6900.1,\"text\":\"NVRM: Xid "
         "(PCI:0000:01:00): 79, GPU has fallen off the bus.\"},"
         "{\"kind\":\"nvrm-xid\",\"code\":79,\"time_s\":6900.2,\"text\":\"again\"},"
         "{\"kind\":\"hypervisor-detected\",\"code\":null,\"time_s\":0,\"text\":\"KVM\"}");
    feed(&ev, &n, 110, BOOT_A, "ok", "{\"kind\":\"nvrm-xid\",\"code\":13,\"text\":\"x\"}");
    feed_run(&ev, &n, 115, 15 * 1440, BOOT_A);
    soak_eval_finish(&ev);
    assert_int_equal(ev.res.verdict, SOAK_FAILED);
    assert_int_equal(ev.res.error_events, 3); /* the benign kind is not an error */
    assert_int_equal(ev.res.n_kinds, 2);
    assert_string_equal(ev.res.kinds[0].kind, "nvrm-xid");
    assert_int_equal(ev.res.kinds[0].code, 79);
    assert_int_equal(ev.res.kinds[0].count, 2);
    assert_int_equal(ev.res.kinds[1].code, 13);
    assert_int_equal(ev.res.first_error_t, 1793520000 + 105 * 60);
}

static void test_driver_state_error_fails(void **state)
{
    struct soak_eval ev;
    unsigned long n = 0;

    soak_eval_init(&ev, &opts);
    feed_run(&ev, &n, 0, 100, BOOT_A);
    feed(&ev, &n, 105, BOOT_A, "error", "");
    feed_run(&ev, &n, 110, 200, BOOT_A);
    soak_eval_finish(&ev);
    assert_int_equal(ev.res.verdict, SOAK_FAILED);
    assert_int_equal(ev.res.driver_error_samples, 1);
    assert_int_equal(ev.res.driver_changes, 2); /* ok -> error -> ok */
}

static void test_reboot_counted_not_penalised(void **state)
{
    struct soak_eval ev;
    unsigned long n = 0;

    soak_eval_init(&ev, &opts);
    feed_run(&ev, &n, 0, 3 * 1440, BOOT_A);
    feed_run(&ev, &n, 3 * 1440 + 10, 15 * 1440, BOOT_B);
    soak_eval_finish(&ev);
    assert_int_equal(ev.res.reboots, 1);
    assert_int_equal(ev.res.reboot_list[0].t, 1793520000 + (3 * 1440 + 10) * 60);
    assert_int_equal(ev.res.verdict, SOAK_PRODUCTION);
}

static void test_gap_over_limit_restarts_the_clock(void **state)
{
    struct soak_eval ev;
    unsigned long n = 0;

    soak_eval_init(&ev, &opts);
    feed_run(&ev, &n, 0, 5 * 1440, BOOT_A);
    feed_run(&ev, &n, 5 * 1440 + 61, 15 * 1440, BOOT_A); /* 61 min without a sample */
    soak_eval_finish(&ev);
    assert_int_equal(ev.res.gaps_over_limit, 1);
    assert_int_equal(ev.res.longest_gap_s, 61 * 60);
    assert_int_equal(ev.res.run_start, 1793520000 + (5 * 1440 + 61) * 60);
    assert_int_equal(ev.res.verdict, SOAK_IN_VALIDATION);

    /* a gap of exactly the limit is allowed */
    soak_eval_init(&ev, &opts);
    n = 0;
    feed_run(&ev, &n, 0, 5 * 1440, BOOT_A);
    feed_run(&ev, &n, 5 * 1440 + 60, 15 * 1440, BOOT_A);
    soak_eval_finish(&ev);
    assert_int_equal(ev.res.gaps_over_limit, 0);
    assert_int_equal(ev.res.verdict, SOAK_PRODUCTION);
}

static void test_driver_missing_stops_the_clock(void **state)
{
    struct soak_eval ev;
    unsigned long n = 0;

    soak_eval_init(&ev, &opts);
    feed_run(&ev, &n, 0, 2 * 1440, BOOT_A);
    feed(&ev, &n, 2 * 1440 + 5, BOOT_A, "missing", "");
    feed_run(&ev, &n, 2 * 1440 + 10, 15 * 1440, BOOT_A);
    soak_eval_finish(&ev);
    assert_int_equal(ev.res.run_start, 1793520000 + (2 * 1440 + 10) * 60);
    assert_int_equal(ev.res.verdict, SOAK_IN_VALIDATION);
    assert_false(ev.res.bad_input);
}

static void test_unreadable_kernel_log_proves_nothing(void **state)
{
    static const char blind[] =
        "{\"schema\":\"ptdiag.soak/1\",\"t\":\"2026-11-15T08:05:00Z\",\"boot_id\":\"" BOOT_A
        "\",\"uptime_s\":1209900,\"host\":\"vm\",\"os\":\"linux\",\"driver\":{\"state\":"
        "\"ok\",\"name\":\"nvidia\",\"version\":\"570.86.16\"},\"gpus\":[],\"events\":null,"
        "\"kmsg_until_s\":null}";
    struct soak_eval ev;
    unsigned long n = 0;

    soak_eval_init(&ev, &opts);
    feed_run(&ev, &n, 0, 14 * 1440, BOOT_A);
    feed_raw(&ev, &n, blind, strlen(blind));
    soak_eval_finish(&ev);
    assert_int_equal(ev.res.events_unknown_samples, 1);
    assert_false(ev.res.run_active);
    assert_int_equal(ev.res.verdict, SOAK_IN_VALIDATION);
    assert_false(ev.res.bad_input);
}

static void test_torn_last_line_ignored(void **state)
{
    static const char torn[] = "{\"schema\":\"ptdiag.soak/1\",\"t\":\"2026-11-15T08:05:00Z\",\"bo";
    struct soak_eval ev;
    unsigned long n = 0;

    soak_eval_init(&ev, &opts);
    feed_run(&ev, &n, 0, 14 * 1440, BOOT_A);
    feed_raw(&ev, &n, torn, strlen(torn));
    soak_eval_finish(&ev);
    assert_int_equal(ev.res.torn_last_lineno, n);
    assert_int_equal(ev.res.verdict, SOAK_PRODUCTION);
    assert_false(ev.res.bad_input);
}

static void test_torn_middle_reported_not_fatal(void **state)
{
    static const char torn[] = "{\"schema\":\"ptdiag.soak/1\",\"t\":\"2026-11-02T08:05:00Z\",\"bo";
    static const char zeros[16] = {0};
    struct soak_eval ev;
    unsigned long n = 0, torn_line, zero_line;

    soak_eval_init(&ev, &opts);
    feed_run(&ev, &n, 0, 1440, BOOT_A);
    feed_raw(&ev, &n, torn, strlen(torn));
    torn_line = n;
    feed_run(&ev, &n, 1450, 2000, BOOT_B);
    feed_raw(&ev, &n, zeros, sizeof(zeros)); /* a zero-filled tail after a crash */
    zero_line = n;
    feed_run(&ev, &n, 2010, 2100, BOOT_B);
    soak_eval_finish(&ev);
    assert_int_equal(ev.res.torn_lines, 2);
    assert_int_equal(ev.res.bad_listed, 2);
    assert_int_equal(ev.res.bad_list[0].lineno, torn_line);
    assert_int_equal(ev.res.bad_list[1].lineno, zero_line);
    assert_int_equal(ev.res.torn_last_lineno, 0);
    assert_false(ev.res.bad_input);
    assert_int_equal(ev.res.verdict, SOAK_IN_VALIDATION);
}

static void test_garbage_is_bad_input(void **state)
{
    static const char text[] = "this is not a soak log";
    static const char other[] = "{\"schema\":\"ptdiag.guest/1\",\"t\":\"2026-11-01T08:00:00Z\"}";
    static const char bad_t[] = "{\"schema\":\"ptdiag.soak/1\",\"t\":\"yesterday\"}";
    struct soak_eval ev;
    unsigned long n = 0;

    soak_eval_init(&ev, &opts);
    feed_run(&ev, &n, 0, 100, BOOT_A);
    feed_raw(&ev, &n, text, strlen(text));
    feed_raw(&ev, &n, other, strlen(other));
    feed_raw(&ev, &n, bad_t, strlen(bad_t));
    feed_run(&ev, &n, 105, 200, BOOT_A);
    soak_eval_finish(&ev);
    assert_true(ev.res.bad_input);
    assert_int_equal(ev.res.invalid_lines, 3);
    assert_int_equal(ev.res.bad_list[0].lineno, 22);
    assert_string_equal(ev.res.bad_list[1].reason, "\"schema\" is not \"ptdiag.soak/1\"");
    assert_int_equal(ev.res.torn_lines, 0);

    /* garbage as the last line is not a torn sample either */
    soak_eval_init(&ev, &opts);
    n = 0;
    feed_run(&ev, &n, 0, 100, BOOT_A);
    feed_raw(&ev, &n, text, strlen(text));
    soak_eval_finish(&ev);
    assert_true(ev.res.bad_input);
    assert_int_equal(ev.res.torn_last_lineno, 0);
}

static void test_empty_has_no_verdict(void **state)
{
    struct soak_eval ev;
    unsigned long n = 0;

    soak_eval_init(&ev, &opts);
    feed_raw(&ev, &n, "", 0);
    feed_raw(&ev, &n, "   ", 3);
    soak_eval_finish(&ev);
    assert_int_equal(ev.res.verdict, SOAK_NO_VERDICT);
    assert_true(ev.res.bad_input);
}

static void test_stale_log_is_noted(void **state)
{
    struct soak_options late = opts;
    struct soak_eval ev;
    unsigned long n = 0;

    late.now = 1793520000 + 3 * 86400;
    soak_eval_init(&ev, &late);
    feed_run(&ev, &n, 0, 1440, BOOT_A);
    soak_eval_finish(&ev);
    assert_true(ev.res.stale);
    assert_int_equal(ev.res.since_last_s, 2 * 86400);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clean_14_days_is_production),
        cmocka_unit_test(test_one_sample_short_is_in_validation),
        cmocka_unit_test(test_xid_fails_and_is_counted_by_code),
        cmocka_unit_test(test_driver_state_error_fails),
        cmocka_unit_test(test_reboot_counted_not_penalised),
        cmocka_unit_test(test_gap_over_limit_restarts_the_clock),
        cmocka_unit_test(test_driver_missing_stops_the_clock),
        cmocka_unit_test(test_unreadable_kernel_log_proves_nothing),
        cmocka_unit_test(test_torn_last_line_ignored),
        cmocka_unit_test(test_torn_middle_reported_not_fatal),
        cmocka_unit_test(test_garbage_is_bad_input),
        cmocka_unit_test(test_empty_has_no_verdict),
        cmocka_unit_test(test_stale_log_is_noted),
        cmocka_unit_test(test_lost_encode_path_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

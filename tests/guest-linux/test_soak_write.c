/* SPDX-License-Identifier: MIT */
/* The shared soak writer: torn lines, last-good-line lookup, bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ptdiag/soak.h"

static char log_path[512];

static int setup(void **state)
{
    snprintf(log_path, sizeof(log_path), "%s/soak-write-%d.jsonl", PTDIAG_BINARY_DIR,
             (int)getpid());
    unlink(log_path);
    (void)state;
    return 0;
}

static int teardown(void **state)
{
    unlink(log_path);
    (void)state;
    return 0;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void raw_append(const char *text)
{
    FILE *f = fopen(log_path, "ab");

    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void append_seq(int seq)
{
    char line[128];
    struct ptd_error err;

    snprintf(line, sizeof(line), "{\"schema\":\"ptdiag.soak/1\",\"seq\":%d}", seq);
    assert_int_equal(ptd_soak_append(log_path, line, strlen(line), &err), 0);
}

static int last_seq(void)
{
    struct ptd_error err;
    cJSON *s = NULL;
    int r = ptd_soak_last_sample(log_path, &s, &err), seq;

    if (r == 0)
        return -1;
    assert_int_equal(r, 1);
    seq = cJSON_GetObjectItem(s, "seq")->valueint;
    cJSON_Delete(s);
    return seq;
}

static void test_absent_file(void **state)
{
    (void)state;
    assert_int_equal(last_seq(), -1);
}

static void test_append_and_read_back(void **state)
{
    char *text;

    (void)state;
    append_seq(1);
    append_seq(2);
    assert_int_equal(last_seq(), 2);
    text = slurp(log_path);
    assert_string_equal(text, "{\"schema\":\"ptdiag.soak/1\",\"seq\":1}\n"
                              "{\"schema\":\"ptdiag.soak/1\",\"seq\":2}\n");
    free(text);
}

/* A writer killed mid-line leaves a fragment without '\n': the reader steps over it and the
 * next append starts on a fresh line instead of gluing itself to the fragment. */
static void test_torn_tail(void **state)
{
    char *text;

    (void)state;
    append_seq(1);
    raw_append("{\"schema\":\"ptdiag.soak/1\",\"se");
    assert_int_equal(last_seq(), 1);
    append_seq(2);
    assert_int_equal(last_seq(), 2);
    text = slurp(log_path);
    assert_string_equal(text, "{\"schema\":\"ptdiag.soak/1\",\"seq\":1}\n"
                              "{\"schema\":\"ptdiag.soak/1\",\"se\n"
                              "{\"schema\":\"ptdiag.soak/1\",\"seq\":2}\n");
    free(text);
}

/* Complete JSON that only lost its '\n' is a good sample once the next append closes it. */
static void test_tail_missing_only_newline(void **state)
{
    (void)state;
    append_seq(1);
    raw_append("{\"schema\":\"ptdiag.soak/1\",\"seq\":7}");
    assert_int_equal(last_seq(), 7);
    append_seq(8);
    assert_int_equal(last_seq(), 8);
}

static void test_garbage_and_other_schemas_skipped(void **state)
{
    (void)state;
    append_seq(3);
    raw_append("not json at all\n{\"schema\":\"ptdiag.guest/1\"}\n[1,2]\n"
               "{\"schema\":\"ptdiag.soak/1\",\"seq\":4} trailing\n\n");
    assert_int_equal(last_seq(), 3);
}

/* A sample longer than the first read window (64 KiB) is still found whole. */
static void test_long_line(void **state)
{
    struct ptd_error err;
    size_t n = 200 * 1024;
    char *line = malloc(n + 64);
    int len;

    (void)state;
    assert_non_null(line);
    len = snprintf(line, 64, "{\"schema\":\"ptdiag.soak/1\",\"seq\":9,\"pad\":\"");
    memset(line + len, 'x', n);
    strcpy(line + len + n, "\"}");
    append_seq(8);
    assert_int_equal(ptd_soak_append(log_path, line, strlen(line), &err), 0);
    assert_int_equal(last_seq(), 9);
    free(line);
}

static void test_rejects_newline_and_bad_path(void **state)
{
    struct ptd_error err;

    (void)state;
    assert_int_equal(ptd_soak_append(log_path, "{}\n{}", 5, &err), -1);
    assert_non_null(strstr(err.text, "newline"));
    assert_int_equal(ptd_soak_append("/nonexistent-dir/soak.jsonl", "{}", 2, &err), -1);
    assert_non_null(strstr(err.text, "/nonexistent-dir/soak.jsonl"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_absent_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_append_and_read_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_torn_tail, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tail_missing_only_newline, setup, teardown),
        cmocka_unit_test_setup_teardown(test_garbage_and_other_schemas_skipped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rejects_newline_and_bad_path, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

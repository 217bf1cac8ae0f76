/* SPDX-License-Identifier: MIT */
/* Helper processes (qm, ptdiag-report): output capture, exit status, timeouts, spawn errors. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "vm_exec.h"

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_capture(void **state)
{
    char *argv[] = {"/bin/sh", "-c", "echo out; echo err >&2; exit 3", NULL};
    struct vm_exec_result res;

    (void)state;
    assert_int_equal(vm_exec_capture(argv, 10, 1 << 20, &res), 0);
    assert_int_equal(res.status, 3);
    assert_false(res.timed_out);
    assert_string_equal(res.out, "out\n");
    assert_string_equal(res.err, "err\n");
    vm_exec_result_free(&res);
}

static void test_truncation(void **state)
{
    char *argv[] = {"/bin/sh", "-c",
                    "i=0; while [ $i -lt 2000 ]; do echo 0123456789; "
                    "i=$((i+1)); done",
                    NULL};
    struct vm_exec_result res;

    (void)state;
    assert_int_equal(vm_exec_capture(argv, 10, 1000, &res), 0);
    assert_true(res.truncated);
    assert_int_equal(res.out_len, 1000);
    assert_int_equal(res.status, 0);
    vm_exec_result_free(&res);
}

static void test_timeout(void **state)
{
    /* the second case closes its output and keeps running */
    char *a[] = {"/bin/sh", "-c", "sleep 30", NULL};
    char *b[] = {"/bin/sh", "-c", "exec >&- 2>&-; sleep 30", NULL};
    char **cases[] = {a, b};
    struct vm_exec_result res;
    double t0;
    int i;

    (void)state;
    for (i = 0; i < 2; i++) {
        t0 = now_s();
        assert_int_equal(vm_exec_capture(cases[i], 1, 1 << 20, &res), 0);
        assert_true(res.timed_out);
        assert_true(now_s() - t0 < 5.0);
        assert_int_equal(res.status, 128 + 9);
        vm_exec_result_free(&res);
    }
}

static void test_spawn_error(void **state)
{
    char *argv[] = {"/nonexistent/qm", "showcmd", "100", NULL};
    struct vm_exec_result res;

    (void)state;
    assert_int_equal(vm_exec_capture(argv, 5, 1 << 20, &res), -1);
    assert_int_equal(res.spawn_errno, ENOENT);
}

static void test_qm_path(void **state)
{
    (void)state;
    setenv("PTDIAG_QM", "/bin/sh", 1);
    assert_string_equal(vm_exec_qm_path(), "/bin/sh");
    setenv("PTDIAG_QM", "/nonexistent/qm", 1);
    assert_null(vm_exec_qm_path());
    unsetenv("PTDIAG_QM");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_capture), cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_timeout), cmocka_unit_test(test_spawn_error),
        cmocka_unit_test(test_qm_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

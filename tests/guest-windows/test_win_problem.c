/* SPDX-License-Identifier: MIT */
/* Problem codes (catalogue §3.7) and DN_* status bits, with values CM_Get_DevNode_Status
 * returns on real systems. Built natively and, for the agent, with MinGW under Wine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "interp.h"

static void test_catalogue_codes(void **state)
{
    (void)state;
    assert_string_equal(ptw_problem_name(43), "CM_PROB_FAILED_POST_START");
    assert_string_equal(ptw_problem_name(12), "CM_PROB_NORMAL_CONFLICT");
    assert_string_equal(ptw_problem_name(28), "CM_PROB_FAILED_INSTALL");
    assert_string_equal(ptw_problem_name(31), "CM_PROB_FAILED_ADD");
    assert_string_equal(ptw_problem_name(10), "CM_PROB_FAILED_START");
    assert_string_equal(ptw_problem_name(22), "CM_PROB_DISABLED");
    assert_string_equal(ptw_problem_name(54), "CM_PROB_DEVICE_RESET");
    assert_string_equal(ptw_problem_name(1), "CM_PROB_NOT_CONFIGURED");
    assert_string_equal(ptw_problem_name(57), "CM_PROB_GUEST_ASSIGNMENT_FAILED");
    assert_non_null(strstr(ptw_problem_meaning(43), "Code 43"));
    assert_non_null(strstr(ptw_problem_meaning(12), "BAR"));
    assert_non_null(strstr(ptw_problem_meaning(28), "INF"));
    assert_non_null(ptw_problem_meaning(31));
    assert_non_null(ptw_problem_meaning(10));
}

static void test_no_problem_and_unknown(void **state)
{
    (void)state;
    assert_null(ptw_problem_name(0));
    assert_null(ptw_problem_meaning(0));
    assert_null(ptw_problem_name(58));
    assert_null(ptw_problem_name(0xFFFFFFFFu));
    assert_null(ptw_problem_meaning(58));
}

static void test_status_working_gpu(void **state)
{
    char buf[256];

    (void)state;
    /* A started GPU on a real Windows 11 guest: 0x0180600A. */
    assert_int_equal(ptw_status_flag_names(0x0180600Au, buf, sizeof(buf)), 6);
    assert_string_equal(buf, "DN_DRIVER_LOADED|DN_STARTED|DN_DISABLEABLE|DN_REMOVABLE|"
                             "DN_NT_ENUMERATOR|DN_NT_DRIVER");
}

static void test_status_code43(void **state)
{
    char buf[256];

    (void)state;
    /* Code 43: loaded but not started, with DN_HAS_PROBLEM. */
    assert_int_equal(ptw_status_flag_names(0x01806402u, buf, sizeof(buf)), 6);
    assert_non_null(strstr(buf, "DN_HAS_PROBLEM"));
    assert_null(strstr(buf, "DN_STARTED"));
}

static void test_status_wine_stub_and_truncation(void **state)
{
    char buf[12];

    (void)state;
    /* Wine's CM_Get_DevNode_Status stub returns status 0. */
    assert_int_equal(ptw_status_flag_names(0, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "");
    /* A short buffer truncates, never overflows. */
    assert_int_equal(ptw_status_flag_names(0x0000000Au, buf, sizeof(buf)), 2);
    assert_int_equal(strlen(buf), sizeof(buf) - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_catalogue_codes),
        cmocka_unit_test(test_no_problem_and_unknown),
        cmocka_unit_test(test_status_working_gpu),
        cmocka_unit_test(test_status_code43),
        cmocka_unit_test(test_status_wine_stub_and_truncation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* INF names, driver versions and the 32-bit memory-size trap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "interp.h"

static void test_inf_kind(void **state)
{
    (void)state;
    assert_string_equal(ptw_inf_kind("iigd_dch.inf"), "intel-igpu-dch");
    assert_string_equal(ptw_inf_kind("IIGD_DCH_D.INF"), "intel-discrete-dch");
    assert_string_equal(ptw_inf_kind("C:\\Windows\\System32\\DriverStore\\FileRepository\\"
                                     "iigd_dch_d.inf_amd64_0123456789abcdef\\iigd_dch_d.inf"),
                        "intel-discrete-dch");
    assert_null(ptw_inf_kind("nv_dispi.inf"));
    assert_null(ptw_inf_kind("u0398791.inf"));
    assert_null(ptw_inf_kind("iigd_dch_d.inf.bak"));
    assert_null(ptw_inf_kind("oem42.inf"));
    assert_null(ptw_inf_kind(NULL));
}

static void test_oem_copy(void **state)
{
    (void)state;
    assert_true(ptw_inf_is_oem_copy("oem42.inf"));
    assert_true(ptw_inf_is_oem_copy("C:\\Windows\\INF\\OEM7.INF"));
    assert_false(ptw_inf_is_oem_copy("oem.inf"));
    assert_false(ptw_inf_is_oem_copy("oemx2.inf"));
    assert_false(ptw_inf_is_oem_copy("display.inf"));
}

static void test_nvidia_versions(void **state)
{
    char buf[16];

    (void)state;
    assert_true(ptw_vendor_driver_version(0x10de, "31.0.15.3179", buf, sizeof(buf)));
    assert_string_equal(buf, "531.79");
    assert_true(ptw_vendor_driver_version(0x10de, "32.0.15.6094", buf, sizeof(buf)));
    assert_string_equal(buf, "560.94");
    assert_true(ptw_vendor_driver_version(0x10de, "27.21.14.5671", buf, sizeof(buf)));
    assert_string_equal(buf, "456.71");
    assert_true(ptw_vendor_driver_version(0x10de, "31.0.15.3623", buf, sizeof(buf)));
    assert_string_equal(buf, "536.23");
    /* Part 4 below 1000 is zero-padded: 30.0.15.1179 -> 511.79, 26.21.14.0420 (written 420). */
    assert_true(ptw_vendor_driver_version(0x10de, "30.0.15.1179", buf, sizeof(buf)));
    assert_string_equal(buf, "511.79");
    assert_true(ptw_vendor_driver_version(0x10de, "26.21.14.420", buf, sizeof(buf)));
    assert_string_equal(buf, "404.20");
}

static void test_intel_amd_versions(void **state)
{
    char buf[16];

    (void)state;
    assert_true(ptw_vendor_driver_version(0x8086, "31.0.101.4502", buf, sizeof(buf)));
    assert_string_equal(buf, "101.4502");
    assert_false(ptw_vendor_driver_version(0x8086, "27.20.100.9316x", buf, sizeof(buf)));
    /* AMD's Adrenalin number is not derivable from the Windows version. */
    assert_false(ptw_vendor_driver_version(0x1002, "31.0.21001.45002", buf, sizeof(buf)));
}

static void test_three_vs_four_parts(void **state)
{
    struct ptw_driver_version v;
    char buf[16];

    (void)state;
    assert_true(ptw_driver_version_parse("31.0.15.3179", &v));
    assert_int_equal(v.parts, 4);
    assert_int_equal(v.v[3], 3179);
    assert_true(ptw_driver_version_parse("10.0.19041", &v));
    assert_int_equal(v.parts, 3);
    /* A 3-part version cannot be turned into NVIDIA's number. */
    assert_false(ptw_nvidia_version(&v, buf, sizeof(buf)));
    assert_false(ptw_driver_version_parse("31.0", &v));
    assert_false(ptw_driver_version_parse("1.2.3.4.5", &v));
    assert_false(ptw_driver_version_parse("31..15.3179", &v));
    assert_false(ptw_driver_version_parse("70000.0.15.3179", &v));
    assert_false(ptw_driver_version_parse("31.0.15.3179 ", &v));
    assert_false(ptw_driver_version_parse("", &v));
    assert_false(ptw_driver_version_parse(NULL, &v));
    assert_int_equal(v.parts, 0);
}

static void test_wmi_2gb_trap(void **state)
{
    struct ptw_mem_size m;

    (void)state;
    /* What WMI AdapterRAM / MemorySize show for an RTX 3090 (24 GiB) and 8 GiB cards. */
    assert_true(ptw_mem32_is_clamped(4293918720u));
    assert_true(ptw_mem32_is_clamped(2147479552u));
    assert_false(ptw_mem32_is_clamped(2147483648u));
    assert_false(ptw_mem32_is_clamped(536870912u));
    assert_false(ptw_mem32_is_clamped(UINT64_C(25769803776)));

    ptw_pick_memory_size(true, UINT64_C(25769803776), true, 4293918720u, &m);
    assert_true(m.known);
    assert_true(m.bytes == UINT64_C(25769803776));
    assert_string_equal(m.source, "qwMemorySize");
    assert_false(m.clamped32);

    ptw_pick_memory_size(false, 0, true, 4293918720u, &m);
    assert_true(m.known && m.clamped32);
    assert_string_equal(m.source, "MemorySize");

    ptw_pick_memory_size(false, 0, true, 2147479552u, &m);
    assert_true(m.clamped32);

    ptw_pick_memory_size(false, 0, true, 268435456u, &m);
    assert_true(m.known);
    assert_false(m.clamped32);
    assert_true(m.bytes == 268435456u);

    ptw_pick_memory_size(false, 0, false, 0, &m);
    assert_false(m.known);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inf_kind),
        cmocka_unit_test(test_oem_copy),
        cmocka_unit_test(test_nvidia_versions),
        cmocka_unit_test(test_intel_amd_versions),
        cmocka_unit_test(test_three_vs_four_parts),
        cmocka_unit_test(test_wmi_2gb_trap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* Vulkan names and version decoding shared by both agents, with values real drivers report. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ptdiag/vkinfo.h"

static void test_versions(void **state)
{
    char buf[32];

    (void)state;
    ptd_vk_version_string((1u << 22) | (3u << 12) | 230u, buf, sizeof(buf)); /* lavapipe */
    assert_string_equal(buf, "1.3.230");
    /* NVIDIA 570.86.16 as the driver packs it: 10.8.8.6 bits */
    ptd_vk_driver_version_string(0x10de, (570u << 22) | (86u << 14) | (16u << 6), false, buf,
                                 sizeof(buf));
    assert_string_equal(buf, "570.86.16.0");
    /* Intel's Windows driver 101.6129 (18.14 bits); Mesa on Linux uses the API layout */
    ptd_vk_driver_version_string(0x8086, (101u << 14) | 6129u, true, buf, sizeof(buf));
    assert_string_equal(buf, "101.6129");
    ptd_vk_driver_version_string(0x8086, (24u << 22) | (2u << 12) | 8u, false, buf, sizeof(buf));
    assert_string_equal(buf, "24.2.8");
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(ptd_vk_device_type_name(2), "discrete");
    assert_string_equal(ptd_vk_device_type_name(4), "cpu");
    assert_string_equal(ptd_vk_device_type_name(99), "other");
    assert_string_equal(ptd_vk_driver_id_name(4), "NVIDIA_PROPRIETARY");
    assert_string_equal(ptd_vk_driver_id_name(13), "MESA_LLVMPIPE");
    assert_null(ptd_vk_driver_id_name(0));
    assert_null(ptd_vk_driver_id_name(1000));
    assert_string_equal(ptd_vk_result_name(-9), "VK_ERROR_INCOMPATIBLE_DRIVER");
    assert_string_equal(ptd_vk_result_name(-3), "VK_ERROR_INITIALIZATION_FAILED");
    assert_string_equal(ptd_vk_result_name(-12345), "VK_ERROR_UNKNOWN");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_versions),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

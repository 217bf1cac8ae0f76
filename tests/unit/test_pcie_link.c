/* SPDX-License-Identifier: MIT */
/*
 * The PCIe link rule shared by host and guest, over the strings drivers/pci/pci-sysfs.c
 * writes: "16.0 GT/s PCIe" (Linux 5.7+), "8 GT/s" (older), "Unknown" / "Unknown speed" for a
 * link without a defined rate, widths as the decimal LnkSta/LnkCap field (0 while down).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ptdiag/pcie_link.h"

static void test_gpu_link(void **state)
{
    struct ptd_pcie_link l;

    (void)state;
    /* An RTX 3090 idling at Gen1 in a Gen4 x16 slot, as read with the newline. */
    ptd_pcie_link_parse("2.5 GT/s PCIe\n", "16.0 GT/s PCIe\n", "16\n", "16\n", &l);
    assert_true(l.has_cur_speed && l.has_max_speed && l.has_cur_width && l.has_max_width);
    assert_true(l.cur_speed_gts == 2.5 && l.max_speed_gts == 16.0);
    assert_int_equal(l.cur_width, 16);
    assert_int_equal(l.max_width, 16);
    /* Before Linux 5.7: no " PCIe" suffix. */
    ptd_pcie_link_parse("8 GT/s", "8 GT/s", "8", "16", &l);
    assert_true(l.has_cur_speed && l.cur_speed_gts == 8.0 && l.cur_width == 8);
}

static void test_link_down_and_missing(void **state)
{
    struct ptd_pcie_link l;

    (void)state;
    /* A link that is down: the current values are unknown, the capability stays known. */
    ptd_pcie_link_parse("Unknown", "16.0 GT/s PCIe", "0", "16", &l);
    assert_false(l.has_cur_speed);
    assert_false(l.has_cur_width);
    assert_true(l.has_max_speed && l.has_max_width);
    ptd_pcie_link_parse("Unknown speed", NULL, NULL, "8", &l);
    assert_false(l.has_cur_speed || l.has_max_speed || l.has_cur_width);
    assert_true(l.has_max_width && l.max_width == 8);
    assert_true(ptd_pcie_link_any(&l));
    /* A conventional PCI function (QEMU's stdvga): no attribute at all. */
    ptd_pcie_link_parse(NULL, NULL, NULL, NULL, &l);
    assert_false(ptd_pcie_link_any(&l));
}

static void test_widths_are_the_pcie_set(void **state)
{
    static const char *const bad[] = {"3", "6", "33", "63", "64", "-1", "16x", "", " 16", "x16"};
    struct ptd_pcie_link l;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ptd_pcie_link_parse(NULL, NULL, bad[i], bad[i], &l);
        assert_false(l.has_cur_width);
        assert_false(l.has_max_width);
    }
    ptd_pcie_link_parse(NULL, NULL, "12", "32", &l);
    assert_true(l.has_cur_width && l.cur_width == 12 && l.has_max_width && l.max_width == 32);
    /* Rates: positive and followed by the unit. */
    ptd_pcie_link_parse("0 GT/s", "16.0", "1", "1", &l);
    assert_false(l.has_cur_speed || l.has_max_speed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gpu_link),
        cmocka_unit_test(test_link_down_and_missing),
        cmocka_unit_test(test_widths_are_the_pcie_set),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

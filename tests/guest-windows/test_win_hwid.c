/* SPDX-License-Identifier: MIT */
/* PnP PCI hardware ids as SetupAPI returns them (SPDRP_HARDWAREID / SPDRP_COMPATIBLEIDS). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "interp.h"

static void test_full_nvidia_id(void **state)
{
    struct ptw_pci_ids ids;

    (void)state;
    assert_true(ptw_parse_pci_id("PCI\\VEN_10DE&DEV_2204&SUBSYS_147D10DE&REV_A1", &ids));
    assert_int_equal(ids.vendor_id, 0x10de);
    assert_int_equal(ids.device_id, 0x2204);
    assert_true(ids.has_subsys);
    assert_int_equal(ids.subsys_vendor_id, 0x10de);
    assert_int_equal(ids.subsys_device_id, 0x147d);
    assert_true(ids.has_revision);
    assert_int_equal(ids.revision, 0xa1);
    assert_false(ids.has_class);
}

static void test_arc_lowercase_and_class(void **state)
{
    struct ptw_pci_ids ids;

    (void)state;
    assert_true(ptw_parse_pci_id("pci\\ven_8086&dev_56a0&subsys_10208086&rev_08", &ids));
    assert_int_equal(ids.vendor_id, 0x8086);
    assert_int_equal(ids.device_id, 0x56a0);
    assert_int_equal(ids.subsys_device_id, 0x1020);
    assert_int_equal(ids.revision, 0x08);
    assert_true(ptw_parse_pci_id("PCI\\VEN_1002&DEV_73BF&CC_030000", &ids));
    assert_true(ids.has_class);
    assert_int_equal(ids.class_code, 0x030000);
    assert_true(ptw_parse_pci_id("PCI\\VEN_1002&DEV_73BF&CC_0380", &ids));
    assert_int_equal(ids.class_code, 0x038000);
}

static void test_instance_id(void **state)
{
    struct ptw_pci_ids ids;

    (void)state;
    /* A device instance id carries a \<instance> tail. */
    assert_true(
        ptw_parse_pci_id("PCI\\VEN_10DE&DEV_2204&SUBSYS_147D10DE&REV_A1\\4&2B8F8E0&0&0008", &ids));
    assert_int_equal(ids.device_id, 0x2204);
    assert_int_equal(ids.revision, 0xa1);
}

static void test_not_pci(void **state)
{
    struct ptw_pci_ids ids;

    (void)state;
    assert_false(ptw_parse_pci_id("ROOT\\DISPLAY\\0000", &ids));
    assert_false(ids.valid);
    assert_false(ptw_parse_pci_id("PCI\\CC_0300", &ids));
    assert_false(ptw_parse_pci_id("PCI\\VEN_10D&DEV_2204", &ids));
    assert_false(ptw_parse_pci_id("PCI\\VEN_10DEX&DEV_2204", &ids));
    assert_false(ptw_parse_pci_id("USB\\VID_046D&PID_C52B", &ids));
    assert_false(ptw_parse_pci_id("", &ids));
    assert_false(ptw_parse_pci_id(NULL, &ids));
    /* Wine's own adapter: a valid PCI id with all-zero ids. */
    assert_true(ptw_parse_pci_id("PCI\\VEN_0000&DEV_0000&SUBSYS_00000000&REV_00", &ids));
    assert_int_equal(ids.vendor_id, 0);
}

static void test_merge(void **state)
{
    struct ptw_pci_ids acc = {0}, more;

    (void)state;
    ptw_parse_pci_id("PCI\\VEN_8086&DEV_56A0&SUBSYS_10208086&REV_08", &more);
    ptw_merge_pci_ids(&acc, &more);
    ptw_parse_pci_id("PCI\\VEN_8086&DEV_56A0&CC_030000", &more);
    ptw_merge_pci_ids(&acc, &more);
    assert_true(acc.valid);
    assert_true(acc.has_subsys && acc.has_revision && acc.has_class);
    assert_int_equal(acc.class_code, 0x030000);
    /* Another device's id never overwrites. */
    ptw_parse_pci_id("PCI\\VEN_10DE&DEV_2204&SUBSYS_147D10DE&REV_A1", &more);
    ptw_merge_pci_ids(&acc, &more);
    assert_int_equal(acc.vendor_id, 0x8086);
    assert_int_equal(acc.revision, 0x08);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_nvidia_id), cmocka_unit_test(test_arc_lowercase_and_class),
        cmocka_unit_test(test_instance_id),    cmocka_unit_test(test_not_pci),
        cmocka_unit_test(test_merge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

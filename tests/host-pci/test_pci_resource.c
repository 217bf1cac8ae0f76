/* SPDX-License-Identifier: MIT */
/* sysfs `resource` parser: a real RTX 3090 file, a real 17-line root port file, unassigned
 * BARs, broken files; and the
 * vendor-reset table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ptdiag/pci_resource.h"
#include "vendor_reset_db.h"

/* An unimplemented resource, as resource_show prints it. */
#define ZERO_LINE "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
/* Lines 7-12, the SR-IOV VF BARs, of a function without SR-IOV. */
#define NO_VF_BARS ZERO_LINE ZERO_LINE ZERO_LINE ZERO_LINE ZERO_LINE ZERO_LINE

/* /sys/bus/pci/devices/0000:01:00.0/resource of an RTX 3090 (x86_64: 13 lines). */
/* clang-format off */
static const char rtx3090[] =
    "0x00000000fb000000 0x00000000fbffffff 0x0000000000040200\n"
    "0x0000006000000000 0x000000600fffffff 0x000000000014220c\n"
    ZERO_LINE
    "0x0000006010000000 0x0000006011ffffff 0x000000000014220c\n"
    ZERO_LINE
    "0x000000000000e000 0x000000000000e07f 0x0000000000040101\n"
    "0x00000000fc000000 0x00000000fc07ffff 0x0000000000046200\n"
    NO_VF_BARS;
/* clang-format on */

/* Parses a file that must be valid and have `lines` lines. */
static void parse_ok(const char *text, unsigned lines, struct pci_res *r)
{
    struct ptd_error err;

    assert_int_equal(pci_res_parse(text, strlen(text), r, &err), 0);
    assert_int_equal(r->count, lines);
}

static void test_rtx3090(void **state)
{
    struct pci_res r;
    struct pci_bar b;

    (void)state;
    parse_ok(rtx3090, 13, &r);
    assert_true(pci_res_bar(&r, 0, &b));
    assert_true(b.start == 0xfb000000u && b.size_bytes == 16u << 20);
    assert_false(b.is_64bit || b.prefetchable || b.is_io);
    assert_true(b.assigned);
    assert_true(pci_res_bar(&r, 1, &b));
    assert_true(b.size_bytes == 256u << 20 && b.is_64bit && b.prefetchable && b.assigned);
    assert_false(pci_res_bar(&r, 2, &b)); /* upper half of BAR 1 */
    assert_true(pci_res_bar(&r, 5, &b));
    assert_true(b.is_io && b.size_bytes == 128);
    assert_true(pci_res_bar(&r, PCI_RES_ROM, &b));
    assert_true(b.size_bytes == 512u * 1024);
    assert_false(pci_res_bar(&r, 12, &b));
    assert_false(pci_res_bar(&r, 13, &b));
}

/* /sys/bus/pci/devices/0000:00:08.1/resource of an AMD root port [1022:14eb], as recorded
 * from real hardware by umockdev in fwupd's pci_psp test (plugins/pci-psp/tests, fwupd/fwupd on
 * GitHub): 17 lines, the bridge windows in lines 13-16. */
/* clang-format off */
static const char amd_root_port[] =
    NO_VF_BARS
    ZERO_LINE
    ZERO_LINE
    ZERO_LINE
    ZERO_LINE
    ZERO_LINE
    ZERO_LINE
    ZERO_LINE
    "0x0000000000001000 0x0000000000001fff 0x0000000000000101\n"
    "0x0000000090000000 0x00000000905fffff 0x0000000000000200\n"
    "0x0000007800000000 0x00000078107fffff 0x0000000000102201\n"
    ZERO_LINE;
/* clang-format on */

static void test_bridge_17_lines(void **state)
{
    struct pci_res r;
    struct pci_bar b;

    (void)state;
    parse_ok(amd_root_port, 17, &r);
    assert_false(pci_res_bar(&r, 0, &b));
    assert_true(pci_res_bar(&r, PCI_RES_BRIDGE_WINDOW, &b)); /* I/O window */
    assert_true(b.is_io && b.start == 0x1000 && b.size_bytes == 0x1000);
    assert_true(pci_res_bar(&r, PCI_RES_BRIDGE_WINDOW + 1, &b)); /* memory window */
    assert_true(!b.is_io && !b.prefetchable && !b.is_64bit && b.start == 0x90000000u);
    assert_true(b.size_bytes == 6u << 20);
    assert_true(pci_res_bar(&r, PCI_RES_BRIDGE_WINDOW + 2, &b)); /* prefetchable, above 4 GiB */
    assert_true(b.prefetchable && b.is_64bit && b.assigned && b.start == 0x7800000000ull);
    assert_true(b.start + b.size_bytes - 1 == 0x78107fffffull);
    assert_false(pci_res_bar(&r, PCI_RES_BRIDGE_WINDOW + 3, &b));
}

static void test_unassigned(void **state)
{
    /* Above 4G decoding off: the kernel keeps the size, marks the BAR IORESOURCE_UNSET. */
    static const char text[] = "0x00000000fb000000 0x00000000fbffffff 0x0000000000040200\n"
                               "0x0000000000000000 0x000000000fffffff 0x000000002014220c\n";
    struct pci_res r;
    struct pci_bar b;
    struct ptd_error err;

    (void)state;
    assert_int_equal(pci_res_parse(text, strlen(text), &r, &err), 0);
    assert_int_equal(r.count, 2);
    assert_true(pci_res_bar(&r, 1, &b));
    assert_true(b.size_bytes == 256u << 20);
    assert_false(b.assigned);
}

/* The flag, not the address, says a BAR is unassigned. IORESOURCE_UNSET (0x20000000 in
 * include/linux/ioport.h, "no address assigned yet") is set by pci_assign_resource before it
 * tries and stays set when it fails, whatever the start held; the kernel's own %pR prints
 * such a resource as "[mem size ...]", without its start. BAR 3 carries IORESOURCE_DISABLED
 * (0x10000000) alone: not assigned either. */
static void test_unset_flag_with_start(void **state)
{
    static const char text[] = "0x00000000fb000000 0x00000000fbffffff 0x0000000000040200\n"
                               "0x0000006000000000 0x000000600fffffff 0x000000002014220c\n"
                               "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
                               "0x0000006010000000 0x0000006011ffffff 0x000000001014220c\n";
    struct pci_res r;
    struct pci_bar b;
    struct ptd_error err;

    (void)state;
    assert_int_equal(pci_res_parse(text, strlen(text), &r, &err), 0);
    assert_true(pci_res_bar(&r, 1, &b));
    assert_true(b.start == 0x6000000000u && b.size_bytes == 256u << 20 && b.is_64bit);
    assert_false(b.assigned);
    assert_true(pci_res_bar(&r, 3, &b));
    assert_true(b.size_bytes == 32u << 20);
    assert_false(b.assigned);
    assert_true(pci_res_bar(&r, 0, &b));
    assert_true(b.assigned);
}

static void test_broken(void **state)
{
    struct pci_res r;
    struct ptd_error err;
    char many[2048] = "";
    int i;

    (void)state;
    assert_int_equal(pci_res_parse("", 0, &r, &err), -1);
    assert_non_null(strstr(err.text, "empty"));
    assert_int_equal(pci_res_parse("0xfb000000 0xfbffffff\n", 22, &r, &err), -1);
    assert_non_null(strstr(err.text, "line 1"));
    assert_int_equal(pci_res_parse("0x0 0x0 0x0\nfb000000 fbffffff 200\n", 34, &r, &err), -1);
    assert_non_null(strstr(err.text, "line 2"));
    assert_int_equal(pci_res_parse("0x2000 0x1000 0x200\n", 20, &r, &err), -1);
    assert_non_null(strstr(err.text, "end below start"));
    assert_int_equal(pci_res_parse("0x0 0x0 0x0 junk\n", 17, &r, &err), -1);
    assert_int_equal(pci_res_parse("0x10000000000000000 0x0 0x0\n", 28, &r, &err), -1);
    for (i = 0; i < 18; i++)
        strcat(many, "0x0 0x0 0x0\n");
    assert_int_equal(pci_res_parse(many, strlen(many), &r, &err), -1);
    assert_non_null(strstr(err.text, "more than 17"));
    /* A file without the trailing newline is still fine. */
    assert_int_equal(pci_res_parse("0x1000 0x1fff 0x200", 19, &r, &err), 0);
}

static void test_vendor_reset(void **state)
{
    const struct vendor_reset_entry *e;

    (void)state;
    e = vendor_reset_lookup(0x1002, 0x731f); /* Navi 10: RX 5600 XT / 5700 (XT) */
    assert_non_null(e);
    assert_string_equal(e->family, "navi10");
    assert_string_equal(e->reset_op, "navi10");
    e = vendor_reset_lookup(0x1002, 0x67df); /* Polaris 10: RX 480/580 */
    assert_non_null(e);
    assert_string_equal(e->reset_op, "polaris10");
    e = vendor_reset_lookup(0x1002, 0x7340); /* Navi 14 uses the Navi 10 strategy */
    assert_string_equal(e->family, "navi14");
    assert_string_equal(e->reset_op, "navi10");
    e = vendor_reset_lookup(0x1002, 0x164c); /* listed twice upstream: the first entry wins */
    assert_string_equal(e->family, "vega20");
    e = vendor_reset_lookup(0x1002, 0x738c);
    assert_string_equal(e->reset_op, "vega20");
    assert_non_null(vendor_reset_lookup(0x1002, 0x73ff));
    assert_null(vendor_reset_lookup(0x1002, 0x73df)); /* Navi 22: not supported */
    assert_null(vendor_reset_lookup(0x1002, 0x744c)); /* Navi 31 */
    assert_null(vendor_reset_lookup(0x10de, 0x731f)); /* right id, wrong vendor */
    assert_int_equal(vendor_reset_count(), 76);       /* catalogue §3.6 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rtx3090),    cmocka_unit_test(test_bridge_17_lines),
        cmocka_unit_test(test_unassigned), cmocka_unit_test(test_unset_flag_with_start),
        cmocka_unit_test(test_broken),     cmocka_unit_test(test_vendor_reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

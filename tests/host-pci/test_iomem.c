/* SPDX-License-Identifier: MIT */
/* /proc/iomem parser: real layouts (root and unprivileged views) and broken input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "iomem.h"

/* Excerpt of a real Proxmox host's /proc/iomem (root), RTX 3090 with the EFI framebuffer. */
static const char root_view[] = "00000000-00000fff : Reserved\n"
                                "00001000-0009ffff : System RAM\n"
                                "000a0000-000fffff : Reserved\n"
                                "  000a0000-000bffff : PCI Bus 0000:00\n"
                                "80000000-fdffffff : PCI Bus 0000:00\n"
                                "  fb000000-fc0fffff : PCI Bus 0000:01\n"
                                "    fb000000-fbffffff : 0000:01:00.0\n"
                                "      fb000000-fbffffff : vfio-pci\n"
                                "4000000000-7fffffffff : PCI Bus 0000:00\n"
                                "  6000000000-6011ffffff : PCI Bus 0000:01\n"
                                "    6000000000-600fffffff : 0000:01:00.0\n"
                                "      6000000000-60007e8fff : BOOTFB\n"
                                "    6010000000-6011ffffff : 0000:01:00.0\n";

static void test_root_view(void **state)
{
    struct iomem_map m;
    struct ptd_error err;
    size_t i;
    int found = 0;

    (void)state;
    assert_int_equal(iomem_parse(root_view, strlen(root_view), &m, &err), 0);
    assert_int_equal(m.count, 13);
    assert_false(m.addresses_hidden);
    assert_int_equal(m.bad_lines, 0);
    assert_int_equal(m.ranges[3].depth, 1);
    assert_int_equal(m.ranges[7].depth, 3);
    assert_string_equal(m.ranges[7].name, "vfio-pci");
    for (i = 0; i < m.count; i++) {
        if (iomem_is_boot_framebuffer(m.ranges[i].name)) {
            found++;
            assert_true(m.ranges[i].start == 0x6000000000ull);
            assert_true(m.ranges[i].end == 0x60007e8fffull);
            assert_int_equal(m.ranges[i].depth, 3);
        }
    }
    assert_int_equal(found, 1);
    iomem_map_free(&m);
}

static void test_unprivileged_view(void **state)
{
    static const char text[] = "00000000-00000000 : Reserved\n"
                               "00000000-00000000 : System RAM\n"
                               "  00000000-00000000 : BOOTFB\n";
    struct iomem_map m;
    struct ptd_error err;

    (void)state;
    assert_int_equal(iomem_parse(text, strlen(text), &m, &err), 0);
    assert_int_equal(m.count, 3);
    assert_true(m.addresses_hidden);
    iomem_map_free(&m);
}

static void test_broken_lines(void **state)
{
    /* No newline at the end, a garbage line, end below start, a 17-digit address, a line
     * without the " : " separator, CRLF endings, and an empty file. */
    static const char text[] = "00001000-0009ffff : System RAM\r\n"
                               "fee01000-fee0zzzz : garbage\n"
                               "\n"
                               "00002000-00001000 : backwards\n"
                               "10000000000000000-1ffffffffffffffff : too wide\n"
                               "00003000-00003fff System RAM\n"
                               "  efifb\n"
                               "fd000000-fdffffff : efifb";
    struct iomem_map m;
    struct ptd_error err;

    (void)state;
    assert_int_equal(iomem_parse(text, strlen(text), &m, &err), 0);
    assert_int_equal(m.count, 2);
    assert_string_equal(m.ranges[0].name, "System RAM");
    assert_string_equal(m.ranges[1].name, "efifb");
    assert_true(m.ranges[1].end == 0xfdffffffu);
    assert_int_equal(m.bad_lines, 5);
    assert_int_equal(m.first_bad_line, 2);
    iomem_map_free(&m);

    assert_int_equal(iomem_parse("", 0, &m, &err), 0);
    assert_int_equal(m.count, 0);
    assert_false(m.addresses_hidden);
    iomem_map_free(&m);
}

static void test_framebuffer_names(void **state)
{
    (void)state;
    assert_true(iomem_is_boot_framebuffer("BOOTFB"));
    assert_true(iomem_is_boot_framebuffer("efifb"));
    assert_true(iomem_is_boot_framebuffer("simplefb"));
    assert_true(iomem_is_boot_framebuffer("vesafb"));
    assert_false(iomem_is_boot_framebuffer("vfio-pci"));
    assert_false(iomem_is_boot_framebuffer("0000:01:00.0"));
    assert_false(iomem_is_boot_framebuffer("bootfb"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_root_view),
        cmocka_unit_test(test_unprivileged_view),
        cmocka_unit_test(test_broken_lines),
        cmocka_unit_test(test_framebuffer_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/*
 * --redact: what host_redact_text() removes (host names, MACs, IPv4/IPv6 addresses, UUIDs,
 * ESP volume ids, serial numbers) and, as important, what it must leave alone (PCI
 * addresses, kernel versions, times, paths that merely contain the host name).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* snapshot.c */
char *host_redact_text(const char *text, size_t len, const char *hostname, size_t *outlen);

static void check(const char *in, const char *host, const char *want)
{
    size_t len = 0;
    char *out = host_redact_text(in, strlen(in), host, &len);

    assert_non_null(out);
    assert_string_equal(out, want);
    assert_int_equal(len, strlen(want));
    free(out);
}

static void test_removes_identifiers(void **state)
{
    (void)state;
    check("root=UUID=0f6a1d2e-3b4c-4d5e-8f90-a1b2c3d4e5f6 ro", NULL, "root=UUID=[uuid] ro");
    check("link/ether 3c:ec:ef:12:34:56 brd ff:ff:ff:ff:ff:ff", NULL, "link/ether [mac] brd [mac]");
    check("MAC 3C-EC-EF-12-34-56.", NULL, "MAC [mac].");
    check("ring0_addr: 192.168.10.21\n", NULL, "ring0_addr: [ipv4]\n");
    check("addr fe80::3eec:efff:fe12:3456/64 and ::1 and 2001:db8:0:0:1:0:0:1", NULL,
          "addr [ipv6]/64 and [ipv6] and [ipv6]");
    check("5A3B-1C2D\n5A3B-9F0E\n", NULL, "[uuid]\n[uuid]\n");
    check("Serial Number: PHLJ912001ABC, serial=XYZ123 serial_no = 77", NULL,
          "Serial Number: [serial], serial=[serial] serial_no = [serial]");
    check("name: pve1\nPVE1.example.com pve1\n", "pve1",
          "name: [node-1]\n[node-1].example.com [node-1]\n");
}

static void test_keeps_what_is_not_an_identifier(void **state)
{
    (void)state;
    /* PCI addresses, BDF short forms, versions, times, sizes */
    check("vfio-pci 0000:01:00.0: BAR 1 [mem 0xc0000000-0xcfffffff 64bit pref]", NULL,
          "vfio-pci 0000:01:00.0: BAR 1 [mem 0xc0000000-0xcfffffff 64bit pref]");
    check("Request device [01:00.0] at 20:00:01 on 2024-11-21", NULL,
          "Request device [01:00.0] at 20:00:01 on 2024-11-21");
    check("Linux version 6.8.12-4-pve gcc 12.2.0 driver 550.54.14.1", NULL,
          "Linux version 6.8.12-4-pve gcc 12.2.0 driver 550.54.14.1");
    check("std::string a::b", NULL, "std::string a::b");
    check("ids=10de:2204,10de:1aef", NULL, "ids=10de:2204,10de:1aef");
    /* the host name inside other words and paths stays */
    check("6.8.12-4-pve /etc/pve/nodes pve-root", "pve", "6.8.12-4-pve /etc/pve/nodes pve-root");
    check("serial port ttyS0", NULL, "serial port ttyS0");
    /* a one-letter host name is not used */
    check("a b c", "a", "a b c");
}

static void test_binary_safe_lengths(void **state)
{
    static const char in[] = "x\0"
                             "192.168.1.1"
                             "\0y";
    size_t len = 0;
    char *out;

    (void)state;
    out = host_redact_text(in, sizeof(in) - 1, NULL, &len);
    assert_non_null(out);
    assert_int_equal(len, 1 + 1 + 6 + 1 + 1);
    assert_memory_equal(out, "x\0[ipv4]\0y", len);
    free(out);
    out = host_redact_text("", 0, "host", &len);
    assert_non_null(out);
    assert_int_equal(len, 0);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_removes_identifiers),
        cmocka_unit_test(test_keeps_what_is_not_an_identifier),
        cmocka_unit_test(test_binary_safe_lengths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

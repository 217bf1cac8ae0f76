/* SPDX-License-Identifier: MIT */
/*
 * The inputs the -cpu depends on outside the VM config: the installed pve-qemu-kvm from dpkg's
 * status file, the machine version qemu-server gates on (Machine.pm get_vm_machine,
 * extract_version), and /run/qemu-server/pci-id-reservations in qemu-server's text format.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ptdiag/doc.h"

#include "dpkg_status.h"
#include "pve_mapping.h"
#include "pve_reservations.h"
#include "vm_cpu_version.h"

/* Stanzas as dpkg writes them (deb-control(5)): multi-line Description, Conffiles. */
static const char status[] = "Package: pve-qemu-kvm-dbgsym\n"
                             "Status: install ok installed\n"
                             "Version: 10.1.2-1\n"
                             "\n"
                             "Package: pve-qemu-kvm\n"
                             "Status: deinstall ok config-files\n"
                             "Version: 9.2.0-5\n"
                             "\n"
                             "Package: qemu-server\n"
                             "Status: install ok installed\n"
                             "Priority: optional\n"
                             "Section: admin\n"
                             "Maintainer: Proxmox Support Team <support@proxmox.com>\n"
                             "Architecture: amd64\n"
                             "Version: 9.0.22\n"
                             "Description: Qemu Server Tools\n"
                             " This package contains the Qemu Server tools used by Proxmox VE\n"
                             "\n"
                             "Package: pve-qemu-kvm\n"
                             "Status: install ok installed\n"
                             "Priority: optional\n"
                             "Section: admin\n"
                             "Installed-Size: 70155\n"
                             "Maintainer: Proxmox Support Team <support@proxmox.com>\n"
                             "Architecture: amd64\n"
                             "Version: 10.1.2-1\n"
                             "Provides: qemu-system-arm, qemu-system-x86, qemu-utils\n"
                             "Description: Full virtualization on x86 hardware\n"
                             " Using KVM, QEMU can emulate a full system.\n"
                             "Homepage: https://www.qemu.org/";

static void test_dpkg(void **state)
{
    struct ptd_error err;
    char *v = NULL;

    (void)state;
    /* the installed stanza, not the removed one nor the -dbgsym package; last stanza without
     * a trailing newline */
    assert_int_equal(
        dpkg_installed_version("status", status, strlen(status), "pve-qemu-kvm", &v, &err), 1);
    assert_string_equal(v, "10.1.2-1");
    free(v);
    assert_int_equal(
        dpkg_installed_version("status", status, strlen(status), "qemu-server", &v, &err), 1);
    assert_string_equal(v, "9.0.22");
    free(v);
    assert_int_equal(dpkg_installed_version("status", status, 200, "pve-qemu-kvm", &v, &err), 0);
    assert_null(v);
    assert_int_equal(dpkg_installed_version("status", "", 0, "pve-qemu-kvm", &v, &err), 0);
    /* not a dpkg database, a malformed version: an error naming the file */
    assert_int_equal(
        dpkg_installed_version("/var/lib/dpkg/status", "{\"a\":1}\n", 8, "pve-qemu-kvm", &v, &err),
        -1);
    assert_non_null(strstr(err.text, "/var/lib/dpkg/status"));
    {
        static const char bad[] = "Package: pve-qemu-kvm\nStatus: install ok installed\n"
                                  "Version: 10.1 $(reboot)\n";
        assert_int_equal(
            dpkg_installed_version("status", bad, strlen(bad), "pve-qemu-kvm", &v, &err), -1);
        assert_non_null(strstr(err.text, "Version"));
    }
    {
        static const char nul[] = "Package: pve-qemu-kvm\nStatus: install ok installed\0\n";
        assert_int_equal(
            dpkg_installed_version("status", nul, sizeof(nul) - 1, "pve-qemu-kvm", &v, &err), -1);
    }
}

static void test_versions(void **state)
{
    struct vm_version v, q;
    bool pinned;

    (void)state;
    assert_true(vm_version_parse("10.1.2-1", &v));
    assert_int_equal(v.major, 10);
    assert_int_equal(v.minor, 1);
    assert_false(vm_version_parse("10", &v));
    assert_false(vm_version_parse("99999.1", &v));
    assert_true(vm_version_of_machine("pc-q35-11.0+pve2", &v));
    assert_int_equal(v.pve, 2);
    assert_true(vm_version_of_machine("pc-i440fx-5.1.pxe", &v));
    assert_int_equal(v.minor, 1);
    assert_false(vm_version_of_machine("q35", &v));
    assert_true(vm_version_at_least(&(struct vm_version){11, 0, 2}, 11, 0, 2));
    assert_false(vm_version_at_least(&(struct vm_version){11, 0, 0}, 11, 0, 2));
    assert_true(vm_version_at_least(&(struct vm_version){11, 1, 0}, 11, 0, 2));
    assert_int_equal(vm_version_pve_highest(11, 0), 2);
    assert_int_equal(vm_version_pve_highest(8, 1), 0);
    assert_int_equal(vm_windows_version("win11"), 11);
    assert_int_equal(vm_windows_version("win11x"), 0);
    assert_int_equal(vm_windows_version("w2k8"), 6);
    assert_int_equal(vm_windows_version("l26"), 0);

    q = (struct vm_version){11, 0, 0};
    /* unpinned Linux: the installed QEMU's machine with its newest +pve */
    assert_true(vm_machine_version("q35", "l26", NULL, &q, &v, &pinned));
    assert_false(pinned);
    assert_true(v.major == 11 && v.minor == 0 && v.pve == 2);
    /* unpinned Windows: meta creation-qemu from 9.1, else 5.1 */
    assert_true(
        vm_machine_version(NULL, "win11", "creation-qemu=9.2.0,ctime=1741179133", &q, &v, &pinned));
    assert_true(pinned && v.major == 9 && v.minor == 2 && v.pve == 0);
    assert_true(vm_machine_version("pc", "win10", "creation-qemu=8.1.5,ctime=1", &q, &v, &pinned));
    assert_true(v.major == 5 && v.minor == 1);
    /* a QEMU too old for the creation version: its own newest machine */
    q = (struct vm_version){9, 0, 0};
    assert_true(vm_machine_version("q35", "win11", "creation-qemu=9.2.0", &q, &v, &pinned));
    assert_true(v.major == 9 && v.minor == 0);
    /* pinned machines keep their version; unknown QEMU and unpinned Linux: unknown */
    assert_true(vm_machine_version("pc-q35-8.1", "win11", NULL, NULL, &v, &pinned));
    assert_true(!pinned && v.major == 8 && v.minor == 1 && v.pve == 0);
    assert_false(vm_machine_version(NULL, "l26", NULL, NULL, &v, &pinned));
}

static void test_reservations(void **state)
{
    /* $write_pci_reservation_unlocked: sorted IDs, "pid:" once started, "time:" while starting;
     * IDs as the hostpci named them (with or without domain) */
    static const char text[] = "0000:01:00.0 100 pid:4242\n"
                               "0000:01:00.1 100 pid:4242\n"
                               "02:00.0 105 time:1764936425\n"
                               "0000:03:00.0 abc pid:1\n"
                               "0000:04:00.0 100 pid:99999999999\n"
                               "0000:05:00.0 100 boot:1\n"
                               "{\"0000:06:00.0\":{\"vmid\":100}}\n";
    char **problems = NULL;
    size_t np = 0;
    cJSON *arr;

    (void)state;
    arr = pve_reservations_parse("/run/qemu-server/pci-id-reservations", text, strlen(text),
                                 &problems, &np);
    assert_non_null(arr);
    assert_int_equal(cJSON_GetArraySize(arr), 3);
    assert_string_equal(ptd_json_get_str(arr, "0.bdf"), "0000:01:00.0");
    assert_int_equal((int)ptd_json_get_num(arr, "0.vmid", -1), 100);
    assert_int_equal((int)ptd_json_get_num(arr, "0.pid", -1), 4242);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 0), "expires_at")));
    assert_string_equal(ptd_json_get_str(arr, "2.bdf"), "0000:02:00.0");
    assert_int_equal((long long)ptd_json_get_num(arr, "2.expires_at", -1), 1764936425LL);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 2), "pid")));
    /* each skipped line named with file and line */
    assert_int_equal(np, 4);
    assert_non_null(strstr(problems[0], "/run/qemu-server/pci-id-reservations:4:"));
    assert_non_null(strstr(problems[1], ":5:"));
    assert_non_null(strstr(problems[3], ":7:"));
    pve_problems_free(problems, np);
    cJSON_Delete(arr);
    /* empty file: no reservations */
    problems = NULL;
    np = 0;
    arr = pve_reservations_parse("r", "", 0, &problems, &np);
    assert_int_equal(cJSON_GetArraySize(arr), 0);
    assert_int_equal(np, 0);
    cJSON_Delete(arr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dpkg),
        cmocka_unit_test(test_versions),
        cmocka_unit_test(test_reservations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

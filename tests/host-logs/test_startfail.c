/* SPDX-License-Identifier: MIT */
/* The start-failure parsers: the message classifier against the format strings of QEMU,
 * qemu-server and pve-common (the real messages of public threads are in messages.json, run by
 * test_host_logs.py), UPIDs and task list lines as pve-common writes and decodes them, and the
 * journal export format reader on good and broken input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>

#include "journal.h"
#include "redact_map.h"
#include "upid.h"

#include "ptdiag/startfail.h"

static void expect_kind(const char *msg, enum ptd_start_kind kind, const char *device, long code)
{
    struct ptd_start_event ev;

    assert_true(ptd_start_classify(msg, &ev));
    assert_string_equal(ptd_start_kind_name(ev.kind), ptd_start_kind_name(kind));
    assert_string_equal(ev.device, device);
    assert_int_equal(ev.code, code);
}

/* qemu-server PVE/QemuServer/PCI.pm and PCI/Mdev.pm die messages, pve-common's timeout */
static void test_qemu_server_strings(void **state)
{
    struct ptd_start_event ev;

    (void)state;
    expect_kind("TASK ERROR: PCI device '0000:01:00.0' already in use by VMID '101'",
                PTD_START_DEVICE_IN_USE, "0000:01:00.0", PTD_KMSG_NO_CODE);
    assert_true(ptd_start_classify("PCI device '0000:01:00.0' is currently reserved for use by "
                                   "VMID '101'",
                                   &ev));
    assert_string_equal(ev.detail, "101");
    expect_kind("can't unbind/bind PCI group to VFIO '0000:01:00.0'", PTD_START_HOST_DRIVER_BOUND,
                "0000:01:00.0", PTD_KMSG_NO_CODE);
    expect_kind("failed to reset PCI device '0000:01:00.0', but trying to continue as not all "
                "devices need a reset",
                PTD_START_RESET_FAILED, "0000:01:00.0", PTD_KMSG_NO_CODE);
    expect_kind("TASK ERROR: can't reset PCI device '0000:01:00.0'", PTD_START_RESET_FAILED,
                "0000:01:00.0", PTD_KMSG_NO_CODE);
    expect_kind("error writing '1' to '/sys/bus/pci/devices/0000:03:00.0/reset': Inappropriate "
                "ioctl for device",
                PTD_START_RESET_FAILED, "0000:03:00.0", PTD_KMSG_NO_CODE);
    expect_kind("TASK ERROR: start failed: command '/usr/bin/kvm -id 100 -name win' failed: got "
                "timeout",
                PTD_START_QMP_TIMEOUT, "", PTD_KMSG_NO_CODE);
    /* PVE::QMPClient: a QMP socket that did not answer, marked for the start-window check */
    assert_true(ptd_start_classify("VM 100 qmp command 'query-status' failed - unable to connect "
                                   "to VM 100 qmp socket - timeout after 31 retries",
                                   &ev));
    assert_int_equal(ev.kind, PTD_START_QMP_TIMEOUT);
    assert_string_equal(ev.detail, PTD_START_QMP_SOCKET_DETAIL);
    assert_true(ptd_start_classify("pci device '0000:01:00.0' has no available instances of "
                                   "'nvidia-47'",
                                   &ev));
    assert_int_equal(ev.kind, PTD_START_MDEV_UNAVAILABLE);
    assert_string_equal(ev.detail, "nvidia-47");
    expect_kind("kvm: vfio: Cannot reset device 0000:01:00.1, depends on group 14 which is not "
                "owned.",
                PTD_START_RESET_UNAVAILABLE, "0000:01:00.1", 14);
    expect_kind("kvm: VFIO_MAP_DMA failed: Cannot allocate memory", PTD_START_DMA_MAP_ENOMEM, "",
                -12);
    expect_kind("kvm: vfio_dma_map(0x55, 0x0, 0x80000000, 0x7f) = -12 (Cannot allocate memory)",
                PTD_START_DMA_MAP_ENOMEM, "", -12);
    /* older Proxmox -device arguments give the host address without its domain */
    expect_kind("kvm: -device vfio-pci,host=01:00.0,id=hostpci0: vfio error: 0000:01:00.0: group "
                "1 is not viable",
                PTD_START_GROUP_NOT_VIABLE, "0000:01:00.0", 1);
    expect_kind("TASK ERROR: start failed: QEMU exited with code 1", PTD_START_TASK_ERROR, "",
                PTD_KMSG_NO_CODE);
    /* QEMU hw/pci/pci.c, the newer form with ",id=%s": the holder's name alone is the detail */
    assert_true(ptd_start_classify("kvm: -device vfio-pci,host=0000:00:02.0,addr=0x02,"
                                   "legacy-igd=1: PCI: slot 2 function 0 not available for "
                                   "vfio-pci, in use by VGA,id=vga",
                                   &ev));
    assert_int_equal(ev.kind, PTD_START_SLOT_IN_USE);
    assert_string_equal(ev.device, "0000:00:02.0");
    assert_string_equal(ev.detail, "VGA");
}

static void test_not_start_failures(void **state)
{
    struct ptd_start_event ev;
    static const char *const quiet[] = {
        "TASK OK",
        "kvm: warning: host doesn't support requested feature: CPUID.80000001H:ECX.cmp-legacy",
        "swtpm_setup: Not overwriting existing state file.",
        "VM quit/powerdown failed - got timeout",            /* a stop, not a start */
        "error getting device from group 3: No such device", /* not a mediated device */
        "VFIO_MAP_DMA failed: Operation not permitted",
        "",
        NULL};
    size_t i;

    (void)state;
    for (i = 0; quiet[i]; i++)
        assert_false(ptd_start_classify(quiet[i], &ev));
    assert_false(ptd_start_classify(NULL, &ev));
}

static void test_kmsg_mapping(void **state)
{
    struct ptd_kmsg_event k;
    struct ptd_start_event ev;

    (void)state;
    assert_true(
        ptd_kmsg_classify("vfio-pci 0000:0a:00.0: not ready 65535ms after FLR; giving up", &k));
    assert_true(ptd_start_from_kmsg(&k, &ev));
    assert_int_equal(ev.kind, PTD_START_RESET_FAILED);
    assert_string_equal(ev.device, "0000:0a:00.0");
    assert_true(ptd_kmsg_classify("DMAR: IOMMU enabled", &k));
    assert_false(ptd_start_from_kmsg(&k, &ev));
}

static void test_upid(void **state)
{
    static const char good[] =
        "UPID:pve1:003CDE3D:025BF6DA:665F0761:qmstart:12001:gitlab@pam!cicd:";
    static const char long_pstart[] = "UPID:node-2:0000A1B2:1025BF6DA:665F0761:vzdump::root@pam:";
    struct upid u;

    (void)state;
    assert_true(upid_decode(good, strlen(good), &u));
    assert_string_equal(u.node, "pve1");
    assert_int_equal(u.pid, 0x003CDE3D);
    assert_int_equal(u.starttime, 0x665F0761);
    assert_string_equal(u.type, "qmstart");
    assert_string_equal(u.id, "12001");
    assert_string_equal(u.user, "gitlab@pam!cicd");
    assert_int_equal(u.subdir, '1');
    assert_true(upid_decode(long_pstart, strlen(long_pstart), &u));
    assert_string_equal(u.id, "");
    assert_int_equal(u.pstart, 0x1025BF6DAull);

    /* what pve-common refuses, and a '/' that would leave the tasks folder */
#define BAD(s) assert_false(upid_decode(s, strlen(s), &u))
    BAD("UPID:pve1:003CDE3D:025BF6DA:665F0761:qmstart:100:root@pam"); /* no final ':' */
    BAD("UPID:-pve:003CDE3D:025BF6DA:665F0761:qmstart:100:root@pam:");
    BAD("UPID:pve:3CDE3D:025BF6DA:665F0761:qmstart:100:root@pam:");
    BAD("UPID:pve:003CDE3D:025BF6DA:665F07:qmstart:100:root@pam:");
    BAD("UPID:pve:003CDE3D:025BF6DA:665F0761:qm start:100:root@pam:");
    BAD("UPID:pve:003CDE3D:025BF6DA:665F0761:qmstart:100::");
    BAD("UPID:pv\xc3\xa9:003CDE3D:025BF6DA:665F0761:qmstart:100:root@pam:");
    BAD("UPID:pve:003CDE3D:025BF6DA:665F0761:qmstart:100:root@pam:extra:");
#undef BAD
    {
        static const char dots[] = "UPID:pve:003CDE3D:025BF6DA:665F0761:qmstart:../..:root@pam:";

        assert_true(upid_decode(dots, strlen(dots), &u));
        assert_false(upid_is_safe_filename(dots, strlen(dots)));
    }
}

static void test_task_lines(void **state)
{
    struct task_line tl;
    static const char idx[] =
        "UPID:pve:00001A2B:0000C3D4:665F0761:qmstart:100:root@pam: 665F0763 start failed: QEMU "
        "exited with code 1";
    static const char act[] =
        "UPID:pve:00001A2B:0000C3D4:665F0761:qmstart:100:root@pam: 1 665F0763 OK";
    static const char running[] = "UPID:pve:00001A2B:0000C3D4:665F0761:qmstart:100:root@pam: 0";

    (void)state;
    assert_true(task_line_parse(idx, strlen(idx), &tl));
    assert_true(tl.has_end);
    assert_int_equal(tl.endtime, 0x665F0763);
    assert_int_equal(tl.status_len, strlen("start failed: QEMU exited with code 1"));
    assert_true(task_line_parse(act, strlen(act), &tl));
    assert_int_equal(tl.status_len, 2);
    assert_true(task_line_parse(running, strlen(running), &tl));
    assert_false(tl.has_end);
    assert_false(task_line_parse("garbage", 7, &tl));
    assert_false(task_line_parse("UPID:x: 66Z", 11, &tl));
}

static void test_export(void **state)
{
    /* two text entries, one with a binary MESSAGE holding a newline */
    static const char text[] = "__REALTIME_TIMESTAMP=1700000000000000\n__MONOTONIC_TIMESTAMP=5\n"
                               "_BOOT_ID=0123456789abcdef0123456789abcdef\nSYSLOG_IDENTIFIER=QEMU\n"
                               "MESSAGE=kvm: VFIO_MAP_DMA failed: Invalid argument\n\n"
                               "__REALTIME_TIMESTAMP=1700000001000000\n"
                               "_BOOT_ID=0123456789abcdef0123456789abcdef\n"
                               "SYSLOG_IDENTIFIER=systemd-journald\nMESSAGE\n"
                               "\x0f\0\0\0\0\0\0\0Journal\nstopped\n\n";
    struct jlog l;
    struct ptd_error err = {{0}};
    char *out;

    (void)state;
    assert_int_equal(journal_export_parse(text, sizeof(text) - 1, &l, &err), 0);
    assert_int_equal(l.nboots, 1);
    assert_int_equal(l.boots[0].n, 2);
    assert_string_equal(l.boots[0].e[1].message, "Journal\nstopped");
    l.boots[0].e[1].used = true;
    out = journal_export_write(&l);
    assert_non_null(out);
    assert_non_null(strstr(out, "MESSAGE\n\x0f"));
    free(out);
    journal_free(&l);

    /* a binary field whose size runs past the end, and an entry without its boot */
    {
        static const char overrun[] = "MESSAGE\n\xff\xff\xff\xff\0\0\0\0ab\n";

        assert_int_equal(journal_export_parse(overrun, sizeof(overrun) - 1, &l, &err), -EINVAL);
    }
    assert_non_null(strstr(err.text, "overruns"));
    assert_int_equal(journal_export_parse("MESSAGE=x\n\n", 11, &l, &err), -EINVAL);
    assert_non_null(strstr(err.text, "_BOOT_ID"));
}

/* A boot sd-journal could not read to its end keeps that mark through --save-snapshot: the
 * span of a boot nothing else was read of, and read_error, come back from the export copy. */
static void test_export_read_error(void **state)
{
    struct jlog l, back;
    struct ptd_error err = {{0}};
    char *out;

    (void)state;
    memset(&l, 0, sizeof(l));
    l.nboots = 1;
    memcpy(l.boots[0].id, "0123456789abcdef0123456789abcdef", 33);
    l.boots[0].first_usec = 1700000000000000ull;
    l.boots[0].last_usec = 1700000600000000ull;
    l.boots[0].read_error = true;
    out = journal_export_write(&l);
    assert_non_null(out);
    assert_int_equal(journal_export_parse(out, strlen(out), &back, &err), 0);
    assert_int_equal(back.nboots, 1);
    assert_true(back.boots[0].read_error);
    assert_false(back.boots[0].shutdown_seen);
    assert_int_equal(back.boots[0].first_usec, l.boots[0].first_usec);
    assert_int_equal(back.boots[0].last_usec, l.boots[0].last_usec);
    free(out);
    journal_free(&back);

    /* a boot read whole carries no mark */
    l.boots[0].read_error = false;
    out = journal_export_write(&l);
    assert_non_null(out);
    assert_null(strstr(out, "PTDIAG_READ_ERROR"));
    free(out);
}

static char *redact(void *names, const char *v, size_t len, size_t *outlen)
{
    return host_redact_map_text(names, v, len, outlen);
}

/* A map as host_redact_map_build() makes it for node pve1 of cluster "homelab" (realms pam,
 * pve and an AD realm "corp" from domains.cfg). */
static void test_map(struct host_redact_map *m)
{
    memset(m, 0, sizeof(*m));
    host_redact_map_add(m, "pve1");
    host_redact_map_add(m, "pve2");
    m->cluster = strdup("homelab");
    m->realms[m->nrealms++] = strdup("pam");
    m->realms[m->nrealms++] = strdup("pve");
    m->realms[m->nrealms++] = strdup("corp");
}

static void expect_redacted(const struct host_redact_map *m, const char *in, const char *want)
{
    size_t n = 0;
    char *out = host_redact_map_text(m, in, strlen(in), &n);

    assert_non_null(out);
    assert_string_equal(out, want);
    assert_int_equal(n, strlen(want));
    free(out);
}

static void test_redact_users(void **state)
{
    struct host_redact_map m;

    (void)state;
    test_map(&m);
    /* pvedaemon's task and login lines, a UPID, an API token, a user named like a node */
    expect_redacted(&m,
                    "<root@pam> starting task UPID:pve1:00001A2B:0000C3D4:665F0761:qmstart:"
                    "100:root@pam:",
                    "<[user]> starting task UPID:[node-1]:00001A2B:0000C3D4:665F0761:qmstart:100:"
                    "[user]:");
    expect_redacted(&m, "authentication failure; rhost=::ffff:192.168.10.50 user=a@pve msg=x",
                    "authentication failure; rhost=::ffff:[ipv4] user=[user] msg=x");
    expect_redacted(&m, "UPID:pve2:00001A2B:0000C3D4:665F0761:vzdump::ci@corp!nightly:",
                    "UPID:[node-2]:00001A2B:0000C3D4:665F0761:vzdump::[user]:");
    expect_redacted(&m, "'pve1@pam' of homelab.", "'[user]' of [cluster].");
    /* no known realm: units, e-mail addresses and build hosts stay */
    expect_redacted(&m, "user@0.service build@proxmox ann@example.com",
                    "user@0.service build@proxmox ann@example.com");
    host_redact_map_free(&m);
}

static void test_redacted_upid(void **state)
{
    static const char red[] = "UPID:[node-2]:00001A2B:0000C3D4:665F0761:qmstart:100:[user]:";
    struct upid u;

    (void)state;
    /* a --redact snapshot's UPIDs still decode (and still name a file) */
    assert_true(upid_decode(red, strlen(red), &u));
    assert_string_equal(u.node, "[node-2]");
    assert_true(upid_is_safe_filename(red, strlen(red)));
#define BAD(s) assert_false(upid_decode(s, strlen(s), &u))
    BAD("UPID:[node-x]:00001A2B:0000C3D4:665F0761:qmstart:100:[user]:");
    BAD("UPID:[node-1:00001A2B:0000C3D4:665F0761:qmstart:100:[user]:");
    BAD("UPID:[pve]:00001A2B:0000C3D4:665F0761:qmstart:100:[user]:");
#undef BAD
}

static void test_export_redact(void **state)
{
    /* a binary MESSAGE (two lines) whose redacted value changes length */
    static const char text[] = "__REALTIME_TIMESTAMP=1700000000000000\n"
                               "_BOOT_ID=0123456789abcdef0123456789abcdef\n"
                               "SYSLOG_IDENTIFIER=pvedaemon\n_HOSTNAME=pve1\nMESSAGE\n"
                               "\x23\0\0\0\0\0\0\0<root@pam> on pve1\nfrom 10.20.30.40\n\n";
    struct host_redact_map m;
    struct jlog l;
    struct ptd_error err = {{0}};
    size_t n = 0;
    char *out;

    (void)state;
    test_map(&m);
    assert_int_equal(strlen("<root@pam> on pve1\nfrom 10.20.30.40"), 0x23);
    out = journal_export_rewrite(text, sizeof(text) - 1, redact, &m, &n);
    assert_non_null(out);
    assert_null(strstr(out, "pve1"));
    assert_non_null(strstr(out, "_HOSTNAME=[node-1]\n"));
    assert_int_equal(journal_export_parse(out, n, &l, &err), 0);
    assert_string_equal(l.boots[0].id, "0123456789abcdef0123456789abcdef");
    assert_string_equal(l.boots[0].e[0].message, "<[user]> on [node-1]\nfrom [ipv4]");
    journal_free(&l);
    free(out);
    /* not in the format: nothing is written rather than an unredacted copy */
    {
        static const char overrun[] = "MESSAGE\n\xff\xff\xff\xff\0\0\0\0ab\n";

        assert_null(journal_export_rewrite(overrun, sizeof(overrun) - 1, redact, &m, &n));
    }
    host_redact_map_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_qemu_server_strings), cmocka_unit_test(test_not_start_failures),
        cmocka_unit_test(test_kmsg_mapping),        cmocka_unit_test(test_upid),
        cmocka_unit_test(test_task_lines),          cmocka_unit_test(test_export),
        cmocka_unit_test(test_export_read_error),   cmocka_unit_test(test_redact_users),
        cmocka_unit_test(test_redacted_upid),       cmocka_unit_test(test_export_redact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

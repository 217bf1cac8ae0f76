/* SPDX-License-Identifier: MIT */
/*
 * host_snapshot_write() on a sysfs-shaped tree, traced the way the PCI probe reads it:
 * /sys/bus/pci/devices listed, a device's files read through the bus link, its driver and
 * iommu_group links read with readlink. The snapshot must give the same answers through
 * the same paths, with the kernel's relative link targets, and never write outside DIR.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "probe.h"
#include "ptdiag/root.h"

static char tmp[] = "/tmp/ptdiag-test-snapshot-XXXXXX";
/* short, so that every path built from them fits PATH_MAX */
static char src[128], snap[128];

static const char dev_dir[] = "/sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0";
static const char dev_link[] = "../../../devices/pci0000:00/0000:00:01.0/0000:01:00.0";
static const char drv_link[] = "../../../../bus/pci/drivers/vfio-pci";
static const char grp_link[] = "../../../../kernel/iommu_groups/12";

static void mkdir_p(const char *path)
{
    char buf[PATH_MAX];
    char *p;

    snprintf(buf, sizeof(buf), "%s", path);
    for (p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        mkdir(buf, 0755);
        *p = '/';
    }
    mkdir(buf, 0755);
}

static void put(const char *rel, const char *content)
{
    char path[PATH_MAX];
    FILE *f;

    snprintf(path, sizeof(path), "%s%s", src, rel);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(content, f);
    fclose(f);
}

static void link_at(const char *rel, const char *target)
{
    char path[PATH_MAX];

    snprintf(path, sizeof(path), "%s%s", src, rel);
    assert_int_equal(symlink(target, path), 0);
}

static int setup(void **state)
{
    char path[PATH_MAX];

    (void)state;
    if (!mkdtemp(tmp))
        return -1;
    snprintf(src, sizeof(src), "%s/src", tmp);
    snprintf(snap, sizeof(snap), "%s/snap", tmp);
    snprintf(path, sizeof(path), "%s%s", src, dev_dir);
    mkdir_p(path);
    snprintf(path, sizeof(path), "%s/sys/bus/pci/devices", src);
    mkdir_p(path);
    snprintf(path, sizeof(path), "%s/sys/bus/pci/drivers/vfio-pci", src);
    mkdir_p(path);
    snprintf(path, sizeof(path), "%s/sys/kernel/iommu_groups/12/devices", src);
    mkdir_p(path);
    snprintf(path, sizeof(path), "%s/proc/sys/kernel", src);
    mkdir_p(path);
    link_at("/sys/bus/pci/devices/0000:01:00.0", dev_link);
    link_at("/sys/bus/pci/devices/0000:00:01.0", "../../../devices/pci0000:00/0000:00:01.0");
    link_at("/sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/driver", drv_link);
    link_at("/sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/iommu_group", grp_link);
    put("/sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/vendor", "0x10de\n");
    put("/sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/class", "0x030000\n");
    put("/sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/label", "serial: ABC123 on pve7\n");
    put("/proc/sys/kernel/hostname", "pve7\n");
    /* an absolute link (as /etc files sometimes are) */
    link_at("/sys/bus/pci/devices/abs", "/sys/devices/pci0000:00/0000:00:01.0");
    return 0;
}

static int teardown(void **state)
{
    char cmd[PATH_MAX + 16];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
    return system(cmd) == 0 ? 0 : -1;
}

static void read_like_the_pci_probe(struct ptd_root *root)
{
    char **names = NULL, buf[256];
    size_t n = 0;

    assert_int_equal(ptd_root_list_dir(root, "/sys/bus/pci/devices", &names, &n), 0);
    assert_int_equal(n, 3);
    ptd_strv_free(names);
    assert_int_equal(
        ptd_root_read_attr(root, "/sys/bus/pci/devices/0000:01:00.0/vendor", buf, sizeof(buf)), 0);
    assert_string_equal(buf, "0x10de");
    assert_int_equal(
        ptd_root_read_attr(root, "/sys/bus/pci/devices/0000:01:00.0/label", buf, sizeof(buf)), 0);
    assert_int_equal(
        ptd_root_link_basename(root, "/sys/bus/pci/devices/0000:01:00.0/driver", buf, sizeof(buf)),
        0);
    assert_string_equal(buf, "vfio-pci");
    assert_int_equal(ptd_root_link_basename(root, "/sys/bus/pci/devices/0000:01:00.0/iommu_group",
                                            buf, sizeof(buf)),
                     0);
    assert_string_equal(buf, "12");
    assert_int_equal(ptd_root_exists(root, "/sys/kernel/iommu_groups/12/devices"), 1);
    assert_int_equal(ptd_root_read_attr(root, "/proc/sys/kernel/hostname", buf, sizeof(buf)), 0);
}

static void test_sysfs_links_survive(void **state)
{
    struct ptd_root root, replay;
    struct ptd_error err;
    char path[PATH_MAX], target[PATH_MAX], buf[256];
    ssize_t n;

    (void)state;
    assert_int_equal(ptd_root_init(&root, src, &err), 0);
    assert_int_equal(ptd_root_enable_trace(&root), 0);
    read_like_the_pci_probe(&root);
    /* a traced path that climbs out is refused, not followed */
    ptd_root_trace(&root, "/sys/../../../etc/passwd", PTD_TRACE_FILE);
    assert_int_equal(host_snapshot_write(&root, snap, false, NULL, &err), 0);
    ptd_root_fini(&root);

    /* links as the kernel wrote them */
    snprintf(path, sizeof(path), "%s/sys/bus/pci/devices/0000:01:00.0", snap);
    n = readlink(path, target, sizeof(target) - 1);
    assert_true(n > 0);
    target[n] = '\0';
    assert_string_equal(target, dev_link);
    snprintf(path, sizeof(path), "%s%s/driver", snap, dev_dir);
    n = readlink(path, target, sizeof(target) - 1);
    assert_true(n > 0);
    target[n] = '\0';
    assert_string_equal(target, drv_link);
    /* the file landed in the device directory, behind the bus link */
    snprintf(path, sizeof(path), "%s%s/vendor", snap, dev_dir);
    assert_int_equal(access(path, R_OK), 0);
    /* the absolute link was made relative, resolving inside the snapshot */
    snprintf(path, sizeof(path), "%s/sys/bus/pci/devices/abs", snap);
    n = readlink(path, target, sizeof(target) - 1);
    assert_true(n > 0);
    target[n] = '\0';
    assert_string_equal(target, "../../../../sys/devices/pci0000:00/0000:00:01.0");
    /* nothing escaped */
    snprintf(path, sizeof(path), "%s/etc/passwd", snap);
    assert_int_not_equal(access(path, F_OK), 0);

    /* and the snapshot answers the same reads */
    assert_int_equal(ptd_root_init(&replay, snap, &err), 0);
    read_like_the_pci_probe(&replay);
    assert_int_equal(
        ptd_root_read_attr(&replay, "/sys/bus/pci/devices/0000:01:00.0/label", buf, sizeof(buf)),
        0);
    assert_string_equal(buf, "serial: ABC123 on pve7");
    ptd_root_fini(&replay);
}

static void test_redacted_and_refusals(void **state)
{
    struct ptd_root root, replay;
    struct ptd_error err;
    char dir[256], buf[256];

    (void)state;
    snprintf(dir, sizeof(dir), "%s/snap-redacted", tmp);
    assert_int_equal(ptd_root_init(&root, src, &err), 0);
    assert_int_equal(ptd_root_enable_trace(&root), 0);
    read_like_the_pci_probe(&root);
    assert_int_equal(host_snapshot_write(&root, dir, true, NULL, &err), 0);
    /* the same directory again: not empty any more */
    assert_int_not_equal(host_snapshot_write(&root, dir, true, NULL, &err), 0);
    assert_non_null(strstr(err.text, "not empty"));
    /* a file where the directory should be */
    snprintf(dir, sizeof(dir), "%s/src/proc/sys/kernel/hostname", tmp);
    assert_int_not_equal(host_snapshot_write(&root, dir, false, NULL, &err), 0);
    assert_non_null(strstr(err.text, "not a directory"));
    ptd_root_fini(&root);

    snprintf(dir, sizeof(dir), "%s/snap-redacted", tmp);
    assert_int_equal(ptd_root_init(&replay, dir, &err), 0);
    assert_int_equal(
        ptd_root_read_attr(&replay, "/sys/bus/pci/devices/0000:01:00.0/label", buf, sizeof(buf)),
        0);
    assert_string_equal(buf, "serial: [serial] on [node-1]");
    assert_int_equal(ptd_root_read_attr(&replay, "/proc/sys/kernel/hostname", buf, sizeof(buf)), 0);
    assert_string_equal(buf, "[node-1]");
    ptd_root_fini(&replay);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sysfs_links_survive),
        cmocka_unit_test(test_redacted_and_refusals),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

/* SPDX-License-Identifier: MIT */
/* The --root seam: path mapping, size limits, non-regular files, links, listing, tracing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "ptdiag/root.h"

static char tmpdir[] = "/tmp/ptdiag-test-root-XXXXXX";

static void put(const char *rel, const char *content)
{
    char path[PATH_MAX];
    FILE *f;

    snprintf(path, sizeof(path), "%s%s", tmpdir, rel);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(content, f);
    fclose(f);
}

static void mk(const char *rel)
{
    char path[PATH_MAX];

    snprintf(path, sizeof(path), "%s%s", tmpdir, rel);
    assert_int_equal(mkdir(path, 0755), 0);
}

static int setup(void **state)
{
    char path[PATH_MAX];

    (void)state;
    if (!mkdtemp(tmpdir))
        return -1;
    mk("/sys");
    mk("/sys/devices");
    mk("/sys/devices/d0");
    mk("/sys/bus");
    mk("/sys/drivers");
    mk("/sys/drivers/vfio-pci");
    put("/sys/devices/d0/vendor", "0x10de\n");
    put("/sys/devices/d0/bad", "0x10dez\n");
    put("/sys/devices/d0/big", "0123456789abcdef0123456789abcdef");
    snprintf(path, sizeof(path), "%s/sys/devices/d0/driver", tmpdir);
    assert_int_equal(symlink("../../drivers/vfio-pci", path), 0);
    snprintf(path, sizeof(path), "%s/sys/loop", tmpdir);
    assert_int_equal(symlink("loop", path), 0);
    snprintf(path, sizeof(path), "%s/sys/fifo", tmpdir);
    assert_int_equal(mkfifo(path, 0600), 0);
    return 0;
}

static int teardown(void **state)
{
    char cmd[PATH_MAX + 16];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_init_rejects_non_directory(void **state)
{
    struct ptd_root root;
    struct ptd_error err;
    char path[PATH_MAX];

    (void)state;
    assert_int_equal(ptd_root_init(&root, "/nonexistent-ptdiag", &err), -1);
    assert_non_null(strstr(err.text, "/nonexistent-ptdiag"));
    snprintf(path, sizeof(path), "%s/sys/devices/d0/vendor", tmpdir);
    assert_int_equal(ptd_root_init(&root, path, &err), -1);
    assert_non_null(strstr(err.text, "not a directory"));
    assert_int_equal(ptd_root_init(&root, NULL, &err), 0);
    assert_true(ptd_root_is_live(&root));
}

static void test_read_attr_and_u64(void **state)
{
    struct ptd_root root;
    char buf[32];
    uint64_t v;
    char dir[PATH_MAX];

    (void)state;
    snprintf(dir, sizeof(dir), "%s///", tmpdir); /* trailing slashes are trimmed */
    assert_int_equal(ptd_root_init(&root, dir, NULL), 0);
    assert_int_equal(ptd_root_read_attr(&root, "/sys/devices/d0/vendor", buf, sizeof(buf)), 0);
    assert_string_equal(buf, "0x10de");
    assert_int_equal(ptd_root_read_u64(&root, "/sys/devices/d0/vendor", &v), 0);
    assert_int_equal(v, 0x10de);
    assert_int_equal(ptd_root_read_u64(&root, "/sys/devices/d0/bad", &v), -EINVAL);
    assert_int_equal(ptd_root_read_attr(&root, "/sys/devices/d0/big", buf, 8), -EOVERFLOW);
    assert_int_equal(ptd_root_read_attr(&root, "/sys/devices/d0/none", buf, 8), -ENOENT);
    assert_int_equal(ptd_root_read_attr(&root, "relative", buf, 8), -EINVAL);
}

static void test_limits_and_special_files(void **state)
{
    struct ptd_root root;
    char *data;
    size_t len;

    (void)state;
    assert_int_equal(ptd_root_init(&root, tmpdir, NULL), 0);
    assert_int_equal(ptd_root_read_file(&root, "/sys/devices/d0/big", 16, &data, &len), -EFBIG);
    assert_null(data);
    assert_int_equal(ptd_root_read_file(&root, "/sys/devices/d0/big", 32, &data, &len), 0);
    assert_int_equal(len, 32);
    free(data);
    assert_int_equal(ptd_root_read_file(&root, "/sys/fifo", 16, &data, &len), -EINVAL);
    assert_int_equal(ptd_root_read_file(&root, "/sys/loop", 16, &data, &len), -ELOOP);
    assert_int_equal(ptd_root_read_file(&root, "/sys/devices", 16, &data, &len), -EINVAL);
}

static void test_links_listing_and_trace(void **state)
{
    struct ptd_root root;
    char buf[64];
    char **names;
    size_t n;

    (void)state;
    assert_int_equal(ptd_root_init(&root, tmpdir, NULL), 0);
    assert_int_equal(ptd_root_enable_trace(&root), 0);
    assert_int_equal(ptd_root_readlink(&root, "/sys/devices/d0/driver", buf, sizeof(buf)), 0);
    assert_string_equal(buf, "../../drivers/vfio-pci");
    assert_int_equal(ptd_root_link_basename(&root, "/sys/devices/d0/driver", buf, sizeof(buf)), 0);
    assert_string_equal(buf, "vfio-pci");
    assert_int_equal(ptd_root_list_dir(&root, "/sys/devices/d0", &names, &n), 0);
    assert_int_equal(n, 4);
    assert_string_equal(names[0], "bad");
    assert_string_equal(names[3], "vendor");
    assert_null(names[4]);
    ptd_strv_free(names);
    assert_int_equal(ptd_root_exists(&root, "/sys/devices/d0/vendor"), 1);
    assert_int_equal(ptd_root_exists(&root, "/sys/devices/d0/nope"), 0);
    assert_int_equal(ptd_root_exists(&root, "/sys/devices/d0/vendor/x"), 0);
    assert_int_equal(root.trace->count, 3); /* link (once), dir, exists */
    assert_string_equal(root.trace->entries[0].path, "/sys/devices/d0/driver");
    assert_int_equal(root.trace->entries[0].kind, PTD_TRACE_LINK);
    assert_int_equal(root.trace->entries[1].kind, PTD_TRACE_DIR);
    ptd_root_fini(&root);
    assert_null(root.trace);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_rejects_non_directory),
        cmocka_unit_test(test_read_attr_and_u64),
        cmocka_unit_test(test_limits_and_special_files),
        cmocka_unit_test(test_links_listing_and_trace),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

/* SPDX-License-Identifier: MIT */
/* The common growable string (ptdiag/strbuf.h): appends, the byte cap, the sticky failure,
 * and the size_t overflow paths that the five copies it replaced did not check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ptdiag/strbuf.h"

/* The overflow tests make the buffer ask realloc for about 2^63 bytes. libc answers NULL;
 * ASan by default reports such a request as an error instead, so ask it to answer NULL too
 * (ASAN_OPTIONS from the environment is read after this and still applies). */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "allocator_may_return_null=1";
}

static void test_append_and_take(void **state)
{
    struct ptd_strbuf b = {0};
    char *text;

    (void)state;
    ptd_strbuf_addn(&b, "", 0); /* an empty append still yields a string */
    assert_non_null(b.data);
    assert_string_equal(b.data, "");
    ptd_strbuf_add(&b, "GPU ");
    ptd_strbuf_addc(&b, '0');
    ptd_strbuf_printf(&b, " at %s, %u MiB", "0000:01:00.0", 8192u);
    ptd_strbuf_addn(&b, "a\0b", 3); /* embedded NULs count in len */
    assert_int_equal(b.len, strlen("GPU 0 at 0000:01:00.0, 8192 MiB") + 3);
    assert_memory_equal(b.data,
                        "GPU 0 at 0000:01:00.0, 8192 MiB"
                        "a\0b",
                        b.len + 1);
    text = ptd_strbuf_take(&b);
    assert_string_equal(text, "GPU 0 at 0000:01:00.0, 8192 MiB"
                              "a");
    free(text);
    assert_null(b.data);
    assert_int_equal(b.len, 0);

    /* nothing appended: take gives "", not NULL */
    text = ptd_strbuf_take(&b);
    assert_non_null(text);
    assert_string_equal(text, "");
    free(text);
}

static void test_growth_and_long_printf(void **state)
{
    struct ptd_strbuf b = {0};
    char line[1000];
    size_t i;

    (void)state;
    memset(line, 'x', sizeof line - 1);
    line[sizeof line - 1] = '\0';
    /* over the printf stack buffer (512) and over many doublings */
    for (i = 0; i < 100; i++)
        ptd_strbuf_printf(&b, "%zu:%s\n", i, line);
    assert_false(b.failed);
    assert_true(b.cap > b.len);
    assert_int_equal(b.data[b.len], '\0');
    assert_int_equal(b.len, 100 * (sizeof line - 1 + 2) + 10 * 1 + 90 * 2);
    assert_memory_equal(b.data + b.len - (sizeof line - 1) - 4, "99:xxx", 6);
    ptd_strbuf_release(&b);
    assert_null(b.data);
}

static void test_limit_cuts(void **state)
{
    struct ptd_strbuf b = {.limit = 8};

    (void)state;
    ptd_strbuf_add(&b, "vfio");
    ptd_strbuf_add(&b, "-pci 0000"); /* cut to the 8-byte limit, not failed */
    assert_false(b.failed);
    assert_int_equal(b.len, 8);
    assert_string_equal(b.data, "vfio-pci");
    ptd_strbuf_add(&b, "more");
    ptd_strbuf_addn(&b, "x", SIZE_MAX); /* cut to 0 bytes first: no overflow, no failure */
    assert_false(b.failed);
    assert_string_equal(b.data, "vfio-pci");

    /* clear keeps the limit and the allocation for the next message */
    ptd_strbuf_clear(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.data, "");
    ptd_strbuf_add(&b, "0123456789");
    assert_string_equal(b.data, "01234567");
    ptd_strbuf_release(&b);
    assert_int_equal(b.limit, 8);
}

/* len + n + 1 would wrap size_t: the copies this replaced computed a tiny size, found it fit
 * and copied n bytes past the buffer. The data pointer is never read here. */
static void test_length_overflow_fails(void **state)
{
    struct ptd_strbuf b = {0};
    static const char one[1] = {'x'};

    (void)state;
    ptd_strbuf_add(&b, "abc");
    ptd_strbuf_addn(&b, one, SIZE_MAX - 2);
    assert_true(b.failed);
    assert_int_equal(b.len, 3);
    ptd_strbuf_add(&b, "d"); /* sticky: ignored */
    assert_int_equal(b.len, 3);
    ptd_strbuf_printf(&b, "%d", 1);
    assert_int_equal(b.len, 3);
    assert_null(ptd_strbuf_take(&b)); /* frees the text */
    assert_false(b.failed);           /* and leaves a reusable, empty buffer */
    ptd_strbuf_add(&b, "ok");
    assert_string_equal(b.data, "ok");
    ptd_strbuf_release(&b);
}

/* The size fits but doubling the capacity would pass SIZE_MAX: the copies this replaced
 * wrapped the capacity to 0 and doubled it forever. Here the request is made at the size
 * needed, realloc refuses it, and the buffer fails cleanly. */
static void test_capacity_overflow_fails(void **state)
{
    struct ptd_strbuf b = {0};
    static const char one[1] = {'x'};

    (void)state;
    ptd_strbuf_add(&b, "abc");
    ptd_strbuf_addn(&b, one, SIZE_MAX / 2 + 16);
    assert_true(b.failed);
    assert_int_equal(b.len, 3);
    assert_string_equal(b.data, "abc"); /* the text so far is untouched until take */
    ptd_strbuf_clear(&b);               /* clear forgives the failure (the kmsg splitter) */
    assert_false(b.failed);
    ptd_strbuf_add(&b, "next");
    assert_string_equal(b.data, "next");
    ptd_strbuf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_append_and_take),
        cmocka_unit_test(test_growth_and_long_printf),
        cmocka_unit_test(test_limit_cuts),
        cmocka_unit_test(test_length_overflow_fails),
        cmocka_unit_test(test_capacity_overflow_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

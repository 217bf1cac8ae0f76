/* SPDX-License-Identifier: MIT */
/* The document envelope, null-for-unknown helpers, and the strict reader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ptdiag/doc.h"

static void test_envelope(void **state)
{
    cJSON *doc;

    (void)state;
    setenv("PTDIAG_FIXED_TIME", "2026-11-22T10:00:00Z", 1);
    doc = ptd_doc_new(PTD_SCHEMA_HOST, "ptdiag-host");
    assert_non_null(doc);
    assert_string_equal(ptd_json_get_str(doc, "schema"), "ptdiag.host/1");
    assert_string_equal(ptd_json_get_str(doc, "producer.name"), "ptdiag-host");
    assert_string_equal(ptd_json_get_str(doc, "producer.os"), "linux");
    assert_string_equal(ptd_json_get_str(doc, "collected_at"), "2026-11-22T10:00:00Z");
    assert_true(cJSON_IsArray(ptd_json_get(doc, "errors")));
    ptd_doc_add_error(doc, "iommu", "cannot read %s: %s", "/sys/class/iommu", "Permission denied");
    assert_string_equal(ptd_json_get_str(doc, "errors.0.source"), "iommu");
    assert_string_equal(ptd_json_get_str(doc, "errors.0.message"),
                        "cannot read /sys/class/iommu: Permission denied");
    cJSON_Delete(doc);
    unsetenv("PTDIAG_FIXED_TIME");
}

static void test_unknown_is_null(void **state)
{
    cJSON *o = cJSON_CreateObject();

    (void)state;
    ptd_json_add_tri(o, "unknown", -1);
    ptd_json_add_tri(o, "no", 0);
    ptd_json_add_tri(o, "yes", 1);
    ptd_json_add_num(o, "n", 3, false);
    ptd_json_add_str(o, "s", NULL);
    ptd_json_add_hex16(o, "id", 0x10de);
    assert_true(cJSON_IsNull(ptd_json_get(o, "unknown")));
    assert_int_equal(ptd_json_get_tri(o, "unknown"), -1);
    assert_int_equal(ptd_json_get_tri(o, "no"), 0);
    assert_int_equal(ptd_json_get_tri(o, "yes"), 1);
    assert_true(cJSON_IsNull(ptd_json_get(o, "n")));
    assert_true(cJSON_IsNull(ptd_json_get(o, "s")));
    assert_string_equal(ptd_json_get_str(o, "id"), "10de");
    assert_null(ptd_json_get(o, "missing.deeper"));
    cJSON_Delete(o);
}

static void test_time_roundtrip(void **state)
{
    char buf[32];
    time_t t;

    (void)state;
    assert_int_equal(ptd_time_parse_rfc3339("2024-02-29T23:59:59Z", &t), 0);
    ptd_time_rfc3339(t, buf, sizeof(buf));
    assert_string_equal(buf, "2024-02-29T23:59:59Z");
    assert_int_equal(ptd_time_parse_rfc3339("1970-01-01T00:00:00.5+00:00", &t), 0);
    assert_int_equal(t, 0);
    assert_int_equal(ptd_time_parse_rfc3339("2024-13-01T00:00:00Z", &t), -1);
    assert_int_equal(ptd_time_parse_rfc3339("2024-01-01 00:00:00Z", &t), -1);
    assert_int_equal(ptd_time_parse_rfc3339("2024-01-01T00:00:00+02:00", &t), -1);
}

static void test_parse_errors_name_the_file(void **state)
{
    struct ptd_error err;
    cJSON *doc;
    const char nul[] = "{\"schema\":\"ptdiag.host/1\"\0}";

    (void)state;
    assert_int_equal(ptd_doc_parse("a.json", "", 0, NULL, &doc, &err), -1);
    assert_non_null(strstr(err.text, "a.json: empty"));
    assert_int_equal(ptd_doc_parse("b.json", "{\"schema\":", 10, NULL, &doc, &err), -1);
    assert_non_null(strstr(err.text, "b.json: invalid JSON"));
    assert_int_equal(ptd_doc_parse("c.json", "[1]", 3, NULL, &doc, &err), -1);
    assert_non_null(strstr(err.text, "not a JSON object"));
    assert_int_equal(ptd_doc_parse("d.json", "{\"x\":1}", 7, NULL, &doc, &err), -1);
    assert_non_null(strstr(err.text, "no \"schema\""));
    assert_int_equal(
        ptd_doc_parse("e.json", "{\"schema\":\"ptdiag.guest/1\"}", 27, PTD_SCHEMA_HOST, &doc, &err),
        -1);
    assert_non_null(strstr(err.text, "expected \"ptdiag.host/1\""));
    assert_int_equal(ptd_doc_parse("f.json", nul, sizeof(nul) - 1, NULL, &doc, &err), -1);
    assert_non_null(strstr(err.text, "NUL byte"));
    assert_int_equal(ptd_doc_parse("g.json", "{\"schema\":\"other/1\"}", 20, NULL, &doc, &err), -1);
    assert_int_equal(
        ptd_doc_parse("h.json", "{\"schema\":\"ptdiag.guest/1\"}", 27, NULL, &doc, &err), 0);
    cJSON_Delete(doc);
}

static void test_write_and_load(void **state)
{
    char path[] = "/tmp/ptdiag-test-doc-XXXXXX";
    struct ptd_error err;
    cJSON *doc, *back = NULL;
    int fd;

    (void)state;
    fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    doc = ptd_doc_new(PTD_SCHEMA_GUEST, "ptdiag-agent");
    ptd_json_add_u64(doc, "vram_bytes", 24ull << 30, true);
    assert_int_equal(ptd_doc_write(doc, path, true, &err), 0);
    assert_int_equal(ptd_doc_load(path, PTD_SCHEMA_GUEST, &back, &err), 0);
    assert_true(ptd_json_get_num(back, "vram_bytes", 0) == (double)(24ull << 30));
    cJSON_Delete(back);
    assert_int_equal(ptd_doc_load("/nonexistent/x.json", NULL, &back, &err), -1);
    assert_non_null(strstr(err.text, "/nonexistent/x.json: cannot open"));
    cJSON_Delete(doc);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_envelope),       cmocka_unit_test(test_unknown_is_null),
        cmocka_unit_test(test_time_roundtrip), cmocka_unit_test(test_parse_errors_name_the_file),
        cmocka_unit_test(test_write_and_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* Escaping of untrusted text (issue 13) and the range-checked document integers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ptdiag/doc.h"
#include "ptdiag/docnum.h"
#include "ptdiag/escape.h"

/* Runs one FILE writer into memory and returns what it wrote (caller frees). */
static char *capture(void (*fn)(FILE *, const char *, unsigned), const char *s, unsigned flags)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    assert_non_null(f);
    fn(f, s, flags);
    fclose(f);
    return buf;
}

static void expect(void (*fn)(FILE *, const char *, unsigned), const char *in, unsigned flags,
                   const char *want)
{
    char *got = capture(fn, in, flags);

    if (strcmp(got, want) != 0)
        fail_msg("escape of \"%s\": got \"%s\", want \"%s\"", in, got, want);
    free(got);
}

static void test_text_controls(void **state)
{
    (void)state;
    /* The host name: clear screen and set the window title. */
    expect(ptd_esc_text, "evil\x1b[2J\x1b]0;pwned\x07name", 0, "evil\\e[2J\\e]0;pwned\\x07name");
    expect(ptd_esc_text, "a\nb\tc\rd\x7f", 0, "a\\nb\\tc\\rd\\x7f");
    expect(ptd_esc_text, "a\nb", PTD_ESC_KEEP_NL, "a\nb");
    /* C1 CSI as UTF-8 (U+009B) and as a lone byte (not UTF-8). */
    expect(ptd_esc_text,
           "x\xc2\x9b"
           "31m",
           0, "x\\u009b31m");
    expect(ptd_esc_text,
           "x\x9b"
           "31m",
           0, "x\\x9b31m");
    /* Right-to-left override and isolate. */
    expect(ptd_esc_text,
           "abc\xe2\x80\xae"
           "fdp.exe",
           0, "abc\\u202efdp.exe");
    expect(ptd_esc_text, "\xe2\x81\xa6x", 0, "\\u2066x");
    /* Valid UTF-8 and Windows paths stay as they are. */
    expect(ptd_esc_text,
           "Gr\xc3\xa4"
           "fikkarte \xe2\x80\x94 C:\\ptdiag",
           0,
           "Gr\xc3\xa4"
           "fikkarte \xe2\x80\x94 C:\\ptdiag");
    expect(ptd_esc_text, "\xf0\x9f\x98\x80", 0, "\xf0\x9f\x98\x80");
    /* Overlong, surrogate, above U+10FFFF, truncated: every byte shown. */
    expect(ptd_esc_text, "\xc0\xaf", 0, "\\xc0\\xaf");
    expect(ptd_esc_text, "\xed\xa0\x80", 0, "\\xed\\xa0\\x80");
    expect(ptd_esc_text, "\xf4\x90\x80\x80", 0, "\\xf4\\x90\\x80\\x80");
    expect(ptd_esc_text, "ab\xe2\x82", 0, "ab\\xe2\\x82");
    expect(ptd_esc_text, NULL, 0, "");
}

static void test_md_code(void **state)
{
    (void)state;
    expect(ptd_esc_md_code, "pve1", 0, "`pve1`");
    expect(ptd_esc_md_code, "", 0, "``");
    /* The case: a newline and a backtick end neither the span nor the line. */
    expect(ptd_esc_md_code, "a`b\n| [x](http://e) |", 0, "``a`b\\n| [x](http://e) |``");
    expect(ptd_esc_md_code, "a|b", PTD_ESC_MD_CELL, "`a\\|b`");
    expect(ptd_esc_md_code, "`x``", 0, "``` `x`` ```");
    expect(ptd_esc_md_code, "\x1b[2J", 0, "`\\e[2J`");
}

static void test_md_text(void **state)
{
    (void)state;
    expect(ptd_esc_md_text, "![img](http://e/x.png) <script>", 0,
           "\\!\\[img\\]\\(http\\://e/x\\.png\\) \\<script\\>");
    expect(ptd_esc_md_text, "a\n    # b", 0, "a\\\n\\# b");
    /* GFM autolinks bare www. and e-mail addresses; quotes and commas stay readable. */
    expect(ptd_esc_md_text, "www.e.com a@b.c, 'x'", 0, "www\\.e\\.com a\\@b\\.c, 'x'");
    expect(ptd_esc_md_text, "a|b\nc", PTD_ESC_MD_CELL, "a\\|b c");
    expect(ptd_esc_md_text, "x\x1b", 0, "x\\\\e");
}

static void prom(FILE *f, const char *s, unsigned flags)
{
    (void)flags;
    ptd_esc_prom_label(f, s);
}

static void html(FILE *f, const char *s, unsigned flags)
{
    (void)flags;
    ptd_esc_html(f, s);
}

static void test_prom_html(void **state)
{
    (void)state;
    expect(prom, "a\"b\\c\nd\x1b", 0, "a\\\"b\\\\c\\\\nd\\\\e");
    expect(html, "<script>alert('x')</script>&\x1b", 0,
           "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;\\e");
}

static void test_json(void **state)
{
    cJSON *o = cJSON_CreateObject();
    char *raw, *safe;

    (void)state;
    cJSON_AddStringToObject(o, "h", "a\x7f\xc2\x9b\xe2\x80\xae\xff\x1b");
    raw = cJSON_PrintUnformatted(o);
    safe = ptd_esc_json_dup(raw);
    assert_string_equal(safe, "{\"h\":\"a\\u007f\\u009b\\u202e\\ufffd\\u001b\"}");
    cJSON *back = cJSON_Parse(safe);
    assert_non_null(back);
    cJSON_Delete(back);
    free(safe);
    free(raw);
    cJSON_Delete(o);
}

/* Parses {"n": <text>} and asks for an integer in [min, max]. */
static enum ptd_num_state num(const char *text, int64_t min, int64_t max, int64_t *out,
                              struct ptd_error *why)
{
    char doc[128];

    snprintf(doc, sizeof doc, "{\"n\": %s}", text);
    cJSON *j = cJSON_Parse(doc);
    assert_non_null(j);
    enum ptd_num_state st = ptd_json_get_int(j, "n", min, max, out, why);
    cJSON_Delete(j);
    return st;
}

static void test_docnum(void **state)
{
    struct ptd_error why = {{0}};
    int64_t v = 7;

    (void)state;
    assert_int_equal(num("100", PTD_VMID_MIN, PTD_VMID_MAX, &v, &why), PTD_NUM_OK);
    assert_int_equal(v, 100);
    assert_int_equal(num("999999999", PTD_VMID_MIN, PTD_VMID_MAX, &v, &why), PTD_NUM_OK);
    assert_int_equal(v, 999999999);
    /* The vmid, and its neighbours: never a cast, the reason names the bound. */
    v = 7;
    assert_int_equal(num("1e308", PTD_VMID_MIN, PTD_VMID_MAX, &v, &why), PTD_NUM_BAD);
    assert_int_equal(v, 7);
    assert_non_null(strstr(why.text, "n: 1e+308 is not an integer in 100..999999999"));
    assert_int_equal(num("-1e308", PTD_VMID_MIN, PTD_VMID_MAX, &v, &why), PTD_NUM_BAD);
    assert_int_equal(num("1000000000", PTD_VMID_MIN, PTD_VMID_MAX, &v, &why), PTD_NUM_BAD);
    assert_non_null(strstr(why.text, "1000000000 is outside 100..999999999"));
    assert_int_equal(num("99", PTD_VMID_MIN, PTD_VMID_MAX, &v, &why), PTD_NUM_BAD);
    assert_int_equal(num("100.5", PTD_VMID_MIN, PTD_VMID_MAX, &v, &why), PTD_NUM_BAD);
    assert_int_equal(num("\"100\"", PTD_VMID_MIN, PTD_VMID_MAX, &v, &why), PTD_NUM_BAD);
    assert_non_null(strstr(why.text, "n: not a number"));
    assert_int_equal(num("null", PTD_VMID_MIN, PTD_VMID_MAX, &v, &why), PTD_NUM_ABSENT);
    assert_int_equal(num("9223372036854775808", INT64_MIN, INT64_MAX, &v, &why), PTD_NUM_BAD);
    assert_int_equal(num("-9223372036854775808", INT64_MIN, INT64_MAX, &v, &why), PTD_NUM_OK);
    assert_true(v == INT64_MIN);
    assert_int_equal(ptd_json_int_or(NULL, "n", 0, 10, -1), -1);

    /* Sizes: 2^63 fits 64 bits, 2^64 and negatives do not. */
    cJSON *j = cJSON_Parse("{\"a\": 9223372036854775808, \"b\": 18446744073709551616, "
                           "\"c\": -4096, \"d\": 268435456}");
    uint64_t u = 0;
    assert_int_equal(ptd_json_get_u64(j, "a", UINT64_MAX, &u, &why), PTD_NUM_OK);
    assert_true(u == 1ull << 63);
    assert_int_equal(ptd_json_get_u64(j, "b", UINT64_MAX, &u, &why), PTD_NUM_BAD);
    assert_int_equal(ptd_json_get_u64(j, "c", UINT64_MAX, &u, &why), PTD_NUM_BAD);
    assert_int_equal(ptd_json_get_u64(j, "d", UINT64_MAX, &u, &why), PTD_NUM_OK);
    assert_true(u == 268435456);
    assert_int_equal(ptd_json_get_u64(j, "d", 4096, &u, &why), PTD_NUM_BAD);
    assert_int_equal(ptd_json_get_u64(j, "e", UINT64_MAX, &u, &why), PTD_NUM_ABSENT);
    cJSON_Delete(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_controls), cmocka_unit_test(test_md_code),
        cmocka_unit_test(test_md_text),       cmocka_unit_test(test_prom_html),
        cmocka_unit_test(test_json),          cmocka_unit_test(test_docnum),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

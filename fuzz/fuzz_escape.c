/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: the escaping every renderer uses (issue 13) over arbitrary bytes. Beyond
 * the sanitizers it checks the promise itself: escaped text is valid UTF-8 with no control
 * character but the newlines kept on request, and escaped JSON still parses. Seeds are the
 * hostile corpus. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ptdiag/escape.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts when s holds a C0 control (but '\n' when allowed), DEL, a C1 control or a byte
 * outside valid UTF-8 structure. */
static void check_clean(const char *s, int allow_nl)
{
    const unsigned char *p = (const unsigned char *)s;

    while (*p) {
        if ((*p < 0x20 && !(allow_nl && *p == '\n')) || *p == 0x7f)
            abort();
        if (*p < 0x80) {
            p++;
            continue;
        }
        size_t n = *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : *p >= 0xc2 ? 2 : 0;
        if (n == 0)
            abort();
        for (size_t i = 1; i < n; i++)
            if ((p[i] & 0xc0) != 0x80)
                abort();
        if (n == 2 && p[0] == 0xc2 && p[1] < 0xa0) /* U+0080..U+009F */
            abort();
        p += n;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *devnull;
    char *s = malloc(size + 1);
    char *t;

    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    if ((t = ptd_esc_text_dup(s, 0))) {
        check_clean(t, 0);
        free(t);
    }
    if ((t = ptd_esc_text_dup(s, PTD_ESC_KEEP_NL))) {
        check_clean(t, 1);
        free(t);
    }
    check_clean(ptd_esc_tmp(s, 1 + size % 300), 0);
    if (!devnull)
        devnull = fopen("/dev/null", "w");
    if (devnull) {
        ptd_esc_md_code(devnull, s, PTD_ESC_MD_CELL);
        ptd_esc_md_text(devnull, s, 0);
        ptd_esc_prom_label(devnull, s);
        ptd_esc_html(devnull, s);
    }
    /* A JSON string holding the input: escaped, it must still parse to one string. */
    cJSON *str = cJSON_CreateString(s);
    char *raw = str ? cJSON_PrintUnformatted(str) : NULL;
    char *safe = raw ? ptd_esc_json_dup(raw) : NULL;
    if (safe) {
        cJSON *back = cJSON_Parse(safe);
        if (!cJSON_IsString(back))
            abort();
        cJSON_Delete(back);
    }
    free(safe);
    cJSON_free(raw);
    cJSON_Delete(str);
    free(s);
    return 0;
}

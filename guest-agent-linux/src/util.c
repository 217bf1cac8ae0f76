/* SPDX-License-Identifier: MIT */
/* Helpers shared by the collectors. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"

char *agent_kv_value(const char *text, const char *key)
{
    size_t klen = strlen(key);
    const char *line = text;

    while (line && *line) {
        const char *eol = strchr(line, '\n');
        size_t n = eol ? (size_t)(eol - line) : strlen(line);

        if (n > klen && strncmp(line, key, klen) == 0 && line[klen] == '=') {
            const char *v = line + klen + 1;
            size_t vn = n - klen - 1;
            char *out;

            while (vn > 0 && (v[vn - 1] == '\r' || v[vn - 1] == ' '))
                vn--;
            /* os-release values may be quoted with " or ' (shell syntax) */
            if (vn >= 2 && (v[0] == '"' || v[0] == '\'') && v[vn - 1] == v[0]) {
                v++;
                vn -= 2;
            }
            out = malloc(vn + 1);
            if (!out)
                return NULL;
            memcpy(out, v, vn);
            out[vn] = '\0';
            return out;
        }
        line = eol ? eol + 1 : NULL;
    }
    return NULL;
}

cJSON *agent_obj(cJSON *parent, const char *key)
{
    cJSON *o = cJSON_GetObjectItemCaseSensitive(parent, key);

    if (cJSON_IsObject(o))
        return o;
    if (o)
        cJSON_DeleteItemFromObjectCaseSensitive(parent, key);
    return cJSON_AddObjectToObject(parent, key);
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *s)
{
    size_t n, i;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        n = 2;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        n = 3;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        n = 4;
    else
        return 0;
    for (i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    return n;
}

void agent_sanitize(char *text)
{
    unsigned char *p = (unsigned char *)text;

    while (p && *p) {
        size_t n = utf8_len(p);

        if (n == 0 || (n == 1 && ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f))) {
            *p++ = '?';
            continue;
        }
        p += n;
    }
}

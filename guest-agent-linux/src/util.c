/* SPDX-License-Identifier: MIT */
/* Helpers shared by the collectors. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "ptdiag/text_clean.h"

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

void agent_sanitize(char *text)
{
    ptd_text_clean(text);
}

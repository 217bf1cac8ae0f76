/* SPDX-License-Identifier: MIT */
/* Helpers shared by the collectors. */
#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "ptdiag/doc.h"
#include "ptdiag/text_clean.h"

bool agent_key_line(const char *text, const char *key, char sep, const char **value, size_t *n)
{
    size_t klen = strlen(key);
    const char *line = text;

    while (line && *line) {
        const char *eol = strchr(line, '\n');
        size_t len = eol ? (size_t)(eol - line) : strlen(line);

        if (len > klen && strncmp(line, key, klen) == 0 && line[klen] == sep) {
            *value = line + klen + 1;
            *n = len - klen - 1;
            return true;
        }
        line = eol ? eol + 1 : NULL;
    }
    return false;
}

char *agent_kv_value(const char *text, const char *key)
{
    const char *v;
    size_t vn;

    if (!agent_key_line(text, key, '=', &v, &vn))
        return NULL;
    while (vn > 0 && (v[vn - 1] == '\r' || v[vn - 1] == ' '))
        vn--;
    /* os-release values may be quoted with " or ' (shell syntax) */
    if (vn >= 2 && (v[0] == '"' || v[0] == '\'') && v[vn - 1] == v[0]) {
        v++;
        vn -= 2;
    }
    return strndup(v, vn);
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

void *agent_dlopen(cJSON *obj, const char *lib, const char *state_key)
{
    void *handle = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
    const char *why;
    char fallback[160];

    if (handle)
        return handle;
    why = dlerror();
    if (!why) {
        snprintf(fallback, sizeof(fallback), "%s: cannot be opened", lib);
        why = fallback;
    }
    ptd_json_add_str(obj, state_key, "missing");
    ptd_json_add_str(obj, "error", why);
    return NULL;
}

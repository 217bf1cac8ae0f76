/* SPDX-License-Identifier: MIT */
/* -cpu in a QEMU command line or `args:`. See vm_cpu_cmdline.h. */
#include "vm_cpu_cmdline.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Shell-style split of text into a NULL-terminated vector (caller frees with free_words). */
static char **split_words(const char *text, size_t *count)
{
    size_t cap = 16, n = 0, len = strlen(text), o;
    char **v = calloc(cap, sizeof(*v)), *w = malloc(len + 1);
    const char *p = text;

    if (!v || !w)
        goto fail;
    while (*p) {
        bool any = false;
        while (*p && (isspace((unsigned char)*p) || (*p == '\\' && p[1] == '\n'))) {
            p += *p == '\\' ? 2 : 1;
        }
        if (!*p)
            break;
        o = 0;
        while (*p && !isspace((unsigned char)*p)) {
            any = true;
            if (*p == '\'') {
                for (p++; *p && *p != '\''; p++)
                    w[o++] = *p;
                if (*p)
                    p++;
            } else if (*p == '"') {
                for (p++; *p && *p != '"'; p++) {
                    if (*p == '\\' && p[1])
                        p++;
                    w[o++] = *p;
                }
                if (*p)
                    p++;
            } else if (*p == '\\' && p[1]) {
                if (p[1] == '\n') {
                    p += 2;
                    continue;
                }
                w[o++] = p[1];
                p += 2;
            } else {
                w[o++] = *p++;
            }
        }
        if (!any)
            continue;
        w[o] = '\0';
        if (n + 1 >= cap) {
            char **g = realloc(v, cap * 2 * sizeof(*v));
            if (!g)
                goto fail;
            v = g;
            cap *= 2;
        }
        if (!(v[n++] = strdup(w)))
            goto fail;
        v[n] = NULL;
    }
    free(w);
    *count = n;
    return v;
fail:
    if (v)
        for (o = 0; o < n; o++)
            free(v[o]);
    free(v);
    free(w);
    return NULL;
}

static void free_words(char **v)
{
    size_t i;

    for (i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

char *vm_cpu_arg_from_cmdline(const char *text)
{
    size_t n = 0, i;
    char **w = split_words(text ? text : "", &n), *ret = NULL;

    if (!w)
        return NULL;
    for (i = 0; i + 1 < n; i++)
        if (!strcmp(w[i], "-cpu") || !strcmp(w[i], "--cpu")) {
            free(ret);
            ret = strdup(w[i + 1]);
        }
    free_words(w);
    return ret;
}

char *vm_cpu_args_without_cpu(const char *args)
{
    size_t n = 0, i, o = 0, cap;
    char **w = split_words(args ? args : "", &n), *out;

    if (!w)
        return NULL;
    cap = strlen(args ? args : "") * 4 + 16;
    out = malloc(cap);
    for (i = 0; out && i < n; i++) {
        const char *p;
        if ((!strcmp(w[i], "-cpu") || !strcmp(w[i], "--cpu")) && i + 1 < n) {
            i++;
            continue;
        }
        if (o)
            out[o++] = ' ';
        /* re-quote words a shell would split or expand */
        if (!*w[i] || strpbrk(w[i], " \t'\"\\$`;&|<>()*?[]#~")) {
            out[o++] = '\'';
            for (p = w[i]; *p; p++) {
                if (*p == '\'') {
                    memcpy(out + o, "'\\''", 4);
                    o += 4;
                } else {
                    out[o++] = *p;
                }
            }
            out[o++] = '\'';
        } else {
            size_t l = strlen(w[i]);
            memcpy(out + o, w[i], l);
            o += l;
        }
    }
    free_words(w);
    if (!out)
        return NULL;
    out[o] = '\0';
    if (!o) {
        free(out);
        return NULL;
    }
    return out;
}

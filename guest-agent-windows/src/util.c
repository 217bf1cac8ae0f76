/* SPDX-License-Identifier: MIT */
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"

char *ptw_utf8(const wchar_t *w, char *buf, size_t buflen)
{
    int n;

    if (!buflen)
        return buf;
    buf[0] = '\0';
    if (!w)
        return buf;
    n = WideCharToMultiByte(CP_UTF8, 0, w, -1, buf, (int)buflen, NULL, NULL);
    if (n <= 0) {
        /* Too long for buf: convert into a temporary and cut at a character boundary. */
        char *tmp = ptw_utf8_dup(w);
        size_t len;

        if (!tmp)
            return buf;
        len = strlen(tmp);
        if (len >= buflen) {
            len = buflen - 1;
            while (len > 0 && ((unsigned char)tmp[len] & 0xC0) == 0x80)
                len--;
        }
        memcpy(buf, tmp, len);
        buf[len] = '\0';
        free(tmp);
    }
    return buf;
}

char *ptw_utf8_dup(const wchar_t *w)
{
    int n = w ? WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL) : 0;
    char *s;

    if (n <= 0)
        return NULL;
    s = malloc((size_t)n);
    if (s && WideCharToMultiByte(CP_UTF8, 0, w, -1, s, n, NULL, NULL) <= 0) {
        free(s);
        return NULL;
    }
    return s;
}

wchar_t *ptw_wide_dup(const char *s)
{
    int n = s ? MultiByteToWideChar(CP_UTF8, 0, s, -1, NULL, 0) : 0;
    wchar_t *w;

    if (n <= 0)
        return NULL;
    w = malloc((size_t)n * sizeof(wchar_t));
    if (w && MultiByteToWideChar(CP_UTF8, 0, s, -1, w, n) <= 0) {
        free(w);
        return NULL;
    }
    return w;
}

void ptw_luid_string(uint32_t high, uint32_t low, char *buf, size_t buflen)
{
    snprintf(buf, buflen, "%08lx:%08lx", (unsigned long)high, (unsigned long)low);
}

const char *ptw_win_error(unsigned long code, char *buf, size_t buflen)
{
    wchar_t msg[256];
    size_t n;

    if (FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL,
                       (DWORD)code, 0, msg, sizeof(msg) / sizeof(msg[0]), NULL) == 0) {
        snprintf(buf, buflen, "error 0x%08lx", code);
        return buf;
    }
    ptw_utf8(msg, buf, buflen);
    n = strlen(buf);
    while (n > 0 &&
           (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' ' || buf[n - 1] == '.'))
        buf[--n] = '\0';
    /* Keep the code: messages differ between Windows languages, the code does not. */
    if (n + 16 < buflen)
        snprintf(buf + n, buflen - n, " (0x%08lx)", code);
    return buf;
}

cJSON *ptw_obj(cJSON *parent, const char *key)
{
    cJSON *o = cJSON_GetObjectItemCaseSensitive(parent, key);

    if (!o)
        o = cJSON_AddObjectToObject(parent, key);
    return o;
}

/* SPDX-License-Identifier: MIT */
#include "ptdiag/log.h"
#include "ptdiag/escape.h"

#include <stdarg.h>
#include <stdio.h>

static enum ptd_log_level current_level = PTD_LOG_WARN;
static ptd_log_sink current_sink;
static void *current_user;

static const char *const level_names[] = {"error", "warning", "info", "debug"};
_Static_assert(sizeof(level_names) / sizeof(level_names[0]) == PTD_LOG_DEBUG + 1,
               "level_names out of sync with enum ptd_log_level");

void ptd_log_set_level(enum ptd_log_level level)
{
    current_level = level;
}

enum ptd_log_level ptd_log_get_level(void)
{
    return current_level;
}

void ptd_log_set_sink(ptd_log_sink sink, void *user)
{
    current_sink = sink;
    current_user = user;
}

void ptd_log(enum ptd_log_level level, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    if (level > current_level)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (current_sink) {
        current_sink(level, msg, current_user);
        return;
    }
    /* messages quote files and documents another user may have written (issue 13) */
    fprintf(stderr, "ptdiag: %s: %s\n", level_names[level], ptd_esc_tmp(msg, 0));
}

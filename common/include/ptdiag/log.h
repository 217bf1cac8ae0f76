/* SPDX-License-Identifier: MIT */
/* Diagnostics for people running the tools: always to stderr (or a sink), never stdout. */
#ifndef PTDIAG_LOG_H
#define PTDIAG_LOG_H

#include "ptdiag/error.h"

enum ptd_log_level {
    PTD_LOG_ERROR = 0,
    PTD_LOG_WARN,
    PTD_LOG_INFO,
    PTD_LOG_DEBUG,
};

typedef void (*ptd_log_sink)(enum ptd_log_level level, const char *msg, void *user);

/* Messages above `level` are dropped. Default: PTD_LOG_WARN. */
void ptd_log_set_level(enum ptd_log_level level);
enum ptd_log_level ptd_log_get_level(void);

/* Replaces the stderr sink (tests capture messages this way); NULL restores stderr. */
void ptd_log_set_sink(ptd_log_sink sink, void *user);

void ptd_log(enum ptd_log_level level, const char *fmt, ...) PTD_PRINTF(2, 3);

#define PTD_ERR(...)   ptd_log(PTD_LOG_ERROR, __VA_ARGS__)
#define PTD_WARN(...)  ptd_log(PTD_LOG_WARN, __VA_ARGS__)
#define PTD_INFO(...)  ptd_log(PTD_LOG_INFO, __VA_ARGS__)
#define PTD_DEBUG(...) ptd_log(PTD_LOG_DEBUG, __VA_ARGS__)

#endif

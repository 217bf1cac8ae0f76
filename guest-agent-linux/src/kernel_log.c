/* SPDX-License-Identifier: MIT */
/* doc.kernel_log: the guest's kernel log classified into events (ptdiag/kmsg.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "ptdiag/doc.h"
#include "ptdiag/kmsg.h"

/* Enough for a log full of Xid storms; the newest are kept. */
#define AGENT_MAX_EVENTS 512

void agent_ctx_load_kmsg(struct agent_ctx *ctx)
{
    free(ctx->kmsg);
    ctx->kmsg = NULL;
    ctx->kmsg_len = 0;
    ctx->kmsg_status = ptd_kmsg_read(ctx->root, &ctx->kmsg, &ctx->kmsg_len);
}

void agent_ctx_fini(struct agent_ctx *ctx)
{
    free(ctx->kmsg);
    ctx->kmsg = NULL;
}

static bool newest_cb(double time_s, const char *msg, void *user)
{
    double *newest = user;

    (void)msg;
    if (time_s > *newest)
        *newest = time_s;
    return true;
}

double agent_kmsg_newest_time(const struct agent_ctx *ctx)
{
    double newest = -1;

    if (ctx->kmsg_status == 0 && ctx->kmsg)
        ptd_kmsg_split(ctx->kmsg, ctx->kmsg_len, newest_cb, &newest);
    return newest;
}

void agent_kernel_log(struct agent_ctx *ctx)
{
    cJSON *log = agent_obj(ctx->doc, "kernel_log");
    cJSON *events;

    if (!log)
        return;
    ptd_json_add_str(log, "source", "/dev/kmsg"); /* below doc.root when set */
    ptd_json_add_tri(log, "readable", ctx->kmsg_status == 0);
    if (ctx->kmsg_status != 0) {
        cJSON_AddNullToObject(log, "events"); /* unknown, not "no events" */
        ptd_doc_add_error(ctx->doc, "kernel_log", "/dev/kmsg: %s%s", strerror(-ctx->kmsg_status),
                          ctx->kmsg_status == -EPERM
                              ? " (kernel.dmesg_restrict: run as root for the kernel log)"
                              : "");
        return;
    }
    events = cJSON_AddArrayToObject(log, "events");
    if (events)
        ptd_kmsg_collect(ctx->kmsg, ctx->kmsg_len, events, AGENT_MAX_EVENTS);
}

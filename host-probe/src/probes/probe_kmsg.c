/* SPDX-License-Identifier: MIT */
/*
 * The "kmsg" probe: the kernel log as structured events (doc.kernel_log), and the one
 * IOMMU fact only the log tells: whether interrupt remapping is up
 * (doc.system.iommu.irq_remapping).
 */
#include "probe.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"
#include "ptdiag/kmsg.h"

#define SOURCE "kmsg"

/* The newest events kept; a DMAR fault storm can log thousands of lines. */
#define MAX_EVENTS 512

struct irq_scan {
    bool enabled, missing;
};

/* Looks at every message, not only the newest MAX_EVENTS: the "enabled" line is logged at
 * boot and a fault storm must not push it out of the answer. */
static bool scan_irq(double time_s, const char *msg, void *user)
{
    struct irq_scan *s = user;
    struct ptd_kmsg_event ev;

    ev.time_s = time_s;
    if (ptd_kmsg_classify(msg, &ev)) {
        if (ev.kind == PTD_KMSG_IRQ_REMAP_ENABLED)
            s->enabled = true;
        else if (ev.kind == PTD_KMSG_IRQ_REMAP_MISSING)
            s->missing = true;
    }
    return true;
}

static void set_irq_remapping(struct probe_ctx *ctx, int tri)
{
    cJSON *sys = cJSON_GetObjectItemCaseSensitive(ctx->doc, "system");
    cJSON *iommu = cJSON_GetObjectItemCaseSensitive(sys, "iommu");
    cJSON *v;

    if (!iommu)
        return;
    v = tri < 0 ? cJSON_CreateNull() : cJSON_CreateBool(tri > 0);
    if (v && !cJSON_ReplaceItemInObjectCaseSensitive(iommu, "irq_remapping", v) &&
        !cJSON_AddItemToObject(iommu, "irq_remapping", v))
        cJSON_Delete(v);
}

static void redact_events(cJSON *events)
{
    cJSON *ev;

    cJSON_ArrayForEach(ev, events)
    {
        static const char *const keys[] = {"text", "detail"};
        size_t i;

        for (i = 0; i < 2; i++) {
            cJSON *s = cJSON_GetObjectItemCaseSensitive(ev, keys[i]);
            char *r;

            if (!cJSON_IsString(s))
                continue;
            r = host_redact_text(s->valuestring, strlen(s->valuestring), NULL, NULL);
            if (r)
                cJSON_SetValuestring(s, r);
            free(r);
        }
    }
}

void probe_kmsg_run(struct probe_ctx *ctx)
{
    cJSON *kl = cJSON_AddObjectToObject(ctx->doc, "kernel_log"), *events;
    struct irq_scan scan = {false, false};
    char *buf = NULL;
    size_t len = 0;
    int ret;

    if (!kl)
        return;
    ret = ptd_kmsg_read(ctx->root, &buf, &len);
    if (ret == -ENOENT) {
        cJSON_AddNullToObject(kl, "source");
    } else {
        cJSON_AddStringToObject(kl, "source", "/dev/kmsg");
    }
    cJSON_AddBoolToObject(kl, "readable", ret == 0);
    events = cJSON_AddArrayToObject(kl, "events");
    if (ret) {
        if (ret == -EPERM)
            ptd_doc_add_error(ctx->doc, SOURCE,
                              "/dev/kmsg: not permitted (kernel.dmesg_restrict=1 hides the log "
                              "from non-root users; run as root)");
        else
            ptd_doc_add_error(ctx->doc, SOURCE, "/dev/kmsg: %s", strerror(-ret));
        ptd_doc_add_error(ctx->doc, SOURCE, "interrupt remapping: unknown without the kernel log");
        set_irq_remapping(ctx, -1);
        return;
    }
    if (events) {
        ptd_kmsg_collect(buf, len, events, MAX_EVENTS);
        if (ctx->redact)
            redact_events(events);
    }
    ptd_kmsg_split(buf, len, scan_irq, &scan);
    /* vfio's "No interrupt remapping support" is what VFIO itself concluded when it
     * attached a group, so it outweighs a boot line about some IOMMU unit */
    if (scan.missing) {
        set_irq_remapping(ctx, 0);
    } else if (scan.enabled) {
        set_irq_remapping(ctx, 1);
    } else {
        ptd_doc_add_error(ctx->doc, SOURCE,
                          "interrupt remapping: the kernel log says neither 'Enabled IRQ "
                          "remapping' nor 'No interrupt remapping support' (IOMMU off, or the "
                          "boot messages have left the ring buffer)");
        set_irq_remapping(ctx, -1);
    }
    free(buf);
}

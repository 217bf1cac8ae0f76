/* SPDX-License-Identifier: MIT */
/*
 * --soak FILE: one compact ptdiag.soak/1 sample per run (docs/schema.md "Soak log lines"),
 * appended through the shared crash-safe writer (ptdiag/soak.h).
 */
#include <math.h>
#include <string.h>

#include "agent.h"
#include "ptdiag/doc.h"
#include "ptdiag/log.h"
#include "ptdiag/soak.h"

/* Display functions that are the hypervisor's own (emulated VGA), not a passed GPU:
 * QEMU/Bochs stdvga, virtio-gpu, Cirrus, VMware SVGA, QXL. */
static bool is_emulated(const char *vendor)
{
    static const char *const ids[] = {"1234", "1af4", "1013", "15ad", "1b36"};
    size_t i;

    for (i = 0; vendor && i < sizeof(ids) / sizeof(ids[0]); i++)
        if (strcmp(vendor, ids[i]) == 0)
            return true;
    return false;
}

/* Kernel-log kinds that say something went wrong (the rest are informational). */
static bool is_error_kind(const char *kind)
{
    static const char *const info[] = {"iommu-enabled", "irq-remapping-enabled",
                                       "hypervisor-detected", "vendor-reset"};
    size_t i;

    if (!kind)
        return false;
    for (i = 0; i < sizeof(info) / sizeof(info[0]); i++)
        if (strcmp(kind, info[i]) == 0)
            return false;
    return true;
}

/* Kinds that mean the driver failed to bring the GPU up (state "error"). */
static bool is_driver_failure(const char *kind)
{
    static const char *const fail[] = {
        "nvrm-open-module-required", "nvrm-rminitadapter-failed", "nvrm-init-failed",
        "nvrm-api-mismatch",         "nvrm-fallen-off-bus",       "amdgpu-init-failed",
        "amdgpu-no-vbios",           "driver-probe-failed",       "intel-gpu-init-failed"};
    size_t i;

    for (i = 0; kind && i < sizeof(fail) / sizeof(fail[0]); i++)
        if (strcmp(kind, fail[i]) == 0)
            return true;
    return false;
}

static void add_copy(cJSON *dst, const char *key, const cJSON *src)
{
    cJSON *c = src ? cJSON_Duplicate(src, true) : cJSON_CreateNull();

    if (!c || !cJSON_AddItemToObject(dst, key, c))
        cJSON_Delete(c);
}

/* Whether a hardware video path was there: true (codecs listed), false ([] none), null
 * (unknown): a later sample that says false where an earlier said true is a regression. */
static void add_path(cJSON *dst, const char *key, const cJSON *gpu, const char *path)
{
    const cJSON *list = ptd_json_get(gpu, path);

    if (cJSON_IsArray(list))
        cJSON_AddBoolToObject(dst, key, cJSON_GetArraySize(list) > 0);
    else
        cJSON_AddNullToObject(dst, key);
}

static void add_driver(cJSON *sample, const cJSON *doc, const cJSON *gpu)
{
    cJSON *drv = cJSON_AddObjectToObject(sample, "driver");
    const char *name = gpu ? ptd_json_get_str(gpu, "driver") : NULL;
    const char *nvml = ptd_json_get_str(doc, "nvidia.nvml.status");
    const char *version = NULL;
    bool failed = nvml && strcmp(nvml, "error") == 0;
    const cJSON *ev;

    cJSON_ArrayForEach(ev, ptd_json_get(doc, "kernel_log.events")) failed =
        failed || is_driver_failure(ptd_json_get_str(ev, "kind"));
    if (name && strcmp(name, "nvidia") == 0)
        version = ptd_json_get_str(doc, "nvidia.kernel_module.version");
    ptd_json_add_str(drv, "state", !name ? "missing" : failed ? "error" : "ok");
    ptd_json_add_str(drv, "name", name);
    ptd_json_add_str(drv, "version", version);
}

cJSON *agent_soak_sample(const cJSON *doc, const cJSON *previous, double kmsg_newest_s)
{
    cJSON *s = cJSON_CreateObject(), *gpus, *events;
    const cJSON *g, *ev, *first = NULL;
    const char *boot = ptd_json_get_str(doc, "system.boot_id");
    const char *prev_boot = previous ? ptd_json_get_str(previous, "boot_id") : NULL;
    double cutoff = -INFINITY;

    if (!s)
        return NULL;
    ptd_json_add_str(s, "schema", PTD_SCHEMA_SOAK);
    ptd_json_add_str(s, "t", ptd_json_get_str(doc, "collected_at"));
    ptd_json_add_str(s, "boot_id", boot);
    add_copy(s, "uptime_s", ptd_json_get(doc, "system.uptime_s"));
    ptd_json_add_str(s, "host", ptd_json_get_str(doc, "system.hostname"));
    ptd_json_add_str(s, "os", "linux");

    gpus = cJSON_CreateArray();
    cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(doc, "gpus"))
    {
        cJSON *o;

        if (is_emulated(ptd_json_get_str(g, "vendor_id")))
            continue;
        if (!first)
            first = g;
        o = cJSON_CreateObject();
        if (!o || !cJSON_AddItemToArray(gpus, o)) {
            cJSON_Delete(o);
            break;
        }
        add_copy(o, "vendor_id", cJSON_GetObjectItemCaseSensitive(g, "vendor_id"));
        add_copy(o, "device_id", cJSON_GetObjectItemCaseSensitive(g, "device_id"));
        add_copy(o, "location", cJSON_GetObjectItemCaseSensitive(g, "location"));
        add_copy(o, "driver", cJSON_GetObjectItemCaseSensitive(g, "driver"));
        add_copy(o, "vram_total_bytes", cJSON_GetObjectItemCaseSensitive(g, "vram_total_bytes"));
        add_copy(o, "vram_used_bytes", cJSON_GetObjectItemCaseSensitive(g, "vram_used_bytes"));
        add_path(o, "decode", g, "video.decode_codecs");
        add_path(o, "encode", g, "video.encode_codecs");
    }
    add_driver(s, doc, first);
    if (!cJSON_AddItemToObject(s, "gpus", gpus))
        cJSON_Delete(gpus);

    /* New since the previous sample: same boot and a later kernel-log time. A sample from an
     * older writer without kmsg_until_s falls back to its uptime (printk time <= uptime). */
    if (boot && prev_boot && strcmp(boot, prev_boot) == 0) {
        const cJSON *until = cJSON_GetObjectItemCaseSensitive(previous, "kmsg_until_s");

        if (!cJSON_IsNumber(until))
            until = cJSON_GetObjectItemCaseSensitive(previous, "uptime_s");
        if (cJSON_IsNumber(until))
            cutoff = until->valuedouble;
    }
    if (ptd_json_get_tri(doc, "kernel_log.readable") != 1) {
        cJSON_AddNullToObject(s, "events"); /* unknown: the log could not be read */
        cJSON_AddNullToObject(s, "kmsg_until_s");
        return s;
    }
    events = cJSON_AddArrayToObject(s, "events");
    cJSON_ArrayForEach(ev, ptd_json_get(doc, "kernel_log.events"))
    {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(ev, "time_s");
        cJSON *o;

        if (!is_error_kind(ptd_json_get_str(ev, "kind")))
            continue;
        /* an event without a timestamp cannot be placed: count it only in a boot's first */
        if (cJSON_IsNumber(t) ? !(t->valuedouble > cutoff) : cutoff != -INFINITY)
            continue;
        o = cJSON_CreateObject();
        if (!o || !cJSON_AddItemToArray(events, o)) {
            cJSON_Delete(o);
            break;
        }
        add_copy(o, "kind", cJSON_GetObjectItemCaseSensitive(ev, "kind"));
        add_copy(o, "code", cJSON_GetObjectItemCaseSensitive(ev, "code"));
        add_copy(o, "time_s", t);
        add_copy(o, "device", cJSON_GetObjectItemCaseSensitive(ev, "device"));
        add_copy(o, "detail", cJSON_GetObjectItemCaseSensitive(ev, "detail"));
        add_copy(o, "text", cJSON_GetObjectItemCaseSensitive(ev, "text"));
    }
    ptd_json_add_num(s, "kmsg_until_s", kmsg_newest_s, kmsg_newest_s >= 0);
    return s;
}

int agent_soak_append(struct agent_ctx *ctx, const char *path, struct ptd_error *err)
{
    cJSON *prev = NULL, *sample = NULL;
    int ret = -1;

    if (ptd_soak_last_sample(path, &prev, err) < 0)
        goto out;
    sample = agent_soak_sample(ctx->doc, prev, agent_kmsg_newest_time(ctx));
    if (!sample) {
        ptd_error_set(err, "%s: out of memory building the sample", path);
        goto out;
    }
    ret = ptd_soak_append_json(path, sample, err);
out:
    cJSON_Delete(prev);
    cJSON_Delete(sample);
    return ret;
}

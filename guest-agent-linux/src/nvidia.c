/* SPDX-License-Identifier: MIT */
/*
 * doc.nvidia: the NVIDIA kernel module (/proc/driver/nvidia/version: version, open or
 * proprietary build), its per-GPU information files, and NVML (nvml.c, live only).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agent.h"
#include "ptdiag/doc.h"

#define SRC "nvidia"

/* "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  570.86.16  Release Build ..." or
 * "NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.14  Thu Feb 22 ...": the version is
 * the first dotted number after "Kernel Module". */
static bool parse_version_line(const char *line, char *version, size_t vlen, bool *open)
{
    const char *p = strstr(line, "Kernel Module");

    if (!p)
        return false;
    *open = strstr(line, "Open Kernel Module") != NULL;
    for (p += strlen("Kernel Module"); *p;) {
        size_t n;

        while (*p == ' ' || *p == '\t')
            p++;
        n = strcspn(p, " \t\n");
        if (n > 0 && n < vlen && isdigit((unsigned char)p[0]) && memchr(p, '.', n) &&
            strspn(p, "0123456789.") == n) {
            memcpy(version, p, n);
            version[n] = '\0';
            return true;
        }
        p += n;
    }
    return false;
}

static bool add_kernel_module(struct agent_ctx *ctx, cJSON *nv)
{
    char *text = NULL, version[32];
    const char *path = "/proc/driver/nvidia/version";
    bool open = false;
    cJSON *km;
    size_t n;
    int r;

    r = ptd_root_read_file(ctx->root, path, 64 * 1024, &text, NULL);
    if (r != 0) {
        cJSON_AddNullToObject(nv, "kernel_module");
        if (r != -ENOENT)
            ptd_doc_add_error(ctx->doc, SRC, "%s: %s", path, strerror(-r));
        return false;
    }
    agent_sanitize(text);
    n = strcspn(text, "\n");
    text[n] = '\0';
    km = cJSON_AddObjectToObject(nv, "kernel_module");
    if (parse_version_line(text, version, sizeof(version), &open)) {
        ptd_json_add_str(km, "version", version);
        ptd_json_add_str(km, "flavor", open ? "open" : "proprietary");
    } else {
        ptd_json_add_str(km, "version", NULL);
        ptd_json_add_str(km, "flavor", NULL);
        ptd_doc_add_error(ctx->doc, SRC, "%s: unrecognised first line '%.80s'", path, text);
    }
    ptd_json_add_str(km, "raw", text);
    free(text);
    return true;
}

/* "Model: \t\t NVIDIA GeForce RTX 3090" → "NVIDIA GeForce RTX 3090" */
static char *info_value(const char *text, const char *key)
{
    const char *v;
    size_t vn;

    if (!agent_key_line(text, key, ':', &v, &vn))
        return NULL;
    while (vn > 0 && isspace((unsigned char)*v)) {
        v++;
        vn--;
    }
    while (vn > 0 && isspace((unsigned char)v[vn - 1]))
        vn--;
    return strndup(v, vn);
}

static void add_info_str(cJSON *obj, const char *key, const char *text, const char *label)
{
    char *v = info_value(text, label);

    ptd_json_add_str(obj, key, v);
    free(v);
}

static int add_proc_gpus(struct agent_ctx *ctx, cJSON *nv)
{
    const char *dir = "/proc/driver/nvidia/gpus";
    cJSON *gpus = cJSON_AddArrayToObject(nv, "gpus");
    char **names = NULL, path[PATH_MAX];
    size_t n = 0, i;
    int r;

    r = ptd_root_list_dir(ctx->root, dir, &names, &n);
    if (r != 0) {
        if (r != -ENOENT)
            ptd_doc_add_error(ctx->doc, SRC, "%s: %s", dir, strerror(-r));
        return 0;
    }
    for (i = 0; i < n; i++) {
        char *text = NULL, *irq;
        cJSON *g;

        snprintf(path, sizeof(path), "%s/%s/information", dir, names[i]);
        r = ptd_root_read_file(ctx->root, path, 64 * 1024, &text, NULL);
        if (r != 0) {
            ptd_doc_add_error(ctx->doc, SRC, "%s: %s", path, strerror(-r));
            continue;
        }
        agent_sanitize(text);
        g = cJSON_CreateObject();
        if (!g || !cJSON_AddItemToArray(gpus, g)) {
            cJSON_Delete(g);
            free(text);
            break;
        }
        ptd_json_add_str(g, "bus", names[i]);
        add_info_str(g, "model", text, "Model");
        irq = info_value(text, "IRQ");
        ptd_json_add_num(g, "irq", irq ? atof(irq) : 0, irq && isdigit((unsigned char)irq[0]));
        free(irq);
        add_info_str(g, "video_bios", text, "Video BIOS");
        add_info_str(g, "bus_type", text, "Bus Type");
        add_info_str(g, "uuid", text, "GPU UUID");
        add_info_str(g, "excluded", text, "GPU Excluded");
        ptd_json_add_str(g, "raw", text);
        free(text);
    }
    ptd_strv_free(names);
    return (int)cJSON_GetArraySize(gpus);
}

static bool any_nvidia_gpu(const cJSON *doc)
{
    const cJSON *g;

    cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(doc, "gpus"))
    {
        const char *v = ptd_json_get_str(g, "vendor_id");

        if (v && strcmp(v, "10de") == 0)
            return true;
    }
    return false;
}

/* Copies NVML's memory figures onto the doc.gpus entry at the same PCI address. */
static void fill_gpu_vram(cJSON *doc, const cJSON *nvml)
{
    const cJSON *dev;

    cJSON_ArrayForEach(dev, cJSON_GetObjectItemCaseSensitive(nvml, "devices"))
    {
        const char *bus = ptd_json_get_str(dev, "pci_bus_id");
        cJSON *g;

        if (!bus)
            continue;
        cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(doc, "gpus"))
        {
            const char *loc = ptd_json_get_str(g, "location");
            const cJSON *tot = cJSON_GetObjectItemCaseSensitive(dev, "memory_total_bytes");
            const cJSON *used = cJSON_GetObjectItemCaseSensitive(dev, "memory_used_bytes");

            if (!loc || strcasecmp(loc, bus) != 0)
                continue;
            if (cJSON_IsNumber(tot))
                cJSON_ReplaceItemInObjectCaseSensitive(g, "vram_total_bytes",
                                                       cJSON_CreateNumber(tot->valuedouble));
            if (cJSON_IsNumber(used))
                cJSON_ReplaceItemInObjectCaseSensitive(g, "vram_used_bytes",
                                                       cJSON_CreateNumber(used->valuedouble));
        }
    }
}

void agent_nvidia(struct agent_ctx *ctx)
{
    cJSON *nv = cJSON_CreateObject(), *nvml;
    bool module;
    const char *status;

    if (!nv)
        return;
    module = add_kernel_module(ctx, nv);
    add_proc_gpus(ctx, nv);
    if (ctx->live) {
        char why[160] = "";

        nvml = agent_isolated(agent_nvml_query, NULL, why, sizeof(why));
        if (!nvml) {
            /* a hung or crashed NVML is itself the finding: the driver is in trouble */
            nvml = cJSON_CreateObject();
            ptd_json_add_str(nvml, "status", "error");
            ptd_json_add_str(nvml, "error", why);
            ptd_doc_add_error(ctx->doc, "nvml", "NVML query: %s", why);
        }
    } else {
        nvml = cJSON_CreateObject();
        ptd_json_add_str(nvml, "status", "unknown");
        ptd_json_add_str(nvml, "error", "not queried under --root");
    }
    status = ptd_json_get_str(nvml, "status");
    /* No module, no NVIDIA device and no NVML library (or, under --root, no way to ask NVML):
     * nothing NVIDIA here (schema: null). */
    if (!module && !any_nvidia_gpu(ctx->doc) &&
        (!ctx->live || (status && strcmp(status, "missing") == 0))) {
        cJSON_Delete(nvml);
        cJSON_Delete(nv);
        cJSON_AddNullToObject(ctx->doc, "nvidia");
        return;
    }
    if (!nvml || !cJSON_AddItemToObject(nv, "nvml", nvml))
        cJSON_Delete(nvml);
    else
        fill_gpu_vram(ctx->doc, nvml);
    if (!ctx->live && any_nvidia_gpu(ctx->doc))
        ptd_doc_add_error(ctx->doc, "nvml", "NVML: not queried under --root");
    cJSON_AddItemToObject(ctx->doc, "nvidia", nv);
}

/* SPDX-License-Identifier: MIT */
/*
 * doc.amdgpu and doc.intel: what the amdgpu, i915 and xe drivers publish in sysfs about
 * each GPU they drive. amdgpu's memory counters also fill gpus[].vram_*_bytes.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "ptdiag/doc.h"

/* Adds obj[key] from a sysfs number; absent → null (older kernels lack some of them). */
static bool add_u64_attr(struct agent_ctx *ctx, cJSON *obj, const char *key, const char *bdf,
                         const char *attr, uint64_t *out, const char *src)
{
    char path[PATH_MAX];
    uint64_t v = 0;
    int r;

    snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", bdf, attr);
    r = ptd_root_read_u64(ctx->root, path, &v);
    if (r != 0 && r != -ENOENT)
        ptd_doc_add_error(ctx->doc, src, "%s: %s", path,
                          r == -EINVAL ? "not a number" : strerror(-r));
    ptd_json_add_u64(obj, key, v, r == 0);
    if (out)
        *out = v;
    return r == 0;
}

static void set_num(cJSON *gpu, const char *key, uint64_t v)
{
    cJSON_ReplaceItemInObjectCaseSensitive(gpu, key, cJSON_CreateNumber((double)v));
}

static void add_amdgpu(struct agent_ctx *ctx, cJSON *list, cJSON *gpu, const char *bdf)
{
    cJSON *a = cJSON_CreateObject();
    uint64_t total = 0, used = 0;

    if (!a || !cJSON_AddItemToArray(list, a)) {
        cJSON_Delete(a);
        return;
    }
    ptd_json_add_str(a, "bdf", bdf);
    if (add_u64_attr(ctx, a, "vram_total_bytes", bdf, "mem_info_vram_total", &total, "amdgpu"))
        set_num(gpu, "vram_total_bytes", total);
    if (add_u64_attr(ctx, a, "vram_used_bytes", bdf, "mem_info_vram_used", &used, "amdgpu"))
        set_num(gpu, "vram_used_bytes", used);
    add_u64_attr(ctx, a, "vis_vram_total_bytes", bdf, "mem_info_vis_vram_total", NULL, "amdgpu");
    add_u64_attr(ctx, a, "gtt_total_bytes", bdf, "mem_info_gtt_total", NULL, "amdgpu");
}

/* The first DRM card directory of a PCI function ("card0"), or false. */
static bool drm_card(struct agent_ctx *ctx, const char *bdf, char *card, size_t len)
{
    char path[PATH_MAX], **names = NULL;
    size_t n = 0, i;
    bool found = false;

    snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/drm", bdf);
    if (ptd_root_list_dir(ctx->root, path, &names, &n) != 0)
        return false;
    for (i = 0; i < n && !found; i++) {
        if (strncmp(names[i], "card", 4) == 0 && names[i][4] && !strchr(names[i], '-')) {
            snprintf(card, len, "%s", names[i]);
            found = true;
        }
    }
    ptd_strv_free(names);
    return found;
}

static void add_intel(struct agent_ctx *ctx, cJSON *list, const char *bdf, const char *driver)
{
    cJSON *o = cJSON_CreateObject();
    char card[32], attr[96];
    bool has_card;

    if (!o || !cJSON_AddItemToArray(list, o)) {
        cJSON_Delete(o);
        return;
    }
    ptd_json_add_str(o, "bdf", bdf);
    ptd_json_add_str(o, "driver", driver);
    has_card = drm_card(ctx, bdf, card, sizeof(card));
    ptd_json_add_str(o, "drm_card", has_card ? card : NULL);
    if (strcmp(driver, "i915") == 0 && has_card) {
        /* i915 publishes its GT frequency range on the card: RP0 is the hardware maximum. */
        snprintf(attr, sizeof(attr), "drm/%s/gt_RP0_freq_mhz", card);
        add_u64_attr(ctx, o, "rp0_freq_mhz", bdf, attr, NULL, "intel");
        snprintf(attr, sizeof(attr), "drm/%s/gt_max_freq_mhz", card);
        add_u64_attr(ctx, o, "max_freq_mhz", bdf, attr, NULL, "intel");
    } else if (strcmp(driver, "xe") == 0) {
        /* xe keeps them per tile/GT on the PCI device */
        add_u64_attr(ctx, o, "rp0_freq_mhz", bdf, "tile0/gt0/freq0/rp0_freq", NULL, "intel");
        add_u64_attr(ctx, o, "max_freq_mhz", bdf, "tile0/gt0/freq0/max_freq", NULL, "intel");
    } else {
        cJSON_AddNullToObject(o, "rp0_freq_mhz");
        cJSON_AddNullToObject(o, "max_freq_mhz");
    }
}

void agent_amd_intel(struct agent_ctx *ctx)
{
    cJSON *amd = cJSON_AddArrayToObject(ctx->doc, "amdgpu");
    cJSON *intel = cJSON_AddArrayToObject(ctx->doc, "intel");
    cJSON *gpu;

    if (!amd || !intel)
        return;
    cJSON_ArrayForEach(gpu, cJSON_GetObjectItemCaseSensitive(ctx->doc, "gpus"))
    {
        const char *bdf = ptd_json_get_str(gpu, "location");
        const char *driver = ptd_json_get_str(gpu, "driver");

        if (!bdf || !driver)
            continue;
        if (strcmp(driver, "amdgpu") == 0)
            add_amdgpu(ctx, amd, gpu, bdf);
        else if (strcmp(driver, "i915") == 0 || strcmp(driver, "xe") == 0)
            add_intel(ctx, intel, bdf, driver);
    }
}

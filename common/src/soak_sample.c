/* SPDX-License-Identifier: MIT */
/* The shared part of a soak sample. See ptdiag/soak_sample.h. */
#include "ptdiag/soak_sample.h"

#include <string.h>

#include "ptdiag/doc.h"

bool ptd_soak_is_emulated_display(const char *vendor_id)
{
    /* QEMU/Bochs stdvga, virtio-gpu (Red Hat), Cirrus, VMware SVGA, QXL (Red Hat), and the
     * 0000 vendor that Wine's adapter and no real PCI function reports. */
    static const char *const ids[] = {"1234", "1af4", "1013", "15ad", "1b36", "0000"};

    for (size_t i = 0; vendor_id && i < sizeof(ids) / sizeof(ids[0]); i++)
        if (strcmp(vendor_id, ids[i]) == 0)
            return true;
    return false;
}

void ptd_soak_add_copy(cJSON *dst, const char *key, const cJSON *src)
{
    cJSON *c = src ? cJSON_Duplicate(src, true) : cJSON_CreateNull();

    if (!c || !cJSON_AddItemToObject(dst, key, c))
        cJSON_Delete(c);
}

cJSON *ptd_soak_sample_new(const cJSON *doc, enum ptd_soak_os os)
{
    cJSON *s = cJSON_CreateObject();

    if (!s)
        return NULL;
    ptd_json_add_str(s, "schema", PTD_SCHEMA_SOAK);
    ptd_json_add_str(s, "t", ptd_json_get_str(doc, "collected_at"));
    ptd_json_add_str(s, "boot_id", ptd_json_get_str(doc, "system.boot_id"));
    ptd_soak_add_copy(s, "uptime_s", ptd_json_get(doc, "system.uptime_s"));
    ptd_json_add_str(s, "host", ptd_json_get_str(doc, "system.hostname"));
    ptd_json_add_str(s, "os", os == PTD_SOAK_WINDOWS ? "windows" : "linux");
    return s;
}

/* Whether a hardware video path was there: true (codecs listed), false ([] none), null
 * (unknown): a later sample that says false where an earlier said true is a regression. */
static void add_video_path(cJSON *dst, const char *key, const cJSON *gpu, const char *path)
{
    const cJSON *list = ptd_json_get(gpu, path);

    if (cJSON_IsArray(list))
        cJSON_AddBoolToObject(dst, key, cJSON_GetArraySize(list) > 0);
    else
        cJSON_AddNullToObject(dst, key);
}

static void add_gpu(cJSON *gpus, const cJSON *g, enum ptd_soak_os os)
{
    cJSON *o = cJSON_CreateObject();

    if (!o || !cJSON_AddItemToArray(gpus, o)) {
        cJSON_Delete(o);
        return;
    }
    ptd_soak_add_copy(o, "vendor_id", cJSON_GetObjectItemCaseSensitive(g, "vendor_id"));
    ptd_soak_add_copy(o, "device_id", cJSON_GetObjectItemCaseSensitive(g, "device_id"));
    ptd_soak_add_copy(o, "location", cJSON_GetObjectItemCaseSensitive(g, "location"));
    ptd_soak_add_copy(o, "driver", cJSON_GetObjectItemCaseSensitive(g, "driver"));
    if (os == PTD_SOAK_WINDOWS)
        ptd_soak_add_copy(o, "problem_code", ptd_json_get(g, "windows.problem_code"));
    ptd_soak_add_copy(o, "vram_total_bytes",
                      cJSON_GetObjectItemCaseSensitive(g, "vram_total_bytes"));
    ptd_soak_add_copy(o, "vram_used_bytes", cJSON_GetObjectItemCaseSensitive(g, "vram_used_bytes"));
    add_video_path(o, "decode", g, "video.decode_codecs");
    add_video_path(o, "encode", g, "video.encode_codecs");
}

cJSON *ptd_soak_sample_gpus(const cJSON *doc, enum ptd_soak_os os, const cJSON **first)
{
    cJSON *gpus = cJSON_CreateArray();
    const cJSON *g;

    *first = NULL;
    if (!gpus)
        return NULL;
    cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(doc, "gpus"))
    {
        const char *vendor = ptd_json_get_str(g, "vendor_id");

        /* A GPU without a vendor id cannot be told from the emulated display: left out. */
        if (!vendor || ptd_soak_is_emulated_display(vendor))
            continue;
        if (!*first)
            *first = g;
        add_gpu(gpus, g, os);
    }
    return gpus;
}

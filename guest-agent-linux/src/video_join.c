/* SPDX-License-Identifier: MIT */
/*
 * gpus[].video: each GPU's hardware decode and encode paths, joined from the API views
 * (doc.video.vaapi, doc.nvidia, doc.vulkan) by PCI address. Pure over the document, so the
 * unit tests give it documents of GPUs this machine does not have.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agent.h"
#include "ptdiag/doc.h"

struct join {
    cJSON *decode, *encode; /* NULL until a source answers for this GPU */
    cJSON *sources;
    int encode_engine, decode_engine; /* NVML: the engine exists 1 / not 0; -1 not asked */
    char reason[240];
};

/* "00000000:01:00.0" (NVML) and "0000:01:00.0" (sysfs) name the same function. */
bool agent_bdf_eq(const char *a, const char *b)
{
    unsigned da, ba, sa, fa, db, bb, sb, fb;

    if (!a || !b || sscanf(a, "%x:%x:%x.%x", &da, &ba, &sa, &fa) != 4 ||
        sscanf(b, "%x:%x:%x.%x", &db, &bb, &sb, &fb) != 4)
        return false;
    return da == db && ba == bb && sa == sb && fa == fb;
}

static const cJSON *find_by_bdf(const cJSON *list, const char *key, const char *bdf)
{
    const cJSON *it;

    cJSON_ArrayForEach(it, list)
    {
        if (agent_bdf_eq(ptd_json_get_str(it, key), bdf))
            return it;
    }
    return NULL;
}

/* Appends "what: detail" (or "what") to the GPU's reason, "; "-separated. */
static void add_reason(struct join *j, const char *what, const char *detail)
{
    size_t n = strlen(j->reason);

    if (n + 3 >= sizeof(j->reason))
        return;
    snprintf(j->reason + n, sizeof(j->reason) - n, "%s%s%s%s", n ? "; " : "", what,
             detail ? ": " : "", detail ? detail : "");
}

static void known(struct join *j, const char *source)
{
    if (!j->decode)
        j->decode = cJSON_CreateArray();
    if (!j->encode)
        j->encode = cJSON_CreateArray();
    if (source)
        agent_add_unique(j->sources, source);
}

static void merge_codecs(cJSON *dst, const cJSON *src)
{
    const cJSON *c;

    cJSON_ArrayForEach(c, src)
    {
        if (cJSON_IsString(c))
            agent_add_unique(dst, c->valuestring);
    }
}

/* Intel and AMD: VA-API on the GPU's render node. */
static void from_vaapi(const cJSON *doc, const cJSON *gpu, struct join *j)
{
    const char *status = ptd_json_get_str(doc, "video.vaapi.status");
    const char *loc = ptd_json_get_str(gpu, "location");
    const cJSON *node;

    if (!status || strcmp(status, "unknown") == 0 || !ptd_json_get_str(gpu, "drm.render"))
        return; /* not asked, or no DRM driver bound (guest-driver-missing says that) */
    if (strcmp(status, "missing") == 0) {
        known(j, NULL);
        add_reason(j, "VA-API", ptd_json_get_str(doc, "video.vaapi.error"));
        return;
    }
    node = find_by_bdf(ptd_json_get(doc, "video.vaapi.nodes"), "location", loc);
    if (!node)
        return;
    known(j, "vaapi");
    merge_codecs(j->decode, cJSON_GetObjectItemCaseSensitive(node, "decode_codecs"));
    merge_codecs(j->encode, cJSON_GetObjectItemCaseSensitive(node, "encode_codecs"));
    if (ptd_json_get_str(node, "error"))
        add_reason(j, "VA-API", ptd_json_get_str(node, "error"));
}

/* NVIDIA: NVML says whether the engine exists; the library says whether apps can use it. */
static void nvidia_side(const cJSON *doc, const cJSON *dev, struct join *j, bool encode)
{
    const char *engine = encode ? "encoder_supported" : "decoder_supported";
    const char *libkey = encode ? "nvidia.encode_library" : "nvidia.decode_library";
    const cJSON *lib = ptd_json_get(doc, libkey);
    int has_engine = ptd_json_get_tri(dev, engine), loadable = ptd_json_get_tri(lib, "loadable");
    cJSON *list = encode ? j->encode : j->decode;
    const cJSON *cap = cJSON_GetObjectItemCaseSensitive(dev, "encoder_capacity_pct"), *c;

    if (has_engine == 0) {
        add_reason(j, encode ? "NVML: this GPU has no NVENC" : "NVML: this GPU has no NVDEC", NULL);
        return;
    }
    if (has_engine != 1 || loadable < 0)
        return;
    if (loadable == 0) {
        /* no library: applications have no path to the engine (the list stays empty) */
        add_reason(j, ptd_json_get_str(lib, "name") ? ptd_json_get_str(lib, "name") : libkey,
                   ptd_json_get_str(lib, "error"));
        return;
    }
    if (!encode)
        return;
    cJSON_ArrayForEach(c, cap)
    {
        if (cJSON_IsNumber(c))
            agent_add_unique(list, c->string);
    }
}

static void from_nvidia(const cJSON *doc, const cJSON *gpu, struct join *j)
{
    const char *status = ptd_json_get_str(doc, "nvidia.nvml.status");
    const cJSON *dev;

    if (!status || strcmp(status, "ok") != 0) {
        if (status && strcmp(status, "unknown") != 0)
            add_reason(j, "NVML", ptd_json_get_str(doc, "nvidia.nvml.error"));
        return;
    }
    dev = find_by_bdf(ptd_json_get(doc, "nvidia.nvml.devices"), "pci_bus_id",
                      ptd_json_get_str(gpu, "location"));
    if (!dev || ptd_json_get_tri(dev, "encoder_supported") < 0)
        return;
    known(j, "nvml");
    j->encode_engine = ptd_json_get_tri(dev, "encoder_supported");
    j->decode_engine = ptd_json_get_tri(dev, "decoder_supported");
    nvidia_side(doc, dev, j, true);
    nvidia_side(doc, dev, j, false);
    /* NVML names no decode codecs: with NVDEC and libnvcuvid the list comes from Vulkan
     * video; without Vulkan video the codecs stay unknown rather than invented. */
    if (ptd_json_get_tri(dev, "decoder_supported") == 1 &&
        ptd_json_get_tri(doc, "nvidia.decode_library.loadable") == 1 &&
        cJSON_GetArraySize(j->decode) == 0) {
        cJSON_Delete(j->decode);
        j->decode = NULL;
        add_reason(j,
                   "NVDEC and libnvcuvid.so.1 present; NVML names no codecs and Vulkan video "
                   "lists none",
                   NULL);
    }
}

static void from_vulkan(const cJSON *doc, const cJSON *gpu, struct join *j)
{
    const cJSON *dev = find_by_bdf(ptd_json_get(doc, "vulkan.devices"), "pci_bus",
                                   ptd_json_get_str(gpu, "location"));
    const cJSON *dec = ptd_json_get(dev, "video.decode_codecs");
    const cJSON *enc = ptd_json_get(dev, "video.encode_codecs");

    if (cJSON_GetArraySize(dec) + cJSON_GetArraySize(enc) == 0)
        return; /* Vulkan video is optional: its absence proves nothing */
    agent_add_unique(j->sources, "vulkan");
    if (!j->decode)
        j->decode = cJSON_CreateArray();
    if (!j->encode)
        j->encode = cJSON_CreateArray();
    merge_codecs(j->decode, dec);
    merge_codecs(j->encode, enc);
}

static void add_list(cJSON *video, const char *key, cJSON *list)
{
    if (!list)
        list = cJSON_CreateNull();
    if (!cJSON_AddItemToObject(video, key, list))
        cJSON_Delete(list);
}

void agent_video_join(cJSON *doc)
{
    cJSON *gpu;

    cJSON_ArrayForEach(gpu, cJSON_GetObjectItemCaseSensitive(doc, "gpus"))
    {
        const char *vendor = ptd_json_get_str(gpu, "vendor_id");
        struct join j = {.sources = cJSON_CreateArray(), .encode_engine = -1, .decode_engine = -1};
        cJSON *video;

        if (!cJSON_IsObject(gpu) || !vendor)
            continue;
        if (strcmp(vendor, "10de") == 0)
            from_nvidia(doc, gpu, &j);
        else
            from_vaapi(doc, gpu, &j);
        from_vulkan(doc, gpu, &j);
        cJSON_DeleteItemFromObjectCaseSensitive(gpu, "video");
        video = cJSON_AddObjectToObject(gpu, "video");
        add_list(video, "decode_codecs", j.decode);
        add_list(video, "encode_codecs", j.encode);
        ptd_json_add_tri(video, "decode_engine", j.decode_engine);
        ptd_json_add_tri(video, "encode_engine", j.encode_engine);
        if (!cJSON_AddItemToObject(video, "sources", j.sources))
            cJSON_Delete(j.sources);
        ptd_json_add_str(video, "reason", j.reason[0] ? j.reason : NULL);
    }
}

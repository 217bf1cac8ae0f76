/* SPDX-License-Identifier: MIT */
/*
 * doc.video (the VA-API view), doc.nvidia.{encode,decode}_library, and the per-GPU join
 * gpus[].video that the report reads (docs/schema.md). Each GPU's decode/encode lists come
 * from the API its vendor's applications use: VA-API for Intel and AMD (ffmpeg, Jellyfin,
 * browsers), NVML plus the NVENC/NVDEC libraries for NVIDIA; Vulkan video adds the codecs it
 * offers on any vendor. A list is [] only when that native API answered and offers nothing
 * (with the reason); it is null when nothing could be asked.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "agent.h"
#include "ptdiag/doc.h"

#define SRC "video"

static void add_vaapi(struct agent_ctx *ctx, cJSON *video)
{
    cJSON *nodes = cJSON_CreateArray(), *va;
    const cJSON *g;
    char why[160] = "";

    if (!ctx->live) {
        va = cJSON_AddObjectToObject(video, "vaapi");
        ptd_json_add_str(va, "status", "unknown");
        ptd_json_add_str(va, "error", "not queried under --root");
        cJSON_AddNullToObject(va, "nodes");
        cJSON_Delete(nodes);
        return;
    }
    cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(ctx->doc, "gpus"))
    {
        const char *render = ptd_json_get_str(g, "drm.render");
        cJSON *n = render ? cJSON_CreateObject() : NULL;

        if (!n || !cJSON_AddItemToArray(nodes, n)) {
            cJSON_Delete(n);
            continue;
        }
        ptd_json_add_str(n, "node", render);
        ptd_json_add_str(n, "location", ptd_json_get_str(g, "location"));
    }
    va = agent_isolated(agent_vaapi_query, nodes, why, sizeof(why));
    cJSON_Delete(nodes);
    if (!va) {
        va = cJSON_CreateObject();
        ptd_json_add_str(va, "status", "error");
        ptd_json_add_str(va, "error", why);
        cJSON_AddNullToObject(va, "nodes");
        ptd_doc_add_error(ctx->doc, SRC, "VA-API query: %s", why);
    }
    if (!cJSON_AddItemToObject(video, "vaapi", va))
        cJSON_Delete(va);
}

static void add_nvidia_libs(struct agent_ctx *ctx)
{
    cJSON *nv = cJSON_GetObjectItemCaseSensitive(ctx->doc, "nvidia"), *libs, *it;
    char why[160] = "";

    if (!cJSON_IsObject(nv))
        return;
    if (!ctx->live) {
        cJSON_AddNullToObject(nv, "encode_library");
        cJSON_AddNullToObject(nv, "decode_library");
        return;
    }
    libs = agent_isolated(agent_nvidia_video_libs_query, NULL, why, sizeof(why));
    if (!libs) {
        cJSON_AddNullToObject(nv, "encode_library");
        cJSON_AddNullToObject(nv, "decode_library");
        ptd_doc_add_error(ctx->doc, SRC, "NVIDIA video libraries: %s", why);
        return;
    }
    while ((it = libs->child) != NULL) {
        cJSON_DetachItemViaPointer(libs, it);
        if (!cJSON_AddItemToObject(nv, it->string, it))
            cJSON_Delete(it);
    }
    cJSON_Delete(libs);
}

void agent_video(struct agent_ctx *ctx)
{
    cJSON *video = cJSON_AddObjectToObject(ctx->doc, "video");

    if (!video)
        return;
    add_vaapi(ctx, video);
    add_nvidia_libs(ctx);
    agent_video_join(ctx->doc);
}

/* SPDX-License-Identifier: MIT */
/*
 * gpus[].video and gpus[].displays: the per-GPU view of hardware video and displays that the
 * report's capability table and video rules read for both agents (docs/schema.md), joined
 * from what the APIs said: the DXGI adapter with the GPU's vendor:device (its D3D11 decoder
 * profiles and outputs) and the Media Foundation encoders on that adapter.
 */
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "interp.h"
#include "ptdiag/doc.h"

static cJSON *adapter_of(cJSON *adapters, const cJSON *gpu, int *index)
{
    const char *v = ptd_json_get_str(gpu, "vendor_id"), *d = ptd_json_get_str(gpu, "device_id");
    cJSON *ad;
    int i = 0;

    cJSON_ArrayForEach(ad, adapters)
    {
        const char *av = ptd_json_get_str(ad, "vendor_id"),
                   *adev = ptd_json_get_str(ad, "device_id");

        if (v && d && av && adev && ptd_json_get_tri(ad, "software") == 0 && strcmp(v, av) == 0 &&
            strcmp(d, adev) == 0) {
            *index = i;
            return ad;
        }
        i++;
    }
    return NULL;
}

static void add_unique(cJSON *arr, const char *id)
{
    const cJSON *c;

    cJSON_ArrayForEach(c, arr)
    {
        if (cJSON_IsString(c) && strcmp(c->valuestring, id) == 0)
            return;
    }
    cJSON_AddItemToArray(arr, cJSON_CreateString(id));
}

static void gpu_video(cJSON *doc, cJSON *gpu, const cJSON *ad, int index)
{
    cJSON *video = cJSON_AddObjectToObject(gpu, "video");
    cJSON *sources = cJSON_CreateArray(), *dec = NULL, *enc = NULL;
    const cJSON *profiles = ptd_json_get(ad, "video_decode.profiles"), *p;
    const cJSON *encoders = ptd_json_get(doc, "video_encode.encoders"), *e;
    char reason[400] = "";

    if (cJSON_IsArray(profiles)) {
        dec = cJSON_CreateArray();
        cJSON_ArrayForEach(p, profiles)
        {
            const struct ptw_decoder_profile *known =
                ptw_decoder_profile(ptd_json_get_str(p, "guid"));

            if (known && known->id)
                add_unique(dec, known->id);
        }
        cJSON_AddItemToArray(sources, cJSON_CreateString("d3d11"));
    } else {
        snprintf(reason, sizeof(reason), "D3D11 video: %s",
                 ptd_json_get_str(ad, "video_decode.error")
                     ? ptd_json_get_str(ad, "video_decode.error")
                     : "not asked");
    }
    if (cJSON_IsArray(encoders)) {
        enc = cJSON_CreateArray();
        cJSON_ArrayForEach(e, encoders)
        {
            const char *id = ptw_encoder_codec_id(ptd_json_get_str(e, "codec"));

            if (id && ptd_json_get_num(e, "dxgi_adapter_index", -1) == index)
                add_unique(enc, id);
        }
        cJSON_AddItemToArray(sources, cJSON_CreateString("mft"));
    } else {
        size_t n = strlen(reason);

        snprintf(reason + n, sizeof(reason) - n, "%sMedia Foundation: %s", n ? "; " : "",
                 ptd_json_get_str(doc, "video_encode.error")
                     ? ptd_json_get_str(doc, "video_encode.error")
                     : "not asked");
    }
    cJSON_AddItemToObject(video, "decode_codecs", dec ? dec : cJSON_CreateNull());
    cJSON_AddItemToObject(video, "encode_codecs", enc ? enc : cJSON_CreateNull());
    cJSON_AddItemToObject(video, "sources", sources);
    cJSON_AddNullToObject(video, "decode_engine");
    cJSON_AddNullToObject(video, "encode_engine");
    ptd_json_add_str(video, "reason", reason[0] ? reason : NULL);
}

static void gpu_displays(cJSON *gpu, const cJSON *ad)
{
    const cJSON *outs = cJSON_GetObjectItemCaseSensitive(ad, "outputs"), *o;
    cJSON *arr;

    if (!cJSON_IsArray(outs)) {
        cJSON_AddNullToObject(gpu, "displays");
        return;
    }
    arr = cJSON_AddArrayToObject(gpu, "displays");
    cJSON_ArrayForEach(o, outs)
    {
        cJSON *one = cJSON_CreateObject();

        if (!one || !cJSON_AddItemToArray(arr, one)) {
            cJSON_Delete(one);
            return;
        }
        ptd_json_add_str(one, "name", ptd_json_get_str(o, "name"));
        ptd_json_add_tri(one, "connected", ptd_json_get_tri(o, "attached_to_desktop"));
    }
}

void ptw_join_gpu_video(struct ptw_agent *a)
{
    cJSON *adapters = cJSON_GetObjectItemCaseSensitive(ptw_obj(a->doc, "dxgi"), "adapters");
    cJSON *gpu;

    cJSON_ArrayForEach(gpu, cJSON_GetObjectItemCaseSensitive(a->doc, "gpus"))
    {
        int index = -1;
        const cJSON *ad = adapter_of(adapters, gpu, &index);

        if (!ad) { /* no API view of this device: unknown, not "none" */
            cJSON_AddNullToObject(gpu, "video");
            cJSON_AddNullToObject(gpu, "displays");
            continue;
        }
        gpu_video(a->doc, gpu, ad, index);
        gpu_displays(gpu, ad);
    }
}

/* SPDX-License-Identifier: MIT */
/*
 * Vulkan video: the VK_KHR_video_* extensions a device offers, its queue families with
 * VK_QUEUE_VIDEO_DECODE_BIT_KHR / VK_QUEUE_VIDEO_ENCODE_BIT_KHR, and the codec operations
 * those families announce (VkQueueFamilyVideoPropertiesKHR). Numeric values are the Khronos
 * registry's, so a driver newer than the build's headers still maps.
 */
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "ptdiag/doc.h"
#include "vulkan_video.h"

#define MAX_FAMILIES       64
#define QUEUE_VIDEO_DECODE 0x20u      /* VK_QUEUE_VIDEO_DECODE_BIT_KHR */
#define QUEUE_VIDEO_ENCODE 0x40u      /* VK_QUEUE_VIDEO_ENCODE_BIT_KHR */
#define STYPE_QF_VIDEO     1000023012 /* VK_STRUCTURE_TYPE_QUEUE_FAMILY_VIDEO_PROPERTIES_KHR */

void agent_vk_codec_ops(uint32_t ops, cJSON *decode, cJSON *encode)
{
    static const struct {
        uint32_t bit;
        bool encode;
        const char *codec;
    } map[] = {
        {0x00001, false, "h264"}, {0x00002, false, "hevc"}, {0x00004, false, "av1"},
        {0x00008, false, "vp9"},  {0x10000, true, "h264"},  {0x20000, true, "hevc"},
        {0x40000, true, "av1"},
    };
    size_t i;

    for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (ops & map[i].bit)
            agent_add_unique(map[i].encode ? encode : decode, map[i].codec);
}

static bool add_extensions(PFN_vkEnumerateDeviceExtensionProperties enum_ext, VkPhysicalDevice pd,
                           cJSON *video)
{
    cJSON *list = cJSON_AddArrayToObject(video, "extensions");
    VkExtensionProperties *ext;
    uint32_t n = 0, i;
    bool queue = false;

    if (enum_ext(pd, NULL, &n, NULL) != VK_SUCCESS || n == 0 || n > 4096)
        return false;
    ext = calloc(n, sizeof(*ext));
    if (!ext)
        return false;
    if (enum_ext(pd, NULL, &n, ext) >= 0)
        for (i = 0; i < n; i++) {
            ext[i].extensionName[sizeof(ext[i].extensionName) - 1] = '\0';
            if (strncmp(ext[i].extensionName, "VK_KHR_video_", 13) != 0)
                continue;
            agent_sanitize(ext[i].extensionName);
            cJSON_AddItemToArray(list, cJSON_CreateString(ext[i].extensionName));
            queue = queue || strcmp(ext[i].extensionName, "VK_KHR_video_queue") == 0;
        }
    free(ext);
    return queue;
}

void agent_vk_video(PFN_vkEnumerateDeviceExtensionProperties enum_ext,
                    PFN_vkGetPhysicalDeviceQueueFamilyProperties qf,
                    PFN_vkGetPhysicalDeviceQueueFamilyProperties2 qf2, VkPhysicalDevice pd,
                    cJSON *d)
{
    cJSON *video = cJSON_AddObjectToObject(d, "video"), *dec, *enc;
    VkQueueFamilyProperties2 props[MAX_FAMILIES];
    VkQueueFamilyVideoPropertiesKHR vprops[MAX_FAMILIES];
    VkQueueFamilyProperties plain[MAX_FAMILIES];
    uint32_t n = MAX_FAMILIES, i, ndec = 0, nenc = 0;
    bool queue_ext = add_extensions(enum_ext, pd, video);
    /* VkQueueFamilyVideoPropertiesKHR may be chained only when VK_KHR_video_queue exists */
    bool chain = queue_ext && qf2;

    memset(props, 0, sizeof(props));
    memset(vprops, 0, sizeof(vprops));
    for (i = 0; i < MAX_FAMILIES; i++) {
        props[i].sType = VK_STRUCTURE_TYPE_QUEUE_FAMILY_PROPERTIES_2;
        vprops[i].sType = (VkStructureType)STYPE_QF_VIDEO;
        props[i].pNext = chain ? &vprops[i] : NULL;
    }
    if (chain)
        qf2(pd, &n, props);
    else
        qf(pd, &n, plain);
    dec = cJSON_CreateArray();
    enc = cJSON_CreateArray();
    for (i = 0; i < n && i < MAX_FAMILIES; i++) {
        uint32_t flags = chain ? props[i].queueFamilyProperties.queueFlags : plain[i].queueFlags;

        ndec += (flags & QUEUE_VIDEO_DECODE) != 0;
        nenc += (flags & QUEUE_VIDEO_ENCODE) != 0;
        if (chain && (flags & (QUEUE_VIDEO_DECODE | QUEUE_VIDEO_ENCODE)))
            agent_vk_codec_ops((uint32_t)vprops[i].videoCodecOperations, dec, enc);
    }
    ptd_json_add_u64(video, "decode_queue_families", ndec, true);
    ptd_json_add_u64(video, "encode_queue_families", nenc, true);
    /* no VK_KHR_video_queue: no Vulkan video path ([] known); the extension without
     * Properties2 to ask its codecs: unknown (null) */
    if (!chain && queue_ext) {
        cJSON_Delete(dec);
        cJSON_Delete(enc);
        dec = cJSON_CreateNull();
        enc = cJSON_CreateNull();
    }
    cJSON_AddItemToObject(video, "decode_codecs", dec);
    cJSON_AddItemToObject(video, "encode_codecs", enc);
}

/* SPDX-License-Identifier: MIT */
/* Vulkan video facts of one physical device (vulkan_video.c), called by vulkan.c inside the
 * isolated Vulkan query. */
#ifndef PTDIAG_AGENT_VULKAN_VIDEO_H
#define PTDIAG_AGENT_VULKAN_VIDEO_H

#define VK_NO_PROTOTYPES
#include <vulkan/vulkan.h>

#include <cjson/cJSON.h>

/* Adds d.video = {extensions, decode_queue_families, encode_queue_families, decode_codecs,
 * encode_codecs}. qf2 may be NULL (a Vulkan 1.0 instance): codecs are then null. */
void agent_vk_video(PFN_vkEnumerateDeviceExtensionProperties enum_ext,
                    PFN_vkGetPhysicalDeviceQueueFamilyProperties qf,
                    PFN_vkGetPhysicalDeviceQueueFamilyProperties2 qf2, VkPhysicalDevice pd,
                    cJSON *d);

#endif

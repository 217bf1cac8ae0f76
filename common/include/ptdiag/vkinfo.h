/* SPDX-License-Identifier: MIT */
/*
 * Names and version strings for what the Vulkan loader reports, shared by both guest agents
 * so a device reads the same in a Linux and a Windows document. Pure functions over the
 * numeric values (Khronos registry numbers), so this needs no Vulkan headers and a driver
 * newer than the headers still maps.
 */
#ifndef PTDIAG_VKINFO_H
#define PTDIAG_VKINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "VK_ERROR_INCOMPATIBLE_DRIVER" ... for a VkResult; "VK_ERROR_UNKNOWN" otherwise. */
const char *ptd_vk_result_name(int result);

/* VkPhysicalDeviceType → "discrete" | "integrated" | "virtual" | "cpu" | "other". */
const char *ptd_vk_device_type_name(int type);

/* VkDriverId → its registry name without the prefix ("NVIDIA_PROPRIETARY",
 * "MESA_LLVMPIPE"), or NULL for 0 and unknown ids. */
const char *ptd_vk_driver_id_name(unsigned id);

/* An apiVersion as "major.minor.patch". */
void ptd_vk_version_string(uint32_t version, char *buf, size_t len);

/* A driverVersion as its vendor encodes it: NVIDIA packs 10.8.8.6 bits, Intel's Windows
 * driver 18.14 bits, everyone else (Mesa, AMD) the apiVersion layout. */
void ptd_vk_driver_version_string(uint32_t vendor_id, uint32_t version, bool windows_driver,
                                  char *buf, size_t len);

#endif

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

#include <cjson/cJSON.h>

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

/* What an agent read of one VkPhysicalDevice, as plain values (the agents copy them out of
 * VkPhysicalDeviceProperties, ...DriverProperties, ...PCIBusInfoPropertiesEXT and
 * ...MemoryProperties), so that one function writes the device for both. Sizes are the Vulkan
 * ones (VK_MAX_PHYSICAL_DEVICE_NAME_SIZE, VK_MAX_DRIVER_NAME_SIZE, VK_MAX_DRIVER_INFO_SIZE,
 * VK_MAX_MEMORY_HEAPS); the strings need not be terminated. */
#define PTD_VK_NAME_SIZE         256
#define PTD_VK_MAX_HEAPS         16
#define PTD_VK_HEAP_DEVICE_LOCAL 0x1u /* VK_MEMORY_HEAP_DEVICE_LOCAL_BIT */

struct ptd_vk_device {
    char name[PTD_VK_NAME_SIZE];
    int type; /* VkPhysicalDeviceType */
    uint32_t api_version, driver_version, vendor_id, device_id;
    bool has_driver;    /* the driver properties below were filled */
    unsigned driver_id; /* VkDriverId */
    char driver_name[PTD_VK_NAME_SIZE], driver_info[PTD_VK_NAME_SIZE];
    bool has_pci_bus; /* VK_EXT_pci_bus_info answered */
    uint32_t pci_domain, pci_bus, pci_device, pci_function;
    uint32_t heap_count; /* memory heaps, up to PTD_VK_MAX_HEAPS are read */
    uint64_t heap_size[PTD_VK_MAX_HEAPS];
    uint32_t heap_flags[PTD_VK_MAX_HEAPS];
    const char *luid; /* the device LUID as the agent writes it, or NULL (borrowed) */
};

/* One doc.vulkan.devices[] entry (docs/schema.md) for d: the strings cleaned
 * (ptdiag/text_clean.h) and bounded in place, the versions decoded (windows_driver as in
 * ptd_vk_driver_version_string), the DEVICE_LOCAL heaps summed. Returns a new object the
 * caller owns, or NULL when out of memory. */
cJSON *ptd_vk_device_json(struct ptd_vk_device *d, bool windows_driver);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * Fills struct ptd_vk_device (ptdiag/vkinfo.h) from the Vulkan structs, for the two guest
 * agents, which both have the Vulkan headers (common itself is built without them, so this is
 * header-only). Include after <vulkan/vulkan.h>.
 */
#ifndef PTDIAG_VK_DEVICE_PROPS_H
#define PTDIAG_VK_DEVICE_PROPS_H

#include <string.h>

#include "ptdiag/vkinfo.h"

_Static_assert(VK_MAX_PHYSICAL_DEVICE_NAME_SIZE == PTD_VK_NAME_SIZE &&
                   VK_MAX_DRIVER_NAME_SIZE == PTD_VK_NAME_SIZE &&
                   VK_MAX_DRIVER_INFO_SIZE == PTD_VK_NAME_SIZE,
               "ptd_vk_device strings have the Vulkan sizes");

/* drv is NULL when the device did not fill VkPhysicalDeviceDriverProperties. The PCI bus
 * and the LUID are the caller's to set. */
static inline void ptd_vk_device_from_props(const VkPhysicalDeviceProperties *p,
                                            const VkPhysicalDeviceDriverProperties *drv,
                                            const VkPhysicalDeviceMemoryProperties *mem,
                                            struct ptd_vk_device *out)
{
    uint32_t h;

    memcpy(out->name, p->deviceName, sizeof(out->name));
    out->type = (int)p->deviceType;
    out->api_version = p->apiVersion;
    out->driver_version = p->driverVersion;
    out->vendor_id = p->vendorID;
    out->device_id = p->deviceID;
    out->has_driver = drv != NULL;
    if (drv) {
        out->driver_id = (unsigned)drv->driverID;
        memcpy(out->driver_name, drv->driverName, sizeof(out->driver_name));
        memcpy(out->driver_info, drv->driverInfo, sizeof(out->driver_info));
    }
    for (h = 0; h < mem->memoryHeapCount && h < VK_MAX_MEMORY_HEAPS && h < PTD_VK_MAX_HEAPS; h++) {
        out->heap_size[h] = mem->memoryHeaps[h].size;
        out->heap_flags[h] = mem->memoryHeaps[h].flags;
    }
    out->heap_count = h;
}

#endif

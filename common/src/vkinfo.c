/* SPDX-License-Identifier: MIT */
#include "ptdiag/vkinfo.h"

#include <stdio.h>

const char *ptd_vk_result_name(int result)
{
    switch (result) {
    case 5:
        return "VK_INCOMPLETE";
    case -1:
        return "VK_ERROR_OUT_OF_HOST_MEMORY";
    case -2:
        return "VK_ERROR_OUT_OF_DEVICE_MEMORY";
    case -3:
        return "VK_ERROR_INITIALIZATION_FAILED";
    case -4:
        return "VK_ERROR_DEVICE_LOST";
    case -6:
        return "VK_ERROR_LAYER_NOT_PRESENT";
    case -7:
        return "VK_ERROR_EXTENSION_NOT_PRESENT";
    case -9:
        return "VK_ERROR_INCOMPATIBLE_DRIVER";
    default:
        return "VK_ERROR_UNKNOWN";
    }
}

const char *ptd_vk_device_type_name(int type)
{
    switch (type) {
    case 1:
        return "integrated";
    case 2:
        return "discrete";
    case 3:
        return "virtual";
    case 4:
        return "cpu";
    default:
        return "other";
    }
}

const char *ptd_vk_driver_id_name(unsigned id)
{
    static const char *const names[] = {
        NULL,
        "AMD_PROPRIETARY",
        "AMD_OPEN_SOURCE",
        "MESA_RADV",
        "NVIDIA_PROPRIETARY",
        "INTEL_PROPRIETARY_WINDOWS",
        "INTEL_OPEN_SOURCE_MESA",
        "IMAGINATION_PROPRIETARY",
        "QUALCOMM_PROPRIETARY",
        "ARM_PROPRIETARY",
        "GOOGLE_SWIFTSHADER",
        "GGP_PROPRIETARY",
        "BROADCOM_PROPRIETARY",
        "MESA_LLVMPIPE",
        "MOLTENVK",
        "COREAVI_PROPRIETARY",
        "JUICE_PROPRIETARY",
        "VERISILICON_PROPRIETARY",
        "MESA_TURNIP",
        "MESA_V3DV",
        "MESA_PANVK",
        "SAMSUNG_PROPRIETARY",
        "MESA_VENUS",
        "MESA_DOZEN",
        "MESA_NVK",
        "IMAGINATION_OPEN_SOURCE_MESA",
        "MESA_HONEYKRISP",
    };

    return id < sizeof(names) / sizeof(names[0]) ? names[id] : NULL;
}

void ptd_vk_version_string(uint32_t version, char *buf, size_t len)
{
    snprintf(buf, len, "%u.%u.%u", (unsigned)((version >> 22) & 0x7f),
             (unsigned)((version >> 12) & 0x3ff), (unsigned)(version & 0xfff));
}

void ptd_vk_driver_version_string(uint32_t vendor_id, uint32_t version, bool windows_driver,
                                  char *buf, size_t len)
{
    if (vendor_id == 0x10de)
        snprintf(buf, len, "%u.%u.%u.%u", (unsigned)((version >> 22) & 0x3ff),
                 (unsigned)((version >> 14) & 0xff), (unsigned)((version >> 6) & 0xff),
                 (unsigned)(version & 0x3f));
    else if (vendor_id == 0x8086 && windows_driver)
        snprintf(buf, len, "%u.%u", (unsigned)(version >> 14), (unsigned)(version & 0x3fff));
    else
        ptd_vk_version_string(version, buf, len);
}

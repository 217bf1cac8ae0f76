/* SPDX-License-Identifier: MIT */
/* vulkan.*: the loader (vulkan-1.dll, opened at run time: no import, so the agent runs where
 * no Vulkan is installed), the instance version and every physical device, with the LUID
 * that ties a Vulkan device to its DXGI adapter when the driver reports one. */
#include <windows.h>

#define VK_NO_PROTOTYPES
#include <stdio.h>
#include <string.h>
#include <vulkan/vulkan.h>

#include "agent.h"
#include "ptdiag/doc.h"
#include "ptdiag/vk_device_props.h"
#include "ptdiag/vkinfo.h"

struct vk {
    PFN_vkGetInstanceProcAddr gipa;
    PFN_vkCreateInstance create_instance;
    PFN_vkEnumerateInstanceVersion instance_version;
    PFN_vkDestroyInstance destroy_instance;
    PFN_vkEnumeratePhysicalDevices enum_devices;
    PFN_vkGetPhysicalDeviceProperties props;
    PFN_vkGetPhysicalDeviceProperties2 props2;
    PFN_vkGetPhysicalDeviceMemoryProperties mem_props;
};

/* Copies what the device reports into the shared form (ptdiag/vkinfo.h); luid is the
 * caller's buffer for the LUID string. */
static void read_device(const struct vk *vk, VkPhysicalDevice pd, uint32_t instance_api,
                        struct ptd_vk_device *out, char *luid, size_t luid_len)
{
    VkPhysicalDeviceProperties p;
    VkPhysicalDeviceMemoryProperties m;
    VkPhysicalDeviceIDProperties idp = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ID_PROPERTIES};
    VkPhysicalDeviceDriverProperties drv = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES};
    VkPhysicalDeviceProperties2 p2 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
    bool have_ids = false, have_drv = false;

    vk->props(pd, &p);
    if (vk->props2 && instance_api >= VK_API_VERSION_1_1 && p.apiVersion >= VK_API_VERSION_1_1) {
        p2.pNext = &idp;
        if (p.apiVersion >= VK_API_VERSION_1_2)
            idp.pNext = &drv, have_drv = true;
        vk->props2(pd, &p2);
        have_ids = true;
    }
    vk->mem_props(pd, &m);
    ptd_vk_device_from_props(&p, have_drv ? &drv : NULL, &m, out);
    out->has_pci_bus = false; /* the LUID ties a device to its DXGI adapter instead */
    out->luid = NULL;
    if (have_ids && idp.deviceLUIDValid) {
        uint32_t low, high;

        memcpy(&low, idp.deviceLUID, 4);
        memcpy(&high, idp.deviceLUID + 4, 4);
        ptw_luid_string(high, low, luid, luid_len);
        out->luid = luid;
    }
}

static void emit_device(const struct vk *vk, VkPhysicalDevice pd, uint32_t instance_api, cJSON *arr)
{
    struct ptd_vk_device dev = {0};
    char luid[64];
    cJSON *o;

    read_device(vk, pd, instance_api, &dev, luid, sizeof(luid));
    o = ptd_vk_device_json(&dev, true);
    if (!o || !cJSON_AddItemToArray(arr, o))
        cJSON_Delete(o);
}

void ptw_link_vulkan_dxgi(struct ptw_agent *a)
{
    cJSON *dev;

    cJSON_ArrayForEach(dev, ptd_json_get(a->doc, "vulkan.devices"))
    {
        const char *luid = ptd_json_get_str(dev, "luid");
        char buf[32];

        for (int i = 0; luid && i < a->nadapters; i++) {
            ptw_luid_string(a->adapters[i].luid_high, a->adapters[i].luid_low, buf, sizeof(buf));
            if (strcmp(buf, luid) == 0) {
                ptd_json_add_num(dev, "dxgi_adapter_index", i, true);
                break;
            }
        }
    }
}

void ptw_collect_vulkan(struct ptw_agent *a)
{
    cJSON *v = ptw_obj(a->doc, "vulkan");
    HMODULE dll = LoadLibraryExW(L"vulkan-1.dll", NULL, LOAD_LIBRARY_SEARCH_SYSTEM32);
    struct vk vk = {0};
    VkApplicationInfo app = {.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
                             .pApplicationName = "ptdiag-agent",
                             .apiVersion = VK_API_VERSION_1_0};
    VkInstanceCreateInfo ci = {.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
                               .pApplicationInfo = &app};
    VkInstance inst = VK_NULL_HANDLE;
    VkPhysicalDevice devs[16];
    uint32_t api = VK_API_VERSION_1_0, n = 16;
    cJSON *arr;
    VkResult r;
    char buf[32];

    if (!dll) {
        ptd_json_add_str(v, "loader", "missing");
        ptd_json_add_str(v, "error", NULL);
        ptd_json_add_str(v, "instance_api_version", NULL);
        cJSON_AddArrayToObject(v, "devices");
        return;
    }
    ptd_json_add_str(v, "loader", "present");
    vk.gipa = (PFN_vkGetInstanceProcAddr)(void *)GetProcAddress(dll, "vkGetInstanceProcAddr");
    if (!vk.gipa) {
        ptd_json_add_str(v, "error", "vkGetInstanceProcAddr not exported");
        ptd_doc_add_error(a->doc, "vulkan", "vulkan-1.dll: no vkGetInstanceProcAddr");
        goto no_devices;
    }
    vk.create_instance = (PFN_vkCreateInstance)vk.gipa(NULL, "vkCreateInstance");
    vk.instance_version =
        (PFN_vkEnumerateInstanceVersion)vk.gipa(NULL, "vkEnumerateInstanceVersion");
    if (vk.instance_version && vk.instance_version(&api) != VK_SUCCESS)
        api = VK_API_VERSION_1_0;
    ptd_vk_version_string(api, buf, sizeof(buf));
    ptd_json_add_str(v, "instance_api_version", buf);
    /* Ask for 1.1 where the loader has it: the LUID comes through vkGetPhysicalDeviceProperties2.
     */
    if (api >= VK_API_VERSION_1_1)
        app.apiVersion = VK_API_VERSION_1_1;
    r = vk.create_instance ? vk.create_instance(&ci, NULL, &inst) : VK_ERROR_INITIALIZATION_FAILED;
    if (r != VK_SUCCESS) {
        ptd_json_add_str(v, "error", ptd_vk_result_name((int)r));
        ptd_doc_add_error(a->doc, "vulkan", "vkCreateInstance: %s (%d)", ptd_vk_result_name((int)r),
                          (int)r);
        goto no_devices;
    }
    vk.destroy_instance = (PFN_vkDestroyInstance)vk.gipa(inst, "vkDestroyInstance");
    vk.enum_devices = (PFN_vkEnumeratePhysicalDevices)vk.gipa(inst, "vkEnumeratePhysicalDevices");
    vk.props = (PFN_vkGetPhysicalDeviceProperties)vk.gipa(inst, "vkGetPhysicalDeviceProperties");
    vk.props2 = (PFN_vkGetPhysicalDeviceProperties2)vk.gipa(inst, "vkGetPhysicalDeviceProperties2");
    vk.mem_props = (PFN_vkGetPhysicalDeviceMemoryProperties)vk.gipa(
        inst, "vkGetPhysicalDeviceMemoryProperties");
    if (!vk.enum_devices || !vk.props || !vk.mem_props) {
        ptd_json_add_str(v, "error", "loader lacks core functions");
        goto destroy;
    }
    r = vk.enum_devices(inst, &n, devs);
    if (r != VK_SUCCESS && r != VK_INCOMPLETE) {
        ptd_json_add_str(v, "error", ptd_vk_result_name((int)r));
        ptd_doc_add_error(a->doc, "vulkan", "vkEnumeratePhysicalDevices: %s",
                          ptd_vk_result_name((int)r));
        goto destroy;
    }
    ptd_json_add_str(v, "error", NULL);
    arr = cJSON_AddArrayToObject(v, "devices");
    for (uint32_t i = 0; i < n; i++)
        emit_device(&vk, devs[i], app.apiVersion, arr);
destroy:
    if (vk.destroy_instance)
        vk.destroy_instance(inst, NULL);
no_devices:
    if (!cJSON_GetObjectItemCaseSensitive(v, "instance_api_version"))
        ptd_json_add_str(v, "instance_api_version", NULL);
    if (!cJSON_GetObjectItemCaseSensitive(v, "devices"))
        cJSON_AddArrayToObject(v, "devices");
    /* vulkan-1.dll stays loaded: ICDs may leave threads behind. */
}

/* SPDX-License-Identifier: MIT */
/*
 * doc.vulkan: the physical devices the Vulkan loader offers, through libvulkan.so.1 opened at
 * run time (only vkGetInstanceProcAddr is looked up; the rest comes from the loader). The
 * headers are used for types only (VK_NO_PROTOTYPES). "No loader" and "no device" are facts.
 */
#define VK_NO_PROTOTYPES
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vulkan/vulkan.h>

#include "agent.h"
#include "ptdiag/doc.h"
#include "ptdiag/vk_device_props.h"
#include "ptdiag/vkinfo.h"
#include "vulkan_video.h"

#define SRC         "vulkan"
#define VULKAN_LIB  "libvulkan.so.1"
#define MAX_DEVICES 16

struct vk_api {
    PFN_vkGetInstanceProcAddr gipa;
    PFN_vkEnumerateInstanceVersion enum_version;
    PFN_vkCreateInstance create_instance;
    PFN_vkDestroyInstance destroy_instance;
    PFN_vkEnumeratePhysicalDevices enum_devices;
    PFN_vkGetPhysicalDeviceProperties props;
    PFN_vkGetPhysicalDeviceProperties2 props2;
    PFN_vkGetPhysicalDeviceMemoryProperties mem_props;
    PFN_vkEnumerateDeviceExtensionProperties enum_dev_ext;
    PFN_vkGetPhysicalDeviceQueueFamilyProperties qf_props;
    PFN_vkGetPhysicalDeviceQueueFamilyProperties2 qf_props2;
};

static bool has_extension(const struct vk_api *api, VkPhysicalDevice pd, const char *name)
{
    VkExtensionProperties *ext = NULL;
    uint32_t n = 0, i;
    bool found = false;

    if (api->enum_dev_ext(pd, NULL, &n, NULL) != VK_SUCCESS || n == 0 || n > 4096)
        return false;
    ext = calloc(n, sizeof(*ext));
    if (!ext)
        return false;
    if (api->enum_dev_ext(pd, NULL, &n, ext) >= 0) /* VK_INCOMPLETE is fine */
        for (i = 0; i < n && !found; i++)
            found = strcmp(ext[i].extensionName, name) == 0;
    free(ext);
    return found;
}

/* Copies what the device reports into the shared form (ptdiag/vkinfo.h); true when the
 * device answers Properties2 queries (Vulkan 1.1 on both sides). */
static bool read_device(const struct vk_api *api, uint32_t instance_version, VkPhysicalDevice pd,
                        struct ptd_vk_device *out)
{
    VkPhysicalDeviceProperties p;
    VkPhysicalDeviceMemoryProperties mem;
    VkPhysicalDeviceDriverProperties drv = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES};
    VkPhysicalDevicePCIBusInfoPropertiesEXT bus = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PCI_BUS_INFO_PROPERTIES_EXT};
    VkPhysicalDeviceProperties2 p2 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
    bool want_drv, want_bus, props2;

    api->props(pd, &p);
    /* Properties2 is core in 1.1 on both the instance and the device. */
    props2 =
        api->props2 && instance_version >= VK_API_VERSION_1_1 && p.apiVersion >= VK_API_VERSION_1_1;
    want_drv = props2 && (p.apiVersion >= VK_API_VERSION_1_2 ||
                          has_extension(api, pd, VK_KHR_DRIVER_PROPERTIES_EXTENSION_NAME));
    want_bus = props2 && has_extension(api, pd, VK_EXT_PCI_BUS_INFO_EXTENSION_NAME);
    if (want_drv) {
        drv.pNext = p2.pNext;
        p2.pNext = &drv;
    }
    if (want_bus) {
        bus.pNext = p2.pNext;
        p2.pNext = &bus;
    }
    if (p2.pNext)
        api->props2(pd, &p2);
    api->mem_props(pd, &mem);
    ptd_vk_device_from_props(&p, want_drv ? &drv : NULL, &mem, out);
    out->has_pci_bus = want_bus;
    out->pci_domain = bus.pciDomain;
    out->pci_bus = bus.pciBus;
    out->pci_device = bus.pciDevice;
    out->pci_function = bus.pciFunction;
    out->luid = NULL; /* Linux has no LUID */
    return props2;
}

static void add_device(const struct vk_api *api, uint32_t instance_version, cJSON *devs,
                       VkPhysicalDevice pd)
{
    struct ptd_vk_device dev = {0};
    cJSON *d;

    bool props2 = read_device(api, instance_version, pd, &dev);
    d = ptd_vk_device_json(&dev, false);
    if (!d || !cJSON_AddItemToArray(devs, d)) {
        cJSON_Delete(d);
        return;
    }
    if (api->qf_props)
        agent_vk_video(api->enum_dev_ext, api->qf_props, props2 ? api->qf_props2 : NULL, pd, d);
}

#define VK_LOAD(inst, field, name) (api->field = (void *)api->gipa(inst, name))

static void query(cJSON *vk, void *lib)
{
    struct vk_api api_s = {0}, *api = &api_s;
    VkApplicationInfo app = {.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
                             .pApplicationName = "ptdiag-agent",
                             .pEngineName = "ptdiag"};
    VkInstanceCreateInfo ci = {.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
                               .pApplicationInfo = &app};
    VkPhysicalDevice pds[MAX_DEVICES];
    VkInstance inst = VK_NULL_HANDLE;
    uint32_t version = VK_API_VERSION_1_0, n = MAX_DEVICES, i;
    cJSON *devs;
    VkResult r;
    char buf[32];

    *(void **)&api->gipa = dlsym(lib, "vkGetInstanceProcAddr");
    if (!api->gipa) {
        ptd_json_add_str(vk, "error", VULKAN_LIB ": no vkGetInstanceProcAddr");
        cJSON_AddNullToObject(vk, "instance_api_version");
        cJSON_AddNullToObject(vk, "devices");
        return;
    }
    /* vkEnumerateInstanceVersion exists from loader 1.1 on; a 1.0 loader lacks it. */
    VK_LOAD(NULL, enum_version, "vkEnumerateInstanceVersion");
    VK_LOAD(NULL, create_instance, "vkCreateInstance");
    if (api->enum_version && api->enum_version(&version) != VK_SUCCESS)
        version = VK_API_VERSION_1_0;
    /* Ask for what the loader supports, up to 1.3 (what these headers describe). */
    app.apiVersion = version > VK_API_VERSION_1_3 ? VK_API_VERSION_1_3 : version;
    ptd_vk_version_string(version, buf, sizeof(buf));
    r = api->create_instance ? api->create_instance(&ci, NULL, &inst)
                             : VK_ERROR_INITIALIZATION_FAILED;
    if (r != VK_SUCCESS) {
        /* The loader answers VK_ERROR_INCOMPATIBLE_DRIVER when no ICD works: no device. */
        ptd_json_add_str(vk, "error", ptd_vk_result_name((int)r));
        ptd_json_add_str(vk, "instance_api_version", buf);
        cJSON_AddArrayToObject(vk, "devices");
        return;
    }
    ptd_json_add_str(vk, "instance_api_version", buf);
    VK_LOAD(inst, destroy_instance, "vkDestroyInstance");
    VK_LOAD(inst, enum_devices, "vkEnumeratePhysicalDevices");
    VK_LOAD(inst, props, "vkGetPhysicalDeviceProperties");
    VK_LOAD(inst, props2, "vkGetPhysicalDeviceProperties2");
    VK_LOAD(inst, mem_props, "vkGetPhysicalDeviceMemoryProperties");
    VK_LOAD(inst, enum_dev_ext, "vkEnumerateDeviceExtensionProperties");
    VK_LOAD(inst, qf_props, "vkGetPhysicalDeviceQueueFamilyProperties");
    VK_LOAD(inst, qf_props2, "vkGetPhysicalDeviceQueueFamilyProperties2");
    if (!api->destroy_instance || !api->enum_devices || !api->props || !api->mem_props ||
        !api->enum_dev_ext) {
        ptd_json_add_str(vk, "error", "loader lacks core 1.0 entry points");
        cJSON_AddNullToObject(vk, "devices");
        goto out;
    }
    r = api->enum_devices(inst, &n, pds);
    if (r != VK_SUCCESS && r != VK_INCOMPLETE) {
        ptd_json_add_str(vk, "error", ptd_vk_result_name((int)r));
        cJSON_AddArrayToObject(vk, "devices");
        goto out;
    }
    ptd_json_add_str(vk, "error",
                     r == VK_INCOMPLETE ? "VK_INCOMPLETE: more than 16 devices, "
                                          "the rest are not listed"
                                        : NULL);
    devs = cJSON_AddArrayToObject(vk, "devices");
    for (i = 0; i < n && devs; i++)
        add_device(api, app.apiVersion, devs, pds[i]);

out:
    if (api->destroy_instance)
        api->destroy_instance(inst, NULL);
}

cJSON *agent_vulkan_query(void *unused)
{
    cJSON *vk = cJSON_CreateObject();
    void *lib;

    (void)unused;
    if (!vk)
        return NULL;
    lib = agent_dlopen(vk, VULKAN_LIB, "loader");
    if (!lib) {
        cJSON_AddNullToObject(vk, "instance_api_version");
        cJSON_AddArrayToObject(vk, "devices");
        return vk;
    }
    ptd_json_add_str(vk, "loader", "present");
    query(vk, lib);
    /* no dlclose: some ICDs leave threads behind; the query process exits right after */
    return vk;
}

void agent_vulkan(struct agent_ctx *ctx)
{
    char why[160] = "";
    cJSON *vk;

    if (!ctx->live) {
        vk = cJSON_AddObjectToObject(ctx->doc, "vulkan");
        ptd_json_add_str(vk, "loader", NULL);
        ptd_json_add_str(vk, "error", "not queried under --root");
        cJSON_AddNullToObject(vk, "instance_api_version");
        cJSON_AddNullToObject(vk, "devices");
        ptd_doc_add_error(ctx->doc, SRC, "Vulkan: not queried under --root");
        return;
    }
    vk = agent_isolated(agent_vulkan_query, NULL, why, sizeof(why));
    if (!vk) {
        /* the loader or an ICD hung or crashed: which devices exist is unknown */
        vk = cJSON_CreateObject();
        ptd_json_add_str(vk, "loader", "present");
        ptd_json_add_str(vk, "error", why);
        cJSON_AddNullToObject(vk, "instance_api_version");
        cJSON_AddNullToObject(vk, "devices");
        ptd_doc_add_error(ctx->doc, SRC, "Vulkan query: %s", why);
    }
    if (!cJSON_AddItemToObject(ctx->doc, "vulkan", vk))
        cJSON_Delete(vk);
}

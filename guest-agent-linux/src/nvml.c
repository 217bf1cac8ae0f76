/* SPDX-License-Identifier: MIT */
/*
 * NVML, opened at run time: the agent must run on guests without the NVIDIA driver, so it
 * never links libnvidia-ml. The few types and entry points used are declared here with the
 * layouts of NVML's public nvml.h (stable ABI: versioned entry points such as _v2/_v3).
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "ptdiag/doc.h"

#define NVML_LIB "libnvidia-ml.so.1"

typedef int nvml_return;   /* nvmlReturn_t: 0 = NVML_SUCCESS */
typedef void *nvml_device; /* nvmlDevice_t: opaque handle */

struct nvml_memory { /* nvmlMemory_t */
    unsigned long long total, free, used;
};

struct nvml_bar1_memory { /* nvmlBAR1Memory_t */
    unsigned long long bar1_total, bar1_free, bar1_used;
};

struct nvml_pci_info { /* nvmlPciInfo_t as filled by nvmlDeviceGetPciInfo_v3 */
    char bus_id_legacy[16];
    unsigned int domain, bus, device, pci_device_id, pci_subsystem_id;
    char bus_id[32]; /* "00000000:01:00.0" */
};

struct nvml_api {
    void *lib; /* the open libnvidia-ml (video_nvml.c looks up its own entry points) */
    nvml_return (*init)(void);
    nvml_return (*shutdown)(void);
    const char *(*error_string)(nvml_return);
    nvml_return (*driver_version)(char *, unsigned);
    nvml_return (*cuda_version)(int *);
    nvml_return (*count)(unsigned *);
    nvml_return (*handle)(unsigned, nvml_device *);
    nvml_return (*name)(nvml_device, char *, unsigned);
    nvml_return (*memory)(nvml_device, struct nvml_memory *);
    nvml_return (*bar1)(nvml_device, struct nvml_bar1_memory *);
    nvml_return (*link_gen)(nvml_device, unsigned *);
    nvml_return (*link_width)(nvml_device, unsigned *);
    nvml_return (*pci_info)(nvml_device, struct nvml_pci_info *);
    nvml_return (*virt_mode)(nvml_device, int *);
};

static const char *nvml_err(const struct nvml_api *api, nvml_return r)
{
    const char *s = api->error_string ? api->error_string(r) : NULL;

    return s ? s : "unknown NVML error";
}

/* dlsym returns void *; POSIX guarantees the conversion to a function pointer works. */
#define NVML_SYM(field, name) (*(void **)&api->field = dlsym(lib, name))

static bool load_api(void *lib, struct nvml_api *api)
{
    memset(api, 0, sizeof(*api));
    api->lib = lib;
    NVML_SYM(init, "nvmlInit_v2");
    NVML_SYM(shutdown, "nvmlShutdown");
    NVML_SYM(error_string, "nvmlErrorString");
    NVML_SYM(driver_version, "nvmlSystemGetDriverVersion");
    NVML_SYM(cuda_version, "nvmlSystemGetCudaDriverVersion_v2");
    NVML_SYM(count, "nvmlDeviceGetCount_v2");
    NVML_SYM(handle, "nvmlDeviceGetHandleByIndex_v2");
    NVML_SYM(name, "nvmlDeviceGetName");
    NVML_SYM(memory, "nvmlDeviceGetMemoryInfo");
    NVML_SYM(bar1, "nvmlDeviceGetBAR1MemoryInfo");
    NVML_SYM(link_gen, "nvmlDeviceGetCurrPcieLinkGeneration");
    NVML_SYM(link_width, "nvmlDeviceGetCurrPcieLinkWidth");
    NVML_SYM(pci_info, "nvmlDeviceGetPciInfo_v3");
    NVML_SYM(virt_mode, "nvmlDeviceGetVirtualizationMode");
    /* Everything but the per-device extras is needed for a meaningful answer. */
    return api->init && api->shutdown && api->count && api->handle;
}

static const char *virt_mode_name(int mode)
{
    switch (mode) { /* nvmlGpuVirtualizationMode_t */
    case 0:
        return "none";
    case 1:
        return "pass-through";
    case 2:
        return "vgpu";
    case 3:
        return "host-vgpu";
    case 4:
        return "host-vsga";
    default:
        return "other";
    }
}

static void add_device(const struct nvml_api *api, cJSON *devs, unsigned index)
{
    cJSON *d = cJSON_CreateObject();
    nvml_device h = NULL;
    struct nvml_memory mem;
    struct nvml_bar1_memory bar1;
    struct nvml_pci_info pci;
    char name[96], bdf[32];
    unsigned gen = 0, width = 0, dom = 0, bus = 0, dev = 0, fn = 0;
    int mode = -1;
    bool ok;

    if (!d || !cJSON_AddItemToArray(devs, d)) {
        cJSON_Delete(d);
        return;
    }
    if (api->handle(index, &h) != 0) {
        ptd_json_add_str(d, "error", "nvmlDeviceGetHandleByIndex_v2 failed");
        return;
    }
    ok = api->name && api->name(h, name, sizeof(name)) == 0;
    name[sizeof(name) - 1] = '\0';
    agent_sanitize(name);
    ptd_json_add_str(d, "name", ok ? name : NULL);
    memset(&pci, 0, sizeof(pci));
    ok = api->pci_info && api->pci_info(h, &pci) == 0 &&
         sscanf(pci.bus_id, "%x:%x:%x.%x", &dom, &bus, &dev, &fn) == 4;
    if (ok)
        snprintf(bdf, sizeof(bdf), "%04x:%02x:%02x.%x", dom & 0xffff, bus, dev, fn);
    ptd_json_add_str(d, "pci_bus_id", ok ? bdf : NULL);
    ok = api->memory && api->memory(h, &mem) == 0;
    ptd_json_add_u64(d, "memory_total_bytes", ok ? mem.total : 0, ok);
    ptd_json_add_u64(d, "memory_used_bytes", ok ? mem.used : 0, ok);
    ok = api->bar1 && api->bar1(h, &bar1) == 0;
    ptd_json_add_u64(d, "bar1_total_bytes", ok ? bar1.bar1_total : 0, ok);
    ok = api->link_gen && api->link_gen(h, &gen) == 0;
    ptd_json_add_u64(d, "pcie_gen", gen, ok);
    ok = api->link_width && api->link_width(h, &width) == 0;
    ptd_json_add_u64(d, "pcie_width", width, ok);
    ok = api->virt_mode && api->virt_mode(h, &mode) == 0;
    ptd_json_add_str(d, "virtualization_mode", ok ? virt_mode_name(mode) : NULL);
    agent_nvml_video(api->lib, h, d);
}

cJSON *agent_nvml_query(void *unused)
{
    cJSON *o = cJSON_CreateObject(), *devs;
    struct nvml_api api;
    void *lib;
    char ver[96];
    int cuda = 0;
    unsigned count = 0, i;
    nvml_return r;

    (void)unused;
    if (!o)
        return NULL;
    lib = agent_dlopen(o, NVML_LIB, "status");
    if (!lib)
        return o;
    if (!load_api(lib, &api)) {
        ptd_json_add_str(o, "status", "error");
        ptd_json_add_str(o, "error", NVML_LIB ": required entry points missing");
        goto out;
    }
    r = api.init();
    if (r != 0) {
        /* e.g. "Driver/library version mismatch", "Driver Not Loaded" */
        ptd_json_add_str(o, "status", "error");
        ptd_json_add_str(o, "error", nvml_err(&api, r));
        ptd_json_add_num(o, "error_code", r, true);
        goto out;
    }
    ptd_json_add_str(o, "status", "ok");
    cJSON_AddNullToObject(o, "error");
    if (api.driver_version && api.driver_version(ver, sizeof(ver)) == 0) {
        ver[sizeof(ver) - 1] = '\0';
        agent_sanitize(ver);
        ptd_json_add_str(o, "driver_version", ver);
    } else {
        ptd_json_add_str(o, "driver_version", NULL);
    }
    if (api.cuda_version && api.cuda_version(&cuda) == 0 && cuda > 0) {
        /* 12080 → "12.8" (NVML_CUDA_DRIVER_VERSION_MAJOR/MINOR) */
        snprintf(ver, sizeof(ver), "%d.%d", cuda / 1000, (cuda % 1000) / 10);
        ptd_json_add_str(o, "cuda_version", ver);
    } else {
        ptd_json_add_str(o, "cuda_version", NULL);
    }
    devs = cJSON_AddArrayToObject(o, "devices");
    r = api.count(&count);
    if (r != 0) {
        cJSON_ReplaceItemInObjectCaseSensitive(o, "status", cJSON_CreateString("error"));
        cJSON_ReplaceItemInObjectCaseSensitive(o, "error", cJSON_CreateString(nvml_err(&api, r)));
        count = 0;
    }
    for (i = 0; i < count && i < 64; i++)
        add_device(&api, devs, i);
    api.shutdown();
out:
    dlclose(lib);
    return o;
}

/* SPDX-License-Identifier: MIT */
/*
 * doc.compute and gpus[].compute: whether a compute user's stack works, not only whether
 * nvidia-smi answers.
 *  - CUDA: the driver API in libcuda.so.1, opened at run time in the isolated child (cuInit
 *    may block on a GPU in trouble): cuInit, cuDriverGetVersion, and per device its name,
 *    compute capability and PCI address (cuda.h's CUdevice_attribute values).
 *  - ROCm's kernel side: /dev/kfd and the KFD topology, one node per CPU or GPU agent in
 *    /sys/class/kfd/kfd/topology/nodes/N/properties ("key value" lines, kfd_topology.c).
 */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "ptdiag/doc.h"

#define SRC       "compute"
#define CUDA_LIB  "libcuda.so.1"
#define KFD_NODES "/sys/class/kfd/kfd/topology/nodes"
#define MAX_CUDA  64
#define MAX_KFD   64
#define CU_MAJOR  75 /* CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR */
#define CU_MINOR  76 /* CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR */
#define CU_BUS    33 /* CU_DEVICE_ATTRIBUTE_PCI_BUS_ID */
#define CU_DEVICE 34 /* CU_DEVICE_ATTRIBUTE_PCI_DEVICE_ID */
#define CU_DOMAIN 50 /* CU_DEVICE_ATTRIBUTE_PCI_DOMAIN_ID */

struct cuda_api {
    int (*init)(unsigned);
    int (*driver_version)(int *);
    int (*count)(int *);
    int (*get)(int *, int);
    int (*name)(char *, int, int);
    int (*attr)(int *, int, int);
    int (*total_mem)(size_t *, int);
    int (*error_name)(int, const char **);
};

#define CU_SYM(field, sym) (*(void **)&api->field = dlsym(lib, sym))

static bool load_cuda(void *lib, struct cuda_api *api)
{
    memset(api, 0, sizeof(*api));
    CU_SYM(init, "cuInit");
    CU_SYM(driver_version, "cuDriverGetVersion");
    CU_SYM(count, "cuDeviceGetCount");
    CU_SYM(get, "cuDeviceGet");
    CU_SYM(name, "cuDeviceGetName");
    CU_SYM(attr, "cuDeviceGetAttribute");
    CU_SYM(total_mem, "cuDeviceTotalMem_v2");
    CU_SYM(error_name, "cuGetErrorName");
    return api->init && api->driver_version && api->count && api->get && api->attr;
}

static void cuda_device(const struct cuda_api *api, cJSON *devs, int index)
{
    cJSON *d = cJSON_CreateObject();
    int dev = 0, major = 0, minor = 0, dom = 0, bus = 0, slot = 0;
    size_t mem = 0;
    char buf[128];

    if (!d || !cJSON_AddItemToArray(devs, d) || api->get(&dev, index) != 0) {
        if (d)
            ptd_json_add_str(d, "error", "cuDeviceGet failed");
        return;
    }
    if (api->name && api->name(buf, (int)sizeof(buf), dev) == 0) {
        buf[sizeof(buf) - 1] = '\0';
        agent_sanitize(buf);
        ptd_json_add_str(d, "name", buf);
    }
    if (api->attr(&major, CU_MAJOR, dev) == 0 && api->attr(&minor, CU_MINOR, dev) == 0) {
        snprintf(buf, sizeof(buf), "%d.%d", major, minor);
        ptd_json_add_str(d, "compute_capability", buf);
    }
    if (api->attr(&dom, CU_DOMAIN, dev) == 0 && api->attr(&bus, CU_BUS, dev) == 0 &&
        api->attr(&slot, CU_DEVICE, dev) == 0) {
        snprintf(buf, sizeof(buf), "%04x:%02x:%02x.0", (unsigned)dom & 0xffff, (unsigned)bus & 0xff,
                 (unsigned)slot & 0x1f);
        ptd_json_add_str(d, "pci_bus_id", buf);
    }
    ptd_json_add_u64(d, "total_memory_bytes", mem,
                     api->total_mem && api->total_mem(&mem, dev) == 0);
}

cJSON *agent_cuda_query(void *unused)
{
    cJSON *o = cJSON_CreateObject(), *devs;
    struct cuda_api api;
    const char *ename = NULL;
    int r, ver = 0, n = 0, i;
    char buf[64];
    void *lib;

    (void)unused;
    if (!o)
        return NULL;
    lib = dlopen(CUDA_LIB, RTLD_NOW | RTLD_LOCAL);
    if (!lib || !load_cuda(lib, &api)) {
        const char *e = lib ? CUDA_LIB ": required entry points missing" : dlerror();

        ptd_json_add_str(o, "status", lib ? "error" : "missing");
        ptd_json_add_str(o, "error", e ? e : CUDA_LIB ": cannot be opened");
        return o;
    }
    r = api.init(0);
    if (api.driver_version(&ver) == 0 && ver > 0) {
        snprintf(buf, sizeof(buf), "%d.%d", ver / 1000, (ver % 1000) / 10); /* 12040 -> 12.4 */
        ptd_json_add_str(o, "driver_version", buf);
    }
    if (r != 0) {
        /* CUDA_ERROR_NO_DEVICE (100), CUDA_ERROR_INSUFFICIENT_DRIVER (35), ... */
        if (!api.error_name || api.error_name(r, &ename) != 0 || !ename)
            ename = "CUDA error";
        snprintf(buf, sizeof(buf), "cuInit: %s (%d)", ename, r);
        ptd_json_add_str(o, "status", "error");
        ptd_json_add_str(o, "error", buf);
        return o;
    }
    ptd_json_add_str(o, "status", "ok");
    cJSON_AddNullToObject(o, "error");
    devs = cJSON_AddArrayToObject(o, "devices");
    if (api.count(&n) != 0)
        n = 0;
    for (i = 0; i < n && i < MAX_CUDA; i++)
        cuda_device(&api, devs, i);
    return o; /* no dlclose: the driver keeps threads; the child exits right after */
}

/* "gfx_target_version 110000" -> "gfx1100"; 90010 -> "gfx90a" (major, minor, stepping hex) */
bool agent_kfd_gfx_name(uint64_t version, char *buf, size_t len)
{
    if (version == 0 || version > 999999)
        return false;
    snprintf(buf, len, "gfx%u%u%x", (unsigned)(version / 10000), (unsigned)(version / 100 % 100),
             (unsigned)(version % 100));
    return true;
}

static uint64_t prop(const char *text, const char *key, bool *found)
{
    size_t klen = strlen(key);
    const char *line = text;

    *found = false;
    while (line && *line) {
        if (strncmp(line, key, klen) == 0 && line[klen] == ' ') {
            char *end;
            unsigned long long v = strtoull(line + klen + 1, &end, 10);

            *found = end != line + klen + 1;
            return v;
        }
        line = strchr(line, '\n');
        line = line ? line + 1 : NULL;
    }
    return 0;
}

static void kfd_node(struct agent_ctx *ctx, cJSON *nodes, const char *name)
{
    char path[PATH_MAX], gfx[32], bdf[32] = "";
    uint64_t simd, ver, loc, dom;
    bool has_simd, has_ver, has_loc, has_dom;
    char *text = NULL;
    cJSON *n;
    int r;

    snprintf(path, sizeof(path), KFD_NODES "/%s/properties", name);
    r = ptd_root_read_file(ctx->root, path, 64 * 1024, &text, NULL);
    if (r != 0) {
        ptd_doc_add_error(ctx->doc, SRC, "%s: %s", path, strerror(-r));
        return;
    }
    simd = prop(text, "simd_count", &has_simd);
    ver = prop(text, "gfx_target_version", &has_ver);
    loc = prop(text, "location_id", &has_loc);
    dom = prop(text, "domain", &has_dom);
    free(text);
    if (!has_simd || simd == 0)
        return; /* a CPU agent */
    n = cJSON_CreateObject();
    if (!n || !cJSON_AddItemToArray(nodes, n)) {
        cJSON_Delete(n);
        return;
    }
    ptd_json_add_str(n, "node", name);
    ptd_json_add_u64(n, "simd_count", simd, true);
    ptd_json_add_str(n, "gfx_target",
                     has_ver && agent_kfd_gfx_name(ver, gfx, sizeof(gfx)) ? gfx : NULL);
    /* location_id is the PCI bus << 8 | devfn (pci_dev_id()) */
    if (has_loc && loc <= 0xffff && (!has_dom || dom <= 0xffff))
        snprintf(bdf, sizeof(bdf), "%04x:%02x:%02x.%x", (unsigned)dom, (unsigned)(loc >> 8),
                 (unsigned)((loc >> 3) & 0x1f), (unsigned)(loc & 7));
    ptd_json_add_str(n, "location", has_loc && loc <= 0xffff ? bdf : NULL);
}

static void add_rocm(struct agent_ctx *ctx, cJSON *compute)
{
    cJSON *rocm = cJSON_AddObjectToObject(compute, "rocm"), *nodes;
    char **names = NULL;
    size_t n = 0, i;
    int r;

    /* /dev/kfd is asked live only: under --root the topology stands for it */
    if (ctx->live)
        ptd_json_add_tri(rocm, "kfd_present", ptd_root_exists(ctx->root, "/dev/kfd"));
    else
        cJSON_AddNullToObject(rocm, "kfd_present");
    r = ptd_root_list_dir(ctx->root, KFD_NODES, &names, &n);
    if (r != 0) {
        if (r == -ENOENT)
            cJSON_AddArrayToObject(rocm, "nodes"); /* no KFD: no ROCm agents */
        else {
            cJSON_AddNullToObject(rocm, "nodes");
            ptd_doc_add_error(ctx->doc, SRC, "%s: %s", KFD_NODES, strerror(-r));
        }
        return;
    }
    nodes = cJSON_AddArrayToObject(rocm, "nodes");
    for (i = 0; i < n && i < MAX_KFD; i++)
        kfd_node(ctx, nodes, names[i]);
    ptd_strv_free(names);
}

static void set_reason(cJSON *c, const char *what, const char *why)
{
    char buf[240];

    snprintf(buf, sizeof(buf), "%s%s%s", what, why ? ": " : "", why ? why : "");
    ptd_json_add_str(c, "reason", buf);
}

static void join_cuda(const cJSON *doc, const cJSON *gpu, cJSON *c, cJSON *apis)
{
    const char *status = ptd_json_get_str(doc, "compute.cuda.status");
    const cJSON *dev = NULL, *it;

    cJSON_ArrayForEach(it, ptd_json_get(doc, "compute.cuda.devices"))
    {
        if (agent_bdf_eq(ptd_json_get_str(it, "pci_bus_id"), ptd_json_get_str(gpu, "location")))
            dev = it;
    }
    if (dev) {
        agent_add_unique(apis, "cuda");
        ptd_json_add_str(c, "cuda_version", ptd_json_get_str(doc, "compute.cuda.driver_version"));
        ptd_json_add_str(c, "cuda_capability", ptd_json_get_str(dev, "compute_capability"));
    } else if (status && strcmp(status, "ok") == 0) {
        set_reason(c, "CUDA lists no device at this PCI address", NULL);
    } else {
        set_reason(c, "CUDA", ptd_json_get_str(doc, "compute.cuda.error"));
    }
}

static void join_rocm(const cJSON *doc, const cJSON *gpu, cJSON *c, cJSON *apis)
{
    const cJSON *node = NULL, *it;

    cJSON_ArrayForEach(it, ptd_json_get(doc, "compute.rocm.nodes"))
    {
        if (agent_bdf_eq(ptd_json_get_str(it, "location"), ptd_json_get_str(gpu, "location")))
            node = it;
    }
    if (ptd_json_get_tri(doc, "compute.rocm.kfd_present") == 0)
        set_reason(c, "/dev/kfd absent: amdgpu has no KFD (ROCm) interface", NULL);
    else if (!node)
        set_reason(c, "no KFD topology node for this GPU", NULL);
    else {
        agent_add_unique(apis, "rocm");
        ptd_json_add_str(c, "rocm_gfx_target", ptd_json_get_str(node, "gfx_target"));
    }
}

/* gpus[].compute: null where nothing was asked (another vendor, CUDA under --root, no
 * amdgpu bound); apis [] with the reason where the stack was asked and does not work. */
void agent_compute_join(cJSON *doc)
{
    cJSON *gpu;

    cJSON_ArrayForEach(gpu, cJSON_GetObjectItemCaseSensitive(doc, "gpus"))
    {
        const char *vendor = ptd_json_get_str(gpu, "vendor_id");
        const char *driver = ptd_json_get_str(gpu, "driver");
        const char *cuda = ptd_json_get_str(doc, "compute.cuda.status");
        bool nv = vendor && strcmp(vendor, "10de") == 0 && cuda && strcmp(cuda, "unknown") != 0;
        bool amd = vendor && strcmp(vendor, "1002") == 0 && driver && !strcmp(driver, "amdgpu") &&
                   cJSON_IsArray(ptd_json_get(doc, "compute.rocm.nodes"));
        cJSON *c, *apis;

        if (!cJSON_IsObject(gpu))
            continue;
        cJSON_DeleteItemFromObjectCaseSensitive(gpu, "compute");
        if (!nv && !amd) {
            cJSON_AddNullToObject(gpu, "compute");
            continue;
        }
        c = cJSON_AddObjectToObject(gpu, "compute");
        apis = cJSON_AddArrayToObject(c, "apis");
        if (nv)
            join_cuda(doc, gpu, c, apis);
        else
            join_rocm(doc, gpu, c, apis);
        if (!cJSON_GetObjectItemCaseSensitive(c, "reason"))
            cJSON_AddNullToObject(c, "reason");
    }
}

static bool any_vendor(const cJSON *doc, const char *vendor)
{
    const cJSON *g;

    cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(doc, "gpus"))
    {
        const char *v = ptd_json_get_str(g, "vendor_id");

        if (v && strcmp(v, vendor) == 0)
            return true;
    }
    return false;
}

void agent_compute(struct agent_ctx *ctx)
{
    cJSON *compute = cJSON_AddObjectToObject(ctx->doc, "compute"), *cuda = NULL;
    char why[160] = "";

    if (!compute)
        return;
    if (ctx->live && any_vendor(ctx->doc, "10de")) {
        cuda = agent_isolated(agent_cuda_query, NULL, why, sizeof(why));
        if (!cuda) {
            cuda = cJSON_CreateObject();
            ptd_json_add_str(cuda, "status", "error");
            ptd_json_add_str(cuda, "error", why);
            ptd_doc_add_error(ctx->doc, SRC, "CUDA query: %s", why);
        }
    } else {
        /* not an NVIDIA guest, or --root: CUDA was not asked */
        cuda = cJSON_CreateObject();
        ptd_json_add_str(cuda, "status", "unknown");
        ptd_json_add_str(cuda, "error", ctx->live ? "no NVIDIA GPU" : "not queried under --root");
    }
    if (!cJSON_AddItemToObject(compute, "cuda", cuda))
        cJSON_Delete(cuda);
    add_rocm(ctx, compute);
    agent_compute_join(ctx->doc);
}

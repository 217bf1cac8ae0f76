/* SPDX-License-Identifier: MIT */
/* The capability table's rows (capability.h): one cell builder per column, each over the
 * guest document's facts only. */
#include "capability.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ptdiag/doc.h"
#include "ptdiag/soak_sample.h"
#include "ptdiag/docnum.h"
#include "report.h"

const char *const rpt_capability_keys[RPT_CAP_NCOLS] = {
    "gpu",    "driver", "vram",     "d3d",     "vulkan",
    "decode", "encode", "displays", "compute", "interrupts"};
const char *const rpt_capability_labels[RPT_CAP_NCOLS] = {
    "GPU",    "Driver", "VRAM",     "Direct3D", "Vulkan",
    "Decode", "Encode", "Displays", "Compute",  "Interrupts"};

static bool is_windows(const cJSON *doc)
{
    const char *os = ptd_json_get_str(doc, "producer.os");
    return os && strcmp(os, "windows") == 0;
}

static const char *or_q(const char *s)
{
    return s ? s : "?";
}

/* Linux names a GPU by its BDF; a Windows PnP instance id is too long for a cell, so there
 * the vendor:device ids stand in. */
static char *cell_gpu(const cJSON *doc, const cJSON *g)
{
    struct ptd_strbuf b = {0};
    const char *name = ptd_json_get_str(g, "device_name");
    if (!name)
        name = ptd_json_get_str(g, "windows.description");
    if (!is_windows(doc))
        ptd_strbuf_printf(&b, "%s ", or_q(ptd_json_get_str(g, "location")));
    if (name)
        ptd_strbuf_printf(&b, "%s ", name);
    ptd_strbuf_printf(&b, "[%s:%s]", or_q(ptd_json_get_str(g, "vendor_id")),
                      or_q(ptd_json_get_str(g, "device_id")));
    return ptd_strbuf_take(&b);
}

static char *cell_driver(const cJSON *doc, const cJSON *g)
{
    struct ptd_strbuf b = {0};
    const char *drv = ptd_json_get_str(g, "driver");
    if (is_windows(doc))
        return rpt_cap_windows_driver(g);
    if (!drv)
        return cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(g, "driver")) ? strdup("none") : NULL;
    ptd_strbuf_add(&b, drv);
    if (strcmp(drv, "nvidia") == 0) {
        const char *ver = ptd_json_get_str(doc, "nvidia.kernel_module.version");
        const char *flavor = ptd_json_get_str(doc, "nvidia.kernel_module.flavor");
        if (ver)
            ptd_strbuf_printf(&b, " %s", ver);
        if (flavor)
            ptd_strbuf_printf(&b, " (%s)", flavor);
    } else {
        /* in-tree drivers (amdgpu, i915, xe, nouveau) are versioned with the kernel */
        const char *ver = ptd_json_get_str(doc, "system.kernel_release");
        if (ver)
            ptd_strbuf_printf(&b, " (kernel %s)", ver);
    }
    return ptd_strbuf_take(&b);
}

static char *cell_vram(const cJSON *g, const char *key)
{
    struct ptd_strbuf b = {0};
    uint64_t bytes;
    if (ptd_json_get_u64(g, key, UINT64_MAX, &bytes, NULL) != PTD_NUM_OK)
        return NULL;
    ptd_strbuf_printf(&b, "%.1f GiB", (double)bytes / (1024.0 * 1024 * 1024));
    return ptd_strbuf_take(&b);
}

static char *cell_d3d(const cJSON *doc, const cJSON *g)
{
    const cJSON *a, *adapters = ptd_json_get(doc, "dxgi.adapters");
    struct ptd_strbuf b = {0};
    if (!is_windows(doc))
        return strdup("n/a (Linux)");
    if (!cJSON_IsArray(adapters))
        return NULL;
    cJSON_ArrayForEach(a, adapters)
    {
        if (ptd_json_get_tri(a, "software") == 1 || !rpt_cap_same_ids(a, g))
            continue;
        const char *l11 = ptd_json_get_str(a, "d3d11_feature_level");
        const char *l12 = ptd_json_get_str(a, "d3d12_feature_level");
        if (!l11 && !l12)
            return NULL;
        ptd_strbuf_printf(&b, "D3D11 %s, D3D12 %s", l11 ? l11 : "unknown", l12 ? l12 : "none");
        return ptd_strbuf_take(&b);
    }
    return strdup("none (no DXGI adapter for this GPU)");
}

static char *cell_vulkan(const cJSON *doc, const cJSON *g)
{
    const cJSON *d, *devs = ptd_json_get(doc, "vulkan.devices");
    const char *loader = ptd_json_get_str(doc, "vulkan.loader");
    const char *loc = ptd_json_get_str(g, "location");
    struct ptd_strbuf b = {0};
    if (loader && strcmp(loader, "missing") == 0)
        return strdup("none (no Vulkan loader)");
    if (!cJSON_IsArray(devs))
        return NULL;
    cJSON_ArrayForEach(d, devs)
    {
        const char *bus = ptd_json_get_str(d, "pci_bus");
        bool match = bus && loc ? rpt_bdf_eq(bus, loc) : rpt_cap_same_ids(d, g);
        if (!match)
            continue;
        const char *api = ptd_json_get_str(d, "api_version");
        const char *name = ptd_json_get_str(d, "driver_name");
        ptd_strbuf_add(&b, api ? api : "unknown version");
        if (name)
            ptd_strbuf_printf(&b, " (%s)", name);
        return ptd_strbuf_take(&b);
    }
    return strdup("none (no Vulkan device for this GPU)");
}

/* "h264 hevc av1", "none (reason)", or NULL when the agent could not tell. */
static char *cell_codecs(const cJSON *g, const char *key)
{
    const cJSON *video = cJSON_GetObjectItemCaseSensitive(g, "video");
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(video, key), *c;
    const char *reason = ptd_json_get_str(video, "reason");
    struct ptd_strbuf b = {0};
    if (!cJSON_IsArray(list))
        return NULL;
    cJSON_ArrayForEach(c, list)
    {
        if (cJSON_IsString(c))
            ptd_strbuf_printf(&b, "%s%s", b.len ? " " : "", c->valuestring);
    }
    if (!b.len)
        ptd_strbuf_printf(&b, "none%s%s%s", reason ? " (" : "", reason ? reason : "",
                          reason ? ")" : "");
    return ptd_strbuf_take(&b);
}

static char *cell_displays(const cJSON *g)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(g, "displays"), *d;
    struct ptd_strbuf names = {0};
    size_t total = 0, on = 0;
    if (!cJSON_IsArray(list))
        return NULL;
    cJSON_ArrayForEach(d, list)
    {
        total++;
        if (ptd_json_get_tri(d, "connected") != 1)
            continue;
        const char *name = ptd_json_get_str(d, "name");
        ptd_strbuf_printf(&names, "%s%s", on++ ? ", " : "", name ? name : "?");
    }
    return rpt_cap_connected_cell(on, total, &names);
}

char *rpt_cap_connected_cell(size_t on, size_t total, struct ptd_strbuf *names)
{
    struct ptd_strbuf b = {0};
    if (!total)
        ptd_strbuf_add(&b, "no outputs");
    else if (!on)
        ptd_strbuf_printf(&b, "none connected of %zu", total);
    else
        ptd_strbuf_printf(&b, "%zu connected of %zu (%s)", on, total,
                          names->data ? names->data : "");
    ptd_strbuf_release(names);
    return ptd_strbuf_take(&b);
}

static char *cell_compute(const cJSON *g)
{
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(g, "compute");
    const char *cuda = ptd_json_get_str(c, "cuda_version");
    const char *cc = ptd_json_get_str(c, "cuda_capability");
    const char *gfx = ptd_json_get_str(c, "rocm_gfx_target");
    const char *reason = ptd_json_get_str(c, "reason");
    struct ptd_strbuf b = {0};
    if (!cJSON_IsObject(c))
        return NULL;
    if (cuda || cc)
        ptd_strbuf_printf(&b, "CUDA %s, compute capability %s", cuda ? cuda : "?", cc ? cc : "?");
    if (gfx)
        ptd_strbuf_printf(&b, "%sROCm %s", b.len ? "; " : "", gfx);
    if (!b.len && !reason && !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(c, "apis")))
        return NULL;
    if (!b.len)
        ptd_strbuf_printf(&b, "none%s%s%s", reason ? " (" : "", reason ? reason : "",
                          reason ? ")" : "");
    return ptd_strbuf_take(&b);
}

static void build_row(const cJSON *doc, const cJSON *g, struct rpt_capability_row *r)
{
    int index;
    r->gpu = g;
    r->adapter = is_windows(doc) ? rpt_cap_dxgi_adapter(doc, g, &index) : NULL;
    r->cell[RPT_CAP_GPU] = cell_gpu(doc, g);
    r->cell[RPT_CAP_DRIVER] = cell_driver(doc, g);
    r->cell[RPT_CAP_VRAM] = cell_vram(g, "vram_total_bytes");
    r->cell[RPT_CAP_D3D] = cell_d3d(doc, g);
    r->cell[RPT_CAP_VULKAN] = cell_vulkan(doc, g);
    r->cell[RPT_CAP_DECODE] = cell_codecs(g, "decode_codecs");
    r->cell[RPT_CAP_ENCODE] = cell_codecs(g, "encode_codecs");
    r->cell[RPT_CAP_DISPLAYS] = cell_displays(g);
    r->cell[RPT_CAP_COMPUTE] = cell_compute(g);
    r->cell[RPT_CAP_IRQ] = rpt_cap_interrupts(doc, g);
}

/* A hardware DXGI adapter no gpus[] entry names: the API facts are all there is. */
static void build_adapter_row(const cJSON *doc, const cJSON *ad, int index,
                              struct rpt_capability_row *r)
{
    struct ptd_strbuf b = {0};
    const char *desc = ptd_json_get_str(ad, "description");

    r->adapter = ad;
    ptd_strbuf_printf(&b, "%s [%s:%s] (DXGI adapter, no display device with these ids)", or_q(desc),
                      or_q(ptd_json_get_str(ad, "vendor_id")),
                      or_q(ptd_json_get_str(ad, "device_id")));
    r->cell[RPT_CAP_GPU] = ptd_strbuf_take(&b);
    r->cell[RPT_CAP_VRAM] = cell_vram(ad, "dedicated_video_memory_bytes");
    r->cell[RPT_CAP_D3D] = cell_d3d(doc, ad);
    r->cell[RPT_CAP_VULKAN] = cell_vulkan(doc, ad);
    r->cell[RPT_CAP_DECODE] = rpt_cap_adapter_decode(ad);
    r->cell[RPT_CAP_ENCODE] = rpt_cap_adapter_encode(doc, index);
    r->cell[RPT_CAP_DISPLAYS] = rpt_cap_adapter_displays(ad);
}

static bool adapter_has_gpu(const cJSON *gpus, const cJSON *ad)
{
    const cJSON *g;

    cJSON_ArrayForEach(g, gpus)
    {
        if (rpt_cap_same_ids(ad, g))
            return true;
    }
    return false;
}

int rpt_capability_rows(const cJSON *guest_doc, struct rpt_capability_table *out)
{
    const cJSON *gpus = cJSON_GetObjectItemCaseSensitive(guest_doc, "gpus"), *g;
    const cJSON *adapters = is_windows(guest_doc) ? ptd_json_get(guest_doc, "dxgi.adapters") : NULL;
    int n = cJSON_IsArray(gpus) ? cJSON_GetArraySize(gpus) : 0;
    int index = 0;
    out->rows = NULL;
    out->nrows = 0;
    if (!cJSON_IsArray(adapters))
        adapters = NULL; /* an object's members would overrun the rows counted below */
    n += cJSON_GetArraySize(adapters);
    if (n <= 0)
        return 0;
    out->rows = calloc((size_t)n, sizeof(*out->rows));
    if (!out->rows)
        return -1;
    if (cJSON_IsArray(gpus)) {
        cJSON_ArrayForEach(g, gpus)
        {
            if (!cJSON_IsObject(g) ||
                ptd_soak_is_emulated_display(ptd_json_get_str(g, "vendor_id")))
                continue;
            build_row(guest_doc, g, &out->rows[out->nrows++]);
        }
    }
    cJSON_ArrayForEach(g, adapters)
    {
        if (cJSON_IsObject(g) && ptd_json_get_tri(g, "software") == 0 && !adapter_has_gpu(gpus, g))
            build_adapter_row(guest_doc, g, index, &out->rows[out->nrows++]);
        index++;
    }
    return 0;
}

void rpt_capability_free(struct rpt_capability_table *t)
{
    for (size_t i = 0; t && i < t->nrows; i++)
        for (size_t c = 0; c < RPT_CAP_NCOLS; c++)
            free(t->rows[i].cell[c]);
    if (t) {
        free(t->rows);
        t->rows = NULL;
        t->nrows = 0;
    }
}

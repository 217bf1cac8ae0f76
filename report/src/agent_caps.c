/* SPDX-License-Identifier: MIT */
/*
 * The capability table of the in-guest verdict: one block per GPU of a guest document, joined
 * with what the graphics APIs said about the same device (DXGI adapter and Vulkan device by
 * PCI vendor:device, hardware encoders by the DXGI adapter's LUID). Facts only; a fact the
 * document lacks prints as "unknown", an empty list as "none".
 *
 * To be replaced by the report's capability module (rpt_capability_rows) once it is merged:
 * gpu_rows() is the one place that builds rows.
 */
#include <stdlib.h>
#include <string.h>

#include "agent_verdict.h"
#include "ptdiag/doc.h"
#include "ptdiag/docnum.h"
#include "ptdiag/escape.h"
#include "report.h"

#define GIB ((uint64_t)1 << 30)
#define MIB ((uint64_t)1 << 20)

static bool same_ids(const cJSON *a, const cJSON *b)
{
    const char *va = ptd_json_get_str(a, "vendor_id"), *vb = ptd_json_get_str(b, "vendor_id");
    const char *da = ptd_json_get_str(a, "device_id"), *db = ptd_json_get_str(b, "device_id");

    return va && vb && da && db && strcmp(va, vb) == 0 && strcmp(da, db) == 0;
}

/* The hardware DXGI adapter with the GPU's vendor:device (Windows), or NULL. */
static const cJSON *dxgi_adapter(const cJSON *doc, const cJSON *gpu, int *index)
{
    const cJSON *ad;
    int i = 0;

    cJSON_ArrayForEach(ad, ptd_json_get(doc, "dxgi.adapters"))
    {
        if (ptd_json_get_tri(ad, "software") == 0 && same_ids(ad, gpu)) {
            *index = i;
            return ad;
        }
        i++;
    }
    return NULL;
}

static void bytes_text(struct rpt_buf *b, const cJSON *obj, const char *path)
{
    uint64_t v;

    if (ptd_json_get_u64(obj, path, UINT64_MAX, &v, NULL) != PTD_NUM_OK)
        rpt_buf_add(b, "unknown");
    else if (v >= GIB)
        rpt_buf_printf(b, "%.1f GiB", (double)v / (double)GIB);
    else
        rpt_buf_printf(b, "%llu MiB", (unsigned long long)(v / MIB));
}

static void driver_row(struct rpt_buf *b, const cJSON *doc, const cJSON *gpu)
{
    const char *drv = ptd_json_get_str(gpu, "driver");
    const char *prov = ptd_json_get_str(gpu, "windows.provider");
    const char *ver = ptd_json_get_str(gpu, "windows.driver_version");
    const char *vver = ptd_json_get_str(gpu, "windows.driver_version_vendor");
    const char *nv = ptd_json_get_str(doc, "nvidia.kernel_module.version");
    int64_t problem;

    rpt_buf_add(b, drv ? drv : "none bound");
    if (prov)
        rpt_buf_printf(b, ", %s", prov);
    if (ver)
        rpt_buf_printf(b, " %s", ver);
    if (vver)
        rpt_buf_printf(b, " (%s)", vver);
    if (!ver && nv && drv && strncmp(drv, "nvidia", 6) == 0)
        rpt_buf_printf(b, " %s", nv);
    if (ptd_json_get_int(gpu, "windows.problem_code", 0, 1000, &problem, NULL) == PTD_NUM_OK)
        rpt_buf_printf(b, problem ? "; Device Manager code %lld" : "; no device problem",
                       (long long)problem);
}

static void d3d_row(struct rpt_buf *b, const cJSON *ad)
{
    const char *l11 = ptd_json_get_str(ad, "d3d11_feature_level");
    const char *l12 = ptd_json_get_str(ad, "d3d12_feature_level");

    rpt_buf_printf(b, "D3D11 %s, D3D12 %s", l11 ? l11 : "unknown", l12 ? l12 : "unknown");
}

static void vulkan_row(struct rpt_buf *b, const cJSON *doc, const cJSON *gpu)
{
    const char *loader = ptd_json_get_str(doc, "vulkan.loader");
    const cJSON *dev;

    if (loader && strcmp(loader, "missing") == 0) {
        rpt_buf_add(b, "no loader (vulkan-1)");
        return;
    }
    cJSON_ArrayForEach(dev, ptd_json_get(doc, "vulkan.devices"))
    {
        if (!same_ids(dev, gpu))
            continue;
        rpt_buf_printf(b, "%s on %s",
                       ptd_json_get_str(dev, "api_version") ? ptd_json_get_str(dev, "api_version")
                                                            : "unknown version",
                       ptd_json_get_str(dev, "name") ? ptd_json_get_str(dev, "name") : "?");
        return;
    }
    rpt_buf_add(b, loader ? "no Vulkan device for this GPU" : "unknown");
}

/* "H.264 4096x4096, HEVC Main10 8192x8192": the codecs with their largest tested size. */
static void decode_row(struct rpt_buf *b, const cJSON *ad)
{
    const cJSON *dec = ad ? cJSON_GetObjectItemCaseSensitive(ad, "video_decode") : NULL;
    const cJSON *codecs = cJSON_GetObjectItemCaseSensitive(dec, "codecs"), *c;
    const char *error = ptd_json_get_str(dec, "error");
    size_t n = 0;

    if (!cJSON_IsArray(codecs)) {
        rpt_buf_printf(b, "unknown%s%s", error ? ": " : "", error ? error : "");
        return;
    }
    cJSON_ArrayForEach(c, codecs)
    {
        const char *name = ptd_json_get_str(c, "codec");
        int64_t w, h;

        if (!name)
            continue;
        rpt_buf_printf(b, "%s%s", n++ ? ", " : "", name);
        if (ptd_json_get_int(c, "max_width", 1, 65536, &w, NULL) == PTD_NUM_OK &&
            ptd_json_get_int(c, "max_height", 1, 65536, &h, NULL) == PTD_NUM_OK)
            rpt_buf_printf(b, " %lldx%lld", (long long)w, (long long)h);
    }
    if (!n)
        rpt_buf_add(b, "none");
}

static void encode_row(struct rpt_buf *b, const cJSON *doc, int adapter_index)
{
    const cJSON *enc = ptd_json_get(doc, "video_encode");
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(enc, "encoders"), *e;
    const char *error = ptd_json_get_str(enc, "error");
    size_t n = 0;

    if (!cJSON_IsArray(list) || adapter_index < 0) {
        rpt_buf_printf(b, "unknown%s%s", error ? ": " : "", error ? error : "");
        return;
    }
    cJSON_ArrayForEach(e, list)
    {
        int64_t idx;
        const char *codec = ptd_json_get_str(e, "codec"),
                   *fn = ptd_json_get_str(e, "friendly_name");

        if (ptd_json_get_int(e, "dxgi_adapter_index", 0, 1000, &idx, NULL) != PTD_NUM_OK ||
            idx != adapter_index)
            continue;
        rpt_buf_printf(b, "%s%s", n++ ? ", " : "", codec ? codec : "?");
        if (fn)
            rpt_buf_printf(b, " (%s)", fn);
    }
    if (!n)
        rpt_buf_add(b, "none");
}

static void displays_row(struct rpt_buf *b, const cJSON *ad)
{
    const cJSON *outs = cJSON_GetObjectItemCaseSensitive(ad, "outputs"), *o;
    size_t attached = 0;

    if (!cJSON_IsArray(outs)) {
        rpt_buf_add(b, "unknown");
        return;
    }
    cJSON_ArrayForEach(o, outs)
    {
        int64_t w, h;

        if (ptd_json_get_tri(o, "attached_to_desktop") != 1)
            continue;
        rpt_buf_printf(b, "%s%s", attached++ ? ", " : "",
                       ptd_json_get_str(o, "name") ? ptd_json_get_str(o, "name") : "?");
        if (ptd_json_get_int(o, "width", 1, 65536, &w, NULL) == PTD_NUM_OK &&
            ptd_json_get_int(o, "height", 1, 65536, &h, NULL) == PTD_NUM_OK)
            rpt_buf_printf(b, " %lldx%lld", (long long)w, (long long)h);
    }
    if (!attached)
        rpt_buf_printf(b, "none attached (%d output%s)", cJSON_GetArraySize(outs),
                       cJSON_GetArraySize(outs) == 1 ? "" : "s");
}

static const char *msi_word(const cJSON *obj)
{
    int msi = ptd_json_get_tri(obj, "msi_supported");

    return msi == 1 ? "MSI" : msi == 0 ? "line-based" : "unknown";
}

/* "GPU MSI, audio 1 line-based": the GPU's mode, then the other functions of its PCI device. */
static void interrupts_row(struct rpt_buf *b, const cJSON *gpu)
{
    const cJSON *win = cJSON_GetObjectItemCaseSensitive(gpu, "windows"), *fn;

    rpt_buf_printf(b, "GPU %s", msi_word(cJSON_GetObjectItemCaseSensitive(win, "interrupts")));
    cJSON_ArrayForEach(fn, cJSON_GetObjectItemCaseSensitive(win, "companions"))
    {
        const char *cls = ptd_json_get_str(fn, "class");
        int64_t f;

        rpt_buf_add(b, cls && strncmp(cls, "0403", 4) == 0 ? ", audio" : ", function");
        if (ptd_json_get_int(fn, "pci_function", 0, 7, &f, NULL) == PTD_NUM_OK)
            rpt_buf_printf(b, " .%lld", (long long)f);
        rpt_buf_printf(b, " %s", msi_word(cJSON_GetObjectItemCaseSensitive(fn, "interrupts")));
    }
}

static void row(FILE *out, const char *label, struct rpt_buf *b)
{
    char *text = rpt_buf_take(b);

    fprintf(out, "    %-11s ", label);
    ptd_esc_text(out, text ? text : "?", 0);
    fputc('\n', out);
    free(text);
}

static void gpu_rows(FILE *out, const cJSON *doc, const cJSON *gpu, bool windows)
{
    struct rpt_buf b = {0};
    int index = -1;
    const cJSON *ad = windows ? dxgi_adapter(doc, gpu, &index) : NULL;

    driver_row(&b, doc, gpu);
    row(out, "driver", &b);
    bytes_text(&b, gpu, "vram_total_bytes");
    row(out, "VRAM", &b);
    if (windows) {
        if (ad)
            d3d_row(&b, ad);
        else
            rpt_buf_add(&b, "no DXGI hardware adapter for this GPU");
        row(out, "Direct3D", &b);
    }
    vulkan_row(&b, doc, gpu);
    row(out, "Vulkan", &b);
    if (!windows)
        return; /* the Linux agent's video and display facts: the report's capability module */
    decode_row(&b, ad);
    row(out, "decode", &b);
    encode_row(&b, doc, index);
    row(out, "encode", &b);
    if (ad)
        displays_row(&b, ad);
    else
        rpt_buf_add(&b, "unknown");
    row(out, "displays", &b);
    interrupts_row(&b, gpu);
    row(out, "interrupts", &b);
}

/* A hardware DXGI adapter with no display device of the same vendor:device (Wine's own, or a
 * device SetupAPI did not list): its API facts still belong in the table. */
static bool adapter_has_gpu(const cJSON *doc, const cJSON *ad)
{
    const cJSON *gpu;

    cJSON_ArrayForEach(gpu, ptd_json_get(doc, "gpus"))
    {
        if (same_ids(ad, gpu))
            return true;
    }
    return false;
}

static void adapter_rows(FILE *out, const cJSON *doc, const cJSON *ad, int index)
{
    struct rpt_buf b = {0};
    const char *v = ptd_json_get_str(ad, "vendor_id"), *d = ptd_json_get_str(ad, "device_id");

    fputs("  ", out);
    ptd_esc_text(out, ptd_json_get_str(ad, "description"), 0);
    fprintf(out, " [%s:%s] (DXGI adapter, no display device with these ids)\n",
            v ? ptd_esc_tmp(v, 8) : "?", d ? ptd_esc_tmp(d, 8) : "?");
    bytes_text(&b, ad, "dedicated_video_memory_bytes");
    row(out, "VRAM", &b);
    d3d_row(&b, ad);
    row(out, "Direct3D", &b);
    vulkan_row(&b, doc, ad);
    row(out, "Vulkan", &b);
    decode_row(&b, ad);
    row(out, "decode", &b);
    encode_row(&b, doc, index);
    row(out, "encode", &b);
    displays_row(&b, ad);
    row(out, "displays", &b);
}

void rpt_agent_caps_text(FILE *out, const cJSON *doc)
{
    const char *os = ptd_json_get_str(doc, "producer.os");
    bool windows = os && strcmp(os, "windows") == 0;
    const cJSON *gpu, *ad;
    int n = 0;

    fputs("\nGPUs\n", out);
    cJSON_ArrayForEach(gpu, ptd_json_get(doc, "gpus"))
    {
        const char *desc = ptd_json_get_str(gpu, "windows.description");
        const char *name = desc ? desc : ptd_json_get_str(gpu, "device_name");
        const char *v = ptd_json_get_str(gpu, "vendor_id"), *d = ptd_json_get_str(gpu, "device_id");

        fputs("  ", out);
        ptd_esc_text(out, name ? name : "GPU", 0);
        fprintf(out, " [%s:%s] at ", v ? ptd_esc_tmp(v, 8) : "?", d ? ptd_esc_tmp(d, 8) : "?");
        ptd_esc_text(out, ptd_json_get_str(gpu, "location"), 0);
        fputc('\n', out);
        gpu_rows(out, doc, gpu, windows);
        n++;
    }
    int index = 0;
    cJSON_ArrayForEach(ad, ptd_json_get(doc, "dxgi.adapters"))
    {
        if (ptd_json_get_tri(ad, "software") == 0 && !adapter_has_gpu(doc, ad)) {
            adapter_rows(out, doc, ad, index);
            n++;
        }
        index++;
    }
    if (!n)
        fputs("  no GPU device found\n", out);
    cJSON_ArrayForEach(ad, ptd_json_get(doc, "dxgi.adapters"))
    {
        if (ptd_json_get_tri(ad, "software") != 1)
            continue;
        fputs("  software adapter (DXGI): ", out);
        ptd_esc_text(out, ptd_json_get_str(ad, "description"), 0);
        fputc('\n', out);
    }
    cJSON_ArrayForEach(ad, ptd_json_get(doc, "vulkan.devices"))
    {
        const char *type = ptd_json_get_str(ad, "type");

        if (!type || strcmp(type, "cpu") != 0)
            continue;
        fputs("  software renderer (Vulkan): ", out);
        ptd_esc_text(out, ptd_json_get_str(ad, "name"), 0);
        fputc('\n', out);
    }
}

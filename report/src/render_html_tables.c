/* SPDX-License-Identifier: MIT */
/*
 * The HTML report's tables of facts: the host's version inventory (the host document's
 * `inventory`, drawn generically as it is written: scalars as rows, arrays of objects as
 * tables) and, per guest GPU, what the guest can do with it (driver, VRAM, Direct3D feature
 * levels, Vulkan devices). html_capabilities draws what the guest document holds; a
 * capability module of the report can replace it.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ptdiag/doc.h"
#include "render_html.h"

#define DEPTH_MAX 4

static void scalar(FILE *out, const cJSON *v)
{
    char *s;

    if (cJSON_IsString(v)) {
        html_text(out, v->valuestring);
        return;
    }
    s = cJSON_PrintUnformatted(v);
    html_text(out, s ? s : "?");
    cJSON_free(s);
}

static void value(FILE *out, const cJSON *v, int depth);

static void object_rows(FILE *out, const cJSON *obj, int depth)
{
    const cJSON *kid;

    fputs("<table>\n", out);
    cJSON_ArrayForEach(kid, obj)
    {
        fputs("<tr><th>", out);
        html_text(out, kid->string ? kid->string : "");
        fputs("</th><td>", out);
        value(out, kid, depth + 1);
        fputs("</td></tr>\n", out);
    }
    fputs("</table>\n", out);
}

static void value(FILE *out, const cJSON *v, int depth)
{
    const cJSON *kid;

    if (depth > DEPTH_MAX) {
        fputs("...", out);
        return;
    }
    if (cJSON_IsObject(v)) {
        object_rows(out, v, depth);
    } else if (cJSON_IsArray(v)) {
        cJSON_ArrayForEach(kid, v)
        {
            fputs("<div>", out);
            value(out, kid, depth + 1);
            fputs("</div>", out);
        }
    } else {
        scalar(out, v);
    }
}

void html_inventory(FILE *out, const cJSON *host_doc)
{
    const cJSON *inv = cJSON_GetObjectItemCaseSensitive(host_doc, "inventory");

    if (!inv || cJSON_IsNull(inv))
        return;
    fputs("<h2 id=\"inventory\">Version inventory</h2>\n", out);
    value(out, inv, 0);
}

static void size_cell(FILE *out, const cJSON *gpu, const char *key)
{
    double b = ptd_json_get_num(gpu, key, -1);

    if (b >= 0)
        fprintf(out, "%.0f MiB", b / 1048576.0);
    else
        fputs("unknown", out);
}

/* The DXGI adapter or Vulkan device x is the guest GPU gpu: the same vendor:device. */
static bool same_ids(const cJSON *gpu, const cJSON *x)
{
    const char *vid = ptd_json_get_str(gpu, "vendor_id"), *did = ptd_json_get_str(gpu, "device_id");
    const char *xv = ptd_json_get_str(x, "vendor_id"), *xd = ptd_json_get_str(x, "device_id");

    return vid && did && xv && xd && !strcasecmp(xv, vid) && !strcasecmp(xd, did);
}

static void feature_levels(FILE *out, const cJSON *gdoc, const cJSON *gpu)
{
    const cJSON *a;
    bool any = false;

    cJSON_ArrayForEach(a, ptd_json_get(gdoc, "dxgi.adapters"))
    {
        if (!same_ids(gpu, a))
            continue;
        fputs("D3D11 ", out);
        html_text(out, ptd_json_get_str(a, "d3d11_feature_level")
                           ? ptd_json_get_str(a, "d3d11_feature_level")
                           : "?");
        fputs(", D3D12 ", out);
        html_text(out, ptd_json_get_str(a, "d3d12_feature_level")
                           ? ptd_json_get_str(a, "d3d12_feature_level")
                           : "?");
        any = true;
        break;
    }
    if (!any)
        fputs("&ndash;", out);
}

static void vulkan(FILE *out, const cJSON *gdoc, const cJSON *gpu)
{
    const cJSON *d;
    bool any = false;

    cJSON_ArrayForEach(d, ptd_json_get(gdoc, "vulkan.devices"))
    {
        if (!same_ids(gpu, d))
            continue;
        html_text(out, ptd_json_get_str(d, "name"));
        fputs(" (Vulkan ", out);
        html_text(out, ptd_json_get_str(d, "api_version"));
        fputs(")", out);
        any = true;
    }
    if (!any) {
        const char *loader = ptd_json_get_str(gdoc, "vulkan.loader");
        fputs(loader && !strcmp(loader, "missing") ? "no Vulkan loader" : "no Vulkan device", out);
    }
}

void html_capabilities(FILE *out, const struct rpt_model *m)
{
    bool any = false;

    for (size_t i = 0; i < m->nguests; i++) {
        const struct rpt_guest *g = &m->guests[i];

        for (size_t k = 0; k < g->ngpus; k++) {
            const cJSON *gpu = g->gpus[k].gpu;

            if (!any)
                fputs("<h2 id=\"capabilities\">Guest GPU capabilities</h2>\n<table>\n<tr><th>"
                      "Guest</th><th>GPU</th><th>Driver</th><th>VRAM</th><th>Direct3D</th>"
                      "<th>Vulkan</th></tr>\n",
                      out);
            any = true;
            fputs("<tr><td>", out);
            html_text(out, ptd_json_get_str(g->doc.json, "system.hostname"));
            if (g->vmid >= 0)
                fprintf(out, " (VM %ld)", g->vmid);
            fputs("</td><td>", out);
            html_text(out, ptd_json_get_str(gpu, "device_name"));
            fputs(" [", out);
            html_text(out, ptd_json_get_str(gpu, "vendor_id"));
            fputc(':', out);
            html_text(out, ptd_json_get_str(gpu, "device_id"));
            fputs("]</td><td>", out);
            html_text(out,
                      ptd_json_get_str(gpu, "driver") ? ptd_json_get_str(gpu, "driver") : "none");
            fputs("</td><td>", out);
            size_cell(out, gpu, "vram_total_bytes");
            fputs("</td><td>", out);
            feature_levels(out, g->doc.json, gpu);
            fputs("</td><td>", out);
            vulkan(out, g->doc.json, gpu);
            fputs("</td></tr>\n", out);
        }
    }
    if (any)
        fputs("</table>\n", out);
}

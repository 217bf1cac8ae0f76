/* SPDX-License-Identifier: MIT */
/* The Windows cells of the capability table (capability.h): what the graphics APIs said about
 * a device (DXGI adapter by PCI vendor:device, hardware encoders by the adapter's index) and
 * the interrupt mode SetupAPI read for the GPU and its companion functions. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "capability.h"
#include "ptdiag/doc.h"
#include "ptdiag/docnum.h"
#include "report.h"

bool rpt_cap_same_ids(const cJSON *a, const cJSON *b)
{
    const char *va = ptd_json_get_str(a, "vendor_id"), *vb = ptd_json_get_str(b, "vendor_id");
    const char *da = ptd_json_get_str(a, "device_id"), *db = ptd_json_get_str(b, "device_id");

    return va && vb && da && db && strcasecmp(va, vb) == 0 && strcasecmp(da, db) == 0;
}

const cJSON *rpt_cap_dxgi_adapter(const cJSON *doc, const cJSON *gpu, int *index)
{
    const cJSON *ad;
    int i = 0;

    *index = -1;
    cJSON_ArrayForEach(ad, ptd_json_get(doc, "dxgi.adapters"))
    {
        if (ptd_json_get_tri(ad, "software") == 0 && rpt_cap_same_ids(ad, gpu)) {
            *index = i;
            return ad;
        }
        i++;
    }
    return NULL;
}

/* "nvlddmkm, NVIDIA 31.0.15.3623 (536.23); no device problem": the Device Manager code is
 * the first thing a user who just installed the driver looks for. */
char *rpt_cap_windows_driver(const cJSON *gpu)
{
    const char *drv = ptd_json_get_str(gpu, "driver");
    const char *prov = ptd_json_get_str(gpu, "windows.provider");
    const char *ver = ptd_json_get_str(gpu, "windows.driver_version");
    const char *vver = ptd_json_get_str(gpu, "windows.driver_version_vendor");
    struct ptd_strbuf b = {0};
    int64_t problem;

    ptd_strbuf_add(&b, drv ? drv : "none bound");
    if (prov)
        ptd_strbuf_printf(&b, ", %s", prov);
    if (ver)
        ptd_strbuf_printf(&b, " %s", ver);
    if (vver)
        ptd_strbuf_printf(&b, " (%s)", vver);
    if (ptd_json_get_int(gpu, "windows.problem_code", 0, 1000, &problem, NULL) == PTD_NUM_OK)
        ptd_strbuf_printf(&b, problem ? "; Device Manager code %lld" : "; no device problem",
                          (long long)problem);
    return ptd_strbuf_take(&b);
}

static const char *msi_word(const cJSON *obj)
{
    int msi = ptd_json_get_tri(obj, "msi_supported");

    return msi == 1 ? "MSI" : msi == 0 ? "line-based" : "unknown";
}

/* "GPU MSI, audio .1 line-based": line-based interrupts are the usual cause of crackling
 * HDMI audio and stutter, so the audio function is named with the GPU. */
char *rpt_cap_interrupts(const cJSON *doc, const cJSON *gpu)
{
    const char *os = ptd_json_get_str(doc, "producer.os");
    const cJSON *win = cJSON_GetObjectItemCaseSensitive(gpu, "windows"), *fn;
    struct ptd_strbuf b = {0};

    if (os && strcmp(os, "linux") == 0)
        return strdup("not reported (Linux)");
    if (!os || strcmp(os, "windows") != 0 || !cJSON_IsObject(win))
        return NULL;
    ptd_strbuf_printf(&b, "GPU %s", msi_word(cJSON_GetObjectItemCaseSensitive(win, "interrupts")));
    cJSON_ArrayForEach(fn, cJSON_GetObjectItemCaseSensitive(win, "companions"))
    {
        const char *cls = ptd_json_get_str(fn, "class");
        int64_t f;

        ptd_strbuf_add(&b, cls && strncmp(cls, "0403", 4) == 0 ? ", audio" : ", function");
        if (ptd_json_get_int(fn, "pci_function", 0, 7, &f, NULL) == PTD_NUM_OK)
            ptd_strbuf_printf(&b, " .%lld", (long long)f);
        ptd_strbuf_printf(&b, " %s", msi_word(cJSON_GetObjectItemCaseSensitive(fn, "interrupts")));
    }
    return ptd_strbuf_take(&b);
}

static char *unknown_because(const char *error)
{
    struct ptd_strbuf b = {0};

    ptd_strbuf_printf(&b, "unknown (%s)", error);
    return ptd_strbuf_take(&b);
}

/* "H.264 4096x4096, HEVC Main10 8192x8192": the codecs with their largest tested size. */
char *rpt_cap_adapter_decode(const cJSON *ad)
{
    const cJSON *dec = cJSON_GetObjectItemCaseSensitive(ad, "video_decode");
    const cJSON *codecs = cJSON_GetObjectItemCaseSensitive(dec, "codecs"), *c;
    const char *error = ptd_json_get_str(dec, "error");
    struct ptd_strbuf b = {0};
    size_t n = 0;

    if (!cJSON_IsArray(codecs))
        return error ? unknown_because(error) : NULL;
    cJSON_ArrayForEach(c, codecs)
    {
        const char *name = ptd_json_get_str(c, "codec");
        int64_t w, h;

        if (!name)
            continue;
        ptd_strbuf_printf(&b, "%s%s", n++ ? ", " : "", name);
        if (ptd_json_get_int(c, "max_width", 1, 65536, &w, NULL) == PTD_NUM_OK &&
            ptd_json_get_int(c, "max_height", 1, 65536, &h, NULL) == PTD_NUM_OK)
            ptd_strbuf_printf(&b, " %lldx%lld", (long long)w, (long long)h);
    }
    if (!n)
        ptd_strbuf_printf(&b, "none%s%s%s", error ? " (" : "", error ? error : "",
                          error ? ")" : "");
    return ptd_strbuf_take(&b);
}

char *rpt_cap_adapter_encode(const cJSON *doc, int index)
{
    const cJSON *enc = ptd_json_get(doc, "video_encode");
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(enc, "encoders"), *e;
    const char *error = ptd_json_get_str(enc, "error");
    struct ptd_strbuf b = {0};
    size_t n = 0;

    if (!cJSON_IsArray(list) || index < 0)
        return error ? unknown_because(error) : NULL;
    cJSON_ArrayForEach(e, list)
    {
        const char *codec = ptd_json_get_str(e, "codec"),
                   *fn = ptd_json_get_str(e, "friendly_name");
        int64_t idx;

        if (ptd_json_get_int(e, "dxgi_adapter_index", 0, 1000, &idx, NULL) != PTD_NUM_OK ||
            idx != index)
            continue;
        ptd_strbuf_printf(&b, "%s%s", n++ ? ", " : "", codec ? codec : "?");
        if (fn)
            ptd_strbuf_printf(&b, " (%s)", fn);
    }
    if (!n)
        ptd_strbuf_printf(&b, "none%s%s%s", error ? " (" : "", error ? error : "",
                          error ? ")" : "");
    return ptd_strbuf_take(&b);
}

/* Same wording as the GPU rows' displays cell: "1 connected of 2 (\\.\DISPLAY1 1920x1080)". */
char *rpt_cap_adapter_displays(const cJSON *ad)
{
    const cJSON *outs = cJSON_GetObjectItemCaseSensitive(ad, "outputs"), *o;
    struct ptd_strbuf names = {0};
    size_t on = 0;
    int total = cJSON_GetArraySize(outs);

    if (!cJSON_IsArray(outs))
        return NULL;
    cJSON_ArrayForEach(o, outs)
    {
        const char *name = ptd_json_get_str(o, "name");
        int64_t w, h;

        if (ptd_json_get_tri(o, "attached_to_desktop") != 1)
            continue;
        ptd_strbuf_printf(&names, "%s%s", on++ ? ", " : "", name ? name : "?");
        if (ptd_json_get_int(o, "width", 1, 65536, &w, NULL) == PTD_NUM_OK &&
            ptd_json_get_int(o, "height", 1, 65536, &h, NULL) == PTD_NUM_OK)
            ptd_strbuf_printf(&names, " %lldx%lld", (long long)w, (long long)h);
    }
    return rpt_cap_connected_cell(on, (size_t)total, &names);
}

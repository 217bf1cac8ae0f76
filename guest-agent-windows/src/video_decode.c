/* SPDX-License-Identifier: MIT */
/*
 * video_decode: per DXGI adapter, the D3D11 video decoder profiles the driver offers
 * (ID3D11VideoDevice::GetVideoDecoderProfileCount/GetVideoDecoderProfile), as codecs with the
 * largest tested frame size the decoder accepts (CheckVideoDecoderFormat for the profile's
 * output format, then GetVideoDecoderConfigCount per size). Written as "video_decode", one entry
 * per DXGI adapter in enumeration order, for the main thread to move into dxgi.adapters[].
 */
#include <windows.h>

#include <d3d11.h>
#include <dxgi.h>
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "interp.h"
#include "ptdiag/doc.h"

#define MAX_PROFILES 128

static void guid_string(const GUID *g, char *buf, size_t buflen)
{
    snprintf(buf, buflen, "%08lx-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             (unsigned long)g->Data1, g->Data2, g->Data3, g->Data4[0], g->Data4[1], g->Data4[2],
             g->Data4[3], g->Data4[4], g->Data4[5], g->Data4[6], g->Data4[7]);
}

/* The largest tested size with at least one decoder configuration; false when the profile's
 * output format is refused or no size has one. */
static bool max_size(ID3D11VideoDevice *vd, const GUID *g, int depth, struct ptw_size *out)
{
    DXGI_FORMAT fmt = depth > 10  ? DXGI_FORMAT_P016
                      : depth > 8 ? DXGI_FORMAT_P010
                                  : DXGI_FORMAT_NV12;
    BOOL supported = FALSE;
    size_t n;
    const struct ptw_size *sizes = ptw_decoder_test_sizes(&n);
    bool any = false;

    if (FAILED(ID3D11VideoDevice_CheckVideoDecoderFormat(vd, g, fmt, &supported)) || !supported)
        return false;
    for (size_t i = 0; i < n; i++) {
        D3D11_VIDEO_DECODER_DESC desc = {*g, sizes[i].width, sizes[i].height, fmt};
        UINT count = 0;

        if (SUCCEEDED(ID3D11VideoDevice_GetVideoDecoderConfigCount(vd, &desc, &count)) && count) {
            *out = sizes[i];
            any = true;
        }
    }
    return any;
}

/* codecs[]: one entry per codec label, with the largest size of its profiles. */
static void add_codec(cJSON *codecs, const char *codec, bool sized, const struct ptw_size *sz)
{
    cJSON *c;

    cJSON_ArrayForEach(c, codecs)
    {
        if (strcmp(ptd_json_get_str(c, "codec"), codec) != 0)
            continue;
        if (sized &&
            (uint64_t)sz->width * sz->height > (uint64_t)ptd_json_get_num(c, "max_width", 0) *
                                                   (uint64_t)ptd_json_get_num(c, "max_height", 0)) {
            cJSON_ReplaceItemInObject(c, "max_width", cJSON_CreateNumber(sz->width));
            cJSON_ReplaceItemInObject(c, "max_height", cJSON_CreateNumber(sz->height));
        }
        return;
    }
    c = cJSON_CreateObject();
    if (!c || !cJSON_AddItemToArray(codecs, c)) {
        cJSON_Delete(c);
        return;
    }
    ptd_json_add_str(c, "codec", codec);
    ptd_json_add_num(c, "max_width", sized ? sz->width : 0, sized);
    ptd_json_add_num(c, "max_height", sized ? sz->height : 0, sized);
}

static void list_profiles(ID3D11VideoDevice *vd, cJSON *dec)
{
    UINT n = ID3D11VideoDevice_GetVideoDecoderProfileCount(vd);
    cJSON *profiles = cJSON_AddArrayToObject(dec, "profiles");
    cJSON *codecs = cJSON_AddArrayToObject(dec, "codecs");

    for (UINT i = 0; i < n && i < MAX_PROFILES; i++) {
        GUID g;
        char gs[40];
        const struct ptw_decoder_profile *p;
        struct ptw_size sz = {0, 0};
        bool sized;
        cJSON *o;

        if (FAILED(ID3D11VideoDevice_GetVideoDecoderProfile(vd, i, &g)))
            continue;
        guid_string(&g, gs, sizeof(gs));
        p = ptw_decoder_profile(gs);
        sized = p && p->codec && max_size(vd, &g, p->bit_depth, &sz);
        o = cJSON_CreateObject();
        if (!o || !cJSON_AddItemToArray(profiles, o)) {
            cJSON_Delete(o);
            break;
        }
        ptd_json_add_str(o, "guid", gs);
        ptd_json_add_str(o, "name", p ? p->name : NULL);
        ptd_json_add_str(o, "codec", p ? p->codec : NULL);
        ptd_json_add_num(o, "max_width", sz.width, sized);
        ptd_json_add_num(o, "max_height", sz.height, sized);
        if (p && p->codec)
            add_codec(codecs, p->codec, sized, &sz);
    }
}

static void decode_adapter(struct ptw_agent *a, IDXGIAdapter1 *ad, const char *what, cJSON *dec)
{
    ID3D11Device *dev = NULL;
    ID3D11VideoDevice *vd = NULL;
    char err[200];
    HRESULT hr = D3D11CreateDevice((IDXGIAdapter *)ad, D3D_DRIVER_TYPE_UNKNOWN, NULL,
                                   D3D11_CREATE_DEVICE_VIDEO_SUPPORT, NULL, 0, D3D11_SDK_VERSION,
                                   &dev, NULL, NULL);

    if (SUCCEEDED(hr))
        hr = ID3D11Device_QueryInterface(dev, &IID_ID3D11VideoDevice, (void **)&vd);
    if (FAILED(hr)) {
        ptw_win_error((unsigned long)hr, err, sizeof(err));
        ptd_json_add_str(dec, "error", err);
        cJSON_AddNullToObject(dec, "profiles");
        cJSON_AddNullToObject(dec, "codecs");
        ptd_doc_add_error(a->doc, "video_decode", "%s on %s: %s",
                          dev ? "ID3D11VideoDevice" : "D3D11CreateDevice(VIDEO_SUPPORT)", what,
                          err);
    } else {
        ptd_json_add_str(dec, "error", NULL);
        list_profiles(vd, dec);
        ID3D11VideoDevice_Release(vd);
    }
    if (dev)
        ID3D11Device_Release(dev);
}

void ptw_collect_video_decode(struct ptw_agent *a)
{
    cJSON *arr = cJSON_AddArrayToObject(a->doc, "video_decode");
    IDXGIFactory1 *factory = NULL;

    if (FAILED(CreateDXGIFactory1(&IID_IDXGIFactory1, (void **)&factory)))
        return; /* the DXGI collector records why */
    for (UINT i = 0; i < PTW_MAX_ADAPTERS; i++) {
        IDXGIAdapter1 *ad = NULL;
        DXGI_ADAPTER_DESC1 d;
        cJSON *dec;
        char what[256];

        if (FAILED(IDXGIFactory1_EnumAdapters1(factory, i, &ad)))
            break;
        if (FAILED(IDXGIAdapter1_GetDesc1(ad, &d))) { /* not listed by dxgi.c either */
            IDXGIAdapter1_Release(ad);
            continue;
        }
        if (d.Flags & DXGI_ADAPTER_FLAG_SOFTWARE) {
            /* the software adapter (WARP) decodes nothing in hardware: not asked */
            cJSON_AddItemToArray(arr, cJSON_CreateNull());
            IDXGIAdapter1_Release(ad);
            continue;
        }
        dec = cJSON_CreateObject();
        if (dec && cJSON_AddItemToArray(arr, dec))
            decode_adapter(a, ad, ptw_utf8(d.Description, what, sizeof(what)), dec);
        else
            cJSON_Delete(dec);
        IDXGIAdapter1_Release(ad);
    }
    IDXGIFactory1_Release(factory);
}

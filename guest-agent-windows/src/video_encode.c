/* SPDX-License-Identifier: MIT */
/*
 * video_encode: the hardware video encoders Media Foundation offers (MFTEnumEx on the video
 * encoder category with MFT_ENUM_FLAG_HARDWARE) for H.264, HEVC and AV1, each with its friendly
 * name, vendor and the LUID of the adapter it encodes on. mfplat.dll is loaded at run time:
 * Windows N editions lack it until the Media Feature Pack is installed, and that is a fact.
 */
#include <windows.h>

#include <initguid.h> /* the attribute GUIDs below are defined here, not in an import library */
#include <mfapi.h>
#include <mfobjects.h>
#include <mftransform.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "interp.h"
#include "ptdiag/doc.h"

/* Windows 10 1607+ (mfapi.h of later SDKs); not in MinGW-w64 10. The adapter an MFT belongs to. */
DEFINE_GUID(ptw_MFT_ENUM_ADAPTER_LUID, 0x1d39518c, 0xe220, 0x4da8, 0xa0, 0x7f, 0xba, 0x17, 0x25,
            0x52, 0xd6, 0xb1);
/* Windows 8+ (mftransform.h): "VEN_10DE", or what the vendor wrote ("AMD"). */
DEFINE_GUID(ptw_MFT_ENUM_HARDWARE_VENDOR_ID, 0x3aecb0cc, 0x035b, 0x4bcc, 0x81, 0x85, 0x2b, 0x8d,
            0x55, 0x1e, 0xf3, 0xaf);

typedef HRESULT(WINAPI *mft_enum_ex_fn)(GUID, UINT32, const MFT_REGISTER_TYPE_INFO *,
                                        const MFT_REGISTER_TYPE_INFO *, IMFActivate ***, UINT32 *);
typedef HRESULT(WINAPI *mf_startup_fn)(ULONG, DWORD);
typedef HRESULT(WINAPI *mf_shutdown_fn)(void);

static char *attr_string(IMFActivate *act, const GUID *key)
{
    WCHAR *w = NULL;
    UINT32 len = 0;
    char *s;

    if (FAILED(IMFActivate_GetAllocatedString(act, key, &w, &len)))
        return NULL;
    s = ptw_utf8_dup(w);
    CoTaskMemFree(w);
    return s;
}

/* The LUID as a UINT64 (what MFTEnumEx sets) or as the 8-byte LUID blob MFTEnum2 filters on. */
static bool attr_luid(IMFActivate *act, uint32_t *high, uint32_t *low)
{
    UINT64 v = 0;
    LUID l;
    UINT32 got = 0;

    if (SUCCEEDED(IMFActivate_GetUINT64(act, &ptw_MFT_ENUM_ADAPTER_LUID, &v))) {
        *high = (uint32_t)(v >> 32);
        *low = (uint32_t)v;
        return true;
    }
    if (SUCCEEDED(
            IMFActivate_GetBlob(act, &ptw_MFT_ENUM_ADAPTER_LUID, (UINT8 *)&l, sizeof(l), &got)) &&
        got == sizeof(l)) {
        *high = (uint32_t)l.HighPart;
        *low = l.LowPart;
        return true;
    }
    return false;
}

static void emit_encoder(cJSON *arr, const char *codec, IMFActivate *act)
{
    cJSON *o = cJSON_CreateObject();
    char *name = attr_string(act, &MFT_FRIENDLY_NAME_Attribute);
    char *vendor = attr_string(act, &ptw_MFT_ENUM_HARDWARE_VENDOR_ID);
    unsigned vid;
    uint32_t high, low;
    char buf[32];

    if (o && cJSON_AddItemToArray(arr, o)) {
        ptd_json_add_str(o, "codec", codec);
        ptd_json_add_str(o, "friendly_name", name);
        ptd_json_add_str(o, "vendor", vendor);
        if (ptw_parse_mft_vendor(vendor, &vid))
            ptd_json_add_hex16(o, "vendor_id", vid);
        else
            ptd_json_add_str(o, "vendor_id", NULL);
        if (attr_luid(act, &high, &low)) {
            ptw_luid_string(high, low, buf, sizeof(buf));
            ptd_json_add_str(o, "adapter_luid", buf);
        } else {
            ptd_json_add_str(o, "adapter_luid", NULL);
        }
    } else {
        cJSON_Delete(o);
    }
    free(name);
    free(vendor);
}

void ptw_collect_video_encode(struct ptw_agent *a)
{
    static const struct {
        const char *codec;
        const GUID *subtype;
    } codecs[] = {
        {"H.264", &MFVideoFormat_H264}, {"HEVC", &MFVideoFormat_HEVC}, {"AV1", &MFVideoFormat_AV1}};
    cJSON *enc = ptw_obj(a->doc, "video_encode");
    HMODULE dll = LoadLibraryExW(L"mfplat.dll", NULL, LOAD_LIBRARY_SEARCH_SYSTEM32);
    mft_enum_ex_fn enum_ex;
    mf_startup_fn startup;
    mf_shutdown_fn shutdown;
    bool started = false;
    cJSON *arr;
    char err[200];

    ptd_json_add_str(enc, "source", "media-foundation");
    if (!dll) {
        ptw_win_error(GetLastError(), err, sizeof(err));
        ptd_json_add_str(enc, "error", err);
        cJSON_AddNullToObject(enc, "encoders");
        ptd_doc_add_error(a->doc, "video_encode",
                          "mfplat.dll: %s (Windows N without the Media "
                          "Feature Pack has no Media Foundation)",
                          err);
        return;
    }
    enum_ex = (mft_enum_ex_fn)(void *)GetProcAddress(dll, "MFTEnumEx");
    startup = (mf_startup_fn)(void *)GetProcAddress(dll, "MFStartup");
    shutdown = (mf_shutdown_fn)(void *)GetProcAddress(dll, "MFShutdown");
    if (!enum_ex) {
        ptd_json_add_str(enc, "error", "mfplat.dll has no MFTEnumEx");
        cJSON_AddNullToObject(enc, "encoders");
        ptd_doc_add_error(a->doc, "video_encode", "mfplat.dll has no MFTEnumEx");
        return;
    }
    started = startup && shutdown && SUCCEEDED(startup(MF_VERSION, MFSTARTUP_LITE));
    arr = cJSON_AddArrayToObject(enc, "encoders");
    ptd_json_add_str(enc, "error", NULL);
    for (size_t c = 0; c < sizeof(codecs) / sizeof(codecs[0]); c++) {
        MFT_REGISTER_TYPE_INFO out = {MFMediaType_Video, *codecs[c].subtype};
        IMFActivate **acts = NULL;
        UINT32 n = 0;
        HRESULT hr =
            enum_ex(MFT_CATEGORY_VIDEO_ENCODER,
                    MFT_ENUM_FLAG_HARDWARE | MFT_ENUM_FLAG_SORTANDFILTER, NULL, &out, &acts, &n);

        if (FAILED(hr)) {
            ptd_doc_add_error(a->doc, "video_encode", "MFTEnumEx(%s, hardware): %s",
                              codecs[c].codec, ptw_win_error((unsigned long)hr, err, sizeof(err)));
            cJSON_DeleteItemFromObject(enc, "error");
            ptd_json_add_str(enc, "error", err);
            continue;
        }
        for (UINT32 i = 0; i < n; i++) {
            emit_encoder(arr, codecs[c].codec, acts[i]);
            IMFActivate_Release(acts[i]);
        }
        CoTaskMemFree(acts);
    }
    if (started)
        shutdown();
    /* mfplat.dll stays loaded: hardware MFT drivers may keep threads in it. */
}

void ptw_link_encoders_dxgi(struct ptw_agent *a)
{
    cJSON *e;

    cJSON_ArrayForEach(e, ptd_json_get(a->doc, "video_encode.encoders"))
    {
        const char *luid = ptd_json_get_str(e, "adapter_luid");
        const char *vendor = ptd_json_get_str(e, "vendor_id");
        const char *how = NULL;
        char buf[32];
        int found = -1;

        for (int i = 0; luid && i < a->nadapters && found < 0; i++) {
            ptw_luid_string(a->adapters[i].luid_high, a->adapters[i].luid_low, buf, sizeof(buf));
            if (strcmp(buf, luid) == 0)
                found = i, how = "luid";
        }
        /* An MFT without the LUID attribute (before Windows 10 1607) encodes on the adapter of
         * its vendor; only an unambiguous one is named. */
        for (int i = 0; !luid && vendor && i < a->nadapters; i++) {
            snprintf(buf, sizeof(buf), "%04x", a->adapters[i].vendor_id);
            if (a->adapters[i].software || strcmp(buf, vendor) != 0)
                continue;
            found = found < 0 ? i : -2;
            how = "vendor";
        }
        ptd_json_add_num(e, "dxgi_adapter_index", found, found >= 0);
        ptd_json_add_str(e, "dxgi_adapter_match", found >= 0 ? how : NULL);
    }
}

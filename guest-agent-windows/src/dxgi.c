/* SPDX-License-Identifier: MIT */
/* dxgi.adapters[]: every adapter DXGI enumerates, software ones flagged (the seed's probe
 * listed "Microsoft Basic Render Driver" as a GPU), with the 64-bit DedicatedVideoMemory
 * rather than WMI's 32-bit AdapterRAM, the memory budget, and D3D11/D3D12 feature levels. */
#include <windows.h>

#include <dxgi1_4.h>
#include <stdio.h>

#include "agent.h"
#include "ptdiag/doc.h"
#include "ptdiag/log.h"

static void read_budget(IDXGIAdapter1 *ad, struct ptw_adapter *out)
{
    IDXGIAdapter3 *ad3 = NULL;
    DXGI_QUERY_VIDEO_MEMORY_INFO info;

    /* IDXGIAdapter3 exists from Windows 10; older systems simply have no budget. */
    if (FAILED(IDXGIAdapter1_QueryInterface(ad, &IID_IDXGIAdapter3, (void **)&ad3)))
        return;
    if (SUCCEEDED(
            IDXGIAdapter3_QueryVideoMemoryInfo(ad3, 0, DXGI_MEMORY_SEGMENT_GROUP_LOCAL, &info))) {
        out->has_budget = true;
        out->budget_bytes = info.Budget;
        out->usage_bytes = info.CurrentUsage;
    }
    IDXGIAdapter3_Release(ad3);
}

static cJSON *emit_adapter(cJSON *arr, const struct ptw_adapter *ad)
{
    cJSON *o = cJSON_CreateObject();
    char buf[32];

    if (!o || !cJSON_AddItemToArray(arr, o)) {
        cJSON_Delete(o);
        return NULL;
    }
    ptd_json_add_str(o, "description", ad->description);
    ptd_json_add_hex16(o, "vendor_id", ad->vendor_id);
    ptd_json_add_hex16(o, "device_id", ad->device_id);
    snprintf(buf, sizeof(buf), "%08x", ad->subsys_id);
    ptd_json_add_str(o, "subsys_id", buf);
    snprintf(buf, sizeof(buf), "%02x", ad->revision & 0xff);
    ptd_json_add_str(o, "revision", buf);
    ptd_json_add_u64(o, "dedicated_video_memory_bytes", ad->dedicated_video_memory, true);
    ptd_json_add_u64(o, "dedicated_system_memory_bytes", ad->dedicated_system_memory, true);
    ptd_json_add_u64(o, "shared_system_memory_bytes", ad->shared_system_memory, true);
    ptw_luid_string(ad->luid_high, ad->luid_low, buf, sizeof(buf));
    ptd_json_add_str(o, "luid", buf);
    ptd_json_add_tri(o, "software", ad->software);
    ptw_feature_level_name(ad->d3d11_level, buf, sizeof(buf));
    ptd_json_add_str(o, "d3d11_feature_level", ad->d3d11_level ? buf : NULL);
    ptw_feature_level_name(ad->d3d12_level, buf, sizeof(buf));
    ptd_json_add_str(o, "d3d12_feature_level", ad->d3d12_level ? buf : NULL);
    ptd_json_add_u64(o, "budget_bytes", ad->budget_bytes, ad->has_budget);
    ptd_json_add_u64(o, "usage_bytes", ad->usage_bytes, ad->has_budget);
    return o;
}

void ptw_collect_dxgi(struct ptw_agent *a)
{
    cJSON *dxgi = ptw_obj(a->doc, "dxgi");
    cJSON *arr = cJSON_AddArrayToObject(dxgi, "adapters");
    IDXGIFactory1 *factory = NULL;
    HRESULT hr;
    char err[200];

    hr = CreateDXGIFactory1(&IID_IDXGIFactory1, (void **)&factory);
    if (FAILED(hr)) {
        ptd_json_add_str(dxgi, "error", ptw_win_error((unsigned long)hr, err, sizeof(err)));
        ptd_doc_add_error(a->doc, "dxgi", "CreateDXGIFactory1: %s", err);
        cJSON_DeleteItemFromObject(dxgi, "adapters");
        cJSON_AddNullToObject(dxgi, "adapters");
        return;
    }
    a->dxgi_ok = true;
    for (UINT i = 0; a->nadapters < PTW_MAX_ADAPTERS; i++) {
        IDXGIAdapter1 *ad = NULL;
        DXGI_ADAPTER_DESC1 d;
        struct ptw_adapter *out = &a->adapters[a->nadapters];
        long hr3d;

        hr = IDXGIFactory1_EnumAdapters1(factory, i, &ad);
        if (hr == DXGI_ERROR_NOT_FOUND)
            break;
        if (FAILED(hr)) {
            ptd_doc_add_error(a->doc, "dxgi", "EnumAdapters1(%u): %s", i,
                              ptw_win_error((unsigned long)hr, err, sizeof(err)));
            break;
        }
        memset(out, 0, sizeof(*out));
        if (SUCCEEDED(IDXGIAdapter1_GetDesc1(ad, &d))) {
            ptw_utf8(d.Description, out->description, sizeof(out->description));
            out->vendor_id = d.VendorId;
            out->device_id = d.DeviceId;
            out->subsys_id = d.SubSysId;
            out->revision = d.Revision;
            out->dedicated_video_memory = d.DedicatedVideoMemory;
            out->dedicated_system_memory = d.DedicatedSystemMemory;
            out->shared_system_memory = d.SharedSystemMemory;
            out->luid_high = (uint32_t)d.AdapterLuid.HighPart;
            out->luid_low = d.AdapterLuid.LowPart;
            out->software = (d.Flags & DXGI_ADAPTER_FLAG_SOFTWARE) != 0;
            read_budget(ad, out);
            /* Feature levels only on hardware adapters: the software one is WARP. */
            if (!out->software) {
                ULONGLONG t0 = GetTickCount64();

                out->d3d11_level = ptw_d3d11_level(ad, &hr3d);
                PTD_DEBUG("d3d11 on adapter %u: %llu ms", i,
                          (unsigned long long)(GetTickCount64() - t0));
                t0 = GetTickCount64();
                if (!out->d3d11_level)
                    ptd_doc_add_error(a->doc, "d3d11", "D3D11CreateDevice(%s): %s",
                                      out->description,
                                      ptw_win_error((unsigned long)hr3d, err, sizeof(err)));
                out->d3d12_level = ptw_d3d12_level(ad, &hr3d);
                PTD_DEBUG("d3d12 on adapter %u: %llu ms", i,
                          (unsigned long long)(GetTickCount64() - t0));
                if (!out->d3d12_level)
                    ptd_doc_add_error(a->doc, "d3d12", "D3D12CreateDevice(%s): %s",
                                      out->description,
                                      ptw_win_error((unsigned long)hr3d, err, sizeof(err)));
            }
            cJSON *o = emit_adapter(arr, out);
            if (o)
                ptw_adapter_outputs(a, ad, o, out->description);
            a->nadapters++;
        } else {
            ptd_doc_add_error(a->doc, "dxgi", "GetDesc1(%u) failed", i);
        }
        IDXGIAdapter1_Release(ad);
    }
    IDXGIFactory1_Release(factory);
}

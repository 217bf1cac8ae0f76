/* SPDX-License-Identifier: MIT */
/* Highest Direct3D feature levels. d3d11.dll is linked (present since Windows 7); d3d12.dll
 * is loaded at run time so the agent still runs where it is missing. */
#include <windows.h>

#include <d3d11.h>
#include <initguid.h> /* IID_ID3D12Device is in no MinGW import library: define it here */
#include <d3d12.h>
#include <dxgi.h>
#include <stdio.h>

#include "agent.h"

/* Not in MinGW-w64 10's d3dcommon.h. */
#ifndef D3D_FEATURE_LEVEL_12_2
#define D3D_FEATURE_LEVEL_12_2 ((D3D_FEATURE_LEVEL)0xc200)
#endif

void ptw_feature_level_name(unsigned level, char *buf, size_t buflen)
{
    snprintf(buf, buflen, "%u_%u", (level >> 12) & 0xf, (level >> 8) & 0xf);
}

unsigned ptw_d3d11_level(void *dxgi_adapter, long *hr_out)
{
    /* D3D11.0 runtimes reject 11_1 in the list with E_INVALIDARG; retry without it. The 12_x
     * levels are accepted by current runtimes and chosen where the driver has them. */
    static const D3D_FEATURE_LEVEL levels[] = {
        D3D_FEATURE_LEVEL_12_1, D3D_FEATURE_LEVEL_12_0, D3D_FEATURE_LEVEL_11_1,
        D3D_FEATURE_LEVEL_11_0, D3D_FEATURE_LEVEL_10_1, D3D_FEATURE_LEVEL_10_0,
        D3D_FEATURE_LEVEL_9_3,  D3D_FEATURE_LEVEL_9_2,  D3D_FEATURE_LEVEL_9_1,
    };
    D3D_FEATURE_LEVEL got = 0;
    HRESULT hr;
    unsigned first;

    for (first = 0; first < 3; first++) {
        hr = D3D11CreateDevice((IDXGIAdapter *)dxgi_adapter, D3D_DRIVER_TYPE_UNKNOWN, NULL, 0,
                               levels + first, (UINT)(sizeof(levels) / sizeof(levels[0]) - first),
                               D3D11_SDK_VERSION, NULL, &got, NULL);
        if (hr != E_INVALIDARG)
            break;
    }
    *hr_out = hr;
    return SUCCEEDED(hr) ? (unsigned)got : 0;
}

typedef HRESULT(WINAPI *d3d12_create_device_fn)(IUnknown *, D3D_FEATURE_LEVEL, REFIID, void **);

unsigned ptw_d3d12_level(void *dxgi_adapter, long *hr_out)
{
    static const D3D_FEATURE_LEVEL levels[] = {
        D3D_FEATURE_LEVEL_12_2, D3D_FEATURE_LEVEL_12_1, D3D_FEATURE_LEVEL_12_0,
        D3D_FEATURE_LEVEL_11_1, D3D_FEATURE_LEVEL_11_0,
    };
    HMODULE dll = LoadLibraryExW(L"d3d12.dll", NULL, LOAD_LIBRARY_SEARCH_SYSTEM32);
    d3d12_create_device_fn create;
    ID3D12Device *dev = NULL;
    D3D12_FEATURE_DATA_FEATURE_LEVELS fl = {0};
    unsigned result = 0;
    HRESULT hr;

    if (!dll) {
        *hr_out = HRESULT_FROM_WIN32(GetLastError());
        return 0;
    }
    create = (d3d12_create_device_fn)(void *)GetProcAddress(dll, "D3D12CreateDevice");
    if (!create) {
        *hr_out = HRESULT_FROM_WIN32(ERROR_PROC_NOT_FOUND);
        goto out;
    }
    /* 11_0 is D3D12's minimum; the device then says the highest level it supports. */
    hr = create((IUnknown *)dxgi_adapter, D3D_FEATURE_LEVEL_11_0, &IID_ID3D12Device, (void **)&dev);
    *hr_out = hr;
    if (FAILED(hr))
        goto out;
    fl.NumFeatureLevels = (UINT)(sizeof(levels) / sizeof(levels[0]));
    fl.pFeatureLevelsRequested = levels;
    hr = ID3D12Device_CheckFeatureSupport(dev, D3D12_FEATURE_FEATURE_LEVELS, &fl, sizeof(fl));
    *hr_out = hr;
    if (SUCCEEDED(hr))
        result = (unsigned)fl.MaxSupportedFeatureLevel;
    ID3D12Device_Release(dev);
out:
    /* d3d12.dll stays loaded: drivers may keep threads in it after the device is gone. */
    return result;
}

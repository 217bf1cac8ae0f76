/* SPDX-License-Identifier: MIT */
/*
 * ptdiag-agent.exe: the collectors and what they share. Each collector reads one Windows API
 * family and adds its part of the ptdiag.guest/1 document (docs/schema.md); a failure becomes
 * null facts plus an entry in the document's errors, never an abort.
 */
#ifndef PTDIAG_WIN_AGENT_H
#define PTDIAG_WIN_AGENT_H

#include <stdbool.h>
#include <stdint.h>
#include <wchar.h>

#include <cjson/cJSON.h>

#define PTW_MAX_ADAPTERS 16

/* One DXGI adapter, as EnumAdapters1/GetDesc1 and D3D report it. */
struct ptw_adapter {
    char description[256];
    unsigned vendor_id, device_id, subsys_id, revision;
    uint64_t dedicated_video_memory, dedicated_system_memory, shared_system_memory;
    uint32_t luid_high, luid_low;
    bool software;
    bool has_budget;
    uint64_t budget_bytes, usage_bytes;
    unsigned d3d11_level; /* D3D_FEATURE_LEVEL value, 0 unknown */
    unsigned d3d12_level;
};

struct ptw_agent {
    cJSON *doc;
    int event_window_days;
    struct ptw_adapter adapters[PTW_MAX_ADAPTERS];
    int nadapters;
    bool dxgi_ok;
};

/* Collectors (one file each). */
void ptw_collect_system(struct ptw_agent *a);
void ptw_collect_dxgi(struct ptw_agent *a);   /* also D3D11/D3D12 levels per adapter */
void ptw_collect_vulkan(struct ptw_agent *a); /* may run on another thread: uses only a */
/* Adds dxgi_adapter_index to each Vulkan device whose LUID a DXGI adapter has. */
void ptw_link_vulkan_dxgi(struct ptw_agent *a);
void ptw_collect_devices(struct ptw_agent *a); /* gpus[] from SetupAPI/CfgMgr32 */
void ptw_collect_eventlog(struct ptw_agent *a);
/* video_decode.c: "video_decode", one entry per DXGI adapter (null for software ones), for
 * the caller to move into dxgi.adapters[]; may run on another thread (uses only a). */
void ptw_collect_video_decode(struct ptw_agent *a);
/* video_encode.c: "video_encode" (Media Foundation hardware encoders); may run on another
 * thread. ptw_link_encoders_dxgi adds each encoder's dxgi_adapter_index (by LUID). */
void ptw_collect_video_encode(struct ptw_agent *a);
void ptw_link_encoders_dxgi(struct ptw_agent *a);
/* gpu_video.c: gpus[].video and gpus[].displays joined from dxgi.adapters and video_encode. */
void ptw_join_gpu_video(struct ptw_agent *a);
/* outputs.c: adapter_obj.outputs[] of an IDXGIAdapter1* (null when they could not be read). */
void ptw_adapter_outputs(struct ptw_agent *a, void *dxgi_adapter, cJSON *adapter_obj,
                         const char *what);
/* msi.c: win.interrupts of a device (its MessageSignaledInterruptProperties), and
 * win.audio_functions: the HDMI/DP audio functions on the GPU's PCI device, with theirs. */
void ptw_interrupts(void *devinfo_set, void *devinfo_data, cJSON *win);
void ptw_audio_functions(struct ptw_agent *a, void *devinfo_set, void *devinfo_data, cJSON *win);

/* D3D (d3d.c): highest feature level on the adapter (an IDXGIAdapter*), 0 when none. */
unsigned ptw_d3d11_level(void *dxgi_adapter, long *hr_out);
unsigned ptw_d3d12_level(void *dxgi_adapter, long *hr_out);
/* "12_1" for 0xc100; buf >= 8 bytes. */
void ptw_feature_level_name(unsigned level, char *buf, size_t buflen);

/* --soak (soak.c) and the scheduled task (soak_task.c): return the process exit status. */
int ptw_soak_append_doc(const cJSON *doc, const char *path);
int ptw_install_soak(void);
/* Prints the task XML --install-soak registers, without registering it. */
int ptw_print_soak_task(void);
int ptw_uninstall_soak(void);

/* util.c: UTF-16 -> UTF-8 into buf (always terminated); returns buf. */
char *ptw_utf8(const wchar_t *w, char *buf, size_t buflen);
/* Newly allocated UTF-8 copy (caller frees), NULL on failure. */
char *ptw_utf8_dup(const wchar_t *w);
/* Newly allocated UTF-16 copy of a UTF-8 string (caller frees), NULL on failure. */
wchar_t *ptw_wide_dup(const char *s);
/* "00000000:000003f0" (high:low). buf >= 18 bytes. */
void ptw_luid_string(uint32_t high, uint32_t low, char *buf, size_t buflen);
/* The message for a Win32 error or HRESULT, trimmed, into buf. */
const char *ptw_win_error(unsigned long code, char *buf, size_t buflen);
/* Returns obj[key], creating an empty object there first if absent. */
cJSON *ptw_obj(cJSON *parent, const char *key);

#endif

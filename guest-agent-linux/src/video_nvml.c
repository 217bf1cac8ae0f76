/* SPDX-License-Identifier: MIT */
/*
 * NVIDIA hardware video, in two halves:
 *  - per device, through NVML (nvml.c's open library): whether the GPU has NVENC (encoder
 *    capacity per codec, sessions) and NVDEC (decoder utilisation). NVML answers
 *    NVML_ERROR_NOT_SUPPORTED where the engine does not exist (an H100 has no NVENC).
 *  - for the guest, whether the libraries applications load to use them are installed and
 *    loadable: libnvidia-encode.so.1 (NVENC, with the highest NVENC API it offers) and
 *    libnvcuvid.so.1 (NVDEC). Distributions ship them in their own packages (Debian
 *    libnvidia-encode1, Ubuntu libnvidia-encode-<branch>), so a driver without them is common.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "ptdiag/doc.h"

#define NVML_ERROR_NOT_SUPPORTED 3

typedef int (*nvml_enc_capacity_fn)(void *dev, int type, unsigned *capacity);
typedef int (*nvml_enc_stats_fn)(void *dev, unsigned *sessions, unsigned *fps, unsigned *latency);
typedef int (*nvml_dec_util_fn)(void *dev, unsigned *util, unsigned *period_us);

/* true/false when NVML says the engine exists or not; null on any other answer. */
static void add_engine(cJSON *d, const char *key, int r)
{
    if (r == 0 || r == NVML_ERROR_NOT_SUPPORTED)
        cJSON_AddBoolToObject(d, key, r == 0);
    else
        cJSON_AddNullToObject(d, key);
}

void agent_nvml_video(void *lib, void *dev, cJSON *d)
{
    /* nvmlEncoderType_t: NVML_ENCODER_QUERY_H264 0, _HEVC 1, _AV1 2 */
    static const char *const codecs[] = {"h264", "hevc", "av1"};
    nvml_enc_capacity_fn capacity;
    nvml_enc_stats_fn stats;
    nvml_dec_util_fn dec;
    unsigned v = 0, fps = 0, lat = 0, period = 0;
    int r, any = -1;
    cJSON *cap;
    size_t i;

    *(void **)&capacity = dlsym(lib, "nvmlDeviceGetEncoderCapacity");
    *(void **)&stats = dlsym(lib, "nvmlDeviceGetEncoderStats");
    *(void **)&dec = dlsym(lib, "nvmlDeviceGetDecoderUtilization");
    cap = cJSON_AddObjectToObject(d, "encoder_capacity_pct");
    for (i = 0; i < sizeof(codecs) / sizeof(codecs[0]); i++) {
        r = capacity ? capacity(dev, (int)i, &v) : -1;
        ptd_json_add_u64(cap, codecs[i], v, r == 0);
        if (r == 0)
            any = 0;
        else if (any != 0 && r == NVML_ERROR_NOT_SUPPORTED)
            any = NVML_ERROR_NOT_SUPPORTED;
    }
    add_engine(d, "encoder_supported", any);
    r = stats ? stats(dev, &v, &fps, &lat) : -1;
    ptd_json_add_u64(d, "encoder_sessions", v, r == 0);
    r = dec ? dec(dev, &v, &period) : -1;
    add_engine(d, "decoder_supported", r);
    ptd_json_add_u64(d, "decoder_utilization_pct", v, r == 0);
}

static void add_library(cJSON *o, const char *key, const char *soname, const char *version_sym)
{
    cJSON *l = cJSON_AddObjectToObject(o, key);
    void *lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    int (*max_version)(unsigned *);
    unsigned ver = 0;
    char buf[32];

    ptd_json_add_str(l, "name", soname);
    cJSON_AddBoolToObject(l, "loadable", lib != NULL);
    if (!lib) {
        const char *e = dlerror();
        char msg[200];

        snprintf(msg, sizeof(msg), "%s", e ? e : "cannot be opened");
        agent_sanitize(msg);
        ptd_json_add_str(l, "error", msg);
        return;
    }
    cJSON_AddNullToObject(l, "error");
    if (!version_sym)
        return;
    /* NvEncodeAPIGetMaxSupportedVersion: (major << 4) | minor of the NVENC API */
    *(void **)&max_version = dlsym(lib, version_sym);
    if (max_version && max_version(&ver) == 0) {
        snprintf(buf, sizeof(buf), "%u.%u", ver >> 4, ver & 0xf);
        ptd_json_add_str(l, "max_api_version", buf);
    } else {
        cJSON_AddNullToObject(l, "max_api_version");
    }
}

cJSON *agent_nvidia_video_libs_query(void *unused)
{
    cJSON *o = cJSON_CreateObject();

    (void)unused;
    if (!o)
        return NULL;
    add_library(o, "encode_library", "libnvidia-encode.so.1", "NvEncodeAPIGetMaxSupportedVersion");
    add_library(o, "decode_library", "libnvcuvid.so.1", NULL);
    return o;
}

/* SPDX-License-Identifier: MIT */
/*
 * A stand-in for libnvidia-ml.so.1 on machines without an NVIDIA GPU: the entry points the
 * agent resolves with dlsym(), behaving as NVML does in the guest states chosen by
 * FAKE_NVML_MODE: "mismatch" (kernel module and user-space library from different driver
 * releases: nvmlInit_v2 fails with NVML_ERROR_LIB_RM_VERSION_MISMATCH), "ok" (one RTX 3090
 * passed through), and the two ways a wedged driver takes the caller down with it: "hang"
 * (nvmlInit_v2 never returns) and "crash" (it faults). Return codes and struct layouts follow
 * NVML's public nvml.h.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NVML_SUCCESS                       0
#define NVML_ERROR_INVALID_ARGUMENT        2
#define NVML_ERROR_UNINITIALIZED           1
#define NVML_ERROR_LIB_RM_VERSION_MISMATCH 18
#define NVML_ERROR_NOT_SUPPORTED           3

typedef struct {
    unsigned long long total, free, used;
} nvmlMemory_t;
typedef struct {
    unsigned long long bar1Total, bar1Free, bar1Used;
} nvmlBAR1Memory_t;
typedef struct {
    char busIdLegacy[16];
    unsigned int domain, bus, device, pciDeviceId, pciSubSystemId;
    char busId[32];
} nvmlPciInfo_t;

static int initialised;
static int dev_token;

int nvmlInit_v2(void);
int nvmlShutdown(void);
const char *nvmlErrorString(int r);
int nvmlSystemGetDriverVersion(char *v, unsigned n);
int nvmlSystemGetCudaDriverVersion_v2(int *v);
int nvmlDeviceGetCount_v2(unsigned *n);
int nvmlDeviceGetHandleByIndex_v2(unsigned i, void **h);
int nvmlDeviceGetName(void *h, char *name, unsigned n);
int nvmlDeviceGetMemoryInfo(void *h, nvmlMemory_t *m);
int nvmlDeviceGetBAR1MemoryInfo(void *h, nvmlBAR1Memory_t *m);
int nvmlDeviceGetCurrPcieLinkGeneration(void *h, unsigned *g);
int nvmlDeviceGetCurrPcieLinkWidth(void *h, unsigned *w);
int nvmlDeviceGetPciInfo_v3(void *h, nvmlPciInfo_t *p);
int nvmlDeviceGetVirtualizationMode(void *h, int *m);
int nvmlDeviceGetEncoderCapacity(void *h, int type, unsigned *cap);
int nvmlDeviceGetEncoderStats(void *h, unsigned *sessions, unsigned *fps, unsigned *latency);
int nvmlDeviceGetDecoderUtilization(void *h, unsigned *util, unsigned *period_us);

int nvmlInit_v2(void)
{
    const char *mode = getenv("FAKE_NVML_MODE");

    if (mode && strcmp(mode, "mismatch") == 0)
        return NVML_ERROR_LIB_RM_VERSION_MISMATCH;
    if (mode && strcmp(mode, "hang") == 0)
        for (;;)
            pause();
    if (mode && strcmp(mode, "crash") == 0)
        raise(SIGSEGV);
    initialised = 1;
    /* vendor libraries do print: it must not end up inside the agent's JSON on stdout */
    printf("fake NVML: initialised\n");
    fflush(stdout);
    return NVML_SUCCESS;
}

int nvmlShutdown(void)
{
    initialised = 0;
    return NVML_SUCCESS;
}

const char *nvmlErrorString(int r)
{
    switch (r) {
    case NVML_SUCCESS:
        return "Success";
    case NVML_ERROR_UNINITIALIZED:
        return "Uninitialized";
    case NVML_ERROR_LIB_RM_VERSION_MISMATCH:
        return "Driver/library version mismatch";
    default:
        return "Unknown Error";
    }
}

#define NEED_INIT()                                                                                \
    do {                                                                                           \
        if (!initialised)                                                                          \
            return NVML_ERROR_UNINITIALIZED;                                                       \
    } while (0)

int nvmlSystemGetDriverVersion(char *v, unsigned n)
{
    NEED_INIT();
    strncpy(v, "570.86.16", n);
    return NVML_SUCCESS;
}

int nvmlSystemGetCudaDriverVersion_v2(int *v)
{
    NEED_INIT();
    *v = 12080;
    return NVML_SUCCESS;
}

int nvmlDeviceGetCount_v2(unsigned *n)
{
    NEED_INIT();
    *n = 1;
    return NVML_SUCCESS;
}

int nvmlDeviceGetHandleByIndex_v2(unsigned i, void **h)
{
    NEED_INIT();
    if (i != 0)
        return NVML_ERROR_INVALID_ARGUMENT;
    *h = &dev_token;
    return NVML_SUCCESS;
}

int nvmlDeviceGetName(void *h, char *name, unsigned n)
{
    NEED_INIT();
    strncpy(name, "NVIDIA GeForce RTX 3090", n);
    return NVML_SUCCESS;
}

int nvmlDeviceGetMemoryInfo(void *h, nvmlMemory_t *m)
{
    NEED_INIT();
    m->total = 25769803776ULL;
    m->used = 1288896512ULL;
    m->free = m->total - m->used;
    return NVML_SUCCESS;
}

int nvmlDeviceGetBAR1MemoryInfo(void *h, nvmlBAR1Memory_t *m)
{
    NEED_INIT();
    m->bar1Total = 34359738368ULL;
    m->bar1Used = 33554432ULL;
    m->bar1Free = m->bar1Total - m->bar1Used;
    return NVML_SUCCESS;
}

int nvmlDeviceGetCurrPcieLinkGeneration(void *h, unsigned *g)
{
    NEED_INIT();
    *g = 4;
    return NVML_SUCCESS;
}

int nvmlDeviceGetCurrPcieLinkWidth(void *h, unsigned *w)
{
    NEED_INIT();
    *w = 16;
    return NVML_SUCCESS;
}

int nvmlDeviceGetPciInfo_v3(void *h, nvmlPciInfo_t *p)
{
    NEED_INIT();
    memset(p, 0, sizeof(*p));
    strcpy(p->busIdLegacy, "0000:01:00.0");
    p->domain = 0;
    p->bus = 1;
    p->device = 0;
    p->pciDeviceId = 0x220410de;
    p->pciSubSystemId = 0x87b31043;
    strcpy(p->busId, "00000000:01:00.0");
    return NVML_SUCCESS;
}

int nvmlDeviceGetVirtualizationMode(void *h, int *m)
{
    NEED_INIT();
    *m = 1; /* NVML_GPU_VIRTUALIZATION_MODE_PASSTHROUGH */
    return NVML_SUCCESS;
}

/* The RTX 3090's NVENC (Ampere, 7th generation) encodes H.264 and HEVC, not AV1 (NVIDIA's
 * Video Encode and Decode GPU Support Matrix): NVML answers NOT_SUPPORTED for AV1. */
int nvmlDeviceGetEncoderCapacity(void *h, int type, unsigned *cap)
{
    NEED_INIT();
    if (!h || !cap)
        return NVML_ERROR_INVALID_ARGUMENT;
    if (type == 2) /* NVML_ENCODER_QUERY_AV1 */
        return NVML_ERROR_NOT_SUPPORTED;
    *cap = 100; /* no session running: all of it is free */
    return NVML_SUCCESS;
}

int nvmlDeviceGetEncoderStats(void *h, unsigned *sessions, unsigned *fps, unsigned *latency)
{
    NEED_INIT();
    if (!h || !sessions || !fps || !latency)
        return NVML_ERROR_INVALID_ARGUMENT;
    *sessions = *fps = *latency = 0;
    return NVML_SUCCESS;
}

int nvmlDeviceGetDecoderUtilization(void *h, unsigned *util, unsigned *period_us)
{
    NEED_INIT();
    if (!h || !util || !period_us)
        return NVML_ERROR_INVALID_ARGUMENT;
    *util = 0;
    *period_us = 167000;
    return NVML_SUCCESS;
}

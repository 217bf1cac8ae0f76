/* SPDX-License-Identifier: MIT */
/*
 * ptdiag-agent (Linux guest): collectors that each fill one part of the ptdiag.guest/1
 * document (docs/schema.md). Collectors never print and never fail the run: a fact they
 * cannot read becomes null plus an entry in doc.errors, with their name as "source".
 *
 * Under --root every file is read below the root, and live APIs (CPUID, NVML, Vulkan) are
 * not called: their facts come from the traces the OS leaves (DESIGN §3) or are unknown.
 */
#ifndef PTDIAG_AGENT_H
#define PTDIAG_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "ptdiag/error.h"
#include "ptdiag/root.h"

struct agent_ctx {
    struct ptd_root *root; /* where system state is read from (borrowed) */
    cJSON *doc;            /* the ptdiag.guest/1 document being built (borrowed) */
    bool live;             /* no --root: CPUID, NVML and Vulkan may be called */
    char *kmsg;            /* the kernel log text, owned by the ctx (agent_ctx_fini) */
    size_t kmsg_len;
    int kmsg_status; /* 0, or -errno from ptd_kmsg_read */
};

/* Reads the kernel log once for every collector that needs it. */
void agent_ctx_load_kmsg(struct agent_ctx *ctx);
void agent_ctx_fini(struct agent_ctx *ctx);

/* Runs every collector in order, filling ctx->doc. */
void agent_collect(struct agent_ctx *ctx);

/* The collectors (one file each). */
void agent_system(struct agent_ctx *ctx);     /* system.c: doc.system */
void agent_pci(struct agent_ctx *ctx);        /* pci.c: doc.gpus */
void agent_nvidia(struct agent_ctx *ctx);     /* nvidia.c: doc.nvidia (calls agent_nvml) */
void agent_amd_intel(struct agent_ctx *ctx);  /* amd_intel.c: doc.amdgpu, doc.intel, VRAM */
void agent_vulkan(struct agent_ctx *ctx);     /* vulkan.c: doc.vulkan */
void agent_kernel_log(struct agent_ctx *ctx); /* kernel_log.c: doc.kernel_log */
void agent_displays(struct agent_ctx *ctx);   /* displays.c: gpus[].displays */
void agent_compute(struct agent_ctx *ctx);    /* compute.c: doc.compute, gpus[].compute */
void agent_video(struct agent_ctx *ctx);      /* video.c: doc.video, gpus[].video */

/* The per-GPU joins (pure over the document, for tests): gpus[].video from doc.video.vaapi,
 * doc.nvidia and doc.vulkan (video_join.c); gpus[].compute from doc.compute (compute.c). */
void agent_video_join(cJSON *doc);
void agent_compute_join(cJSON *doc);

/* Live queries run through agent_isolated (caller owns the result). agent_vaapi_query's
 * argument is a cJSON array of {location, node: "/dev/dri/renderD128"} (borrowed). */
cJSON *agent_vaapi_query(void *nodes);
cJSON *agent_nvidia_video_libs_query(void *unused);
cJSON *agent_cuda_query(void *unused);
/* Adds NVML's NVENC/NVDEC facts of device dev to d (video_nvml.c); lib is libnvidia-ml. */
void agent_nvml_video(void *lib, void *dev, cJSON *d);

/* VA-API values (va.h) as the document names them: profile name ("HEVCMain10"), codec
 * ("hevc-10bit", NULL for none), entrypoint kind 'd' decode / 'e' encode / 0. */
const char *agent_va_profile_name(int profile);
const char *agent_va_profile_codec(int profile);
int agent_va_entrypoint_kind(int entrypoint);
/* Vulkan video codec operation bits (VkVideoCodecOperationFlagsKHR) as codec names added to
 * the decode / encode arrays (vulkan_video.c). */
void agent_vk_codec_ops(uint32_t ops, cJSON *decode, cJSON *encode);
/* KFD gfx_target_version (110000) as "gfx1100"; false for 0 or out of range. */
bool agent_kfd_gfx_name(uint64_t version, char *buf, size_t len);
/* Two PCI addresses ("00000000:01:00.0", "0000:01:00.0") name the same function. */
bool agent_bdf_eq(const char *a, const char *b);
/* Adds the string name to the array arr unless it holds it already. */
void agent_add_unique(cJSON *arr, const char *name);

/* NVML through libnvidia-ml.so.1 opened at run time; returns the doc's "nvml" object
 * (caller owns). Never called under --root. The argument is unused (agent_isolated). */
cJSON *agent_nvml_query(void *unused);

/* The Vulkan loader's view; returns the doc's "vulkan" object (caller owns). Live only. */
cJSON *agent_vulkan_query(void *unused);

/* Runs fn(arg) in a forked child under a deadline (PTDIAG_QUERY_TIMEOUT seconds, default 20)
 * and returns the JSON it built, parsed back in this process (caller owns). NULL when the
 * child hung, crashed or failed, with the reason in why. For vendor libraries that may block
 * or crash on a broken GPU. */
cJSON *agent_isolated(cJSON *(*fn)(void *), void *arg, char *why, size_t whylen);
int agent_query_timeout_s(void);

/* Highest kernel-log timestamp in ctx->kmsg (seconds since boot), or -1 when none. */
double agent_kmsg_newest_time(const struct agent_ctx *ctx);

/* --soak: builds one ptdiag.soak/1 sample from a collected document and the previous
 * sample (may be NULL). Caller owns the result. Pure over its inputs, for tests. */
cJSON *agent_soak_sample(const cJSON *doc, const cJSON *previous, double kmsg_newest_s);

/* --soak FILE: reads the last good sample, builds a new one and appends it. */
int agent_soak_append(struct agent_ctx *ctx, const char *path, struct ptd_error *err);

/* Small helpers shared by the collectors (util.c). */
/* Finds the first line of text that starts with key and then sep ("KEY=...", "Model: ...")
 * and points *value at the rest of that line, *n bytes without the newline (borrowed from
 * text). False when no line does. */
bool agent_key_line(const char *text, const char *key, char sep, const char **value, size_t *n);
/* Reads "/etc/os-release"-style KEY=value (quotes removed) from text; NULL when absent.
 * The result is malloc'd (caller frees). */
char *agent_kv_value(const char *text, const char *key);
/* Makes text from files and vendor libraries safe for a JSON document: invalid UTF-8 bytes
 * and control characters (but newline and tab) become '?', in place. NULL is fine. The
 * agent's name for ptd_text_clean (ptdiag/text_clean.h), which the Windows agent shares. */
void agent_sanitize(char *text);
/* dlopen()s a vendor library (RTLD_NOW | RTLD_LOCAL). When it cannot be loaded, sets
 * obj[state_key] to "missing" and obj.error to the loader's reason, and returns NULL. The
 * handle is the caller's (the query processes exit without dlclose). */
void *agent_dlopen(cJSON *obj, const char *lib, const char *state_key);
/* Returns the object doc[key], creating it (or replacing a non-object) when needed. */
cJSON *agent_obj(cJSON *parent, const char *key);

#endif

/* SPDX-License-Identifier: MIT */
/* The collector registry: order matters where one collector reads another's facts. */
#include "agent.h"

void agent_collect(struct agent_ctx *ctx)
{
    cJSON *log;

    agent_ctx_load_kmsg(ctx);
    agent_kernel_log(ctx); /* first: the system collector reads "Hypervisor detected" */
    agent_system(ctx);
    agent_pci(ctx); /* gpus[] before the vendor collectors fill their VRAM */
    agent_nvidia(ctx);
    agent_amd_intel(ctx);
    agent_vulkan(ctx);
    agent_displays(ctx);
    agent_compute(ctx);
    agent_video(ctx); /* last: joins the NVML, VA-API and Vulkan views per GPU */
    /* Keep the long event list at the end of the document, after the facts it explains. */
    log = cJSON_DetachItemFromObjectCaseSensitive(ctx->doc, "kernel_log");
    if (log)
        cJSON_AddItemToObject(ctx->doc, "kernel_log", log);
    /* ...and errors last of all. */
    log = cJSON_DetachItemFromObjectCaseSensitive(ctx->doc, "errors");
    if (log)
        cJSON_AddItemToObject(ctx->doc, "errors", log);
}

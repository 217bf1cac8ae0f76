/* SPDX-License-Identifier: MIT */
/*
 * The capability table of the in-guest verdict: the report's one table (capability.h, the
 * same rows as ptdiag-report's text, Markdown, JSON and HTML) under a "GPUs" heading, then
 * what only the person at the guest's console needs besides: the software renderers the
 * graphics APIs offer (a DXGI software adapter, a Vulkan CPU device), which is where an
 * application lands when the GPU's driver is missing.
 */
#include <string.h>

#include "agent_verdict.h"
#include "capability.h"
#include "ptdiag/doc.h"
#include "ptdiag/escape.h"

void rpt_agent_caps_text(FILE *out, const cJSON *doc)
{
    const cJSON *ad;

    fputs("\nGPUs\n", out);
    rpt_capability_text(out, doc, "  ");
    cJSON_ArrayForEach(ad, ptd_json_get(doc, "dxgi.adapters"))
    {
        if (ptd_json_get_tri(ad, "software") != 1)
            continue;
        fputs("  software adapter (DXGI): ", out);
        ptd_esc_text(out, ptd_json_get_str(ad, "description"), 0);
        fputc('\n', out);
    }
    cJSON_ArrayForEach(ad, ptd_json_get(doc, "vulkan.devices"))
    {
        const char *type = ptd_json_get_str(ad, "type");

        if (!type || strcmp(type, "cpu") != 0)
            continue;
        fputs("  software renderer (Vulkan): ", out);
        ptd_esc_text(out, ptd_json_get_str(ad, "name"), 0);
        fputc('\n', out);
    }
}

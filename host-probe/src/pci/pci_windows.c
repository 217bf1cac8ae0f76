/* SPDX-License-Identifier: MIT */
/*
 * pci_root_windows[]: the memory windows of the PCI host bridges, as /proc/iomem lists them
 * ("PCI Bus 0000:00" at the top level, one line per window, from the ACPI _CRS of the host
 * bridge). Without a window above 4 GiB the firmware decodes no 64-bit MMIO above 4 GiB
 * ("Above 4G Decoding" off): every 64-bit BAR is squeezed below 4 GiB, large or resized BARs
 * cannot be placed. The report decides; this only records the windows.
 */
#include <stdio.h>
#include <string.h>

#include "ptdiag/doc.h"

#include "pci_facts.h"
#include "probe.h"

void pci_root_windows_facts(struct probe_ctx *ctx, const struct pci_iomem_view *iomem)
{
    cJSON *arr;
    size_t i;

    if (!iomem->usable) {
        cJSON_AddNullToObject(ctx->doc, "pci_root_windows");
        return;
    }
    arr = cJSON_AddArrayToObject(ctx->doc, "pci_root_windows");
    for (i = 0; arr && i < iomem->map.count; i++) {
        const struct iomem_range *r = &iomem->map.ranges[i];
        cJSON *o;

        /* Only top-level entries are host bridge windows; nested "PCI Bus" lines are the
         * windows of bridges below them. */
        if (r->depth != 0 || strncmp(r->name, "PCI Bus ", 8) != 0)
            continue;
        o = cJSON_CreateObject();
        if (!o)
            break;
        cJSON_AddStringToObject(o, "bus", r->name + 8);
        ptd_json_add_u64(o, "start", r->start, true);
        ptd_json_add_u64(o, "end", r->end, true);
        cJSON_AddItemToArray(arr, o);
    }
}

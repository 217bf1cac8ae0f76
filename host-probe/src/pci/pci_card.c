/* SPDX-License-Identifier: MIT */
/*
 * A card's own PCIe switch. Intel Arc (DG2: upstream port 8086:4fa0/4fa1, downstream ports
 * 8086:4fa2..4fa4; Battlemage likewise) and AMD Radeon (1002:1478 / 1002:1479) cards carry a
 * switch on the board: the GPU and its HDA function sit on different buses below it, so an
 * IOMMU group holding the switch ports, the GPU and its audio is still the card's own group.
 *
 * The card's switch is recognised from the topology rather than an id list: the topmost
 * bridge below the root port from which every function down to the GPU has the GPU's vendor
 * id. A platform switch (an AMD chipset's 1022:57ad above an NVIDIA or AMD Radeon card) has
 * another vendor id, and a root port (chain position 0, also 8086 on an Intel host) never
 * counts. Adds devices[].card_upstream_port and iommu_groups[].devices[].card_upstream_port:
 * the BDF of the card switch's upstream port the function sits below (or is), else null.
 */
#include "pci_facts.h"

#include <stdio.h>
#include <string.h>

#include "ptdiag/doc.h"

size_t pci_chain_from_target(const char *target, char chain[][16])
{
    const char *p;
    size_t n = 0;

    for (p = target; *p && n < PCI_CHAIN_MAX;) {
        const char *slash = strchr(p, '/');
        size_t l = slash ? (size_t)(slash - p) : strlen(p);
        unsigned d, b, s, f;
        char c;

        if (l == 12 && sscanf(p, "%4x:%2x:%2x.%1u%c", &d, &b, &s, &f, &c) >= 4) {
            memcpy(chain[n], p, 12);
            chain[n++][12] = '\0';
        }
        if (!slash)
            break;
        p = slash + 1;
    }
    return n;
}

size_t pci_upstream_chain(struct probe_ctx *ctx, const char *bdf, char chain[][16])
{
    char path[128], target[PATH_MAX];

    snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", bdf);
    if (ptd_root_readlink(ctx->root, path, target, sizeof(target)) != 0)
        return 0;
    return pci_chain_from_target(target, chain);
}

static long vendor_of(struct probe_ctx *ctx, const char *bdf)
{
    char path[128];
    uint64_t v;

    pci_attr_path(path, sizeof(path), bdf, "vendor");
    return ptd_root_read_u64(ctx->root, path, &v) == 0 && v <= 0xffff ? (long)v : -1;
}

/* The card switch's upstream port above a display function, or "" when it has none. */
static void card_switch_of_gpu(struct probe_ctx *ctx, const char *gpu, char *out)
{
    char chain[PCI_CHAIN_MAX][16];
    size_t n = pci_upstream_chain(ctx, gpu, chain), i;
    long vendor = vendor_of(ctx, gpu);

    out[0] = '\0';
    if (n < 3 || vendor < 0)
        return;
    /* chain[0] is the root port, chain[n-1] the GPU: walk up while the vendor stays. */
    for (i = n - 1; i-- > 1;) {
        if (vendor_of(ctx, chain[i]) != vendor ||
            !pci_class_is_bridge(pci_read_class(ctx->root, chain[i])))
            break;
        snprintf(out, 16, "%s", chain[i]);
    }
}

/* The card switch (one of switches[]) that bdf is below or is, or NULL. */
static const char *card_of(struct probe_ctx *ctx, const char *bdf, char switches[][16], size_t n)
{
    char chain[PCI_CHAIN_MAX][16];
    size_t len = pci_upstream_chain(ctx, bdf, chain), i, j;

    for (i = 0; i < len; i++)
        for (j = 0; j < n; j++)
            if (!strcmp(chain[i], switches[j]))
                return switches[j];
    return NULL;
}

static void annotate(struct probe_ctx *ctx, cJSON *obj, char switches[][16], size_t n)
{
    const char *bdf = ptd_json_get_str(obj, "bdf");

    cJSON_DeleteItemFromObjectCaseSensitive(obj, "card_upstream_port");
    ptd_json_add_str(obj, "card_upstream_port", bdf ? card_of(ctx, bdf, switches, n) : NULL);
}

void pci_card_annotate(struct probe_ctx *ctx, cJSON *devices, cJSON *groups)
{
    char switches[64][16];
    size_t n = 0, i;
    cJSON *d, *g, *m;

    cJSON_ArrayForEach(d, devices)
    {
        const char *bdf = ptd_json_get_str(d, "bdf"), *cls = ptd_json_get_str(d, "class");
        char sw[16];
        bool dup = false;

        if (!bdf || !cls || strncmp(cls, "03", 2) != 0 || n == 64)
            continue;
        card_switch_of_gpu(ctx, bdf, sw);
        for (i = 0; i < n; i++)
            dup |= !strcmp(switches[i], sw);
        if (sw[0] && !dup)
            memcpy(switches[n++], sw, sizeof(sw));
    }
    cJSON_ArrayForEach(d, devices)
    {
        if (n)
            annotate(ctx, d, switches, n);
        else
            ptd_json_add_str(d, "card_upstream_port", NULL); /* no card switch on this host */
    }
    cJSON_ArrayForEach(g, groups)
    {
        cJSON_ArrayForEach(m, cJSON_GetObjectItem(g, "devices"))
        {
            if (n)
                annotate(ctx, m, switches, n);
            else
                ptd_json_add_str(m, "card_upstream_port", NULL);
        }
    }
}

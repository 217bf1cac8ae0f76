/* SPDX-License-Identifier: MIT */
/*
 * The few derived facts the matrix may name as <root>.x.<name>. Each one is something a data
 * condition cannot say well (arithmetic over arrays, parsing a vendor's version format,
 * picking the host's bootloader commands). All of them are listed in docs/schema.md
 * (ptdiag.report/1, "Derived facts"); a value that cannot be computed is left out, so a rule
 * that names it does not fire and says "not checked".
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "gpu_identity.h"
#include "ptdiag/doc.h"
#include "ptdiag/docnum.h"
#include "report.h"

static cJSON *obj(cJSON **slot)
{
    if (!*slot)
        *slot = cJSON_CreateObject();
    return *slot;
}

/* Largest and 64-bit total BAR size of a device (host devices[] or guest gpus[]). */
static void bar_sizes(const cJSON *dev, double *largest, double *total64, bool *known)
{
    *largest = *total64 = 0;
    *known = false;
    const cJSON *b;
    cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(dev, "bars"))
    {
        uint64_t u;
        if (ptd_json_get_u64(b, "size_bytes", UINT64_MAX, &u, NULL) != PTD_NUM_OK ||
            ptd_json_get_tri(b, "is_io") == 1)
            continue;
        double sz = (double)u;
        *known = true;
        if (sz > *largest)
            *largest = sz;
        if (ptd_json_get_tri(b, "is_64bit") == 1)
            *total64 += sz;
    }
}

/* dev.x.slot_ids: every function of the device's slot, for `options vfio-pci ids=` lines. */
static void add_slot_ids(const cJSON *h, const cJSON *d, cJSON *dx)
{
    const char *slot = ptd_json_get_str(d, "slot");
    struct ptd_strbuf b = {0};
    const cJSON *o;

    cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(h, "devices"))
    {
        const char *os = ptd_json_get_str(o, "slot");
        const char *ov = ptd_json_get_str(o, "vendor_id"), *oi = ptd_json_get_str(o, "device_id");
        if (!slot || !os || strcmp(os, slot) != 0 || !ov || !oi)
            continue;
        char one[16];
        snprintf(one, sizeof one, "%s:%s", ov, oi);
        if (b.data && strstr(b.data, one))
            continue;
        if (b.len)
            ptd_strbuf_add(&b, ",");
        ptd_strbuf_add(&b, one);
    }
    char *s = ptd_strbuf_take(&b);
    if (s && *s)
        cJSON_AddStringToObject(dx, "slot_ids", s);
    free(s);
}

/* dev.x: ids, GPU identity, BAR sizes and slot ids of one host PCI function. */
static void derive_device(const cJSON *h, const cJSON *d, cJSON *dx)
{
    const char *v = ptd_json_get_str(d, "vendor_id"), *id = ptd_json_get_str(d, "device_id");
    double largest, total64;
    bool known;

    if (v && id) {
        char ids[16];
        snprintf(ids, sizeof ids, "%s:%s", v, id);
        cJSON_AddStringToObject(dx, "ids", ids);
    }
    rpt_gpu_identity_derive(dx, v, id);
    bar_sizes(d, &largest, &total64, &known);
    if (known) {
        cJSON_AddNumberToObject(dx, "largest_bar_bytes", largest);
        cJSON_AddNumberToObject(dx, "bar64_total_bytes", total64);
    }
    add_slot_ids(h, d, dx);
}

void rpt_derive_host(struct rpt_model *m)
{
    const cJSON *h = m->host.json;
    if (!h)
        return;
    cJSON *x = obj(&m->host_derived);
    if (!x)
        return;
    const char *vendor = ptd_json_get_str(h, "system.cpu.vendor");
    if (vendor && strcmp(vendor, "GenuineIntel") == 0)
        cJSON_AddStringToObject(x, "iommu_flag", "intel_iommu=on");
    else if (vendor && strcmp(vendor, "AuthenticAMD") == 0)
        cJSON_AddStringToObject(x, "iommu_flag", "amd_iommu=on");
    rpt_derive_vfio_ids(h, x);

    size_t i = 0;
    const cJSON *d;
    cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(h, "devices"))
    {
        if (i >= m->ndevs)
            break;
        cJSON *dx = obj(&m->dev_derived[i++]);
        if (dx)
            derive_device(h, d, dx);
    }
}

/* "0-1;3" style Proxmox hostnodes contains node? */
static bool hostnodes_has(const char *spec, int node)
{
    const char *p = spec;
    while (*p) {
        char *e;
        long a = strtol(p, &e, 10), b = a;
        if (e == p)
            return false;
        if (*e == '-')
            b = strtol(e + 1, &e, 10);
        if (node >= a && node <= b)
            return true;
        p = e;
        while (*p == ';' || *p == ',')
            p++;
    }
    return false;
}

/* The hostpci value as written with pcie=1 (replacing any pcie= option): what the recommended
 * configuration passes on q35. NULL when raw is absent. Caller frees. */
static char *with_pcie(const char *raw)
{
    struct ptd_strbuf b = {0};
    const char *p = raw;
    while (p && *p) {
        size_t n = strcspn(p, ",");
        if (!(n >= 5 && strncmp(p, "pcie=", 5) == 0) && n > 0) {
            if (b.len)
                ptd_strbuf_add(&b, ",");
            ptd_strbuf_addn(&b, p, n);
        }
        p += n + (p[n] == ',');
    }
    if (b.len)
        ptd_strbuf_add(&b, ",pcie=1");
    return ptd_strbuf_take(&b);
}

void rpt_derive_passed(struct rpt_model *m, struct rpt_passed *p)
{
    cJSON *x = obj(&p->derived);
    if (!x)
        return;
    char *pcie = with_pcie(ptd_json_get_str(p->hp, "raw"));
    if (pcie && *pcie)
        cJSON_AddStringToObject(x, "pcie_hostpci", pcie);
    free(pcie);
    if (p->guest) {
        cJSON_AddBoolToObject(x, "guest_match", p->ggpu != NULL);
        /* Same vendor:device but other subsystem ids: not the passed card (a passed device
         * keeps its subsystem ids), so the guest document is likely from another VM. */
        bool same_model = false;
        const char *v = p->dev ? ptd_json_get_str(p->dev, "vendor_id") : NULL;
        const char *d = p->dev ? ptd_json_get_str(p->dev, "device_id") : NULL;
        for (size_t i = 0; i < p->guest->ngpus && v && d; i++) {
            const char *gv = ptd_json_get_str(p->guest->gpus[i].gpu, "vendor_id");
            const char *gd = ptd_json_get_str(p->guest->gpus[i].gpu, "device_id");
            same_model |= gv && gd && strcasecmp(gv, v) == 0 && strcasecmp(gd, d) == 0;
        }
        if (p->dev)
            cJSON_AddBoolToObject(x, "guest_same_model", same_model);
    }
    /* NUMA: only decidable when the VM pins host nodes and the device's node is known. */
    const cJSON *node = p->dev ? cJSON_GetObjectItemCaseSensitive(p->dev, "numa_node") : NULL;
    const cJSON *nodes = cJSON_GetObjectItemCaseSensitive(p->vm, "numa_nodes");
    int64_t node_id = -1;
    if (ptd_json_item_int(node, 0, PTD_NUMA_NODE_MAX, &node_id, NULL) != PTD_NUM_OK)
        node = NULL; /* a wrong-typed node is unknown */
    if (node && cJSON_GetArraySize(nodes) > 0) {
        bool any_bound = false, has = false;
        const cJSON *n;
        cJSON_ArrayForEach(n, nodes)
        {
            const char *hn = ptd_json_get_str(n, "hostnodes");
            if (!hn)
                continue;
            any_bound = true;
            has |= hostnodes_has(hn, (int)node_id);
        }
        if (any_bound)
            cJSON_AddBoolToObject(x, "numa_mismatch", !has);
    }
    /* A VM that binds no host node cannot mismatch; single-node hosts report no node. */
    if (node && !cJSON_GetObjectItemCaseSensitive(x, "numa_mismatch"))
        cJSON_AddBoolToObject(x, "numa_mismatch", false);
    (void)m;
}

static const cJSON *find_dxgi(const cJSON *guest, const cJSON *gpu)
{
    const char *v = ptd_json_get_str(gpu, "vendor_id"), *d = ptd_json_get_str(gpu, "device_id");
    const cJSON *a;
    cJSON_ArrayForEach(a, ptd_json_get(guest, "dxgi.adapters"))
    {
        const char *av = ptd_json_get_str(a, "vendor_id"), *ad = ptd_json_get_str(a, "device_id");
        if (ptd_json_get_tri(a, "software") != 1 && v && d && av && ad && strcasecmp(v, av) == 0 &&
            strcasecmp(d, ad) == 0)
            return a;
    }
    return NULL;
}

/* A size in bytes, or -1 when absent or not a 64-bit size (a wrong-typed fact is unknown). */
static double bytes_or_unknown(const cJSON *o, const char *path)
{
    uint64_t u;
    return ptd_json_get_u64(o, path, UINT64_MAX, &u, NULL) == PTD_NUM_OK ? (double)u : -1;
}

/* VRAM as the guest sees it, from the most trustworthy source present: DXGI's
 * DedicatedVideoMemory, then the registry's qwMemorySize, then the driver's own total. */
static double guest_vram(const cJSON *guest, const cJSON *gpu)
{
    const cJSON *a = find_dxgi(guest, gpu);
    double v = a ? bytes_or_unknown(a, "dedicated_video_memory_bytes") : -1;
    /* The 32-bit MemorySize clamps (2 GiB / 4 GiB): useless when the agent says so. */
    if (v < 0 && ptd_json_get_tri(gpu, "windows.memory_size_clamped32") != 1)
        v = bytes_or_unknown(gpu, "windows.memory_size_bytes");
    if (v < 0)
        v = bytes_or_unknown(gpu, "vram_total_bytes");
    if (v < 0) {
        const cJSON *nd;
        cJSON_ArrayForEach(nd, ptd_json_get(guest, "nvidia.nvml.devices"))
        {
            const char *bus = ptd_json_get_str(nd, "pci_bus_id");
            const char *loc = ptd_json_get_str(gpu, "location");
            if (bus && loc && rpt_bdf_eq(bus, loc))
                v = bytes_or_unknown(nd, "memory_total_bytes");
        }
    }
    return v;
}

void rpt_derive_guest(struct rpt_model *m, struct rpt_guest *g)
{
    cJSON *gx = obj(&g->derived);
    char ver[32];
    const char *kv = ptd_json_get_str(g->doc.json, "nvidia.kernel_module.version");
    if (!kv)
        kv = ptd_json_get_str(g->doc.json, "nvidia.nvml.driver_version");
    for (size_t i = 0; i < g->ngpus; i++) {
        struct rpt_ggpu *gg = &g->gpus[i];
        cJSON *x = obj(&gg->derived);
        if (!x)
            continue;
        double vram = guest_vram(g->doc.json, gg->gpu);
        if (vram >= 0)
            cJSON_AddNumberToObject(x, "vram_bytes", vram);
        double largest, total64;
        bool known;
        bar_sizes(gg->gpu, &largest, &total64, &known);
        if (known)
            cJSON_AddNumberToObject(x, "guest_bar_bytes", largest);
        if (gg->match && gg->match->dev) {
            bar_sizes(gg->match->dev, &largest, &total64, &known);
            if (known)
                cJSON_AddNumberToObject(x, "host_bar_bytes", largest);
        }
        const char *vid = ptd_json_get_str(gg->gpu, "vendor_id");
        rpt_gpu_identity_derive(x, vid, ptd_json_get_str(gg->gpu, "device_id"));
        if (vid && strcasecmp(vid, "10de") == 0) {
            const char *wv = ptd_json_get_str(gg->gpu, "windows.driver_version");
            if (wv && rpt_nvidia_version_from_windows(wv, ver, sizeof ver))
                cJSON_AddStringToObject(x, "nvidia_driver_version", ver);
            else if (kv && rpt_nvidia_version_from_windows(kv, ver, sizeof ver))
                cJSON_AddStringToObject(x, "nvidia_driver_version", ver);
        }
    }
    if (gx && kv && rpt_nvidia_version_from_windows(kv, ver, sizeof ver))
        cJSON_AddStringToObject(gx, "nvidia_driver_version", ver);
    (void)m;
}

void rpt_derive_boot_fragments(const struct rpt_matrix *mx, const struct rpt_model *m)
{
    cJSON *x = m->host_derived;
    if (!m->host.json || !x)
        return;
    const cJSON *frag =
        rpt_boot_loader_fragments(mx, ptd_json_get_str(m->host.json, "system.boot.loader"));
    static const char *const keys[] = {"cmdline_file", "cmdline_apply"};
    for (size_t i = 0; i < 2; i++) {
        cJSON *v = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(frag, keys[i]), false);
        cJSON_DeleteItemFromObjectCaseSensitive(x, keys[i]);
        if (v)
            cJSON_AddItemToObject(x, keys[i], v);
    }
}

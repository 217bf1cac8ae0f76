/* SPDX-License-Identifier: MIT */
/* IOMMU group verdicts from the host document's facts. See group_verdict.h. */
#include "group_verdict.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"
#include "ptdiag/docnum.h"

/* The ACS controls the kernel requires on a port for isolation below it (REQ_ACS_FLAGS in
 * drivers/iommu/iommu.c: Source Validation, P2P Request Redirect, P2P Completion Redirect,
 * Upstream Forwarding); pci_acs_flags_enabled ignores those the port does not implement. */
#define ACS_REQUIRED 0x1d

struct member_ref {
    const char *bdf;
    const cJSON *member;
    size_t group;
};

static int cmp_ref(const void *a, const void *b)
{
    return strcmp(((const struct member_ref *)a)->bdf, ((const struct member_ref *)b)->bdf);
}

static int cmp_passed(const void *a, const void *b)
{
    return strcmp(((const struct rpt_passed_fn *)a)->bdf, ((const struct rpt_passed_fn *)b)->bdf);
}

void rpt_group_member_device(const cJSON *member, char *buf, size_t len)
{
    const char *card = ptd_json_get_str(member, "card_upstream_port");
    const char *bdf = ptd_json_get_str(member, "bdf");
    const char *dot;

    if (card) {
        snprintf(buf, len, "%s", card);
        return;
    }
    if (!bdf) {
        snprintf(buf, len, "?");
        return;
    }
    dot = strrchr(bdf, '.');
    snprintf(buf, len, "%.*s", dot ? (int)(dot - bdf) : (int)strlen(bdf), bdf);
}

/* 1 the port isolates what is below it, 0 it does not, -1 unknown. */
static int port_acs_enabled(const cJSON *port)
{
    const cJSON *acs = cJSON_GetObjectItemCaseSensitive(port, "acs");
    int64_t cap, ctrl;

    if (!cJSON_IsObject(acs))
        return -1;
    if (ptd_json_get_tri(acs, "present") == 0)
        return 0;
    if (ptd_json_get_int(acs, "cap", 0, 0xffff, &cap, NULL) != PTD_NUM_OK ||
        ptd_json_get_int(acs, "ctrl", 0, 0xffff, &ctrl, NULL) != PTD_NUM_OK)
        return -1;
    return (ctrl & (cap & ACS_REQUIRED)) == (cap & ACS_REQUIRED);
}

static bool is_isolating_port(const cJSON *port)
{
    const char *t = ptd_json_get_str(port, "port_type");

    return t && (!strcmp(t, "root_port") || !strcmp(t, "downstream_port"));
}

/* With pcie_acs_override on: does a port above an endpoint of group gi lack ACS while
 * sitting in another group? The kernel would have put the endpoint in the port's group. */
static void check_override(struct rpt_groups *out, size_t gi, const struct member_ref *refs,
                           size_t nrefs)
{
    struct rpt_group_info *info = &out->groups[gi];
    const cJSON *m, *up;

    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(info->group, "devices"))
    {
        if (ptd_json_get_tri(m, "is_bridge") != 0)
            continue;
        cJSON_ArrayForEach(up, cJSON_GetObjectItemCaseSensitive(m, "upstream"))
        {
            struct member_ref key = {.bdf = cJSON_GetStringValue(up)}, *hit;
            int enabled;

            if (!key.bdf)
                continue;
            hit = bsearch(&key, refs, nrefs, sizeof(*refs), cmp_ref);
            if (!hit) {
                info->override_unverified = true;
                continue;
            }
            if (hit->group == gi || !is_isolating_port(hit->member))
                continue;
            enabled = port_acs_enabled(hit->member);
            if (enabled < 0)
                info->override_unverified = true;
            if (enabled == 0 && !info->override_port) {
                info->override_port = hit->bdf;
                info->verdict = RPT_GROUP_ACS_OVERRIDE;
            }
        }
    }
}

static void classify(struct rpt_group_info *info)
{
    char keys[64][16], key[16];
    size_t nkeys = 0, i;
    bool unknown = false, seen;
    const cJSON *m;

    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(info->group, "devices"))
    {
        int bridge = ptd_json_get_tri(m, "is_bridge");

        if (bridge < 0) {
            unknown = true;
            continue;
        }
        if (bridge) {
            info->nbridges++;
            continue;
        }
        rpt_group_member_device(m, key, sizeof(key));
        for (i = 0, seen = false; i < nkeys && !seen; i++)
            seen = !strcmp(keys[i], key);
        if (seen)
            continue;
        info->ndevices++;
        if (nkeys < 64)
            memcpy(keys[nkeys++], key, sizeof(key));
    }
    if (info->ndevices > 1)
        info->verdict = RPT_GROUP_SHARED; /* known even when another member is unreadable */
    else if (unknown || (info->ndevices == 0 && info->nbridges == 0))
        info->verdict = RPT_GROUP_UNKNOWN;
    else if (info->nbridges)
        info->verdict = RPT_GROUP_BRIDGES_ONLY;
    else
        info->verdict = RPT_GROUP_ISOLATED;
}

static int index_members(struct rpt_groups *out, struct member_ref **refs, size_t *nrefs)
{
    size_t cap = 0, gi;
    const cJSON *m;

    for (gi = 0; gi < out->ngroups; gi++)
        cap += (size_t)cJSON_GetArraySize(
            cJSON_GetObjectItemCaseSensitive(out->groups[gi].group, "devices"));
    *refs = calloc(cap ? cap : 1, sizeof(**refs));
    if (!*refs)
        return -1;
    for (gi = 0; gi < out->ngroups; gi++)
        cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(out->groups[gi].group, "devices"))
        {
            const char *bdf = ptd_json_get_str(m, "bdf");

            if (bdf && *nrefs < cap)
                (*refs)[(*nrefs)++] = (struct member_ref){bdf, m, gi};
        }
    qsort(*refs, *nrefs, sizeof(**refs), cmp_ref);
    return 0;
}

static int collect_passed(struct rpt_groups *out, const cJSON *host_doc)
{
    const cJSON *vm, *hp, *b;
    size_t cap = 0;

    cJSON_ArrayForEach(vm, cJSON_GetObjectItemCaseSensitive(host_doc, "vms"))
        cJSON_ArrayForEach(hp, cJSON_GetObjectItemCaseSensitive(vm, "hostpci")) cap +=
        (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(hp, "resolved_bdfs"));
    out->passed = calloc(cap ? cap : 1, sizeof(*out->passed));
    if (!out->passed)
        return -1;
    cJSON_ArrayForEach(vm, cJSON_GetObjectItemCaseSensitive(host_doc, "vms"))
    {
        int64_t vmid;

        if (ptd_json_get_int(vm, "vmid", PTD_VMID_MIN, PTD_VMID_MAX, &vmid, NULL) != PTD_NUM_OK)
            continue; /* a wrong-typed VM id is reported by the report's own checks */
        cJSON_ArrayForEach(hp, cJSON_GetObjectItemCaseSensitive(vm, "hostpci"))
            cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(hp, "resolved_bdfs"))
        {
            if (!cJSON_GetStringValue(b) || out->npassed >= cap)
                continue;
            out->passed[out->npassed++] = (struct rpt_passed_fn){
                cJSON_GetStringValue(b), (long)vmid, ptd_json_get_str(hp, "key")};
        }
    }
    qsort(out->passed, out->npassed, sizeof(*out->passed), cmp_passed);
    return 0;
}

struct rpt_groups *rpt_groups_build(const cJSON *host_doc)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(host_doc, "iommu_groups"), *g;
    struct rpt_groups *out = calloc(1, sizeof(*out));
    struct member_ref *refs = NULL;
    size_t nrefs = 0, gi;

    if (!out)
        return NULL;
    out->acs_override = ptd_json_get_str(host_doc, "system.cmdline.pcie_acs_override");
    out->groups = calloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(*out->groups));
    if (!out->groups || collect_passed(out, host_doc) < 0)
        goto fail;
    cJSON_ArrayForEach(g, arr)
    {
        int64_t id;
        struct rpt_group_info *info = &out->groups[out->ngroups];

        if (!cJSON_IsObject(g))
            continue;
        info->group = g;
        info->id = ptd_json_get_int(g, "id", 0, PTD_IOMMU_GROUP_MAX, &id, NULL) == PTD_NUM_OK
                       ? (long)id
                       : -1;
        classify(info);
        out->ngroups++;
    }
    if (!out->acs_override)
        return out;
    if (index_members(out, &refs, &nrefs) < 0)
        goto fail;
    for (gi = 0; gi < out->ngroups; gi++)
        if (out->groups[gi].verdict == RPT_GROUP_ISOLATED ||
            out->groups[gi].verdict == RPT_GROUP_BRIDGES_ONLY)
            check_override(out, gi, refs, nrefs);
    free(refs);
    return out;
fail:
    free(refs);
    rpt_groups_free(out);
    return NULL;
}

void rpt_groups_free(struct rpt_groups *g)
{
    if (!g)
        return;
    free(g->groups);
    free(g->passed);
    free(g);
}

const char *rpt_group_verdict_name(enum rpt_group_verdict v)
{
    static const char *const names[] = {"isolated", "bridges-only", "shared", "acs-override",
                                        "unknown"};

    return (unsigned)v < sizeof(names) / sizeof(names[0]) ? names[v] : "unknown";
}

const char *rpt_group_verdict_text(enum rpt_group_verdict v)
{
    switch (v) {
    case RPT_GROUP_ISOLATED:
        return "isolated: one device only";
    case RPT_GROUP_BRIDGES_ONLY:
        return "PCI bridges, with at most one device: Proxmox leaves bridges on the host";
    case RPT_GROUP_SHARED:
        return "shared with other devices: passing one moves them all to vfio-pci";
    case RPT_GROUP_ACS_OVERRIDE:
        return "split by pcie_acs_override (or a kernel ACS quirk): isolation not enforced by "
               "the hardware";
    default:
        return "unknown: a member or its class could not be read";
    }
}

size_t rpt_groups_passed(const struct rpt_groups *g, const char *bdf,
                         const struct rpt_passed_fn **first)
{
    struct rpt_passed_fn key = {.bdf = bdf};
    const struct rpt_passed_fn *hit;
    size_t n = 0;

    *first = NULL;
    hit = bsearch(&key, g->passed, g->npassed, sizeof(key), cmp_passed);
    if (!hit)
        return 0;
    while (hit > g->passed && !strcmp(hit[-1].bdf, bdf))
        hit--;
    *first = hit;
    while (hit + n < g->passed + g->npassed && !strcmp(hit[n].bdf, bdf))
        n++;
    return n;
}

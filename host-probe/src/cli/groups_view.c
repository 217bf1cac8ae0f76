/* SPDX-License-Identifier: MIT */
/*
 * `ptdiag-host --groups`: every IOMMU group the way the guides' loop over
 * /sys/kernel/iommu_groups/N/devices/ prints them (`lspci -nns` per member), with the verdict
 * on each group (the report's classifier, report/src/group_verdict.c) and, for each function,
 * its driver and the VMs that pass it. Names come from documents and configs others wrote:
 * every string is escaped for the terminal.
 */
#include <stdio.h>
#include <string.h>

#include "group_verdict.h"
#include "probe.h"
#include "ptdiag/doc.h"
#include "ptdiag/escape.h"

static void print_member(const struct rpt_groups *g, const cJSON *m, FILE *out)
{
    const char *bdf = ptd_json_get_str(m, "bdf"), *cls = ptd_json_get_str(m, "class");
    const char *cname = ptd_json_get_str(m, "class_name"), *drv = ptd_json_get_str(m, "driver");
    const char *vn = ptd_json_get_str(m, "vendor_name"), *dn = ptd_json_get_str(m, "device_name");
    const char *vid = ptd_json_get_str(m, "vendor_id"), *did = ptd_json_get_str(m, "device_id");
    const struct rpt_passed_fn *p;
    size_t n = bdf ? rpt_groups_passed(g, bdf, &p) : 0, i;

    fprintf(out, "  %s %s [%.4s]: %s %s [%s:%s]", ptd_esc_tmp(bdf ? bdf : "?", 64),
            ptd_esc_tmp(cname ? cname : "Class", 96), ptd_esc_tmp(cls ? cls : "????", 8),
            ptd_esc_tmp(vn ? vn : "Device", 128), ptd_esc_tmp(dn ? dn : "", 192),
            ptd_esc_tmp(vid ? vid : "????", 8), ptd_esc_tmp(did ? did : "????", 8));
    fprintf(out, "  [driver: %s]", drv ? ptd_esc_tmp(drv, 64) : "(unbound)");
    if (ptd_json_get_tri(m, "is_bridge") == 1)
        fputs(" bridge", out);
    for (i = 0; i < n; i++)
        fprintf(out, "%s VM %ld %s", i ? "," : "  passed to", p[i].vmid,
                ptd_esc_tmp(p[i].key ? p[i].key : "", 32));
    fputc('\n', out);
}

static void print_group(const struct rpt_groups *g, const struct rpt_group_info *info, FILE *out)
{
    const cJSON *m;

    if (info->id >= 0)
        fprintf(out, "IOMMU Group %ld", info->id);
    else
        fputs("IOMMU Group ?", out);
    fprintf(out, ": %s", rpt_group_verdict_name(info->verdict));
    if (info->verdict == RPT_GROUP_SHARED)
        fprintf(out, " (%zu devices)", info->ndevices);
    if (info->override_port)
        fprintf(out, " (port %s has no ACS)", ptd_esc_tmp(info->override_port, 32));
    else if (g->acs_override && info->override_unverified)
        fputs(" (pcie_acs_override is on; the ports' ACS is unknown: run as root)", out);
    fprintf(out, "\n    %s\n", rpt_group_verdict_text(info->verdict));
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(info->group, "devices"))
        print_member(g, m, out);
}

int host_groups_print(const cJSON *doc, FILE *out)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(doc, "iommu_groups");
    struct rpt_groups *g;
    size_t i, count[RPT_GROUP_UNKNOWN + 1] = {0};

    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) == 0) {
        fputs("No IOMMU groups: the IOMMU is off or not visible (see `ptdiag-host` for the "
              "kernel command line and the ACPI tables).\n",
              out);
        return ferror(out) ? -1 : 0;
    }
    g = rpt_groups_build(doc);
    if (!g) {
        fprintf(stderr, "ptdiag-host: out of memory\n");
        return -1;
    }
    for (i = 0; i < g->ngroups; i++) {
        print_group(g, &g->groups[i], out);
        count[g->groups[i].verdict]++;
    }
    fprintf(out,
            "%zu groups: %zu isolated, %zu bridges-only, %zu shared, %zu acs-override, %zu "
            "unknown\n",
            g->ngroups, count[RPT_GROUP_ISOLATED], count[RPT_GROUP_BRIDGES_ONLY],
            count[RPT_GROUP_SHARED], count[RPT_GROUP_ACS_OVERRIDE], count[RPT_GROUP_UNKNOWN]);
    if (g->acs_override)
        fprintf(out, "pcie_acs_override=%s is on the kernel command line\n",
                ptd_esc_tmp(g->acs_override, 128));
    rpt_groups_free(g);
    return ferror(out) ? -1 : 0;
}

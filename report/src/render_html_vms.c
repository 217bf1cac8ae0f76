/* SPDX-License-Identifier: MIT */
/*
 * The VM column of the topology picture: one box per VM that passes a PCI function, a row per
 * passed function (an edge joins it to the function's row in the tree), and for a VM whose
 * guest document was given, what the guest sees: its name and OS, and each GPU with its
 * driver. Boxes are coloured by the worst finding about the VM (guest findings included).
 */
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"
#include "ptdiag/docnum.h"
#include "render_html.h"

static const struct rpt_guest *guest_of(const struct rpt_model *m, long vmid)
{
    for (size_t i = 0; i < m->nguests; i++)
        if (m->guests[i].vmid == vmid)
            return &m->guests[i];
    return NULL;
}

static size_t vm_rows(const cJSON *vm, const struct rpt_guest *g)
{
    const cJSON *hp;
    size_t n = 1;

    cJSON_ArrayForEach(hp, cJSON_GetObjectItemCaseSensitive(vm, "hostpci"))
    {
        int k = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(hp, "resolved_bdfs"));
        n += k > 0 ? (size_t)k : 1;
    }
    if (g)
        n += 1 + g->ngpus;
    return n;
}

static void edge(FILE *out, double fy, double vy)
{
    double x0 = TREE_W - 10, x1 = TREE_W + GAP_W;

    fprintf(out, "<path class=\"edge\" d=\"M%.1f %.1fC%.1f %.1f %.1f %.1f %.1f %.1f\"/>\n", x0, fy,
            x0 + GAP_W / 2.0, fy, x1 - GAP_W / 2.0, vy, x1, vy);
}

static void guest_rows(FILE *out, const struct rpt_guest *g, double x, double *y, const char *cls,
                       long f)
{
    char label[384];
    const char *hn = ptd_json_get_str(g->doc.json, "system.hostname");
    const char *os = ptd_json_get_str(g->doc.json, "system.os.name");

    snprintf(label, sizeof(label), "guest %s (%s)", hn ? hn : "?", os ? os : "?");
    html_box(out, x + 10, *y, VM_W - 20, ROW_H, cls, f, label, label, NULL);
    *y += ROW_H;
    for (size_t i = 0; i < g->ngpus; i++) {
        const cJSON *gpu = g->gpus[i].gpu;
        const char *drv = ptd_json_get_str(gpu, "driver");
        const char *dn = ptd_json_get_str(gpu, "device_name");

        snprintf(label, sizeof(label), "sees %s:%s %s [%s]",
                 ptd_json_get_str(gpu, "vendor_id") ? ptd_json_get_str(gpu, "vendor_id") : "?",
                 ptd_json_get_str(gpu, "device_id") ? ptd_json_get_str(gpu, "device_id") : "?",
                 dn ? dn : "", drv ? drv : "no driver");
        html_box(out, x + 20, *y, VM_W - 30, ROW_H, cls, f, label, label, NULL);
        *y += ROW_H;
    }
}

static void one_vm(FILE *out, const struct rpt_render_ctx *c, const cJSON *vm, long vmid,
                   double (*fn_y)(const void *, const char *), const void *arg, double y)
{
    const struct rpt_guest *g = guest_of(c->model, vmid);
    long f = html_worst_for(c->result, NULL, vmid);
    double x = TREE_W + GAP_W, h = (double)vm_rows(vm, g) * ROW_H + 4;
    const char *name = ptd_json_get_str(vm, "name");
    char label[384], cls[24];
    const cJSON *hp, *b;

    snprintf(cls, sizeof(cls), "n-%s", html_sev_class(c->result, f));
    fprintf(out, "<rect class=\"n-grp %s\" x=\"%.1f\" y=\"%.1f\" width=\"%d\" height=\"%.1f\"/>\n",
            cls, x, y, VM_W, h);
    snprintf(label, sizeof(label), "VM %ld %s", vmid, name ? name : "");
    html_box(out, x, y, VM_W, ROW_H, cls, f, label, label, NULL);
    y += ROW_H;
    cJSON_ArrayForEach(hp, cJSON_GetObjectItemCaseSensitive(vm, "hostpci"))
    {
        const char *key = ptd_json_get_str(hp, "key");
        const cJSON *bdfs = cJSON_GetObjectItemCaseSensitive(hp, "resolved_bdfs");

        if (cJSON_GetArraySize(bdfs) == 0) {
            const char *raw = ptd_json_get_str(hp, "raw");
            snprintf(label, sizeof(label), "%s %s (not on this host)", key ? key : "?",
                     raw ? raw : "");
            html_box(out, x + 10, y, VM_W - 20, ROW_H, "n-plain", -1, label, label, NULL);
            y += ROW_H;
            continue;
        }
        cJSON_ArrayForEach(b, bdfs)
        {
            const char *bdf = cJSON_GetStringValue(b);
            double fy = bdf ? fn_y(arg, bdf) : -1;
            long ff = bdf ? html_worst_for(c->result, bdf, -1) : -1;
            char fcls[24];

            snprintf(fcls, sizeof(fcls), "n-%s", html_sev_class(c->result, ff));
            snprintf(label, sizeof(label), "%s %s", key ? key : "?", bdf ? bdf : "?");
            html_box(out, x + 10, y, VM_W - 20, ROW_H, fcls, ff, label, label, NULL);
            if (fy >= 0)
                edge(out, fy, y + ROW_H / 2.0);
            y += ROW_H;
        }
    }
    if (g)
        guest_rows(out, g, x, &y, cls, f);
}

void html_topology_vms(FILE *out, const struct rpt_render_ctx *c,
                       double (*fn_y)(const void *, const char *), const void *arg, double *height)
{
    const cJSON *vm;
    double y = 8;

    cJSON_ArrayForEach(vm, cJSON_GetObjectItemCaseSensitive(c->model->host.json, "vms"))
    {
        int64_t vmid;

        if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(vm, "hostpci")) == 0 ||
            ptd_json_get_int(vm, "vmid", PTD_VMID_MIN, PTD_VMID_MAX, &vmid, NULL) != PTD_NUM_OK)
            continue;
        if (out)
            one_vm(out, c, vm, (long)vmid, fn_y, arg, y);
        y += (double)vm_rows(vm, guest_of(c->model, (long)vmid)) * ROW_H + 4 + 12;
    }
    *height = y + 8;
}

/* SPDX-License-Identifier: MIT */
/*
 * The topology picture of the HTML report, inline SVG: root complex -> ports and bridges ->
 * IOMMU groups (dashed boxes) -> functions, and on the right each VM with the functions it
 * passes (and, for a joined guest, what the guest sees), linked by edges. Every node is
 * coloured by its worst finding and links to it. Groups no VM passes, with no GPU and no
 * finding, are folded into one "+ N groups" row under their port and listed in a collapsed
 * <details> table below, so a host with hundreds of functions stays one readable page.
 *
 * Layout is rows of fixed height in a monospace font: a label is cut to the columns its box
 * holds (html_fit), so text never leaves its box.
 */
#include <stdlib.h>
#include <string.h>

#include "group_verdict.h"
#include "ptdiag/doc.h"
#include "ptdiag/docnum.h"
#include "render_html.h"

#define INDENT   20
#define MAX_TREE 4096

enum row_kind { ROW_ROOT, ROW_BRIDGE, ROW_MORE, ROW_GROUP, ROW_FN };

struct tnode {
    char key[24]; /* "0000:00" for a root complex, else the bridge's BDF */
    int parent;   /* -1 for a root complex */
    bool drawn;   /* has an expanded group below it */
    size_t folded;
};

struct row {
    enum row_kind kind;
    int depth, parent_row;
    size_t ref; /* tnode, group index */
    const cJSON *member;
    size_t count; /* ROW_MORE: groups; ROW_GROUP: member rows */
};

struct topo {
    const struct rpt_render_ctx *c;
    struct rpt_groups *g;
    struct tnode nodes[MAX_TREE];
    size_t nnodes;
    int *group_node; /* per group: the tree node it hangs from */
    bool *expanded;  /* per group */
    struct row *rows;
    size_t nrows, caprows;
};

static int node_for(struct topo *t, const char *key, int parent)
{
    for (size_t i = 0; i < t->nnodes; i++)
        if (!strcmp(t->nodes[i].key, key))
            return (int)i;
    if (t->nnodes == MAX_TREE)
        return parent;
    snprintf(t->nodes[t->nnodes].key, sizeof(t->nodes[0].key), "%s", key);
    t->nodes[t->nnodes].parent = parent;
    return (int)t->nnodes++;
}

static bool in_group(const cJSON *group, const char *bdf)
{
    const cJSON *m;

    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(group, "devices"))
    {
        const char *b = ptd_json_get_str(m, "bdf");
        if (b && !strcmp(b, bdf))
            return true;
    }
    return false;
}

/* The tree node a group hangs from: the nearest bridge above its first member that is not in
 * the group, with the chain above it created up to its root complex. */
static int attach_group(struct topo *t, const cJSON *group)
{
    const cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(group, "devices"), 0);
    const cJSON *up = cJSON_GetObjectItemCaseSensitive(first, "upstream");
    const char *bdf = ptd_json_get_str(first, "bdf");
    const char *chain[64];
    size_t n = 0, start = 0;
    const cJSON *u;
    char root[24];
    int parent;

    cJSON_ArrayForEach(u, up)
    {
        if (cJSON_GetStringValue(u) && n < 64)
            chain[n++] = cJSON_GetStringValue(u);
    }
    while (start < n && in_group(group, chain[start]))
        start++;
    /* The root complex: "dddd:bb" of the topmost function known; without the upstream fact
     * (an older document, an unreadable link) the bus of the member itself, marked "?". */
    snprintf(root, sizeof(root), "%.7s%s",
             n     ? chain[n - 1]
             : bdf ? bdf
                   : "unknown",
             cJSON_IsArray(up) ? "" : "?");
    parent = node_for(t, root, -1);
    for (size_t i = n; i-- > start;)
        parent = node_for(t, chain[i], parent);
    return parent;
}

static bool group_expanded(struct topo *t, const struct rpt_group_info *gi)
{
    const cJSON *m;
    const struct rpt_passed_fn *p;

    if (gi->verdict == RPT_GROUP_ACS_OVERRIDE)
        return true;
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(gi->group, "devices"))
    {
        const char *bdf = ptd_json_get_str(m, "bdf"), *cls = ptd_json_get_str(m, "class");

        if (!bdf || (cls && !strncmp(cls, "03", 2)) || rpt_groups_passed(t->g, bdf, &p) ||
            html_worst_for(t->c->result, bdf, -1) >= 0)
            return true;
    }
    return false;
}

static struct row *add_row(struct topo *t, enum row_kind kind, int depth, int parent_row)
{
    if (t->nrows == t->caprows) {
        size_t cap = t->caprows ? t->caprows * 2 : 256;
        struct row *r = realloc(t->rows, cap * sizeof(*r));
        if (!r)
            return NULL;
        t->rows = r;
        t->caprows = cap;
    }
    t->rows[t->nrows] = (struct row){.kind = kind, .depth = depth, .parent_row = parent_row};
    return &t->rows[t->nrows++];
}

/* Rows of node ni and everything drawn below it, depth first. */
static void layout_node(struct topo *t, size_t ni, int depth, int parent_row)
{
    int me = (int)t->nrows;
    struct row *r = add_row(t, t->nodes[ni].parent < 0 ? ROW_ROOT : ROW_BRIDGE, depth, parent_row);

    if (!r)
        return;
    r->ref = ni;
    for (size_t k = 0; k < t->nnodes; k++)
        if (t->nodes[k].parent == (int)ni && t->nodes[k].drawn)
            layout_node(t, k, depth + 1, me);
    for (size_t gi = 0; gi < t->g->ngroups; gi++) {
        const cJSON *m;
        int hdr;

        if (t->group_node[gi] != (int)ni || !t->expanded[gi])
            continue;
        hdr = (int)t->nrows;
        r = add_row(t, ROW_GROUP, depth + 1, me);
        if (!r)
            return;
        r->ref = gi;
        cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(t->g->groups[gi].group, "devices"))
        {
            struct row *f = add_row(t, ROW_FN, depth + 1, hdr);
            if (!f)
                return;
            f->ref = gi;
            f->member = m;
            t->rows[hdr].count++;
        }
    }
    if (t->nodes[ni].folded && (r = add_row(t, ROW_MORE, depth + 1, me)))
        r->count = t->nodes[ni].folded;
}

/* Marks the nodes to draw and counts the folded groups under the nearest drawn node. */
static void plan(struct topo *t)
{
    for (size_t gi = 0; gi < t->g->ngroups; gi++) {
        int n = t->group_node[gi];

        if (t->expanded[gi]) {
            for (; n >= 0 && !t->nodes[n].drawn; n = t->nodes[n].parent)
                t->nodes[n].drawn = true;
        }
    }
    for (size_t gi = 0; gi < t->g->ngroups; gi++) {
        int n = t->group_node[gi];

        if (t->expanded[gi])
            continue;
        while (n >= 0 && t->nodes[n].parent >= 0 && !t->nodes[n].drawn)
            n = t->nodes[n].parent;
        if (n >= 0) {
            t->nodes[n].drawn = true; /* a root complex with only folded groups */
            t->nodes[n].folded++;
        }
    }
}

static double row_x(const struct row *r)
{
    return 8 + r->depth * INDENT + (r->kind == ROW_FN ? 10 : 0);
}

static double row_w(const struct row *r)
{
    return TREE_W - row_x(r) - (r->kind == ROW_FN ? 18 : 8);
}

static void fn_label(struct topo *t, const cJSON *m, char *buf, size_t len)
{
    const char *bdf = ptd_json_get_str(m, "bdf"), *drv = ptd_json_get_str(m, "driver");
    const char *dn = ptd_json_get_str(m, "device_name"), *cn = ptd_json_get_str(m, "class_name");
    const struct rpt_passed_fn *p;
    size_t np = bdf ? rpt_groups_passed(t->g, bdf, &p) : 0;
    char vms[32] = "";

    if (np == 1)
        snprintf(vms, sizeof(vms), " -> VM %ld", p->vmid);
    else if (np > 1)
        snprintf(vms, sizeof(vms), " -> VM %ld +%zu", p->vmid, np - 1);
    snprintf(buf, len, "%s %s:%s %s [%s]%s", bdf ? bdf + 5 : "?",
             ptd_json_get_str(m, "vendor_id") ? ptd_json_get_str(m, "vendor_id") : "?",
             ptd_json_get_str(m, "device_id") ? ptd_json_get_str(m, "device_id") : "?",
             dn   ? dn
             : cn ? cn
                  : "",
             drv ? drv : "unbound", vms);
}

void html_box(FILE *out, double x, double y, double w, double h, const char *cls, long finding,
              const char *title, const char *label, const char *id)
{
    if (finding >= 0)
        fprintf(out, "<a href=\"#f-%ld\">", finding);
    fprintf(out, "<g");
    if (id)
        fprintf(out, " id=\"%s\"", id);
    fprintf(out, " class=\"node\"><title>");
    html_text(out, title);
    fprintf(out,
            "</title><rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
            "rx=\"3\"/><text x=\"%.1f\" y=\"%.1f\">",
            cls, x, y + 1, w, h - 2, x + 6, y + h / 2 + 4);
    html_fit(out, label, html_cols(w));
    fputs("</text></g>", out);
    if (finding >= 0)
        fputs("</a>", out);
    fputc('\n', out);
}

static long worst_of_group(struct topo *t, const cJSON *group)
{
    const struct rpt_result *r = t->c->result;
    long worst = -1;
    const cJSON *m;

    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(group, "devices"))
    {
        const char *bdf = ptd_json_get_str(m, "bdf");
        long f = bdf ? html_worst_for(r, bdf, -1) : -1;

        if (f >= 0 && (worst < 0 || r->findings[f].severity > r->findings[worst].severity))
            worst = f;
    }
    return worst;
}

static void draw_row(FILE *out, struct topo *t, size_t i)
{
    const struct row *r = &t->rows[i];
    double x = row_x(r), y = 8 + (double)i * ROW_H, w = row_w(r);
    char label[512], cls[24], id[40];
    long f = -1;

    if (r->parent_row >= 0 && r->kind != ROW_FN) { /* the tree edge */
        const struct row *p = &t->rows[r->parent_row];
        double px = row_x(p) + 10, py = 8 + (double)r->parent_row * ROW_H + ROW_H - 1;
        fprintf(out, "<path class=\"edge\" d=\"M%.1f %.1fV%.1fH%.1f\"/>\n", px, py, y + ROW_H / 2.0,
                x);
    }
    switch (r->kind) {
    case ROW_ROOT:
        if (strchr(t->nodes[r->ref].key, '?'))
            snprintf(label, sizeof(label), "Bus %.7s (ports above it not recorded)",
                     t->nodes[r->ref].key);
        else
            snprintf(label, sizeof(label), "Root complex %s", t->nodes[r->ref].key);
        html_box(out, x, y, w, ROW_H, "n-plain", -1, label, label, NULL);
        return;
    case ROW_BRIDGE:
        f = html_worst_for(t->c->result, t->nodes[r->ref].key, -1);
        snprintf(label, sizeof(label), "port %s", t->nodes[r->ref].key);
        snprintf(cls, sizeof(cls), "n-%s", html_sev_class(t->c->result, f));
        html_box(out, x, y, w, ROW_H, f >= 0 ? cls : "n-plain", f, label, label, NULL);
        return;
    case ROW_MORE:
        snprintf(label, sizeof(label), "+ %zu group(s) no VM passes, no finding (listed below)",
                 r->count);
        html_box(out, x, y, w, ROW_H, "n-plain", -1, label, label, NULL);
        return;
    case ROW_GROUP: {
        const struct rpt_group_info *gi = &t->g->groups[r->ref];
        f = worst_of_group(t, gi->group);
        snprintf(cls, sizeof(cls), "n-grp n-%s", html_sev_class(t->c->result, f));
        fprintf(out, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>\n",
                cls, x, y + 1, w, (double)(r->count + 1) * ROW_H + 2);
        snprintf(label, sizeof(label), "IOMMU group %ld: %s", gi->id,
                 rpt_group_verdict_name(gi->verdict));
        snprintf(id, sizeof(id), "topo-g%zu", r->ref);
        html_box(out, x, y, w, ROW_H, "n-plain", f, rpt_group_verdict_text(gi->verdict), label, id);
        return;
    }
    case ROW_FN: {
        const char *bdf = ptd_json_get_str(r->member, "bdf");
        f = bdf ? html_worst_for(t->c->result, bdf, -1) : -1;
        fn_label(t, r->member, label, sizeof(label));
        snprintf(cls, sizeof(cls), "n-%s", html_sev_class(t->c->result, f));
        html_box(out, x, y, w, ROW_H, cls, f, label, label, NULL);
        return;
    }
    }
}

/* The y of the function row of bdf, or -1. */
static double fn_y(const struct topo *t, const char *bdf)
{
    for (size_t i = 0; i < t->nrows; i++) {
        const char *b = t->rows[i].member ? ptd_json_get_str(t->rows[i].member, "bdf") : NULL;
        if (b && rpt_bdf_eq(b, bdf))
            return 8 + (double)i * ROW_H + ROW_H / 2.0;
    }
    return -1;
}

static double fn_y_cb(const void *arg, const char *bdf)
{
    return fn_y(arg, bdf);
}

static void groups_table(FILE *out, struct topo *t, bool expanded)
{
    size_t n = 0;

    for (size_t gi = 0; gi < t->g->ngroups; gi++)
        n += t->expanded[gi] == expanded;
    if (!n)
        return;
    if (!expanded)
        fprintf(out,
                "<details><summary>%zu group(s) of devices no VM passes, with no finding"
                "</summary>\n",
                n);
    fputs("<table>\n<tr><th>Group</th><th>Verdict</th><th>Functions</th></tr>\n", out);
    for (size_t gi = 0; gi < t->g->ngroups; gi++) {
        const struct rpt_group_info *g = &t->g->groups[gi];
        const cJSON *m;
        char label[512];

        if (t->expanded[gi] != expanded)
            continue;
        fprintf(out, "<tr id=\"g-%zu\"><td>%ld</td><td>%s</td><td>", gi, g->id,
                rpt_group_verdict_name(g->verdict));
        cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(g->group, "devices"))
        {
            fn_label(t, m, label, sizeof(label));
            fputs("<div class=\"mono\">", out);
            html_text(out, label);
            fputs("</div>", out);
        }
        fputs("</td></tr>\n", out);
    }
    fputs("</table>\n", out);
    if (!expanded)
        fputs("</details>\n", out);
}

void html_topology(FILE *out, const struct rpt_render_ctx *c)
{
    struct topo *t = calloc(1, sizeof(*t));
    double height = 0, vm_h = 0;

    fputs("<h2 id=\"topology\">Topology</h2>\n", out);
    if (!t || !c->model->host.json || !(t->g = rpt_groups_build(c->model->host.json)))
        goto out;
    if (!t->g->ngroups) {
        fputs("<p>No IOMMU groups in the host document (IOMMU off, or no host document).</p>\n",
              out);
        goto out;
    }
    t->c = c;
    t->group_node = calloc(t->g->ngroups, sizeof(*t->group_node));
    t->expanded = calloc(t->g->ngroups, sizeof(*t->expanded));
    if (!t->group_node || !t->expanded)
        goto out;
    for (size_t gi = 0; gi < t->g->ngroups; gi++) {
        t->group_node[gi] = attach_group(t, t->g->groups[gi].group);
        t->expanded[gi] = group_expanded(t, &t->g->groups[gi]);
    }
    plan(t);
    for (size_t ni = 0; ni < t->nnodes; ni++)
        if (t->nodes[ni].parent < 0 && t->nodes[ni].drawn)
            layout_node(t, ni, 0, -1);
    height = 16 + (double)t->nrows * ROW_H;
    html_topology_vms(NULL, c, fn_y_cb, t, &vm_h);
    if (vm_h > height)
        height = vm_h;
    fputs("<p class=\"legend\">Colour = worst finding: <span class=\"error\">error</span>"
          "<span class=\"warning\">warning</span><span class=\"info\">note</span>"
          "<span class=\"ok\">none</span>. Click a node for its finding.</p>\n",
          out);
    fprintf(out,
            "<div class=\"topo\"><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
            "height=\"%.0f\" viewBox=\"0 0 %d %.0f\" role=\"img\" aria-label=\"PCI topology\">\n",
            TREE_W + GAP_W + VM_W + 8, height, TREE_W + GAP_W + VM_W + 8, height);
    for (size_t i = 0; i < t->nrows; i++)
        draw_row(out, t, i);
    html_topology_vms(out, c, fn_y_cb, t, &vm_h);
    fputs("</svg></div>\n<h2 id=\"groups\">IOMMU groups</h2>\n", out);
    groups_table(out, t, true);
    groups_table(out, t, false);
out:
    if (t) {
        rpt_groups_free(t->g);
        free(t->group_node);
        free(t->expanded);
        free(t->rows);
    }
    free(t);
}

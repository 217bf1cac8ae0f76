/* SPDX-License-Identifier: MIT */
/* hostpciN <-> devices, groups and mappings. See vm_xref.h; the mapping checks are in
 * vm_xref_mapping.c. */
#include "vm_xref.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"
#include "ptdiag/docnum.h"

#include "vm_modes.h"
#include "vm_xref_internal.h"

#define SRC "vms"

/* Sets obj[key] = item, replacing an existing member. */
static void set_item(cJSON *obj, const char *key, cJSON *item)
{
    cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
    cJSON_AddItemToObject(obj, key, item);
}

const cJSON *find_device(const struct xref_ctx *x, const char *bdf)
{
    const cJSON *d;

    cJSON_ArrayForEach(d, x->devices)
    {
        const char *b = ptd_json_get_str(d, "bdf");
        if (b && !strcmp(b, bdf))
            return d;
    }
    return NULL;
}

/* The group and its member entry for bdf, from iommu_groups. */
const cJSON *find_group(const struct xref_ctx *x, const char *bdf, const cJSON **member)
{
    const cJSON *g, *m;

    cJSON_ArrayForEach(g, x->groups)
    {
        cJSON_ArrayForEach(m, cJSON_GetObjectItem(g, "devices"))
        {
            const char *b = ptd_json_get_str(m, "bdf");
            if (b && !strcmp(b, bdf)) {
                if (member)
                    *member = m;
                return g;
            }
        }
    }
    return NULL;
}

/* 1 present, 0 absent, -1 unknown. */
int sys_exists(const struct xref_ctx *x, const char *bdf)
{
    size_t i;

    if (find_device(x, bdf) || find_group(x, bdf, NULL))
        return 1;
    if (!x->sys_bdfs)
        return -1;
    for (i = 0; i < x->nsys; i++)
        if (!strcmp(x->sys_bdfs[i], bdf))
            return 1;
    return 0;
}

void add_unique(cJSON *arr, const char *s)
{
    if (!vm_str_in(arr, s))
        cJSON_AddItemToArray(arr, cJSON_CreateString(s));
}

/* Expands an address (function-less = every function present) into out. */
void expand(const struct xref_ctx *x, const char *addr, cJSON *out)
{
    const cJSON *d, *g, *m;
    size_t i, n = strlen(addr);

    if (n != 10) { /* not a function-less "dddd:bb:dd" */
        add_unique(out, addr);
        return;
    }
    cJSON_ArrayForEach(d, x->devices)
    {
        const char *b = ptd_json_get_str(d, "bdf");
        if (b && !strncmp(b, addr, n) && b[n] == '.')
            add_unique(out, b);
    }
    cJSON_ArrayForEach(g, x->groups)
    {
        cJSON_ArrayForEach(m, cJSON_GetObjectItem(g, "devices"))
        {
            const char *b = ptd_json_get_str(m, "bdf");
            if (b && !strncmp(b, addr, n) && b[n] == '.')
                add_unique(out, b);
        }
    }
    for (i = 0; x->sys_bdfs && i < x->nsys; i++)
        if (!strncmp(x->sys_bdfs[i], addr, n) && x->sys_bdfs[i][n] == '.')
            add_unique(out, x->sys_bdfs[i]);
}

/* Pass 1: resolve every hostpci entry of every VM to BDFs. */
static void resolve_all(struct xref_ctx *x, cJSON *vms)
{
    cJSON *vm, *h;

    cJSON_ArrayForEach(vm, vms)
    {
        cJSON_ArrayForEach(h, cJSON_GetObjectItem(vm, "hostpci"))
        {
            cJSON *targets = cJSON_CreateArray(), *resolved = cJSON_CreateArray(), *id;
            const char *mapping = ptd_json_get_str(h, "mapping");
            int missing = 0, unknown = 0;

            cJSON_ArrayForEach(id, cJSON_GetObjectItem(h, "host_ids"))
            {
                cJSON *one = cJSON_CreateArray();
                expand(x, id->valuestring, one);
                if (cJSON_GetArraySize(one) == 0) {
                    /* a function-less address with no function anywhere we looked */
                    if (x->sys_bdfs)
                        missing = 1;
                    else
                        unknown = 1;
                }
                cJSON *b;
                cJSON_ArrayForEach(b, one)
                {
                    add_unique(targets, b->valuestring);
                }
                cJSON_Delete(one);
            }
            if (mapping) {
                cJSON *alts = cJSON_CreateArray();

                set_item(h, "mapping_check", mapping_check(x, mapping, alts));
                vm_pool_choose(x->doc, vm, h, alts, x->taken, targets);
                cJSON_Delete(alts);
            } else {
                set_item(h, "mapping_check", cJSON_CreateNull());
            }
            cJSON *b;
            cJSON_ArrayForEach(b, targets)
            {
                cJSON *r = cJSON_CreateObject();
                const cJSON *dev = find_device(x, b->valuestring), *member = NULL, *grp;
                int ex = sys_exists(x, b->valuestring);
                grp = find_group(x, b->valuestring, &member);
                cJSON_AddItemToArray(resolved, r);
                ptd_json_add_str(r, "bdf", b->valuestring);
                ptd_json_add_tri(r, "exists", ex);
                if (ex == 0)
                    missing = 1;
                else if (ex < 0)
                    unknown = 1;
                const cJSON *src = dev ? dev : member;
                if (src || ex != 1) {
                    ptd_json_add_str(r, "vendor_id",
                                     src ? ptd_json_get_str(src, "vendor_id") : NULL);
                    ptd_json_add_str(r, "device_id",
                                     src ? ptd_json_get_str(src, "device_id") : NULL);
                    ptd_json_add_str(r, "class", src ? ptd_json_get_str(src, "class") : NULL);
                    ptd_json_add_str(r, "driver", src ? ptd_json_get_str(src, "driver") : NULL);
                } else {
                    vm_sysfs_facts(x->root, b->valuestring, r);
                }
                if (grp)
                    ptd_json_add_num(r, "iommu_group", ptd_json_get_num(grp, "id", -1), true);
                else if (dev && cJSON_IsNumber(cJSON_GetObjectItem(dev, "iommu_group")))
                    ptd_json_add_num(r, "iommu_group", ptd_json_get_num(dev, "iommu_group", -1),
                                     true);
                else if (!cJSON_GetObjectItem(r, "iommu_group"))
                    ptd_json_add_num(r, "iommu_group", 0, false);
            }
            if (mapping && cJSON_GetArraySize(targets) == 0) {
                const cJSON *mc = cJSON_GetObjectItem(h, "mapping_check");
                int found = ptd_json_get_tri(mc, "found"),
                    entry = ptd_json_get_tri(mc, "entry_found");
                if (found == 0 || entry == 0)
                    missing = 1;
                else
                    unknown = 1;
            }
            set_item(h, "resolved_bdfs", targets);
            set_item(h, "resolved", resolved);
            set_item(h, "missing",
                     missing   ? cJSON_CreateTrue()
                     : unknown ? cJSON_CreateNull()
                               : cJSON_CreateFalse());
        }
    }
}

/* Every (bdf, vmid) a hostpci entry passes, collected once after pass 1 so that "passed by"
 * is a scan of a flat list rather than of every VM's JSON per group member. */
struct passed {
    const char *bdf; /* borrowed from the document */
    double vmid;
};

static struct passed *collect_passed(cJSON *vms, size_t *count)
{
    struct passed *list = NULL, *grown;
    size_t n = 0, cap = 0;
    const cJSON *vm, *h, *b;

    cJSON_ArrayForEach(vm, vms)
    {
        double vmid = ptd_json_get_num(vm, "vmid", -1);
        cJSON_ArrayForEach(h, cJSON_GetObjectItem(vm, "hostpci"))
        {
            cJSON_ArrayForEach(b, cJSON_GetObjectItem(h, "resolved_bdfs"))
            {
                if (n == cap) {
                    cap = cap ? cap * 2 : 64;
                    if (!(grown = realloc(list, cap * sizeof(*list))))
                        goto out;
                    list = grown;
                }
                list[n].bdf = b->valuestring;
                list[n++].vmid = vmid;
            }
        }
    }
out:
    *count = n;
    return list;
}

static void passed_by(const struct passed *list, size_t n, const char *bdf, cJSON *out)
{
    double last = -1;
    size_t i;

    /* one VM's entries are contiguous, so a repeat (a BDF passed twice) follows its first */
    for (i = 0; i < n; i++) {
        if (strcmp(list[i].bdf, bdf) || list[i].vmid == last)
            continue;
        cJSON_AddItemToArray(out, cJSON_CreateNumber(list[i].vmid));
        last = list[i].vmid;
    }
}

/* Pass 2: group completeness per hostpci entry (all entries of the VM count as passed). */
static void groups_all(struct xref_ctx *x, cJSON *vms)
{
    size_t npassed = 0;
    struct passed *plist = collect_passed(vms, &npassed);
    cJSON *vm, *h;

    cJSON_ArrayForEach(vm, vms)
    {
        cJSON *vm_bdfs = cJSON_CreateArray();
        cJSON_ArrayForEach(h, cJSON_GetObjectItem(vm, "hostpci"))
        {
            cJSON *b;
            cJSON_ArrayForEach(b, cJSON_GetObjectItem(h, "resolved_bdfs"))
            {
                if (vm_str_in(vm_bdfs, b->valuestring)) {
                    /* PCI.pm refuses this at start */
                    char msg[PTD_ERROR_MAX];
                    snprintf(msg, sizeof(msg), "%s:%lld: %s: device '%s' assigned more than once",
                             ptd_json_get_str(vm, "file"),
                             (long long)ptd_json_int_or(h, "line", 1, PTD_LINE_MAX, 0),
                             ptd_json_get_str(h, "key"), b->valuestring);
                    cJSON_AddItemToArray(cJSON_GetObjectItem(vm, "config_problems"),
                                         cJSON_CreateString(msg));
                    ptd_doc_add_error(x->doc, SRC, "%s", msg);
                }
                add_unique(vm_bdfs, b->valuestring);
            }
        }
        cJSON_ArrayForEach(h, cJSON_GetObjectItem(vm, "hostpci"))
        {
            cJSON *others = cJSON_CreateArray(), *b;
            int complete = 1;
            if (!x->groups) {
                cJSON_Delete(others);
                set_item(h, "group_complete", cJSON_CreateNull());
                set_item(h, "group_others", cJSON_CreateNull());
                continue;
            }
            cJSON_ArrayForEach(b, cJSON_GetObjectItem(h, "resolved_bdfs"))
            {
                const cJSON *self = NULL, *grp = find_group(x, b->valuestring, &self), *m;
                const char *card = ptd_json_get_str(self, "card_upstream_port");
                if (!grp) {
                    complete = -1;
                    continue;
                }
                cJSON_ArrayForEach(m, cJSON_GetObjectItem(grp, "devices"))
                {
                    const char *ob = ptd_json_get_str(m, "bdf");
                    cJSON *o, *by;
                    bool bridge = ptd_json_get_tri(m, "is_bridge") == 1, passed;
                    if (!ob || vm_str_in(cJSON_GetObjectItem(h, "resolved_bdfs"), ob))
                        continue;
                    bool dup = false;
                    cJSON *e;
                    cJSON_ArrayForEach(e, others)
                    {
                        dup |= !strcmp(ptd_json_get_str(e, "bdf"), ob);
                    }
                    if (dup)
                        continue;
                    passed = vm_str_in(vm_bdfs, ob);
                    o = cJSON_CreateObject();
                    cJSON_AddItemToArray(others, o);
                    ptd_json_add_str(o, "bdf", ob);
                    ptd_json_add_str(o, "driver", ptd_json_get_str(m, "driver"));
                    ptd_json_add_str(o, "class", ptd_json_get_str(m, "class"));
                    ptd_json_add_tri(o, "is_bridge", bridge);
                    /* Below the same card's own switch (pci_card.c): the card's group. */
                    {
                        const char *oc = ptd_json_get_str(m, "card_upstream_port");
                        cJSON_AddBoolToObject(o, "same_card", card && oc && !strcmp(card, oc));
                    }
                    cJSON_AddBoolToObject(o, "passed", passed);
                    by = cJSON_AddArrayToObject(o, "passed_by");
                    passed_by(plist, npassed, ob, by);
                    if (!bridge && !passed && complete == 1)
                        complete = 0;
                }
            }
            set_item(h, "group_others", others);
            set_item(h, "group_complete",
                     complete < 0 ? cJSON_CreateNull() : cJSON_CreateBool(complete));
        }
        cJSON_Delete(vm_bdfs);
    }
    free(plist);
}

void vm_xref_run(struct ptd_root *root, cJSON *doc)
{
    struct xref_ctx x = {.root = root, .doc = doc};
    cJSON *vms = cJSON_GetObjectItem(doc, "vms");
    const cJSON *dev = cJSON_GetObjectItem(doc, "devices");
    const cJSON *grp = cJSON_GetObjectItem(doc, "iommu_groups");
    bool any = false;
    cJSON *vm;

    cJSON_ArrayForEach(vm, vms)
    {
        any |= cJSON_GetArraySize(cJSON_GetObjectItem(vm, "hostpci")) > 0;
    }
    if (!any)
        return;
    x.devices = cJSON_IsArray(dev) ? dev : NULL;
    x.groups = cJSON_IsArray(grp) && cJSON_GetArraySize(grp) > 0 ? grp : NULL;
    x.this_node = ptd_json_get_str(doc, "cluster.this_node");
    if (!x.devices || !x.groups)
        ptd_doc_add_error(doc, SRC,
                          "hostpci cross-reference: the document has no %s (PCI probe "
                          "not run, or IOMMU off): group facts unknown",
                          !x.devices ? "devices" : "iommu_groups");
    if (ptd_root_list_dir(root, "/sys/bus/pci/devices", &x.sys_bdfs, &x.nsys) != 0) {
        x.sys_bdfs = NULL;
        x.nsys = 0;
    }
    x.taken = cJSON_CreateArray();
    resolve_all(&x, vms);
    groups_all(&x, vms);
    vm_modes_run(root, doc);
    cJSON_Delete(x.taken);
    ptd_strv_free(x.sys_bdfs);
}

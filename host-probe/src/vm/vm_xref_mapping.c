/* SPDX-License-Identifier: MIT */
/*
 * The mapping half of the hostpci cross-reference: for a hostpciN that names a PCI resource
 * mapping, find this node's map entries and compare each against the hardware recorded in the
 * document the way qemu-server's assert_valid does, producing the entry's mapping_check object
 * and the alternatives (BDFs per entry) the pool choice picks from. Split out of vm_xref.c,
 * which resolves entries and checks groups; see vm_xref.h for the fields.
 */
#include <stdio.h>
#include <string.h>

#include "ptdiag/doc.h"
#include "ptdiag/docnum.h"

#include "vm_xref_internal.h"

static const cJSON *find_mapping(const struct xref_ctx *x, const char *id)
{
    const cJSON *m;

    cJSON_ArrayForEach(m, cJSON_GetObjectItem(x->doc, "mappings"))
    {
        const char *n = ptd_json_get_str(m, "id");
        if (n && !strcmp(n, id))
            return m;
    }
    return NULL;
}

static void check_value(cJSON *mc, cJSON *problems, const char *what, const char *key,
                        const char *expected, const char *actual, const char *mapping)
{
    char k[64], msg[256];

    snprintf(k, sizeof(k), "expected_%s", key);
    ptd_json_add_str(mc, k, expected);
    snprintf(k, sizeof(k), "actual_%s", key);
    ptd_json_add_str(mc, k, actual);
    snprintf(k, sizeof(k), "%s_match", key);
    if (!actual) {
        ptd_json_add_tri(mc, k, -1);
        return;
    }
    if (!expected) {
        ptd_json_add_tri(mc, k, 0);
        snprintf(msg, sizeof(msg), "missing expected property '%s' for device '%s'", what, mapping);
        cJSON_AddItemToArray(problems, cJSON_CreateString(msg));
        return;
    }
    /* Exactly, as assert_valid's `ne` does: "10DE:2204" in pci.cfg fails the VM start. */
    ptd_json_add_tri(mc, k, !strcmp(expected, actual));
    if (strcmp(expected, actual)) {
        snprintf(msg, sizeof(msg), "'%s' does not match for '%s' (%s != %s)", what, mapping, actual,
                 expected);
        cJSON_AddItemToArray(problems, cJSON_CreateString(msg));
    }
}

/* assert_valid's comparisons of one map entry against the hardware, into mc. */
static void check_entry(struct xref_ctx *x, const char *name, const cJSON *entry, cJSON *mc,
                        cJSON *problems)
{
    char actual_id[16], actual_sub[16], actual_grp[16], expected_grp[16], first[16];
    const cJSON *dev, *member = NULL, *grp, *p, *src;

    ptd_json_add_str(mc, "path", ptd_json_get_str(entry, "path"));
    /* assert_valid compares the first path (".0" of a function-less one). */
    p = cJSON_GetArrayItem(cJSON_GetObjectItem(entry, "paths"), 0);
    if (!p || !cJSON_IsString(p))
        return;
    snprintf(first, sizeof(first), "%s%s", p->valuestring,
             strlen(p->valuestring) == 10 ? ".0" : "");
    dev = find_device(x, first);
    grp = find_group(x, first, &member);
    if (!dev && !member && sys_exists(x, first) == 0) {
        char msg[160];

        snprintf(msg, sizeof(msg), "pci device '%s' not found", first);
        cJSON_AddItemToArray(problems, cJSON_CreateString(msg));
    }
    src = dev ? dev : member;
    if (src && ptd_json_get_str(src, "vendor_id") && ptd_json_get_str(src, "device_id"))
        snprintf(actual_id, sizeof(actual_id), "%s:%s", ptd_json_get_str(src, "vendor_id"),
                 ptd_json_get_str(src, "device_id"));
    else
        actual_id[0] = '\0';
    if (dev && ptd_json_get_str(dev, "subsystem_vendor_id") &&
        ptd_json_get_str(dev, "subsystem_device_id"))
        snprintf(actual_sub, sizeof(actual_sub), "%s:%s",
                 ptd_json_get_str(dev, "subsystem_vendor_id"),
                 ptd_json_get_str(dev, "subsystem_device_id"));
    else
        actual_sub[0] = '\0';
    /* Group numbers are non-negative ints; anything else is unknown, never a cast. */
    int64_t g;
    actual_grp[0] = '\0';
    if (grp && ptd_json_get_int(grp, "id", 0, PTD_IOMMU_GROUP_MAX, &g, NULL) == PTD_NUM_OK)
        snprintf(actual_grp, sizeof(actual_grp), "%lld", (long long)g);
    else if (dev &&
             ptd_json_get_int(dev, "iommu_group", 0, PTD_IOMMU_GROUP_MAX, &g, NULL) == PTD_NUM_OK)
        snprintf(actual_grp, sizeof(actual_grp), "%lld", (long long)g);
    expected_grp[0] = '\0';
    if (ptd_json_get_int(entry, "iommugroup", 0, PTD_IOMMU_GROUP_MAX, &g, NULL) == PTD_NUM_OK)
        snprintf(expected_grp, sizeof(expected_grp), "%lld", (long long)g);
    check_value(mc, problems, "id", "id", ptd_json_get_str(entry, "id"),
                actual_id[0] ? actual_id : NULL, name);
    check_value(mc, problems, "iommugroup", "iommugroup", expected_grp[0] ? expected_grp : NULL,
                actual_grp[0] ? actual_grp : NULL, name);
    /* subsystem-id is only compared when configured (the GUI fills it; the API does not). */
    if (ptd_json_get_str(entry, "subsystem_id"))
        check_value(mc, problems, "subsystem-id", "subsystem_id",
                    ptd_json_get_str(entry, "subsystem_id"), actual_sub[0] ? actual_sub : NULL,
                    name);
    else
        ptd_json_add_str(mc, "expected_subsystem_id", NULL);
}

/*
 * Mapping -> this node's map entries. Every entry for this node is an alternative
 * (PVE::Mapping::PCI::find_on_current_node), and parse_hostpci runs assert_valid on each, so
 * every entry is checked: mc.entries[] holds each one's comparison, the top-level fields the
 * first one's. alternatives gets one array of BDFs per entry.
 */
cJSON *mapping_check(struct xref_ctx *x, const char *name, cJSON *alternatives)
{
    cJSON *mc = cJSON_CreateObject(), *problems = cJSON_CreateArray(), *entries;
    const cJSON *m = find_mapping(x, name), *e, *p;
    size_t count = 0;

    ptd_json_add_str(mc, "mapping", name);
    ptd_json_add_str(mc, "node", x->this_node);
    cJSON_AddItemToObject(mc, "problems", problems);
    if (!cJSON_IsArray(cJSON_GetObjectItem(x->doc, "mappings"))) {
        cJSON_AddNullToObject(mc, "found");
        return mc;
    }
    cJSON_AddBoolToObject(mc, "found", m != NULL);
    if (!m) {
        char msg[160];
        snprintf(msg, sizeof(msg), "PCI device mapping not found for '%s'", name);
        cJSON_AddItemToArray(problems, cJSON_CreateString(msg));
        return mc;
    }
    if (!x->this_node) {
        cJSON_AddNullToObject(mc, "entry_found");
        return mc;
    }
    entries = cJSON_CreateArray();
    cJSON_ArrayForEach(e, cJSON_GetObjectItem(m, "map"))
    {
        const char *node = ptd_json_get_str(e, "node");
        cJSON *one, *targets;

        if (!node || strcmp(node, x->this_node))
            continue;
        if (count++ == 0) {
            cJSON *again = cJSON_CreateArray(); /* entries[0] records its problems once */

            check_entry(x, name, e, mc, again);
            cJSON_Delete(again);
        }
        one = cJSON_CreateObject();
        cJSON_AddItemToArray(entries, one);
        check_entry(x, name, e, one, problems);
        targets = cJSON_CreateArray();
        cJSON_ArrayForEach(p, cJSON_GetObjectItem(e, "paths"))
        {
            if (cJSON_IsString(p))
                expand(x, p->valuestring, targets);
        }
        cJSON_AddItemToArray(alternatives, targets);
    }
    cJSON_AddBoolToObject(mc, "entry_found", count > 0);
    if (!count) {
        char msg[200];
        snprintf(msg, sizeof(msg), "no map entry for node '%s' in mapping '%s'", x->this_node,
                 name);
        cJSON_AddItemToArray(problems, cJSON_CreateString(msg));
        cJSON_Delete(entries);
        return mc;
    }
    cJSON_AddItemToObject(mc, "entries", entries);
    return mc;
}

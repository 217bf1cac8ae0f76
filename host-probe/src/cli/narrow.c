/* SPDX-License-Identifier: MIT */
/*
 * --vm VMID: narrows the host document to that VM and the hardware it passes: its vms[] entry,
 * the devices in the slots of what it passes (companion functions stay), the IOMMU groups
 * holding them, the mappings it uses, the reservations for it or its devices, and kernel-log
 * events about its devices or about no device in particular. Host-wide facts (system, iommu,
 * cmdline, boot, modules, cluster) stay whole: they apply to every VM.
 */
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"

#include "probe.h"

static bool in_list(const cJSON *arr, const char *s)
{
    const cJSON *e;

    cJSON_ArrayForEach(e, arr)
    {
        if (cJSON_IsString(e) && s && !strcmp(e->valuestring, s))
            return true;
    }
    return false;
}

/* True when bdf ("dddd:bb:dd.f") shares its slot with any address in set. */
static bool same_slot(const cJSON *set, const char *bdf)
{
    const cJSON *e;

    if (!bdf)
        return false;
    cJSON_ArrayForEach(e, set)
    {
        if (cJSON_IsString(e) && !strncmp(e->valuestring, bdf, 10))
            return true;
    }
    return false;
}

/* Removes the members of doc[key] for which keep() is false. */
static void filter(cJSON *doc, const char *key, bool (*keep)(const cJSON *, const void *),
                   const void *arg)
{
    cJSON *arr = cJSON_GetObjectItem(doc, key), *e, *next;

    if (!cJSON_IsArray(arr))
        return;
    for (e = arr->child; e; e = next) {
        next = e->next;
        if (!keep(e, arg))
            cJSON_Delete(cJSON_DetachItemViaPointer(arr, e));
    }
}

struct narrow {
    double vmid;
    cJSON *bdfs;     /* everything the VM passes, plus its groups' other members */
    cJSON *passed;   /* only what it passes */
    cJSON *mappings; /* mapping ids it uses */
};

static bool keep_vm(const cJSON *vm, const void *arg)
{
    return ptd_json_get_num(vm, "vmid", -1) == ((const struct narrow *)arg)->vmid;
}

static bool keep_device(const cJSON *d, const void *arg)
{
    const struct narrow *n = arg;
    const char *bdf = ptd_json_get_str(d, "bdf");

    return in_list(n->bdfs, bdf) || same_slot(n->passed, bdf);
}

static bool keep_group(const cJSON *g, const void *arg)
{
    const struct narrow *n = arg;
    const cJSON *m;

    cJSON_ArrayForEach(m, cJSON_GetObjectItem(g, "devices"))
    {
        if (in_list(n->bdfs, ptd_json_get_str(m, "bdf")))
            return true;
    }
    return false;
}

static bool keep_mapping(const cJSON *m, const void *arg)
{
    return in_list(((const struct narrow *)arg)->mappings, ptd_json_get_str(m, "id"));
}

static bool keep_reservation(const cJSON *r, const void *arg)
{
    const struct narrow *n = arg;

    return ptd_json_get_num(r, "vmid", -1) == n->vmid ||
           in_list(n->bdfs, ptd_json_get_str(r, "bdf"));
}

static bool keep_event(const cJSON *ev, const void *arg)
{
    const struct narrow *n = arg;
    const char *dev = ptd_json_get_str(ev, "device");

    return !dev || in_list(n->bdfs, dev) || same_slot(n->passed, dev);
}

void host_narrow_to_vm(struct probe_ctx *ctx)
{
    struct narrow n;
    const cJSON *vm, *h, *b, *o;
    cJSON *log;

    if (!ctx->only_vmid)
        return;
    n.vmid = strtod(ctx->only_vmid, NULL);
    n.bdfs = cJSON_CreateArray();
    n.passed = cJSON_CreateArray();
    n.mappings = cJSON_CreateArray();
    filter(ctx->doc, "vms", keep_vm, &n);
    vm = cJSON_GetArrayItem(cJSON_GetObjectItem(ctx->doc, "vms"), 0);
    cJSON_ArrayForEach(h, cJSON_GetObjectItem(vm, "hostpci"))
    {
        if (ptd_json_get_str(h, "mapping"))
            cJSON_AddItemToArray(n.mappings, cJSON_CreateString(ptd_json_get_str(h, "mapping")));
        cJSON_ArrayForEach(b, cJSON_GetObjectItem(h, "resolved_bdfs"))
        {
            cJSON_AddItemToArray(n.bdfs, cJSON_CreateString(b->valuestring));
            cJSON_AddItemToArray(n.passed, cJSON_CreateString(b->valuestring));
        }
        cJSON_ArrayForEach(o, cJSON_GetObjectItem(h, "group_others"))
        {
            if (ptd_json_get_str(o, "bdf"))
                cJSON_AddItemToArray(n.bdfs, cJSON_CreateString(ptd_json_get_str(o, "bdf")));
        }
    }
    filter(ctx->doc, "devices", keep_device, &n);
    filter(ctx->doc, "iommu_groups", keep_group, &n);
    filter(ctx->doc, "mappings", keep_mapping, &n);
    filter(ctx->doc, "pci_reservations", keep_reservation, &n);
    log = cJSON_GetObjectItem(ctx->doc, "kernel_log");
    if (cJSON_IsObject(log))
        filter(log, "events", keep_event, &n);
    cJSON_DeleteItemFromObject(ctx->doc, "narrowed_to_vm");
    ptd_json_add_num(ctx->doc, "narrowed_to_vm", n.vmid, true);
    cJSON_Delete(n.bdfs);
    cJSON_Delete(n.passed);
    cJSON_Delete(n.mappings);
}

/* SPDX-License-Identifier: MIT */
/* The passthrough mode of each hostpci entry and the choice among a mapping's alternatives.
 * See vm_modes.h. */
#include "vm_modes.h"
#include "vm_romfile.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"

static const cJSON *find_by(const cJSON *arr, const char *key, const char *value)
{
    const cJSON *e;

    cJSON_ArrayForEach(e, arr)
    {
        const char *v = ptd_json_get_str(e, key);
        if (v && value && !strcmp(v, value))
            return e;
    }
    return NULL;
}

static const cJSON *find_dev(const cJSON *doc, const char *bdf)
{
    return find_by(cJSON_GetObjectItem(doc, "devices"), "bdf", bdf);
}

/* PCI/Mdev.pm generate_mdev_uuid: sprintf("%08d-0000-0000-0000-%012d", $index, $vmid). */
static void mdev_uuid(char *buf, size_t len, double index, double vmid)
{
    snprintf(buf, len, "%08ld-0000-0000-0000-%012ld", (long)index, (long)vmid);
}

/* "nvidia-63" -> 63 for the vGPU 17+ sysfs API; -1 for any other type name. */
static long nvidia_model(const char *type)
{
    char *end;
    long v;

    if (!type || strncmp(type, "nvidia-", 7) != 0 || type[7] < '0' || type[7] > '9')
        return -1;
    v = strtol(type + 7, &end, 10);
    return *end ? -1 : v;
}

/* True when the function has the NVIDIA vGPU sysfs API (nvidia/current_vgpu_type). */
static bool has_nvidia_api(const cJSON *dev)
{
    return cJSON_IsObject(cJSON_GetObjectItem(dev, "nvidia_vgpu"));
}

/*
 * Whether Proxmox can give this VM's hostpci an instance of type on parent: 1, 0, or -1
 * (unknown: the parent is not among the devices). offered gets whether the parent lists
 * the type at all, exists whether the VM's own instance is already there.
 */
static int mdev_can_create(const cJSON *doc, const cJSON *parent, const char *type,
                           const char *uuid, int *offered, int *exists)
{
    const cJSON *t, *inst;
    long model = nvidia_model(type);

    *offered = *exists = -1;
    if (!parent)
        return -1;
    if (has_nvidia_api(parent) && model >= 0) {
        /* Mdev.pm create_nvidia_device: the VF already has the type, or the type is one of
         * the VF's creatable types. */
        const cJSON *v = cJSON_GetObjectItem(parent, "nvidia_vgpu"), *c;
        double cur = ptd_json_get_num(v, "current_vgpu_type", -1);

        *exists = cur == (double)model;
        *offered = 0;
        cJSON_ArrayForEach(c, cJSON_GetObjectItem(v, "creatable_vgpu_types"))
        {
            if (ptd_json_get_num(c, "id", -1) == (double)model)
                *offered = 1;
        }
        if (!cJSON_IsArray(cJSON_GetObjectItem(v, "creatable_vgpu_types")))
            *offered = -1;
        return *exists == 1 || *offered == 1 ? 1 : *offered;
    }
    /* Mdev.pm pci_create_mdev_device: an existing instance with this uuid is reused, else
     * the type must have available_instances >= 1. */
    inst = find_by(cJSON_GetObjectItem(doc, "mdev_devices"), "uuid", uuid);
    if (cJSON_IsArray(cJSON_GetObjectItem(doc, "mdev_devices")))
        *exists = inst != NULL;
    if (!cJSON_IsArray(cJSON_GetObjectItem(parent, "mdev_types")))
        return -1;
    t = find_by(cJSON_GetObjectItem(parent, "mdev_types"), "type", type);
    *offered = t != NULL;
    if (*exists == 1)
        return 1;
    if (!t)
        return 0;
    if (!cJSON_IsNumber(cJSON_GetObjectItem(t, "available_instances")))
        return -1;
    return ptd_json_get_num(t, "available_instances", 0) >= 1;
}

bool vm_str_in(const cJSON *arr, const char *bdf)
{
    const cJSON *e;

    cJSON_ArrayForEach(e, arr)
    {
        if (cJSON_IsString(e) && !strcmp(e->valuestring, bdf))
            return true;
    }
    return false;
}

/* vmid (other than own) holding one of bdfs in a [{bdf, vmid}] list; -1 when none. */
static double held_by(const cJSON *list, const cJSON *bdfs, double own)
{
    const cJSON *e;

    cJSON_ArrayForEach(e, list)
    {
        const char *b = ptd_json_get_str(e, "bdf");
        double v = ptd_json_get_num(e, "vmid", -1);

        if (b && v >= 0 && v != own && vm_str_in(bdfs, b))
            return v;
    }
    return -1;
}

/* True when an earlier hostpci entry of this VM (already resolved) passes one of bdfs. */
static bool used_earlier(const cJSON *vm, const cJSON *h, const cJSON *bdfs)
{
    const cJSON *o, *b;

    cJSON_ArrayForEach(o, cJSON_GetObjectItem(vm, "hostpci"))
    {
        if (o == h)
            break;
        cJSON_ArrayForEach(b, cJSON_GetObjectItem(o, "resolved_bdfs"))
        {
            if (cJSON_IsString(b) && vm_str_in(bdfs, b->valuestring))
                return true;
        }
    }
    return false;
}

void vm_pool_choose(const cJSON *doc, const cJSON *vm, cJSON *h, const cJSON *alternatives,
                    cJSON *taken, cJSON *targets)
{
    double vmid = ptd_json_get_num(vm, "vmid", -1), index = ptd_json_get_num(h, "index", 0);
    const char *type = ptd_json_get_str(h, "mdev");
    const cJSON *res = cJSON_GetObjectItem(doc, "pci_reservations"), *alt, *b, *pick = NULL;
    cJSON *out = cJSON_CreateArray();
    char uuid[48];
    int i = 0, chosen = -1;

    mdev_uuid(uuid, sizeof(uuid), index, vmid);
    cJSON_ArrayForEach(alt, alternatives)
    {
        const cJSON *first = cJSON_GetArrayItem(alt, 0);
        const cJSON *dev = cJSON_IsString(first) ? find_dev(doc, first->valuestring) : NULL;
        bool nvidia = type && has_nvidia_api(dev) && nvidia_model(type) >= 0;
        double reserved = held_by(res, alt, vmid), by = held_by(taken, alt, vmid);
        int offered, exists, ok;
        cJSON *o = cJSON_CreateObject();

        cJSON_AddItemToArray(out, o);
        ptd_json_add_num(o, "index", i, true);
        cJSON_AddItemToObject(o, "bdfs", cJSON_Duplicate(alt, true));
        if (type && !nvidia) {
            /* A mediated device reserves nothing: the parent stays shared. */
            ok = mdev_can_create(doc, dev, type, uuid, &offered, &exists);
            cJSON_AddNullToObject(o, "reserved_by");
            cJSON_AddNullToObject(o, "taken_by");
        } else {
            ptd_json_add_num(o, "reserved_by", reserved, reserved >= 0);
            ptd_json_add_num(o, "taken_by", by, by >= 0);
            ok = reserved < 0 && by < 0 && !used_earlier(vm, h, alt);
            if (ok && nvidia)
                ok = mdev_can_create(doc, dev, type, uuid, &offered, &exists);
        }
        ptd_json_add_tri(o, "free", ok);
        if (ok == 1 && chosen < 0) {
            chosen = i;
            pick = alt;
        }
        i++;
    }
    if (!pick)
        pick = cJSON_GetArrayItem(alternatives, 0);
    cJSON_ArrayForEach(b, pick)
    {
        if (!cJSON_IsString(b))
            continue;
        if (!vm_str_in(targets, b->valuestring))
            cJSON_AddItemToArray(targets, cJSON_CreateString(b->valuestring));
        if (chosen >= 0 && !(type && nvidia_model(type) < 0)) {
            cJSON *t = cJSON_CreateObject();

            cJSON_AddItemToArray(taken, t);
            cJSON_AddStringToObject(t, "bdf", b->valuestring);
            ptd_json_add_num(t, "vmid", vmid, true);
        }
    }
    cJSON_DeleteItemFromObjectCaseSensitive(h, "alternatives");
    cJSON_AddItemToObject(h, "alternatives", out);
    cJSON_DeleteItemFromObjectCaseSensitive(h, "chosen_alternative");
    ptd_json_add_num(h, "chosen_alternative", chosen, chosen >= 0);
    cJSON_DeleteItemFromObjectCaseSensitive(h, "pool_exhausted");
    if (i == 0)
        cJSON_AddNullToObject(h, "pool_exhausted");
    else
        cJSON_AddBoolToObject(h, "pool_exhausted", chosen < 0);
}

/* is_vf of a function: from devices[], else from its physfn link. 1, 0, -1. */
static int is_vf(struct ptd_root *root, const cJSON *dev, const char *bdf, char *pf, size_t len)
{
    char path[128];
    int ret;

    pf[0] = '\0';
    if (dev && cJSON_IsBool(cJSON_GetObjectItem(dev, "is_vf"))) {
        snprintf(pf, len, "%s",
                 ptd_json_get_str(dev, "physfn") ? ptd_json_get_str(dev, "physfn") : "");
        return ptd_json_get_tri(dev, "is_vf");
    }
    snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/physfn", bdf);
    ret = ptd_root_link_basename(root, path, pf, len);
    return ret == 0 ? 1 : ret == -ENOENT ? 0 : -1;
}

static const char *mode_of(const cJSON *h, const cJSON *dev, int vf)
{
    const char *type = ptd_json_get_str(h, "mdev"), *drv = ptd_json_get_str(h, "driver");

    /* PCI.pm's order: legacy IGD refuses mdev; an nvidia-N type on a function with the
     * vGPU sysfs API becomes {nvidia}; prepare_pci_device leaves nvidia and driver=keep
     * alone, creates an mdev, and binds everything else to vfio-pci. */
    if (ptd_json_get_tri(h, "legacy_igd") == 1)
        return "legacy-igd";
    if (type && has_nvidia_api(dev) && nvidia_model(type) >= 0)
        return "nvidia-vgpu";
    if (drv && !strcmp(drv, "keep"))
        return "keep";
    if (type)
        return "mdev";
    return vf == 1 ? "vf" : "vfio-pci";
}

static void set(cJSON *h, const char *key, cJSON *item)
{
    cJSON_DeleteItemFromObjectCaseSensitive(h, key);
    cJSON_AddItemToObject(h, key, item);
}

/* A passed function the PCI probe did not list (a NIC, a USB controller on its host driver
 * while the VM is stopped): its ids, class, driver and group straight from sysfs, so the
 * binding and group facts exist for it too. */
void vm_sysfs_facts(struct ptd_root *root, const char *bdf, cJSON *r)
{
    static const char *const attrs[] = {"vendor", "device", "class"};
    static const char *const keys[] = {"vendor_id", "device_id", "class"};
    char path[128], buf[64], *end;
    unsigned long v, group;
    size_t i;

    for (i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", bdf, attrs[i]);
        v = 0;
        if (ptd_root_read_attr(root, path, buf, sizeof(buf)) == 0)
            v = strtoul(buf, &end, 16);
        if (v && *end == '\0' && v <= (i == 2 ? 0xffffffUL : 0xffffUL)) {
            snprintf(buf, sizeof(buf), i == 2 ? "%06lx" : "%04lx", v);
            ptd_json_add_str(r, keys[i], buf);
        } else {
            ptd_json_add_str(r, keys[i], NULL);
        }
    }
    snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", bdf);
    ptd_json_add_str(r, "driver",
                     ptd_root_link_basename(root, path, buf, sizeof(buf)) == 0 ? buf : NULL);
    snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", bdf);
    if (ptd_root_link_basename(root, path, buf, sizeof(buf)) == 0) {
        group = strtoul(buf, &end, 10);
        if (*end == '\0' && end != buf && group <= 0x7fffffffUL)
            ptd_json_add_num(r, "iommu_group", (double)group, true);
    }
}

/* romfile=NAME: QEMU opens /usr/share/kvm/NAME (PCI.pm print_hostpci_devices). */
static void romfile_fact(struct ptd_root *root, cJSON *doc, cJSON *h)
{
    const char *name = ptd_json_get_str(h, "romfile");
    char path[512];
    int ret;

    if (!name) {
        set(h, "romfile_exists", cJSON_CreateNull());
        return;
    }
    if (strstr(name, "..") || strlen(name) > 255) {
        set(h, "romfile_exists", cJSON_CreateFalse());
        ptd_doc_add_error(doc, "vms",
                          "romfile '%.255s': not a file name below "
                          "/usr/share/kvm",
                          name);
        return;
    }
    snprintf(path, sizeof(path), "/usr/share/kvm/%s", name);
    ret = ptd_root_exists(root, path);
    set(h, "romfile_exists", ret < 0 ? cJSON_CreateNull() : cJSON_CreateBool(ret == 1));
    if (ret < 0)
        ptd_doc_add_error(doc, "vms", "%s: %s", path, strerror(-ret));
}

/*
 * For a hostpci naming a function that does not exist: the PF in the same slot with an
 * SR-IOV capability, whose VFs would be that function once created (an iGPU's 00:02.1, an
 * NVIDIA card's 01:00.4). VFs are not re-created at boot unless something writes
 * sriov_numvfs again, so this is how a missing VF shows after a reboot.
 */
static void missing_vf_fact(cJSON *doc, cJSON *h)
{
    const cJSON *r, *d;
    const char *pf = NULL;

    cJSON_ArrayForEach(r, cJSON_GetObjectItem(h, "resolved"))
    {
        const char *b = ptd_json_get_str(r, "bdf");

        if (!b || ptd_json_get_tri(r, "exists") != 0 || strlen(b) != 12)
            continue;
        cJSON_ArrayForEach(d, cJSON_GetObjectItem(doc, "devices"))
        {
            const char *db = ptd_json_get_str(d, "bdf");

            if (db && !strncmp(db, b, 10) && cJSON_IsObject(cJSON_GetObjectItem(d, "sriov")))
                pf = db;
        }
    }
    set(h, "missing_vf_of", pf ? cJSON_CreateString(pf) : cJSON_CreateNull());
}

static void one_entry(struct ptd_root *root, cJSON *doc, const cJSON *vm, cJSON *h)
{
    const cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItem(h, "resolved_bdfs"), 0);
    const char *bdf = cJSON_IsString(first) ? first->valuestring : NULL, *mode, *type;
    const cJSON *dev = bdf ? find_dev(doc, bdf) : NULL;
    char pf[64] = "", uuid[48];
    int vf = bdf ? is_vf(root, dev, bdf, pf, sizeof(pf)) : -1, offered, exists, ok;

    missing_vf_fact(doc, h);
    if (!bdf) {
        set(h, "mode", cJSON_CreateNull());
        set(h, "host_driver_expected", cJSON_CreateNull());
        set(h, "physfn", cJSON_CreateNull());
        return;
    }
    mode = mode_of(h, dev, vf);
    set(h, "mode", cJSON_CreateString(mode));
    set(h, "host_driver_expected",
        cJSON_CreateString(!strcmp(mode, "mdev") || !strcmp(mode, "nvidia-vgpu") ? "vendor"
                           : !strcmp(mode, "keep")                               ? "any"
                                                                                 : "vfio-pci"));
    set(h, "physfn", vf == 1 && pf[0] ? cJSON_CreateString(pf) : cJSON_CreateNull());
    romfile_fact(root, doc, h);
    vm_romfile_check(root, doc, h, bdf);
    if (strcmp(mode, "mdev") && strcmp(mode, "nvidia-vgpu"))
        return;
    type = ptd_json_get_str(h, "mdev");
    mdev_uuid(uuid, sizeof(uuid), ptd_json_get_num(h, "index", 0),
              ptd_json_get_num(vm, "vmid", -1));
    ok = mdev_can_create(doc, dev, type, uuid, &offered, &exists);
    set(h, "mdev_type", cJSON_CreateString(type));
    set(h, "mdev_parent", cJSON_CreateString(bdf));
    set(h, "mdev_uuid", cJSON_CreateString(uuid));
    set(h, "mdev_instance_exists", exists < 0 ? cJSON_CreateNull() : cJSON_CreateBool(exists));
    set(h, "mdev_type_offered", offered < 0 ? cJSON_CreateNull() : cJSON_CreateBool(offered));
    set(h, "mdev_available", ok < 0 ? cJSON_CreateNull() : cJSON_CreateBool(ok));
}

void vm_modes_run(struct ptd_root *root, cJSON *doc)
{
    cJSON *vm, *h;

    cJSON_ArrayForEach(vm, cJSON_GetObjectItem(doc, "vms"))
    {
        cJSON_ArrayForEach(h, cJSON_GetObjectItem(vm, "hostpci"))
        {
            one_entry(root, doc, vm, h);
        }
    }
}

/* SPDX-License-Identifier: MIT */
/*
 * The "preflight" probe: "will this start cut the host off?" Which PCI functions the host
 * itself lives on, and which VM would take one:
 *   - the management NIC: every interface that carries an address in /etc/network/interfaces
 *     (as Proxmox/ifupdown2 writes it), through bridge-ports, bond-slaves and VLAN raw devices
 *     down to the physical ports (also /sys/class/net/<bridge>/brif), each to the PCI function
 *     its /sys/class/net/<port> link goes through (mgmt.c);
 *   - the controller of the disk holding / (/proc/self/mountinfo -> /sys/dev/block/MAJ:MIN ->
 *     through dm/md slaves -> the last PCI function on the device path; ZFS: unknown) (mgmt.c);
 *   - the host's only display: the boot_vga function when it is the only display function.
 * Then per hostpci entry, the functions Proxmox binds to vfio-pci at start (the resolved ones
 * and the group members it rebinds with them) that are one of these: host_critical_hits.
 * And per VM, its usbN: host=VID:PID / host=BUS-PORT entries and whether the host has such a
 * USB device (/sys/bus/usb/devices).
 * Writes docs/schema.md `host_critical`, vms[].hostpci[].host_critical_hits and vms[].usb.
 */
#include "probe.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"

#include "preflight_host.h"
#include "pve_conf.h"

#define SOURCE "preflight"

/* The boot display when no other display function exists (the host has no console left
 * once it is passed), else NULL. */
static const char *only_display(const cJSON *doc, int *count)
{
    const cJSON *d;
    const char *boot = NULL;

    *count = 0;
    cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(doc, "devices"))
    {
        if (ptd_json_get_tri(d, "is_gpu") != 1)
            continue;
        (*count)++;
        if (ptd_json_get_tri(d, "boot_vga") == 1)
            boot = ptd_json_get_str(d, "bdf");
    }
    return *count == 1 ? boot : NULL;
}

static bool in_list(const cJSON *arr, const char *bdf)
{
    const cJSON *it;

    cJSON_ArrayForEach(it, arr)
    {
        if (cJSON_IsString(it) && !strcmp(it->valuestring, bdf))
            return true;
    }
    return false;
}

static void add_hit(cJSON *hits, const char *bdf, const char *role, const char *via)
{
    cJSON *o = cJSON_CreateObject();

    ptd_json_add_str(o, "bdf", bdf);
    ptd_json_add_str(o, "role", role);
    ptd_json_add_str(o, "via", via);
    cJSON_AddItemToArray(hits, o);
}

static void check_function(const cJSON *crit, const char *display, const char *bdf, const char *via,
                           cJSON *hits)
{
    if (in_list(ptd_json_get(crit, "management.functions"), bdf))
        add_hit(hits, bdf, "management-nic", via);
    if (in_list(ptd_json_get(crit, "root_disk.controllers"), bdf))
        add_hit(hits, bdf, "root-disk-controller", via);
    if (display && !strcmp(display, bdf))
        add_hit(hits, bdf, "only-display", via);
}

/* The functions of one hostpci entry and the group members Proxmox rebinds with them
 * (not bridges, not passed by the VM anyway). */
static void hostpci_hits(const cJSON *crit, const char *display, cJSON *h)
{
    cJSON *hits = cJSON_CreateArray();
    const cJSON *it;

    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(h, "resolved_bdfs"))
    {
        if (cJSON_IsString(it))
            check_function(crit, display, it->valuestring, "passed", hits);
    }
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(h, "group_others"))
    {
        const char *bdf = ptd_json_get_str(it, "bdf");
        if (bdf && ptd_json_get_tri(it, "is_bridge") == 0 && ptd_json_get_tri(it, "passed") != 1)
            check_function(crit, display, bdf, "iommu-group", hits);
    }
    cJSON_DeleteItemFromObjectCaseSensitive(h, "host_critical_hits");
    cJSON_AddItemToObject(h, "host_critical_hits", hits);
}

/* usbN entries of the VM's config (qemu-server's usbN property string: host=, mapping=,
 * usb3=; the default key is host). */
static void vm_usb(struct probe_ctx *ctx, cJSON *vm)
{
    const char *file = ptd_json_get_str(vm, "file");
    struct pve_conf conf = {0};
    struct ptd_error err;
    char *data = NULL, key[8];
    size_t len = 0;
    cJSON *arr;
    int i;

    if (!file || ptd_root_read_file(ctx->root, file, PVE_CONF_MAX_BYTES + 1, &data, &len) ||
        pve_conf_parse(file, data, len, &conf, &err)) {
        cJSON_AddNullToObject(vm, "usb");
        goto out;
    }
    arr = cJSON_AddArrayToObject(vm, "usb");
    for (i = 0; i < 15; i++) {
        const char *raw;

        snprintf(key, sizeof(key), "usb%d", i);
        raw = pve_section_get(&conf.sections[0], key);
        if (raw)
            cJSON_AddItemToArray(arr, preflight_usb_entry(ctx->root, i, raw));
    }
out:
    pve_conf_free(&conf);
    free(data);
}

void probe_preflight_run(struct probe_ctx *ctx)
{
    cJSON *crit = cJSON_AddObjectToObject(ctx->doc, "host_critical"), *vm, *h, *disp;
    const char *display;
    int count;

    if (!crit)
        return;
    preflight_management(ctx, crit);
    preflight_root_disk(ctx, crit);
    display = only_display(ctx->doc, &count);
    disp = cJSON_AddObjectToObject(crit, "display");
    ptd_json_add_num(disp, "display_functions", count, true);
    ptd_json_add_str(disp, "only_boot_display", display);
    cJSON_ArrayForEach(vm, cJSON_GetObjectItemCaseSensitive(ctx->doc, "vms"))
    {
        cJSON_ArrayForEach(h, cJSON_GetObjectItemCaseSensitive(vm, "hostpci"))
        {
            hostpci_hits(crit, display, h);
        }
        vm_usb(ctx, vm);
    }
}

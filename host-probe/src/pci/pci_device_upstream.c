/* SPDX-License-Identifier: MIT */
/*
 * The bridges between one PCI function and its root complex (pci_device_facts in
 * pci_device.c calls add_upstream): the chain read from the device's sysfs link, and for each
 * bridge its port type, its ACS capability (pci_port_facts, also used for the bridges in
 * iommu_groups[]) and its windows (pci_bridge_windows).
 */
#include "pci_device_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *port_type_name(const struct ptd_pcie_info *p)
{
    switch (p->port_type) {
    case PTD_PCIE_ENDPOINT:
        return "endpoint";
    case PTD_PCIE_LEGACY_ENDPOINT:
        return "legacy_endpoint";
    case PTD_PCIE_ROOT_PORT:
        return "root_port";
    case PTD_PCIE_UPSTREAM_PORT:
        return "upstream_port";
    case PTD_PCIE_DOWNSTREAM_PORT:
        return "downstream_port";
    case PTD_PCIE_PCIE_TO_PCI_BRIDGE:
        return "pcie_to_pci_bridge";
    case PTD_PCIE_PCI_TO_PCIE_BRIDGE:
        return "pci_to_pcie_bridge";
    case PTD_PCIE_RC_INTEGRATED:
        return "rc_integrated";
    case PTD_PCIE_RC_EVENT_COLLECTOR:
        return "rc_event_collector";
    default:
        return "other";
    }
}

static bool is_bdf(const char *s, size_t n)
{
    unsigned dom, bus, dev, fn;
    char tail;
    char buf[32];

    if (n != 12 || n >= sizeof(buf))
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return sscanf(buf, "%4x:%2x:%2x.%1u%c", &dom, &bus, &dev, &fn, &tail) == 4;
}

cJSON *pci_acs_json(const uint8_t *cfg, size_t len)
{
    struct ptd_acs_info acs;
    cJSON *a;

    if (len < 0x104) /* ACS lives in extended config space: root only */
        return cJSON_CreateNull();
    a = cJSON_CreateObject();
    if (!a)
        return NULL;
    if (ptd_pcicfg_decode_acs(cfg, len, &acs) == 0) {
        cJSON_AddBoolToObject(a, "present", true);
        ptd_json_add_num(a, "cap", acs.cap, true);
        ptd_json_add_num(a, "ctrl", acs.ctrl, true);
    } else {
        cJSON_AddBoolToObject(a, "present", false);
        cJSON_AddNullToObject(a, "cap");
        cJSON_AddNullToObject(a, "ctrl");
    }
    return a;
}

void pci_port_facts(struct probe_ctx *ctx, cJSON *o, const char *bdf, const char *type_key)
{
    char path[128];
    char *data = NULL;
    size_t len = 0;
    struct ptd_pcie_info pcie;
    cJSON *a;
    int ret;

    pci_attr_path(path, sizeof(path), bdf, "config");
    ret = ptd_root_read_file(ctx->root, path, CONFIG_MAX, &data, &len);
    if (ret || !ptd_pcicfg_valid((uint8_t *)data, len)) {
        cJSON_AddNullToObject(o, type_key);
        cJSON_AddNullToObject(o, "acs");
        ptd_doc_add_error(ctx->doc, PCI_SOURCE, "%s: %s", path,
                          ret ? errstr(ret) : "no valid header (truncated or all 0xff)");
        goto out;
    }
    if (ptd_pcicfg_decode_pcie((uint8_t *)data, len, &pcie) == 0)
        cJSON_AddStringToObject(o, type_key, port_type_name(&pcie));
    else if (len >= 256)
        cJSON_AddStringToObject(o, type_key, (data[0x0e] & 0x7f) == 1 ? "pci_bridge" : "other");
    else
        cJSON_AddNullToObject(o, type_key);
    a = pci_acs_json((uint8_t *)data, len);
    if (cJSON_IsNull(a))
        ptd_doc_add_error(ctx->doc, PCI_SOURCE, "%s: only %zu bytes readable: ACS unknown", path,
                          len);
    if (a)
        cJSON_AddItemToObject(o, "acs", a);
out:
    free(data);
}

static void add_one_upstream(struct fn_state *st, cJSON *arr, const char *bdf)
{
    cJSON *o = cJSON_CreateObject();

    if (!o)
        return;
    cJSON_AddItemToArray(arr, o);
    cJSON_AddStringToObject(o, "bdf", bdf);
    pci_port_facts(st->ctx, o, bdf, "type");
    pci_bridge_windows(st->ctx, o, bdf);
}

/* Bridges between the function and its root complex, nearest first, from the device's real
 * sysfs path ("../../../devices/pci0000:00/0000:00:01.0/0000:01:00.0"). */
void add_upstream(struct fn_state *st, cJSON *dev)
{
    char path[128], target[PATH_MAX];
    const char *comps[64];
    size_t lens[64], n = 0, i;
    const char *p;
    cJSON *arr;
    int ret;

    snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", st->fn->bdf);
    ret = ptd_root_readlink(st->ctx->root, path, target, sizeof(target));
    if (ret) {
        cJSON_AddNullToObject(dev, "upstream");
        ptd_doc_add_error(st->ctx->doc, PCI_SOURCE, "%s: not a link to /sys/devices: %s", path,
                          errstr(ret));
        return;
    }
    for (p = target; *p && n < 64;) {
        const char *slash = strchr(p, '/');
        size_t l = slash ? (size_t)(slash - p) : strlen(p);

        if (is_bdf(p, l)) {
            comps[n] = p;
            lens[n] = l;
            n++;
        }
        if (!slash)
            break;
        p = slash + 1;
    }
    arr = cJSON_AddArrayToObject(dev, "upstream");
    if (!arr || n == 0)
        return;
    /* The last component is the function itself. */
    for (i = n - 1; i-- > 0;) {
        char bdf[16];

        memcpy(bdf, comps[i], lens[i]);
        bdf[lens[i]] = '\0';
        add_one_upstream(st, arr, bdf);
    }
}

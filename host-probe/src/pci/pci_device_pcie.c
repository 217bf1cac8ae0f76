/* SPDX-License-Identifier: MIT */
/*
 * The PCI Express facts of one function (pci_device_facts in pci_device.c calls these): the
 * link speed and width from LnkCap/LnkSta or the sysfs link attributes, Function Level Reset
 * from DevCap or the Advanced Features capability, and the Resizable BAR capability from
 * extended config space or the resourceN_resize attributes.
 */
#include "pci_device_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptdiag/pcie_link.h"

/* "max_link_speed \"Unknown\"" or "max_link_speed absent": what one attribute held. */
static size_t describe_attr(struct fn_state *st, const char *attr, char *out, size_t len)
{
    char buf[64];
    int ret = read_attr(st, attr, buf, sizeof(buf));
    int n = ret == 0 ? snprintf(out, len, "%s \"%s\"", attr, buf)
                     : snprintf(out, len, "%s %s", attr, ret == -ENOENT ? "absent" : errstr(ret));

    return n < 0 ? 0 : (size_t)n < len ? (size_t)n : len - 1;
}

/* The link is unknown: say what config space and the four sysfs attributes held, so a
 * reader can tell "no attributes" from attributes that read "Unknown" (an integrated
 * endpoint whose LnkCap is zero gets exactly that from the kernel). */
static void link_unknown_error(struct fn_state *st, const struct ptd_pcie_info *pcie)
{
    static const char *const attrs[] = {"max_link_speed", "max_link_width", "current_link_speed",
                                        "current_link_width"};
    char msg[512];
    size_t n;
    unsigned i;

    if (pcie && pcie->present && pcie->link_regs)
        n = (size_t)snprintf(msg, sizeof(msg),
                             "PCIe link unknown: LnkCap reads speed code %u width x%u "
                             "(no link described);",
                             pcie->max_speed_code, pcie->max_width);
    else
        n = (size_t)snprintf(msg, sizeof(msg), "PCIe link unknown: %s;",
                             st->cfg_full ? "no PCI Express capability"
                                          : "LnkCap/LnkSta not readable (short config space)");
    for (i = 0; i < 4 && n < sizeof(msg) - 1; i++) {
        msg[n++] = ' ';
        n += describe_attr(st, attrs[i], msg + n, sizeof(msg) - n);
        if (i < 3 && n < sizeof(msg) - 1)
            msg[n++] = ',';
    }
    msg[n < sizeof(msg) ? n : sizeof(msg) - 1] = '\0';
    add_err(st, "current_link_speed", "%s", msg);
}

void add_link(struct fn_state *st, cJSON *dev, const struct ptd_pcie_info *pcie)
{
    char cs[64], ms[64], cw[32], mw[32];
    struct ptd_pcie_link l;
    cJSON *link;

    if (pcie && pcie->present && pcie->link_regs && pcie->max_speed_code) {
        link = cJSON_AddObjectToObject(dev, "link");
        if (!link)
            return;
        ptd_json_add_num(link, "current_speed_gts", ptd_pcie_speed_gts(pcie->cur_speed_code),
                         ptd_pcie_speed_gts(pcie->cur_speed_code) > 0.0);
        ptd_json_add_num(link, "max_speed_gts", ptd_pcie_speed_gts(pcie->max_speed_code),
                         ptd_pcie_speed_gts(pcie->max_speed_code) > 0.0);
        ptd_json_add_num(link, "current_width", pcie->cur_width, true);
        ptd_json_add_num(link, "max_width", pcie->max_width, true);
        cJSON_AddStringToObject(link, "source", "config");
        return;
    }
    /* The kernel's view: works unprivileged, where config space stops at 64 bytes. The
     * capability (max speed and width) must be known; the current values are unknown while
     * the link is down. */
    ptd_pcie_link_parse(read_attr(st, "current_link_speed", cs, sizeof(cs)) == 0 ? cs : NULL,
                        read_attr(st, "max_link_speed", ms, sizeof(ms)) == 0 ? ms : NULL,
                        read_attr(st, "current_link_width", cw, sizeof(cw)) == 0 ? cw : NULL,
                        read_attr(st, "max_link_width", mw, sizeof(mw)) == 0 ? mw : NULL, &l);
    if (l.has_max_speed && l.has_max_width) {
        link = cJSON_AddObjectToObject(dev, "link");
        if (!link)
            return;
        ptd_pcie_link_add_json(link, &l);
        cJSON_AddStringToObject(link, "source", "sysfs");
        return;
    }
    cJSON_AddNullToObject(dev, "link");
    /* A conventional PCI function (full config space, no PCIe capability) or a root-complex
     * integrated one has no link: not an unknown. */
    if (!(st->cfg_full && pcie && (!pcie->present || !pcie->link_regs)))
        link_unknown_error(st, pcie);
}

/* FLR as the kernel finds it: the PCIe DevCap bit (pcie_flr) or the Advanced Features
 * capability with TP and FLR (pci_af_flr), which conventional functions and some integrated
 * GPUs use instead. */
void add_flr(struct fn_state *st, cJSON *dev, const struct ptd_pcie_info *pcie)
{
    int af = st->cfg_ok ? ptd_pcicfg_af_flr(st->cfg, st->cfg_len) : -1;

    if ((pcie && pcie->flr) || af == 1)
        cJSON_AddBoolToObject(dev, "flr", true);
    else if (af == 0)
        cJSON_AddBoolToObject(dev, "flr", false);
    else
        cJSON_AddNullToObject(dev, "flr");
}

void add_rebar(struct fn_state *st, cJSON *dev)
{
    struct ptd_rebar_info rb;
    cJSON *arr;
    unsigned i;
    int n;

    /* 256 bytes of a conventional function: there is no extended space, so no ReBAR. */
    if (st->cfg_ext ||
        (st->cfg_full && ptd_pcicfg_find_cap(st->cfg, st->cfg_len, PTD_CAP_PCIE) < 0)) {
        arr = cJSON_AddArrayToObject(dev, "rebar");
        if (!arr || ptd_pcicfg_decode_rebar(st->cfg, st->cfg_len, &rb) != 0)
            return; /* [] : config space says there is no (well-formed) ReBAR capability */
        for (i = 0; i < rb.count; i++) {
            const struct ptd_rebar_bar *b = &rb.bars[i];
            cJSON *o = cJSON_CreateObject(), *sup;
            char attr[32], path[128];

            if (!o)
                return;
            cJSON_AddItemToArray(arr, o);
            ptd_json_add_num(o, "bar", b->bar, true);
            ptd_json_add_u64(o, "current_bytes", b->current_bytes, b->current_bytes != 0);
            sup = cJSON_AddArrayToObject(o, "supported_bytes");
            for (n = 0; n < 44 && sup; n++)
                if (b->supported_mask & (1ull << n))
                    cJSON_AddItemToArray(sup, cJSON_CreateNumber((double)((1ull << 20) << n)));
            ptd_json_add_u64(o, "max_bytes", ptd_rebar_max_bytes(b), ptd_rebar_max_bytes(b) != 0);
            snprintf(attr, sizeof(attr), "resource%u_resize", b->bar);
            pci_attr_path(path, sizeof(path), st->fn->bdf, attr);
            ptd_json_add_tri(o, "sysfs_resize", ptd_root_exists(st->ctx->root, path));
        }
        return;
    }
    /* Short config space (not root, or no extended config access): resourceN_resize holds
     * the supported-size bitmap, but it is mode 0600 too, so usually this only tells that
     * the capability exists. */
    arr = NULL;
    for (i = 0; i < 6; i++) {
        char attr[32], buf[64], path[128], *end;
        unsigned long long mask;
        struct pci_bar b;
        int ret;
        cJSON *o, *sup;

        snprintf(attr, sizeof(attr), "resource%u_resize", i);
        pci_attr_path(path, sizeof(path), st->fn->bdf, attr);
        if (ptd_root_exists(st->ctx->root, path) != 1)
            continue;
        ret = read_attr(st, attr, buf, sizeof(buf));
        errno = 0;
        mask = ret == 0 ? strtoull(buf, &end, 16) : 0;
        if (ret == 0 && (errno || end == buf || *end))
            ret = -EINVAL;
        if (!arr && !(arr = cJSON_AddArrayToObject(dev, "rebar")))
            return;
        o = cJSON_CreateObject();
        if (!o)
            return;
        cJSON_AddItemToArray(arr, o);
        ptd_json_add_num(o, "bar", i, true);
        ptd_json_add_u64(o, "current_bytes", 0, false);
        if (st->res_ok && pci_res_bar(&st->res, i, &b))
            cJSON_ReplaceItemInObject(o, "current_bytes", cJSON_CreateNumber((double)b.size_bytes));
        if (ret) {
            cJSON_AddNullToObject(o, "supported_bytes");
            cJSON_AddNullToObject(o, "max_bytes");
            add_err(st, attr, "supported sizes unreadable: %s", errstr(ret));
        } else {
            uint64_t max = 0;

            sup = cJSON_AddArrayToObject(o, "supported_bytes");
            for (n = 0; n < 44 && sup; n++)
                if (mask & (1ull << n)) {
                    max = (1ull << 20) << n;
                    cJSON_AddItemToArray(sup, cJSON_CreateNumber((double)max));
                }
            ptd_json_add_u64(o, "max_bytes", max, max != 0);
        }
        cJSON_AddBoolToObject(o, "sysfs_resize", true);
    }
    if (arr)
        return;
    cJSON_AddNullToObject(dev, "rebar");
    /* Under 256 bytes the config error already says why. */
    if (st->cfg_full)
        add_err(st, "config", "%s",
                "256 bytes readable, no extended config space: Resizable BAR unknown");
}

/* SPDX-License-Identifier: MIT */
/*
 * host.x's vfio-pci ids facts: each `options vfio-pci ids=` line and the kernel command line's
 * vfio-pci.ids checked against the host's devices (problems, stale ids, the line a fix edits),
 * and the ids to pass for every GPU the VMs get whole (passthrough_ids). See derive.c.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"
#include "ptdiag/docnum.h"
#include "report.h"

static bool valid_id_part(const char *s, size_t n)
{
    if (n != 4)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isxdigit((unsigned char)s[i]))
            return false;
    return true;
}

static bool host_has_ids(const cJSON *host, const char *ven, const char *dev)
{
    const cJSON *d;
    cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(host, "devices"))
    {
        const char *v = ptd_json_get_str(d, "vendor_id"), *i = ptd_json_get_str(d, "device_id");
        if (v && i && strcasecmp(v, ven) == 0 && strcasecmp(i, dev) == 0)
            return true;
    }
    return false;
}

/* Checks one `ids=` value: syntax defects go to `problems`, well-formed ids of GPU vendors that
 * name no device here to `stale` (an old card's ids, copied from a guide). Only 10de/1002 can
 * be called stale: devices[] lists GPU slots, not every NIC an Intel id could name. */
static void check_ids(const cJSON *host, const char *value, const char *where, cJSON *problems,
                      cJSON *stale)
{
    char msg[512];
    if (strpbrk(value, " \t")) {
        snprintf(msg, sizeof msg, "%s: \"%s\" contains whitespace (only the first id is used)",
                 where, value);
        cJSON_AddItemToArray(problems, cJSON_CreateString(msg));
    }
    const char *p = value;
    while (*p) {
        while (*p == ',' || *p == ' ' || *p == '\t' || *p == '"')
            p++;
        if (!*p)
            break;
        const char *e = p;
        while (*e && *e != ',' && *e != ' ' && *e != '\t' && *e != '"')
            e++;
        size_t n = (size_t)(e - p);
        /* vendor:device[:subvendor[:subdevice[:class[:class_mask]]]] */
        char tok[64];
        snprintf(tok, sizeof tok, "%.*s", (int)(n < 63 ? n : 63), p);
        char ven[8] = "", dev[8] = "";
        bool ok = n < 63;
        int parts = 0;
        for (char *save = NULL, *t = strtok_r(tok, ":", &save); t && ok;
             t = strtok_r(NULL, ":", &save), parts++) {
            size_t tl = strlen(t);
            ok = parts < 2 ? valid_id_part(t, tl)
                           : tl >= 1 && tl <= 8 && strspn(t, "0123456789abcdefABCDEF") == tl;
            if (parts == 0 && ok)
                snprintf(ven, sizeof ven, "%s", t);
            if (parts == 1 && ok)
                snprintf(dev, sizeof dev, "%s", t);
        }
        if (!ok || parts < 2 || parts > 6) {
            snprintf(msg, sizeof msg,
                     "%s: \"%.*s\" is not a vendor:device id (hex, like 10de:2204)", where, (int)n,
                     p);
            cJSON_AddItemToArray(problems, cJSON_CreateString(msg));
        } else if ((strcasecmp(ven, "10de") == 0 || strcasecmp(ven, "1002") == 0) &&
                   !host_has_ids(host, ven, dev)) {
            snprintf(msg, sizeof msg, "%s: %s:%s matches no device on this host", where, ven, dev);
            cJSON_AddItemToArray(stale, cJSON_CreateString(msg));
        }
        p = e;
    }
}

/* Words after `ids=` on the same options line: modprobe hands each to the kernel as its own
 * parameter, which vfio-pci ignores ("ids=10de:2204, 10de:1aef" binds only 10de:2204). */
static void check_stray(const cJSON *entry, const char *where, cJSON *problems)
{
    const cJSON *t;
    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(entry, "stray_tokens"))
    {
        if (!cJSON_IsString(t))
            continue;
        char msg[512];
        snprintf(msg, sizeof msg,
                 "%s: \"%.64s\" is separated from ids= by whitespace: the kernel takes it as an "
                 "unknown parameter and vfio-pci never sees it",
                 where, t->valuestring);
        cJSON_AddItemToArray(problems, cJSON_CreateString(msg));
    }
}

/* Appends "v:d" of a device once. */
static void add_ids_once(struct ptd_strbuf *b, const cJSON *dev)
{
    const char *v = ptd_json_get_str(dev, "vendor_id"), *i = ptd_json_get_str(dev, "device_id");
    if (!v || !i)
        return;
    char one[16];
    snprintf(one, sizeof one, "%s:%s", v, i);
    for (const char *q = b->data; q && (q = strstr(q, one)) != NULL; q++)
        if ((q == b->data || q[-1] == ',') && (q[strlen(one)] == ',' || q[strlen(one)] == '\0'))
            return;
    if (b->len)
        ptd_strbuf_add(b, ",");
    ptd_strbuf_add(b, one);
}

/* True when a VM passes bdf whole (vfio-pci, not as a mediated device). */
static bool passed_whole(const cJSON *h, const char *bdf)
{
    const cJSON *vm, *hp, *r;
    cJSON_ArrayForEach(vm, cJSON_GetObjectItemCaseSensitive(h, "vms"))
    {
        cJSON_ArrayForEach(hp, cJSON_GetObjectItemCaseSensitive(vm, "hostpci"))
        {
            if (ptd_json_get_str(hp, "mdev"))
                continue;
            cJSON_ArrayForEach(
                r, cJSON_GetObjectItemCaseSensitive(
                       hp, "resolved_bdfs")) if (cJSON_IsString(r) &&
                                                 rpt_bdf_eq(r->valuestring, bdf)) return true;
        }
    }
    return false;
}

/* The ids this host should hand to vfio-pci: every function a VM passes whole (a GPU, its
 * audio function on another bus behind the card's switch, a NIC), or, with no such VM, every
 * function of the GPU slots already on vfio-pci. "v:d,v:d" (caller frees) or NULL. */
static char *passthrough_ids(const cJSON *h)
{
    struct ptd_strbuf b = {0};
    const cJSON *d, *vm, *hp, *r;
    /* hostpci[].resolved has the ids of every function an entry passes, also those the PCI
     * probe did not list (an audio function on its host driver behind the card's switch) */
    cJSON_ArrayForEach(vm, cJSON_GetObjectItemCaseSensitive(h, "vms"))
    {
        cJSON_ArrayForEach(hp, cJSON_GetObjectItemCaseSensitive(vm, "hostpci"))
        {
            /* only whole functions: a VF's ids are often its PF's (Intel iGPU SR-IOV), and
             * ids= would take the PF from its driver and delete the VFs */
            const char *mode = ptd_json_get_str(hp, "mode");
            if (ptd_json_get_str(hp, "mdev") || (mode && strcmp(mode, "vfio-pci") != 0))
                continue;
            cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(hp, "resolved"))
                add_ids_once(&b, r);
        }
    }
    cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(h, "devices"))
    {
        const char *bdf = ptd_json_get_str(d, "bdf");
        if (bdf && ptd_json_get_tri(d, "is_vf") != 1 && passed_whole(h, bdf))
            add_ids_once(&b, d);
    }
    if (b.len == 0) {
        cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(h, "devices"))
        {
            const char *drv = ptd_json_get_str(d, "driver"), *slot = ptd_json_get_str(d, "slot");
            if (ptd_json_get_tri(d, "is_gpu") != 1 || !drv || strcmp(drv, "vfio-pci") != 0 || !slot)
                continue;
            const cJSON *o;
            cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(h, "devices"))
            {
                const char *os = ptd_json_get_str(o, "slot");
                if (os && strcmp(os, slot) == 0)
                    add_ids_once(&b, o);
            }
        }
    }
    char *s = ptd_strbuf_take(&b);
    if (s && !*s) {
        free(s);
        s = NULL;
    }
    return s;
}

void rpt_derive_vfio_ids(const cJSON *h, cJSON *x)
{
    cJSON *problems = cJSON_AddArrayToObject(x, "vfio_ids_problems");
    cJSON *stale = cJSON_AddArrayToObject(x, "vfio_ids_stale");
    char *pt = passthrough_ids(h);
    if (pt)
        cJSON_AddStringToObject(x, "passthrough_ids", pt);
    free(pt);
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(
                              cJSON_GetObjectItemCaseSensitive(
                                  cJSON_GetObjectItemCaseSensitive(h, "system"), "modules"),
                              "vfio_pci_ids"))
    {
        const char *v = ptd_json_get_str(e, "value");
        char where[300];
        /* a hostile document may hold any number: only a real line number is used (0: none) */
        long long line = ptd_json_int_or(e, "line", 1, PTD_LINE_MAX, 0);
        snprintf(where, sizeof where, "%s:%lld",
                 ptd_json_get_str(e, "file") ? ptd_json_get_str(e, "file") : "?", line);
        if (v && problems && stale) {
            int before = cJSON_GetArraySize(problems) + cJSON_GetArraySize(stale);
            check_ids(h, v, where, problems, stale);
            check_stray(e, where, problems);
            /* the first line with a defect is the one the fix edits */
            const char *file = ptd_json_get_str(e, "file");
            /* it goes into a printed shell command: only a plain path */
            if (file &&
                strspn(file,
                       "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._/-") !=
                    strlen(file))
                file = NULL;
            if (file && line >= 1 &&
                cJSON_GetArraySize(problems) + cJSON_GetArraySize(stale) > before &&
                !cJSON_GetObjectItemCaseSensitive(x, "vfio_ids_file")) {
                cJSON_AddStringToObject(x, "vfio_ids_file", file);
                cJSON_AddNumberToObject(x, "vfio_ids_line", (double)line);
            }
        }
    }
    const char *cl = ptd_json_get_str(h, "system.cmdline.vfio_pci_ids");
    if (cl && problems && stale)
        check_ids(h, cl, "/proc/cmdline vfio-pci.ids", problems, stale);
}

/* SPDX-License-Identifier: MIT */
/* What the host lives on: management NIC, root disk controller, USB devices.
 * See preflight_host.h. */
#include "preflight_host.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"

#include "pve_conf.h"

#define SOURCE         "preflight"
#define INTERFACES     "/etc/network/interfaces"
#define INTERFACES_MAX (1u << 20)
#define MOUNTINFO      "/proc/self/mountinfo"
#define MOUNTINFO_MAX  (4u << 20)
#define RESOLVE_DEPTH  4
#define NAME_MAX_LEN   64

/* "dddd:bb:dd.f" */
static bool is_bdf(const char *s, size_t n)
{
    static const char pat[] = "xxxx:xx:xx.x";
    size_t i;

    if (n != sizeof(pat) - 1)
        return false;
    for (i = 0; i < n; i++) {
        char c = s[i];
        bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
        if (pat[i] == 'x' ? !hex : c != pat[i])
            return false;
    }
    return true;
}

/* The last PCI function on a sysfs device path ("../../devices/pci0000:00/0000:00:1c.0/
 * 0000:03:00.0/net/enp3s0"): the one whose driver the device hangs off. */
static bool last_bdf(const char *path, char *out)
{
    const char *p = path, *seg;
    bool found = false;

    while (*p) {
        size_t n;

        seg = p;
        n = strcspn(seg, "/");
        if (is_bdf(seg, n)) {
            memcpy(out, seg, n);
            out[n] = '\0';
            found = true;
        }
        p = seg + n + (seg[n] == '/');
    }
    return found;
}

static void add_unique_str(cJSON *arr, const char *s)
{
    const cJSON *it;

    cJSON_ArrayForEach(it, arr)
    {
        if (!strcmp(it->valuestring, s))
            return;
    }
    cJSON_AddItemToArray(arr, cJSON_CreateString(s));
}

/* ---- /etc/network/interfaces --------------------------------------------------------- */

struct iface {
    char name[NAME_MAX_LEN];
    bool addressed;    /* static with an address, dhcp, or auto (SLAAC) */
    char members[256]; /* bridge-ports / bond-slaves / vlan-raw-device, spaces */
};

struct ifaces {
    struct iface *v;
    size_t n, cap;
};

static struct iface *iface_get(struct ifaces *l, const char *name, size_t n)
{
    size_t i;

    if (n == 0 || n >= NAME_MAX_LEN)
        return NULL;
    for (i = 0; i < l->n; i++)
        if (strlen(l->v[i].name) == n && !strncmp(l->v[i].name, name, n))
            return &l->v[i];
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        struct iface *v = cap < 4096 ? realloc(l->v, cap * sizeof(*v)) : NULL;
        if (!v)
            return NULL;
        l->v = v;
        l->cap = cap;
    }
    memset(&l->v[l->n], 0, sizeof(l->v[0]));
    memcpy(l->v[l->n].name, name, n);
    return &l->v[l->n++];
}

static void append_members(struct iface *f, const char *words)
{
    size_t have = strlen(f->members);

    if (!strcmp(words, "none"))
        return;
    snprintf(f->members + have, sizeof(f->members) - have, "%s%s", have ? " " : "", words);
}

/* ifupdown(2) stanzas: "iface NAME inet|inet6 METHOD" then indented options; both the dash
 * and the underscore spelling of option names (bridge-ports, bridge_ports). */
static void parse_interfaces(char *data, struct ifaces *l)
{
    struct iface *cur = NULL;
    char *line, *save = NULL;

    for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *w = line + strspn(line, " \t"), *arg;
        size_t k = strcspn(w, " \t");

        if (*w == '#' || !*w)
            continue;
        arg = w + k + strspn(w + k, " \t");
        arg[strcspn(arg, "\r#")] = '\0';
        while (*arg && (arg[strlen(arg) - 1] == ' ' || arg[strlen(arg) - 1] == '\t'))
            arg[strlen(arg) - 1] = '\0';
        if (k == 5 && !strncmp(w, "iface", 5)) {
            size_t n = strcspn(arg, " \t");
            const char *method = strrchr(arg, ' ');
            cur = iface_get(l, arg, n);
            if (cur && method && (!strcmp(method + 1, "dhcp") || !strcmp(method + 1, "auto")))
                cur->addressed = true;
            continue;
        }
        if (k == 4 && (!strncmp(w, "auto", 4) || !strncmp(w, "allow", 4)))
            continue;
        if (!cur)
            continue;
        if ((k == 7 && !strncmp(w, "address", 7)))
            cur->addressed = true;
        else if ((k == 12 &&
                  (!strncmp(w, "bridge-ports", 12) || !strncmp(w, "bridge_ports", 12))) ||
                 (k == 11 && (!strncmp(w, "bond-slaves", 11) || !strncmp(w, "bond_slaves", 11))) ||
                 (k == 15 && !strncmp(w, "vlan-raw-device", 15)))
            append_members(cur, arg);
    }
}

/* Adds the physical ports under name (bridge, bond, VLAN) to ports. */
static void resolve_ports(struct probe_ctx *ctx, struct ifaces *l, const char *name, int depth,
                          cJSON *ports)
{
    char path[PATH_MAX], **brif = NULL, base[NAME_MAX_LEN], members[256], *m, *save = NULL;
    struct iface *f = NULL;
    size_t i, nbrif = 0;
    bool any = false;

    if (depth > RESOLVE_DEPTH || strlen(name) >= NAME_MAX_LEN)
        return;
    for (i = 0; i < l->n; i++)
        if (!strcmp(l->v[i].name, name))
            f = &l->v[i];
    if (f && f->members[0]) {
        snprintf(members, sizeof(members), "%s", f->members);
        for (m = strtok_r(members, " \t", &save); m; m = strtok_r(NULL, " \t", &save)) {
            resolve_ports(ctx, l, m, depth + 1, ports);
            any = true;
        }
    }
    snprintf(path, sizeof(path), "/sys/class/net/%s/brif", name);
    if (ptd_root_list_dir(ctx->root, path, &brif, &nbrif) == 0) {
        for (i = 0; i < nbrif; i++)
            resolve_ports(ctx, l, brif[i], depth + 1, ports);
        any |= nbrif > 0;
        ptd_strv_free(brif);
    }
    if (any)
        return;
    /* "vmbr0.20" / "eno1.100": a VLAN on its raw device */
    snprintf(base, sizeof(base), "%s", name);
    if (strchr(base, '.')) {
        *strchr(base, '.') = '\0';
        resolve_ports(ctx, l, base, depth + 1, ports);
        return;
    }
    add_unique_str(ports, name);
}

void preflight_management(struct probe_ctx *ctx, cJSON *crit)
{
    struct ifaces l = {0};
    char *data = NULL;
    cJSON *mg, *addressed, *ports, *fns;
    const cJSON *p;
    size_t i;
    int r = ptd_root_read_file(ctx->root, INTERFACES, INTERFACES_MAX, &data, NULL);

    if (r) {
        /* absent: not an ifupdown host (a container, a replay without it): unknown */
        if (r != -ENOENT)
            ptd_doc_add_error(ctx->doc, SOURCE, "%s: %s", INTERFACES, strerror(-r));
        cJSON_AddNullToObject(crit, "management");
        return;
    }
    parse_interfaces(data, &l);
    mg = cJSON_AddObjectToObject(crit, "management");
    ptd_json_add_str(mg, "source", INTERFACES);
    addressed = cJSON_AddArrayToObject(mg, "addressed");
    ports = cJSON_AddArrayToObject(mg, "ports");
    fns = cJSON_AddArrayToObject(mg, "functions");
    for (i = 0; i < l.n; i++) {
        if (!l.v[i].addressed || !strcmp(l.v[i].name, "lo"))
            continue;
        cJSON_AddItemToArray(addressed, cJSON_CreateString(l.v[i].name));
        resolve_ports(ctx, &l, l.v[i].name, 0, ports);
    }
    cJSON_ArrayForEach(p, ports)
    {
        char path[PATH_MAX], link[PATH_MAX], bdf[16];

        snprintf(path, sizeof(path), "/sys/class/net/%s", p->valuestring);
        if (ptd_root_readlink(ctx->root, path, link, sizeof(link)) == 0 && last_bdf(link, bdf))
            add_unique_str(fns, bdf);
    }
    free(l.v);
    free(data);
}

/* ---- the root file system ------------------------------------------------------------ */

/* The PCI functions under a block device: its own device path, or through the slaves of a
 * dm/md device (LVM, LUKS, RAID) to theirs. */
static void block_controllers(struct probe_ctx *ctx, const char *sysblock, int depth, cJSON *out)
{
    char link[PATH_MAX], path[PATH_MAX], bdf[16], **slaves = NULL;
    size_t n = 0, i;

    if (depth > RESOLVE_DEPTH || ptd_root_readlink(ctx->root, sysblock, link, sizeof(link)))
        return;
    if (!strstr(link, "/virtual/")) {
        if (last_bdf(link, bdf))
            add_unique_str(out, bdf);
        return;
    }
    snprintf(path, sizeof(path), "%s/slaves", sysblock);
    if (ptd_root_list_dir(ctx->root, path, &slaves, &n) != 0)
        return;
    for (i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "/sys/class/block/%s", slaves[i]);
        block_controllers(ctx, path, depth + 1, out);
    }
    ptd_strv_free(slaves);
}

/* mountinfo(5): "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw": the last
 * line mounted on "/" is the one in effect. */
static bool root_mount(char *data, char *majmin, size_t ml, char *fstype, size_t fl, char *src,
                       size_t sl)
{
    char *line, *save = NULL;
    bool found = false;

    for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *f[6], *sep, *s2 = NULL, *tok;
        int i = 0;

        sep = strstr(line, " - ");
        if (!sep)
            continue;
        *sep = '\0';
        for (tok = strtok_r(line, " ", &s2); tok && i < 6; tok = strtok_r(NULL, " ", &s2))
            f[i++] = tok;
        if (i < 5 || strcmp(f[4], "/"))
            continue;
        s2 = NULL;
        snprintf(majmin, ml, "%s", f[2]);
        tok = strtok_r(sep + 3, " ", &s2);
        snprintf(fstype, fl, "%s", tok ? tok : "");
        tok = strtok_r(NULL, " ", &s2);
        snprintf(src, sl, "%s", tok ? tok : "");
        found = true;
    }
    return found;
}

void preflight_root_disk(struct probe_ctx *ctx, cJSON *crit)
{
    char *data = NULL, majmin[32], fstype[32], src[256], path[PATH_MAX];
    cJSON *rd, *ctl;
    int r = ptd_root_read_file(ctx->root, MOUNTINFO, MOUNTINFO_MAX, &data, NULL);

    if (r || !root_mount(data, majmin, sizeof(majmin), fstype, sizeof(fstype), src, sizeof(src))) {
        if (r != -ENOENT)
            ptd_doc_add_error(ctx->doc, SOURCE, "%s: %s", MOUNTINFO,
                              r ? strerror(-r) : "no mount on /");
        cJSON_AddNullToObject(crit, "root_disk");
        free(data);
        return;
    }
    rd = cJSON_AddObjectToObject(crit, "root_disk");
    ptd_json_add_str(rd, "mount_source", src);
    ptd_json_add_str(rd, "fstype", fstype);
    ptd_json_add_str(rd, "device", majmin);
    if (!strcmp(fstype, "zfs")) {
        /* a dataset: its pool's vdevs are not in /proc or /sys without libzfs */
        cJSON_AddNullToObject(rd, "controllers");
        ptd_json_add_str(rd, "why", "ZFS root: the pool's disks are not listed in /proc or /sys");
        goto out;
    }
    ctl = cJSON_CreateArray();
    if (strncmp(majmin, "0:", 2)) {
        snprintf(path, sizeof(path), "/sys/dev/block/%s", majmin);
        block_controllers(ctx, path, 0, ctl);
    } else if (!strncmp(src, "/dev/", 5) && !strchr(src + 5, '/')) {
        /* btrfs and other anonymous devices: the source names the block device */
        snprintf(path, sizeof(path), "/sys/class/block/%s", src + 5);
        block_controllers(ctx, path, 0, ctl);
    }
    if (cJSON_GetArraySize(ctl)) {
        cJSON_AddItemToObject(rd, "controllers", ctl);
    } else {
        cJSON_Delete(ctl);
        cJSON_AddNullToObject(rd, "controllers");
        ptd_json_add_str(rd, "why", "the block device leads to no PCI function");
    }
out:
    free(data);
}

/* ---- USB ----------------------------------------------------------------------------- */

/* Whether a USB device VID:PID is on the host: /sys/bus/usb/devices/<dev>/idVendor,idProduct. */
static int usb_id_present(struct ptd_root *root, unsigned vid, unsigned pid)
{
    char **names = NULL, path[PATH_MAX], buf[16];
    size_t n = 0, i;
    int found = 0;

    if (ptd_root_list_dir(root, "/sys/bus/usb/devices", &names, &n) != 0)
        return -1;
    for (i = 0; i < n && !found; i++) {
        unsigned long v, p;

        if (strchr(names[i], ':')) /* "1-4:1.0" is an interface, not a device */
            continue;
        snprintf(path, sizeof(path), "/sys/bus/usb/devices/%s/idVendor", names[i]);
        if (ptd_root_read_attr(root, path, buf, sizeof(buf)))
            continue;
        v = strtoul(buf, NULL, 16);
        snprintf(path, sizeof(path), "/sys/bus/usb/devices/%s/idProduct", names[i]);
        if (ptd_root_read_attr(root, path, buf, sizeof(buf)))
            continue;
        p = strtoul(buf, NULL, 16);
        found = v == vid && p == pid;
    }
    ptd_strv_free(names);
    return found;
}

/* qemu-server's usbN host=: "HOSTUSBDEVICE" is VID:PID (hex, 4 digits) or BUS-PORT[.PORT...]. */
cJSON *preflight_usb_entry(struct ptd_root *root, int index, const char *raw)
{
    struct pve_props props = {0};
    struct ptd_error err;
    cJSON *o = cJSON_CreateObject();
    const char *host = NULL;
    unsigned vid, pid;
    char tail, path[PATH_MAX];
    int present = -1;

    ptd_json_add_num(o, "index", index, true);
    ptd_json_add_str(o, "raw", raw);
    if (pve_props_parse(raw, "host", &props, &err) == 0)
        host = pve_props_get(&props, "host");
    ptd_json_add_str(o, "host", host);
    if (pve_props_get(&props, "mapping")) {
        ptd_json_add_str(o, "kind", "mapping");
    } else if (host && !strcmp(host, "spice")) {
        ptd_json_add_str(o, "kind", "spice");
    } else if (host && strlen(host) == 9 && sscanf(host, "%4x:%4x%c", &vid, &pid, &tail) == 2) {
        ptd_json_add_str(o, "kind", "id");
        present = usb_id_present(root, vid, pid);
    } else if (host && strspn(host, "0123456789-.") == strlen(host) && strchr(host, '-') &&
               strlen(host) < 64) {
        ptd_json_add_str(o, "kind", "port");
        snprintf(path, sizeof(path), "/sys/bus/usb/devices/%s", host);
        present = ptd_root_exists(root, path);
    } else {
        ptd_json_add_str(o, "kind", "other");
    }
    ptd_json_add_tri(o, "present", present < 0 ? -1 : present);
    pve_props_free(&props);
    return o;
}

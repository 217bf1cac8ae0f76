/* SPDX-License-Identifier: MIT */
/* qemu-server config -> vms[] facts. See vm_facts.h. */
#include "vm_facts.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"
#include "ptdiag/docnum.h"

#include "pve_cpu_models.h"
#include "pve_mapping.h"
#include "vm_cpu_flags.h"

#define MAX_HOSTPCI 16 /* qemu-server $MAX_HOSTPCI_DEVICES */

static void problem(cJSON *list, const char *file, unsigned line, const char *fmt, ...)
    PTD_PRINTF(4, 5);
static void problem(cJSON *list, const char *file, unsigned line, const char *fmt, ...)
{
    char msg[PTD_ERROR_MAX], full[PTD_ERROR_MAX + 64];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    snprintf(full, sizeof(full), "%s:%u: %s", file, line, msg);
    cJSON_AddItemToArray(list, cJSON_CreateString(full));
}

static unsigned line_of(const struct pve_section *s, const char *key)
{
    size_t i;

    for (i = 0; i < s->count; i++)
        if (!strcmp(s->kv[i].key, key))
            return s->kv[i].line;
    return 0;
}

/* Adds a boolean option: absent -> dflt (a known Proxmox default), invalid -> null. */
static void add_bool_opt(cJSON *obj, const char *key, const char *val, int dflt, cJSON *problems,
                         const char *file, unsigned line, const char *opt)
{
    int b = val ? pve_parse_bool(val) : dflt;

    if (val && b < 0)
        problem(problems, file, line, "'%s=%s' is not a boolean", opt, val);
    ptd_json_add_tri(obj, key, b);
}

/* "0x10de" -> "10de"; anything else stays as written (and is a problem). */
static void add_id_override(cJSON *obj, const char *key, const char *val, cJSON *problems,
                            const char *file, unsigned line)
{
    char buf[8];

    if (!val) {
        ptd_json_add_str(obj, key, NULL);
        return;
    }
    if (strlen(val) == 6 && val[0] == '0' && (val[1] == 'x' || val[1] == 'X') &&
        strspn(val + 2, "0123456789abcdefABCDEF") == 4) {
        size_t i;
        for (i = 0; i < 4; i++)
            buf[i] =
                (char)((val[2 + i] >= 'A' && val[2 + i] <= 'F') ? val[2 + i] + 32 : val[2 + i]);
        buf[4] = '\0';
        ptd_json_add_str(obj, key, buf);
        return;
    }
    problem(problems, file, line, "id override '%s' is not 0xNNNN", val);
    ptd_json_add_str(obj, key, val);
}

static cJSON *hostpci_json(const char *file, const char *key, const char *value, unsigned line,
                           cJSON *problems)
{
    cJSON *h = cJSON_CreateObject(), *ids;
    struct pve_props p;
    struct ptd_error err;
    const char *host, *mapping;
    size_t i;

    ptd_json_add_num(h, "index", atoi(key + 7), true);
    ptd_json_add_str(h, "key", key);
    ptd_json_add_str(h, "raw", value);
    ptd_json_add_num(h, "line", line, true);
    if (pve_props_parse(value, "host", &p, &err) != 0) {
        problem(problems, file, line, "%s: %s", key, err.text);
        ptd_json_add_str(h, "error", err.text);
        return h;
    }
    host = pve_props_get(&p, "host");
    mapping = pve_props_get(&p, "mapping");
    if (host && mapping)
        problem(problems, file, line, "%s: Cannot set both 'host' and 'mapping'.", key);
    if (!host && !mapping)
        problem(problems, file, line, "%s: Either 'host' or 'mapping' must be set.", key);
    ptd_json_add_str(h, "host", host);
    ids = cJSON_AddArrayToObject(h, "host_ids");
    if (host) {
        char *copy = strdup(host), *tok, *save = NULL, canon[32];
        for (tok = copy ? strtok_r(copy, ";", &save) : NULL; tok;
             tok = strtok_r(NULL, ";", &save)) {
            if (pve_bdf_canonical(tok, canon, sizeof(canon)))
                cJSON_AddItemToArray(ids, cJSON_CreateString(canon));
            else
                problem(problems, file, line, "%s: '%s' is not a PCI address", key, tok);
        }
        free(copy);
    }
    ptd_json_add_str(h, "mapping", mapping);
    add_bool_opt(h, "pcie", pve_props_get(&p, "pcie"), 0, problems, file, line, "pcie");
    add_bool_opt(h, "x_vga", pve_props_get(&p, "x-vga"), 0, problems, file, line, "x-vga");
    add_bool_opt(h, "rombar", pve_props_get(&p, "rombar"), 1, problems, file, line, "rombar");
    ptd_json_add_str(h, "romfile", pve_props_get(&p, "romfile"));
    add_bool_opt(h, "legacy_igd", pve_props_get(&p, "legacy-igd"), 0, problems, file, line,
                 "legacy-igd");
    ptd_json_add_str(h, "mdev", pve_props_get(&p, "mdev"));
    add_id_override(h, "vendor_id", pve_props_get(&p, "vendor-id"), problems, file, line);
    add_id_override(h, "device_id", pve_props_get(&p, "device-id"), problems, file, line);
    add_id_override(h, "sub_vendor_id", pve_props_get(&p, "sub-vendor-id"), problems, file, line);
    add_id_override(h, "sub_device_id", pve_props_get(&p, "sub-device-id"), problems, file, line);
    ptd_json_add_str(h, "driver",
                     pve_props_get(&p, "driver") ? pve_props_get(&p, "driver") : "vfio");
    for (i = 0; i < p.count; i++) {
        static const char *const known[] = {
            "host",          "mapping",       "pcie",   "x-vga",     "rombar",
            "romfile",       "legacy-igd",    "mdev",   "vendor-id", "device-id",
            "sub-vendor-id", "sub-device-id", "driver", NULL,
        };
        size_t k;
        for (k = 0; known[k] && strcmp(known[k], p.items[i].key); k++)
            ;
        if (!known[k])
            problem(problems, file, line, "%s: unknown option '%s'", key, p.items[i].key);
    }
    pve_props_free(&p);
    return h;
}

static void add_machine(cJSON *vm, const char *raw)
{
    cJSON *m = cJSON_AddObjectToObject(vm, "machine");
    struct pve_props p = {0};
    struct ptd_error err;
    const char *type;
    char ver[32] = "";
    const char *d;

    ptd_json_add_str(m, "raw", raw);
    if (raw && pve_props_parse(raw, "type", &p, &err) != 0)
        ptd_json_add_str(m, "error", err.text);
    type = pve_props_get(&p, "type");
    /* No machine key: qemu-server's default is i440fx ("pc"). */
    ptd_json_add_str(m, "type", type ? type : "pc");
    ptd_json_add_tri(m, "is_q35", type ? strstr(type, "q35") != NULL : 0);
    for (d = type; d && *d; d++) {
        if (*d == '-' && d[1] >= '0' && d[1] <= '9') {
            snprintf(ver, sizeof(ver), "%.*s", (int)strcspn(d + 1, "+"), d + 1);
            break;
        }
    }
    ptd_json_add_str(m, "version", ver[0] ? ver : NULL);
    ptd_json_add_str(m, "viommu", pve_props_get(&p, "viommu"));
    pve_props_free(&p);
}

static void add_cpu(cJSON *vm, const char *raw, cJSON *problems, const char *file, unsigned line)
{
    cJSON *c = cJSON_AddObjectToObject(vm, "cpu");
    struct pve_props p = {0};
    struct ptd_error err;
    const char *type, *flags;

    ptd_json_add_str(c, "raw", raw);
    if (raw && pve_props_parse(raw, "cputype", &p, &err) != 0)
        problem(problems, file, line, "cpu: %s", err.text);
    type = pve_props_get(&p, "cputype");
    ptd_json_add_str(c, "type", type ? type : "kvm64");
    add_bool_opt(c, "hidden", pve_props_get(&p, "hidden"), 0, problems, file, line, "hidden");
    ptd_json_add_str(c, "hv_vendor_id", pve_props_get(&p, "hv-vendor-id"));
    flags = pve_props_get(&p, "flags");
    if (flags) {
        cJSON *fl = pve_cpu_flag_list(flags, &err);
        if (!fl) {
            problem(problems, file, line, "cpu flags: %s", err.text);
            fl = cJSON_CreateNull();
        }
        cJSON_AddItemToObject(c, "flags", fl);
    } else {
        cJSON_AddItemToObject(c, "flags", cJSON_CreateArray());
    }
    const char *pb = pve_props_get(&p, "phys-bits");
    ptd_json_add_str(c, "phys_bits", pb);
    /* the number when phys-bits is one (qemu-server accepts 8..64 or "host") */
    {
        char *end = NULL;
        long bits = pb ? strtol(pb, &end, 10) : -1;
        ptd_json_add_num(c, "phys_bits_number", (double)bits,
                         pb && end != pb && *end == '\0' && bits >= 8 && bits <= 64);
    }
    ptd_json_add_str(c, "custom_model", type && !strncmp(type, "custom-", 7) ? type + 7 : NULL);
    pve_props_free(&p);
}

static void add_numa(cJSON *vm, const struct pve_section *s)
{
    cJSON *arr = cJSON_AddArrayToObject(vm, "numa_nodes");
    size_t i;

    ptd_json_add_tri(vm, "numa",
                     pve_section_get(s, "numa") ? pve_parse_bool(pve_section_get(s, "numa")) : 0);
    for (i = 0; i < s->count; i++) {
        struct pve_props p;
        struct ptd_error err;
        cJSON *n;
        const char *k = s->kv[i].key;
        if (strncmp(k, "numa", 4) || !k[4])
            continue;
        n = cJSON_CreateObject();
        cJSON_AddItemToArray(arr, n);
        ptd_json_add_num(n, "index", atoi(k + 4), true);
        ptd_json_add_str(n, "raw", s->kv[i].value);
        if (pve_props_parse(s->kv[i].value, NULL, &p, &err) != 0) {
            ptd_json_add_str(n, "error", err.text);
            continue;
        }
        ptd_json_add_str(n, "cpus", pve_props_get(&p, "cpus"));
        ptd_json_add_str(n, "hostnodes", pve_props_get(&p, "hostnodes"));
        ptd_json_add_str(n, "memory", pve_props_get(&p, "memory"));
        ptd_json_add_str(n, "policy", pve_props_get(&p, "policy"));
        pve_props_free(&p);
    }
}

static void add_num_opt(cJSON *vm, const char *key, const char *val)
{
    char *end = NULL;
    double v = val ? strtod(val, &end) : 0;

    ptd_json_add_num(vm, key, v, val && end && !*end && end != val);
}

/* The keys that change what a passed GPU sees; a snapshot differing in them matters. */
static bool relevant_key(const char *k)
{
    static const char *const keys[] = {"machine",   "bios",     "cpu", "args",       "balloon",
                                       "memory",    "ostype",   "vga", "hookscript", "numa",
                                       "hugepages", "efidisk0", NULL};
    size_t i;

    if (!strncmp(k, "hostpci", 7))
        return true;
    for (i = 0; keys[i]; i++)
        if (!strcmp(k, keys[i]))
            return true;
    return false;
}

static cJSON *section_diff(const struct pve_section *cur, const struct pve_section *snap)
{
    cJSON *d = cJSON_CreateArray();
    size_t i;

    for (i = 0; i < snap->count; i++) {
        const char *a = snap->kv[i].value, *b = pve_section_get(cur, snap->kv[i].key);
        if (relevant_key(snap->kv[i].key) && (!b || strcmp(a, b)))
            cJSON_AddItemToArray(d, cJSON_CreateString(snap->kv[i].key));
    }
    for (i = 0; i < cur->count; i++)
        if (relevant_key(cur->kv[i].key) && !pve_section_get(snap, cur->kv[i].key))
            cJSON_AddItemToArray(d, cJSON_CreateString(cur->kv[i].key));
    return d;
}

/* vm.efidisk: the efidisk0 property string and the fields the rules read, or null. */
static void add_efidisk(cJSON *vm, const char *v)
{
    struct ptd_error err;
    struct pve_props p;
    cJSON *e;

    if (!v) {
        cJSON_AddNullToObject(vm, "efidisk");
        return;
    }
    e = cJSON_AddObjectToObject(vm, "efidisk");
    ptd_json_add_str(e, "raw", v);
    if (pve_props_parse(v, "file", &p, &err) == 0) {
        ptd_json_add_str(e, "file", pve_props_get(&p, "file"));
        ptd_json_add_str(e, "efitype", pve_props_get(&p, "efitype"));
        ptd_json_add_tri(e, "pre_enrolled_keys",
                         pve_props_get(&p, "pre-enrolled-keys")
                             ? pve_parse_bool(pve_props_get(&p, "pre-enrolled-keys"))
                             : 0);
        pve_props_free(&p);
    }
}

/* PCI.pm's legacy IGD rules for one hostpci entry e. */
static void check_legacy_igd(const cJSON *e, const char *file, unsigned ln, const char *key,
                             const char *mt, const char *vga, bool multi, cJSON *problems)
{
    const char *id0 = ptd_json_get_str(e, "host_ids.0");

    if (!vga || strncmp(vga, "none", 4))
        problem(problems, file, ln, "%s: legacy IGD assignment requires VGA mode to be 'none'",
                key);
    if (ptd_json_get_tri(e, "rombar") == 0)
        problem(problems, file, ln, "%s: legacy IGD assignment requires rombar to be enabled", key);
    if (mt && strstr(mt, "q35"))
        problem(problems, file, ln, "%s: legacy IGD assignment is not compatible with q35", key);
    if (ptd_json_get_tri(e, "x_vga") == 1 || ptd_json_get_str(e, "mdev") || multi)
        problem(problems, file, ln,
                "%s: legacy IGD assignment is not compatible with x-vga, mdev or multifunction "
                "devices",
                key);
    if (!id0 || strcmp(id0, "0000:00:02.0"))
        problem(problems, file, ln,
                "%s: legacy IGD assignment only works for devices on host bus 00:02.0", key);
}

/* PCI.pm's checks of each parsed hostpci entry against the rest of the config
 * (pcie=1 needs q35: "q35 machine model is not enabled"). */
static void check_hostpci(const cJSON *vm, const cJSON *hp, const struct pve_section *s,
                          const char *file, cJSON *problems)
{
    const char *mt = ptd_json_get_str(vm, "machine.type");
    const char *vga = pve_section_get(s, "vga");
    const cJSON *e;

    cJSON_ArrayForEach(e, hp)
    {
        const char *key = ptd_json_get_str(e, "key");
        const char *id0 = ptd_json_get_str(e, "host_ids.0");
        unsigned ln = (unsigned)ptd_json_int_or(e, "line", 1, PTD_LINE_MAX, 0);
        bool multi = cJSON_GetArraySize(cJSON_GetObjectItem(e, "host_ids")) > 1 ||
                     (id0 && strlen(id0) == 10);

        if (ptd_json_get_str(e, "mdev") && multi)
            problem(problems, file, ln, "%s: cannot use mediated device with multifunction device",
                    key);
        if (ptd_json_get_tri(e, "legacy_igd") == 1)
            check_legacy_igd(e, file, ln, key, mt, vga, multi, problems);
        if (ptd_json_get_tri(e, "pcie") == 1 && !(mt && strstr(mt, "q35")))
            problem(problems, file, ln,
                    "%s: pcie=1 but q35 machine model is not enabled (machine %s)", key,
                    mt ? mt : "pc");
    }
}

/* vm.hostpci: hostpci0..15 in order, with their problems; keys above 15 are a problem too. */
static void add_hostpci(cJSON *vm, const struct pve_section *s, const char *file, cJSON *problems)
{
    cJSON *hp = cJSON_AddArrayToObject(vm, "hostpci");
    const char *v;
    size_t k, i;

    for (k = 0; k < MAX_HOSTPCI; k++) {
        char key[16];

        snprintf(key, sizeof(key), "hostpci%zu", k);
        if ((v = pve_section_get(s, key)))
            cJSON_AddItemToArray(hp, hostpci_json(file, key, v, line_of(s, key), problems));
    }
    check_hostpci(vm, hp, s, file, problems);
    for (i = 0; i < s->count; i++)
        if (!strncmp(s->kv[i].key, "hostpci", 7) && atoi(s->kv[i].key + 7) >= MAX_HOSTPCI)
            problem(problems, file, s->kv[i].line, "%s: index above hostpci15 (ignored by Proxmox)",
                    s->kv[i].key);
}

/* vm.snapshots, vm.snapshot_details (each snapshot against the current config) and
 * vm.pending (the [PENDING] section, or null). */
static void add_snapshots(cJSON *vm, const struct pve_conf *conf)
{
    const struct pve_section *s = &conf->sections[0];
    cJSON *snaps = cJSON_AddArrayToObject(vm, "snapshots");
    cJSON *details = cJSON_AddArrayToObject(vm, "snapshot_details");
    size_t i, k;

    cJSON_AddNullToObject(vm, "pending");
    for (i = 1; i < conf->nsections; i++) {
        const struct pve_section *x = &conf->sections[i];

        if (x->kind == PVE_SECTION_SNAPSHOT) {
            cJSON *d = cJSON_CreateObject();

            cJSON_AddItemToArray(snaps, cJSON_CreateString(x->name));
            cJSON_AddItemToArray(details, d);
            ptd_json_add_str(d, "name", x->name);
            ptd_json_add_num(d, "line", x->line, true);
            ptd_json_add_str(d, "parent", pve_section_get(x, "parent"));
            cJSON_AddItemToObject(d, "differs", section_diff(s, x));
        } else if (x->kind == PVE_SECTION_PENDING) {
            cJSON *pend = cJSON_CreateObject();

            for (k = 0; k < x->count; k++)
                ptd_json_add_str(pend, x->kv[k].key, x->kv[k].value);
            cJSON_ReplaceItemInObject(vm, "pending", pend);
        }
    }
}

/* vm.memory_mib .. vm.hookscript: memory, ballooning, hugepages, NUMA, display, extra args. */
static void add_memory_and_display(cJSON *vm, const struct pve_section *s)
{
    const char *balloon = pve_section_get(s, "balloon");

    add_num_opt(vm, "memory_mib", pve_section_get(s, "memory"));
    add_num_opt(vm, "balloon_mib", balloon);
    /* No balloon key: Proxmox adds the balloon device (target = memory), so it is on. */
    ptd_json_add_tri(vm, "balloon_device", !balloon || strcmp(balloon, "0"));
    ptd_json_add_str(vm, "hugepages", pve_section_get(s, "hugepages"));
    add_numa(vm, s);
    ptd_json_add_str(vm, "vga", pve_section_get(s, "vga"));
    ptd_json_add_str(vm, "args", pve_section_get(s, "args"));
    ptd_json_add_str(vm, "hookscript", pve_section_get(s, "hookscript"));
}

cJSON *vm_facts_build(const char *file, unsigned vmid, const struct pve_conf *conf,
                      const struct vm_cpu_host *host)
{
    const struct pve_section *s = &conf->sections[0];
    cJSON *vm = cJSON_CreateObject(), *problems, *eff;
    const char *v;
    size_t i;

    if (!vm)
        return NULL;
    problems = cJSON_CreateArray();
    for (i = 0; i < conf->nwarnings; i++)
        cJSON_AddItemToArray(problems, cJSON_CreateString(conf->warnings[i]));
    ptd_json_add_num(vm, "vmid", vmid, true);
    ptd_json_add_str(vm, "name", pve_section_get(s, "name"));
    ptd_json_add_str(vm, "file", file);
    ptd_json_add_str(vm, "ostype", pve_section_get(s, "ostype"));
    ptd_json_add_str(vm, "lock", pve_section_get(s, "lock"));
    ptd_json_add_tri(vm, "template", pve_parse_bool(pve_section_get(s, "template")) == 1);
    add_machine(vm, pve_section_get(s, "machine"));
    v = pve_section_get(s, "bios");
    ptd_json_add_str(vm, "bios", v ? v : "seabios");
    add_efidisk(vm, pve_section_get(s, "efidisk0"));
    add_memory_and_display(vm, s);
    add_num_opt(vm, "cores", pve_section_get(s, "cores"));
    add_num_opt(vm, "sockets", pve_section_get(s, "sockets"));
    add_cpu(vm, pve_section_get(s, "cpu"), problems, file, line_of(s, "cpu"));
    add_hostpci(vm, s, file, problems);
    add_snapshots(vm, conf);
    eff = vm_cpu_effective(s, host);
    cJSON_AddItemToObject(vm, "effective_cpu", eff ? eff : cJSON_CreateNull());
    cJSON_AddNullToObject(vm, "showcmd_diff");
    cJSON_AddItemToObject(vm, "config_problems", problems);
    return vm;
}

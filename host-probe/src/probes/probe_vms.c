/* SPDX-License-Identifier: MIT */
/*
 * The VM layer (L4): every /etc/pve/qemu-server/<vmid>.conf, the PCI resource mappings, the
 * custom CPU models and the PCI reservations; per VM the effective CPU (model, and Proxmox's own
 * `qm showcmd` when it may run or a saved copy under --root), the cross-reference of each
 * hostpciN with the devices the PCI probe found. Recommendations are the report's (the matrix
 * rule vm-recommended-config), not facts.
 * Fills docs/schema.md `vms`, `mappings`, `cpu_models`, `pci_reservations`, `qemu`.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"
#include "ptdiag/docnum.h"
#include "ptdiag/root.h"

#include "dpkg_status.h"
#include "probe.h"
#include "pve_conf.h"
#include "pve_cpu_models.h"
#include "pve_mapping.h"
#include "pve_reservations.h"
#include "redact_map.h"
#include "vm_cpu_flags.h"
#include "vm_exec.h"
#include "vm_facts.h"
#include "vm_xref.h"

#define SRC               "vms"
#define SHOWCMD_TIMEOUT_S 15
#define DPKG_STATUS       "/var/lib/dpkg/status"
#define QEMU_PACKAGE      "pve-qemu-kvm"
/* a Proxmox host's dpkg status is a few MiB; 64 MiB is no dpkg database */
#define DPKG_STATUS_MAX (64u << 20)

static const char *errtext(int r)
{
    return r == -EFBIG ? "larger than 1 MiB (pmxcfs limit): not a Proxmox file" : strerror(-r);
}

/* Reads a SectionConfig file into a JSON array under doc[key]: [] when the file is absent
 * (nothing configured), null with an error when unreadable. */
static const cJSON *read_scfg(struct probe_ctx *ctx, const char *path, const char *key,
                              cJSON *(*to_json)(const char *, const struct pve_scfg *, char ***,
                                                size_t *))
{
    struct pve_scfg cfg;
    struct ptd_error err;
    char *data = NULL, **problems = NULL;
    size_t len = 0, np = 0, i;
    cJSON *arr;
    int r;

    r = ptd_root_read_file(ctx->root, path, PVE_SCFG_MAX_BYTES + 1, &data, &len);
    if (r == -ENOENT)
        return cJSON_AddArrayToObject(ctx->doc, key);
    if (r) {
        ptd_doc_add_error(ctx->doc, SRC, "%s: %s", path, errtext(r));
        cJSON_AddNullToObject(ctx->doc, key);
        return NULL;
    }
    if (pve_scfg_parse(path, data, len, &cfg, &err) != 0) {
        free(data);
        ptd_doc_add_error(ctx->doc, SRC, "%s", err.text);
        cJSON_AddNullToObject(ctx->doc, key);
        return NULL;
    }
    free(data);
    for (i = 0; i < cfg.nwarnings; i++)
        ptd_doc_add_error(ctx->doc, SRC, "%s", cfg.warnings[i]);
    arr = to_json(path, &cfg, &problems, &np);
    for (i = 0; i < np; i++)
        ptd_doc_add_error(ctx->doc, SRC, "%s", problems[i]);
    pve_problems_free(problems, np);
    pve_scfg_free(&cfg);
    if (!arr) {
        cJSON_AddNullToObject(ctx->doc, key);
        return NULL;
    }
    cJSON_AddItemToObject(ctx->doc, key, arr);
    return arr;
}

/* /run/qemu-server/pci-id-reservations (pve_reservations.h). */
static void read_reservations(struct probe_ctx *ctx)
{
    const char *path = "/run/qemu-server/pci-id-reservations";
    char *data = NULL, **problems = NULL;
    size_t len = 0, np = 0, i;
    cJSON *arr;
    int r;

    r = ptd_root_read_file(ctx->root, path, PVE_SCFG_MAX_BYTES + 1, &data, &len);
    if (r == -ENOENT) {
        cJSON_AddArrayToObject(ctx->doc, "pci_reservations");
        return;
    }
    if (r) {
        ptd_doc_add_error(ctx->doc, SRC, "%s: %s", path, errtext(r));
        cJSON_AddNullToObject(ctx->doc, "pci_reservations");
        return;
    }
    arr = pve_reservations_parse(path, data, len, &problems, &np);
    free(data);
    for (i = 0; i < np; i++)
        ptd_doc_add_error(ctx->doc, SRC, "%s", problems[i]);
    pve_problems_free(problems, np);
    if (!arr)
        cJSON_AddNullToObject(ctx->doc, "pci_reservations");
    else
        cJSON_AddItemToObject(ctx->doc, "pci_reservations", arr);
}

/* The installed pve-qemu-kvm from dpkg's database: docs/schema.md `qemu`, null when dpkg's
 * database is absent or the package is not installed (not a Proxmox host). */
static void read_qemu_version(struct probe_ctx *ctx)
{
    char *data = NULL, *version = NULL, *upstream = NULL, *p;
    struct ptd_error err;
    size_t len = 0;
    cJSON *q;
    int r;

    r = ptd_root_read_file(ctx->root, DPKG_STATUS, DPKG_STATUS_MAX, &data, &len);
    if (r) {
        if (r != -ENOENT)
            ptd_doc_add_error(ctx->doc, SRC, "%s: %s", DPKG_STATUS, strerror(-r));
        cJSON_AddNullToObject(ctx->doc, "qemu");
        return;
    }
    r = dpkg_installed_version(DPKG_STATUS, data, len, QEMU_PACKAGE, &version, &err);
    free(data);
    if (r < 0)
        ptd_doc_add_error(ctx->doc, SRC, "%s", err.text);
    if (r <= 0) {
        cJSON_AddNullToObject(ctx->doc, "qemu");
        return;
    }
    /* deb-version(7): [epoch:]upstream[-revision]; the upstream part is QEMU's version */
    upstream = strdup(strchr(version, ':') ? strchr(version, ':') + 1 : version);
    if (upstream && (p = strrchr(upstream, '-')))
        *p = '\0';
    q = cJSON_AddObjectToObject(ctx->doc, "qemu");
    ptd_json_add_str(q, "package", QEMU_PACKAGE);
    ptd_json_add_str(q, "package_version", version);
    ptd_json_add_str(q, "version", upstream);
    ptd_json_add_str(q, "source", DPKG_STATUS);
    free(version);
    free(upstream);
}

/* Proxmox's own -cpu: `qm showcmd VMID --pretty` where helpers may run (live), else the copy
 * --save-snapshot kept (ROOT/run/ptdiag/showcmd-VMID.txt). */
static void showcmd(struct probe_ctx *ctx, cJSON *vm, unsigned vmid)
{
    cJSON *eff = cJSON_GetObjectItem(vm, "effective_cpu");
    char path[128], *text = NULL, *cpu_arg, *diff;
    const char *qm;
    int r;

    if (!cJSON_IsObject(eff))
        return;
    if (!ctx->allow_exec) {
        snprintf(path, sizeof(path), "/run/ptdiag/showcmd-%u.txt", vmid);
        r = ptd_root_read_file(ctx->root, path, 1u << 20, &text, NULL);
        if (r) {
            if (r != -ENOENT)
                ptd_doc_add_error(ctx->doc, SRC, "%s: %s", path, errtext(r));
            return;
        }
    } else {
        struct vm_exec_result res;
        char id[16];
        char *argv[] = {NULL, "showcmd", id, "--pretty", NULL};
        if (!(qm = vm_exec_qm_path()))
            return;
        snprintf(id, sizeof(id), "%u", vmid);
        argv[0] = (char *)qm;
        if (vm_exec_capture(argv, SHOWCMD_TIMEOUT_S, 1u << 20, &res) != 0) {
            ptd_doc_add_error(ctx->doc, SRC, "%s showcmd %u: %s", qm, vmid,
                              strerror(res.spawn_errno));
            return;
        }
        if (res.timed_out || res.status != 0) {
            ptd_doc_add_error(ctx->doc, SRC, "%s showcmd %u: %s%.200s", qm, vmid,
                              res.timed_out ? "timed out" : "failed: ", res.err);
            vm_exec_result_free(&res);
            return;
        }
        text = res.out;
        res.out = NULL;
        vm_exec_result_free(&res);
        /* --save-snapshot keeps Proxmox's answer where a replay reads it, for the VMs that
         * pass a device through (the others' command lines are no GPU fact) */
        if (ctx->captured && cJSON_GetArraySize(cJSON_GetObjectItem(vm, "hostpci")) > 0) {
            snprintf(path, sizeof(path), "/run/ptdiag/showcmd-%u.txt", vmid);
            cJSON_AddItemToObject(ctx->captured, path, cJSON_CreateString(text));
        }
    }
    cpu_arg = vm_cpu_arg_from_cmdline(text);
    free(text);
    if (!cpu_arg) {
        ptd_doc_add_error(ctx->doc, SRC, "qm showcmd %u: no -cpu in the command line", vmid);
        return;
    }
    diff = vm_cpu_apply_showcmd(eff, cpu_arg);
    if (diff)
        cJSON_ReplaceItemInObject(vm, "showcmd_diff", cJSON_CreateString(diff));
    free(diff);
    free(cpu_arg);
}

static int cmp_vmid(const void *a, const void *b)
{
    unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

    return x < y ? -1 : x > y;
}

static void read_vm(struct probe_ctx *ctx, cJSON *vms, unsigned vmid,
                    const struct vm_cpu_host *host)
{
    char path[128], *data = NULL;
    struct pve_conf conf;
    struct ptd_error err;
    size_t len = 0, i;
    cJSON *vm, *probs;
    int r;

    snprintf(path, sizeof(path), "/etc/pve/qemu-server/%u.conf", vmid);
    r = ptd_root_read_file(ctx->root, path, PVE_CONF_MAX_BYTES + 1, &data, &len);
    if (r) {
        ptd_doc_add_error(ctx->doc, SRC, "%s: %s", path, errtext(r));
        return;
    }
    if (pve_conf_parse(path, data, len, &conf, &err) != 0) {
        free(data);
        ptd_doc_add_error(ctx->doc, SRC, "%s", err.text);
        return;
    }
    free(data);
    vm = vm_facts_build(path, vmid, &conf, host);
    pve_conf_free(&conf);
    if (!vm)
        return;
    cJSON_AddItemToArray(vms, vm);
    probs = cJSON_GetObjectItem(vm, "config_problems");
    for (i = 0; i < (size_t)cJSON_GetArraySize(probs); i++)
        ptd_doc_add_error(ctx->doc, SRC, "%s", cJSON_GetArrayItem(probs, (int)i)->valuestring);
    showcmd(ctx, vm, vmid);
}

/* Replaces doc[key] (a string) with its redacted text: node and cluster names, addresses,
 * UUIDs, serials. */
static void redact_member(const struct host_redact_map *names, cJSON *obj, const char *key)
{
    const char *v = ptd_json_get_str(obj, key);
    char *r;

    if (!v)
        return;
    r = host_redact_map_text(names, v, strlen(v), NULL);
    cJSON_ReplaceItemInObject(obj, key,
                              r ? cJSON_CreateString(r) : cJSON_CreateString("[redacted]"));
    free(r);
}

/* Node name -> "[node-N]", N from the one mapping the snapshot uses too (redact_map.h). */
static void redact_node(struct host_redact_map *names, cJSON *item)
{
    char buf[32];

    if (!cJSON_IsString(item))
        return;
    host_redact_map_token(names, item->valuestring, buf, sizeof(buf));
    cJSON_SetValuestring(item, buf);
}

/* --redact: node (host) names, VM names, args, hookscript and descriptions. Runs after the
 * cross-reference, which needs the real node names. */
static void redact_vm_layer(struct ptd_root *root, cJSON *doc)
{
    struct host_redact_map names;
    cJSON *cl = cJSON_GetObjectItem(doc, "cluster"), *it, *m, *e;

    host_redact_map_build(root, &names);
    if (cJSON_IsObject(cl)) {
        redact_node(&names, cJSON_GetObjectItem(cl, "this_node"));
        cJSON_ArrayForEach(it, cJSON_GetObjectItem(cl, "nodes"))
        {
            redact_node(&names, it);
        }
        if (ptd_json_get_str(cl, "name"))
            cJSON_ReplaceItemInObject(cl, "name", cJSON_CreateString("[cluster]"));
    }
    cJSON_ArrayForEach(m, cJSON_GetObjectItem(doc, "mappings"))
    {
        redact_member(&names, m, "description");
        cJSON_ArrayForEach(e, cJSON_GetObjectItem(m, "map"))
        {
            redact_node(&names, cJSON_GetObjectItem(e, "node"));
            redact_member(&names, e, "description");
            /* raw holds node=NAME; the parsed members carry everything else */
            cJSON_ReplaceItemInObject(e, "raw", cJSON_CreateNull());
        }
    }
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(doc, "vms"))
    {
        if (ptd_json_get_str(it, "name"))
            cJSON_ReplaceItemInObject(it, "name", cJSON_CreateString("[vm-name]"));
        redact_member(&names, it, "args");
        redact_member(&names, it, "hookscript");
        cJSON_ArrayForEach(e, cJSON_GetObjectItem(it, "hostpci"))
        {
            cJSON *mc = cJSON_GetObjectItem(e, "mapping_check");
            if (cJSON_IsObject(mc))
                redact_node(&names, cJSON_GetObjectItem(mc, "node"));
        }
    }
    host_redact_map_free(&names);
}

void probe_vms_run(struct probe_ctx *ctx)
{
    struct vm_cpu_host host = {0};
    const cJSON *cpu_models;
    char **names = NULL;
    unsigned *ids = NULL;
    size_t count = 0, n = 0, i;
    cJSON *vms, *vm;
    int r;

    cpu_models = read_scfg(ctx, "/etc/pve/virtual-guest/cpu-models.conf", "cpu_models",
                           pve_cpu_models_to_json);
    read_scfg(ctx, "/etc/pve/mapping/pci.cfg", "mappings", pve_mapping_to_json);
    read_reservations(ctx);
    read_qemu_version(ctx);
    host.cpu_models = cpu_models;
    host.cpu_vendor = ptd_json_get_str(ctx->doc, "system.cpu.vendor");
    host.qemu_version = ptd_json_get_str(ctx->doc, "qemu.version");

    r = ptd_root_list_dir(ctx->root, "/etc/pve/qemu-server", &names, &count);
    if (r) {
        ptd_doc_add_error(ctx->doc, SRC, "/etc/pve/qemu-server: %s", strerror(-r));
        cJSON_AddNullToObject(ctx->doc, "vms");
        return;
    }
    ids = calloc(count ? count : 1, sizeof(*ids));
    for (i = 0; ids && i < count; i++) {
        size_t digits = strspn(names[i], "0123456789");
        if (digits && digits < 10 && !strcmp(names[i] + digits, ".conf"))
            ids[n++] = (unsigned)strtoul(names[i], NULL, 10);
    }
    ptd_strv_free(names);
    qsort(ids, n, sizeof(*ids), cmp_vmid);
    vms = cJSON_AddArrayToObject(ctx->doc, "vms");
    for (i = 0; i < n; i++)
        read_vm(ctx, vms, ids[i], &host);
    free(ids);
    if (ctx->only_vmid) {
        bool found = false;
        cJSON_ArrayForEach(vm, vms)
        {
            found |= ptd_json_int_or(vm, "vmid", PTD_VMID_MIN, PTD_VMID_MAX, -1) ==
                     (int64_t)strtoul(ctx->only_vmid, NULL, 10);
        }
        if (!found)
            ptd_doc_add_error(ctx->doc, SRC,
                              "/etc/pve/qemu-server/%s.conf: no such VM on this "
                              "node",
                              ctx->only_vmid);
    }
    vm_xref_run(ctx->root, ctx->doc);
    cJSON_ArrayForEach(vm, vms)
    {
    }
    if (ctx->redact)
        redact_vm_layer(ctx->root, ctx->doc);
}

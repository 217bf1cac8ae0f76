/* SPDX-License-Identifier: MIT */
/*
 * Joins one host document and any number of guest documents.
 *
 * A guest is tied to a VM by `--guest VMID=FILE`, or else by its GPUs: the VM whose passed
 * devices carry the same vendor:device and subsystem ids (BDFs differ inside the VM, so they
 * cannot be used). When more than one VM fits, the guest's host name is compared with the VM
 * names; if that does not decide it the guest stays untied and a note says why. Inside a tied
 * guest each passed GPU function is matched to one guest GPU by the same ids.
 */
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"
#include "report.h"

static void note(struct rpt_model *m, const char *source, const char *msg)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return;
    cJSON_AddStringToObject(o, "source", source);
    cJSON_AddStringToObject(o, "message", msg);
    cJSON_AddItemToArray(m->notes, o);
}

void rpt_model_free(struct rpt_model *m)
{
    if (!m)
        return;
    cJSON_Delete(m->host.json);
    free(m->host.file);
    cJSON_Delete(m->host_derived);
    for (size_t i = 0; i < m->ndevs; i++)
        cJSON_Delete(m->dev_derived[i]);
    free(m->dev_derived);
    for (size_t i = 0; i < m->nguests; i++) {
        struct rpt_guest *g = &m->guests[i];
        cJSON_Delete(g->doc.json);
        free(g->doc.file);
        cJSON_Delete(g->derived);
        for (size_t k = 0; k < g->ngpus; k++)
            cJSON_Delete(g->gpus[k].derived);
        free(g->gpus);
    }
    free(m->guests);
    for (size_t i = 0; i < m->npassed; i++)
        cJSON_Delete(m->passed[i].derived);
    free(m->passed);
    cJSON_Delete(m->notes);
    free(m);
}

static bool str_eq(const char *a, const char *b)
{
    return a && b && strcasecmp(a, b) == 0;
}

/* Ids the guest should see for a passed device: hostpci's vendor-id/device-id overrides win
 * (QEMU's x-pci-*-id), else the host device's own. */
static const char *want_id(const struct rpt_passed *p, const char *hp_key, const char *dev_key)
{
    const char *v = ptd_json_get_str(p->hp, hp_key);
    if (v && *v) {
        if (strncmp(v, "0x", 2) == 0)
            v += 2;
        return v;
    }
    return p->dev ? ptd_json_get_str(p->dev, dev_key) : NULL;
}

/* 2: vendor:device and subsystem match; 1: vendor:device match, subsystem unknown on one side;
 * 0: no match. */
static int match_score(const struct rpt_passed *p, const cJSON *gpu)
{
    if (!p->dev || ptd_json_get_tri(p->dev, "is_gpu") == 0)
        return 0;
    if (!str_eq(want_id(p, "vendor_id", "vendor_id"), ptd_json_get_str(gpu, "vendor_id")) ||
        !str_eq(want_id(p, "device_id", "device_id"), ptd_json_get_str(gpu, "device_id")))
        return 0;
    const char *hsv = want_id(p, "sub_vendor_id", "subsystem_vendor_id");
    const char *hsd = want_id(p, "sub_device_id", "subsystem_device_id");
    const char *gsv = ptd_json_get_str(gpu, "subsystem_vendor_id");
    const char *gsd = ptd_json_get_str(gpu, "subsystem_device_id");
    if (!hsv || !hsd || !gsv || !gsd)
        return 1;
    return str_eq(hsv, gsv) && str_eq(hsd, gsd) ? 2 : 0;
}

/* Index of the host device with this BDF, or -1. */
static int find_dev(const cJSON *devices, const char *bdf)
{
    int i = 0;
    const cJSON *d;
    cJSON_ArrayForEach(d, devices)
    {
        const char *b = ptd_json_get_str(d, "bdf");
        if (b && rpt_bdf_eq(b, bdf) && strchr(bdf, '.'))
            return i;
        i++;
    }
    return -1;
}

static int collect_passed(struct rpt_model *m)
{
    const cJSON *vms = cJSON_GetObjectItemCaseSensitive(m->host.json, "vms");
    const cJSON *devices = cJSON_GetObjectItemCaseSensitive(m->host.json, "devices");
    size_t cap = 0;
    const cJSON *vm;
    cJSON_ArrayForEach(vm, vms)
    {
        cap += (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(vm, "hostpci"));
    }
    if (cap == 0)
        return 0;
    m->passed = calloc(cap, sizeof *m->passed);
    if (!m->passed)
        return -1;
    int vi = 0;
    cJSON_ArrayForEach(vm, vms)
    {
        struct ptd_error why;
        if (rpt_vm_id(vm, &why) < 0 && why.text[0]) {
            char msg[PTD_ERROR_MAX + 64];
            snprintf(msg, sizeof msg, "%s: vms[%d].%s; the VM is not tied to a guest", m->host.file,
                     vi, why.text);
            note(m, "merge", msg);
        }
        const cJSON *hps = cJSON_GetObjectItemCaseSensitive(vm, "hostpci");
        int hi = 0;
        const cJSON *hp;
        cJSON_ArrayForEach(hp, hps)
        {
            struct rpt_passed *p = &m->passed[m->npassed++];
            p->vm = vm;
            p->vm_index = vi;
            p->hp = hp;
            p->hp_index = hi++;
            p->dev_index = -1;
            p->vmid = rpt_vm_id(vm, NULL);
            /* Prefer the display function of a whole-slot entry. */
            const cJSON *bdfs = cJSON_GetObjectItemCaseSensitive(hp, "resolved_bdfs");
            const cJSON *b;
            cJSON_ArrayForEach(b, bdfs)
            {
                if (!cJSON_IsString(b))
                    continue;
                int di = find_dev(devices, b->valuestring);
                if (di < 0)
                    continue;
                const cJSON *d = cJSON_GetArrayItem(devices, di);
                if (p->dev_index < 0 || ptd_json_get_tri(d, "is_gpu") == 1) {
                    bool was_gpu = p->dev && ptd_json_get_tri(p->dev, "is_gpu") == 1;
                    if (!was_gpu) {
                        p->dev = d;
                        p->dev_index = di;
                    }
                }
            }
        }
        vi++;
    }
    return 0;
}

static const cJSON *vm_by_id(const struct rpt_model *m, long vmid)
{
    const cJSON *vm;
    cJSON_ArrayForEach(vm, cJSON_GetObjectItemCaseSensitive(m->host.json, "vms"))
    {
        if (vmid >= 0 && rpt_vm_id(vm, NULL) == vmid)
            return vm;
    }
    return NULL;
}

static void tie_guest(struct rpt_model *m, struct rpt_guest *g, long vmid_arg)
{
    char msg[512];
    const char *ghost = ptd_json_get_str(g->doc.json, "system.hostname");
    if (vmid_arg >= 0) {
        g->vmid = vmid_arg;
        g->tied_by = "argument";
        g->vm = m->host.json ? vm_by_id(m, vmid_arg) : NULL;
        if (m->host.json && !g->vm) {
            snprintf(msg, sizeof msg, "%s: VM %ld (given with --guest) is not in the host document",
                     g->doc.file, vmid_arg);
            note(m, "merge", msg);
        }
        return;
    }
    if (!m->host.json)
        return;
    long cand[16];
    size_t ncand = 0;
    for (size_t i = 0; i < m->npassed; i++) {
        const struct rpt_passed *p = &m->passed[i];
        bool fits = false;
        for (size_t k = 0; k < g->ngpus && !fits; k++)
            fits = match_score(p, g->gpus[k].gpu) > 0;
        if (!fits)
            continue;
        bool seen = false;
        for (size_t c = 0; c < ncand; c++)
            seen |= cand[c] == p->vmid;
        if (!seen && ncand < 16)
            cand[ncand++] = p->vmid;
    }
    if (ncand == 1) {
        g->vmid = cand[0];
        g->tied_by = "ids";
    } else if (ncand > 1) {
        long by_name = -1;
        int hits = 0;
        for (size_t c = 0; c < ncand; c++) {
            const cJSON *vm = vm_by_id(m, cand[c]);
            if (vm && str_eq(ptd_json_get_str(vm, "name"), ghost))
                by_name = cand[c], hits++;
        }
        if (hits == 1) {
            g->vmid = by_name;
            g->tied_by = "hostname";
        } else {
            snprintf(msg, sizeof msg,
                     "%s: %zu VMs pass a GPU with these ids; give --guest VMID=%s to say which",
                     g->doc.file, ncand, g->doc.file);
            note(m, "merge", msg);
        }
    } else {
        snprintf(msg, sizeof msg,
                 "%s: no VM on this host passes a GPU with the ids this guest sees; "
                 "cross-layer rules are not checked for it",
                 g->doc.file);
        note(m, "merge", msg);
    }
    if (g->vmid >= 0)
        g->vm = vm_by_id(m, g->vmid);
}

/* Within the guest tied to each VM, give every passed GPU function one guest GPU. Exact
 * subsystem matches first, so two identical cards with different boards pair up correctly. */
static void match_gpus(struct rpt_model *m)
{
    for (int want = 2; want >= 1; want--) {
        for (size_t i = 0; i < m->npassed; i++) {
            struct rpt_passed *p = &m->passed[i];
            if (p->ggpu)
                continue;
            for (size_t gi = 0; gi < m->nguests && !p->ggpu; gi++) {
                struct rpt_guest *g = &m->guests[gi];
                if (g->vmid != p->vmid || g->vmid < 0)
                    continue;
                for (size_t k = 0; k < g->ngpus; k++) {
                    struct rpt_ggpu *gg = &g->gpus[k];
                    if (!gg->match && match_score(p, gg->gpu) == want) {
                        p->ggpu = gg;
                        gg->match = p;
                        break;
                    }
                }
            }
        }
    }
    for (size_t i = 0; i < m->npassed; i++) {
        struct rpt_passed *p = &m->passed[i];
        for (size_t gi = 0; gi < m->nguests; gi++)
            if (m->guests[gi].vmid >= 0 && m->guests[gi].vmid == p->vmid && !p->guest)
                p->guest = &m->guests[gi];
    }
}

int rpt_model_build(struct rpt_doc *docs, const long *vmids, size_t n, struct rpt_model **out,
                    struct ptd_error *err)
{
    struct rpt_model *m = calloc(1, sizeof *m);
    *out = NULL;
    if (!m || !(m->notes = cJSON_CreateArray()) ||
        !(m->guests = calloc(n ? n : 1, sizeof *m->guests))) {
        if (m)
            cJSON_Delete(m->notes);
        free(m);
        for (size_t i = 0; i < n; i++) {
            cJSON_Delete(docs[i].json);
            free(docs[i].file);
        }
        return ptd_error_set(err, "out of memory");
    }
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        if (docs[i].is_host) {
            if (m->host.json) {
                rc = ptd_error_set(err,
                                   "%s: a second host document (already have %s); give one "
                                   "host and its guests",
                                   docs[i].file, m->host.file);
                cJSON_Delete(docs[i].json);
                free(docs[i].file);
                continue;
            }
            m->host = docs[i];
        } else {
            struct rpt_guest *g = &m->guests[m->nguests++];
            g->doc = docs[i];
            g->vmid = -1;
        }
    }
    if (rc < 0)
        goto fail;
    if (m->host.json) {
        m->ndevs =
            (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(m->host.json, "devices"));
        m->dev_derived = calloc(m->ndevs ? m->ndevs : 1, sizeof *m->dev_derived);
        if (!m->dev_derived || collect_passed(m) < 0) {
            rc = ptd_error_set(err, "out of memory");
            goto fail;
        }
    }
    size_t gi = 0;
    for (size_t i = 0; i < n; i++) {
        if (docs[i].is_host)
            continue;
        struct rpt_guest *g = &m->guests[gi++];
        const cJSON *gpus = cJSON_GetObjectItemCaseSensitive(g->doc.json, "gpus");
        g->ngpus = (size_t)cJSON_GetArraySize(gpus);
        g->gpus = calloc(g->ngpus ? g->ngpus : 1, sizeof *g->gpus);
        if (!g->gpus) {
            rc = ptd_error_set(err, "out of memory");
            goto fail;
        }
        int k = 0;
        const cJSON *gpu;
        cJSON_ArrayForEach(gpu, gpus)
        {
            g->gpus[k].gpu = gpu;
            g->gpus[k].index = k;
            k++;
        }
        tie_guest(m, g, vmids ? vmids[i] : -1);
    }
    for (size_t a = 0; a < m->nguests; a++)
        for (size_t b = a + 1; b < m->nguests; b++)
            if (m->guests[a].vmid >= 0 && m->guests[a].vmid == m->guests[b].vmid) {
                char msg[512];
                snprintf(msg, sizeof msg, "%s and %s are both tied to VM %ld; %s is used",
                         m->guests[a].doc.file, m->guests[b].doc.file, m->guests[a].vmid,
                         m->guests[b].doc.file);
                note(m, "merge", msg);
                m->guests[a].vmid = -1;
                m->guests[a].vm = NULL;
            }
    match_gpus(m);
    rpt_derive_host(m);
    for (size_t i = 0; i < m->npassed; i++)
        rpt_derive_passed(m, &m->passed[i]);
    for (size_t i = 0; i < m->nguests; i++)
        rpt_derive_guest(m, &m->guests[i]);
    *out = m;
    return 0;
fail:
    rpt_model_free(m);
    return -1;
}

/* The containers every rule walks must have their documented type: a host document whose
 * "devices" is an object would otherwise lose its devices silently and read as healthy. Leaf
 * facts of a wrong type are left to the evaluator, which treats them as unknown. */
static int check_shape(const char *file, const cJSON *doc, bool host, struct ptd_error *err)
{
    static const char *const host_arrays[] = {
        "devices", "vms", "iommu_groups", "mappings", "pci_reservations", "errors", NULL};
    static const char *const host_objects[] = {"system", "kernel_log", "cluster", NULL};
    static const char *const guest_arrays[] = {"gpus", "amdgpu", "intel", "errors", NULL};
    static const char *const guest_objects[] = {"system",     "dxgi",      "vulkan", "nvidia",
                                                "kernel_log", "event_log", NULL};
    const char *const *arrays = host ? host_arrays : guest_arrays;
    const char *const *objects = host ? host_objects : guest_objects;
    for (size_t i = 0; arrays[i]; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, arrays[i]);
        if (v && !cJSON_IsNull(v) && !cJSON_IsArray(v))
            return ptd_error_set(err, "%s: \"%s\" must be an array or null (%s)", file, arrays[i],
                                 host ? PTD_SCHEMA_HOST : PTD_SCHEMA_GUEST);
    }
    for (size_t i = 0; objects[i]; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, objects[i]);
        if (v && !cJSON_IsNull(v) && !cJSON_IsObject(v))
            return ptd_error_set(err, "%s: \"%s\" must be an object or null (%s)", file, objects[i],
                                 host ? PTD_SCHEMA_HOST : PTD_SCHEMA_GUEST);
    }
    /* Elements of the lists the scopes iterate must be objects. */
    static const char *const iterated[] = {"devices", "vms", "gpus", NULL};
    for (size_t i = 0; iterated[i]; i++) {
        const cJSON *e;
        int k = 0;
        cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(doc, iterated[i]))
        {
            if (!cJSON_IsObject(e))
                return ptd_error_set(err, "%s: \"%s\"[%d] must be an object", file, iterated[i], k);
            k++;
        }
    }
    return 0;
}

int rpt_doc_check(const char *file, const cJSON *doc, bool *is_host, struct ptd_error *err)
{
    const char *schema = ptd_json_get_str(doc, "schema");
    bool host = schema && strcmp(schema, PTD_SCHEMA_HOST) == 0;
    bool guest = schema && strcmp(schema, PTD_SCHEMA_GUEST) == 0;
    if (!host && !guest)
        return ptd_error_set(err, "%s: schema \"%s\" is not %s or %s", file,
                             schema ? schema : "(none)", PTD_SCHEMA_HOST, PTD_SCHEMA_GUEST);
    *is_host = host;
    return check_shape(file, doc, host, err);
}

int rpt_model_load(const struct rpt_input *inputs, size_t n, struct rpt_model **out,
                   struct ptd_error *err)
{
    struct rpt_doc *docs = calloc(n ? n : 1, sizeof *docs);
    long *vmids = calloc(n ? n : 1, sizeof *vmids);
    int rc = -1;
    size_t loaded = 0;
    *out = NULL;
    if (!docs || !vmids) {
        rc = ptd_error_set(err, "out of memory");
        goto out;
    }
    for (; loaded < n; loaded++) {
        cJSON *j = NULL;
        if (ptd_doc_load(inputs[loaded].file, NULL, &j, err) < 0)
            goto out;
        bool host = false;
        if (rpt_doc_check(inputs[loaded].file, j, &host, err) < 0) {
            cJSON_Delete(j);
            goto out;
        }
        if (host && inputs[loaded].vmid >= 0) {
            ptd_error_set(err, "%s: --guest names a host document", inputs[loaded].file);
            cJSON_Delete(j);
            goto out;
        }
        docs[loaded].json = j;
        docs[loaded].is_host = host;
        docs[loaded].file = strdup(inputs[loaded].file);
        vmids[loaded] = inputs[loaded].vmid;
        if (!docs[loaded].file) {
            loaded++;
            ptd_error_set(err, "out of memory");
            goto out;
        }
    }
    rc = rpt_model_build(docs, vmids, n, out, err);
    loaded = 0; /* ownership passed */
out:
    for (size_t i = 0; i < loaded; i++) {
        cJSON_Delete(docs[i].json);
        free(docs[i].file);
    }
    free(docs);
    free(vmids);
    return rc;
}

/* SPDX-License-Identifier: MIT */
/*
 * The "oot" probe: Secure Boot, and the out-of-tree modules passthrough setups depend on
 * (vendor-reset, the NVIDIA (vGPU) host driver, i915-sriov). They are built by DKMS for each
 * kernel and break after every Proxmox kernel update: per module, which kernels DKMS built it
 * for (/var/lib/dkms/<name>/<version>/<kernel>/), whether a .ko exists under the running
 * kernel's /lib/modules, whether it is loaded and in what order relative to vfio-pci, and
 * whether the .ko carries a signature (the "~Module signature appended~" trailer that
 * scripts/sign-file writes; its PKCS#7 block names the signer).
 * Writes docs/schema.md `system.secure_boot` and `system.modules.out_of_tree`.
 */
#include "probe.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"

#include "module_sig.h"

#define SOURCE "oot"
/* efivarfs: 4 attribute bytes, then the variable (UEFI spec 3.3: SecureBoot is one byte) */
#define SECURE_BOOT_VAR "/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c"
/* the signature trailer sits at the end of the .ko; its PKCS#7 block is a few KiB */
#define KO_MAX (256u << 20)

struct oot_module {
    const char *name;       /* DKMS module name */
    const char *ko;         /* file name of the .ko */
    const char *loaded;     /* name in /proc/modules */
    bool needs_before_vfio; /* must be loaded before vfio-pci takes the device */
};

/* vendor-reset: github.com/gnif/vendor-reset (dkms.conf PACKAGE_NAME); NVIDIA's installer
 * --dkms registers "nvidia"; i915-sriov-dkms (github.com/strongtz/i915-sriov-dkms) builds an
 * i915.ko that replaces the in-tree one from updates/dkms. */
static const struct oot_module oot_modules[] = {
    {"vendor-reset", "vendor-reset.ko", "vendor_reset", true},
    {"nvidia", "nvidia.ko", "nvidia", false},
    {"i915-sriov-dkms", "i915.ko", "i915", false},
};

/* Where DKMS and NVIDIA's installer put out-of-tree modules, under /lib/modules/<kernel>. */
static const char *const ko_dirs[] = {"updates/dkms", "updates", "extra", "kernel/drivers/video"};

static cJSON *modules_obj(cJSON *doc)
{
    cJSON *sys = cJSON_GetObjectItemCaseSensitive(doc, "system"), *m;

    if (!sys)
        sys = cJSON_AddObjectToObject(doc, "system");
    m = cJSON_GetObjectItemCaseSensitive(sys, "modules");
    return m ? m : cJSON_AddObjectToObject(sys, "modules");
}

static void probe_secure_boot(struct probe_ctx *ctx)
{
    cJSON *sys = cJSON_GetObjectItemCaseSensitive(ctx->doc, "system");
    cJSON *sb = cJSON_AddObjectToObject(sys, "secure_boot");
    char *data = NULL;
    size_t len = 0;
    int efi = ptd_root_exists(ctx->root, "/sys/firmware/efi"), r;

    ptd_json_add_tri(sb, "efi", efi < 0 ? -1 : efi);
    if (efi == 0) {
        /* a legacy (CSM) boot has no Secure Boot */
        cJSON_AddFalseToObject(sb, "enabled");
        return;
    }
    r = ptd_root_read_file(ctx->root, SECURE_BOOT_VAR, 64, &data, &len);
    if (r == 0 && len == 5 && (data[4] == 0 || data[4] == 1)) {
        cJSON_AddBoolToObject(sb, "enabled", data[4] == 1);
        ptd_json_add_str(sb, "source", SECURE_BOOT_VAR);
    } else {
        ptd_doc_add_error(ctx->doc, SOURCE, "%s: %s", SECURE_BOOT_VAR,
                          r ? strerror(-r) : "not 4 attribute bytes and a 0/1 value");
        cJSON_AddNullToObject(sb, "enabled");
    }
    free(data);
}

/* DKMS's tree: /var/lib/dkms/<name>/<version>/<kernel>/<arch>/ per build. Adds the versions
 * and the kernels built for; returns 1 if one is the running kernel, 0 if not, -1 when DKMS
 * does not know the module. */
static int dkms_state(struct probe_ctx *ctx, const struct oot_module *m, const char *running,
                      cJSON *out)
{
    char path[PATH_MAX], **versions = NULL;
    size_t nv = 0, i, j;
    cJSON *vers, *kernels;
    int built_running = 0;

    snprintf(path, sizeof(path), "/var/lib/dkms/%s", m->name);
    if (ptd_root_list_dir(ctx->root, path, &versions, &nv) != 0)
        return -1;
    vers = cJSON_AddArrayToObject(out, "dkms_versions");
    kernels = cJSON_AddArrayToObject(out, "dkms_built_kernels");
    for (i = 0; i < nv; i++) {
        char **ks = NULL;
        size_t nk = 0;

        /* "kernel-<release>-<arch>" links and "source" sit beside the version directories */
        if (versions[i][0] < '0' || versions[i][0] > '9')
            continue;
        cJSON_AddItemToArray(vers, cJSON_CreateString(versions[i]));
        snprintf(path, sizeof(path), "/var/lib/dkms/%s/%s", m->name, versions[i]);
        if (ptd_root_list_dir(ctx->root, path, &ks, &nk) != 0)
            continue;
        for (j = 0; j < nk; j++) {
            if (!strcmp(ks[j], "source") || !strcmp(ks[j], "build"))
                continue;
            cJSON_AddItemToArray(kernels, cJSON_CreateString(ks[j]));
            if (running && !strcmp(ks[j], running))
                built_running = 1;
        }
        ptd_strv_free(ks);
    }
    ptd_strv_free(versions);
    return built_running;
}

/* The .ko under the running kernel's tree, and its signature trailer. */
static bool ko_state(struct probe_ctx *ctx, const struct oot_module *m, const char *running,
                     cJSON *out)
{
    char path[PATH_MAX], *data = NULL;
    struct module_sig sig;
    size_t len = 0, i;
    int r = -ENOENT;

    for (i = 0; running && i < sizeof(ko_dirs) / sizeof(ko_dirs[0]) && r == -ENOENT; i++) {
        snprintf(path, sizeof(path), "/lib/modules/%s/%s/%s", running, ko_dirs[i], m->ko);
        r = ptd_root_read_file(ctx->root, path, KO_MAX, &data, &len);
    }
    if (r) {
        if (r != -ENOENT)
            ptd_doc_add_error(ctx->doc, SOURCE, "%s: %s", path, strerror(-r));
        ptd_json_add_str(out, "ko_path", NULL);
        ptd_json_add_tri(out, "ko_present", running && r == -ENOENT ? 0 : -1);
        ptd_json_add_tri(out, "signed", -1);
        return false;
    }
    ptd_json_add_str(out, "ko_path", path);
    cJSON_AddTrueToObject(out, "ko_present");
    r = module_sig_parse(data, len, &sig);
    if (r < 0) {
        ptd_doc_add_error(ctx->doc, SOURCE, "%s: %s", path, sig.error);
        ptd_json_add_tri(out, "signed", -1);
    } else {
        cJSON_AddBoolToObject(out, "signed", r == 1);
        ptd_json_add_str(out, "signature_type", r == 1 ? sig.id_type : NULL);
        ptd_json_add_str(out, "signer", r == 1 && sig.signer[0] ? sig.signer : NULL);
    }
    free(data);
    return true;
}

/* Position in /proc/modules (newest first), or -1. */
static int load_position(const cJSON *loaded, const char *name)
{
    const cJSON *it;
    int i = 0;

    cJSON_ArrayForEach(it, loaded)
    {
        if (cJSON_IsString(it) && !strcmp(it->valuestring, name))
            return i;
        i++;
    }
    return -1;
}

static void probe_one(struct probe_ctx *ctx, const struct oot_module *m, const char *running,
                      const cJSON *loaded, cJSON *arr)
{
    cJSON *o = cJSON_CreateObject();
    int dkms, pos = load_position(loaded, m->loaded), vfio = load_position(loaded, "vfio_pci");
    bool ko;

    ptd_json_add_str(o, "name", m->name);
    ptd_json_add_str(o, "module", m->loaded);
    dkms = dkms_state(ctx, m, running, o);
    ko = ko_state(ctx, m, running, o);
    /* i915 and nvidia from the kernel's own tree are not out-of-tree: only list what DKMS
     * knows, what sits in an out-of-tree directory, or (vendor-reset) what is loaded */
    if (dkms < 0 && !ko && !(pos >= 0 && m->needs_before_vfio)) {
        cJSON_Delete(o);
        return;
    }
    if (dkms < 0)
        cJSON_AddNullToObject(o, "dkms_built_for_running_kernel");
    else
        cJSON_AddBoolToObject(o, "dkms_built_for_running_kernel", dkms == 1);
    ptd_json_add_tri(o, "loaded", cJSON_IsArray(loaded) ? pos >= 0 : -1);
    /* /proc/modules lists the newest first: a larger position was loaded earlier */
    if (m->needs_before_vfio && pos >= 0 && vfio >= 0)
        cJSON_AddBoolToObject(o, "loaded_before_vfio_pci", pos > vfio);
    else
        cJSON_AddNullToObject(o, "loaded_before_vfio_pci");
    cJSON_AddItemToArray(arr, o);
}

void probe_oot_run(struct probe_ctx *ctx)
{
    const char *running = ptd_json_get_str(ctx->doc, "system.kernel_release");
    cJSON *mods = modules_obj(ctx->doc);
    const cJSON *loaded = cJSON_GetObjectItemCaseSensitive(mods, "loaded");
    cJSON *arr;
    size_t i;

    probe_secure_boot(ctx);
    arr = cJSON_AddArrayToObject(mods, "out_of_tree");
    for (i = 0; arr && i < sizeof(oot_modules) / sizeof(oot_modules[0]); i++)
        probe_one(ctx, &oot_modules[i], running, loaded, arr);
}

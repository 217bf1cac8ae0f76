/* SPDX-License-Identifier: MIT */
/*
 * The "inventory" probe: the versions every bug report asks for first. Proxmox's packages and
 * its installed kernels (dpkg's database), the versions of the loaded GPU and vfio modules
 * (/sys/module/<m>/version, srcversion), the firmware (/sys/class/dmi/id: vendor, version,
 * date, board; never the serial or UUID files) and the CPU microcode revision (/proc/cpuinfo).
 * Writes docs/schema.md `inventory`. Facts only: which kernel "should" run is the report's.
 */
#include "probe.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"

#include "dpkg_status.h"

#define SOURCE      "inventory"
#define DPKG_STATUS "/var/lib/dpkg/status"
/* a Proxmox host's dpkg status is a few MiB; 64 MiB is no dpkg database */
#define DPKG_STATUS_MAX (64u << 20)
/* /proc/cpuinfo repeats one block per logical CPU; a 512-thread host writes ~1 MiB. */
#define CPUINFO_MAX (8u << 20)

/* The packages a Proxmox bug report names (pveversion's first lines). */
static const char *const pve_packages[] = {"proxmox-ve", "pve-manager", "qemu-server",
                                           "pve-qemu-kvm", "pve-firmware"};

/* The loaded modules whose version matters to passthrough: vfio, the GPU drivers a card may
 * be bound to on the host, and the out-of-tree ones (vendor-reset, NVIDIA vGPU). */
static const char *const versioned_modules[] = {
    "vfio",    "vfio_pci",     "vfio_iommu_type1", "vfio_pci_core", "kvm",    "kvm_intel",
    "kvm_amd", "nvidia",       "nouveau",          "amdgpu",        "radeon", "i915",
    "xe",      "vendor_reset", "nvidia_vgpu_vfio", "mdev"};

/* A Proxmox kernel image package: "proxmox-kernel-6.8.12-4-pve-signed" (PVE 8),
 * "proxmox-kernel-6.8.12-4-pve", "pve-kernel-5.15.158-2-pve" (PVE 7). Writes the release
 * ("6.8.12-4-pve") into rel; false for meta packages ("proxmox-kernel-6.8",
 * "proxmox-default-kernel") and headers. */
static bool kernel_release_of(const char *pkg, size_t n, char *rel, size_t rellen)
{
    static const char *const prefixes[] = {"proxmox-kernel-", "pve-kernel-"};
    const char *p = NULL;
    size_t i, k;

    for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]) && !p; i++) {
        k = strlen(prefixes[i]);
        if (n > k && !strncmp(pkg, prefixes[i], k))
            p = pkg + k;
    }
    if (!p || *p < '0' || *p > '9')
        return false;
    k = (size_t)(pkg + n - p);
    if (k > 7 && !strncmp(p + k - 7, "-signed", 7))
        k -= 7;
    if (k < 4 || strncmp(p + k - 4, "-pve", 4) || k >= rellen)
        return false;
    memcpy(rel, p, k);
    rel[k] = '\0';
    return true;
}

struct dpkg_walk {
    cJSON *packages, *kernels;
};

static int inventory_visit(const char *pkg, size_t n, const char *ver, size_t vn, void *user)
{
    struct dpkg_walk *w = user;
    char name[128], version[160], rel[96];
    size_t i;
    cJSON *k;

    if (n >= sizeof(name) || !ver || vn >= sizeof(version))
        return 0;
    memcpy(name, pkg, n);
    name[n] = '\0';
    memcpy(version, ver, vn);
    version[vn] = '\0';
    for (i = 0; i < sizeof(pve_packages) / sizeof(pve_packages[0]); i++)
        if (!strcmp(name, pve_packages[i]))
            ptd_json_add_str(w->packages, name, version);
    if (kernel_release_of(name, n, rel, sizeof(rel)) && (k = cJSON_CreateObject()) != NULL) {
        ptd_json_add_str(k, "package", name);
        ptd_json_add_str(k, "version", version);
        ptd_json_add_str(k, "release", rel);
        cJSON_AddItemToArray(w->kernels, k);
    }
    return 0;
}

static void probe_packages(struct probe_ctx *ctx, cJSON *inv)
{
    struct dpkg_walk w;
    struct ptd_error err;
    char *data = NULL;
    size_t len = 0, i;
    cJSON *kernel = cJSON_AddObjectToObject(inv, "kernel");
    const char *running = ptd_json_get_str(ctx->doc, "system.kernel_release");
    const cJSON *k;
    int r, found = 0;

    ptd_json_add_str(kernel, "running", running);
    r = ptd_root_read_file(ctx->root, DPKG_STATUS, DPKG_STATUS_MAX, &data, &len);
    if (r) {
        if (r != -ENOENT)
            ptd_doc_add_error(ctx->doc, SOURCE, "%s: %s", DPKG_STATUS, strerror(-r));
        cJSON_AddNullToObject(inv, "packages");
        cJSON_AddNullToObject(kernel, "installed");
        cJSON_AddNullToObject(kernel, "running_installed");
        return;
    }
    w.packages = cJSON_CreateObject();
    w.kernels = cJSON_CreateArray();
    if (dpkg_for_each_installed(DPKG_STATUS, data, len, inventory_visit, &w, &err) != 0) {
        ptd_doc_add_error(ctx->doc, SOURCE, "%s", err.text);
        cJSON_Delete(w.packages);
        cJSON_Delete(w.kernels);
        cJSON_AddNullToObject(inv, "packages");
        cJSON_AddNullToObject(kernel, "installed");
        cJSON_AddNullToObject(kernel, "running_installed");
        goto out;
    }
    /* a package not installed is null, so "absent" and "not looked at" differ */
    for (i = 0; i < sizeof(pve_packages) / sizeof(pve_packages[0]); i++)
        if (!cJSON_GetObjectItemCaseSensitive(w.packages, pve_packages[i]))
            cJSON_AddNullToObject(w.packages, pve_packages[i]);
    cJSON_AddItemToObject(inv, "packages", w.packages);
    cJSON_AddItemToObject(kernel, "installed", w.kernels);
    cJSON_ArrayForEach(k, w.kernels)
    {
        const char *rel = ptd_json_get_str(k, "release");
        if (running && rel && !strcmp(rel, running))
            found = 1;
    }
    /* a host with no Proxmox kernel package runs a kernel from elsewhere: unknown */
    if (!running || !cJSON_GetArraySize(w.kernels))
        cJSON_AddNullToObject(kernel, "running_installed");
    else
        cJSON_AddBoolToObject(kernel, "running_installed", found);
out:
    free(data);
}

/* /sys/module/<m>/version exists only for modules that declare MODULE_VERSION; srcversion
 * (a hash of the sources) for every loadable module: together they tell builds apart. */
static void probe_module_versions(struct probe_ctx *ctx, cJSON *inv)
{
    cJSON *arr = cJSON_AddArrayToObject(inv, "modules");
    size_t i;

    for (i = 0; arr && i < sizeof(versioned_modules) / sizeof(versioned_modules[0]); i++) {
        char path[96], buf[128];
        cJSON *m;

        snprintf(path, sizeof(path), "/sys/module/%s", versioned_modules[i]);
        if (ptd_root_exists(ctx->root, path) != 1)
            continue;
        m = cJSON_CreateObject();
        ptd_json_add_str(m, "name", versioned_modules[i]);
        snprintf(path, sizeof(path), "/sys/module/%s/version", versioned_modules[i]);
        ptd_json_add_str(m, "version",
                         ptd_root_read_attr(ctx->root, path, buf, sizeof(buf)) ? NULL : buf);
        snprintf(path, sizeof(path), "/sys/module/%s/srcversion", versioned_modules[i]);
        ptd_json_add_str(m, "srcversion",
                         ptd_root_read_attr(ctx->root, path, buf, sizeof(buf)) ? NULL : buf);
        cJSON_AddItemToArray(arr, m);
    }
}

/* The firmware's identity. The serial and UUID files next to these are never read: they
 * identify the machine and say nothing about passthrough. */
static void probe_firmware(struct probe_ctx *ctx, cJSON *inv)
{
    static const char *const attrs[][2] = {
        {"vendor", "bios_vendor"},
        {"version", "bios_version"},
        {"date", "bios_date"},
        {"system_vendor", "sys_vendor"},
        {"product_name", "product_name"},
        {"board_vendor", "board_vendor"},
        {"board_name", "board_name"},
    };
    cJSON *fw = cJSON_AddObjectToObject(inv, "firmware");
    size_t i;

    for (i = 0; fw && i < sizeof(attrs) / sizeof(attrs[0]); i++) {
        char path[96], buf[256];
        int r;

        snprintf(path, sizeof(path), "/sys/class/dmi/id/%s", attrs[i][1]);
        r = ptd_root_read_attr(ctx->root, path, buf, sizeof(buf));
        if (r && r != -ENOENT)
            ptd_doc_add_error(ctx->doc, SOURCE, "%s: %s", path, strerror(-r));
        ptd_json_add_str(fw, attrs[i][0], r ? NULL : buf);
    }
}

/* "microcode\t: 0x2b000603" per logical CPU; the distinct values (a mixed set means a CPU
 * the early update missed). */
static void probe_microcode(struct probe_ctx *ctx, cJSON *inv)
{
    char *data = NULL, *line, *save = NULL;
    cJSON *arr;
    int r = ptd_root_read_file(ctx->root, "/proc/cpuinfo", CPUINFO_MAX, &data, NULL);

    if (r) {
        ptd_doc_add_error(ctx->doc, SOURCE, "/proc/cpuinfo: %s", strerror(-r));
        cJSON_AddNullToObject(inv, "cpu_microcode");
        return;
    }
    arr = cJSON_AddArrayToObject(inv, "cpu_microcode");
    for (line = strtok_r(data, "\n", &save); arr && line; line = strtok_r(NULL, "\n", &save)) {
        const cJSON *seen;
        char *v;
        bool dup = false;

        if (strncmp(line, "microcode", 9) || (line[9] != '\t' && line[9] != ' ' && line[9] != ':'))
            continue;
        v = strchr(line, ':');
        if (!v)
            continue;
        v += 1 + strspn(v + 1, " \t");
        v[strcspn(v, " \t\r")] = '\0';
        if (!*v || strlen(v) > 32)
            continue;
        cJSON_ArrayForEach(seen, arr) dup |= !strcmp(seen->valuestring, v);
        if (!dup)
            cJSON_AddItemToArray(arr, cJSON_CreateString(v));
    }
    free(data);
}

void probe_inventory_run(struct probe_ctx *ctx)
{
    cJSON *inv = cJSON_AddObjectToObject(ctx->doc, "inventory");

    if (!inv)
        return;
    probe_packages(ctx, inv);
    probe_module_versions(ctx, inv);
    probe_firmware(ctx, inv);
    probe_microcode(ctx, inv);
}

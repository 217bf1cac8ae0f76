/* SPDX-License-Identifier: MIT */
/*
 * The "boot" probe: the running kernel's command line (/proc/cmdline) reduced to the
 * IOMMU-relevant flags, the boot loader in use, what each loader's configuration asks for
 * (/etc/default/grub + grub.d for GRUB, /etc/kernel/cmdline for systemd-boot via
 * proxmox-boot-tool), and when the running kernel's initramfs was built.
 *
 * Showing both configuration files next to the booted command line is the point: a flag
 * added to the file the loader does not read is the most common Proxmox setup mistake.
 * Writes doc.system.cmdline and doc.system.boot.
 */
#include "probe.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ptdiag/doc.h"

#define SOURCE "boot"

static cJSON *system_obj(cJSON *doc)
{
    cJSON *sys = cJSON_GetObjectItemCaseSensitive(doc, "system");

    return sys ? sys : cJSON_AddObjectToObject(doc, "system");
}

/* Adds a string that may carry identifiers (root=UUID=..., ip=...), redacted on request. */
static void add_text(struct probe_ctx *ctx, cJSON *obj, const char *key, const char *value)
{
    char *r;

    if (!value || !ctx->redact) {
        ptd_json_add_str(obj, key, value);
        return;
    }
    r = host_redact_text(value, strlen(value), NULL, NULL);
    ptd_json_add_str(obj, key, r ? r : "[redacted]");
    free(r);
}

/* ---- /proc/cmdline ---- */

/* Kernel parameters that bear on passthrough besides the ones with their own field. */
static const char *const other_keys[] = {
    "pci",
    "pcie_aspm",
    "pcie_ports",
    "pcie_port_pm",
    "kvm.ignore_msrs",
    "kvm.report_ignored_msrs",
    "kvm_amd.avic",
    "kvm_intel.nested",
    "kvm_amd.nested",
    "iommu.passthrough",
    "iommu.strict",
    "amd_iommu_intr",
    "intremap",
    "nofb",
    "nomodeset",
    "modprobe.blacklist",
    "module_blacklist",
    "rd.driver.blacklist",
    "rd.driver.pre",
    "vfio-pci.disable_vga",
    "vfio_pci.disable_vga",
    "vfio-pci.disable_idle_d3",
    "vfio_pci.disable_idle_d3",
    "vfio_iommu_type1.allow_unsafe_interrupts",
    "vfio-pci.disable_denylist",
    "vfio_pci.disable_denylist",
    "efifb",
    "vga",
    "default_hugepagesz",
    "hugepagesz",
    "hugepages",
    "isolcpus",
    "mitigations",
    "sysfb_init",
    "amdgpu.runpm",
    "nouveau.modeset",
    "nvidia-drm.modeset",
    "i915.modeset",
    "xe.force_probe",
    "i915.force_probe",
    "iommu.forcedac",
};

/* Splits one kernel command line token at start into key and value ("" for a bare flag).
 * Double quotes group a value with spaces, as the kernel's next_arg() does. Returns the
 * position after the token. */
static const char *next_param(const char *p, char *key, size_t keylen, char *val, size_t vallen)
{
    size_t k = 0, v = 0;
    bool quoted = false, in_val = false;

    while (*p == ' ' || *p == '\t' || *p == '\n')
        p++;
    for (; *p && (quoted || (*p != ' ' && *p != '\t' && *p != '\n')); p++) {
        if (*p == '"') {
            quoted = !quoted;
            continue;
        }
        if (!in_val && *p == '=') {
            in_val = true;
            continue;
        }
        if (in_val) {
            if (v + 1 < vallen)
                val[v++] = *p;
        } else if (k + 1 < keylen) {
            key[k++] = *p;
        }
    }
    key[k] = '\0';
    val[v] = '\0';
    return p;
}

/* The kernel treats '-' and '_' in parameter names alike. */
static bool key_is(const char *key, const char *want)
{
    for (; *key && *want; key++, want++) {
        char a = *key == '-' ? '_' : *key, b = *want == '-' ? '_' : *want;
        if (a != b)
            return false;
    }
    return *key == *want;
}

static void add_list_values(cJSON *arr, const char *val, bool split_commas)
{
    char buf[1024];
    char *tok, *save = NULL;

    if (!arr)
        return;
    if (!split_commas) {
        cJSON_AddItemToArray(arr, cJSON_CreateString(val));
        return;
    }
    snprintf(buf, sizeof(buf), "%s", val);
    for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
        cJSON_AddItemToArray(arr, cJSON_CreateString(tok));
}

static void set_str(cJSON *obj, const char *key, const char *value)
{
    cJSON *item = cJSON_CreateString(value);

    if (!item)
        return;
    /* in place, so the document keeps the field order of the schema */
    if (cJSON_GetObjectItemCaseSensitive(obj, key))
        cJSON_ReplaceItemInObjectCaseSensitive(obj, key, item);
    else
        cJSON_AddItemToObject(obj, key, item);
}

static void probe_cmdline(struct probe_ctx *ctx, cJSON *sys)
{
    cJSON *cl = cJSON_AddObjectToObject(sys, "cmdline"), *video, *icb, *other;
    char *raw = NULL, key[128], val[1024];
    const char *p;
    size_t i;
    int ret;

    if (!cl)
        return;
    ret = ptd_root_read_file(ctx->root, "/proc/cmdline", 64 * 1024, &raw, NULL);
    if (ret) {
        ptd_doc_add_error(ctx->doc, SOURCE, "/proc/cmdline: %s", strerror(-ret));
        cJSON_AddNullToObject(cl, "raw");
        /* every flag is unknown, not absent */
        cJSON_AddNullToObject(cl, "intel_iommu");
        cJSON_AddNullToObject(cl, "amd_iommu");
        cJSON_AddNullToObject(cl, "iommu");
        cJSON_AddNullToObject(cl, "pcie_acs_override");
        cJSON_AddNullToObject(cl, "video");
        cJSON_AddNullToObject(cl, "initcall_blacklist");
        cJSON_AddNullToObject(cl, "vfio_pci_ids");
        cJSON_AddNullToObject(cl, "other_relevant");
        return;
    }
    raw[strcspn(raw, "\n")] = '\0';
    add_text(ctx, cl, "raw", raw);
    cJSON_AddNullToObject(cl, "intel_iommu");
    cJSON_AddNullToObject(cl, "amd_iommu");
    cJSON_AddNullToObject(cl, "iommu");
    cJSON_AddNullToObject(cl, "pcie_acs_override");
    video = cJSON_AddArrayToObject(cl, "video");
    icb = cJSON_AddArrayToObject(cl, "initcall_blacklist");
    cJSON_AddNullToObject(cl, "vfio_pci_ids");
    other = cJSON_AddObjectToObject(cl, "other_relevant");
    /* Later occurrences win, as they do for the kernel's own parsing of these flags. */
    for (p = raw; *p;) {
        p = next_param(p, key, sizeof(key), val, sizeof(val));
        if (!key[0])
            continue;
        if (strcmp(key, "--") == 0 && !val[0])
            break; /* the rest are arguments for init */
        if (key_is(key, "intel_iommu") || key_is(key, "amd_iommu") || key_is(key, "iommu") ||
            key_is(key, "pcie_acs_override")) {
            for (i = 0; key[i]; i++)
                key[i] = key[i] == '-' ? '_' : key[i];
            set_str(cl, key, val);
        } else if (key_is(key, "video"))
            add_list_values(video, val, false);
        else if (key_is(key, "initcall_blacklist"))
            add_list_values(icb, val, true);
        else if (key_is(key, "vfio_pci.ids"))
            set_str(cl, "vfio_pci_ids", val);
        else if (other) {
            for (i = 0; i < sizeof(other_keys) / sizeof(other_keys[0]); i++) {
                if (key_is(key, other_keys[i])) {
                    set_str(other, key, val);
                    break;
                }
            }
        }
    }
    free(raw);
}

/* ---- /etc/default/grub ---- */

struct grub_vars {
    char *linux_default; /* malloc'd, NULL when never set */
    char *linux_args;
    bool seen_file;
};

/* Expands $VAR / ${VAR} for the two GRUB variables (the common
 * GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT intel_iommu=on" in grub.d). */
static char *expand(const char *s, const struct grub_vars *gv)
{
    size_t ld = gv->linux_default ? strlen(gv->linux_default) : 0;
    size_t la = gv->linux_args ? strlen(gv->linux_args) : 0;
    size_t dollars = 0;
    const char *q;
    char *out, *o;

    /* each '$' expands to at most the longer of the two values */
    for (q = s; *q; q++)
        dollars += *q == '$';
    out = malloc(strlen(s) + dollars * (ld > la ? ld : la) + 1);
    o = out;

    if (!out)
        return NULL;
    while (*s) {
        static const char *const names[] = {"GRUB_CMDLINE_LINUX_DEFAULT", "GRUB_CMDLINE_LINUX"};
        bool done = false;
        size_t i;

        if (*s == '$') {
            bool brace = s[1] == '{';
            const char *name = s + 1 + brace;

            for (i = 0; i < 2 && !done; i++) {
                size_t n = strlen(names[i]);
                const char *val = i == 0 ? gv->linux_default : gv->linux_args;
                const char *after = name + n;

                if (strncmp(name, names[i], n) != 0)
                    continue;
                if (brace && *after != '}')
                    continue;
                if (!brace && (*after == '_' || (*after >= 'A' && *after <= 'Z')))
                    continue;
                if (val) {
                    strcpy(o, val);
                    o += strlen(val);
                }
                s = after + brace;
                done = true;
            }
        }
        if (!done)
            *o++ = *s++;
    }
    *o = '\0';
    return out;
}

/* Parses one shell-style assignment value: "..." / '...' / bare word. */
static void unquote(const char *v, char *out, size_t outlen)
{
    size_t n = 0;
    char q = 0;

    if (*v == '"' || *v == '\'')
        q = *v++;
    for (; *v && n + 1 < outlen; v++) {
        if (q && *v == q)
            break;
        if (!q && (*v == ' ' || *v == '\t' || *v == '#' || *v == ';'))
            break;
        if (q == '"' && *v == '\\' && v[1])
            v++;
        out[n++] = *v;
    }
    out[n] = '\0';
}

static void parse_grub_file(struct probe_ctx *ctx, const char *path, struct grub_vars *gv)
{
    char *data = NULL, *line, *save = NULL;
    int ret = ptd_root_read_file(ctx->root, path, 1 << 20, &data, NULL);

    if (ret) {
        if (ret != -ENOENT)
            ptd_doc_add_error(ctx->doc, SOURCE, "%s: %s", path, strerror(-ret));
        return;
    }
    gv->seen_file = true;
    for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char val[4096], *exp;
        char **slot = NULL;

        line += strspn(line, " \t");
        if (strncmp(line, "export ", 7) == 0)
            line += 7 + strspn(line + 7, " \t");
        if (strncmp(line, "GRUB_CMDLINE_LINUX_DEFAULT=", 27) == 0) {
            slot = &gv->linux_default;
            line += 27;
        } else if (strncmp(line, "GRUB_CMDLINE_LINUX=", 19) == 0) {
            slot = &gv->linux_args;
            line += 19;
        } else {
            continue;
        }
        unquote(line, val, sizeof(val));
        exp = expand(val, gv);
        if (!exp)
            continue;
        free(*slot);
        *slot = exp;
    }
    free(data);
}

static void probe_grub(struct probe_ctx *ctx, cJSON *boot)
{
    struct grub_vars gv = {0};
    char **names = NULL;
    size_t n = 0, i;
    int ret;

    /* grub-mkconfig sources /etc/default/grub, then each /etc/default/grub.d/NAME.cfg in order */
    parse_grub_file(ctx, "/etc/default/grub", &gv);
    ret = ptd_root_list_dir(ctx->root, "/etc/default/grub.d", &names, &n);
    if (ret && ret != -ENOENT)
        ptd_doc_add_error(ctx->doc, SOURCE, "/etc/default/grub.d: %s", strerror(-ret));
    for (i = 0; i < n; i++) {
        char path[PATH_MAX];
        size_t len = strlen(names[i]);

        if (len < 5 || strcmp(names[i] + len - 4, ".cfg") != 0)
            continue;
        snprintf(path, sizeof(path), "/etc/default/grub.d/%s", names[i]);
        parse_grub_file(ctx, path, &gv);
    }
    ptd_strv_free(names);
    add_text(ctx, boot, "grub_cmdline_linux_default", gv.linux_default);
    add_text(ctx, boot, "grub_cmdline_linux", gv.linux_args);
    free(gv.linux_default);
    free(gv.linux_args);
}

/* ---- loader, /etc/kernel/cmdline, initramfs ---- */

static int exists(struct probe_ctx *ctx, const char *path)
{
    int ret = ptd_root_exists(ctx->root, path);

    if (ret < 0) {
        ptd_doc_add_error(ctx->doc, SOURCE, "%s: %s", path, strerror(-ret));
        return -1;
    }
    return ret;
}

static void probe_loader(struct probe_ctx *ctx, cJSON *boot)
{
    int efi = exists(ctx, "/sys/firmware/efi");
    int pbt = exists(ctx, "/etc/kernel/proxmox-boot-uuids");

    /* Only "/sys/firmware present, efi absent" means legacy BIOS: a container or a --root
     * tree without /sys/firmware says nothing about how the host booted. */
    if (efi == 0 && exists(ctx, "/sys/firmware") == 0) {
        ptd_doc_add_error(ctx->doc, SOURCE,
                          "/sys/firmware: missing (container or partial tree): EFI unknown");
        efi = -1;
    }
    const char *loader = "unknown", *evidence = "no boot loader evidence found", *config = NULL;

    ptd_json_add_tri(boot, "efi", efi);
    /* proxmox-boot-tool keeps the ESPs it manages in proxmox-boot-uuids; it installs
     * systemd-boot on UEFI and GRUB on legacy BIOS, and both then take the command line
     * from /etc/kernel/cmdline. A plain install boots GRUB from /boot/grub. */
    if (pbt == 1 && efi == 1) {
        loader = "systemd-boot";
        evidence = "/sys/firmware/efi + /etc/kernel/proxmox-boot-uuids";
        config = "/etc/kernel/cmdline";
    } else if (pbt == 1 && efi == 0) {
        loader = "grub";
        evidence = "/etc/kernel/proxmox-boot-uuids without /sys/firmware/efi (proxmox-boot-tool "
                   "on legacy BIOS uses GRUB)";
        config = "/etc/kernel/cmdline";
    } else if (exists(ctx, "/boot/efi/loader") == 1) {
        loader = "systemd-boot";
        evidence = "/boot/efi/loader";
        config = "/etc/kernel/cmdline";
    } else if (exists(ctx, "/boot/grub/grub.cfg") == 1 || exists(ctx, "/boot/grub") == 1) {
        loader = "grub";
        evidence = efi == 1 ? "/boot/grub + /sys/firmware/efi" : "/boot/grub";
        config = "/etc/default/grub";
    }
    ptd_json_add_str(boot, "loader", loader);
    ptd_json_add_str(boot, "loader_evidence", evidence);
    /* which file the loader's command line comes from: the other one is ignored */
    ptd_json_add_str(boot, "cmdline_config", config);
}

static void probe_kernel_cmdline(struct probe_ctx *ctx, cJSON *boot)
{
    char *data = NULL;
    int ret = ptd_root_read_file(ctx->root, "/etc/kernel/cmdline", 64 * 1024, &data, NULL);

    if (ret) {
        if (ret != -ENOENT)
            ptd_doc_add_error(ctx->doc, SOURCE, "/etc/kernel/cmdline: %s", strerror(-ret));
        cJSON_AddNullToObject(boot, "kernel_cmdline_file");
        return;
    }
    /* proxmox-boot-tool uses the first line only */
    data[strcspn(data, "\n")] = '\0';
    add_text(ctx, boot, "kernel_cmdline_file", data);
    free(data);
}

static void probe_initramfs(struct probe_ctx *ctx, cJSON *sys, cJSON *boot)
{
    const char *release = ptd_json_get_str(sys, "kernel_release");
    cJSON *ir = cJSON_AddObjectToObject(boot, "initramfs");
    char path[PATH_MAX], when[32];
    struct stat st;
    int ret;

    if (!ir)
        return;
    if (!release) {
        /* the system probe recorded why */
        cJSON_AddNullToObject(ir, "path");
        cJSON_AddNullToObject(ir, "built_at");
        return;
    }
    snprintf(path, sizeof(path), "/boot/initrd.img-%s", release);
    ptd_json_add_str(ir, "path", path);
    ret = ptd_root_stat(ctx->root, path, &st);
    if (ret) {
        ptd_doc_add_error(ctx->doc, SOURCE, "%s: %s", path, strerror(-ret));
        cJSON_AddNullToObject(ir, "built_at");
        return;
    }
    ptd_time_rfc3339(st.st_mtime, when, sizeof(when));
    ptd_json_add_str(ir, "built_at", when);
}

void probe_boot_run(struct probe_ctx *ctx)
{
    cJSON *sys = system_obj(ctx->doc), *boot;

    if (!sys)
        return;
    probe_cmdline(ctx, sys);
    boot = cJSON_AddObjectToObject(sys, "boot");
    if (!boot)
        return;
    probe_loader(ctx, boot);
    probe_grub(ctx, boot);
    probe_kernel_cmdline(ctx, boot);
    probe_initramfs(ctx, sys, boot);
}

/* SPDX-License-Identifier: MIT */
/* Vendor-aware recommendations per passed GPU. See vm_recommend.h. */
#include "vm_recommend.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"
#include "ptdiag/docnum.h"

#include "pve_conf.h"
#include "vendor_reset_db.h"
#include "vm_cpu_flags.h"

#define ARC_MODEL "arc-hidden"

static bool contains(const char *hay, const char *needle)
{
    return hay && strstr(hay, needle) != NULL;
}

/* pci.ids names NVIDIA's professional chips with a "GL" suffix (GA102GL [RTX A6000],
 * AD102GL [RTX 6000 Ada Generation], TU104GL [Tesla T4]); data-centre parts by the product
 * name in brackets ("GA100 [A100 PCIe 40GB]", "GH100 [H100 PCIe]"). */
static bool nvidia_pro_name(const char *name)
{
    static const char *const words[] = {
        "Quadro", "Tesla", "RTX A", "Ada Generation", "RTX PRO", "Blackwell Pro", "[A100",
        "[A800",  "[H100", "[H200", "[H800",          "[L40",    "[L4]",          "[L20",
        "[A40",   "[A30",  "[A16",  "[A10",           "[A2]",    "[T4]",          "[B200",
        NULL};
    const char *p;
    size_t i;

    if (contains(name, "GeForce") || contains(name, "TITAN"))
        return false;
    for (i = 0; words[i]; i++)
        if (contains(name, words[i]))
            return true;
    for (p = name; p && *p; p++) {
        /* [A-Z]{2}[0-9]{3}GL */
        if (isupper((unsigned char)p[0]) && isupper((unsigned char)p[1]) &&
            isdigit((unsigned char)p[2]) && isdigit((unsigned char)p[3]) &&
            isdigit((unsigned char)p[4]) && p[5] == 'G' && p[6] == 'L')
            return true;
    }
    return false;
}

const char *vm_gpu_vendor_class(const cJSON *dev)
{
    const char *v = ptd_json_get_str(dev, "vendor_id"), *d = ptd_json_get_str(dev, "device_id");
    const char *name = ptd_json_get_str(dev, "device_name");
    unsigned id = d ? (unsigned)strtoul(d, NULL, 16) : 0;

    if (!v)
        return "other";
    if (!strcmp(v, "8086")) {
        /* DG2 (Alchemist) 0x5690-0x56c1, Battlemage 0xe202-0xe21f */
        if (contains(name, "Arc") || contains(name, "DG2") || contains(name, "Battlemage") ||
            (id >= 0x5690 && id <= 0x56c1) || (id >= 0xe202 && id <= 0xe21f))
            return "intel-arc";
        return "intel-igpu";
    }
    if (!strcmp(v, "10de")) {
        if (!name)
            return "nvidia-unknown";
        return nvidia_pro_name(name) ? "nvidia-pro" : "nvidia-consumer";
    }
    if (!strcmp(v, "1002"))
        return "amd";
    return "other";
}

/* A property string without option `drop` (and optionally with `add` appended). */
static char *props_edit(const char *raw, const char *drop, const char *add)
{
    size_t n = strlen(raw) + (add ? strlen(add) : 0) + 2, o = 0;
    char *out = malloc(n), *copy = strdup(raw), *tok, *save = NULL;

    if (!out || !copy) {
        free(out);
        free(copy);
        return NULL;
    }
    out[0] = '\0';
    for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        size_t dl = drop ? strlen(drop) : 0;
        if (drop && !strncmp(tok, drop, dl) && (tok[dl] == '=' || tok[dl] == '\0'))
            continue;
        o += (size_t)snprintf(out + o, n - o, "%s%s", o ? "," : "", tok);
    }
    if (add)
        snprintf(out + o, n - o, "%s%s", o ? "," : "", add);
    free(copy);
    return out;
}

/* Shell-quotes s for a printed command. */
static void quote(char *buf, size_t len, const char *s)
{
    size_t o = 0;

    if (s[strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789,.:=+-_/")] ==
        '\0') {
        snprintf(buf, len, "%s", s);
        return;
    }
    o += (size_t)snprintf(buf, len, "'");
    for (; *s && o + 5 < len; s++) {
        if (*s == '\'')
            o += (size_t)snprintf(buf + o, len - o, "'\\''");
        else
            buf[o++] = *s;
    }
    snprintf(buf + o, len - o, "'");
}

struct rec {
    cJSON *obj, *commands, *lines;
};

static struct rec rec_new(cJSON *list, const char *bdf, const char *hostpci, const char *cls)
{
    struct rec r;

    r.obj = cJSON_CreateObject();
    cJSON_AddItemToArray(list, r.obj);
    ptd_json_add_str(r.obj, "gpu_bdf", bdf);
    ptd_json_add_str(r.obj, "hostpci", hostpci);
    ptd_json_add_str(r.obj, "vendor_class", cls);
    ptd_json_add_str(r.obj, "status", "ok");
    ptd_json_add_str(r.obj, "text", "");
    r.commands = cJSON_AddArrayToObject(r.obj, "commands");
    r.lines = cJSON_AddArrayToObject(r.obj, "config_lines");
    return r;
}

static void rec_set(struct rec *r, const char *status, const char *text)
{
    cJSON_ReplaceItemInObject(r->obj, "status", cJSON_CreateString(status));
    cJSON_ReplaceItemInObject(r->obj, "text", cJSON_CreateString(text));
}

static void cmd(struct rec *r, const char *fmt, ...) PTD_PRINTF(2, 3);
static void cmd(struct rec *r, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    cJSON_AddItemToArray(r->commands, cJSON_CreateString(buf));
}

static void line(struct rec *r, const char *text)
{
    cJSON_AddItemToArray(r->lines, cJSON_CreateString(text));
}

/* The VM's cpu option re-typed as `type`, keeping its other options (but not hidden /
 * hv-vendor-id, which a custom model carries). */
static char *cpu_retyped(const char *raw_cpu, const char *type, bool drop_hiding)
{
    struct pve_props p;
    struct ptd_error err;
    char buf[1024];
    size_t i, o;

    o = (size_t)snprintf(buf, sizeof(buf), "%s", type);
    if (raw_cpu && pve_props_parse(raw_cpu, "cputype", &p, &err) == 0) {
        for (i = 0; i < p.count && o < sizeof(buf); i++) {
            const char *k = p.items[i].key;
            if (!strcmp(k, "cputype") ||
                (drop_hiding && (!strcmp(k, "hidden") || !strcmp(k, "hv-vendor-id"))))
                continue;
            o += (size_t)snprintf(buf + o, sizeof(buf) - o, ",%s=%s", k, p.items[i].value);
        }
        pve_props_free(&p);
    }
    return strdup(buf);
}

static void drop_args_cpu(struct rec *r, unsigned vmid, const char *args)
{
    char *rest, q[2048];
    char *cpu = args ? vm_cpu_arg_from_cmdline(args) : NULL;

    if (!cpu)
        return;
    free(cpu);
    rest = vm_cpu_args_without_cpu(args);
    if (rest) {
        quote(q, sizeof(q), rest);
        cmd(r, "qm set %u --args %s", vmid, q);
    } else {
        cmd(r, "qm set %u --delete args", vmid);
    }
    free(rest);
}

static void rec_arc(cJSON *list, const cJSON *vm, const char *bdf, const char *key)
{
    const cJSON *eff = cJSON_GetObjectItem(vm, "effective_cpu");
    unsigned vmid = (unsigned)ptd_json_int_or(vm, "vmid", PTD_VMID_MIN, PTD_VMID_MAX, 0);
    bool win = ptd_json_get_num(eff, "windows_version", 0) > 0;
    int lost = cJSON_GetArraySize(cJSON_GetObjectItem(eff, "lost_enlightenments"));
    struct rec r = rec_new(list, bdf, key, "intel-arc");
    const char *custom;
    char *cpu, q[1200];

    if (ptd_json_get_tri(eff, "kvm_hidden") == 1 &&
        ptd_json_get_tri(eff, "hypervisor_bit_hidden") == 1 && lost == 0) {
        rec_set(&r, "ok",
                "hypervisor hidden (kvm=off, -hypervisor) with Proxmox's Hyper-V "
                "enlightenments kept");
        return;
    }
    if (!win) {
        rec_set(&r, "info",
                "the Arc code-43 refusal of a visible hypervisor concerns the "
                "Windows driver; for this non-Windows ostype hiding is not needed "
                "as far as known");
        return;
    }
    if (lost > 0) {
        rec_set(&r, "change",
                "args -cpu hides the hypervisor but throws away Proxmox's Hyper-V "
                "enlightenments; a custom CPU model hides it and keeps them");
    } else {
        rec_set(&r, "change",
                "Intel Arc's Windows driver refuses a visible hypervisor (code "
                "43): hide it with kvm=off and -hypervisor through a custom CPU "
                "model (-hypervisor is not allowed in a VM's cpu flags)");
    }
    line(&r, "# /etc/pve/virtual-guest/cpu-models.conf");
    line(&r, "cpu-model: " ARC_MODEL);
    line(&r, "\tflags -hypervisor");
    line(&r, "\thidden 1");
    line(&r, "\thv-vendor-id GenuineIntel");
    line(&r, "\treported-model host");
    custom = ptd_json_get_str(vm, "cpu.custom_model");
    if (custom && !strcmp(custom, ARC_MODEL)) {
        /* The VM already names the model; it is missing or incomplete in cpu-models.conf. */
        rec_set(&r, "change",
                "the VM uses custom-" ARC_MODEL " but the effective flags do not hide the "
                "hypervisor: add or complete the model in cpu-models.conf");
    } else {
        cpu = cpu_retyped(ptd_json_get_str(vm, "cpu.raw"), "custom-" ARC_MODEL, true);
        quote(q, sizeof(q), cpu ? cpu : "custom-" ARC_MODEL);
        cmd(&r, "qm set %u --cpu %s", vmid, q);
        free(cpu);
    }
    drop_args_cpu(&r, vmid, ptd_json_get_str(vm, "args"));
}

static void rec_nvidia_consumer(cJSON *list, const cJSON *vm, const char *bdf, const char *key,
                                const char *cls)
{
    const cJSON *eff = cJSON_GetObjectItem(vm, "effective_cpu");
    unsigned vmid = (unsigned)ptd_json_int_or(vm, "vmid", PTD_VMID_MIN, PTD_VMID_MAX, 0);
    struct rec r = rec_new(list, bdf, key, cls);
    const char *type = ptd_json_get_str(eff, "cpu_model");

    if (!strcmp(cls, "nvidia-unknown"))
        rec_set(&r, "info",
                "NVIDIA card whose name is unknown (no pci.ids entry): a GeForce "
                "needs no hiding on drivers >= 465.89; a professional card must "
                "keep KVM visible (no x-vga, no hidden)");
    else
        rec_set(&r, "ok",
                "GeForce: no hiding needed with guest driver >= 465.89 (April "
                "2021); on older drivers upgrade rather than hide");
    if (type && strcmp(type, "host") && !ptd_json_get_tri(eff, "args_replaces_cpu")) {
        char *cpu = cpu_retyped(ptd_json_get_str(vm, "cpu.raw"), "host", false), q[1200];
        quote(q, sizeof(q), cpu ? cpu : "host");
        cmd(&r, "qm set %u --cpu %s", vmid, q);
        free(cpu);
    }
}

static void rec_nvidia_pro(cJSON *list, const cJSON *vm, const char *bdf, const char *key)
{
    const cJSON *eff = cJSON_GetObjectItem(vm, "effective_cpu"), *h;
    unsigned vmid = (unsigned)ptd_json_int_or(vm, "vmid", PTD_VMID_MIN, PTD_VMID_MAX, 0);
    struct rec r = rec_new(list, bdf, key, "nvidia-pro");
    char q[1200];

    if (ptd_json_get_tri(eff, "kvm_hidden") != 1 &&
        ptd_json_get_tri(eff, "hypervisor_bit_hidden") != 1) {
        rec_set(&r, "ok", "professional NVIDIA card with KVM visible, as it expects");
        return;
    }
    rec_set(&r, "change",
            "professional NVIDIA cards expect to see KVM: remove what hides it "
            "(x-vga=1 forces kvm=off and hv_vendor_id=proxmox; with OVMF x-vga "
            "is not needed)");
    cJSON_ArrayForEach(h, cJSON_GetObjectItem(vm, "hostpci"))
    {
        if (ptd_json_get_tri(h, "x_vga") == 1) {
            char *raw = props_edit(ptd_json_get_str(h, "raw"), "x-vga", NULL);
            quote(q, sizeof(q), raw ? raw : "");
            cmd(&r, "qm set %u --%s %s", vmid, ptd_json_get_str(h, "key"), q);
            free(raw);
        }
    }
    if (ptd_json_get_tri(vm, "cpu.hidden") == 1) {
        char *cpu = props_edit(ptd_json_get_str(vm, "cpu.raw"), "hidden", NULL);
        quote(q, sizeof(q), cpu ? cpu : "host");
        cmd(&r, "qm set %u --cpu %s", vmid, q);
        free(cpu);
    }
    drop_args_cpu(&r, vmid, ptd_json_get_str(vm, "args"));
}

static void rec_amd(cJSON *list, const cJSON *doc, const cJSON *dev, const char *bdf,
                    const char *key)
{
    struct rec r = rec_new(list, bdf, key, "amd");
    const char *d = ptd_json_get_str(dev, "device_id");
    const struct vendor_reset_entry *e =
        d ? vendor_reset_lookup(0x1002, (uint16_t)strtoul(d, NULL, 16)) : NULL;
    const cJSON *rm = cJSON_GetObjectItem(dev, "reset_method"), *m;
    bool device_specific = false;
    char buf[512];

    cJSON_ArrayForEach(m, rm)
    {
        device_specific |= cJSON_IsString(m) && !strcmp(m->valuestring, "device_specific");
    }
    if (!e) {
        snprintf(buf, sizeof(buf),
                 "1002:%s is not in vendor-reset's device table: rely on the "
                 "kernel's reset (reset_method: see the device) and test repeated VM "
                 "restarts; the vendor-reset maintainer reports the RX 6000 series resets fine "
                 "(gnif/vendor-reset#35), disputed for Navi 21 (#65)",
                 d ? d : "????");
        rec_set(&r, "info", buf);
        return;
    }
    if (device_specific &&
        ptd_json_get_tri(doc, "system.modules.builtin_or_loaded.vendor_reset") == 1) {
        snprintf(buf, sizeof(buf),
                 "vendor-reset (%s) loaded and reset_method is "
                 "device_specific",
                 e->family);
        rec_set(&r, "ok", buf);
        return;
    }
    snprintf(buf, sizeof(buf),
             "AMD %s has the reset bug: load vendor-reset early and set "
             "reset_method to device_specific (vendor-reset v0.1.0 may not build on new "
             "kernels: verify the DKMS build)",
             e->family);
    rec_set(&r, "change", buf);
    line(&r, "# /etc/modules-load.d/vendor-reset.conf");
    line(&r, "vendor-reset");
    line(&r, "# /etc/udev/rules.d/99-vendor-reset.rules");
    snprintf(buf, sizeof(buf),
             "ACTION==\"add\", SUBSYSTEM==\"pci\", ATTR{vendor}==\"0x1002\", "
             "ATTR{device}==\"0x%s\", RUN+=\"/bin/sh -c 'echo device_specific > "
             "/sys$env{DEVPATH}/reset_method'\"",
             d);
    line(&r, buf);
    cmd(&r, "update-initramfs -u -k all");
}

/* VM-wide settings a GPU VM needs, as commands. */
static void rec_vm(cJSON *list, const cJSON *vm)
{
    unsigned vmid = (unsigned)ptd_json_int_or(vm, "vmid", PTD_VMID_MIN, PTD_VMID_MAX, 0);
    struct rec r = rec_new(list, NULL, NULL, "any");
    const cJSON *eff = cJSON_GetObjectItem(vm, "effective_cpu"), *h;
    const char *type = ptd_json_get_str(vm, "machine.type"), *bios = ptd_json_get_str(vm, "bios");
    const char *vga = ptd_json_get_str(vm, "vga");
    bool q35 = ptd_json_get_tri(vm, "machine.is_q35") == 1;
    char q[1200], text[512] = "";
    size_t o = 0;

    if (!q35) {
        cmd(&r, "qm set %u --machine q35", vmid);
        o += (size_t)snprintf(text + o, sizeof(text) - o,
                              "machine %s is i440fx: q35 gives "
                              "the GPU a PCIe port (the guest sees new hardware once). ",
                              type ? type : "pc");
    }
    cJSON_ArrayForEach(h, cJSON_GetObjectItem(vm, "hostpci"))
    {
        if (ptd_json_get_tri(h, "pcie") != 1 && ptd_json_get_tri(h, "legacy_igd") != 1 &&
            ptd_json_get_str(h, "raw")) {
            char *raw = props_edit(ptd_json_get_str(h, "raw"), "pcie", "pcie=1");
            quote(q, sizeof(q), raw ? raw : "");
            cmd(&r, "qm set %u --%s %s", vmid, ptd_json_get_str(h, "key"), q);
            free(raw);
        }
        if (ptd_json_get_tri(h, "x_vga") == 1 && vga && strncmp(vga, "none", 4)) {
            cmd(&r, "qm set %u --vga none", vmid);
            o += (size_t)snprintf(text + o, sizeof(text) - o,
                                  "x-vga=1 with an emulated "
                                  "display (vga: %s) gives a black screen. ",
                                  vga);
        }
    }
    if (!bios || strcmp(bios, "ovmf")) {
        cmd(&r, "qm set %u --bios ovmf --efidisk0 STORAGE:1,efitype=4m,pre-enrolled-keys=1", vmid);
        o += (size_t)snprintf(text + o, sizeof(text) - o,
                              "SeaBIOS: OVMF (UEFI) is needed for "
                              "most GPUs; the guest OS must boot by UEFI (reinstall or "
                              "convert), STORAGE is yours to choose. ");
    }
    if (ptd_json_get_tri(vm, "balloon_device") == 1) {
        cmd(&r, "qm set %u --balloon 0", vmid);
        o += (size_t)snprintf(text + o, sizeof(text) - o,
                              "ballooning cannot reclaim memory "
                              "pinned for DMA by a passed device. ");
    }
    if (ptd_json_get_str(eff, "cpu_model") && strcmp(ptd_json_get_str(eff, "cpu_model"), "host") &&
        !ptd_json_get_tri(eff, "args_replaces_cpu") && !ptd_json_get_str(vm, "cpu.custom_model")) {
        char *cpu = cpu_retyped(ptd_json_get_str(vm, "cpu.raw"), "host", false);
        quote(q, sizeof(q), cpu ? cpu : "host");
        cmd(&r, "qm set %u --cpu %s", vmid, q);
        free(cpu);
        o += (size_t)snprintf(text + o, sizeof(text) - o, "cpu type is not host. ");
    }
    if (cJSON_GetArraySize(r.commands))
        rec_set(&r, "change", text);
    else
        rec_set(&r, "ok", "q35, OVMF, no ballooning, cpu host");
}

void vm_recommend_run(const cJSON *doc, cJSON *vm)
{
    cJSON *list = cJSON_CreateArray();
    const cJSON *h, *r, *dev;
    bool any_gpu = false;

    cJSON_ArrayForEach(h, cJSON_GetObjectItem(vm, "hostpci"))
    {
        const char *key = ptd_json_get_str(h, "key");
        cJSON_ArrayForEach(r, cJSON_GetObjectItem(h, "resolved"))
        {
            const char *bdf = ptd_json_get_str(r, "bdf"), *cls;
            const char *klass = ptd_json_get_str(r, "class");
            dev = NULL;
            cJSON_ArrayForEach(dev, cJSON_GetObjectItem(doc, "devices"))
            {
                const char *b = ptd_json_get_str(dev, "bdf");
                if (b && bdf && !strcmp(b, bdf))
                    break;
            }
            if (!(klass && !strncmp(klass, "03", 2)) &&
                !(dev && ptd_json_get_tri(dev, "is_gpu") == 1))
                continue;
            any_gpu = true;
            cls = vm_gpu_vendor_class(dev ? dev : r);
            if (!strcmp(cls, "intel-arc"))
                rec_arc(list, vm, bdf, key);
            else if (!strcmp(cls, "nvidia-pro"))
                rec_nvidia_pro(list, vm, bdf, key);
            else if (!strncmp(cls, "nvidia", 6))
                rec_nvidia_consumer(list, vm, bdf, key, cls);
            else if (!strcmp(cls, "amd"))
                rec_amd(list, doc, dev ? dev : r, bdf, key);
        }
    }
    if (any_gpu)
        rec_vm(list, vm);
    else if (cJSON_GetArraySize(cJSON_GetObjectItem(vm, "hostpci")) > 0) {
        struct rec x = rec_new(list, NULL, NULL, "unknown");
        rec_set(&x, "info",
                "no passed device could be identified as a GPU (devices not "
                "collected, or the hostpci addresses resolve to no display "
                "device): no vendor-specific advice");
    }
    cJSON_DeleteItemFromObject(vm, "recommendations");
    cJSON_AddItemToObject(vm, "recommendations", list);
}

/* SPDX-License-Identifier: MIT */
/*
 * The default human output of ptdiag-host: a short per-layer account of what was found, per
 * GPU. Facts only (verdicts are the report's); it reads the finished document and nothing
 * else, so it shows exactly what --json would carry. Every string from the document is
 * printed escaped (escape.h): it may come from a file another user wrote (issue 13).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ptdiag/doc.h"
#include "ptdiag/docnum.h"
#include "ptdiag/escape.h"

#include "probe.h"

struct out {
    FILE *f;
    bool colour;
};

static void head(struct out *o, const char *title)
{
    fprintf(o->f, o->colour ? "\033[1m%s\033[0m\n" : "%s\n", title);
}

/* Untrusted text for the terminal (escape.h), for use inside one printf. */
static const char *esc(const char *s)
{
    return ptd_esc_tmp(s, 0);
}

static const char *str_or(const cJSON *obj, const char *path, const char *dflt)
{
    const char *s = ptd_json_get_str(obj, path);

    return s ? esc(s) : dflt;
}

static const char *tri_word(const cJSON *obj, const char *path)
{
    int t = ptd_json_get_tri(obj, path);

    return t < 0 ? "unknown" : t ? "yes" : "no";
}

/* The size in bytes at path, for a person; "0 B" when absent, "unknown" when it is not a
 * 64-bit size. */
static void human_size(const cJSON *obj, const char *path, char *buf, size_t len)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    unsigned u = 0;
    uint64_t v = 0;

    if (ptd_json_get_u64(obj, path, UINT64_MAX, &v, NULL) == PTD_NUM_BAD) {
        snprintf(buf, len, "unknown");
        return;
    }
    double bytes = (double)v;

    while (bytes >= 1024.0 && u + 1 < sizeof(units) / sizeof(units[0])) {
        bytes /= 1024.0;
        u++;
    }
    /* bytes < 2^64 / 1024^4 here: the cast is defined */
    snprintf(buf, len, bytes == (double)(long long)bytes ? "%.0f %s" : "%.1f %s", bytes, units[u]);
}

static void print_system(struct out *o, const cJSON *doc)
{
    const cJSON *sys = ptd_json_get(doc, "system");
    const cJSON *types = ptd_json_get(doc, "system.iommu.group_types"), *t;
    const cJSON *vfio_ids = ptd_json_get(doc, "system.modules.vfio_pci_ids"), *v;
    const char *vendor;

    if (!sys)
        return;
    head(o, "Firmware and kernel (L1)");
    vendor = str_or(sys, "cpu.vendor", "unknown");
    fprintf(o->f, "  CPU: %s %s; vmx %s, svm %s; /dev/kvm %s\n", vendor,
            str_or(sys, "cpu.model_name", ""), tri_word(sys, "cpu.vmx"), tri_word(sys, "cpu.svm"),
            tri_word(sys, "kvm_device"));
    fprintf(o->f, "  Kernel: %s\n", str_or(sys, "kernel_release", "unknown"));
    fprintf(o->f, "  Command line: %s\n", str_or(sys, "cmdline.raw", "unknown"));
    fprintf(o->f, "  Boot loader: %s (%s)\n", str_or(sys, "boot.loader", "unknown"),
            str_or(sys, "boot.loader_evidence", "no evidence"));
    fprintf(o->f, "  ACPI DMAR %s, IVRS %s; IOMMU groups: ", tri_word(sys, "acpi.dmar"),
            tri_word(sys, "acpi.ivrs"));
    if (ptd_json_get(sys, "iommu.group_count") &&
        cJSON_IsNumber(ptd_json_get(sys, "iommu.group_count")))
        fprintf(o->f, "%.0f", ptd_json_get_num(sys, "iommu.group_count", 0));
    else
        fputs("unknown", o->f);
    if (cJSON_IsObject(types) && types->child) {
        fputs(" (", o->f);
        cJSON_ArrayForEach(t, types) fprintf(o->f, "%s%s %.0f", t == types->child ? "" : ", ",
                                             esc(t->string), t->valuedouble);
        fputc(')', o->f);
    }
    fprintf(o->f, "; interrupt remapping %s\n", tri_word(sys, "iommu.irq_remapping"));
    if (cJSON_IsArray(vfio_ids) && cJSON_GetArraySize(vfio_ids) > 0) {
        head(o, "VFIO configuration (L3)");
        cJSON_ArrayForEach(v, vfio_ids)
            fprintf(o->f, "  vfio-pci ids=%s  (%s:%.0f)\n", str_or(v, "value", "?"),
                    str_or(v, "file", "?"), ptd_json_get_num(v, "line", 0));
    }
}

static void print_bars(struct out *o, const cJSON *dev)
{
    const cJSON *bars = ptd_json_get(dev, "bars"), *b;
    char sz[32];

    fputs("    BARs:", o->f);
    if (!cJSON_IsArray(bars)) {
        fputs(" unknown\n", o->f);
        return;
    }
    cJSON_ArrayForEach(b, bars)
    {
        human_size(b, "size_bytes", sz, sizeof(sz));
        fprintf(o->f, " %.0f=%s%s%s%s", ptd_json_get_num(b, "index", 0), sz,
                ptd_json_get_tri(b, "is_io") > 0      ? " io"
                : ptd_json_get_tri(b, "is_64bit") > 0 ? " 64-bit"
                                                      : " 32-bit",
                ptd_json_get_tri(b, "prefetchable") > 0 ? " pref" : "",
                ptd_json_get_tri(b, "assigned") > 0 ? "" : " UNASSIGNED");
        if (b->next)
            fputc(';', o->f);
    }
    if (ptd_json_get_tri(dev, "rom.present") > 0) {
        human_size(dev, "rom.size_bytes", sz, sizeof(sz));
        fprintf(o->f, "; ROM %s", sz);
    }
    fputc('\n', o->f);
}

static void print_rebar(struct out *o, const cJSON *dev)
{
    const cJSON *rb = ptd_json_get(dev, "rebar"), *e;
    char cur[32], max[32];

    if (!cJSON_IsArray(rb)) {
        fputs("    Resizable BAR: unknown\n", o->f);
        return;
    }
    if (!rb->child)
        return;
    fputs("    Resizable BAR:", o->f);
    cJSON_ArrayForEach(e, rb)
    {
        human_size(e, "current_bytes", cur, sizeof(cur));
        human_size(e, "max_bytes", max, sizeof(max));
        fprintf(o->f, " BAR %.0f at %s, supports up to %s%s", ptd_json_get_num(e, "bar", 0), cur,
                cJSON_IsNumber(ptd_json_get(e, "max_bytes")) ? max : "unknown", e->next ? ";" : "");
    }
    fputc('\n', o->f);
}

static void print_group(struct out *o, const cJSON *doc, const cJSON *dev)
{
    const cJSON *groups = ptd_json_get(doc, "iommu_groups"), *g, *m;
    const char *bdf = ptd_json_get_str(dev, "bdf") ? ptd_json_get_str(dev, "bdf") : "";
    bool others = false;
    int64_t gid, id;

    if (ptd_json_get_int(dev, "iommu_group", 0, PTD_IOMMU_GROUP_MAX, &gid, NULL) != PTD_NUM_OK) {
        fputs("    IOMMU group: none\n", o->f);
        return;
    }
    fprintf(o->f, "    IOMMU group %lld", (long long)gid);
    cJSON_ArrayForEach(g, groups)
    {
        if (ptd_json_get_int(g, "id", 0, PTD_IOMMU_GROUP_MAX, &id, NULL) != PTD_NUM_OK || id != gid)
            continue;
        fprintf(o->f, " (%s)", str_or(g, "type", "type unknown"));
        cJSON_ArrayForEach(m, ptd_json_get(g, "devices"))
        {
            if (ptd_json_get_str(m, "bdf") && strcmp(ptd_json_get_str(m, "bdf"), bdf) == 0)
                continue;
            fprintf(o->f, "%s %s [%s:%s %s%s, %s]", others ? "," : ", also:", str_or(m, "bdf", "?"),
                    str_or(m, "vendor_id", "?"), str_or(m, "device_id", "?"),
                    str_or(m, "class", "?"), ptd_json_get_tri(m, "is_bridge") > 0 ? " bridge" : "",
                    str_or(m, "driver", "no driver"));
            others = true;
        }
    }
    if (!others)
        fputs(", no other members", o->f);
    fputc('\n', o->f);
}

static void print_link(struct out *o, const cJSON *dev)
{
    const cJSON *link = ptd_json_get(dev, "link"), *rm = ptd_json_get(dev, "reset_method"), *r;

    fputs("    Reset:", o->f);
    if (cJSON_IsArray(rm)) {
        if (!rm->child)
            fputs(" no reset_method", o->f);
        cJSON_ArrayForEach(r, rm)
            fprintf(o->f, " %s", cJSON_IsString(r) ? esc(r->valuestring) : "?");
    } else {
        fputs(" unknown", o->f);
    }
    fprintf(o->f, " (FLR %s)", tri_word(dev, "flr"));
    if (cJSON_IsObject(link))
        fprintf(o->f, "; link %g GT/s x%.0f of %g GT/s x%.0f",
                ptd_json_get_num(link, "current_speed_gts", 0),
                ptd_json_get_num(link, "current_width", 0),
                ptd_json_get_num(link, "max_speed_gts", 0), ptd_json_get_num(link, "max_width", 0));
    fprintf(o->f, "; power %s; boot VGA %s\n", str_or(dev, "power_state", "unknown"),
            tri_word(dev, "boot_vga"));
}

/* SR-IOV, mediated devices and NVIDIA vGPU: how the card can be shared. */
static void print_modes(struct out *o, const cJSON *dev)
{
    const cJSON *sriov = ptd_json_get(dev, "sriov"), *vg = ptd_json_get(dev, "nvidia_vgpu"), *e;

    if (ptd_json_get_tri(dev, "is_vf") == 1)
        fprintf(o->f, "    SR-IOV virtual function of %s\n", str_or(dev, "physfn", "?"));
    if (cJSON_IsObject(sriov)) {
        fprintf(o->f, "    SR-IOV: %.0f of %.0f VFs enabled",
                ptd_json_get_num(sriov, "num_vfs", -1), ptd_json_get_num(sriov, "total_vfs", -1));
        cJSON_ArrayForEach(e, ptd_json_get(sriov, "vfs"))
        {
            fprintf(o->f, "%s%s %s", e == ptd_json_get(sriov, "vfs")->child ? ": " : ", ",
                    str_or(e, "bdf", "?"), str_or(e, "driver", "unbound"));
        }
        fputc('\n', o->f);
    }
    cJSON_ArrayForEach(e, ptd_json_get(dev, "mdev_types"))
    {
        fprintf(o->f, "    Mediated device type %s (%s): %.0f available\n", str_or(e, "type", "?"),
                str_or(e, "name", "no name"), ptd_json_get_num(e, "available_instances", -1));
    }
    if (cJSON_IsObject(vg))
        fprintf(o->f, "    NVIDIA vGPU type %.0f (0 = none), %d creatable\n",
                ptd_json_get_num(vg, "current_vgpu_type", -1),
                cJSON_GetArraySize(ptd_json_get(vg, "creatable_vgpu_types")));
}

static void print_gpu(struct out *o, const cJSON *doc, const cJSON *dev)
{
    const cJSON *fb = ptd_json_get(dev, "iomem_overlaps"), *f;
    const cJSON *vr = ptd_json_get(dev, "vendor_reset");

    fprintf(o->f,
            o->colour ? "  \033[1m%s\033[0m  %s %s [%s:%s] rev %s\n"
                      : "  %s  %s %s [%s:%s] rev %s\n",
            str_or(dev, "bdf", "?"), str_or(dev, "vendor_name", "unknown vendor"),
            str_or(dev, "device_name", "unknown device"), str_or(dev, "vendor_id", "?"),
            str_or(dev, "device_id", "?"), str_or(dev, "revision", "?"));
    fprintf(o->f, "    Subsystem %s:%s%s%s; driver %s", str_or(dev, "subsystem_vendor_id", "?"),
            str_or(dev, "subsystem_device_id", "?"),
            ptd_json_get_str(dev, "subsystem_name") ? " " : "", str_or(dev, "subsystem_name", ""),
            str_or(dev, "driver", "none"));
    if (ptd_json_get_str(dev, "driver_override"))
        fprintf(o->f, " (driver_override %s)", esc(ptd_json_get_str(dev, "driver_override")));
    fputc('\n', o->f);
    print_group(o, doc, dev);
    print_bars(o, dev);
    print_rebar(o, dev);
    print_link(o, dev);
    print_modes(o, dev);
    cJSON_ArrayForEach(f, fb) fprintf(o->f, "    Framebuffer in BAR %.0f: %s\n",
                                      ptd_json_get_num(f, "bar", 0), str_or(f, "name", "?"));
    if (cJSON_IsObject(vr))
        fprintf(o->f, "    In vendor-reset's device table: %s (reset %s)\n",
                str_or(vr, "family", "?"), str_or(vr, "reset_op", "?"));
}

int host_summary_print(const cJSON *doc, FILE *out)
{
    struct out o = {.f = out, .colour = isatty(fileno(out)) == 1};
    const cJSON *devices = ptd_json_get(doc, "devices"), *d, *e;
    const cJSON *errors = ptd_json_get(doc, "errors");
    const char *root = ptd_json_get_str(doc, "root");
    int gpus = 0;

    fprintf(out, "ptdiag-host %s: facts of %s, collected %s\n",
            str_or(doc, "producer.version", "?"), root ? esc(root) : "this host",
            str_or(doc, "collected_at", "?"));
    print_system(&o, doc);
    head(&o, "GPUs and their functions (L1-L3)");
    if (!cJSON_IsArray(devices)) {
        fputs("  PCI devices could not be listed\n", out);
    } else {
        cJSON_ArrayForEach(d, devices)
        {
            if (ptd_json_get_tri(d, "is_gpu") <= 0)
                continue;
            gpus++;
            print_gpu(&o, doc, d);
            cJSON_ArrayForEach(e, devices)
            {
                if (e == d || ptd_json_get_tri(e, "is_gpu") > 0 || !ptd_json_get_str(e, "slot") ||
                    !ptd_json_get_str(d, "slot") ||
                    strcmp(ptd_json_get_str(e, "slot"), ptd_json_get_str(d, "slot")) != 0)
                    continue;
                fprintf(out, "    + %s  %s [%s:%s] driver %s, ", str_or(e, "bdf", "?"),
                        str_or(e, "device_name", str_or(e, "class_name", "?")),
                        str_or(e, "vendor_id", "?"), str_or(e, "device_id", "?"),
                        str_or(e, "driver", "none"));
                int64_t g;
                if (ptd_json_get_int(e, "iommu_group", 0, PTD_IOMMU_GROUP_MAX, &g, NULL) ==
                    PTD_NUM_OK)
                    fprintf(out, "IOMMU group %lld\n", (long long)g);
                else
                    fputs("no IOMMU group\n", out);
            }
        }
        if (!gpus)
            fputs("  no display-class PCI device found\n", out);
    }
    if (cJSON_IsArray(ptd_json_get(doc, "vms")))
        fprintf(out, "VM configurations (L4): %d\n", cJSON_GetArraySize(ptd_json_get(doc, "vms")));
    if (cJSON_GetArraySize(errors) > 0)
        fprintf(out, "%d fact(s) could not be read; run with --json to see which and why.\n",
                cJSON_GetArraySize(errors));
    return ferror(out) ? -1 : 0;
}

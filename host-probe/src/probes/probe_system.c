/* SPDX-License-Identifier: MIT */
/*
 * The "system" probe: host name, kernel, CPU vendor and virtualisation flags, /dev/kvm and
 * the ACPI tables that announce an IOMMU (DMAR on Intel, IVRS on AMD).
 * Writes doc.system.{hostname, kernel_release, kernel_version, cpu, kvm_device, acpi}.
 */
#include "probe.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"

#define SOURCE "system"

/* /proc/cpuinfo repeats one block per logical CPU; a 512-thread host writes ~1 MiB. */
#define CPUINFO_MAX (8u << 20)

/* The document's "system" object, created by whichever probe runs first. */
static cJSON *system_obj(cJSON *doc)
{
    cJSON *sys = cJSON_GetObjectItemCaseSensitive(doc, "system");

    return sys ? sys : cJSON_AddObjectToObject(doc, "system");
}

static void add_attr(struct probe_ctx *ctx, cJSON *obj, const char *key, const char *path)
{
    char buf[512];
    int ret = ptd_root_read_attr(ctx->root, path, buf, sizeof(buf));

    if (ret) {
        ptd_doc_add_error(ctx->doc, SOURCE, "%s: %s", path, strerror(-ret));
        cJSON_AddNullToObject(obj, key);
        return;
    }
    ptd_json_add_str(obj, key, buf);
}

/* Value of "key\t: value" at the start of line, or NULL. The value is NUL-terminated in
 * place (the caller owns the buffer). */
static char *cpuinfo_value(char *line, const char *key)
{
    size_t n = strlen(key);
    char *p;

    if (strncmp(line, key, n) != 0 || (line[n] != '\t' && line[n] != ' ' && line[n] != ':'))
        return NULL;
    p = strchr(line + n, ':');
    if (!p)
        return NULL;
    p++;
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

static bool has_flag(const char *flags, const char *flag)
{
    size_t n = strlen(flag);
    const char *p = flags;

    while ((p = strstr(p, flag)) != NULL) {
        if ((p == flags || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return true;
        p += n;
    }
    return false;
}

static void probe_cpu(struct probe_ctx *ctx, cJSON *sys)
{
    cJSON *cpu = cJSON_AddObjectToObject(sys, "cpu");
    char *data = NULL, *line, *save = NULL;
    const char *vendor = NULL, *model = NULL, *flags = NULL, *sizes = NULL;
    long phys_bits = -1;
    int ret;

    if (!cpu)
        return;
    ret = ptd_root_read_file(ctx->root, "/proc/cpuinfo", CPUINFO_MAX, &data, NULL);
    if (ret) {
        ptd_doc_add_error(ctx->doc, SOURCE, "/proc/cpuinfo: %s", strerror(-ret));
        goto out;
    }
    /* The first processor block is enough: Linux reports the same vendor and virtualisation
     * flags on every CPU of a host. */
    for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *v;

        if (!vendor && (v = cpuinfo_value(line, "vendor_id")) != NULL)
            vendor = v;
        else if (!model && (v = cpuinfo_value(line, "model name")) != NULL)
            model = v;
        else if (!flags && (v = cpuinfo_value(line, "flags")) != NULL)
            flags = v;
        else if (!sizes && (v = cpuinfo_value(line, "address sizes")) != NULL)
            sizes = v;
        if (vendor && model && flags && sizes)
            break;
    }
    /* "address sizes\t: 46 bits physical, 48 bits virtual": the width qemu-server's
     * phys-bits=host hands the guest, compared with the IOMMU's in the report. */
    if (sizes) {
        char *end;
        long b = strtol(sizes, &end, 10);

        if (end != sizes && strncmp(end, " bits physical", 14) == 0 && b >= 32 && b <= 64)
            phys_bits = b;
        else
            ptd_doc_add_error(ctx->doc, SOURCE,
                              "/proc/cpuinfo: address sizes \"%.40s\" not "
                              "\"N bits physical, ...\"",
                              sizes);
    }
    if (!vendor)
        ptd_doc_add_error(ctx->doc, SOURCE, "/proc/cpuinfo: no vendor_id line");
    if (!flags)
        ptd_doc_add_error(ctx->doc, SOURCE, "/proc/cpuinfo: no flags line");
out:
    ptd_json_add_str(cpu, "vendor", vendor);
    ptd_json_add_str(cpu, "model_name", model);
    ptd_json_add_tri(cpu, "vmx", flags ? has_flag(flags, "vmx") : -1);
    ptd_json_add_tri(cpu, "svm", flags ? has_flag(flags, "svm") : -1);
    ptd_json_add_tri(cpu, "hypervisor", flags ? has_flag(flags, "hypervisor") : -1);
    if (phys_bits > 0)
        cJSON_AddNumberToObject(cpu, "phys_address_bits", (double)phys_bits);
    else
        cJSON_AddNullToObject(cpu, "phys_address_bits");
    free(data);
}

/* 1/0 for exists/absent; -1 (unknown, with an error) when stat fails otherwise. */
static int exists_tri(struct probe_ctx *ctx, const char *path)
{
    int ret = ptd_root_exists(ctx->root, path);

    if (ret < 0) {
        ptd_doc_add_error(ctx->doc, SOURCE, "%s: %s", path, strerror(-ret));
        return -1;
    }
    return ret;
}

static void probe_acpi(struct probe_ctx *ctx, cJSON *sys)
{
    cJSON *acpi = cJSON_AddObjectToObject(sys, "acpi");
    int tables;

    if (!acpi)
        return;
    /* Without the tables directory (no ACPI, or sysfs not mounted) absence of DMAR/IVRS
     * says nothing. */
    tables = exists_tri(ctx, "/sys/firmware/acpi/tables");
    if (tables == 0)
        ptd_doc_add_error(ctx->doc, SOURCE, "/sys/firmware/acpi/tables: %s", strerror(ENOENT));
    if (tables <= 0) {
        cJSON_AddNullToObject(acpi, "dmar");
        cJSON_AddNullToObject(acpi, "ivrs");
        return;
    }
    ptd_json_add_tri(acpi, "dmar", exists_tri(ctx, "/sys/firmware/acpi/tables/DMAR"));
    ptd_json_add_tri(acpi, "ivrs", exists_tri(ctx, "/sys/firmware/acpi/tables/IVRS"));
}

void probe_system_run(struct probe_ctx *ctx)
{
    cJSON *sys = system_obj(ctx->doc);

    if (!sys)
        return;
    if (ctx->redact) {
        /* still read it, so a snapshot holds the file (redacted there too) */
        char buf[256];
        int ret = ptd_root_read_attr(ctx->root, "/proc/sys/kernel/hostname", buf, sizeof(buf));

        if (ret)
            ptd_doc_add_error(ctx->doc, SOURCE, "/proc/sys/kernel/hostname: %s", strerror(-ret));
        /* this host is node 1 of the one redaction mapping (redact_map.h) */
        ptd_json_add_str(sys, "hostname", ret ? NULL : "[node-1]");
    } else {
        add_attr(ctx, sys, "hostname", "/proc/sys/kernel/hostname");
    }
    add_attr(ctx, sys, "kernel_release", "/proc/sys/kernel/osrelease");
    add_attr(ctx, sys, "kernel_version", "/proc/version");
    probe_cpu(ctx, sys);
    ptd_json_add_tri(sys, "kvm_device", exists_tri(ctx, "/dev/kvm"));
    probe_acpi(ctx, sys);
}

/* SPDX-License-Identifier: MIT */
/* doc.system: OS, kernel, uptime, boot id, whether this is a VM, and what CPUID says. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "ptdiag/cpuid.h"
#include "ptdiag/doc.h"
#include "ptdiag/kmsg.h"

#define SRC "system"

static void add_attr(struct agent_ctx *ctx, cJSON *obj, const char *key, const char *path)
{
    char buf[256];
    int r = ptd_root_read_attr(ctx->root, path, buf, sizeof(buf));

    if (r == 0) {
        agent_sanitize(buf);
        ptd_json_add_str(obj, key, buf);
        return;
    }
    ptd_json_add_str(obj, key, NULL);
    ptd_doc_add_error(ctx->doc, SRC, "%s: %s", path, strerror(-r));
}

static void add_os(struct agent_ctx *ctx, cJSON *sys)
{
    /* system.os members after "name", and the os-release(5) key each comes from */
    static const char *const members[][2] = {
        {"id", "ID"}, {"version", "VERSION_ID"}, {"build", "BUILD_ID"}};
    cJSON *os = agent_obj(sys, "os");
    char *text = NULL, *value;
    size_t i;
    int r;

    if (!os)
        return;
    /* os-release(5): /etc/os-release, falling back to /usr/lib/os-release */
    r = ptd_root_read_file(ctx->root, "/etc/os-release", 64 * 1024, &text, NULL);
    if (r != 0)
        r = ptd_root_read_file(ctx->root, "/usr/lib/os-release", 64 * 1024, &text, NULL);
    if (r != 0) {
        ptd_doc_add_error(ctx->doc, SRC, "/etc/os-release: %s", strerror(-r));
        text = NULL;
    }
    agent_sanitize(text);
    value = text ? agent_kv_value(text, "PRETTY_NAME") : NULL;
    if (!value && text)
        value = agent_kv_value(text, "NAME");
    ptd_json_add_str(os, "name", value);
    free(value);
    for (i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
        value = text ? agent_kv_value(text, members[i][1]) : NULL;
        ptd_json_add_str(os, members[i][0], value);
        free(value);
    }
    free(text);
}

static void add_uptime(struct agent_ctx *ctx, cJSON *sys)
{
    char buf[128];
    double up = 0;
    int r = ptd_root_read_attr(ctx->root, "/proc/uptime", buf, sizeof(buf));

    if (r == 0 && sscanf(buf, "%lf", &up) == 1 && up >= 0) {
        ptd_json_add_num(sys, "uptime_s", up, true);
        return;
    }
    ptd_json_add_num(sys, "uptime_s", 0, false);
    if (r != 0)
        ptd_doc_add_error(ctx->doc, SRC, "/proc/uptime: %s", strerror(-r));
    else
        ptd_doc_add_error(ctx->doc, SRC, "/proc/uptime: not a number: '%.40s'", buf);
}

/* 1 when /proc/cpuinfo lists the "hypervisor" flag (the kernel's copy of CPUID.1:ECX[31]),
 * 0 when flags are listed without it, -1 when unknown. */
static int cpuinfo_hypervisor_flag(struct agent_ctx *ctx)
{
    char *text = NULL, *line;
    int found = -1, r;

    r = ptd_root_read_file(ctx->root, "/proc/cpuinfo", 8u << 20, &text, NULL);
    if (r != 0) {
        ptd_doc_add_error(ctx->doc, SRC, "/proc/cpuinfo: %s", strerror(-r));
        return -1;
    }
    for (line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        const char *colon;

        if (strncmp(line, "flags", 5) != 0)
            continue;
        colon = strchr(line, ':');
        if (!colon)
            continue;
        found = 0;
        for (const char *p = colon + 1; *p && *p != '\n';) {
            size_t n;

            while (*p == ' ' || *p == '\t')
                p++;
            n = strcspn(p, " \t\n");
            if (n == 10 && strncmp(p, "hypervisor", 10) == 0) {
                found = 1;
                break;
            }
            p += n;
        }
        break; /* every CPU lists the same flags */
    }
    if (found < 0)
        ptd_doc_add_error(ctx->doc, SRC, "/proc/cpuinfo: no flags line");
    free(text);
    return found;
}

/* The signature the kernel found, from "Hypervisor detected: KVM" (arch/x86/kernel/cpu/
 * hypervisor.c prints the hypervisor's name, not its CPUID signature). */
static const char *kmsg_signature(struct agent_ctx *ctx, bool *seen)
{
    const cJSON *events = ptd_json_get(ctx->doc, "kernel_log.events"), *ev;

    *seen = false;
    cJSON_ArrayForEach(ev, events)
    {
        const char *kind = ptd_json_get_str(ev, "kind");
        const char *detail = ptd_json_get_str(ev, "detail");

        if (!kind || strcmp(kind, ptd_kmsg_kind_name(PTD_KMSG_HYPERVISOR_DETECTED)) != 0)
            continue;
        *seen = true;
        if (detail && strcmp(detail, "KVM") == 0)
            return "KVMKVMKVM";
        if (detail && strncmp(detail, "Microsoft", 9) == 0)
            return "Microsoft Hv";
        return NULL; /* Xen, VMware, ACRN...: the kernel does not print the signature */
    }
    return NULL;
}

static int add_cpuid(struct agent_ctx *ctx, cJSON *sys)
{
    cJSON *c = agent_obj(sys, "cpuid");
    struct ptd_cpuid_view view;
    const char *sig;
    bool seen;
    int bit;

    if (!c)
        return -1;
    if (ctx->live) {
        ptd_cpuid_read(&view);
        ptd_cpuid_add_json(c, &view);
        if (!view.available) {
            ptd_doc_add_error(ctx->doc, SRC, "cpuid: not an x86 CPU");
            return -1;
        }
        return view.hypervisor_bit;
    }
    bit = cpuinfo_hypervisor_flag(ctx);
    ptd_json_add_str(c, "source", bit >= 0 ? "proc-cpuinfo" : NULL);
    ptd_json_add_tri(c, "hypervisor_bit", bit);
    sig = kmsg_signature(ctx, &seen);
    if (bit == 0) {
        /* Without the bit, leaf 0x40000000 is not consulted by anyone: no signature. */
        ptd_json_add_str(c, "signature", "");
        ptd_json_add_str(c, "signature_source", "proc-cpuinfo");
        ptd_json_add_str(c, "hypervisor_kind", "none");
    } else if (bit > 0 && sig) {
        ptd_json_add_str(c, "signature", sig);
        ptd_json_add_str(c, "signature_source", "kernel-log");
        ptd_json_add_str(c, "hypervisor_kind", ptd_cpuid_hypervisor_kind(true, sig));
    } else {
        ptd_json_add_str(c, "signature", NULL);
        ptd_json_add_str(c, "signature_source", NULL);
        ptd_json_add_str(c, "hypervisor_kind", NULL);
        if (bit > 0)
            ptd_doc_add_error(ctx->doc, SRC, "cpuid signature: %s under --root",
                              seen ? "the kernel log names a hypervisor without its signature"
                                   : "no \"Hypervisor detected\" line in the kernel log");
    }
    return bit;
}

/* What hypervisors write into the guest's SMBIOS tables. Unlike the CPUID bit, these survive
 * "-hypervisor" / kvm=off, unless the VM's smbios1 settings rewrite them. */
static const struct {
    const char *attr; /* under /sys/class/dmi/id/ */
    const char *needle;
} dmi_marks[] = {
    {"sys_vendor", "QEMU"},              /* QEMU/KVM, Proxmox's default */
    {"sys_vendor", "VMware"},            /* VMware */
    {"sys_vendor", "innotek"},           /* VirtualBox */
    {"sys_vendor", "Xen"},               /* Xen HVM */
    {"sys_vendor", "Red Hat"},           /* RHEL/oVirt KVM */
    {"product_name", "KVM"},             /* KVM with its own product string */
    {"product_name", "Standard PC ("},   /* QEMU machine types (i440FX/Q35) */
    {"product_name", "Virtual Machine"}, /* Hyper-V */
    {"product_name", "VirtualBox"},
};

/* 1 when DMI names a hypervisor, 0 when readable and it does not, -1 when unreadable. */
static int dmi_says_vm(struct agent_ctx *ctx, char *evidence, size_t evlen)
{
    char path[64], buf[256];
    bool any = false;
    size_t i;

    for (i = 0; i < sizeof(dmi_marks) / sizeof(dmi_marks[0]); i++) {
        snprintf(path, sizeof(path), "/sys/class/dmi/id/%s", dmi_marks[i].attr);
        if (ptd_root_read_attr(ctx->root, path, buf, sizeof(buf)) != 0)
            continue;
        any = true;
        agent_sanitize(buf);
        if (strstr(buf, dmi_marks[i].needle)) {
            snprintf(evidence, evlen, "%s: %s", path, buf);
            return 1;
        }
    }
    return any ? 0 : -1;
}

void agent_system(struct agent_ctx *ctx)
{
    cJSON *sys = agent_obj(ctx->doc, "system");
    char evidence[352] = "";
    int bit, dmi;

    if (!sys)
        return;
    add_os(ctx, sys);
    add_attr(ctx, sys, "kernel_release", "/proc/sys/kernel/osrelease");
    add_attr(ctx, sys, "hostname", "/proc/sys/kernel/hostname");
    add_uptime(ctx, sys);
    add_attr(ctx, sys, "boot_id", "/proc/sys/kernel/random/boot_id");
    bit = add_cpuid(ctx, sys);
    dmi = dmi_says_vm(ctx, evidence, sizeof(evidence));
    if (bit > 0) {
        ptd_json_add_tri(sys, "is_vm", 1);
        ptd_json_add_str(sys, "is_vm_evidence", "cpuid hypervisor bit");
    } else if (dmi > 0) {
        ptd_json_add_tri(sys, "is_vm", 1);
        ptd_json_add_str(sys, "is_vm_evidence", evidence);
    } else if (bit == 0 && dmi == 0) {
        ptd_json_add_tri(sys, "is_vm", 0);
        ptd_json_add_str(sys, "is_vm_evidence", "no hypervisor bit, firmware names no hypervisor");
    } else {
        ptd_json_add_tri(sys, "is_vm", -1);
        ptd_json_add_str(sys, "is_vm_evidence", NULL);
    }
}

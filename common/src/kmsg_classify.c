/* SPDX-License-Identifier: MIT */
/*
 * Kernel log classification: one message into an event (see ptdiag/kmsg.h). Portable C only:
 * the Windows cross build compiles this file too, and the Linux agent and the host probe
 * share it. Splitting a log into messages and collecting events is kmsg.c; the string, BDF
 * and number helpers the classifiers use are kmsg_scan.c.
 *
 * Matching is by literal fragments of the kernel's format strings (failure catalogue §3.1,
 * §3.4, §3.5), not by regular expressions: the fragments are stable across kernel versions
 * where the surrounding punctuation is not (e.g. "BAR 0: can't reserve" became
 * "BAR 0 [mem ...]: can't reserve" in 6.x).
 */
#include "ptdiag/kmsg.h"

#include "kmsg_scan.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

const char *ptd_kmsg_kind_name(enum ptd_kmsg_kind kind)
{
    static const char *const names[] = {
#define PTD_KMSG_NAME(name, str) str,
        PTD_KMSG_KINDS(PTD_KMSG_NAME)
#undef PTD_KMSG_NAME
    };

    if ((unsigned)kind >= PTD_KMSG_KIND_COUNT)
        return "unknown";
    return names[kind];
}

/* ---- classification ------------------------------------------------------------------ */

static bool classify_nvrm(const char *msg, struct ptd_kmsg_event *ev)
{
    const char *p, *q;

    if (!strstr(msg, "NVRM"))
        return false;
    if ((p = kmsg_after(msg, "Xid (PCI:")) != NULL) {
        /* "NVRM: Xid (PCI:0000:2b:00): 79, pid=1234, name=..., GPU has fallen off the bus." */
        ev->kind = PTD_KMSG_NVRM_XID;
        q = strchr(p, ')');
        if (q && (size_t)(q - p) < sizeof(ev->device))
            kmsg_lower_copy(ev->device, p, (size_t)(q - p));
        if (q && q[1] == ':') {
            const char *rest;

            if (kmsg_parse_long(q + 2 + strspn(q + 2, " "), &ev->code, &rest)) {
                rest += strspn(rest, ", ");
                kmsg_copy_trimmed(ev->detail, sizeof(ev->detail), rest, strlen(rest));
            }
        }
        return true;
    }
    if ((p = strstr(msg, "has fallen off the bus")) != NULL) {
        /* "NVRM: GPU at PCI:0000:2b:00: GPU has fallen off the bus." */
        ev->kind = PTD_KMSG_NVRM_FALLEN_OFF_BUS;
        if ((q = kmsg_after(msg, "PCI:")) != NULL && q < p) {
            size_t n = strcspn(q, ": ");
            /* the bus id is "dddd:bb:dd"; stop before the trailing ": " */
            if (n >= 4 && kmsg_all_hex(q, 4) && q[4] == ':' && kmsg_all_hex(q + 5, 2) &&
                q[7] == ':' && kmsg_all_hex(q + 8, 2))
                kmsg_lower_copy(ev->device, q, 10);
        }
        if (!ev->device[0])
            kmsg_find_bdf(msg, ev->device, sizeof(ev->device));
        return true;
    }
    if (strstr(msg, "requires use of the NVIDIA open kernel modules")) {
        ev->kind = PTD_KMSG_NVRM_OPEN_REQUIRED;
        kmsg_find_bdf(msg, ev->device, sizeof(ev->device));
        if ((p = kmsg_after(msg, "PCI ID: ")) != NULL)
            kmsg_copy_trimmed(ev->detail, sizeof(ev->detail), p, strcspn(p, ")"));
        return true;
    }
    if ((p = kmsg_after(msg, "RmInitAdapter failed!")) != NULL) {
        /* The (a:b:c) tuple is opaque (catalogue §3.5): keep it verbatim. */
        ev->kind = PTD_KMSG_NVRM_RMINIT_FAILED;
        kmsg_find_bdf(msg, ev->device, sizeof(ev->device));
        p = strchr(p, '(');
        if (p && (q = strchr(p, ')')) != NULL)
            kmsg_copy_clean(ev->detail, sizeof(ev->detail), p + 1, (size_t)(q - p - 1));
        return true;
    }
    if ((p = kmsg_after(msg, "rm_init_adapter failed")) != NULL) {
        ev->kind = PTD_KMSG_NVRM_INIT_FAILED;
        kmsg_find_bdf(msg, ev->device, sizeof(ev->device));
        if ((q = kmsg_after(p, "minor number ")) != NULL)
            kmsg_parse_long(q, &ev->code, NULL);
        return true;
    }
    if ((p = kmsg_after(msg, "API mismatch")) != NULL) {
        ev->kind = PTD_KMSG_NVRM_VERSION_MISMATCH;
        p += strspn(p, ": ");
        kmsg_copy_trimmed(ev->detail, sizeof(ev->detail), p, strlen(p));
        return true;
    }
    return false;
}

static bool classify_iommu(const char *msg, struct ptd_kmsg_event *ev)
{
    const char *p;

    if (strstr(msg, "DMAR: IOMMU enabled") || strstr(msg, "AMD-Vi: Found IOMMU")) {
        ev->kind = PTD_KMSG_DMAR_ENABLED;
        kmsg_find_bdf(msg, ev->device, sizeof(ev->device));
        strcpy(ev->detail, strstr(msg, "DMAR: IOMMU enabled") ? "intel" : "amd");
        return true;
    }
    if ((p = kmsg_after(msg, "Enabled IRQ remapping in ")) != NULL) {
        /* "DMAR-IR: Enabled IRQ remapping in x2apic mode" */
        ev->kind = PTD_KMSG_IRQ_REMAP_ENABLED;
        kmsg_copy_trimmed(ev->detail, sizeof(ev->detail), p, strcspn(p, " "));
        return true;
    }
    if (strstr(msg, "AMD-Vi: Interrupt remapping enabled")) {
        ev->kind = PTD_KMSG_IRQ_REMAP_ENABLED;
        strcpy(ev->detail, "amd");
        return true;
    }
    if (strstr(msg, "No interrupt remapping support")) {
        ev->kind = PTD_KMSG_IRQ_REMAP_MISSING;
        return true;
    }
    if ((p = kmsg_after(msg, "Hypervisor detected: ")) != NULL) {
        ev->kind = PTD_KMSG_HYPERVISOR_DETECTED;
        kmsg_copy_trimmed(ev->detail, sizeof(ev->detail), p, strlen(p));
        return true;
    }
    if ((strstr(msg, "[DMA Read") || strstr(msg, "[DMA Write") || strstr(msg, "[INTR-REMAP")) &&
        (p = kmsg_after(msg, "Request device [")) != NULL) {
        /* "DMAR: [DMA Read NO_PASID] Request device [01:00.0] fault addr 0x.. [fault reason
         * 0x06] PTE Read access is not set" */
        const char *r;

        char *e;
        long reason;

        ev->kind = PTD_KMSG_DMAR_FAULT;
        if (!kmsg_short_bdf_at(p, ev->device, sizeof(ev->device)) &&
            !kmsg_hex_bdf_at(p, ev->device, sizeof(ev->device)))
            kmsg_find_bdf(p, ev->device, sizeof(ev->device));
        if ((r = kmsg_after(msg, "fault reason ")) != NULL) {
            /* "0x06" (5.x+) or "06" (older): one byte */
            reason = strtol(r, &e, 16);
            if (e != r && reason >= 0 && reason <= 0xff)
                ev->code = reason;
            r += strcspn(r, "]");
            if (*r == ']')
                r++;
            kmsg_copy_trimmed(ev->detail, sizeof(ev->detail), r, strlen(r));
        }
        return true;
    }
    if ((p = strstr(msg, "IO_PAGE_FAULT")) != NULL) {
        /* "vfio-pci 0000:0b:00.0: AMD-Vi: Event logged [IO_PAGE_FAULT domain=0x000d
         * address=0x.. flags=0x0020]"; older kernels put "device=0b:00.0" inside. */
        const char *d = kmsg_after(p, "device=");

        ev->kind = PTD_KMSG_AMDVI_PAGE_FAULT;
        if (d && !kmsg_short_bdf_at(d, ev->device, sizeof(ev->device)))
            kmsg_find_bdf(d, ev->device, sizeof(ev->device));
        if (!ev->device[0])
            kmsg_find_bdf(msg, ev->device, sizeof(ev->device));
        kmsg_copy_trimmed(ev->detail, sizeof(ev->detail), p, strcspn(p, "]"));
        return true;
    }
    return false;
}

/* PCI core messages; the caller takes the device from the message. */
static bool classify_pci(const char *msg, struct ptd_kmsg_event *ev)
{
    const char *p;

    if ((p = strstr(msg, "can't reserve")) != NULL && strstr(msg, "BAR")) {
        /* "BAR 1: can't reserve [mem ...]" (<= 6.7) and "BAR 1 [mem ...]: can't reserve" */
        ev->kind = PTD_KMSG_BAR_CANT_RESERVE;
        ev->code = kmsg_bar_index(msg, p);
        kmsg_bracket_detail(strstr(msg, "BAR"), ev->detail, sizeof(ev->detail));
        return true;
    }
    if (strstr(msg, "not enough MMIO resources")) {
        ev->kind = PTD_KMSG_MMIO_NOT_ENOUGH;
        return true;
    }
    if (strstr(msg, "BAR") && (p = strstr(msg, "no space for")) != NULL) {
        ev->kind = PTD_KMSG_BAR_NO_SPACE;
        ev->code = kmsg_bar_index(msg, p);
        kmsg_bracket_detail(p, ev->detail, sizeof(ev->detail));
        return true;
    }
    if (strstr(msg, "BAR") && ((p = strstr(msg, "failed to assign")) != NULL ||
                               (p = strstr(msg, "can't assign; no space")) != NULL)) {
        ev->kind = PTD_KMSG_BAR_NO_SPACE;
        ev->code = kmsg_bar_index(msg, p);
        kmsg_bracket_detail(strstr(msg, "BAR"), ev->detail, sizeof(ev->detail));
        return true;
    }
    if ((p = strstr(msg, "Invalid PCI ROM")) != NULL ||
        (p = strstr(msg, "No more image in the PCI ROM")) != NULL) {
        const char *got = kmsg_after(p, "got ");

        ev->kind = PTD_KMSG_ROM_INVALID;
        if (got)
            kmsg_copy_trimmed(ev->detail, sizeof(ev->detail), got, strcspn(got, " "));
        else
            kmsg_copy_trimmed(ev->detail, sizeof(ev->detail), p, strlen(p));
        return true;
    }
    if ((p = strstr(msg, "not ready ")) != NULL && strstr(p, "ms after ")) {
        /* "not ready 65535ms after FLR; giving up" (also "...; waiting") */
        ev->kind = PTD_KMSG_RESET_NOT_READY;
        kmsg_parse_long(p + strlen("not ready "), &ev->code, NULL);
        p = kmsg_after(p, "ms after ");
        kmsg_copy_trimmed(ev->detail, sizeof(ev->detail), p, strlen(p));
        return true;
    }
    if ((p = kmsg_after(msg, "Unable to change power state from ")) != NULL &&
        strncmp(p, "D3cold", 6) == 0) {
        ev->kind = PTD_KMSG_D3COLD_STUCK;
        kmsg_copy_trimmed(ev->detail, sizeof(ev->detail), p, strcspn(p, ","));
        return true;
    }
    if (strstr(msg, "Unknown header type 7f")) {
        ev->kind = PTD_KMSG_DEVICE_GONE;
        return true;
    }
    return false;
}

/* vendor-reset logs every step as "<driver> <dev>: AMD_NAVI10: <step>" ("performing
 * pre-reset", "timed out waiting for PSP to reach valid state", "reset result = 0") and
 * "vendor_reset_hook: ..." / "vendor-reset ..." from the module itself. */
static bool classify_vendor_reset(const char *msg, struct ptd_kmsg_event *ev)
{
    const char *p = strstr(msg, "AMD_"), *q;
    char dev[16];
    size_t n;

    if (p && (p == msg || p[-1] == ' ')) {
        n = strspn(p + 4, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
        /* A step names the device before the family; without one, only "reset" lines. */
        kmsg_find_bdf(msg, dev, sizeof(dev));
        if (n > 0 && p[4 + n] == ':' && (strstr(p, "reset") || (dev[0] && strstr(msg, dev) < p))) {
            ev->kind = PTD_KMSG_VENDOR_RESET;
            kmsg_copy_clean(ev->detail, sizeof(ev->detail), p, n + 4);
            if ((q = kmsg_after(p, "reset result = ")) != NULL)
                kmsg_parse_long(q, &ev->code, NULL);
            kmsg_find_bdf(msg, ev->device, sizeof(ev->device));
            return true;
        }
    }
    if (strstr(msg, "vendor_reset") || strstr(msg, "vendor-reset")) {
        ev->kind = PTD_KMSG_VENDOR_RESET;
        kmsg_find_bdf(msg, ev->device, sizeof(ev->device));
        return true;
    }
    return false;
}

/* GPU driver messages (amdgpu, i915, xe, probe failures); the caller takes the device from
 * the message. */
static bool classify_gpu_drivers(const char *msg, struct ptd_kmsg_event *ev)
{
    const char *p, *q;

    if (strstr(msg, "Unable to locate a BIOS ROM")) {
        ev->kind = PTD_KMSG_AMDGPU_NO_BIOS;
        return true;
    }
    if (strstr(msg, "Fatal error during GPU init")) {
        ev->kind = PTD_KMSG_AMDGPU_INIT_FAILED;
        return true;
    }
    if ((p = strstr(msg, "ailed to resize BAR")) != NULL && p > msg &&
        (p[-1] == 'F' || p[-1] == 'f')) {
        /* xe/i915: "Failed to resize BAR2 to 8192M (-ENOSPC). Consider enabling ..." */
        ev->kind = PTD_KMSG_BAR_RESIZE_FAILED;
        p += strlen("ailed to resize BAR");
        kmsg_parse_long(p + strspn(p, " "), &ev->code, NULL);
        if ((q = kmsg_after(p, " to ")) != NULL)
            kmsg_copy_trimmed(ev->detail, sizeof(ev->detail), q, strcspn(q, "."));
        return true;
    }
    if (strstr(msg, "Failed to initialize GPU, declaring it wedged") &&
        (strncmp(msg, "i915", 4) == 0 || strstr(msg, "[drm]"))) {
        /* "i915 0000:00:02.0: [drm] *ERROR* GT0: Failed to initialize GPU, declaring it
         * wedged!" (GuC/HuC firmware missing or the GT not coming up) */
        ev->kind = PTD_KMSG_I915_INIT_FAILED;
        kmsg_copy_clean(ev->detail, sizeof(ev->detail), msg, strcspn(msg, " "));
        return true;
    }
    if ((p = kmsg_after(msg, "Device initialization failed")) != NULL &&
        (strncmp(msg, "i915", 4) == 0 || strncmp(msg, "xe ", 3) == 0 || strstr(msg, "[drm]"))) {
        ev->kind = PTD_KMSG_I915_INIT_FAILED;
        p += strspn(p, " (");
        kmsg_parse_long(p, &ev->code, NULL);
        kmsg_copy_clean(ev->detail, sizeof(ev->detail), msg, strcspn(msg, " "));
        return true;
    }
    if ((p = strstr(msg, "failed with error ")) != NULL && strstr(msg, "probe")) {
        /* "amdgpu: probe of 0000:03:00.0 failed with error -22" (<= 6.x) and
         * "amdgpu 0000:03:00.0: probe with driver amdgpu failed with error -22" */
        ev->kind = PTD_KMSG_PROBE_FAILED;
        kmsg_parse_long(p + strlen("failed with error "), &ev->code, NULL);
        if ((q = kmsg_after(msg, "probe with driver ")) != NULL)
            kmsg_copy_clean(ev->detail, sizeof(ev->detail), q, strcspn(q, " "));
        else
            kmsg_copy_clean(ev->detail, sizeof(ev->detail), msg, strcspn(msg, ": "));
        return true;
    }
    return false;
}

/* NVIDIA prints some messages over several lines, each prefixed "NVRM: " again ("...
 * installed in this system has\nNVRM: fallen off the bus ..."). Joined into one message, the
 * repeated prefixes are dropped so the text reads as one sentence. Returns msg itself when
 * there is nothing to drop, else buf. */
static const char *nvrm_unsplit(const char *msg, char *buf, size_t len)
{
    const char *p = msg, *hit, *from = msg + 6;
    size_t n = 0, k;

    if (strncmp(msg, "NVRM: ", 6) != 0 || !strstr(from, " NVRM: "))
        return msg;
    while ((hit = strstr(from, " NVRM: ")) != NULL) {
        k = (size_t)(hit - p) + 1; /* up to and with the space */
        if (k > len - 1 - n)
            k = len - 1 - n;
        memcpy(buf + n, p, k);
        n += k;
        p = from = hit + 7;
    }
    k = strlen(p);
    if (k > len - 1 - n)
        k = len - 1 - n;
    memcpy(buf + n, p, k);
    buf[n + k] = '\0';
    return buf;
}

/* A module the kernel refused for its signature (kernel/module/signing.c, with signatures
 * enforced: "Loading of %s is rejected", the reason "unsigned module", "module with
 * unavailable key" or "module with unsupported crypto"), or that lockdown refused (Secure
 * Boot: "Lockdown: %s: unsigned module loading is restricted; see man kernel_lockdown.7", %s
 * the loading process). Neither names the module: the reason goes to detail. */
static bool classify_module_signature(const char *msg, struct ptd_kmsg_event *ev)
{
    const char *p = kmsg_after(msg, "Loading of "), *q;

    if (p && (q = strstr(p, " is rejected")) != NULL && q > p) {
        ev->kind = PTD_KMSG_MODULE_SIG_REJECTED;
        kmsg_copy_clean(ev->detail, sizeof(ev->detail), p, (size_t)(q - p));
        return true;
    }
    if (strstr(msg, "Lockdown: ") && strstr(msg, "unsigned module loading is restricted")) {
        ev->kind = PTD_KMSG_MODULE_SIG_REJECTED;
        strcpy(ev->detail, "unsigned module loading (lockdown)");
        return true;
    }
    return false;
}

bool ptd_kmsg_classify(const char *msg, struct ptd_kmsg_event *ev)
{
    double t = ev->time_s;
    char joined[1024];

    if (!msg)
        return false;
    msg = nvrm_unsplit(msg, joined, sizeof(joined));
    memset(ev, 0, sizeof(*ev));
    ev->time_s = t;
    ev->code = PTD_KMSG_NO_CODE;
    if (classify_nvrm(msg, ev) || classify_iommu(msg, ev)) {
        /* these find the device themselves: it is not always the message's prefix */
    } else if (classify_gpu_drivers(msg, ev) || classify_pci(msg, ev)) {
        kmsg_find_bdf(msg, ev->device, sizeof(ev->device));
    } else if (!classify_vendor_reset(msg, ev) && !classify_module_signature(msg, ev)) {
        return false;
    }
    kmsg_copy_trimmed(ev->text, sizeof(ev->text), msg, strlen(msg));
    return true;
}

/* SPDX-License-Identifier: MIT */
/*
 * Kernel log reading and classification, shared by the host probe and the Linux agent.
 * Input is either the live /dev/kmsg (records "prio,seq,usec,flags;text" with indented
 * "KEY=value" continuation lines) or a text file in the same format or as users have logs:
 * `dmesg` ("[   12.345678] text", a message possibly continuing on indented lines), dmesg -T,
 * -H and -t, journalctl -k ("Nov 03 12:00:00 host kernel: text") and rsyslog's kern.log
 * (newlines inside a message written "#012"). Every format gives the same events.
 *
 * Classification turns known lines (failure catalogue §3.1, §3.4, §3.5) into events:
 * {kind, time_s, device, code, detail, text}. Unknown lines are dropped.
 */
#ifndef PTDIAG_KMSG_H
#define PTDIAG_KMSG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "ptdiag/error.h"
#include "ptdiag/root.h"

/* Event kinds (strings in the documents; stable, see docs/schema.md). */
#define PTD_KMSG_KINDS(X)                                                                          \
    X(DMAR_ENABLED, "iommu-enabled")              /* DMAR: IOMMU enabled / AMD-Vi found */         \
    X(IRQ_REMAP_ENABLED, "irq-remapping-enabled") /* DMAR-IR / AMD-Vi IRQ remapping */             \
    X(IRQ_REMAP_MISSING, "irq-remapping-missing") /* vfio_iommu_type1 no IRQ remapping */          \
    X(HYPERVISOR_DETECTED, "hypervisor-detected") /* "Hypervisor detected: KVM" */                 \
    X(DMAR_FAULT, "dmar-fault")                   /* DMAR DMA read/write fault */                  \
    X(AMDVI_PAGE_FAULT, "amd-vi-page-fault")      /* AMD-Vi IO_PAGE_FAULT */                       \
    X(BAR_CANT_RESERVE, "bar-cant-reserve")       /* BAR N: can't reserve */                       \
    X(MMIO_NOT_ENOUGH, "mmio-not-enough")         /* not enough MMIO resources */                  \
    X(BAR_NO_SPACE, "bar-no-space")               /* BAR N: no space for / failed assign */        \
    X(ROM_INVALID, "rom-invalid")                 /* Invalid PCI ROM header signature */           \
    X(RESET_NOT_READY, "reset-not-ready")         /* not ready Nms after FLR; giving up */         \
    X(D3COLD_STUCK, "d3cold-stuck")               /* Unable to change power state D3cold */        \
    X(DEVICE_GONE, "device-gone")                 /* Unknown header type 7f */                     \
    X(VENDOR_RESET, "vendor-reset")               /* vendor-reset module acting */                 \
    X(NVRM_XID, "nvrm-xid")                       /* NVRM: Xid (PCI:...): N, ... */                \
    X(NVRM_FALLEN_OFF_BUS, "nvrm-fallen-off-bus") /* GPU has fallen off the bus */                 \
    X(NVRM_OPEN_REQUIRED, "nvrm-open-module-required")                                             \
    X(NVRM_RMINIT_FAILED, "nvrm-rminitadapter-failed")  /* RmInitAdapter failed! (a:b:c) */        \
    X(NVRM_INIT_FAILED, "nvrm-init-failed")             /* rm_init_adapter failed, minor N */      \
    X(NVRM_VERSION_MISMATCH, "nvrm-api-mismatch")       /* NVRM: API mismatch */                   \
    X(AMDGPU_NO_BIOS, "amdgpu-no-vbios")                /* Unable to locate a BIOS ROM */          \
    X(AMDGPU_INIT_FAILED, "amdgpu-init-failed")         /* Fatal error during GPU init */          \
    X(PROBE_FAILED, "driver-probe-failed")              /* probe of BDF failed with error N */     \
    X(BAR_RESIZE_FAILED, "bar-resize-failed")           /* xe/i915/amdgpu failed to resize BAR */  \
    X(I915_INIT_FAILED, "intel-gpu-init-failed")        /* i915/xe device init failed */           \
    X(MODULE_SIG_REJECTED, "module-signature-rejected") /* unsigned/untrusted module refused */

enum ptd_kmsg_kind {
#define PTD_KMSG_ENUM(name, str) PTD_KMSG_##name,
    PTD_KMSG_KINDS(PTD_KMSG_ENUM)
#undef PTD_KMSG_ENUM
        PTD_KMSG_KIND_COUNT
};

const char *ptd_kmsg_kind_name(enum ptd_kmsg_kind kind);

/* ptd_kmsg_event.code when the message carries no number ("code": null in JSON). Not -1:
 * "probe ... failed with error -1" is -EPERM, a real code. */
#define PTD_KMSG_NO_CODE LONG_MIN

struct ptd_kmsg_event {
    enum ptd_kmsg_kind kind;
    double time_s;    /* seconds since boot; < 0 when the line had no timestamp */
    char device[32];  /* "0000:01:00.0", "0000:2b:00" (NVRM gives no function), or "" */
    long code;        /* Xid, errno (-1 is EPERM), BAR index...; PTD_KMSG_NO_CODE: none */
    char detail[128]; /* RmInitAdapter tuple "0x22:0x56:1017", DMAR fault reason ... */
    char text[512];   /* the message, truncated */
};

/* Classifies one message (no timestamp prefix). Returns true and fills ev when it is a
 * known event; ev->time_s is left as set by the caller. Pure, for tests and fuzzers. */
bool ptd_kmsg_classify(const char *msg, struct ptd_kmsg_event *ev);

/* Callback per parsed message: return false to stop. */
typedef bool (*ptd_kmsg_line_fn)(double time_s, const char *msg, void *user);

/* Splits a log buffer (any format above, auto-detected per line) into messages, joining
 * continuation lines of dmesg/journal text, skipping /dev/kmsg KEY=value lines and syslog
 * lines of programs other than the kernel. time_s is seconds since boot, or -1 when the
 * line has no such stamp (wall-clock formats, no prefix). */
void ptd_kmsg_split(const char *buf, size_t len, ptd_kmsg_line_fn fn, void *user);

/* Reads the kernel log: the live /dev/kmsg (non-blocking, whole ring buffer) or
 * ROOT/dev/kmsg as a regular file. On success *buf is malloc'd (caller frees).
 * Returns 0 or -errno (-EPERM when dmesg_restrict hides it from non-root). */
int ptd_kmsg_read(struct ptd_root *root, char **buf, size_t *len);

/* Convenience: reads, splits and classifies, appending event objects to `events`
 * (a cJSON array) and returning how many were added. At most max_events are kept (the
 * newest). Consecutive "NVRM: " messages that only together form a known message (NVIDIA
 * prints some over several lines, each prefixed again) are classified joined. */
int ptd_kmsg_collect(const char *buf, size_t len, cJSON *events, size_t max_events);

/* Converts one event into a JSON object (caller owns). */
cJSON *ptd_kmsg_event_to_json(const struct ptd_kmsg_event *ev);

#endif

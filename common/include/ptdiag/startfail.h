/* SPDX-License-Identifier: MIT */
/*
 * VM start-failure messages: what QEMU (Proxmox prints it as "kvm: ..."), qemu-server and
 * pve-common write into a Proxmox task log or the journal when a VM with a passed device does
 * not start, classified into events of one shape. The design is the kernel log classifier's
 * (ptdiag/kmsg.h): matching by literal fragments of the format strings, one classifier per
 * message source, pure functions for tests and fuzzers. Kernel messages from the journal are
 * classified by ptd_kmsg_classify() and mapped onto these kinds by ptd_start_from_kmsg().
 *
 * The event is tied to a device by the message itself; the VM, the time and the source (task
 * or journal entry) are the caller's, who knows where the message came from.
 */
#ifndef PTDIAG_STARTFAIL_H
#define PTDIAG_STARTFAIL_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "ptdiag/kmsg.h"

/* Event kinds (strings in the documents; stable, see docs/schema.md). */
#define PTD_START_KINDS(X)                                                                         \
    X(GROUP_NOT_VIABLE, "group-not-viable")     /* vfio ...: group N is not viable */              \
    X(DEVICE_IN_USE, "device-in-use")           /* PCI device '..' already in use by VMID '..' */  \
    X(HOST_DRIVER_BOUND, "host-driver-bound")   /* can't unbind/bind PCI group to VFIO */          \
    X(RESET_UNAVAILABLE, "reset-unavailable")   /* Cannot reset device .., no available reset */   \
    X(RESET_FAILED, "reset-failed")             /* failed to reset PCI device; not ready after */  \
    X(BAR_CONFLICT, "bar-reservation-conflict") /* kernel: BAR N: can't reserve */                 \
    X(DMA_MAP_EINVAL, "dma-map-einval")         /* vfio_dma_map(..) = -22 (Invalid argument) */    \
    X(DMA_MAP_ENOMEM, "dma-map-enomem")         /* vfio_dma_map(..) = -12 (Cannot allocate ..) */  \
    X(ROM_UNREADABLE, "romfile-unreadable")     /* failed to find romfile ".." */                  \
    X(D3_STUCK, "device-stuck-d3")              /* Unable to power on device, stuck in D3 */       \
    X(QMP_TIMEOUT, "start-timeout") /* start failed: command '..kvm..' failed: got timeout */      \
    X(MDEV_UNAVAILABLE, "mdev-unavailable") /* has no available instances of '..' */               \
    X(SLOT_IN_USE, "guest-slot-in-use")     /* PCI: slot 2 function 0 not available for .. */      \
    X(TASK_ERROR, "task-error")             /* any other "TASK ERROR: ..." */

enum ptd_start_kind {
#define PTD_START_ENUM(name, str) PTD_START_##name,
    PTD_START_KINDS(PTD_START_ENUM)
#undef PTD_START_ENUM
        PTD_START_KIND_COUNT
};

const char *ptd_start_kind_name(enum ptd_start_kind kind);

/* The detail of a start-timeout event classified from a QMP socket timeout ("unable to connect
 * to VM N qmp socket - timeout after N retries"): pvestatd logs it for any VM whose QEMU does
 * not answer, so a reader counts it only next to a start of that VM. */
#define PTD_START_QMP_SOCKET_DETAIL "qmp socket timeout"

struct ptd_start_event {
    enum ptd_start_kind kind;
    char device[32];  /* "0000:01:00.0", or "" when the message names none */
    long code;        /* errno (-22, -12), IOMMU group; PTD_KMSG_NO_CODE: none */
    char detail[128]; /* ROM path, mdev type, reset method, the TASK ERROR reason ... */
    char text[512];   /* the message, cleaned and truncated */
};

/* Classifies one message of QEMU, qemu-server or pve-common (a task log line or a journal
 * MESSAGE; a leading "kvm: " or "TASK ERROR: " is fine). Returns true and fills ev when it is
 * a start-failure message. Pure. */
bool ptd_start_classify(const char *msg, struct ptd_start_event *ev);

/* Maps a classified kernel message onto a start-failure kind where it is one (a reset that
 * did not complete, D3cold, a BAR reservation conflict). Returns false for the others. */
bool ptd_start_from_kmsg(const struct ptd_kmsg_event *k, struct ptd_start_event *ev);

/* {kind, device, code, detail, text} as a new JSON object (caller owns); NULL on ENOMEM. */
cJSON *ptd_start_event_to_json(const struct ptd_start_event *ev);

#endif

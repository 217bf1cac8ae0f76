/* SPDX-License-Identifier: MIT */
/*
 * Start-failure classification: one QEMU / qemu-server / pve-common message into an event
 * (see ptdiag/startfail.h). Portable C only, like the kernel log classifier whose scanning
 * helpers (kmsg_scan.c) it shares.
 *
 * The fragments are the literal parts of the format strings:
 *  - QEMU hw/vfio: "group %d is not viable", "Cannot reset device %s, no available reset
 *    mechanism.", "Cannot reset device %s, depends on group %d which is not owned.",
 *    "Unable to power on device, stuck in D3", "vfio_dma_map(%p, 0x%..., 0x%..., %p) = %d
 *    (%s)" / "vfio_container_dma_map(...)" and "VFIO_MAP_DMA failed: %s"; hw/core: "failed to
 *    find romfile \"%s\""; "error getting device from group %d: %s" of a mediated device; and the
 * assertion a GPU left unreset trips in hw/pci/pci.c
 *    ("pci_irq_handler: Assertion `0 <= irq_num && irq_num < PCI_NUM_PINS' failed");
 *  - qemu-server PVE/QemuServer/PCI.pm and PCI/Mdev.pm: "PCI device '%s' already in use by
 *    VMID '%s'", "... is currently reserved for use by VMID ...", "can't unbind/bind PCI
 *    group to VFIO '%s'", "failed to reset PCI device '%s'", "can't reset PCI device '%s'",
 *    "pci device '%s' has no available instances of '%s'", "vgpu type '%s' not available for
 *    '%s'"; QEMU hw/pci: "PCI: slot %d function %d not available for %s, in use by %s";
 *  - pve-common: "TASK ERROR: %s" (RESTEnvironment), run_command's "command '%s' failed: got
 *    timeout" behind qemu-server's "start failed: "; PVE::QMPClient's "unable to connect to VM
 *    %s qmp socket - timeout after %d retries".
 */
#include "ptdiag/startfail.h"

#include "kmsg_scan.h"

#include <string.h>

const char *ptd_start_kind_name(enum ptd_start_kind kind)
{
    static const char *const names[] = {
#define PTD_START_NAME(name, str) str,
        PTD_START_KINDS(PTD_START_NAME)
#undef PTD_START_NAME
    };

    if ((unsigned)kind >= PTD_START_KIND_COUNT)
        return "unknown";
    return names[kind];
}

/* The device a QEMU or qemu-server message names: the first full BDF, else the short
 * "host=bb:dd.f" of an older Proxmox -device argument. */
static void find_device(const char *msg, char *dev, size_t len)
{
    const char *p;

    kmsg_find_bdf(msg, dev, len);
    if (!dev[0] && (p = kmsg_after(msg, "host=")) != NULL)
        kmsg_short_bdf_at(p, dev, len);
}

/* The text between the first pair of quotes (' or ") after p into detail. */
static void quoted_detail(const char *p, char *detail, size_t len)
{
    const char *q;
    char quote;

    if (!p)
        return;
    p += strcspn(p, "'\"");
    if (!*p)
        return;
    quote = *p++;
    q = strchr(p, quote);
    if (q)
        kmsg_copy_clean(detail, len, p, (size_t)(q - p));
}

/* "vfio_dma_map(...) = -22 (Invalid argument)", "VFIO_MAP_DMA failed: Invalid argument" or
 * "VFIO_MAP_DMA failed: -12"; the caller takes the device from the message. */
static bool classify_dma(const char *msg, struct ptd_start_event *ev)
{
    const char *p;
    long code = PTD_KMSG_NO_CODE;

    if (!strstr(msg, "VFIO_MAP_DMA") && !strstr(msg, "dma_map("))
        return false;
    if ((p = strstr(msg, ") = ")) != NULL)
        kmsg_parse_long(p + 4, &code, NULL);
    else if ((p = kmsg_after(msg, "VFIO_MAP_DMA failed: ")) != NULL)
        kmsg_parse_long(p, &code, NULL);
    if (code == -22 || (code == PTD_KMSG_NO_CODE && strstr(msg, "Invalid argument")))
        ev->kind = PTD_START_DMA_MAP_EINVAL, ev->code = -22;
    else if (code == -12 || (code == PTD_KMSG_NO_CODE && strstr(msg, "Cannot allocate memory")))
        ev->kind = PTD_START_DMA_MAP_ENOMEM, ev->code = -12;
    else
        return false;
    return true;
}

/* Reset failures; the caller takes the device from the message. */
static bool classify_reset(const char *msg, struct ptd_start_event *ev)
{
    const char *p;

    if ((p = kmsg_after(msg, "Cannot reset device ")) != NULL) {
        ev->kind = PTD_START_RESET_UNAVAILABLE;
        p += strcspn(p, ",");
        if (*p == ',')
            kmsg_copy_trimmed(ev->detail, sizeof(ev->detail), p + 1, strlen(p + 1));
        if ((p = kmsg_after(msg, "depends on group ")) != NULL)
            kmsg_parse_long(p, &ev->code, NULL);
        return true;
    }
    /* qemu-server: "failed to reset PCI device '%s'..." and, where the device has FLR,
     * PCI.pm's "can't reset PCI device '%s'" */
    if (strstr(msg, "failed to reset PCI device") || strstr(msg, "can't reset PCI device") ||
        (strstr(msg, "error writing '1' to") && strstr(msg, "/reset'"))) {
        ev->kind = PTD_START_RESET_FAILED;
        strcpy(ev->detail, "reset write failed");
        return true;
    }
    if (strstr(msg, "pci_irq_handler: Assertion")) {
        /* QEMU aborts here when the guest's GPU raises an interrupt pin it never had: the
         * state a card is left in when it was not reset between VM starts */
        ev->kind = PTD_START_RESET_FAILED;
        strcpy(ev->detail, "pci_irq_handler assertion");
        return true;
    }
    return false;
}

/* Group and driver binding failures; the caller takes the device from the message. */
static bool classify_binding(const char *msg, struct ptd_start_event *ev)
{
    const char *p;

    if ((p = strstr(msg, "is not viable")) != NULL) {
        const char *g = kmsg_after(msg, "group ");

        ev->kind = PTD_START_GROUP_NOT_VIABLE;
        if (g && g < p)
            kmsg_parse_long(g, &ev->code, NULL);
        return true;
    }
    if ((p = kmsg_after(msg, "in use by VMID ")) != NULL ||
        (p = kmsg_after(msg, "in use by running VMID ")) != NULL ||
        (p = kmsg_after(msg, "reserved for use by VMID ")) != NULL) {
        ev->kind = PTD_START_DEVICE_IN_USE;
        quoted_detail(p, ev->detail, sizeof(ev->detail));
        return true;
    }
    if ((p = strstr(msg, "PCI: slot ")) != NULL && (p = strstr(p, " not available for ")) &&
        (p = strstr(p, ", in use by ")) != NULL) {
        /* QEMU's hw/pci/pci.c: the guest address the passed device asks for (addr=, e.g.
         * 0x02 for legacy IGD) is taken; detail: the device holding it ("VGA"), without the
         * ",id=..." newer QEMU appends */
        ev->kind = PTD_START_SLOT_IN_USE;
        p += strlen(", in use by ");
        kmsg_copy_clean(ev->detail, sizeof(ev->detail), p, strcspn(p, ", "));
        return true;
    }
    if (strstr(msg, "can't unbind/bind PCI group to VFIO") ||
        (strstr(msg, "Cannot bind ") && strstr(msg, " to vfio"))) {
        ev->kind = PTD_START_HOST_DRIVER_BOUND;
        return true;
    }
    return false;
}

static bool classify_other(const char *msg, struct ptd_start_event *ev)
{
    const char *p;

    if ((p = kmsg_after(msg, "failed to find romfile")) != NULL) {
        ev->kind = PTD_START_ROM_UNREADABLE;
        quoted_detail(p, ev->detail, sizeof(ev->detail));
        find_device(msg, ev->device, sizeof(ev->device));
        return true;
    }
    if (strstr(msg, "stuck in D3")) {
        ev->kind = PTD_START_D3_STUCK;
        find_device(msg, ev->device, sizeof(ev->device));
        return true;
    }
    if (strstr(msg, "got timeout") && (strstr(msg, "start failed") || strstr(msg, "qmp command") ||
                                       strstr(msg, "timeout waiting on systemd"))) {
        ev->kind = PTD_START_QMP_TIMEOUT;
        return true;
    }
    if (strstr(msg, "qmp socket - timeout after")) {
        /* PVE::QMPClient's "unable to connect to VM N qmp socket - timeout after N retries",
         * logged by pvedaemon/pvestatd while QEMU is still allocating guest memory. It is a
         * start timeout only next to a start of that VM: the journal reader checks that. */
        ev->kind = PTD_START_QMP_TIMEOUT;
        strcpy(ev->detail, PTD_START_QMP_SOCKET_DETAIL);
        return true;
    }
    if ((p = kmsg_after(msg, "error getting device from group ")) != NULL &&
        (strstr(msg, "/mdev/") || strstr(msg, "sysfsdev="))) {
        /* QEMU opening a mediated device (Proxmox passes it as sysfsdev=.../mdev/...) */
        ev->kind = PTD_START_MDEV_UNAVAILABLE;
        kmsg_parse_long(p, &ev->code, NULL);
        p += strcspn(p, ":");
        if (*p == ':')
            kmsg_copy_trimmed(ev->detail, sizeof(ev->detail), p + 1, strlen(p + 1));
        return true;
    }
    if ((p = kmsg_after(msg, "has no available instances of ")) != NULL ||
        ((p = kmsg_after(msg, "vgpu type ")) != NULL && strstr(msg, "not available")) ||
        (p = strstr(msg, "does not support mediated devices")) != NULL) {
        ev->kind = PTD_START_MDEV_UNAVAILABLE;
        quoted_detail(p, ev->detail, sizeof(ev->detail));
        find_device(msg, ev->device, sizeof(ev->device));
        return true;
    }
    if ((p = kmsg_after(msg, "TASK ERROR: ")) != NULL) {
        ev->kind = PTD_START_TASK_ERROR;
        kmsg_copy_trimmed(ev->detail, sizeof(ev->detail), p, strlen(p));
        return true;
    }
    return false;
}

bool ptd_start_classify(const char *msg, struct ptd_start_event *ev)
{
    memset(ev, 0, sizeof(*ev));
    ev->code = PTD_KMSG_NO_CODE;
    if (!msg)
        return false;
    if (classify_binding(msg, ev) || classify_reset(msg, ev) || classify_dma(msg, ev))
        find_device(msg, ev->device, sizeof(ev->device)); /* all of these name one */
    else if (!classify_other(msg, ev))
        return false;
    kmsg_copy_clean(ev->text, sizeof(ev->text), msg, strlen(msg));
    return true;
}

bool ptd_start_from_kmsg(const struct ptd_kmsg_event *k, struct ptd_start_event *ev)
{
    memset(ev, 0, sizeof(*ev));
    switch (k->kind) {
    case PTD_KMSG_RESET_NOT_READY:
        ev->kind = PTD_START_RESET_FAILED;
        break;
    case PTD_KMSG_D3COLD_STUCK:
        ev->kind = PTD_START_D3_STUCK;
        break;
    case PTD_KMSG_BAR_CANT_RESERVE:
        ev->kind = PTD_START_BAR_CONFLICT;
        break;
    default:
        return false;
    }
    ev->code = k->code;
    memcpy(ev->device, k->device, sizeof(ev->device));
    memcpy(ev->detail, k->detail, sizeof(ev->detail));
    memcpy(ev->text, k->text, sizeof(ev->text));
    return true;
}

cJSON *ptd_start_event_to_json(const struct ptd_start_event *ev)
{
    cJSON *o = cJSON_CreateObject();

    if (!o)
        return NULL;
    if (!cJSON_AddStringToObject(o, "kind", ptd_start_kind_name(ev->kind)) ||
        !kmsg_add_event_fields(o, ev->device, ev->code, ev->detail, ev->text)) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* SPDX-License-Identifier: MIT */
/*
 * libpci behind a small, crash-proof wrapper: the sysfs method only (no fallback to /proc or
 * raw port I/O), its `sysfs.path` pointed at ROOT/sys/bus/pci, names from pci.ids only (no
 * hwdb, no network, no cache file), and our own error handler: libpci's default one calls
 * exit(), which a probe must never do. A libpci error (a device directory without `vendor`,
 * an unparseable entry name) is turned into an error return for that one call.
 *
 * Each libpci call runs under a guard of its own (setjmp in a frame around that one call), so
 * an error never jumps across the caller's code. Every sysfs file libpci opens on our behalf
 * is recorded with ptd_root_trace(): a no-op unless the root traces, as ptdiag-host's
 * --save-snapshot does, so that the snapshot copies it.
 *
 * Used by ptdiag-host and ptdiag-agent (Linux only: common/src/linux/, library
 * ptdiag_common_linux). Not thread-safe: libpci's error callback carries no context, so the
 * wrapper keeps one static jump target. One ptd_pci at a time.
 */
#ifndef PTDIAG_PCI_ACCESS_H
#define PTDIAG_PCI_ACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ptdiag/error.h"
#include "ptdiag/root.h"

struct ptd_pci; /* opaque: the libpci access handle and its device list */

/* One PCI function as enumerated. The scan reads only the class (one file per function: the
 * probe needs ids for GPUs and their group members only); vendor and device ids are read by
 * ptd_pci_ident(). Ids are -1 when unknown (not read yet, or unreadable: see `error`). */
struct ptd_pci_fn {
    unsigned domain, bus, dev, func;
    char bdf[16];  /* "dddd:bb:dd.f" */
    char slot[16]; /* "dddd:bb:dd" */
    int vendor_id, device_id;
    bool ident_read; /* ptd_pci_ident() was called */
    int class_id;    /* base << 8 | sub (16 bits), -1 unknown */
    char error[256]; /* why ids are unknown ("" when fine) */
    void *handle;    /* libpci's struct pci_dev (borrowed) */
};

/* Opens libpci on ROOT/sys/bus/pci. *out is freed with ptd_pci_close(). */
int ptd_pci_open(struct ptd_root *root, struct ptd_pci **out, struct ptd_error *err);

void ptd_pci_close(struct ptd_pci *pci);

/* Enumerates every function with its class. *fns is an array sorted by BDF,
 * owned by pci (valid until ptd_pci_close). A device whose ids cannot be read is still
 * listed, with -1 ids and `error` set. Returns 0, or -1 when the bus cannot be listed. */
int ptd_pci_scan(struct ptd_pci *pci, const struct ptd_pci_fn **fns, size_t *count,
                 struct ptd_error *err);

/* Reads fn's vendor and device ids (once). Returns 0, or -1 with fn->error set. */
int ptd_pci_ident(struct ptd_pci *pci, const struct ptd_pci_fn *fn);

/* The scanned function with this BDF (borrowed from pci), or NULL. */
const struct ptd_pci_fn *ptd_pci_find(const struct ptd_pci *pci, const char *bdf);

struct ptd_pci_ext {
    int subsys_vendor_id, subsys_device_id; /* -1 unknown */
    int revision, prog_if;                  /* -1 unknown */
};

/* Subsystem ids, revision and programming interface of fn (from sysfs, config as fallback). */
int ptd_pci_fill_ext(struct ptd_pci *pci, const struct ptd_pci_fn *fn, struct ptd_pci_ext *out,
                     struct ptd_error *err);

struct ptd_pci_names {
    char vendor[128], device[192], subsystem[192], class_name[96]; /* "" when unknown */
};

/* Names from pci.ids. Fields not found are left empty; never fails. */
void ptd_pci_lookup_names(struct ptd_pci *pci, const struct ptd_pci_fn *fn,
                          const struct ptd_pci_ext *ext, struct ptd_pci_names *out);

/* Warnings libpci printed since the last call (e.g. pci.ids missing), joined by "; ";
 * empty when none. The buffer belongs to pci. */
const char *ptd_pci_take_warnings(struct ptd_pci *pci);

#endif

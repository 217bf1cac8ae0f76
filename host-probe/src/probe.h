/* SPDX-License-Identifier: MIT */
/*
 * Host probes: each collects one area of facts into the ptdiag.host/1 document.
 * Probes never print and never fail the run: what they cannot read becomes null plus an
 * entry in doc.errors (DESIGN §2). They run in registry order (probes.c), so a later probe
 * may read what an earlier one put into the document (the VM probe reads "devices").
 */
#ifndef PTDIAG_HOST_PROBE_H
#define PTDIAG_HOST_PROBE_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "ptdiag/root.h"

struct probe_ctx {
    struct ptd_root *root;  /* where system state is read from (borrowed) */
    cJSON *doc;             /* the ptdiag.host/1 document being built (borrowed) */
    const char *only_vmid;  /* --vm VMID, or NULL for every VM */
    bool allow_exec;        /* may run read-only helpers (qm showcmd); false under --root */
    bool redact;            /* --redact: hostnames, MACs, serials, IPs, UUIDs removed */
};

struct host_probe {
    const char *id;   /* also the "source" of errors it records */
    void (*run)(struct probe_ctx *ctx);
};

/* The registry, NULL-terminated (probes.c). */
extern const struct host_probe host_probes[];

#endif

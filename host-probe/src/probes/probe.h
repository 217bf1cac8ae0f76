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
#include <stdio.h>

#include <cjson/cJSON.h>

#include "ptdiag/error.h"
#include "ptdiag/root.h"

struct probe_ctx {
    struct ptd_root *root;    /* where system state is read from (borrowed) */
    cJSON *doc;               /* the ptdiag.host/1 document being built (borrowed) */
    const char *only_vmid;    /* --vm VMID, or NULL for every VM */
    bool allow_exec;          /* may run read-only helpers (qm showcmd); false under --root */
    bool redact;              /* --redact: hostnames, MACs, serials, IPs, UUIDs removed */
    cJSON *captured;          /* --save-snapshot: {system path: text} of helper output (qm
                                 showcmd) the snapshot must hold; NULL otherwise (borrowed) */
    const char *guest_output; /* --guest-output FILE: --with-guest also keeps the guest's
                                 document there (the fleet collector), or NULL */
};

struct host_probe {
    const char *id; /* also the "source" of errors it records */
    void (*run)(struct probe_ctx *ctx);
};

/* The probes, in registry order (one file each: probe_<id>.c). */
void probe_system_run(struct probe_ctx *ctx);
void probe_iommu_run(struct probe_ctx *ctx);
void probe_boot_run(struct probe_ctx *ctx);
void probe_modules_run(struct probe_ctx *ctx);
void probe_kmsg_run(struct probe_ctx *ctx);
void probe_pci_run(struct probe_ctx *ctx);
void probe_vfct_run(struct probe_ctx *ctx);
void probe_cluster_run(struct probe_ctx *ctx);
void probe_vms_run(struct probe_ctx *ctx);
void probe_logs_run(struct probe_ctx *ctx);
void probe_inventory_run(struct probe_ctx *ctx);
void probe_oot_run(struct probe_ctx *ctx);
void probe_preflight_run(struct probe_ctx *ctx);

/* Redacts MAC/IP addresses, UUIDs, serials and the host name ("[node-1]", as the document's
 * node numbering has it) in text (snapshot_redact.c). Returns a malloc'd NUL-terminated copy
 * the caller frees (NULL on allocation failure); *outlen gets its length when outlen is not
 * NULL. hostname may be NULL. For every node and the cluster name: redact_map.h. */
char *host_redact_text(const char *text, size_t len, const char *hostname, size_t *outlen);
/* The same with names[i] (on name boundaries, case-insensitive) replaced by tokens[i]. */
char *host_redact_names_text(const char *text, size_t len, const char *const *names,
                             const char *const *tokens, size_t nnames, size_t *outlen);

/* The registry, NULL-terminated (probes.c). */
extern const struct host_probe host_probes[];

/* The stages main() calls after the probes. */
/* Human summary of a host document (--facts). Returns 0 or -1. */
int host_summary_print(const cJSON *doc, FILE *out);

/* cli/groups_view.c (--groups): every IOMMU group with its verdict. Returns 0, -1 on error. */
int host_groups_print(const cJSON *doc, FILE *out);
/* --save-snapshot: copies every traced path of root into dir (redacting when asked), and
 * writes each member of captured ({system path: text}, may be NULL) as a file there. */
int host_snapshot_write(struct ptd_root *root, const char *dir, bool redact, const cJSON *captured,
                        struct ptd_error *err);
/* --vm VMID: drops devices, groups and VMs unrelated to ctx->only_vmid from ctx->doc. */
void host_narrow_to_vm(struct probe_ctx *ctx);
/* --with-guest: runs the guest agent in VM ctx->only_vmid through the QEMU guest agent and
 * returns its ptdiag.guest/1 document (the caller owns it), or NULL with the reason on stderr
 * (no guest agent, not under --root, a reply that is not a guest document). */
cJSON *host_guest_document(struct probe_ctx *ctx, const char *agent_path);

#endif

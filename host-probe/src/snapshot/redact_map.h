/* SPDX-License-Identifier: MIT */
/*
 * The one redaction mapping of a host, shared by the document (--redact) and the snapshot
 * (--save-snapshot --redact) so both write the same token for the same name: this host is
 * "[node-1]", the other cluster nodes "[node-2]", "[node-3]"... in corosync.conf's order, then
 * any further node= of /etc/pve/mapping/pci.cfg, and the cluster name is "[cluster]"; Proxmox
 * user ids ("root@pam", "svc@corp!token") of the realms pam, pve and those of
 * /etc/pve/domains.cfg are "[user]", the token the document writes for task users. Built
 * from the same files by host_redact_map_build() wherever it is needed, so every caller gets
 * the same numbering. host_redact_map_text() applies it together with the address, UUID and
 * serial redaction of host_redact_text(): the function task-log and journal readers call on
 * what they copy or quote.
 *
 * Ownership: the map owns its strings; host_redact_map_free() releases them.
 */
#ifndef PTDIAG_REDACT_MAP_H
#define PTDIAG_REDACT_MAP_H

#include <stddef.h>

#include "ptdiag/root.h"

#define HOST_REDACT_MAX_NODES  64
#define HOST_REDACT_MAX_REALMS 32

struct host_redact_map {
    char *nodes[HOST_REDACT_MAX_NODES]; /* nodes[i] -> "[node-<i+1>]"; nodes[0] is this host */
    size_t n;
    char *cluster;                        /* -> "[cluster]"; NULL when not clustered */
    char *realms[HOST_REDACT_MAX_REALMS]; /* "pam", "pve", then domains.cfg's */
    size_t nrealms;
};

/* Reads /proc/sys/kernel/hostname, /etc/pve/corosync.conf, /etc/pve/mapping/pci.cfg and
 * /etc/pve/domains.cfg under root (unreadable ones are skipped: their names are then not known to
 * redact). */
void host_redact_map_build(struct ptd_root *root, struct host_redact_map *m);

/* Adds a node name (no-op for a known one, or a full map); returns its index or -1. */
int host_redact_map_add(struct host_redact_map *m, const char *name);

/* The token of a node name ("[node-2]") into buf, adding the name when unknown. */
void host_redact_map_token(struct host_redact_map *m, const char *name, char *buf, size_t len);

/* text (len bytes) with user ids replaced by "[user]", the map's names by their tokens, and
 * MACs, IPs, UUIDs and serials by host_redact_text()'s. Returns a malloc'd NUL-terminated copy the
 * caller frees (NULL on allocation failure); *outlen gets its length when outlen is not NULL. */
char *host_redact_map_text(const struct host_redact_map *m, const char *text, size_t len,
                           size_t *outlen);

void host_redact_map_free(struct host_redact_map *m);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * /etc/pve/corosync.conf: the cluster name (totem.cluster_name) and the node names
 * (nodelist.node.name), pure over a buffer. corosync's format: `key: value` lines and
 * `name {` ... `}` blocks, `#` comments.
 *
 * Ownership: the returned cJSON object {name, nodes: [..]} is the caller's.
 */
#ifndef PTDIAG_PVE_COROSYNC_H
#define PTDIAG_PVE_COROSYNC_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "ptdiag/error.h"

#define PVE_COROSYNC_MAX_BYTES (1u << 20)

/* Returns the object, or NULL with err naming the file and line (unbalanced braces, binary
 * data, size). */
cJSON *pve_corosync_parse(const char *file, const char *buf, size_t len, struct ptd_error *err);

#endif

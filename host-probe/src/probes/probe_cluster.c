/* SPDX-License-Identifier: MIT */
/*
 * Cluster membership: /etc/pve/corosync.conf (cluster name, node names) and this node's name
 * (Proxmox uses the short host name). Fills docs/schema.md `cluster`.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"
#include "ptdiag/root.h"

#include "probe.h"
#include "pve_corosync.h"

void probe_cluster_run(struct probe_ctx *ctx)
{
    char host[256] = "";
    struct ptd_error err;
    cJSON *cl = NULL, *parsed;
    char *data = NULL;
    size_t len = 0;
    int r;

    r = ptd_root_exists(ctx->root, "/etc/pve");
    if (r != 1) {
        ptd_doc_add_error(ctx->doc, "cluster",
                          "/etc/pve: %s (not a Proxmox host, or pmxcfs "
                          "is not running)",
                          r == 0 ? "absent" : strerror(-r));
        cJSON_AddNullToObject(ctx->doc, "cluster");
        return;
    }
    cl = cJSON_AddObjectToObject(ctx->doc, "cluster");
    if (ptd_root_read_attr(ctx->root, "/proc/sys/kernel/hostname", host, sizeof(host)) == 0 ||
        ptd_root_read_attr(ctx->root, "/etc/hostname", host, sizeof(host)) == 0) {
        host[strcspn(host, ".")] = '\0';
        ptd_json_add_str(cl, "this_node", host);
    } else {
        ptd_doc_add_error(ctx->doc, "cluster", "/proc/sys/kernel/hostname: unreadable");
        ptd_json_add_str(cl, "this_node", NULL);
    }
    r = ptd_root_read_file(ctx->root, "/etc/pve/corosync.conf", PVE_COROSYNC_MAX_BYTES + 1, &data,
                           &len);
    if (r == -ENOENT) {
        /* A stand-alone node: no cluster, which is a fact, not an unknown. */
        cJSON_AddBoolToObject(cl, "clustered", 0);
        ptd_json_add_str(cl, "name", NULL);
        cJSON_AddArrayToObject(cl, "nodes");
        return;
    }
    if (r) {
        ptd_doc_add_error(ctx->doc, "cluster", "/etc/pve/corosync.conf: %s",
                          r == -EFBIG ? "larger than 1 MiB" : strerror(-r));
        cJSON_AddNullToObject(cl, "clustered");
        ptd_json_add_str(cl, "name", NULL);
        cJSON_AddNullToObject(cl, "nodes");
        return;
    }
    parsed = pve_corosync_parse("/etc/pve/corosync.conf", data, len, &err);
    free(data);
    if (!parsed) {
        ptd_doc_add_error(ctx->doc, "cluster", "%s", err.text);
        cJSON_AddNullToObject(cl, "clustered");
        ptd_json_add_str(cl, "name", NULL);
        cJSON_AddNullToObject(cl, "nodes");
        return;
    }
    /* corosync.conf exists once `pvecm create` ran, even before a second node joined: the
     * report weighs `nodes` for rules where a second node matters. */
    cJSON_AddBoolToObject(cl, "clustered", 1);
    ptd_json_add_str(cl, "name", ptd_json_get_str(parsed, "name"));
    cJSON_AddItemToObject(cl, "nodes", cJSON_DetachItemFromObject(parsed, "nodes"));
    cJSON_Delete(parsed);
}

/* SPDX-License-Identifier: MIT */
/*
 * gpus[].displays: the DRM connectors of each GPU's card and whether a monitor (or a dummy
 * plug) is on them. The kernel lists them as /sys/class/drm/cardN-<type>-<n>, links into
 * the card's directory below the PCI function, so they are read from there and belong to
 * that GPU without a join: /sys/bus/pci/devices/<bdf>/drm/cardN/cardN-HDMI-A-1/status holds
 * "connected", "disconnected" or "unknown" (drm_get_connector_status_name()).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "ptdiag/doc.h"

#define SRC            "displays"
#define MAX_CONNECTORS 64

static void add_connector(struct agent_ctx *ctx, cJSON *list, const char *dir, const char *card,
                          const char *entry)
{
    char path[PATH_MAX], status[32], name[128];
    cJSON *c;
    int r;

    if (snprintf(path, sizeof(path), "%s/%s/status", dir, entry) >= (int)sizeof(path))
        return;
    r = ptd_root_read_attr(ctx->root, path, status, sizeof(status));
    if (r == -ENOENT)
        return; /* not a connector (cardN-something without status) */
    c = cJSON_CreateObject();
    if (!c || !cJSON_AddItemToArray(list, c)) {
        cJSON_Delete(c);
        return;
    }
    /* "card1-HDMI-A-1" -> "HDMI-A-1": the name xrandr and the kernel log use */
    snprintf(name, sizeof(name), "%s", entry + strlen(card) + 1);
    agent_sanitize(name);
    agent_sanitize(path);
    ptd_json_add_str(c, "name", name);
    if (r != 0) {
        cJSON_AddNullToObject(c, "connected");
        ptd_doc_add_error(ctx->doc, SRC, "%s: %s", path, strerror(-r));
    } else if (strcmp(status, "connected") == 0 || strcmp(status, "disconnected") == 0) {
        cJSON_AddBoolToObject(c, "connected", status[0] == 'c');
    } else {
        cJSON_AddNullToObject(c, "connected"); /* "unknown": the driver cannot tell */
    }
    agent_sanitize(status);
    ptd_json_add_str(c, "status", status);
}

static void gpu_displays(struct agent_ctx *ctx, cJSON *gpu)
{
    const char *bdf = ptd_json_get_str(gpu, "location");
    const char *node = ptd_json_get_str(gpu, "drm.card");
    const char *card = node ? strrchr(node, '/') : NULL;
    char dir[PATH_MAX], prefix[80];
    char **names = NULL;
    size_t n = 0, i;
    cJSON *list;
    int r;

    if (!bdf || !card || strlen(card + 1) > 64) {
        cJSON_AddNullToObject(gpu, "displays"); /* no DRM card: the kernel shows no outputs */
        return;
    }
    card++;
    if (snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s/drm/%s", bdf, card) >=
        (int)sizeof(dir)) {
        cJSON_AddNullToObject(gpu, "displays");
        return;
    }
    r = ptd_root_list_dir(ctx->root, dir, &names, &n);
    if (r != 0) {
        cJSON_AddNullToObject(gpu, "displays");
        ptd_doc_add_error(ctx->doc, SRC, "%s: %s", dir, strerror(-r));
        return;
    }
    list = cJSON_AddArrayToObject(gpu, "displays");
    snprintf(prefix, sizeof(prefix), "%s-", card);
    for (i = 0; i < n && list; i++)
        if (strncmp(names[i], prefix, strlen(prefix)) == 0 && names[i][strlen(prefix)] &&
            cJSON_GetArraySize(list) < MAX_CONNECTORS)
            add_connector(ctx, list, dir, card, names[i]);
    ptd_strv_free(names);
}

void agent_displays(struct agent_ctx *ctx)
{
    cJSON *gpu;

    cJSON_ArrayForEach(gpu, cJSON_GetObjectItemCaseSensitive(ctx->doc, "gpus"))
    {
        if (cJSON_IsObject(gpu))
            gpu_displays(ctx, gpu);
    }
}

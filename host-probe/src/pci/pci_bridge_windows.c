/* SPDX-License-Identifier: MIT */
/* A bridge's forwarding windows from its sysfs `resource` file. See pci_facts.h. */
#include "pci_facts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"

#include "ptdiag/pci_resource.h"

void pci_bridge_windows(struct probe_ctx *ctx, cJSON *o, const char *bdf)
{
    char path[128], *data = NULL;
    struct pci_res res;
    struct ptd_error err;
    size_t len;
    unsigned i;
    cJSON *arr;
    int ret;

    pci_attr_path(path, sizeof(path), bdf, "resource");
    ret = ptd_root_read_file(ctx->root, path, 64 * 1024, &data, &len);
    if (ret == 0 && pci_res_parse(data, len, &res, &err) != 0) {
        ptd_doc_add_error(ctx->doc, PCI_SOURCE, "%s: malformed: %s", path, err.text);
        ret = -EINVAL;
    } else if (ret) {
        ptd_doc_add_error(ctx->doc, PCI_SOURCE, "%s: unreadable: %s", path, strerror(-ret));
    }
    free(data);
    if (ret) {
        cJSON_AddNullToObject(o, "windows");
        return;
    }
    arr = cJSON_AddArrayToObject(o, "windows");
    for (i = PCI_RES_BRIDGE_WINDOW; i < PCI_RES_BRIDGE_WINDOW + PCI_RES_BRIDGE_WINDOWS && arr;
         i++) {
        struct pci_bar b;
        cJSON *w;

        if (!pci_res_bar(&res, i, &b))
            continue;
        w = cJSON_CreateObject();
        if (!w)
            return;
        cJSON_AddItemToArray(arr, w);
        cJSON_AddStringToObject(w, "kind", b.is_io ? "io" : b.prefetchable ? "prefetch" : "mem");
        ptd_json_add_u64(w, "start", b.start, b.assigned);
        ptd_json_add_u64(w, "end", b.start + b.size_bytes - 1, b.assigned);
        ptd_json_add_u64(w, "size_bytes", b.size_bytes, true);
        cJSON_AddBoolToObject(w, "is_64bit", b.is_64bit);
        cJSON_AddBoolToObject(w, "assigned", b.assigned);
    }
}

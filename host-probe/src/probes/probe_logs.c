/* SPDX-License-Identifier: MIT */
/*
 * The "logs" probe: why a VM with a passed device did not start, and whether the host died
 * after one did (doc.start_log): the Proxmox task logs of the VMs with a hostpci and the
 * journal of this and the two boots before it, as start-failure events tied to a VM, a device
 * and a time (host-probe/src/logs/). Runs after the "vms" probe, whose doc.vms says which VMs
 * have a hostpci.
 */
#include "probe.h"

#include <stdlib.h>
#include <string.h>

#include "logs.h"
#include "ptdiag/docnum.h"

static void collect_vms(struct logs_ctx *lc)
{
    const cJSON *vms = cJSON_GetObjectItemCaseSensitive(lc->probe->doc, "vms"), *vm;
    size_t n = (size_t)cJSON_GetArraySize(vms);

    lc->vms.ids = n ? calloc(n, sizeof(long)) : NULL;
    if (!lc->vms.ids)
        return;
    cJSON_ArrayForEach(vm, vms)
    {
        const cJSON *hp = cJSON_GetObjectItemCaseSensitive(vm, "hostpci");
        int64_t id;

        if (cJSON_GetArraySize(hp) > 0 &&
            ptd_json_get_int(vm, "vmid", PTD_VMID_MIN, PTD_VMID_MAX, &id, NULL) == PTD_NUM_OK)
            lc->vms.ids[lc->vms.n++] = (long)id;
    }
}

void probe_logs_run(struct probe_ctx *ctx)
{
    struct logs_ctx lc;

    memset(&lc, 0, sizeof(lc));
    lc.probe = ctx;
    lc.start_log = cJSON_AddObjectToObject(ctx->doc, "start_log");
    if (!lc.start_log)
        return;
    lc.events = cJSON_AddArrayToObject(lc.start_log, "events");
    collect_vms(&lc);
    logs_tasks_collect(&lc);
    logs_journal_collect(&lc);
    free(lc.vms.ids);
    free(lc.actions);
}

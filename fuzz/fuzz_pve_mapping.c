/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: Proxmox SectionConfig files (/etc/pve/mapping/pci.cfg, cpu-models.conf)
 * and the resource-mapping JSON built from them; also corosync.conf. */
#include <stddef.h>
#include <stdint.h>

#include "pve_corosync.h"
#include "pve_mapping.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pve_scfg cfg;
    struct ptd_error err;
    char **problems = NULL;
    size_t nproblems = 0;
    cJSON *j;

    if (pve_scfg_parse("pci.cfg", (const char *)data, size, &cfg, &err) == 0) {
        j = pve_mapping_to_json("pci.cfg", &cfg, &problems, &nproblems);
        cJSON_Delete(j);
        pve_problems_free(problems, nproblems);
        pve_scfg_free(&cfg);
    }
    j = pve_corosync_parse("corosync.conf", (const char *)data, size, &err);
    cJSON_Delete(j);
    return 0;
}

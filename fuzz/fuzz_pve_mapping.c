/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: Proxmox SectionConfig files (/etc/pve/mapping/pci.cfg, cpu-models.conf)
 * and the resource-mapping JSON built from them; also corosync.conf, qemu-server's
 * pci-id-reservations and dpkg's status file (the installed pve-qemu-kvm). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "dpkg_status.h"

#include "pve_corosync.h"
#include "pve_mapping.h"
#include "pve_reservations.h"

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
    problems = NULL;
    nproblems = 0;
    j = pve_reservations_parse("pci-id-reservations", (const char *)data, size, &problems,
                               &nproblems);
    cJSON_Delete(j);
    pve_problems_free(problems, nproblems);
    {
        char *version = NULL;
        dpkg_installed_version("status", (const char *)data, size, "pve-qemu-kvm", &version, &err);
        free(version);
    }
    return 0;
}

/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: Proxmox guest configs (/etc/pve/qemu-server/<vmid>.conf) and the
 * property strings in them (hostpci, cpu, machine, vga ...). */
#include <stddef.h>
#include <stdint.h>

#include "pve_conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const default_keys[] = {"host", "cputype", "type", "file", NULL};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pve_conf conf;
    struct pve_props props;
    struct ptd_error err;
    size_t s, k, d;

    if (pve_conf_parse("101.conf", (const char *)data, size, &conf, &err) != 0) {
        pve_conf_free(&conf);
        return 0;
    }
    for (s = 0; s < conf.nsections; s++) {
        const struct pve_section *sec = &conf.sections[s];
        for (k = 0; k < sec->count; k++) {
            (void)pve_parse_bool(sec->kv[k].value);
            d = (sec->kv[k].line + k) % (sizeof(default_keys) / sizeof(default_keys[0]));
            if (pve_props_parse(sec->kv[k].value, default_keys[d], &props, &err) == 0) {
                (void)pve_props_get(&props, "pcie");
                pve_props_free(&props);
            }
        }
        (void)pve_section_get(sec, "hostpci0");
    }
    (void)pve_conf_section(&conf, "PENDING");
    pve_conf_free(&conf);
    return 0;
}

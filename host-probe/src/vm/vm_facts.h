/* SPDX-License-Identifier: MIT */
/*
 * One VM's passthrough-relevant facts (docs/schema.md `vms[]`) from its parsed config:
 * machine, bios, efidisk, ostype, cpu, numa, memory, balloon, hugepages, vga, args,
 * hookscript, every hostpciN with all its options (catalogue §3.11), the snapshot and pending
 * sections kept apart, and the effective CPU (vm_cpu_flags.h).
 *
 * Ownership: the returned object is the caller's. Problems in values ("hostpci0: ...") are
 * recorded in the object's `config_problems` as "FILE:LINE: what".
 */
#ifndef PTDIAG_VM_FACTS_H
#define PTDIAG_VM_FACTS_H

#include <cjson/cJSON.h>

#include "pve_conf.h"
#include "vm_cpu_flags.h"

/* host: what the effective CPU depends on outside the config (may be NULL). */
cJSON *vm_facts_build(const char *file, unsigned vmid, const struct pve_conf *conf,
                      const struct vm_cpu_host *host);

#endif

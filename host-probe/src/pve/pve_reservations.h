/* SPDX-License-Identifier: MIT */
/*
 * /run/qemu-server/pci-id-reservations as qemu-server@e6352be writes it (PCI.pm
 * $write_pci_reservation_unlocked): one line per PCI ID, "ID VMID pid:PID" once the VM runs,
 * "ID VMID time:EXPIRY" (epoch seconds) while it starts. ID is a PCI address with or without
 * the domain ("0000:01:00.0", "01:00.0"), as the VM's hostpci named it.
 */
#ifndef PTDIAG_PVE_RESERVATIONS_H
#define PTDIAG_PVE_RESERVATIONS_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* Parses the file's text into docs/schema.md `pci_reservations`: [{bdf (with domain), vmid,
 * expires_at, pid}]. Lines Proxmox would skip (it ignores what its pattern does not match) are
 * skipped too and described in *problems as "FILE:LINE: what" (caller frees with
 * pve_problems_free). Returns NULL only on allocation failure. The result is the caller's. */
cJSON *pve_reservations_parse(const char *file, const char *data, size_t len, char ***problems,
                              size_t *nproblems);

#endif

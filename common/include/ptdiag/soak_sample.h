/* SPDX-License-Identifier: MIT */
/*
 * The parts of a `ptdiag.soak/1` sample (docs/schema.md "Soak log lines") that both guest
 * agents build the same way from their collected document: the header fields and the list of
 * passed GPUs. What differs by platform (the events: kernel-log records on Linux, event-log
 * records on Windows, and how the driver state follows from them) stays in each agent's
 * soak.c. Pure JSON -> JSON: no I/O, portable (also compiled by MinGW).
 */
#ifndef PTDIAG_SOAK_SAMPLE_H
#define PTDIAG_SOAK_SAMPLE_H

#include <stdbool.h>

#include <cjson/cJSON.h>

enum ptd_soak_os { PTD_SOAK_LINUX, PTD_SOAK_WINDOWS };

/* A new sample object with schema, t, boot_id, uptime_s, host and os taken from `doc` (the
 * agent's document). Returns NULL when out of memory; the caller owns the object. */
cJSON *ptd_soak_sample_new(const cJSON *doc, enum ptd_soak_os os);

/* The sample's "gpus" array (detached: the caller adds it to the sample where it belongs, or
 * deletes it): one entry per GPU of doc.gpus that is not the hypervisor's own display, with
 * vendor_id, device_id, location, driver, the Windows problem_code (Windows only) and the
 * VRAM figures. *first is set to the first such GPU of `doc` (borrowed), or NULL. Returns
 * NULL when out of memory. */
cJSON *ptd_soak_sample_gpus(const cJSON *doc, enum ptd_soak_os os, const cJSON **first);

/* True for a vendor id ("1234") that is the hypervisor's own display (QEMU stdvga/Bochs,
 * virtio-gpu, Cirrus, VMware SVGA, QXL) or Wine's all-zero adapter, not a GPU whose driver the
 * soak watches. */
bool ptd_soak_is_emulated_display(const char *vendor_id);

/* Adds a deep copy of src (JSON null when src is NULL) to dst under key. */
void ptd_soak_add_copy(cJSON *dst, const char *key, const cJSON *src);

#endif

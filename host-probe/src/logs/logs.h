/* SPDX-License-Identifier: MIT */
/*
 * The start-failure logs of the "logs" probe (probe_logs.c): Proxmox task logs (tasks.c) and
 * the journal of this and the two boots before it (journal_*.c). Both turn what they read
 * into start-failure events (ptdiag/startfail.h) tied to a VM, a device and a time, in
 * doc.start_log (docs/schema.md). Owner of these declarations: the logs/ folder.
 */
#ifndef PTDIAG_HOST_LOGS_H
#define PTDIAG_HOST_LOGS_H

#include "probe.h"
#include "redact_map.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ptdiag/startfail.h"

/* At most this many events in doc.start_log.events (the newest kept per source). */
#define LOGS_MAX_EVENTS 256

/* The VMs whose logs matter: those with a hostpci (doc.vms, filled by the vms probe). */
struct logs_vms {
    long *ids; /* owned */
    size_t n;
};

struct logs_ctx {
    struct probe_ctx *probe;
    struct logs_vms vms;
    cJSON *start_log; /* doc.start_log (borrowed) */
    cJSON *events;    /* doc.start_log.events (borrowed) */
    /* --redact: the one mapping of document and snapshot (redact_map.h), set by each collector
     * for its run (owned there); NULL otherwise */
    struct host_redact_map *names;
    /* the ends of GPU VM tasks (start, stop) the journal analysis joins with boot ends */
    struct logs_vm_action {
        long vmid;
        char type[16]; /* "qmstart", "qmstop", ... */
        int64_t epoch;
    } * actions; /* owned */
    size_t n_actions, cap_actions;
};

bool logs_vm_has_hostpci(const struct logs_ctx *lc, long vmid);
/* Records a GPU VM start/stop/reboot at epoch (deduplicated). */
void logs_add_action(struct logs_ctx *lc, long vmid, const char *type, int64_t epoch);

/* Appends an event with its source ("task" | "journal"), VM (< 0: none), time (< 0: unknown)
 * and boot offset (journal only; > 0: none) to lc->events, unless LOGS_MAX_EVENTS are there.
 * upid may be NULL. */
void logs_add_event(struct logs_ctx *lc, const struct ptd_start_event *ev, const char *source,
                    long vmid, int64_t epoch, int boot_offset, const char *upid);

/* Reads at most max_bytes from the end of the regular file at sys_path under the root (a
 * file cut at the front starts at its next line). *buf is malloc'd and NUL-terminated (caller
 * frees); *total is the file's size. Not traced: the caller hands what it read to the
 * snapshot (probe_ctx.captured). Returns 0 or -errno. */
int logs_read_tail(struct ptd_root *root, const char *sys_path, size_t max_bytes, char **buf,
                   size_t *len, uint64_t *total);

/* Sets lc->names to m, built from the root, when the document is redacted; the caller frees
 * it with logs_names_end(). */
void logs_names_begin(struct logs_ctx *lc, struct host_redact_map *m);
void logs_names_end(struct logs_ctx *lc);

/* Keeps text as the snapshot's copy of sys_path (when --save-snapshot is on). */
void logs_capture(struct logs_ctx *lc, const char *sys_path, const char *text);

/* tasks.c: doc.start_log.tasks and the task events. */
void logs_tasks_collect(struct logs_ctx *lc);

/* journal.c: doc.start_log.journal, the boots and the journal events. */
void logs_journal_collect(struct logs_ctx *lc);

#endif

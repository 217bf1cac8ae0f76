/* SPDX-License-Identifier: MIT */
/*
 * The journal's facts (doc.start_log.journal): the newest three boots, whether each ended with
 * systemd's shutdown messages, the last start/stop of a VM with a hostpci before its end, and
 * the start-failure events of QEMU, qemu-server and the kernel in each. Whether an unclean end
 * right after a GPU VM action means "the next start may hang the host" is the report's verdict
 * (report/data/symptoms.json), not ours.
 *
 * The journal comes from sd-journal (journal_sd.c) or, when replaying a snapshot, from the
 * export file --save-snapshot wrote (journal_export.c); with --save-snapshot the entries used
 * are written back in export format.
 */
#include "journal.h"
#include "logs.h"
#include "upid.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"
#include "ptdiag/kmsg.h"

#define SOURCE     "logs"
#define EXPORT_MAX (64u << 20)
/* A QEMU message without a unit is attributed to the VM whose start task began at most this
 * long before it (qemu-server starts QEMU from the qmstart task). */
#define ATTRIBUTE_WINDOW_S 300

#define BOOT_SCAN_STARTS 64 /* GPU VMs whose last start a boot keeps; older ones drop out */

struct boot_scan {
    struct logs_ctx *lc;
    int offset;
    long last_start_vmid; /* the newest qmstart seen so far in this boot */
    int64_t last_start_epoch;
    struct {
        long vmid;
        int64_t epoch;
    } starts[BOOT_SCAN_STARTS]; /* each GPU VM's newest qmstart so far in this boot */
    size_t nstarts;
};

/* "100.scope" (qemu-server runs each VM in <vmid>.scope) → 100; -1 otherwise. */
static long vmid_of_unit(const char *unit)
{
    char *end;
    long v;

    if (unit[0] < '1' || unit[0] > '9')
        return -1;
    v = strtol(unit, &end, 10);
    return strcmp(end, ".scope") == 0 && v >= 100 && v <= 999999999 ? v : -1;
}

/* "VM 100 qmp command ..." → 100; -1 otherwise. */
static long vmid_of_message(const char *msg)
{
    const char *p = strstr(msg, "VM ");
    char *end;
    long v;

    if (!p || p[3] < '1' || p[3] > '9')
        return -1;
    v = strtol(p + 3, &end, 10);
    return (*end == ' ' || *end == ':') && v >= 100 && v <= 999999999 ? v : -1;
}

/* Task start/end lines of pvedaemon/qm ("starting task UPID:...", "end task UPID:... OK"). */
static bool note_upid(struct boot_scan *s, const char *msg)
{
    const char *p = strstr(msg, "UPID:");
    struct upid u;
    size_t n;
    long vmid;
    char *end;

    if (!p)
        return false;
    n = strcspn(p, " \t");
    if (!upid_decode(p, n, &u) || !u.id[0])
        return false;
    vmid = strtol(u.id, &end, 10);
    if (*end || !logs_vm_has_hostpci(s->lc, vmid))
        return false;
    if (strcmp(u.type, "qmstart") != 0 && strcmp(u.type, "qmstop") != 0 &&
        strcmp(u.type, "qmreboot") != 0 && strcmp(u.type, "qmshutdown") != 0)
        return false;
    logs_add_action(s->lc, vmid, u.type, u.starttime);
    if (strcmp(u.type, "qmstart") == 0 && strstr(msg, "starting task")) {
        size_t i;

        s->last_start_vmid = vmid;
        s->last_start_epoch = u.starttime;
        for (i = 0; i < s->nstarts && s->starts[i].vmid != vmid; i++)
            ;
        if (i == s->nstarts && s->nstarts < BOOT_SCAN_STARTS)
            s->nstarts++;
        if (i < s->nstarts) {
            s->starts[i].vmid = vmid;
            s->starts[i].epoch = u.starttime;
        }
    }
    return true;
}

/* Whether epoch lies in the attribution window after VM vmid's newest qmstart (several GPU
 * VMs start one after the other at boot: each has its own). */
static bool in_start_window(const struct boot_scan *s, long vmid, int64_t epoch)
{
    for (size_t i = 0; vmid >= 0 && i < s->nstarts; i++)
        if (s->starts[i].vmid == vmid)
            return epoch >= s->starts[i].epoch && epoch - s->starts[i].epoch <= ATTRIBUTE_WINDOW_S;
    return false;
}

static bool classify_entry(struct boot_scan *s, struct jentry *e)
{
    struct ptd_start_event ev;
    int64_t epoch = (int64_t)(e->usec / 1000000);
    long vmid = -1;

    if (strcmp(e->transport, "kernel") == 0) {
        struct ptd_kmsg_event k;

        k.time_s = -1;
        if (!ptd_kmsg_classify(e->message, &k))
            return false;
        memset(k.text, 0, sizeof(k.text));
        snprintf(k.text, sizeof(k.text), "%s", e->message);
        if (!ptd_start_from_kmsg(&k, &ev))
            return false;
    } else {
        if (note_upid(s, e->message))
            return true;
        if (!ptd_start_classify(e->message, &ev))
            return false;
        vmid = vmid_of_unit(e->unit);
        if (vmid < 0)
            vmid = vmid_of_message(e->message);
        if (vmid < 0 && in_start_window(s, s->last_start_vmid, epoch))
            vmid = s->last_start_vmid;
        if (vmid >= 0 && !logs_vm_has_hostpci(s->lc, vmid))
            return false;
        if (strcmp(ev.detail, PTD_START_QMP_SOCKET_DETAIL) == 0 && !in_start_window(s, vmid, epoch))
            return false; /* a VM that stopped answering later, not a slow start */
    }
    logs_add_event(s->lc, &ev, "journal", vmid, epoch, s->offset, NULL);
    return true;
}

/* The newest GPU VM action inside the boot's span, as {vmid, type, time, seconds before the
 * boot's last entry}; null when none. */
static void add_last_action(struct logs_ctx *lc, cJSON *o, const struct jboot *b)
{
    int64_t first = (int64_t)(b->first_usec / 1000000), last = (int64_t)(b->last_usec / 1000000);
    const struct logs_vm_action *best = NULL;
    cJSON *a;
    char when[32];
    size_t i;

    for (i = 0; i < lc->n_actions; i++) {
        const struct logs_vm_action *x = &lc->actions[i];

        if (x->epoch >= first && x->epoch <= last && (!best || x->epoch > best->epoch))
            best = x;
    }
    if (!best) {
        cJSON_AddNullToObject(o, "last_gpu_vm_action");
        return;
    }
    a = cJSON_AddObjectToObject(o, "last_gpu_vm_action");
    if (!a)
        return;
    ptd_json_add_num(a, "vmid", (double)best->vmid, true);
    ptd_json_add_str(a, "type", best->type);
    ptd_time_rfc3339((time_t)best->epoch, when, sizeof(when));
    ptd_json_add_str(a, "time", when);
    ptd_json_add_num(a, "seconds_before_end", (double)(last - best->epoch), true);
}

static void boot_json(struct logs_ctx *lc, cJSON *arr, struct jboot *b, int offset)
{
    struct boot_scan s = {.lc = lc, .offset = offset, .last_start_vmid = -1};
    cJSON *o = cJSON_CreateObject();
    char when[32];
    size_t k;

    if (!o)
        return;
    for (k = 0; k < b->n; k++) {
        /* the first and last entries may also be matched ones: read each once */
        if (k > 0 && b->e[k].usec == b->e[k - 1].usec &&
            strcmp(b->e[k].message, b->e[k - 1].message) == 0)
            continue;
        if (classify_entry(&s, &b->e[k]))
            b->e[k].used = true;
    }
    ptd_json_add_str(o, "boot_id", b->id);
    ptd_json_add_num(o, "offset", offset, true);
    ptd_time_rfc3339((time_t)(b->first_usec / 1000000), when, sizeof(when));
    ptd_json_add_str(o, "first_time", when);
    ptd_time_rfc3339((time_t)(b->last_usec / 1000000), when, sizeof(when));
    ptd_json_add_str(o, "last_time", when);
    /* the current boot has not ended: whether it will end cleanly is unknown */
    /* a boot sd-journal could not read to its end (corruption) ended unknown */
    ptd_json_add_tri(o, "shutdown_seen",
                     offset == 0 || (b->read_error && !b->shutdown_seen) ? -1 : b->shutdown_seen);
    if (b->read_error && offset != 0)
        ptd_doc_add_error(lc->probe->doc, SOURCE,
                          "/var/log/journal: boot %s could not be read to its end (a corrupt "
                          "journal file): whether it ended cleanly is unknown",
                          b->id);
    add_last_action(lc, o, b);
    if (!cJSON_AddItemToArray(arr, o))
        cJSON_Delete(o);
}

/* Reads the journal: the snapshot's export file on replay when there is one, else sd-journal.
 * Returns 0, or -errno with err set (-ENOENT: no journal at all). */
static int read_journal(struct logs_ctx *lc, struct jlog *l, const char **source,
                        struct ptd_error *err)
{
    struct ptd_root *root = lc->probe->root;
    char *data = NULL;
    size_t len = 0;
    int r;

    if (!ptd_root_is_live(root)) {
        r = ptd_root_read_file(root, JOURNAL_EXPORT_PATH, EXPORT_MAX, &data, &len);
        if (r == 0) {
            *source = JOURNAL_EXPORT_PATH;
            struct ptd_error why = {{0}};

            r = journal_export_parse(data, len, l, &why);
            free(data);
            if (r)
                ptd_error_set(err, JOURNAL_EXPORT_PATH ": %s", why.text);
            return r;
        }
        if (r != -ENOENT)
            return ptd_error_set(err, JOURNAL_EXPORT_PATH ": %s", strerror(-r)), r;
    }
    *source = "/var/log/journal";
    return journal_sd_read(root, l, err);
}

void logs_journal_collect(struct logs_ctx *lc)
{
    cJSON *jo = cJSON_AddObjectToObject(lc->start_log, "journal"), *boots;
    struct jlog l;
    struct ptd_error err = {{0}};
    struct host_redact_map names;
    const char *source = NULL;
    size_t i;
    int r;

    memset(&l, 0, sizeof(l));
    if (!jo)
        return;
    logs_names_begin(lc, &names);
    r = read_journal(lc, &l, &source, &err);
    /* the facts are about the host's journal whether read there or from a snapshot's export
     * copy: the same source, so that a replay gives the same document */
    (void)source;
    if (r == 0 && !l.nboots)
        r = -ENOENT;
    ptd_json_add_str(jo, "source", r == -ENOENT ? NULL : "/var/log/journal");
    if (r) {
        ptd_json_add_tri(jo, "readable", 0);
        cJSON_AddNullToObject(jo, "boots");
        if (r == -ENOENT)
            ptd_doc_add_error(lc->probe->doc, SOURCE,
                              "/var/log/journal: no journal entries (none kept, or not "
                              "permitted: run as root or in group systemd-journal); earlier "
                              "boots unknown");
        else
            ptd_doc_add_error(lc->probe->doc, SOURCE, "%s", err.text);
        goto out;
    }
    ptd_json_add_tri(jo, "readable", 1);
    boots = cJSON_AddArrayToObject(jo, "boots");
    for (i = 0; boots && i < l.nboots; i++)
        boot_json(lc, boots, &l.boots[i], -(int)i);
    if (lc->probe->captured) {
        char *text = journal_export_write(&l);

        if (text)
            logs_capture(lc, JOURNAL_EXPORT_PATH, text);
        free(text);
    }
out:
    logs_names_end(lc);
    journal_free(&l);
}

/* SPDX-License-Identifier: MIT */
/*
 * Proxmox task logs (doc.start_log.tasks): the start, reboot, stop and backup tasks of VMs
 * with a hostpci, newest first, from the "active" and "index" lists under /var/log/pve/tasks,
 * each with its status and the start-failure events its log holds (QEMU's "kvm: ..." lines,
 * qemu-server's errors, the final "TASK ERROR: ..."). The file layout and line formats are
 * pve-common's (upid.h).
 *
 * Bounded: the lists are read from their last LIST_MAX bytes, at most MAX_TASKS task logs
 * and of each its last LOG_MAX bytes (a task log of 100 MB is read from its tail; the
 * status line is the last one).
 */
#include "logs.h"
#include "upid.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"

#define SOURCE              "logs"
#define TASKS_DIR           "/var/log/pve/tasks"
#define LIST_MAX            (1u << 20)
#define LOG_MAX             (256u << 10)
#define MAX_TASKS           24
#define MAX_EVENTS_PER_TASK 16

struct task {
    char upid[256];
    struct upid u;
    long vmid;
    bool has_end;
    uint32_t endtime;
    char status[256];
};

struct task_list {
    struct task *v;
    size_t n, cap;
};

static bool interesting_type(const char *type)
{
    return strcmp(type, "qmstart") == 0 || strcmp(type, "qmreboot") == 0 ||
           strcmp(type, "qmstop") == 0 || strcmp(type, "vzdump") == 0;
}

/* The VM id of a task ("100"), or -1 when the id is not one. */
static long task_vmid(const struct upid *u)
{
    char *end;
    long v;

    if (!u->id[0] || u->id[0] < '0' || u->id[0] > '9')
        return -1;
    v = strtol(u->id, &end, 10);
    return *end || v < 100 || v > 999999999 ? -1 : v;
}

static void list_add(struct task_list *l, const struct task_line *tl, const struct upid *u,
                     long vmid)
{
    struct task *t = NULL;
    size_t i;

    for (i = 0; i < l->n; i++)
        if (strlen(l->v[i].upid) == tl->upid_len &&
            memcmp(l->v[i].upid, tl->upid, tl->upid_len) == 0)
            t = &l->v[i];
    if (!t) {
        if (l->n == l->cap) {
            size_t cap = l->cap ? l->cap * 2 : 32;
            struct task *v = realloc(l->v, cap * sizeof(*v));

            if (!v)
                return;
            l->v = v;
            l->cap = cap;
        }
        t = &l->v[l->n++];
        memset(t, 0, sizeof(*t));
        memcpy(t->upid, tl->upid, tl->upid_len);
        t->u = *u;
        t->vmid = vmid;
    }
    if (tl->has_end) {
        t->has_end = true;
        t->endtime = tl->endtime;
    }
    if (tl->status)
        snprintf(t->status, sizeof(t->status), "%.*s", (int)tl->status_len, tl->status);
}

/* Reads one task list; returns 0, or -errno when it could not be read (-ENOENT: absent). */
static int read_list(struct logs_ctx *lc, const char *name, struct task_list *l)
{
    char path[64], *buf, *line, *next;
    size_t len;
    uint64_t total;
    int ret;

    snprintf(path, sizeof(path), TASKS_DIR "/%s", name);
    ret = logs_read_tail(lc->probe->root, path, LIST_MAX, &buf, &len, &total);
    if (ret)
        return ret;
    logs_capture(lc, path, buf);
    for (line = buf; line && *line; line = next) {
        struct task_line tl;
        struct upid u;
        long vmid;

        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (!task_line_parse(line, strlen(line), &tl) ||
            tl.upid_len >= sizeof(((struct task *)0)->upid) ||
            !upid_decode(tl.upid, tl.upid_len, &u) || !interesting_type(u.type))
            continue;
        vmid = task_vmid(&u);
        if (vmid >= 0 && logs_vm_has_hostpci(lc, vmid))
            list_add(l, &tl, &u, vmid);
    }
    free(buf);
    return 0;
}

static int newest_first(const void *a, const void *b)
{
    const struct task *x = a, *y = b;

    if (x->u.starttime != y->u.starttime)
        return x->u.starttime > y->u.starttime ? -1 : 1;
    return strcmp(x->upid, y->upid);
}

/* Classifies the lines of one task log; returns the last "TASK ..." status line (in buf). */
static const char *scan_log(struct logs_ctx *lc, const struct task *t, char *buf)
{
    struct ptd_start_event seen[MAX_EVENTS_PER_TASK];
    size_t nseen = 0, i;
    const char *status = NULL;
    char *line, *next;

    for (line = buf; line && *line; line = next) {
        struct ptd_start_event ev;

        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (strncmp(line, "TASK ", 5) == 0)
            status = line;
        if (!ptd_start_classify(line, &ev))
            continue;
        /* a QEMU that stops answering its QMP socket is a slow start only in a start task;
         * in a stop or a backup it is a VM that hung, not a start failure */
        if (strcmp(ev.detail, PTD_START_QMP_SOCKET_DETAIL) == 0 &&
            strcmp(t->u.type, "qmstart") != 0 && strcmp(t->u.type, "qmreboot") != 0)
            continue;
        /* QEMU repeats a failing DMA map for every region: one event per kind and device */
        for (i = 0; i < nseen; i++)
            if (seen[i].kind == ev.kind && strcmp(seen[i].device, ev.device) == 0)
                break;
        if (i < nseen || nseen == MAX_EVENTS_PER_TASK)
            continue;
        seen[nseen++] = ev;
        logs_add_event(lc, &ev, "task", t->vmid, t->u.starttime, 1, t->upid);
    }
    return status;
}

static void task_json(struct logs_ctx *lc, cJSON *arr, const struct task *t, const char *log_err,
                      const char *status_line, uint64_t log_bytes, bool truncated)
{
    cJSON *o = cJSON_CreateObject();
    char when[32], node[32];
    bool red = lc->names != NULL;

    if (!o)
        return;
    /* the node as the rest of the document names it ("[node-1]": redact_map.h) */
    if (red)
        host_redact_map_token(lc->names, t->u.node, node, sizeof(node));
    ptd_json_add_str(o, "upid", red ? NULL : t->upid);
    ptd_json_add_str(o, "node", red ? node : t->u.node);
    ptd_json_add_num(o, "pid", t->u.pid, true);
    ptd_json_add_str(o, "type", t->u.type);
    ptd_json_add_num(o, "vmid", (double)t->vmid, true);
    ptd_json_add_str(o, "user", red ? "[user]" : t->u.user);
    ptd_time_rfc3339((time_t)t->u.starttime, when, sizeof(when));
    ptd_json_add_str(o, "start_time", when);
    ptd_json_add_num(o, "start_epoch", t->u.starttime, true);
    ptd_json_add_num(o, "end_epoch", t->endtime, t->has_end);
    ptd_json_add_str(o, "status", t->status[0] ? t->status : NULL);
    ptd_json_add_str(o, "last_status_line", status_line);
    ptd_json_add_u64(o, "log_bytes", log_bytes, log_err == NULL);
    ptd_json_add_tri(o, "log_truncated", log_err ? -1 : truncated);
    ptd_json_add_str(o, "log_error", log_err);
    if (!cJSON_AddItemToArray(arr, o))
        cJSON_Delete(o);
}

static const char *when_of(const struct task *t)
{
    static char when[32];

    ptd_time_rfc3339((time_t)t->u.starttime, when, sizeof(when));
    return when;
}

static void read_task(struct logs_ctx *lc, cJSON *arr, struct task *t)
{
    char path[PATH_MAX], *buf = NULL;
    const char *err = NULL, *status = NULL;
    size_t len = 0;
    uint64_t total = 0;
    int ret;

    logs_add_action(lc, t->vmid, t->u.type, t->u.starttime);
    if (!upid_is_safe_filename(t->upid, strlen(t->upid))) {
        err = "the UPID names no file under " TASKS_DIR;
        goto out;
    }
    snprintf(path, sizeof(path), TASKS_DIR "/%c/%s", t->u.subdir, t->upid);
    ret = logs_read_tail(lc->probe->root, path, LOG_MAX, &buf, &len, &total);
    if (ret) {
        err = strerror(-ret);
        /* named by type and VM, not by path: the UPID holds the node and user names */
        ptd_doc_add_error(lc->probe->doc, SOURCE, "task log of %s %ld (%s): %s", t->u.type, t->vmid,
                          when_of(t), err);
        goto out;
    }
    logs_capture(lc, path, buf);
    status = scan_log(lc, t, buf);
out:
    task_json(lc, arr, t, err, status, total, !err && total > len);
    free(buf);
}

void logs_tasks_collect(struct logs_ctx *lc)
{
    cJSON *tasks = cJSON_AddObjectToObject(lc->start_log, "tasks"), *arr;
    struct task_list l = {NULL, 0, 0};
    struct host_redact_map names;
    int r_active, r_index;
    size_t i;

    if (!tasks)
        return;
    logs_names_begin(lc, &names);
    ptd_json_add_str(tasks, "source", TASKS_DIR);
    r_active = read_list(lc, "active", &l);
    r_index = read_list(lc, "index", &l);
    if (r_active && r_index) {
        ptd_json_add_tri(tasks, "readable", 0);
        cJSON_AddNullToObject(tasks, "entries");
        if (r_active != -ENOENT || r_index != -ENOENT)
            ptd_doc_add_error(lc->probe->doc, SOURCE, TASKS_DIR "/index: %s",
                              strerror(-(r_index != -ENOENT ? r_index : r_active)));
        else
            ptd_doc_add_error(lc->probe->doc, SOURCE,
                              TASKS_DIR ": no task list (not a Proxmox VE host, or no task "
                                        "has run yet)");
        goto out;
    }
    ptd_json_add_tri(tasks, "readable", 1);
    arr = cJSON_AddArrayToObject(tasks, "entries");
    if (!arr)
        goto out;
    qsort(l.v, l.n, sizeof(*l.v), newest_first);
    for (i = 0; i < l.n && i < MAX_TASKS; i++)
        read_task(lc, arr, &l.v[i]);
out:
    logs_names_end(lc);
    free(l.v);
}

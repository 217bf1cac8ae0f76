/* SPDX-License-Identifier: MIT */
/*
 * What the task log and journal readers share (see logs.h): the VM set, the event list, the
 * bounded tail read and the hand-over of what was read to --save-snapshot.
 */
#include "logs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ptdiag/doc.h"

bool logs_vm_has_hostpci(const struct logs_ctx *lc, long vmid)
{
    size_t i;

    for (i = 0; i < lc->vms.n; i++)
        if (lc->vms.ids[i] == vmid)
            return true;
    return false;
}

void logs_add_action(struct logs_ctx *lc, long vmid, const char *type, int64_t epoch)
{
    size_t i;

    for (i = 0; i < lc->n_actions; i++)
        if (lc->actions[i].vmid == vmid && lc->actions[i].epoch == epoch &&
            strcmp(lc->actions[i].type, type) == 0)
            return;
    if (lc->n_actions == lc->cap_actions) {
        size_t cap = lc->cap_actions ? lc->cap_actions * 2 : 16;
        struct logs_vm_action *a;

        if (cap > 4096)
            return; /* bounded: far more than the tasks and boots we look at */
        a = realloc(lc->actions, cap * sizeof(*a));
        if (!a)
            return;
        lc->actions = a;
        lc->cap_actions = cap;
    }
    lc->actions[lc->n_actions].vmid = vmid;
    snprintf(lc->actions[lc->n_actions].type, sizeof(lc->actions[0].type), "%s", type);
    lc->actions[lc->n_actions].epoch = epoch;
    lc->n_actions++;
}

void logs_add_event(struct logs_ctx *lc, const struct ptd_start_event *ev, const char *source,
                    long vmid, int64_t epoch, int boot_offset, const char *upid)
{
    cJSON *o;
    char when[32];

    if (!lc->events || cJSON_GetArraySize(lc->events) >= LOGS_MAX_EVENTS)
        return;
    o = ptd_start_event_to_json(ev);
    if (!o)
        return;
    ptd_json_add_str(o, "source", source);
    ptd_json_add_num(o, "vmid", (double)vmid, vmid >= 0);
    ptd_json_add_num(o, "time_epoch", (double)epoch, epoch >= 0);
    if (epoch >= 0)
        ptd_time_rfc3339((time_t)epoch, when, sizeof(when));
    ptd_json_add_str(o, "time", epoch >= 0 ? when : NULL);
    ptd_json_add_num(o, "boot_offset", boot_offset, boot_offset <= 0);
    ptd_json_add_str(o, "upid", lc->names ? NULL : upid);
    if (lc->names) {
        /* the message may name the host, a cluster node, its addresses or a user */
        cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "text");
        char *r = cJSON_IsString(t) ? host_redact_map_text(lc->names, t->valuestring,
                                                           strlen(t->valuestring), NULL)
                                    : NULL;

        if (r)
            cJSON_SetValuestring(t, r);
        free(r);
    }
    if (!cJSON_AddItemToArray(lc->events, o))
        cJSON_Delete(o);
}

int logs_read_tail(struct ptd_root *root, const char *sys_path, size_t max_bytes, char **buf,
                   size_t *len, uint64_t *total)
{
    char path[PATH_MAX];
    struct stat st;
    size_t want, got = 0;
    char *data = NULL;
    int fd, ret;

    *buf = NULL;
    *len = 0;
    *total = 0;
    ret = ptd_root_path(root, sys_path, path, sizeof(path));
    if (ret)
        return ret;
    fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return -errno;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ret = S_ISREG(st.st_mode) ? -errno : -EINVAL;
        goto out;
    }
    *total = (uint64_t)st.st_size;
    want = (uint64_t)st.st_size > max_bytes ? max_bytes : (size_t)st.st_size;
    if (want < (uint64_t)st.st_size && lseek(fd, st.st_size - (off_t)want, SEEK_SET) < 0) {
        ret = -errno;
        goto out;
    }
    data = malloc(want + 1);
    if (!data) {
        ret = -ENOMEM;
        goto out;
    }
    while (got < want) {
        ssize_t r = read(fd, data + got, want - got);

        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            ret = -errno;
            goto out;
        }
        if (r == 0)
            break; /* shrank meanwhile */
        got += (size_t)r;
    }
    data[got] = '\0';
    if (want < (uint64_t)st.st_size) {
        /* cut at the front: start at the next whole line */
        char *nl = memchr(data, '\n', got);
        size_t skip = nl ? (size_t)(nl - data) + 1 : got;

        memmove(data, data + skip, got - skip + 1);
        got -= skip;
    }
    *buf = data;
    *len = got;
    data = NULL;
    ret = 0;
out:
    free(data);
    close(fd);
    return ret;
}

void logs_capture(struct logs_ctx *lc, const char *sys_path, const char *text)
{
    cJSON *cap = lc->probe->captured;

    if (!cap || cJSON_GetObjectItemCaseSensitive(cap, sys_path))
        return;
    cJSON_AddStringToObject(cap, sys_path, text);
}

void logs_names_begin(struct logs_ctx *lc, struct host_redact_map *m)
{
    lc->names = NULL;
    if (!lc->probe->redact)
        return;
    host_redact_map_build(lc->probe->root, m);
    lc->names = m;
}

void logs_names_end(struct logs_ctx *lc)
{
    if (lc->names)
        host_redact_map_free(lc->names);
    lc->names = NULL;
}

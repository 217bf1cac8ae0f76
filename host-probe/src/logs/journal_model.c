/* SPDX-License-Identifier: MIT */
/*
 * The in-memory journal both readers fill (journal.h): entries per boot, and the two
 * judgements of a single entry the readers and the analysis share (is it a shutdown
 * message, is it from a source we read).
 */
#include "journal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int journal_boot_add(struct jboot *b, uint64_t usec, uint64_t mono_usec, const struct jfields *f,
                     const char *message, size_t message_len)
{
    struct jentry *e;

    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;

        e = realloc(b->e, cap * sizeof(*e));
        if (!e)
            return -ENOMEM;
        b->e = e;
        b->cap = cap;
    }
    e = &b->e[b->n];
    memset(e, 0, sizeof(*e));
    e->message = malloc(message_len + 1);
    if (!e->message)
        return -ENOMEM;
    memcpy(e->message, message, message_len);
    e->message[message_len] = '\0';
    /* a message with a NUL inside is cut there: none we classify has one */
    e->usec = usec;
    e->mono_usec = mono_usec;
    snprintf(e->ident, sizeof(e->ident), "%s", f->ident ? f->ident : "");
    snprintf(e->transport, sizeof(e->transport), "%s", f->transport ? f->transport : "");
    snprintf(e->unit, sizeof(e->unit), "%s", f->unit ? f->unit : "");
    b->n++;
    return 0;
}

static int by_time(const void *a, const void *b)
{
    const struct jentry *x = a, *y = b;

    return x->usec < y->usec ? -1 : x->usec > y->usec;
}

void journal_boot_sort(struct jboot *b)
{
    if (b->n > 1)
        qsort(b->e, b->n, sizeof(*b->e), by_time);
}

void journal_free(struct jlog *l)
{
    size_t i, k;

    for (i = 0; i < JOURNAL_BOOTS; i++) {
        for (k = 0; k < l->boots[i].n; k++)
            free(l->boots[i].e[k].message);
        free(l->boots[i].e);
    }
    memset(l, 0, sizeof(*l));
}

bool journal_is_shutdown_message(const char *ident, const char *message)
{
    if (strcmp(ident, "systemd-shutdown") == 0)
        return true;
    if (strcmp(ident, "systemd-journald") == 0)
        return strcmp(message, "Journal stopped") == 0;
    if (strcmp(ident, "systemd") != 0)
        return false;
    if (strcmp(message, "Shutting down.") == 0)
        return true;
    /* "Reached target shutdown.target - System Shutdown." (systemd 252), older "Reached
     * target Shutdown.", and the power-off / reboot / halt targets */
    return strncmp(message, "Reached target ", 15) == 0 &&
           (strstr(message, "Shutdown") || strstr(message, "Power-Off") ||
            strstr(message, "Power Off") || strstr(message, "Reboot") || strstr(message, "Halt"));
}

bool journal_is_relevant(const char *ident, const char *transport)
{
    static const char *const idents[] = {"QEMU",     "qm",         "qmeventd",     "pvedaemon",
                                         "pvestatd", "pve-guests", "pvescheduler", "pveproxy",
                                         "task",     NULL};
    size_t i;

    if (strcmp(transport, "kernel") == 0)
        return true;
    for (i = 0; idents[i]; i++)
        if (strcmp(ident, idents[i]) == 0)
            return true;
    return false;
}

/* SPDX-License-Identifier: MIT */
/*
 * Reads the journal through libsystemd's sd-journal, the library that knows the file format,
 * its rotation and its corruption handling (journal.h). Read-only: sd-journal opens journal
 * files O_RDONLY and maps them read-only.
 *
 * Cheap on a large journal: boots are found with the _BOOT_ID field's unique values and one
 * seek to each end; per boot only the last JOURNAL_TAIL_SCAN entries are walked for the
 * shutdown messages, and the messages the analysis reads are found by matches (_BOOT_ID and
 * SYSLOG_IDENTIFIER or _TRANSPORT=kernel), newest first, at most JOURNAL_MAX_ENTRIES and
 * JOURNAL_MAX_AGE_USEC back.
 */
#include "journal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

#define MAX_BOOT_IDS 4096

struct boot_span {
    char id[33];
    uint64_t first, last;
};

/* The value of field in the current entry, copied into buf ("" when absent). */
static void get_field(sd_journal *j, const char *field, char *buf, size_t len)
{
    const void *d;
    size_t l, fl = strlen(field);

    buf[0] = '\0';
    if (sd_journal_get_data(j, field, &d, &l) < 0 || l <= fl + 1)
        return;
    l -= fl + 1;
    if (l >= len)
        l = len - 1;
    memcpy(buf, (const char *)d + fl + 1, l);
    buf[l] = '\0';
}

static int add_current(sd_journal *j, struct jboot *b)
{
    char ident[48], transport[16], unit[48];
    struct jfields f = {ident, transport, unit};
    const void *d;
    size_t l = 0;
    uint64_t usec = 0, mono = 0;
    sd_id128_t boot;
    const char *msg = "";

    sd_journal_get_realtime_usec(j, &usec);
    sd_journal_get_monotonic_usec(j, &mono, &boot);
    get_field(j, "SYSLOG_IDENTIFIER", ident, sizeof(ident));
    get_field(j, "_TRANSPORT", transport, sizeof(transport));
    get_field(j, "_SYSTEMD_UNIT", unit, sizeof(unit));
    if (sd_journal_get_data(j, "MESSAGE", &d, &l) >= 0 && l >= 8) {
        msg = (const char *)d + 8;
        l -= 8;
    } else {
        l = 0;
    }
    return journal_boot_add(b, usec, mono, &f, msg, l);
}

static int by_first_desc(const void *a, const void *b)
{
    const struct boot_span *x = a, *y = b;

    return x->first > y->first ? -1 : x->first < y->first;
}

/* One seek to each end of a boot. */
static bool boot_span(sd_journal *j, const char *id, struct boot_span *s)
{
    char m[64];

    sd_journal_flush_matches(j);
    snprintf(m, sizeof(m), "_BOOT_ID=%s", id);
    if (sd_journal_add_match(j, m, 0) < 0)
        return false;
    if (sd_journal_seek_head(j) < 0 || sd_journal_next(j) <= 0 ||
        sd_journal_get_realtime_usec(j, &s->first) < 0)
        return false;
    if (sd_journal_seek_tail(j) < 0 || sd_journal_previous(j) <= 0 ||
        sd_journal_get_realtime_usec(j, &s->last) < 0)
        return false;
    snprintf(s->id, sizeof(s->id), "%s", id);
    return true;
}

/* The newest JOURNAL_BOOTS boots, newest first. */
static size_t list_boots(sd_journal *j, struct boot_span *out, struct jlog *l)
{
    struct boot_span *all = calloc(MAX_BOOT_IDS, sizeof(*all));
    const void *d;
    size_t len, n = 0, i;

    if (!all)
        return 0;
    if (sd_journal_query_unique(j, "_BOOT_ID") < 0)
        goto out;
    SD_JOURNAL_FOREACH_UNIQUE(j, d, len)
    {
        char id[33];

        if (len != 9 + 32 || n == MAX_BOOT_IDS) {
            l->truncated |= n == MAX_BOOT_IDS;
            continue;
        }
        memcpy(id, (const char *)d + 9, 32);
        id[32] = '\0';
        if (boot_span(j, id, &all[n]))
            n++;
    }
    qsort(all, n, sizeof(*all), by_first_desc);
    for (i = 0; i < n && i < JOURNAL_BOOTS; i++)
        out[i] = all[i];
out:
    free(all);
    return n < JOURNAL_BOOTS ? n : JOURNAL_BOOTS;
}

/* Walks the boot's last entries back for a shutdown message (kept when found). A walk that
 * ends before the boot's first entry (b->first_usec) was cut short: sd-journal stops iterating
 * a file it finds corrupt without an error (a debug log line only), which would otherwise read
 * as "no shutdown message" and so as a boot that died. Such a boot's end is unknown. */
static int scan_tail(sd_journal *j, struct jboot *b)
{
    char m[64], ident[48];
    const void *d;
    size_t l, k;
    uint64_t at = UINT64_MAX; /* realtime of the entry last walked */

    sd_journal_flush_matches(j);
    snprintf(m, sizeof(m), "_BOOT_ID=%s", b->id);
    if (sd_journal_add_match(j, m, 0) < 0 || sd_journal_seek_tail(j) < 0) {
        b->read_error = true;
        return 0;
    }
    for (k = 0; k < JOURNAL_TAIL_SCAN; k++) {
        int step = sd_journal_previous(j), r;

        if (step < 0 || (step == 0 && at != b->first_usec))
            b->read_error = true;
        if (step <= 0)
            break;
        if (sd_journal_get_realtime_usec(j, &at) < 0)
            b->read_error = true;
        get_field(j, "SYSLOG_IDENTIFIER", ident, sizeof(ident));
        r = sd_journal_get_data(j, "MESSAGE", &d, &l);
        if (r < 0 && r != -ENOENT)
            b->read_error = true;
        if (r < 0 || l < 8)
            continue;
        {
            char msg[128];
            size_t ml = l - 8 < sizeof(msg) - 1 ? l - 8 : sizeof(msg) - 1;

            memcpy(msg, (const char *)d + 8, ml);
            msg[ml] = '\0';
            if (journal_is_shutdown_message(ident, msg)) {
                b->shutdown_seen = true;
                return add_current(j, b);
            }
        }
    }
    return 0;
}

static int add_source_matches(sd_journal *j, const char *boot_match)
{
    static const char *const idents[] = {"QEMU",     "qm",         "qmeventd",     "pvedaemon",
                                         "pvestatd", "pve-guests", "pvescheduler", "pveproxy",
                                         "task",     NULL};
    char m[64];
    size_t i;
    int r = sd_journal_add_match(j, boot_match, 0);

    for (i = 0; !r && idents[i]; i++) {
        snprintf(m, sizeof(m), "SYSLOG_IDENTIFIER=%s", idents[i]);
        r = sd_journal_add_match(j, m, 0);
    }
    if (!r)
        r = sd_journal_add_disjunction(j);
    if (!r)
        r = sd_journal_add_match(j, boot_match, 0);
    if (!r)
        r = sd_journal_add_match(j, "_TRANSPORT=kernel", 0);
    return r;
}

/* The boot's first and last entries (its span on replay) and its matched entries. */
static int read_boot(sd_journal *j, struct jboot *b, uint64_t oldest, struct jlog *l)
{
    char m[64];
    size_t k;
    int r;

    snprintf(m, sizeof(m), "_BOOT_ID=%s", b->id);
    sd_journal_flush_matches(j);
    if (sd_journal_add_match(j, m, 0) < 0)
        return 0;
    if (sd_journal_seek_head(j) >= 0 && sd_journal_next(j) > 0 && (r = add_current(j, b)) < 0)
        return r;
    if (sd_journal_seek_tail(j) >= 0 && sd_journal_previous(j) > 0 && (r = add_current(j, b)) < 0)
        return r;
    r = scan_tail(j, b);
    if (r < 0)
        return r;
    sd_journal_flush_matches(j);
    if (add_source_matches(j, m) < 0 || sd_journal_seek_tail(j) < 0)
        return 0;
    for (k = 0;; k++) {
        uint64_t usec = 0;
        int step = sd_journal_previous(j);

        if (step < 0)
            b->read_error = true;
        if (step <= 0)
            break;

        if (k == JOURNAL_MAX_ENTRIES) {
            l->truncated = true;
            break;
        }
        if (sd_journal_get_realtime_usec(j, &usec) >= 0 && usec < oldest) {
            l->truncated = true;
            break;
        }
        r = add_current(j, b);
        if (r < 0)
            return r;
    }
    journal_boot_sort(b);
    return 0;
}

int journal_sd_read(struct ptd_root *root, struct jlog *out, struct ptd_error *err)
{
    struct boot_span spans[JOURNAL_BOOTS];
    char dir[PATH_MAX];
    sd_journal *j = NULL;
    size_t i;
    int r;

    memset(out, 0, sizeof(*out));
    if (ptd_root_is_live(root)) {
        r = sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM);
        snprintf(dir, sizeof(dir), "/var/log/journal");
    } else {
        r = ptd_root_path(root, "/var/log/journal", dir, sizeof(dir));
        if (r)
            return ptd_error_set(err, "/var/log/journal: %s", strerror(-r)), r;
        if (access(dir, F_OK) != 0)
            return -ENOENT;
        if (access(dir, R_OK | X_OK) != 0)
            return r = -errno, ptd_error_set(err, "/var/log/journal: %s", strerror(-r)), r;
        r = sd_journal_open_directory(&j, dir, 0);
    }
    if (r < 0)
        return ptd_error_set(err, "/var/log/journal: cannot open the journal: %s", strerror(-r)), r;
    out->files = sd_journal_has_persistent_files(j) > 0 || sd_journal_has_runtime_files(j) > 0;
    out->nboots = list_boots(j, spans, out);
    for (i = 0; i < out->nboots; i++) {
        struct jboot *b = &out->boots[i];

        memcpy(b->id, spans[i].id, sizeof(b->id));
        b->first_usec = spans[i].first;
        b->last_usec = spans[i].last;
        r = read_boot(
            j, b, spans[0].last > JOURNAL_MAX_AGE_USEC ? spans[0].last - JOURNAL_MAX_AGE_USEC : 0,
            out);
        if (r < 0) {
            ptd_error_set(err, "/var/log/journal: %s", strerror(-r));
            break;
        }
    }
    sd_journal_close(j);
    return r < 0 ? r : 0;
}

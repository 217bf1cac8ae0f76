/* SPDX-License-Identifier: MIT */
/*
 * The journal as the logs probe uses it: the newest JOURNAL_BOOTS boots, each with its time
 * span, whether it ended with systemd's shutdown messages, and the entries of the sources that
 * tell why a VM did not start (QEMU, qemu-server, pvedaemon/pvestatd, the kernel). Two readers
 * fill it: libsystemd's sd-journal (journal_sd.c: the live system journal, or DIR/var/log/journal
 * under --root) and the journal export format (journal_export.c: what --save-snapshot writes as
 * DIR/run/ptdiag/journal.export). journal.c turns it into facts. Owner: the logs/ folder.
 */
#ifndef PTDIAG_HOST_JOURNAL_H
#define PTDIAG_HOST_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ptdiag/error.h"
#include "ptdiag/root.h"

#define JOURNAL_BOOTS 3
/* Per boot, at most this many entries of the matched sources, the newest. */
#define JOURNAL_MAX_ENTRIES 4000
/* Per boot, how many of its last entries are searched for systemd's shutdown messages. */
#define JOURNAL_TAIL_SCAN 400
/* Entries older than this before the newest boot's end are not read. */
#define JOURNAL_MAX_AGE_USEC (30ull * 24 * 3600 * 1000000)
/* The saved copy of the entries used (journal export format). */
#define JOURNAL_EXPORT_PATH "/run/ptdiag/journal.export"

struct jentry {
    uint64_t usec;      /* __REALTIME_TIMESTAMP */
    uint64_t mono_usec; /* __MONOTONIC_TIMESTAMP */
    char ident[48];     /* SYSLOG_IDENTIFIER, "" when none */
    char transport[16]; /* _TRANSPORT */
    char unit[48];      /* _SYSTEMD_UNIT ("100.scope" for VM 100's QEMU) */
    char *message;      /* MESSAGE, owned */
    bool used;          /* the analysis took a fact from it: the snapshot keeps it */
};

struct jboot {
    char id[33]; /* _BOOT_ID, 32 hex digits */
    uint64_t first_usec, last_usec;
    bool shutdown_seen; /* a shutdown message among its last entries */
    bool read_error;    /* sd-journal failed inside this boot (corruption): its end is unknown */
    struct jentry *e;   /* owned, oldest first after journal_boot_sort() */
    size_t n, cap;
};

struct jlog {
    struct jboot boots[JOURNAL_BOOTS]; /* newest first: [0] is the current (last) boot */
    size_t nboots;
    size_t files;   /* journal files opened (sd-journal), 0 for the export reader */
    bool truncated; /* a bound cut the reading short somewhere */
};

/* Adds an entry to a boot (message copied). Returns 0 or -ENOMEM. */
struct jfields {
    const char *ident, *transport, *unit; /* NULL: absent */
};
int journal_boot_add(struct jboot *b, uint64_t usec, uint64_t mono_usec, const struct jfields *f,
                     const char *message, size_t message_len);
/* Sorts a boot's entries oldest first. */
void journal_boot_sort(struct jboot *b);
void journal_free(struct jlog *l);

/* Whether an entry is one of systemd's messages at a clean shutdown ("Journal stopped",
 * "Shutting down.", systemd-shutdown, "Reached target ... Shutdown/Power-Off/Reboot"). */
bool journal_is_shutdown_message(const char *ident, const char *message);
/* Whether an entry comes from a source the analysis reads (see journal_sd.c matches). */
bool journal_is_relevant(const char *ident, const char *transport);

/* sd-journal: the live system journal, or ROOT/var/log/journal. Returns 0, -ENOENT when
 * there is no journal to open (none under the root), or another -errno with err set. */
int journal_sd_read(struct ptd_root *root, struct jlog *out, struct ptd_error *err);

/* Export format (systemd's journal-export-format): parses data into out. Returns 0, or
 * -EINVAL with err set when the data is not in that format. */
int journal_export_parse(const char *data, size_t len, struct jlog *out, struct ptd_error *err);
/* Writes the used entries (and each boot's first and last) in export format: a malloc'd
 * NUL-terminated text the caller frees, NULL on ENOMEM. */
char *journal_export_write(const struct jlog *l);

/* Rewrites a value (len bytes): a malloc'd copy the caller frees, its length in *outlen; NULL
 * on failure. */
typedef char *(*journal_value_fn)(void *arg, const char *value, size_t len, size_t *outlen);
/* data (export format) with every field's value passed through fn, except the timestamps and
 * _BOOT_ID that order and group the entries; lengths of binary fields follow the new values.
 * --save-snapshot --redact writes the journal it keeps through this. Returns a malloc'd copy
 * (caller frees; *outlen its length), or NULL when data is not in that format or fn failed. */
char *journal_export_rewrite(const char *data, size_t len, journal_value_fn fn, void *arg,
                             size_t *outlen);

#endif

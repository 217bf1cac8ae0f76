/* SPDX-License-Identifier: MIT */
/*
 * Parser for a Proxmox VE guest config, /etc/pve/qemu-server/<vmid>.conf, pure over a buffer.
 *
 * Layout, as qemu-server's parse_vm_config reads it: `key: value` lines; `#` lines are the
 * description (URI-style %XX escapes decoded); `[name]` starts a snapshot section,
 * `[PENDING]` the pending changes and `[special:cloudinit]` the cloud-init state. Only the
 * first (unnamed) section is the current config; the others are kept apart.
 *
 * Duplicate keys: the later line wins, as in qemu-server, which assigns each line into a hash;
 * the parser records a warning naming both lines. Lines Proxmox would skip with a warning
 * (no `key:`, empty value, unknown key, invalid UTF-8, control characters) are skipped with a
 * warning "FILE:LINE: what". Fatal errors (binary data, a file over PVE_CONF_MAX_BYTES) name
 * the file and the line.
 *
 * Ownership: pve_conf_parse() fills *out; everything in it is freed by pve_conf_free().
 */
#ifndef PTDIAG_PVE_CONF_H
#define PTDIAG_PVE_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include "ptdiag/error.h"

#include "pve_lines.h"

/* pmxcfs refuses files above 1 MiB, so a larger "config" cannot be a real one. */
#define PVE_CONF_MAX_BYTES (1u << 20)

enum pve_section_kind {
    PVE_SECTION_CURRENT,
    PVE_SECTION_SNAPSHOT,
    PVE_SECTION_PENDING,
    PVE_SECTION_SPECIAL,
};

struct pve_kv {
    char *key;
    char *value;
    unsigned line;
};

struct pve_section {
    enum pve_section_kind kind;
    char *name;        /* snapshot name, "PENDING", "special:cloudinit"; NULL for current */
    unsigned line;     /* line of the [header]; 0 for the current section */
    char *description; /* `#` lines and `description:` of this section; NULL if none */
    struct pve_kv *kv; /* in file order, duplicates already resolved (later wins) */
    size_t count, cap;
};

struct pve_conf {
    struct pve_section *sections; /* sections[0] is always the current config */
    size_t nsections;
    char **warnings; /* "FILE:LINE: what", for lines skipped or overridden */
    size_t nwarnings;
};

/* Parses buf (len bytes, need not be NUL-terminated). `file` names the source in messages.
 * Returns 0, or -1 with err set ("FILE:LINE: binary data ...", "FILE: larger than ...");
 * on -1 *out is left empty (safe to pve_conf_free). */
int pve_conf_parse(const char *file, const char *buf, size_t len, struct pve_conf *out,
                   struct ptd_error *err);

void pve_conf_free(struct pve_conf *conf);

/* Value of key in a section, NULL if absent (borrowed). */
const char *pve_section_get(const struct pve_section *sec, const char *key);
/* The snapshot/pending section called name, NULL if none. */
const struct pve_section *pve_conf_section(const struct pve_conf *conf, const char *name);

/*
 * Proxmox property strings ("0000:01:00,pcie=1,x-vga=1", "host,hidden=1,flags=+pcid;-ssbd"):
 * comma-separated `key=value`; an item without `=` is the value of default_key (NULL: an
 * error). Repeated keys are an error, as in PVE::JSONSchema::parse_property_string.
 */
struct pve_prop {
    char *key;
    char *value;
};

struct pve_props {
    struct pve_prop *items; /* owned */
    size_t count;
};

/* Returns 0 or -1 with err naming the item that is wrong; *out empty on -1. */
int pve_props_parse(const char *str, const char *default_key, struct pve_props *out,
                    struct ptd_error *err);
const char *pve_props_get(const struct pve_props *props, const char *key);
void pve_props_free(struct pve_props *props);

/* Proxmox booleans: 1/0, on/off, yes/no, true/false. Returns 1, 0, or -1 when invalid. */
int pve_parse_bool(const char *s);

#endif

/* SPDX-License-Identifier: MIT */
/* Parser for /etc/pve/qemu-server/<vmid>.conf and Proxmox property strings. See pve_conf.h. */
#include "pve_conf.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Keys qemu-server knows (fixed names, then families that take an index). Others are skipped
 * with "unknown setting", as Proxmox does. */
static const char *const known_keys[] = {
    "acpi",
    "affinity",
    "agent",
    "amd-sev",
    "arch",
    "args",
    "audio0",
    "autostart",
    "balloon",
    "bios",
    "boot",
    "bootdisk",
    "cdrom",
    "cicustom",
    "cipassword",
    "citype",
    "ciupgrade",
    "ciuser",
    "cores",
    "cpu",
    "cpulimit",
    "cpuunits",
    "delete",
    "description",
    "digest",
    "efidisk0",
    "freeze",
    "hookscript",
    "hotplug",
    "hugepages",
    "ivshmem",
    "keephugepages",
    "keyboard",
    "kvm",
    "localtime",
    "lock",
    "machine",
    "memory",
    "meta",
    "migrate_downtime",
    "migrate_speed",
    "name",
    "nameserver",
    "numa",
    "onboot",
    "ostype",
    "parent",
    "protection",
    "reboot",
    "rng0",
    "runningcpu",
    "runningmachine",
    "scsihw",
    "searchdomain",
    "shares",
    "smbios1",
    "smp",
    "snaptime",
    "sockets",
    "spice_enhancements",
    "sshkeys",
    "startdate",
    "startup",
    "tablet",
    "tags",
    "tdf",
    "template",
    "tpmstate0",
    "vcpus",
    "vga",
    "vmgenid",
    "vmstate",
    "vmstatestorage",
    "watchdog",
    "intel-tdx",
    NULL,
};
static const char *const indexed_keys[] = {
    "hostpci", "ide", "sata",   "scsi",     "virtio",   "net",      "numa",
    "unused",  "usb", "serial", "parallel", "ipconfig", "virtiofs", NULL,
};

static bool key_known(const char *key)
{
    size_t i, n;

    for (i = 0; known_keys[i]; i++)
        if (!strcmp(key, known_keys[i]))
            return true;
    for (i = 0; indexed_keys[i]; i++) {
        n = strlen(indexed_keys[i]);
        if (!strncmp(key, indexed_keys[i], n) && key[n] &&
            strspn(key + n, "0123456789") == strlen(key + n))
            return true;
    }
    return false;
}

static int add_warning(struct pve_conf *c, const char *fmt, ...) PTD_PRINTF(2, 3);
static int add_warning(struct pve_conf *c, const char *fmt, ...)
{
    va_list ap;
    int r;

    va_start(ap, fmt);
    r = pve_problem_vadd(&c->warnings, &c->nwarnings, fmt, ap);
    va_end(ap);
    return r;
}

static struct pve_section *add_section(struct pve_conf *c, enum pve_section_kind kind,
                                       const char *name, unsigned line)
{
    struct pve_section *grown, *s;

    grown = realloc(c->sections, (c->nsections + 1) * sizeof(*grown));
    if (!grown)
        return NULL;
    c->sections = grown;
    s = &c->sections[c->nsections];
    memset(s, 0, sizeof(*s));
    s->kind = kind;
    s->line = line;
    if (name && !(s->name = strdup(name)))
        return NULL;
    c->nsections++;
    return s;
}

/* Sets key in sec; a repeated key replaces the earlier value (returns its line in *prev). */
static int section_set(struct pve_section *s, const char *key, const char *value, unsigned line,
                       unsigned *prev)
{
    struct pve_kv *grown;
    char *v;
    size_t i;

    *prev = 0;
    for (i = 0; i < s->count; i++) {
        if (strcmp(s->kv[i].key, key))
            continue;
        if (!(v = strdup(value)))
            return -1;
        free(s->kv[i].value);
        s->kv[i].value = v;
        *prev = s->kv[i].line;
        s->kv[i].line = line;
        return 0;
    }
    if (s->count == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 32;
        grown = realloc(s->kv, cap * sizeof(*grown));
        if (!grown)
            return -1;
        s->kv = grown;
        s->cap = cap;
    }
    s->kv[s->count].key = strdup(key);
    s->kv[s->count].value = strdup(value);
    s->kv[s->count].line = line;
    if (!s->kv[s->count].key || !s->kv[s->count].value) {
        free(s->kv[s->count].key);
        free(s->kv[s->count].value);
        return -1;
    }
    s->count++;
    return 0;
}

/* Appends text plus a newline to *desc, decoding %XX as PVE::Tools::decode_text does. */
static int desc_append(char **desc, const char *text)
{
    size_t old = *desc ? strlen(*desc) : 0, n = strlen(text), i, o;
    char *d = realloc(*desc, old + n + 2);

    if (!d)
        return -1;
    *desc = d;
    for (i = 0, o = old; i < n; i++) {
        if (text[i] == '%' && isxdigit((unsigned char)text[i + 1]) &&
            isxdigit((unsigned char)text[i + 2])) {
            char hex[3] = {text[i + 1], text[i + 2], 0};
            d[o++] = (char)strtol(hex, NULL, 16);
            i += 2;
        } else {
            d[o++] = text[i];
        }
    }
    d[o++] = '\n';
    d[o] = '\0';
    return 0;
}

static void trim(char **start, char **end)
{
    while (*start < *end && isspace((unsigned char)**start))
        (*start)++;
    while (*end > *start && isspace((unsigned char)(*end)[-1]))
        (*end)--;
    **end = '\0';
}

/* Handles one line (NUL-terminated, CR already stripped). */
static int parse_line(const char *file, struct pve_conf *c, struct pve_section **cur, char *line,
                      unsigned lineno)
{
    char *s = line, *e = line + strlen(line), *colon, *key, *val;
    unsigned prev;
    size_t klen;

    if (*s == '#')
        return desc_append(&(*cur)->description, s + 1);
    trim(&s, &e);
    if (!*s)
        return 0;
    if (*s == '[') {
        char *close = strchr(s, ']');
        if (!close || close[1] != '\0' || close == s + 1) {
            return add_warning(c, "%s:%u: malformed section header '%s' (skipped)", file, lineno,
                               s);
        }
        *close = '\0';
        s++;
        if (!strcmp(s, "PENDING"))
            *cur = add_section(c, PVE_SECTION_PENDING, s, lineno);
        else if (!strncmp(s, "special:", 8))
            *cur = add_section(c, PVE_SECTION_SPECIAL, s, lineno);
        else if (islower((unsigned char)*s) &&
                 strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-ABCDEFGHIJKLMNOPQRSTUVWXYZ") ==
                     strlen(s))
            *cur = add_section(c, PVE_SECTION_SNAPSHOT, s, lineno);
        else {
            /* qemu-server would not recognise it and would read what follows into the
             * previous section; keeping it apart is the safer reading for a diagnosis. */
            *cur = add_section(c, PVE_SECTION_SNAPSHOT, s, lineno);
            return *cur ? add_warning(c, "%s:%u: unusual section name '[%s]'", file, lineno, s)
                        : -1;
        }
        return *cur ? 0 : -1;
    }
    colon = strchr(s, ':');
    klen = colon ? (size_t)(colon - s) : 0;
    if (!colon || klen == 0 || !islower((unsigned char)*s) ||
        strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") != klen)
        return add_warning(c, "%s:%u: unable to parse config line '%.80s' (skipped)", file, lineno,
                           s);
    *colon = '\0';
    key = s;
    val = colon + 1;
    while (isspace((unsigned char)*val))
        val++;
    if (!*val)
        return add_warning(c, "%s:%u: '%s' has no value (skipped)", file, lineno, key);
    if (!strcmp(key, "description")) {
        free((*cur)->description);
        (*cur)->description = NULL;
        return desc_append(&(*cur)->description, val);
    }
    if (!key_known(key))
        return add_warning(c, "%s:%u: unknown setting '%s' (ignored, as Proxmox does)", file,
                           lineno, key);
    if (section_set(*cur, key, val, lineno, &prev) != 0)
        return -1;
    if (prev)
        return add_warning(c, "%s:%u: duplicate key '%s' (also on line %u; the later wins)", file,
                           lineno, key, prev);
    return 0;
}

/* pve_conf_parse's walk: the result and the section being filled. */
struct conf_walk {
    struct pve_conf *conf;
    struct pve_section *cur;
};

static int conf_walk_line(void *arg, const char *file, char *line, unsigned lineno)
{
    struct conf_walk *w = arg;

    if (parse_line(file, w->conf, &w->cur, line, lineno) != 0 || !w->cur)
        return -1;
    return 0;
}

int pve_conf_parse(const char *file, const char *buf, size_t len, struct pve_conf *out,
                   struct ptd_error *err)
{
    struct conf_walk walk = {out, NULL};
    unsigned nul_line;

    memset(out, 0, sizeof(*out));
    if (len > PVE_CONF_MAX_BYTES)
        return ptd_error_set(err,
                             "%s: %zu bytes, larger than the %u-byte limit of pmxcfs: not "
                             "a Proxmox config",
                             file, len, PVE_CONF_MAX_BYTES);
    nul_line = pve_lines_first_nul(buf, len);
    if (nul_line)
        return ptd_error_set(err, "%s:%u: binary data (NUL byte): not a Proxmox config", file,
                             nul_line);
    walk.cur = add_section(out, PVE_SECTION_CURRENT, NULL, 0);
    if (!walk.cur || pve_lines_walk_text(file, buf, len, &out->warnings, &out->nwarnings,
                                         conf_walk_line, &walk) != 0) {
        pve_conf_free(out);
        return ptd_error_set(err, "%s: out of memory", file);
    }
    return 0;
}

void pve_conf_free(struct pve_conf *c)
{
    size_t i, j;

    if (!c)
        return;
    for (i = 0; i < c->nsections; i++) {
        for (j = 0; j < c->sections[i].count; j++) {
            free(c->sections[i].kv[j].key);
            free(c->sections[i].kv[j].value);
        }
        free(c->sections[i].kv);
        free(c->sections[i].name);
        free(c->sections[i].description);
    }
    free(c->sections);
    pve_problems_free(c->warnings, c->nwarnings);
    memset(c, 0, sizeof(*c));
}

const char *pve_section_get(const struct pve_section *sec, const char *key)
{
    size_t i;

    for (i = 0; sec && i < sec->count; i++)
        if (!strcmp(sec->kv[i].key, key))
            return sec->kv[i].value;
    return NULL;
}

const struct pve_section *pve_conf_section(const struct pve_conf *conf, const char *name)
{
    size_t i;

    for (i = 1; i < conf->nsections; i++)
        if (conf->sections[i].name && !strcmp(conf->sections[i].name, name))
            return &conf->sections[i];
    return NULL;
}

int pve_props_parse(const char *str, const char *default_key, struct pve_props *out,
                    struct ptd_error *err)
{
    char *copy = strdup(str ? str : ""), *item, *save = NULL, *eq;
    size_t i, cap = 0;
    int ret = -1;

    memset(out, 0, sizeof(*out));
    if (!copy)
        return ptd_error_set(err, "out of memory");
    for (item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        const char *k, *v;
        while (isspace((unsigned char)*item))
            item++;
        if (!*item)
            continue;
        eq = strchr(item, '=');
        if (eq) {
            *eq = '\0';
            k = item;
            v = eq + 1;
        } else if (default_key) {
            k = default_key;
            v = item;
        } else {
            ptd_error_set(err, "'%s' is not key=value", item);
            goto out;
        }
        if (!*k) {
            ptd_error_set(err, "empty key in '%s'", str);
            goto out;
        }
        for (i = 0; i < out->count; i++) {
            if (!strcmp(out->items[i].key, k)) {
                ptd_error_set(err, "duplicate key '%s'%s", k,
                              k == default_key ? " (two values without a key)" : "");
                goto out;
            }
        }
        if (out->count == cap) {
            struct pve_prop *grown;
            cap = cap ? cap * 2 : 8;
            grown = realloc(out->items, cap * sizeof(*grown));
            if (!grown) {
                ptd_error_set(err, "out of memory");
                goto out;
            }
            out->items = grown;
        }
        out->items[out->count].key = strdup(k);
        out->items[out->count].value = strdup(v);
        out->count++;
        if (!out->items[out->count - 1].key || !out->items[out->count - 1].value) {
            ptd_error_set(err, "out of memory");
            goto out;
        }
    }
    ret = 0;
out:
    free(copy);
    if (ret)
        pve_props_free(out);
    return ret;
}

const char *pve_props_get(const struct pve_props *props, const char *key)
{
    size_t i;

    for (i = 0; props && i < props->count; i++)
        if (!strcmp(props->items[i].key, key))
            return props->items[i].value;
    return NULL;
}

void pve_props_free(struct pve_props *props)
{
    size_t i;

    if (!props)
        return;
    for (i = 0; i < props->count; i++) {
        free(props->items[i].key);
        free(props->items[i].value);
    }
    free(props->items);
    memset(props, 0, sizeof(*props));
}

int pve_parse_bool(const char *s)
{
    static const char *const yes[] = {"1", "on", "yes", "true", NULL};
    static const char *const no[] = {"0", "off", "no", "false", NULL};
    size_t i;

    if (!s)
        return -1;
    for (i = 0; yes[i]; i++)
        if (!strcasecmp(s, yes[i]))
            return 1;
    for (i = 0; no[i]; i++)
        if (!strcasecmp(s, no[i]))
            return 0;
    return -1;
}

/* SPDX-License-Identifier: MIT */
/* SectionConfig reader and /etc/pve/mapping/pci.cfg. See pve_mapping.h. */
#include "pve_mapping.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"

#include "pve_conf.h"

static struct pve_scfg_section *scfg_add_section(struct pve_scfg *c, const char *type,
                                                 const char *id, unsigned line)
{
    struct pve_scfg_section *grown, *s;

    grown = realloc(c->sections, (c->count + 1) * sizeof(*grown));
    if (!grown)
        return NULL;
    c->sections = grown;
    s = &grown[c->count++];
    memset(s, 0, sizeof(*s));
    s->line = line;
    s->type = type ? strdup(type) : NULL;
    s->id = strdup(id);
    if ((type && !s->type) || !s->id)
        return NULL;
    return s;
}

static int scfg_add_prop(struct pve_scfg_section *s, const char *key, const char *value,
                         unsigned line)
{
    if (s->count == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 8;
        struct pve_scfg_prop *grown = realloc(s->props, cap * sizeof(*grown));
        if (!grown)
            return -1;
        s->props = grown;
        s->cap = cap;
    }
    s->props[s->count].key = strdup(key);
    s->props[s->count].value = strdup(value);
    s->props[s->count].line = line;
    if (!s->props[s->count].key || !s->props[s->count].value) {
        free(s->props[s->count].key);
        free(s->props[s->count].value);
        return -1;
    }
    s->count++;
    return 0;
}

static int scfg_line(const char *file, struct pve_scfg *c, struct pve_scfg_section **cur,
                     char *line, unsigned lineno)
{
    char *s = line, *e = line + strlen(line), *sp;
    bool indented = isspace((unsigned char)*s);

    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    while (isspace((unsigned char)*s))
        s++;
    if (!*s) {
        *cur = NULL; /* a blank line ends the section */
        return 0;
    }
    if (*s == '#')
        return 0;
    if (!indented) {
        char *colon = strchr(s, ':');
        if (colon && colon[1] && isspace((unsigned char)colon[1])) {
            char *id = colon + 1;
            *colon = '\0';
            while (isspace((unsigned char)*id))
                id++;
            if (!*id || strpbrk(id, " \t"))
                return pve_problem_add(&c->warnings, &c->nwarnings,
                                       "%s:%u: malformed section header (skipped)", file, lineno);
            *cur = scfg_add_section(c, s, id, lineno);
        } else if (!strpbrk(s, " \t")) {
            *cur = scfg_add_section(c, NULL, s, lineno);
        } else {
            *cur = NULL;
            return pve_problem_add(&c->warnings, &c->nwarnings,
                                   "%s:%u: unable to parse section header '%.60s' (skipped)", file,
                                   lineno, s);
        }
        return *cur ? 0 : -1;
    }
    if (!*cur)
        return pve_problem_add(&c->warnings, &c->nwarnings,
                               "%s:%u: property outside a section (skipped)", file, lineno);
    sp = s + strcspn(s, " \t");
    if (*sp) {
        *sp++ = '\0';
        while (isspace((unsigned char)*sp))
            sp++;
    }
    return scfg_add_prop(*cur, s, sp, lineno);
}

/* pve_scfg_parse's walk: the result and the section being filled. */
struct scfg_walk {
    struct pve_scfg *cfg;
    struct pve_scfg_section *cur;
};

static int scfg_walk_line(void *arg, const char *file, char *line, unsigned lineno)
{
    struct scfg_walk *w = arg;

    return scfg_line(file, w->cfg, &w->cur, line, lineno);
}

int pve_scfg_parse(const char *file, const char *buf, size_t len, struct pve_scfg *out,
                   struct ptd_error *err)
{
    struct scfg_walk walk = {out, NULL};
    unsigned nul_line;

    memset(out, 0, sizeof(*out));
    if (len > PVE_SCFG_MAX_BYTES)
        return ptd_error_set(err, "%s: %zu bytes, larger than the %u-byte limit of pmxcfs", file,
                             len, PVE_SCFG_MAX_BYTES);
    nul_line = pve_lines_first_nul(buf, len);
    if (nul_line)
        return ptd_error_set(err, "%s:%u: binary data (NUL byte): not a Proxmox config file", file,
                             nul_line);
    if (pve_lines_walk_text(file, buf, len, &out->warnings, &out->nwarnings, scfg_walk_line,
                            &walk) != 0) {
        pve_scfg_free(out);
        return ptd_error_set(err, "%s: out of memory", file);
    }
    return 0;
}

void pve_scfg_free(struct pve_scfg *cfg)
{
    size_t i, j;

    if (!cfg)
        return;
    for (i = 0; i < cfg->count; i++) {
        for (j = 0; j < cfg->sections[i].count; j++) {
            free(cfg->sections[i].props[j].key);
            free(cfg->sections[i].props[j].value);
        }
        free(cfg->sections[i].props);
        free(cfg->sections[i].type);
        free(cfg->sections[i].id);
    }
    free(cfg->sections);
    pve_problems_free(cfg->warnings, cfg->nwarnings);
    memset(cfg, 0, sizeof(*cfg));
}

/* "dddd:bb:dd[.f]" or "bb:dd[.f]" in canonical lower-case with a domain. */
bool pve_bdf_canonical(const char *in, char *out, size_t outlen)
{
    unsigned dom = 0, bus = 0, dev = 0, fn = 0;
    bool two_colons = strchr(in, ':') != strrchr(in, ':'), has_fn = strchr(in, '.') != NULL;
    char tail;
    int got, n;

    if (two_colons && has_fn)
        got = sscanf(in, "%x:%x:%x.%x%c", &dom, &bus, &dev, &fn, &tail) == 4;
    else if (two_colons)
        got = sscanf(in, "%x:%x:%x%c", &dom, &bus, &dev, &tail) == 3;
    else if (has_fn)
        got = sscanf(in, "%x:%x.%x%c", &bus, &dev, &fn, &tail) == 3;
    else
        got = sscanf(in, "%x:%x%c", &bus, &dev, &tail) == 2;
    if (!got || strspn(in, "0123456789abcdefABCDEF:.") != strlen(in) || dom > 0xffff ||
        bus > 0xff || dev > 0x1f || fn > 7)
        return false;
    if (has_fn)
        n = snprintf(out, outlen, "%04x:%02x:%02x.%x", dom, bus, dev, fn);
    else
        n = snprintf(out, outlen, "%04x:%02x:%02x", dom, bus, dev);
    return n > 0 && (size_t)n < outlen;
}

static bool is_id_pair(const char *s)
{
    return strlen(s) == 9 && s[4] == ':' && strspn(s, "0123456789abcdefABCDEF") == 4 &&
           strspn(s + 5, "0123456789abcdefABCDEF") == 4;
}

static cJSON *map_entry_json(const char *file, const char *mapping, const struct pve_scfg_prop *p,
                             char ***problems, size_t *np)
{
    struct pve_props props;
    struct ptd_error err;
    cJSON *e = cJSON_CreateObject(), *paths;
    const char *v;
    size_t i;

    if (!e)
        return NULL;
    ptd_json_add_str(e, "raw", p->value);
    ptd_json_add_num(e, "line", p->line, true);
    if (pve_props_parse(p->value, NULL, &props, &err) != 0) {
        pve_problem_add(problems, np, "%s:%u: mapping '%s': map entry: %s", file, p->line, mapping,
                        err.text);
        ptd_json_add_str(e, "error", err.text);
        return e;
    }
    ptd_json_add_str(e, "node", pve_props_get(&props, "node"));
    v = pve_props_get(&props, "id");
    if (v && !is_id_pair(v))
        pve_problem_add(problems, np, "%s:%u: mapping '%s': id '%s' is not VVVV:DDDD", file,
                        p->line, mapping, v);
    ptd_json_add_str(e, "id", v);
    v = pve_props_get(&props, "path");
    ptd_json_add_str(e, "path", v);
    paths = cJSON_AddArrayToObject(e, "paths");
    if (v && paths) {
        char *copy = strdup(v), *tok, *save = NULL, canon[32];
        for (tok = copy ? strtok_r(copy, ";", &save) : NULL; tok;
             tok = strtok_r(NULL, ";", &save)) {
            if (pve_bdf_canonical(tok, canon, sizeof(canon)))
                cJSON_AddItemToArray(paths, cJSON_CreateString(canon));
            else
                pve_problem_add(problems, np,
                                "%s:%u: mapping '%s': path '%s' is not a PCI "
                                "address",
                                file, p->line, mapping, tok);
        }
        free(copy);
    }
    v = pve_props_get(&props, "iommugroup");
    if (v && strspn(v, "0123456789") == strlen(v) && *v)
        ptd_json_add_num(e, "iommugroup", atoi(v), true);
    else {
        if (v)
            pve_problem_add(problems, np, "%s:%u: mapping '%s': iommugroup '%s' is not a number",
                            file, p->line, mapping, v);
        ptd_json_add_num(e, "iommugroup", 0, false);
    }
    ptd_json_add_str(e, "subsystem_id", pve_props_get(&props, "subsystem-id"));
    ptd_json_add_str(e, "description", pve_props_get(&props, "description"));
    if (!pve_props_get(&props, "node") || !pve_props_get(&props, "id") ||
        !pve_props_get(&props, "path"))
        pve_problem_add(problems, np, "%s:%u: mapping '%s': map entry lacks node, id or path", file,
                        p->line, mapping);
    for (i = 0; i < props.count; i++) {
        static const char *const known[] = {"node",         "id",          "path", "iommugroup",
                                            "subsystem-id", "description", NULL};
        size_t k;
        for (k = 0; known[k] && strcmp(known[k], props.items[i].key); k++)
            ;
        if (!known[k])
            pve_problem_add(problems, np, "%s:%u: mapping '%s': unknown map property '%s'", file,
                            p->line, mapping, props.items[i].key);
    }
    pve_props_free(&props);
    return e;
}

cJSON *pve_mapping_to_json(const char *file, const struct pve_scfg *cfg, char ***problems,
                           size_t *nproblems)
{
    cJSON *arr = cJSON_CreateArray(), *m, *maps;
    size_t i, j;

    if (!arr)
        return NULL;
    for (i = 0; i < cfg->count; i++) {
        const struct pve_scfg_section *s = &cfg->sections[i];
        const char *desc = NULL;
        int mdev = -1, lm = -1;

        if (s->type && strcmp(s->type, "pci")) {
            pve_problem_add(problems, nproblems, "%s:%u: section type '%s' is not a PCI mapping",
                            file, s->line, s->type);
            continue;
        }
        m = cJSON_CreateObject();
        if (!m)
            break;
        cJSON_AddItemToArray(arr, m);
        ptd_json_add_str(m, "id", s->id);
        ptd_json_add_num(m, "line", s->line, true);
        maps = cJSON_CreateArray();
        for (j = 0; j < s->count; j++) {
            const struct pve_scfg_prop *p = &s->props[j];
            if (!strcmp(p->key, "map")) {
                cJSON *e = map_entry_json(file, s->id, p, problems, nproblems);
                if (e)
                    cJSON_AddItemToArray(maps, e);
            } else if (!strcmp(p->key, "description")) {
                desc = p->value;
            } else if (!strcmp(p->key, "mdev")) {
                mdev = pve_parse_bool(p->value);
            } else if (!strcmp(p->key, "live-migration-capable")) {
                lm = pve_parse_bool(p->value);
            } else {
                pve_problem_add(problems, nproblems,
                                "%s:%u: mapping '%s': unknown property "
                                "'%s'",
                                file, p->line, s->id, p->key);
            }
        }
        ptd_json_add_str(m, "description", desc);
        ptd_json_add_tri(m, "mdev", mdev < 0 ? 0 : mdev);
        ptd_json_add_tri(m, "live_migration_capable", lm < 0 ? 0 : lm);
        cJSON_AddItemToObject(m, "map", maps);
    }
    return arr;
}

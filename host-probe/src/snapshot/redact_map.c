/* SPDX-License-Identifier: MIT */
/* The one redaction mapping of a host. See redact_map.h. */
#include "redact_map.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "probe.h"
#include "pve_corosync.h"

#define PCI_CFG     "/etc/pve/mapping/pci.cfg"
#define DOMAINS_CFG "/etc/pve/domains.cfg"
#define USER_TOKEN  "[user]"
/* pmxcfs refuses files above 1 MiB */
#define PVE_FILE_MAX (1u << 20)

int host_redact_map_add(struct host_redact_map *m, const char *name)
{
    size_t i;

    if (!name || !name[0])
        return -1;
    for (i = 0; i < m->n; i++)
        if (!strcasecmp(m->nodes[i], name))
            return (int)i;
    if (m->n == HOST_REDACT_MAX_NODES || !(m->nodes[m->n] = strdup(name)))
        return -1;
    return (int)m->n++;
}

void host_redact_map_token(struct host_redact_map *m, const char *name, char *buf, size_t len)
{
    int i = host_redact_map_add(m, name);

    if (i < 0)
        snprintf(buf, len, "[node]");
    else
        snprintf(buf, len, "[node-%d]", i + 1);
}

static void add_corosync(struct ptd_root *root, struct host_redact_map *m)
{
    struct ptd_error err;
    char *data = NULL;
    size_t len = 0;
    cJSON *cs;
    const cJSON *n;

    if (ptd_root_read_file(root, "/etc/pve/corosync.conf", PVE_COROSYNC_MAX_BYTES, &data, &len))
        return;
    cs = pve_corosync_parse("/etc/pve/corosync.conf", data, len, &err);
    free(data);
    if (!cs)
        return;
    cJSON_ArrayForEach(n, cJSON_GetObjectItemCaseSensitive(cs, "nodes"))
    {
        if (cJSON_IsString(n))
            host_redact_map_add(m, n->valuestring);
    }
    n = cJSON_GetObjectItemCaseSensitive(cs, "name");
    if (cJSON_IsString(n) && n->valuestring[0])
        m->cluster = strdup(n->valuestring);
    cJSON_Delete(cs);
}

/* node=NAME in the map lines of the PCI resource mappings (SectionConfig property strings). */
static void add_mapping_nodes(struct ptd_root *root, struct host_redact_map *m)
{
    char *data = NULL, *p;

    if (ptd_root_read_file(root, PCI_CFG, PVE_FILE_MAX, &data, NULL))
        return;
    for (p = data; (p = strstr(p, "node=")) != NULL;) {
        size_t k;

        if (p > data && p[-1] != ',' && p[-1] != ' ' && p[-1] != '\t') {
            p += 5;
            continue;
        }
        p += 5;
        k = strcspn(p, ", \t\r\n");
        if (k && k < 64) {
            char name[64];

            memcpy(name, p, k);
            name[k] = '\0';
            host_redact_map_add(m, name);
        }
        p += k;
    }
    free(data);
}

/* pve-access-control's realm names: [A-Za-z][A-Za-z0-9._-]+ */
static bool realm_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
}

static void add_realm(struct host_redact_map *m, const char *name, size_t len)
{
    size_t i;

    if (len < 2 || len > 32 || m->nrealms == HOST_REDACT_MAX_REALMS)
        return;
    for (i = 0; i < m->nrealms; i++)
        if (strlen(m->realms[i]) == len && memcmp(m->realms[i], name, len) == 0)
            return;
    if ((m->realms[m->nrealms] = strndup(name, len)) != NULL)
        m->nrealms++;
}

/* The realms of domains.cfg (SectionConfig: "TYPE: REALM" opens each section). */
static void add_domains(struct ptd_root *root, struct host_redact_map *m)
{
    char *data = NULL, *line, *next;

    add_realm(m, "pam", 3);
    add_realm(m, "pve", 3);
    if (ptd_root_read_file(root, DOMAINS_CFG, PVE_FILE_MAX, &data, NULL))
        return;
    for (line = data; line && *line; line = next) {
        char *colon, *r;
        size_t k;

        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        colon = strchr(line, ':');
        if (!colon || !realm_char(line[0]) || line[0] == '.')
            continue;
        for (r = colon + 1; *r == ' ' || *r == '\t'; r++)
            ;
        for (k = 0; realm_char(r[k]); k++)
            ;
        add_realm(m, r, k);
    }
    free(data);
}

void host_redact_map_build(struct ptd_root *root, struct host_redact_map *m)
{
    char host[256];

    memset(m, 0, sizeof(*m));
    if (ptd_root_read_attr(root, "/proc/sys/kernel/hostname", host, sizeof(host)) == 0)
        host_redact_map_add(m, host);
    add_corosync(root, m);
    add_mapping_nodes(root, m);
    add_domains(root, m);
}

/* What a user name may hold (pve-access-control: no white space, ':' or '/') less what ends
 * it in the messages that quote one: "<root@pam>", "user=root@pam", "'root@pam'". */
static bool user_char(char c)
{
    return c && !strchr(" \t\r\n:/<>'\"=,;()", c);
}

static bool known_realm(const struct host_redact_map *m, const char *r, size_t len)
{
    size_t i;

    for (i = 0; i < m->nrealms; i++)
        if (strlen(m->realms[i]) == len && memcmp(m->realms[i], r, len) == 0)
            return true;
    return false;
}

/* A user id starting at p ("root@pam", "svc@corp!backup"): its length, or 0. The last '@'
 * followed by a known realm ends the user name, which may hold '@' itself. */
static size_t match_userid(const struct host_redact_map *m, const char *p, const char *end)
{
    const char *q = p, *at, *best = NULL;

    while (q < end && user_char(*q))
        q++;
    for (at = p + 1; at < q; at++) {
        const char *r = at + 1, *e = r;

        if (at[0] != '@')
            continue;
        while (e < q && realm_char(*e))
            e++;
        while (e > r && e[-1] == '.') /* "root@pam." ends a sentence */
            e--;
        if (!known_realm(m, r, (size_t)(e - r)))
            continue;
        if (e < q && *e == '!') /* an API token: user@realm!tokenid */
            for (e++; e < q && realm_char(*e); e++)
                ;
        best = e;
    }
    return best ? (size_t)(best - p) : 0;
}

/* text with every user id replaced by USER_TOKEN; NULL on allocation failure. */
static char *redact_users(const struct host_redact_map *m, const char *text, size_t len,
                          size_t *outlen)
{
    const char *p = text, *end = text + len;
    /* the shortest user id ("a@xy") is 4 bytes, its token 6: at most 1.5 times as long */
    char *out = malloc(2 * len + sizeof(USER_TOKEN)), *o = out;

    if (!out)
        return NULL;
    while (p < end) {
        size_t n = 0;

        if (p == text || !user_char(p[-1]))
            n = match_userid(m, p, end);
        if (n > 0) {
            memcpy(o, USER_TOKEN, sizeof(USER_TOKEN) - 1);
            o += sizeof(USER_TOKEN) - 1;
            p += n;
        } else {
            *o++ = *p++;
        }
    }
    *o = '\0';
    *outlen = (size_t)(o - out);
    return out;
}

char *host_redact_map_text(const struct host_redact_map *m, const char *text, size_t len,
                           size_t *outlen)
{
    const char *names[HOST_REDACT_MAX_NODES + 1];
    char tokens[HOST_REDACT_MAX_NODES + 1][32];
    const char *tok[HOST_REDACT_MAX_NODES + 1];
    size_t i, n = 0, ulen = 0;
    char *users, *out;

    for (i = 0; i < m->n; i++) {
        snprintf(tokens[n], sizeof(tokens[n]), "[node-%u]", (unsigned)(i + 1));
        names[n] = m->nodes[i];
        tok[n] = tokens[n];
        n++;
    }
    if (m->cluster) {
        names[n] = m->cluster;
        tok[n] = "[cluster]";
        n++;
    }
    /* users first: "pve1@pam" is a user, not node pve1 */
    users = redact_users(m, text, len, &ulen);
    if (!users)
        return NULL;
    out = host_redact_names_text(users, ulen, names, tok, n, outlen);
    free(users);
    return out;
}

void host_redact_map_free(struct host_redact_map *m)
{
    size_t i;

    for (i = 0; i < m->n; i++)
        free(m->nodes[i]);
    for (i = 0; i < m->nrealms; i++)
        free(m->realms[i]);
    free(m->cluster);
    memset(m, 0, sizeof(*m));
}

/* SPDX-License-Identifier: MIT */
/* The one redaction mapping of a host. See redact_map.h. */
#include "redact_map.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "probe.h"
#include "pve_corosync.h"

#define PCI_CFG "/etc/pve/mapping/pci.cfg"
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

void host_redact_map_build(struct ptd_root *root, struct host_redact_map *m)
{
    char host[256];

    memset(m, 0, sizeof(*m));
    if (ptd_root_read_attr(root, "/proc/sys/kernel/hostname", host, sizeof(host)) == 0)
        host_redact_map_add(m, host);
    add_corosync(root, m);
    add_mapping_nodes(root, m);
}

char *host_redact_map_text(const struct host_redact_map *m, const char *text, size_t len,
                           size_t *outlen)
{
    const char *names[HOST_REDACT_MAX_NODES + 1];
    char tokens[HOST_REDACT_MAX_NODES + 1][32];
    const char *tok[HOST_REDACT_MAX_NODES + 1];
    size_t i, n = 0;

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
    return host_redact_names_text(text, len, names, tok, n, outlen);
}

void host_redact_map_free(struct host_redact_map *m)
{
    size_t i;

    for (i = 0; i < m->n; i++)
        free(m->nodes[i]);
    free(m->cluster);
    memset(m, 0, sizeof(*m));
}

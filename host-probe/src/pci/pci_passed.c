/* SPDX-License-Identifier: MIT */
/*
 * The PCI addresses the VMs' hostpciN entries name (issue 17): a NIC, a USB or an NVMe
 * controller passed to a VM gets the same binding, group and reset facts in devices[] as a
 * GPU. Only the current section of each /etc/pve/qemu-server/<vmid>.conf, and only raw
 * addresses (`host=` or the entry's first value, ';'-separated, as qemu-server's
 * parse_hostpci reads them); a resource mapping is resolved later by the VM probe, which also
 * reports every problem of the configs: this pass stays silent.
 */
#include "pci_facts.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pve_conf.h"

/* "01:00.0", "0000:01:00.0", "01:00", "0000:01:00" -> "0000:01:00.0" / "0000:01:00" in out;
 * false when it is no PCI address. */
static bool normalise(const char *id, char *out, size_t len)
{
    unsigned dom = 0, bus, dev, fn;
    int used = 0;
    char lower[32];
    size_t i;

    for (i = 0; id[i] && i + 1 < sizeof(lower); i++)
        lower[i] = (char)tolower((unsigned char)id[i]);
    lower[i] = '\0';
    if (sscanf(lower, "%4x:%2x:%2x.%1u%n", &dom, &bus, &dev, &fn, &used) == 4 && !lower[used])
        return snprintf(out, len, "%04x:%02x:%02x.%u", dom, bus, dev, fn) > 0;
    if (sscanf(lower, "%2x:%2x.%1u%n", &bus, &dev, &fn, &used) == 3 && !lower[used])
        return snprintf(out, len, "0000:%02x:%02x.%u", bus, dev, fn) > 0;
    if (sscanf(lower, "%4x:%2x:%2x%n", &dom, &bus, &dev, &used) == 3 && !lower[used])
        return snprintf(out, len, "%04x:%02x:%02x", dom, bus, dev) > 0;
    if (sscanf(lower, "%2x:%2x%n", &bus, &dev, &used) == 2 && !lower[used])
        return snprintf(out, len, "0000:%02x:%02x", bus, dev) > 0;
    return false;
}

static void add_hosts(const char *value, char ***out, size_t *n, size_t *cap)
{
    struct pve_props props = {0};
    struct ptd_error err;
    const char *host;
    char *copy, *tok, *save = NULL;

    if (pve_props_parse(value, "host", &props, &err) != 0)
        return;
    host = pve_props_get(&props, "host");
    copy = host ? strdup(host) : NULL;
    for (tok = copy ? strtok_r(copy, ";", &save) : NULL; tok; tok = strtok_r(NULL, ";", &save)) {
        char addr[24], **grown;

        if (!normalise(tok, addr, sizeof(addr)))
            continue;
        if (*n + 1 >= *cap) {
            grown = realloc(*out, (*cap ? *cap * 2 : 16) * sizeof(**out));
            if (!grown)
                break;
            *out = grown;
            *cap = *cap ? *cap * 2 : 16;
        }
        if (((*out)[*n] = strdup(addr)) != NULL)
            (*out)[++*n] = NULL;
    }
    free(copy);
    pve_props_free(&props);
}

static void one_conf(struct probe_ctx *ctx, const char *name, char ***out, size_t *n, size_t *cap)
{
    char path[160], *data = NULL;
    struct pve_conf conf;
    struct ptd_error err;
    size_t len = 0, i;

    snprintf(path, sizeof(path), "/etc/pve/qemu-server/%s", name);
    if (ptd_root_read_file(ctx->root, path, PVE_CONF_MAX_BYTES + 1, &data, &len) != 0)
        return;
    if (pve_conf_parse(path, data, len, &conf, &err) == 0) {
        const struct pve_section *cur = &conf.sections[0];

        for (i = 0; i < cur->count; i++)
            if (!strncmp(cur->kv[i].key, "hostpci", 7) && isdigit((unsigned char)cur->kv[i].key[7]))
                add_hosts(cur->kv[i].value, out, n, cap);
    }
    pve_conf_free(&conf);
    free(data);
}

char **pci_passed_addresses(struct probe_ctx *ctx)
{
    char **names = NULL, **out = NULL;
    size_t count = 0, n = 0, cap = 0, i;

    if (ptd_root_list_dir(ctx->root, "/etc/pve/qemu-server", &names, &count) != 0)
        return NULL;
    for (i = 0; i < count; i++) {
        size_t l = strlen(names[i]);

        if (l > 5 && !strcmp(names[i] + l - 5, ".conf") && strspn(names[i], "0123456789") == l - 5)
            one_conf(ctx, names[i], &out, &n, &cap);
    }
    ptd_strv_free(names);
    return out;
}

/* SPDX-License-Identifier: MIT */
/* /run/qemu-server/pci-id-reservations. See pve_reservations.h for the format's source. */
#include "pve_reservations.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"

#include "pve_mapping.h"

/* Proxmox VMIDs are 100..999999999 (pve-vmid); Linux PIDs stay below 2^22 (PID_MAX_LIMIT);
 * an expiry is a few seconds after "now", so anything past year 10000 is no epoch time. */
#define VMID_MIN      100u
#define VMID_MAX      999999999u
#define PID_MAX_LIMIT 4194304u
#define EPOCH_MAX     253402300799ull
#define LINE_MAX_LEN  256

/* A run of decimal digits that ends the field (at a space, end or line end) and is <= max. */
static bool read_uint(const char **p, unsigned long long max, unsigned long long *out)
{
    unsigned long long v = 0;
    const char *s = *p;

    if (!isdigit((unsigned char)*s))
        return false;
    for (; isdigit((unsigned char)*s); s++) {
        v = v * 10 + (unsigned)(*s - '0');
        if (v > max)
            return false;
    }
    *p = s;
    *out = v;
    return true;
}

/* PCI.pm $PCIRE: optional domain of 4+ lower-case hex digits, bus:dev, optional .fn. */
static size_t pci_id_len(const char *s)
{
    return strspn(s, "0123456789abcdef:.");
}

/* One line (NUL-terminated, without its newline) into arr; false with *why when Proxmox's
 * pattern would not match it. */
static bool parse_line(const char *line, cJSON *arr, const char **why)
{
    char id[64], bdf[32];
    const char *p = line;
    unsigned long long vmid, val;
    bool is_pid;
    size_t n = pci_id_len(p);
    cJSON *e;

    if (!n || n >= sizeof(id) || !isspace((unsigned char)p[n])) {
        *why = "no PCI ID at the start";
        return false;
    }
    memcpy(id, p, n);
    id[n] = '\0';
    if (!pve_bdf_canonical(id, bdf, sizeof(bdf))) {
        *why = "not a PCI address";
        return false;
    }
    p += n + 1;
    if (!read_uint(&p, VMID_MAX, &vmid) || vmid < VMID_MIN || !isspace((unsigned char)*p)) {
        *why = "VMID missing or outside 100..999999999";
        return false;
    }
    p++;
    if (!strncmp(p, "pid:", 4))
        is_pid = true;
    else if (!strncmp(p, "time:", 5))
        is_pid = false;
    else {
        *why = "neither pid: nor time:";
        return false;
    }
    p += is_pid ? 4 : 5;
    if (!read_uint(&p, is_pid ? PID_MAX_LIMIT : EPOCH_MAX, &val) || *p) {
        *why = is_pid ? "pid: not a number in 1..4194304" : "time: not an epoch time";
        return false;
    }
    if (!(e = cJSON_CreateObject()))
        return true;
    cJSON_AddItemToArray(arr, e);
    ptd_json_add_str(e, "bdf", bdf);
    ptd_json_add_num(e, "vmid", (double)vmid, true);
    ptd_json_add_num(e, "expires_at", (double)val, !is_pid);
    ptd_json_add_num(e, "pid", (double)val, is_pid);
    return true;
}

cJSON *pve_reservations_parse(const char *file, const char *data, size_t len, char ***problems,
                              size_t *nproblems)
{
    cJSON *arr = cJSON_CreateArray();
    char line[LINE_MAX_LEN + 1];
    size_t pos = 0, lineno = 0;

    if (!arr)
        return NULL;
    while (pos < len) {
        const char *nl = memchr(data + pos, '\n', len - pos), *why = NULL;
        size_t n = nl ? (size_t)(nl - (data + pos)) : len - pos;

        lineno++;
        if (n > LINE_MAX_LEN || memchr(data + pos, '\0', n)) {
            pve_problem_add(problems, nproblems, "%s:%zu: line too long or binary; skipped", file,
                            lineno);
        } else if (n) {
            memcpy(line, data + pos, n);
            line[n] = '\0';
            if (!parse_line(line, arr, &why))
                pve_problem_add(problems, nproblems,
                                "%s:%zu: not \"PCI-ID VMID pid:N|time:N\" (%s); Proxmox skips "
                                "it too",
                                file, lineno, why);
        }
        pos += n + 1;
    }
    return arr;
}

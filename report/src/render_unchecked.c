/* SPDX-License-Identifier: MIT */
/*
 * "Not checked" for a person: one line per reason ("17 rules need a guest document: run ..."),
 * not one line per rule; -v lists every rule. A rule is not checked when a document is absent
 * or a fact it names is unknown (DESIGN: unknown is never a verdict), and what the reader
 * wants to know is what to run so that it gets checked.
 */
#include <stdlib.h>
#include <string.h>

#include "ptdiag/escape.h"

#include "report.h"

struct group {
    const char *key; /* the reason's class; borrowed from a reason or a literal */
    size_t keylen;
    const char *hint; /* what to run, or NULL */
    size_t rules;
    char vms[96]; /* "101, 102" for guest documents */
};

/* The class of a reason and what resolves it. */
static void classify(const char *reason, const char **key, size_t *keylen, const char **hint)
{
    static const struct {
        const char *prefix, *key, *hint;
    } known[] = {
        {"no guest document", "a guest document",
         "run `ptdiag-agent --json -o guest.json` in the VM, then add --guest VMID=guest.json"},
        {"no host document", "the host document", "ptdiag-host --json -o host.json"},
        {"decided from a soak log", "a soak log", "ptdiag-report soak FILE"},
        {"the guest shows no GPU", "the passed GPU in the guest document",
         "the guest does not show the passed device: see guest-gpu-missing"},
        {"the guest GPU is not matched", "a guest GPU matched to a passed device",
         "give the guest document with --guest VMID=FILE"},
        {"the guest is not tied", "the guest tied to its VM",
         "give the guest document with --guest VMID=FILE"},
        {"the hostpci entry resolves to no device", "the passed device on this host",
         "see vm-hostpci-device-missing"},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        if (strncmp(reason, known[i].prefix, strlen(known[i].prefix)) == 0) {
            *key = known[i].key;
            *keylen = strlen(known[i].key);
            *hint = known[i].hint;
            return;
        }
    }
    /* "host.system.x is unknown for VM 101 (...)": the fact is the class */
    const char *u = strstr(reason, " is unknown");
    *key = reason;
    *keylen = u ? (size_t)(u - reason) : strcspn(reason, "(");
    *hint = NULL;
}

static void add_vm(struct group *g, const char *reason)
{
    const char *p = strstr(reason, "for VM ");
    if (!p)
        return;
    char *end;
    long vmid = strtol(p + 7, &end, 10);
    if (end == p + 7 || vmid < 0 || vmid > 999999999L)
        return;
    char one[16];
    snprintf(one, sizeof one, "%ld", vmid);
    /* a VM listed once; the buffer bounds the list on a host with hundreds of VMs */
    for (const char *q = g->vms; (q = strstr(q, one)) != NULL; q += strlen(one))
        if ((q == g->vms || q[-1] == ' ') && (q[strlen(one)] == ',' || q[strlen(one)] == '\0'))
            return;
    size_t len = strlen(g->vms);
    if (len + strlen(one) + 3 < sizeof g->vms)
        snprintf(g->vms + len, sizeof g->vms - len, "%s%s", len ? ", " : "", one);
}

void rpt_text_unchecked(FILE *out, const struct rpt_result *r, bool verbose)
{
    if (r->nunchecked == 0)
        return;
    if (verbose) {
        fprintf(out, "\nNot checked (%zu):\n", r->nunchecked);
        for (size_t i = 0; i < r->nunchecked; i++) {
            /* a reason names facts and subjects from the documents: escaped */
            fprintf(out, "  %s: ", r->unchecked[i].rule->id);
            ptd_esc_text(out, r->unchecked[i].reason, 0);
            fputc('\n', out);
        }
        return;
    }
    struct group *groups = calloc(r->nunchecked, sizeof *groups);
    size_t ng = 0, facts = 0;
    if (!groups)
        return;
    for (size_t i = 0; i < r->nunchecked; i++) {
        const char *key, *hint;
        size_t keylen;
        classify(r->unchecked[i].reason, &key, &keylen, &hint);
        size_t g = 0;
        while (g < ng && !(groups[g].keylen == keylen && strncmp(groups[g].key, key, keylen) == 0))
            g++;
        if (g == ng) {
            groups[ng++] = (struct group){.key = key, .keylen = keylen, .hint = hint};
            facts += hint == NULL;
        }
        groups[g].rules++;
        add_vm(&groups[g], r->unchecked[i].reason);
    }
    fprintf(out, "\nNot checked: %zu rule%s (-v lists each with its reason)\n", r->nunchecked,
            r->nunchecked == 1 ? "" : "s");
    for (size_t g = 0; g < ng; g++) {
        if (!groups[g].hint)
            continue;
        /* a known class: key and hint are ptdiag's own words */
        fprintf(out, "  %zu rule%s need%s %.*s", groups[g].rules, groups[g].rules == 1 ? "" : "s",
                groups[g].rules == 1 ? "s" : "", (int)groups[g].keylen, groups[g].key);
        if (groups[g].vms[0])
            fprintf(out, " (VM %s)", groups[g].vms);
        fprintf(out, ": %s\n", groups[g].hint);
    }
    if (facts) {
        size_t n = 0;
        for (size_t g = 0; g < ng; g++)
            n += groups[g].hint ? 0 : groups[g].rules;
        fprintf(out, "  %zu rule%s name%s a fact this host or guest did not report:", n,
                n == 1 ? "" : "s", n == 1 ? "s" : "");
        bool first = true;
        for (size_t g = 0; g < ng; g++) {
            if (groups[g].hint)
                continue;
            /* the fact path is the matrix's, but an unknown reason's text may carry a subject */
            /* not strndup: MinGW's C library (the Windows agent links this) has none */
            char *k = malloc(groups[g].keylen + 1);
            if (k) {
                memcpy(k, groups[g].key, groups[g].keylen);
                k[groups[g].keylen] = '\0';
            }
            fputs(first ? " " : ", ", out);
            if (k)
                ptd_esc_text(out, k, 0);
            free(k);
            if (groups[g].rules > 1)
                fprintf(out, " (%zu)", groups[g].rules);
            first = false;
        }
        fputc('\n', out);
    }
    free(groups);
}

/* SPDX-License-Identifier: MIT */
/* sysfs `resource` parser. See pci_resource.h. */
#include "ptdiag/pci_resource.h"

#include <string.h>

#include "ptdiag/hex.h"

static int parse_hex_field(const char **p, const char *end, uint64_t *out)
{
    while (*p < end && (**p == ' ' || **p == '\t'))
        (*p)++;
    if (end - *p < 2 || (*p)[0] != '0' || ((*p)[1] != 'x' && (*p)[1] != 'X'))
        return -1;
    *p += 2;
    return ptd_parse_hex_u64(p, end, out);
}

int pci_res_parse(const char *buf, size_t len, struct pci_res *out, struct ptd_error *err)
{
    const char *p = buf, *end = buf + len;

    memset(out, 0, sizeof(*out));
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *lend = nl ? nl : end;
        struct pci_res_line l;
        const char *q = p;

        if (lend == p) {
            p = lend + 1;
            continue;
        }
        if (out->count == PCI_RES_LINES)
            return ptd_error_set(err, "more than %d lines", PCI_RES_LINES);
        if (parse_hex_field(&q, lend, &l.start) || parse_hex_field(&q, lend, &l.end) ||
            parse_hex_field(&q, lend, &l.flags))
            return ptd_error_set(err, "line %u: expected \"0x<start> 0x<end> 0x<flags>\"",
                                 out->count + 1);
        while (q < lend && (*q == ' ' || *q == '\t' || *q == '\r'))
            q++;
        if (q != lend)
            return ptd_error_set(err, "line %u: trailing characters", out->count + 1);
        /* An unimplemented resource is 0 0 0; anything else must be a real range. */
        if (l.end < l.start && !(l.start == 0 && l.end == 0))
            return ptd_error_set(err, "line %u: end below start", out->count + 1);
        out->line[out->count++] = l;
        p = lend + 1;
    }
    if (!out->count)
        return ptd_error_set(err, "empty");
    return 0;
}

bool pci_res_bar(const struct pci_res *res, unsigned index, struct pci_bar *out)
{
    const struct pci_res_line *l;

    memset(out, 0, sizeof(*out));
    if (index >= res->count)
        return false;
    l = &res->line[index];
    if (l->start == 0 && l->end == 0 && l->flags == 0)
        return false;
    out->start = l->start;
    out->size_bytes = l->end >= l->start && (l->end || l->start) ? l->end - l->start + 1 : 0;
    out->is_io = (l->flags & PCI_RES_IO) != 0;
    out->is_64bit = (l->flags & PCI_RES_MEM_64) != 0;
    out->prefetchable = (l->flags & PCI_RES_PREFETCH) != 0;
    out->assigned =
        out->size_bytes && l->start != 0 && !(l->flags & (PCI_RES_UNSET | PCI_RES_DISABLED));
    return out->size_bytes != 0;
}

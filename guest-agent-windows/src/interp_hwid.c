/* SPDX-License-Identifier: MIT */
/* PnP PCI hardware/compatible ids: PCI\VEN_vvvv&DEV_dddd[&SUBSYS_ssssvvvv][&REV_rr][&CC_ccss[pp]]
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "interp.h"

static bool prefix_ci(const char *s, const char *prefix)
{
    for (; *prefix; s++, prefix++)
        if (toupper((unsigned char)*s) != *prefix)
            return false;
    return true;
}

/* Reads exactly `digits` hex digits (or, with digits < 0, 2..8 of them) up to '&' or the end. */
static bool hex_field(const char *s, int digits, unsigned long *out, size_t *len)
{
    size_t n = 0;
    unsigned long v = 0;

    while (isxdigit((unsigned char)s[n]) && n < 8) {
        int c = toupper((unsigned char)s[n]);
        v = v * 16 + (unsigned long)(c <= '9' ? c - '0' : c - 'A' + 10);
        n++;
    }
    if (s[n] != '\0' && s[n] != '&' && s[n] != '\\')
        return false;
    if (digits > 0 ? n != (size_t)digits : (n < 2 || n > 8))
        return false;
    *out = v;
    *len = n;
    return true;
}

bool ptw_parse_pci_id(const char *id, struct ptw_pci_ids *out)
{
    const char *p;
    bool have_ven = false, have_dev = false;

    memset(out, 0, sizeof(*out));
    if (!id || !prefix_ci(id, "PCI\\"))
        return false;
    p = id + 4;
    while (*p && *p != '\\') {
        unsigned long v;
        size_t n;

        if (prefix_ci(p, "VEN_") && hex_field(p + 4, 4, &v, &n)) {
            out->vendor_id = (unsigned)v, have_ven = true, p += 4 + n;
        } else if (prefix_ci(p, "DEV_") && hex_field(p + 4, 4, &v, &n)) {
            out->device_id = (unsigned)v, have_dev = true, p += 4 + n;
        } else if (prefix_ci(p, "SUBSYS_") && hex_field(p + 7, 8, &v, &n)) {
            out->has_subsys = true;
            out->subsys_device_id = (unsigned)(v >> 16);
            out->subsys_vendor_id = (unsigned)(v & 0xffff);
            p += 7 + n;
        } else if (prefix_ci(p, "REV_") && hex_field(p + 4, 2, &v, &n)) {
            out->has_revision = true, out->revision = (unsigned)v, p += 4 + n;
        } else if (prefix_ci(p, "CC_") && hex_field(p + 3, -1, &v, &n) && (n == 4 || n == 6)) {
            out->has_class = true;
            out->class_code = (unsigned)(n == 4 ? v << 8 : v);
            p += 3 + n;
        } else {
            /* A token we do not know (e.g. DEV_xxxx&SUBSYS...&REV_..\3&...): skip it. */
            while (*p && *p != '&' && *p != '\\')
                p++;
        }
        if (*p == '&')
            p++;
    }
    out->valid = have_ven && have_dev;
    if (!out->valid)
        memset(out, 0, sizeof(*out));
    return out->valid;
}

void ptw_merge_pci_ids(struct ptw_pci_ids *acc, const struct ptw_pci_ids *more)
{
    if (!more->valid)
        return;
    if (!acc->valid) {
        *acc = *more;
        return;
    }
    if (acc->vendor_id != more->vendor_id || acc->device_id != more->device_id)
        return; /* another device's id: keep the first */
    if (!acc->has_subsys && more->has_subsys) {
        acc->has_subsys = true;
        acc->subsys_vendor_id = more->subsys_vendor_id;
        acc->subsys_device_id = more->subsys_device_id;
    }
    if (!acc->has_revision && more->has_revision)
        acc->has_revision = true, acc->revision = more->revision;
    if (more->has_class &&
        (!acc->has_class || (acc->class_code & 0xff) < (more->class_code & 0xff)))
        acc->has_class = true, acc->class_code = more->class_code;
}

/* SPDX-License-Identifier: MIT */
/* Windows driver versions and adapter memory sizes. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "interp.h"

bool ptw_driver_version_parse(const char *s, struct ptw_driver_version *out)
{
    int parts = 0;

    memset(out, 0, sizeof(*out));
    if (!s)
        return false;
    while (parts < 4) {
        unsigned long v = 0;
        int digits = 0;

        while (isdigit((unsigned char)*s) && digits < 6) {
            v = v * 10 + (unsigned long)(*s - '0');
            s++, digits++;
        }
        if (digits == 0 || v > 65535)
            goto bad;
        out->v[parts++] = (unsigned)v;
        if (*s != '.')
            break;
        s++;
    }
    if (*s != '\0' || parts < 3)
        goto bad;
    out->parts = parts;
    return true;
bad:
    memset(out, 0, sizeof(*out));
    return false;
}

bool ptw_nvidia_version(const struct ptw_driver_version *v, char *buf, size_t buflen)
{
    unsigned digits;

    /* NVIDIA's scheme: the last digit of part 3 and the four digits of part 4 make the
     * five-digit release number: 31.0.15.3179 -> 5 3179 -> 531.79. */
    if (v->parts != 4 || v->v[2] < 10 || v->v[3] > 9999)
        return false;
    digits = (v->v[2] % 10) * 10000 + v->v[3];
    snprintf(buf, buflen, "%u.%02u", digits / 100, digits % 100);
    return true;
}

bool ptw_intel_version(const struct ptw_driver_version *v, char *buf, size_t buflen)
{
    if (v->parts != 4 || v->v[2] < 100)
        return false;
    snprintf(buf, buflen, "%u.%u", v->v[2], v->v[3]);
    return true;
}

bool ptw_vendor_driver_version(unsigned vendor_id, const char *windows_version, char *buf,
                               size_t buflen)
{
    struct ptw_driver_version v;

    if (!ptw_driver_version_parse(windows_version, &v))
        return false;
    if (vendor_id == 0x10de)
        return ptw_nvidia_version(&v, buf, buflen);
    if (vendor_id == 0x8086)
        return ptw_intel_version(&v, buf, buflen);
    return false;
}

bool ptw_mem32_is_clamped(uint64_t value)
{
    return value == UINT64_C(4293918720) || value == UINT64_C(2147479552) ||
           value == UINT64_C(0xFFFFFFFF);
}

void ptw_pick_memory_size(bool has_qw, uint64_t qw, bool has_dw, uint32_t dw,
                          struct ptw_mem_size *out)
{
    memset(out, 0, sizeof(*out));
    if (has_qw && qw > 0) {
        out->known = true;
        out->bytes = qw;
        out->source = "qwMemorySize";
        return;
    }
    if (has_dw && dw > 0) {
        out->known = true;
        out->bytes = dw;
        out->source = "MemorySize";
        out->clamped32 = ptw_mem32_is_clamped(dw);
    }
}

/* SPDX-License-Identifier: MIT */
#include "ptdiag/pcicfg.h"

#include <string.h>

/* A capability list cannot have more entries than 4-byte slots in its space; a longer walk
 * means a loop in a corrupt or hostile buffer. */
#define MAX_CAPS  48
#define MAX_ECAPS 960

bool ptd_pcicfg_valid(const uint8_t *cfg, size_t len)
{
    if (!cfg || len < 64)
        return false;
    /* Vendor id 0xffff: master abort, the device is gone or in D3cold. */
    return !(cfg[0] == 0xff && cfg[1] == 0xff);
}

uint16_t ptd_pcicfg_r16(const uint8_t *cfg, size_t len, size_t off)
{
    if (off + 2 > len)
        return 0xffff;
    return (uint16_t)(cfg[off] | cfg[off + 1] << 8);
}

uint32_t ptd_pcicfg_r32(const uint8_t *cfg, size_t len, size_t off)
{
    if (off + 4 > len)
        return 0xffffffffu;
    return (uint32_t)cfg[off] | (uint32_t)cfg[off + 1] << 8 | (uint32_t)cfg[off + 2] << 16 |
           (uint32_t)cfg[off + 3] << 24;
}

int ptd_pcicfg_find_cap(const uint8_t *cfg, size_t len, uint8_t cap_id)
{
    unsigned pos, n;
    uint8_t hdr;

    if (!ptd_pcicfg_valid(cfg, len))
        return -1;
    if (!(ptd_pcicfg_r16(cfg, len, 0x06) & 0x0010)) /* Status: Capabilities List */
        return -1;
    hdr = cfg[0x0e] & 0x7f;
    pos = cfg[hdr == 2 ? 0x14 : 0x34]; /* CardBus bridges keep the pointer elsewhere */
    for (n = 0; n < MAX_CAPS && pos >= 0x40 && pos + 2 <= len && pos < 256; n++) {
        pos &= ~3u;
        if (cfg[pos] == 0xff)
            return -1;
        if (cfg[pos] == cap_id)
            return (int)pos;
        pos = cfg[pos + 1];
    }
    return -1;
}

int ptd_pcicfg_find_ecap(const uint8_t *cfg, size_t len, uint16_t ecap_id)
{
    unsigned pos = 0x100, n;

    if (!ptd_pcicfg_valid(cfg, len) || len < 0x104)
        return -1;
    for (n = 0; n < MAX_ECAPS && pos >= 0x100 && pos + 4 <= len; n++) {
        uint32_t hdr = ptd_pcicfg_r32(cfg, len, pos);

        if (hdr == 0 || hdr == 0xffffffffu)
            return -1;
        if ((hdr & 0xffff) == ecap_id)
            return (int)pos;
        pos = (hdr >> 20) & 0xffc;
    }
    return -1;
}

int ptd_pcicfg_decode_pcie(const uint8_t *cfg, size_t len, struct ptd_pcie_info *out)
{
    int pos = ptd_pcicfg_find_cap(cfg, len, PTD_CAP_PCIE);
    uint16_t flags, lnksta;
    uint32_t devcap, lnkcap;

    memset(out, 0, sizeof(*out));
    if (pos < 0 || (size_t)pos + 0x14 > len)
        return -1;
    flags = ptd_pcicfg_r16(cfg, len, (size_t)pos + 0x02);
    devcap = ptd_pcicfg_r32(cfg, len, (size_t)pos + 0x04);
    lnkcap = ptd_pcicfg_r32(cfg, len, (size_t)pos + 0x0c);
    lnksta = ptd_pcicfg_r16(cfg, len, (size_t)pos + 0x12);
    out->present = true;
    out->port_type = (flags >> 4) & 0xf;
    out->flr = (devcap >> 28) & 1;
    out->link_regs =
        out->port_type != PTD_PCIE_RC_INTEGRATED && out->port_type != PTD_PCIE_RC_EVENT_COLLECTOR;
    if (out->link_regs) {
        out->max_speed_code = lnkcap & 0xf;
        out->max_width = (lnkcap >> 4) & 0x3f;
        out->cur_speed_code = lnksta & 0xf;
        out->cur_width = (lnksta >> 4) & 0x3f;
    }
    return 0;
}

int ptd_pcicfg_af_flr(const uint8_t *cfg, size_t len)
{
    int pos;
    uint8_t cap;

    /* Standard capabilities live in the first 256 bytes: a 64-byte read cannot tell. */
    if (!ptd_pcicfg_valid(cfg, len) || len < 256)
        return -1;
    pos = ptd_pcicfg_find_cap(cfg, len, PTD_CAP_AF);
    if (pos < 0)
        return 0;
    cap = cfg[pos + 3];
    return (cap & 0x01) && (cap & 0x02) ? 1 : 0; /* PCI_AF_CAP_TP, PCI_AF_CAP_FLR */
}

double ptd_pcie_speed_gts(uint8_t code)
{
    static const double gts[] = {0.0, 2.5, 5.0, 8.0, 16.0, 32.0, 64.0};

    return code < sizeof(gts) / sizeof(gts[0]) ? gts[code] : 0.0;
}

int ptd_pcicfg_decode_pm_state(const uint8_t *cfg, size_t len)
{
    int pos = ptd_pcicfg_find_cap(cfg, len, PTD_CAP_PM);

    if (pos < 0 || (size_t)pos + 6 > len)
        return -1;
    return ptd_pcicfg_r16(cfg, len, (size_t)pos + 4) & 0x3;
}

int ptd_pcicfg_decode_acs(const uint8_t *cfg, size_t len, struct ptd_acs_info *out)
{
    int pos = ptd_pcicfg_find_ecap(cfg, len, PTD_ECAP_ACS);

    memset(out, 0, sizeof(*out));
    if (pos < 0 || (size_t)pos + 8 > len)
        return -1;
    out->present = true;
    out->cap = ptd_pcicfg_r16(cfg, len, (size_t)pos + 4);
    out->ctrl = ptd_pcicfg_r16(cfg, len, (size_t)pos + 6);
    return 0;
}

int ptd_pcicfg_decode_rebar(const uint8_t *cfg, size_t len, struct ptd_rebar_info *out)
{
    int pos = ptd_pcicfg_find_ecap(cfg, len, PTD_ECAP_REBAR);
    uint32_t ctrl0;
    unsigned i, count;

    memset(out, 0, sizeof(*out));
    if (pos < 0 || (size_t)pos + 12 > len)
        return -1;
    ctrl0 = ptd_pcicfg_r32(cfg, len, (size_t)pos + 8);
    count = (ctrl0 >> 5) & 0x7;
    if (count == 0 || count > PTD_REBAR_MAX || (size_t)pos + 4 + 8 * count > len)
        return -1;
    for (i = 0; i < count; i++) {
        uint32_t cap = ptd_pcicfg_r32(cfg, len, (size_t)pos + 4 + 8 * i);
        uint32_t ctrl = ptd_pcicfg_r32(cfg, len, (size_t)pos + 8 + 8 * i);
        struct ptd_rebar_bar *b = &out->bars[i];
        unsigned size_code = (ctrl >> 8) & 0x3f;

        b->bar = ctrl & 0x7;
        if (b->bar > 5)
            return -1;
        /* Capability bits 31:4 → sizes 1 MiB .. 128 TiB; control bits 31:16 extend the
         * list to 256 TiB .. 8 EiB (PCIe r6.0 §7.8.6.3), which we cap at 2^43 MiB. */
        b->supported_mask = (uint64_t)(cap >> 4) & 0x0fffffffu;
        b->supported_mask |= (uint64_t)((ctrl >> 16) & 0xffff) << 28;
        b->supported_mask &= (1ull << 44) - 1;
        b->current_bytes = size_code < 44 ? (1ull << 20) << size_code : 0;
    }
    out->present = true;
    out->count = count;
    return 0;
}

uint64_t ptd_rebar_max_bytes(const struct ptd_rebar_bar *bar)
{
    int n;

    for (n = 43; n >= 0; n--)
        if (bar->supported_mask & (1ull << n))
            return (1ull << 20) << n;
    return 0;
}

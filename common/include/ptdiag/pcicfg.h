/* SPDX-License-Identifier: MIT */
/*
 * Pure decoders over a PCI configuration-space byte buffer (as read from sysfs `config`:
 * 64 bytes unprivileged, 256 or 4096 as root). No I/O, no allocation: usable by the host
 * probe, the Linux agent, tests and fuzzers alike.
 *
 * Every decoder checks bounds against `len` and guards capability walks against loops, so
 * truncated or all-0xff config space (a device that fell off the bus) decodes as "absent",
 * never as garbage. Register layouts: PCI Express Base Specification r6.0, §7.5 and §7.8.
 */
#ifndef PTDIAG_PCICFG_H
#define PTDIAG_PCICFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PTD_CAP_PM     0x01
#define PTD_CAP_MSI    0x05
#define PTD_CAP_PCIE   0x10
#define PTD_CAP_MSIX   0x11
#define PTD_CAP_AF     0x13 /* Advanced Features (conventional PCI FLR) */
#define PTD_ECAP_ACS   0x000d
#define PTD_ECAP_REBAR 0x0015

/* PCIe device/port types (PCIe cap flags bits 7:4). */
enum ptd_pcie_type {
    PTD_PCIE_ENDPOINT = 0x0,
    PTD_PCIE_LEGACY_ENDPOINT = 0x1,
    PTD_PCIE_ROOT_PORT = 0x4,
    PTD_PCIE_UPSTREAM_PORT = 0x5,
    PTD_PCIE_DOWNSTREAM_PORT = 0x6,
    PTD_PCIE_PCIE_TO_PCI_BRIDGE = 0x7,
    PTD_PCIE_PCI_TO_PCIE_BRIDGE = 0x8,
    PTD_PCIE_RC_INTEGRATED = 0x9,
    PTD_PCIE_RC_EVENT_COLLECTOR = 0xa,
};

/* True when the buffer can be decoded at all: at least the 64-byte header, and not the
 * all-ones pattern a missing device returns. */
bool ptd_pcicfg_valid(const uint8_t *cfg, size_t len);

uint16_t ptd_pcicfg_r16(const uint8_t *cfg, size_t len, size_t off); /* 0xffff if out of range */
uint32_t ptd_pcicfg_r32(const uint8_t *cfg, size_t len, size_t off); /* 0xffffffff likewise */

/* Offset of a standard capability, or -1. */
int ptd_pcicfg_find_cap(const uint8_t *cfg, size_t len, uint8_t cap_id);
/* Offset of an extended capability (needs 4096 bytes of config), or -1. */
int ptd_pcicfg_find_ecap(const uint8_t *cfg, size_t len, uint16_t ecap_id);

struct ptd_pcie_info {
    bool present;
    uint8_t port_type;      /* enum ptd_pcie_type */
    bool flr;               /* DevCap bit 28: Function Level Reset capable */
    uint8_t max_speed_code; /* LnkCap 3:0 (1 = 2.5 GT/s ... 6 = 64 GT/s); 0 unknown */
    uint8_t max_width;      /* LnkCap 9:4 */
    uint8_t cur_speed_code; /* LnkSta 3:0 */
    uint8_t cur_width;      /* LnkSta 9:4 */
    bool link_regs;         /* false for types that have no link (RC integrated) */
};

/* Decodes the PCI Express capability. Returns 0, or -1 when the device has none. */
int ptd_pcicfg_decode_pcie(const uint8_t *cfg, size_t len, struct ptd_pcie_info *out);

/* Link speed code → GT/s (2.5, 5, 8, 16, 32, 64); 0.0 for unknown codes. */
double ptd_pcie_speed_gts(uint8_t code);

/* FLR through the Advanced Features capability, as the kernel's pci_af_flr() accepts it:
 * the capability present with both TP (Transactions Pending) and FLR set in AF_CAP (offset
 * 3). Returns 1, 0 (no AF capability, or one without TP+FLR), or -1 when the standard
 * capability list cannot be read (header only). */
int ptd_pcicfg_af_flr(const uint8_t *cfg, size_t len);

/* PM capability: current power state 0..3 (D0..D3hot), or -1 when absent. */
int ptd_pcicfg_decode_pm_state(const uint8_t *cfg, size_t len);

struct ptd_acs_info {
    bool present;
    uint16_t cap;  /* ACS Capability register */
    uint16_t ctrl; /* ACS Control register */
};

#define PTD_ACS_SV 0x0001 /* source validation */
#define PTD_ACS_TB 0x0002 /* translation blocking */
#define PTD_ACS_RR 0x0004 /* P2P request redirect */
#define PTD_ACS_CR 0x0008 /* P2P completion redirect */
#define PTD_ACS_UF 0x0010 /* upstream forwarding */

int ptd_pcicfg_decode_acs(const uint8_t *cfg, size_t len, struct ptd_acs_info *out);

#define PTD_REBAR_MAX 6

struct ptd_rebar_bar {
    uint8_t bar;             /* BAR index 0..5 */
    uint64_t current_bytes;  /* size the BAR is programmed to */
    uint64_t supported_mask; /* bit n set: 2^n MiB supported (n = 0..43) */
};

struct ptd_rebar_info {
    bool present;
    unsigned count;
    struct ptd_rebar_bar bars[PTD_REBAR_MAX];
};

/* Resizable BAR extended capability (PCIe r6.0 §7.8.6). Returns 0, or -1 when absent or
 * malformed (count 0 or > 6, BAR index > 5). */
int ptd_pcicfg_decode_rebar(const uint8_t *cfg, size_t len, struct ptd_rebar_info *out);

/* Largest supported size in bytes for a ReBAR entry (0 if none). */
uint64_t ptd_rebar_max_bytes(const struct ptd_rebar_bar *bar);

#endif

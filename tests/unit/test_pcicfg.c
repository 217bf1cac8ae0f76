/* SPDX-License-Identifier: MIT */
/* Config-space decoders over byte buffers: well-formed chains, truncation, loops, all-ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ptdiag/pcicfg.h"

static uint8_t cfg[4096];

static void w16(size_t off, uint16_t v)
{
    cfg[off] = v & 0xff;
    cfg[off + 1] = v >> 8;
}

static void w32(size_t off, uint32_t v)
{
    w16(off, v & 0xffff);
    w16(off + 2, v >> 16);
}

/* An RTX 3090-like endpoint: PM @0x60 -> MSI @0x68 -> PCIe @0x78; ecaps ACS-less,
 * ReBAR @0x100 -> (end). Link x16 Gen4 capable, running Gen1 x8. */
static void build_gpu(void)
{
    memset(cfg, 0, sizeof(cfg));
    w16(0x00, 0x10de);
    w16(0x02, 0x2204);
    w16(0x06, 0x0010); /* capabilities list */
    cfg[0x0e] = 0x80;  /* multifunction, type 0 */
    cfg[0x34] = 0x60;
    cfg[0x60] = 0x01;
    cfg[0x61] = 0x68;
    w16(0x64, 0x0003); /* PMCSR: D3hot */
    cfg[0x68] = 0x05;
    cfg[0x69] = 0x78;
    cfg[0x78] = 0x10;
    cfg[0x79] = 0x00;
    w16(0x7a, 0x0002);                      /* PCIe v2, endpoint */
    w32(0x7c, 1u << 28);                    /* DevCap: FLR */
    w32(0x84, 0x4 | (16 << 4));             /* LnkCap: 16 GT/s, x16 */
    w16(0x8a, 0x1 | (8 << 4));              /* LnkSta: 2.5 GT/s, x8 */
    w32(0x100, 0x0015 | (1u << 16));        /* ReBAR, next = 0 */
    w32(0x104, 0x0000fff0u);                /* BAR sizes 1 MiB .. 2 GiB... bits 4..15 */
    w32(0x108, 1u | (1u << 5) | (8u << 8)); /* BAR1, 1 resizable BAR, 256 MiB */
}

static void test_valid_rejects_all_ones_and_short(void **state)
{
    uint8_t ff[256];

    (void)state;
    memset(ff, 0xff, sizeof(ff));
    assert_false(ptd_pcicfg_valid(ff, sizeof(ff)));
    build_gpu();
    assert_false(ptd_pcicfg_valid(cfg, 63));
    assert_true(ptd_pcicfg_valid(cfg, 64));
    assert_int_equal(ptd_pcicfg_find_cap(ff, sizeof(ff), PTD_CAP_PCIE), -1);
    assert_int_equal(ptd_pcicfg_find_ecap(ff, sizeof(ff), PTD_ECAP_REBAR), -1);
}

static void test_pcie_link_and_flr(void **state)
{
    struct ptd_pcie_info pi;

    (void)state;
    build_gpu();
    assert_int_equal(ptd_pcicfg_find_cap(cfg, 256, PTD_CAP_PCIE), 0x78);
    assert_int_equal(ptd_pcicfg_decode_pcie(cfg, 256, &pi), 0);
    assert_true(pi.present);
    assert_true(pi.flr);
    assert_int_equal(pi.port_type, PTD_PCIE_ENDPOINT);
    assert_int_equal(pi.max_speed_code, 4);
    assert_int_equal(pi.max_width, 16);
    assert_int_equal(pi.cur_speed_code, 1);
    assert_int_equal(pi.cur_width, 8);
    assert_true(ptd_pcie_speed_gts(4) == 16.0);
    assert_true(ptd_pcie_speed_gts(6) == 64.0);
    assert_true(ptd_pcie_speed_gts(9) == 0.0);
}

static void test_pm_state(void **state)
{
    (void)state;
    build_gpu();
    assert_int_equal(ptd_pcicfg_decode_pm_state(cfg, 256), 3);
    w16(0x64, 0x0000);
    assert_int_equal(ptd_pcicfg_decode_pm_state(cfg, 256), 0);
}

static void test_truncated_unprivileged_config(void **state)
{
    struct ptd_pcie_info pi;
    struct ptd_rebar_info rb;

    (void)state;
    build_gpu();
    /* Non-root readers get 64 bytes: header only, the cap chain points past the end. */
    assert_int_equal(ptd_pcicfg_decode_pcie(cfg, 64, &pi), -1);
    assert_false(pi.present);
    assert_int_equal(ptd_pcicfg_decode_rebar(cfg, 256, &rb), -1);
    assert_false(rb.present);
    /* PCIe cap starts in range but its link registers do not. */
    assert_int_equal(ptd_pcicfg_decode_pcie(cfg, 0x80, &pi), -1);
}

static void test_cap_loop_terminates(void **state)
{
    (void)state;
    build_gpu();
    cfg[0x69] = 0x60; /* MSI points back to PM: a loop without PCIe */
    assert_int_equal(ptd_pcicfg_find_cap(cfg, 256, PTD_CAP_PCIE), -1);
    build_gpu();
    w32(0x100, 0x0001 | (0x100u << 20)); /* ecap pointing at itself */
    assert_int_equal(ptd_pcicfg_find_ecap(cfg, sizeof(cfg), PTD_ECAP_REBAR), -1);
}

static void test_no_capabilities_bit(void **state)
{
    (void)state;
    build_gpu();
    w16(0x06, 0x0000);
    assert_int_equal(ptd_pcicfg_find_cap(cfg, 256, PTD_CAP_PM), -1);
}

static void test_rebar_decode(void **state)
{
    struct ptd_rebar_info rb;

    (void)state;
    build_gpu();
    assert_int_equal(ptd_pcicfg_decode_rebar(cfg, sizeof(cfg), &rb), 0);
    assert_true(rb.present);
    assert_int_equal(rb.count, 1);
    assert_int_equal(rb.bars[0].bar, 1);
    assert_int_equal(rb.bars[0].current_bytes, 256ull << 20);
    assert_int_equal(rb.bars[0].supported_mask, 0xfffu);
    assert_int_equal(ptd_rebar_max_bytes(&rb.bars[0]), 2048ull << 20);
    /* A 24 GiB card advertising up to 32 GiB: cap bit 4+15. */
    w32(0x104, (1u << (4 + 8)) | (1u << (4 + 15)));
    assert_int_equal(ptd_pcicfg_decode_rebar(cfg, sizeof(cfg), &rb), 0);
    assert_int_equal(ptd_rebar_max_bytes(&rb.bars[0]), 32ull << 30);
    /* Control-register extension bits: 256 TiB (2^28 MiB). */
    w32(0x108, 1u | (1u << 5) | (8u << 8) | (1u << 16));
    assert_int_equal(ptd_pcicfg_decode_rebar(cfg, sizeof(cfg), &rb), 0);
    assert_int_equal(ptd_rebar_max_bytes(&rb.bars[0]), (1ull << 28) << 20);
}

static void test_rebar_malformed(void **state)
{
    struct ptd_rebar_info rb;

    (void)state;
    build_gpu();
    w32(0x108, 1u | (7u << 5) | (8u << 8)); /* 7 resizable BARs: invalid */
    assert_int_equal(ptd_pcicfg_decode_rebar(cfg, sizeof(cfg), &rb), -1);
    w32(0x108, 6u | (1u << 5)); /* BAR index 6: invalid */
    assert_int_equal(ptd_pcicfg_decode_rebar(cfg, sizeof(cfg), &rb), -1);
    w32(0x108, 0u); /* count 0 */
    assert_int_equal(ptd_pcicfg_decode_rebar(cfg, sizeof(cfg), &rb), -1);
}

static void test_acs(void **state)
{
    struct ptd_acs_info acs;

    (void)state;
    build_gpu();
    assert_int_equal(ptd_pcicfg_decode_acs(cfg, sizeof(cfg), &acs), -1);
    w32(0x100, 0x0015 | (1u << 16) | (0x140u << 20)); /* ReBAR -> ACS @0x140 */
    w32(0x140, 0x000d | (1u << 16));
    w16(0x144, PTD_ACS_SV | PTD_ACS_RR | PTD_ACS_CR | PTD_ACS_UF);
    w16(0x146, PTD_ACS_SV | PTD_ACS_RR | PTD_ACS_CR | PTD_ACS_UF);
    assert_int_equal(ptd_pcicfg_decode_acs(cfg, sizeof(cfg), &acs), 0);
    assert_true(acs.present);
    assert_int_equal(acs.ctrl & PTD_ACS_RR, PTD_ACS_RR);
}

static void test_readers_out_of_range(void **state)
{
    (void)state;
    build_gpu();
    assert_int_equal(ptd_pcicfg_r16(cfg, 10, 9), 0xffff);
    assert_int_equal(ptd_pcicfg_r32(cfg, 10, 7), 0xffffffffu);
    assert_int_equal(ptd_pcicfg_r16(cfg, 10, 0), 0x10de);
}

/* ICH10 UHCI controller [8086:3a34], a conventional PCI function: its only capability is
 * Advanced Features at 0x50 with TP+ FLR+ (pciutils tests/cap-pci-af, real hardware, 256 bytes
 * from `lspci -xxx`). The kernel resets it with af_flr; there is no PCIe DevCap to ask. */
static const char ich10_uhci_hex[] = "8680343a050090020000030c00008000"
                                     "00000000000000000000000000000000"
                                     "8120000000000000000000008680534f"
                                     "0000000050000000000000000b010000"
                                     "00000000000000000000000000000000"
                                     "13000603000000000000000000000000"
                                     "10000000000000000000000000000000"
                                     "00000000000000000000000000000000"
                                     "00000000000000000000000000000000"
                                     "00000000000000000000000000000000"
                                     "00000000000000000000000000000000"
                                     "00000000000000000000000000000000"
                                     "002f0000000000000000000000000000"
                                     "00000000000000000000000000000000"
                                     "00000000000000000000000000000000"
                                     "0000000000000000860f000000000000";

static void load_hex(const char *hex, size_t n)
{
    size_t i;

    memset(cfg, 0, sizeof(cfg));
    for (i = 0; i < n && hex[2 * i]; i++) {
        unsigned v;

        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        cfg[i] = (uint8_t)v;
    }
}

static void test_af_flr(void **state)
{
    struct ptd_pcie_info pi;

    (void)state;
    load_hex(ich10_uhci_hex, 256);
    assert_int_equal(ptd_pcicfg_find_cap(cfg, 256, PTD_CAP_AF), 0x50);
    assert_int_equal(ptd_pcicfg_decode_pcie(cfg, 256, &pi), -1); /* no PCIe capability */
    assert_int_equal(ptd_pcicfg_af_flr(cfg, 256), 1);
    assert_int_equal(ptd_pcicfg_af_flr(cfg, 64), -1); /* capability list not readable */
    cfg[0x53] = 0x02;                                 /* FLR without TP: the kernel refuses */
    assert_int_equal(ptd_pcicfg_af_flr(cfg, 256), 0);
    cfg[0x34] = 0; /* no capability at all */
    assert_int_equal(ptd_pcicfg_af_flr(cfg, 256), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_rejects_all_ones_and_short),
        cmocka_unit_test(test_pcie_link_and_flr),
        cmocka_unit_test(test_pm_state),
        cmocka_unit_test(test_truncated_unprivileged_config),
        cmocka_unit_test(test_cap_loop_terminates),
        cmocka_unit_test(test_no_capabilities_bit),
        cmocka_unit_test(test_rebar_decode),
        cmocka_unit_test(test_af_flr),
        cmocka_unit_test(test_rebar_malformed),
        cmocka_unit_test(test_acs),
        cmocka_unit_test(test_readers_out_of_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

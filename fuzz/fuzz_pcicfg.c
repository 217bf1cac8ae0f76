/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: every PCI config-space decoder over an arbitrary buffer (sysfs `config`
 * is 64, 256 or 4096 bytes; the decoders must also survive any other length). */
#include <stddef.h>
#include <stdint.h>

#include "ptdiag/pcicfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ptd_pcie_info pcie;
    struct ptd_acs_info acs;
    struct ptd_rebar_info rebar;
    volatile uint64_t sink = 0;
    unsigned i;

    sink += ptd_pcicfg_valid(data, size);
    for (i = 0; i < 0x20; i++)
        sink += (uint64_t)ptd_pcicfg_find_cap(data, size, (uint8_t)i);
    sink += (uint64_t)ptd_pcicfg_find_ecap(data, size, PTD_ECAP_ACS);
    sink += (uint64_t)ptd_pcicfg_find_ecap(data, size, PTD_ECAP_REBAR);
    sink += (uint64_t)ptd_pcicfg_find_ecap(data, size, 0x0010); /* SR-IOV */
    if (ptd_pcicfg_decode_pcie(data, size, &pcie) == 0)
        sink += (uint64_t)(ptd_pcie_speed_gts(pcie.max_speed_code) +
                           ptd_pcie_speed_gts(pcie.cur_speed_code));
    sink += (uint64_t)ptd_pcicfg_decode_pm_state(data, size);
    if (ptd_pcicfg_decode_acs(data, size, &acs) == 0)
        sink += acs.cap ^ acs.ctrl;
    if (ptd_pcicfg_decode_rebar(data, size, &rebar) == 0)
        for (i = 0; i < rebar.count && i < PTD_REBAR_MAX; i++)
            sink += ptd_rebar_max_bytes(&rebar.bars[i]) + rebar.bars[i].current_bytes;
    sink += ptd_pcicfg_r16(data, size, size > 2 ? size - 2 : 0);
    sink += ptd_pcicfg_r32(data, size, size > 4 ? size - 3 : 0);
    (void)sink;
    return 0;
}

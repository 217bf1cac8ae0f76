/* SPDX-License-Identifier: MIT */
/* vendor-reset's supported devices (failure catalogue §3.6). See vendor_reset_db.h. */
#include "vendor_reset_db.h"

#include <stddef.h>

#define ATI 0x1002

/* Order as in the module's table: it takes the first match. */
static const struct vendor_reset_entry table[] = {
    /* Polaris 10 */
    {ATI, 0x67c0, "polaris10", "polaris10"},
    {ATI, 0x67c1, "polaris10", "polaris10"},
    {ATI, 0x67c2, "polaris10", "polaris10"},
    {ATI, 0x67c4, "polaris10", "polaris10"},
    {ATI, 0x67c7, "polaris10", "polaris10"},
    {ATI, 0x67d0, "polaris10", "polaris10"},
    {ATI, 0x67df, "polaris10", "polaris10"},
    {ATI, 0x67c8, "polaris10", "polaris10"},
    {ATI, 0x67c9, "polaris10", "polaris10"},
    {ATI, 0x67ca, "polaris10", "polaris10"},
    {ATI, 0x67cc, "polaris10", "polaris10"},
    {ATI, 0x67cf, "polaris10", "polaris10"},
    {ATI, 0x6fdf, "polaris10", "polaris10"},
    /* Polaris 11 (reset with the Polaris 10 strategy) */
    {ATI, 0x67e0, "polaris11", "polaris10"},
    {ATI, 0x67e3, "polaris11", "polaris10"},
    {ATI, 0x67e8, "polaris11", "polaris10"},
    {ATI, 0x67eb, "polaris11", "polaris10"},
    {ATI, 0x67ef, "polaris11", "polaris10"},
    {ATI, 0x67ff, "polaris11", "polaris10"},
    {ATI, 0x67e1, "polaris11", "polaris10"},
    {ATI, 0x67e7, "polaris11", "polaris10"},
    {ATI, 0x67e9, "polaris11", "polaris10"},
    /* Polaris 12 */
    {ATI, 0x6980, "polaris12", "polaris10"},
    {ATI, 0x6981, "polaris12", "polaris10"},
    {ATI, 0x6985, "polaris12", "polaris10"},
    {ATI, 0x6986, "polaris12", "polaris10"},
    {ATI, 0x6987, "polaris12", "polaris10"},
    {ATI, 0x6995, "polaris12", "polaris10"},
    {ATI, 0x6997, "polaris12", "polaris10"},
    {ATI, 0x699f, "polaris12", "polaris10"},
    /* Vega 10 */
    {ATI, 0x6860, "vega10", "vega10"},
    {ATI, 0x6861, "vega10", "vega10"},
    {ATI, 0x6862, "vega10", "vega10"},
    {ATI, 0x6863, "vega10", "vega10"},
    {ATI, 0x6864, "vega10", "vega10"},
    {ATI, 0x6867, "vega10", "vega10"},
    {ATI, 0x6868, "vega10", "vega10"},
    {ATI, 0x6869, "vega10", "vega10"},
    {ATI, 0x686a, "vega10", "vega10"},
    {ATI, 0x686b, "vega10", "vega10"},
    {ATI, 0x686c, "vega10", "vega10"},
    {ATI, 0x686d, "vega10", "vega10"},
    {ATI, 0x686e, "vega10", "vega10"},
    {ATI, 0x686f, "vega10", "vega10"},
    {ATI, 0x687f, "vega10", "vega10"},
    /* Vega 20 */
    {ATI, 0x66a0, "vega20", "vega20"},
    {ATI, 0x66a1, "vega20", "vega20"},
    {ATI, 0x66a2, "vega20", "vega20"},
    {ATI, 0x66a3, "vega20", "vega20"},
    {ATI, 0x66a4, "vega20", "vega20"},
    {ATI, 0x66a7, "vega20", "vega20"},
    {ATI, 0x66af, "vega20", "vega20"},
    {ATI, 0x164c, "vega20", "vega20"},
    /* Navi 10 and the APUs reset the same way */
    {ATI, 0x7310, "navi10", "navi10"},
    {ATI, 0x7312, "navi10", "navi10"},
    {ATI, 0x7318, "navi10", "navi10"},
    {ATI, 0x7319, "navi10", "navi10"},
    {ATI, 0x731a, "navi10", "navi10"},
    {ATI, 0x731b, "navi10", "navi10"},
    {ATI, 0x731e, "navi10", "navi10"},
    {ATI, 0x731f, "navi10", "navi10"},
    {ATI, 0x15bf, "navi10", "navi10"},
    {ATI, 0x15dd, "navi10", "navi10"},
    {ATI, 0x15de, "navi10", "navi10"},
    {ATI, 0x15e7, "navi10", "navi10"},
    {ATI, 0x1636, "navi10", "navi10"},
    {ATI, 0x1638, "navi10", "navi10"},
    {ATI, 0x164c, "navi10", "navi10"}, /* shadowed by the Vega 20 entry, as upstream */
    /* Navi 14, Navi 12 (Navi 10 strategy) */
    {ATI, 0x7340, "navi14", "navi10"},
    {ATI, 0x7341, "navi14", "navi10"},
    {ATI, 0x7347, "navi14", "navi10"},
    {ATI, 0x734f, "navi14", "navi10"},
    {ATI, 0x7360, "navi12", "navi10"},
    {ATI, 0x7362, "navi12", "navi10"},
    /* Navi 23 */
    {ATI, 0x73ff, "navi23", "navi23"},
    /* Arcturus (Instinct MI100) */
    {ATI, 0x738c, "arcturus", "vega20"},
};

const struct vendor_reset_entry *vendor_reset_lookup(uint16_t vendor_id, uint16_t device_id)
{
    size_t i;

    for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        if (table[i].vendor_id == vendor_id && table[i].device_id == device_id)
            return &table[i];
    return NULL;
}

unsigned vendor_reset_count(void)
{
    return (unsigned)(sizeof(table) / sizeof(table[0]));
}

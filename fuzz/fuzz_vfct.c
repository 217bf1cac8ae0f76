/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: the ACPI VFCT table (an AMD APU's VBIOS handed over by firmware), read
 * from /sys/firmware/acpi/tables/VFCT. Every entry must lie inside the input. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vfct.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vfct_info info;
    size_t n = vfct_parse(data, size, &info), i;

    if (n != info.n_entries || n > VFCT_ENTRIES_MAX || (n == 0 && !info.error[0]) ||
        strlen(info.error) >= sizeof(info.error))
        abort();
    for (i = 0; i < n; i++) {
        const struct vfct_entry *e = &info.entries[i];

        /* the image's header lies inside the input, the image too unless marked truncated */
        if (e->image_offset < VFCT_HEADER_BYTES + VFCT_IMAGE_HEADER_BYTES ||
            e->image_offset > size || (!e->truncated && e->image_bytes > size - e->image_offset) ||
            (e->rom_signature && (e->image_offset + 2 > size || data[e->image_offset] != 0x55)))
            abort();
        (void)vfct_entry_is_pci(e);
    }
    return 0;
}

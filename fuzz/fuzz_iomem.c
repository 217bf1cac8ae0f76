/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: the /proc/iomem parser. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "iomem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct iomem_map map;
    struct ptd_error err;
    size_t i;

    if (iomem_parse((const char *)data, size, &map, &err) != 0)
        return 0;
    for (i = 0; i < map.count; i++) {
        if (!map.ranges[i].name)
            abort();
        (void)iomem_is_boot_framebuffer(map.ranges[i].name);
    }
    iomem_map_free(&map);
    return 0;
}

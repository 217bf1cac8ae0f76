/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: NVIDIA vGPU's nvidia/creatable_vgpu_types listing (pci_sriov.c). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pci_facts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    cJSON *arr;

    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0'; /* ptd_root_read_file gives NUL-terminated data */
    arr = pci_vgpu_types_parse(text);
    cJSON_Delete(arr);
    free(text);
    return 0;
}

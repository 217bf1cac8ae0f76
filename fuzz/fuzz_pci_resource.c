/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: the sysfs `resource` file parser and the BAR decoding over it. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "ptdiag/pci_resource.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pci_res res;
    struct pci_bar bar;
    struct ptd_error err;
    unsigned i;

    if (pci_res_parse((const char *)data, size, &res, &err) != 0) {
        if (!err.text[0])
            abort(); /* a rejection must say what is wrong */
        return 0;
    }
    if (res.count > PCI_RES_LINES)
        abort();
    for (i = 0; i < PCI_RES_LINES + 2; i++)
        if (pci_res_bar(&res, i, &bar) && bar.size_bytes == 0 && !bar.is_io)
            (void)bar;
    return 0;
}

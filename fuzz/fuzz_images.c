/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: the binary images read from files: PCI option ROMs (romfile=) and a
 * kernel module's appended signature. Byte 0 picks the parser (even: ROM, odd: module). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "module_sig.h"
#include "rom_image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rom_info info;
    struct module_sig sig;
    size_t i, n;

    if (size < 1)
        return 0;
    if (data[0] % 2 == 0) {
        n = rom_parse(data + 1, size - 1, &info);
        if (n != info.n_images || n > ROM_IMAGES_MAX || (n == 0 && !info.error[0]))
            abort();
        for (i = 0; i < n; i++) {
            if (info.images[i].offset >= size - 1 ||
                info.images[i].n_device_list > ROM_DEVICE_LIST_MAX)
                abort();
            (void)rom_code_type_name(info.images[i].code_type);
            (void)rom_image_supports(&info.images[i], 0x1002, 0x1638);
        }
        return 0;
    }
    if (module_sig_parse((const char *)data + 1, size - 1, &sig) == 1 &&
        (!sig.id_type || sig.sig_len > size || strlen(sig.signer) >= sizeof(sig.signer)))
        abort();
    return 0;
}

/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: the GPU identity table loader (report/data/gpu-identity.json) and a
 * lookup in whatever it accepted. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "gpu_identity.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rpt_gpu_identity *t = NULL;
    struct ptd_error err;

    if (rpt_gpu_identity_load_buffer("gpu-identity.json", (const char *)data, size, &t, &err) ==
        0) {
        (void)rpt_gpu_identity_lookup(t, "10de", "2204");
        (void)rpt_gpu_identity_lookup(t, "1002", "73bf");
        rpt_gpu_identity_free(t);
    } else if (!err.text[0]) {
        abort(); /* a rejected table must say why */
    }
    return 0;
}

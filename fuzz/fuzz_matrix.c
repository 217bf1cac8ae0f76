/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: the symptom matrix loader (--matrix FILE). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rpt_matrix *m = NULL;
    struct ptd_error err;

    if (rpt_matrix_load_buffer("matrix.json", (const char *)data, size, &m, &err) == 0)
        rpt_matrix_free(m);
    else if (!err.text[0])
        abort(); /* a rejected matrix must say why */
    return 0;
}

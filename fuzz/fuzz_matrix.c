/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: the symptom matrix loader (--matrix FILE) and its vocabulary. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rpt_matrix *m = NULL;
    struct ptd_error err;

    if (rpt_matrix_load_buffer("matrix.json", (const char *)data, size, &m, &err) == 0) {
        /* The vocabulary a loaded matrix promises: every rule's layer is one of its layers,
         * and a boot loader it does not name gets the "unknown" fragments. */
        for (size_t i = 0; i < m->nrules; i++)
            if (!rpt_layer_find(m, m->rules[i].layer))
                abort();
        if (!rpt_boot_loader_fragments(m, NULL) || !rpt_boot_loader_fragments(m, "lilo") ||
            !(m->soak_threshold_days > 0) || !m->xid_event_kind)
            abort();
        rpt_matrix_free(m);
    } else if (!err.text[0])
        abort(); /* a rejected matrix must say why */
    return 0;
}

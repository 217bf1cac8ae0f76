/* SPDX-License-Identifier: MIT */
/* The matrix compiled in (generated symptoms_data.c), so ptdiag-report works standalone. */
#include "report.h"

extern const unsigned char ptd_symptoms_json[];
extern const unsigned long ptd_symptoms_json_len;

int rpt_matrix_load_builtin(struct rpt_matrix **out, struct ptd_error *err)
{
    return rpt_matrix_load_buffer("<built-in symptoms.json>", (const char *)ptd_symptoms_json,
                                  (size_t)ptd_symptoms_json_len, out, err);
}

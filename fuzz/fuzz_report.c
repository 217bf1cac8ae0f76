/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: a whole ptdiag-report run over one arbitrary document: the reader, the
 * model (host or guest by schema), the derived facts, the built-in matrix's evaluation and
 * the JSON rendering; for a guest document also the agents' in-guest verdict (capability table
 * and guest layer). Seeds are the fixture documents. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"

#include "agent_verdict.h"
#include "report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct rpt_matrix *mx;
    static FILE *devnull;
    struct rpt_doc d = {0};
    struct rpt_model *model = NULL;
    struct rpt_result *res = NULL;
    struct ptd_error err;
    cJSON *json = NULL;
    long vmid = -1;

    if (!mx && rpt_matrix_load_builtin(&mx, &err) != 0)
        abort();
    if (ptd_doc_parse("fuzz.json", (const char *)data, size, NULL, &json, &err) != 0)
        return 0;
    d.file = strdup("fuzz.json"); /* the model owns and frees it */
    if (!d.file) {
        cJSON_Delete(json);
        return 0;
    }
    d.json = json;
    d.is_host = ptd_json_get_str(json, "schema") &&
                strcmp(ptd_json_get_str(json, "schema"), PTD_SCHEMA_HOST) == 0;
    if (!devnull)
        devnull = fopen("/dev/null", "w");
    if (!d.is_host && devnull) {
        struct rpt_agent_verdict_opts vo = {.agent = "fuzz", .verbose = size & 1};
        (void)rpt_agent_verdict(devnull, json, &vo);
    }
    if (rpt_model_build(&d, &vmid, 1, &model, &err) != 0)
        return 0; /* the model took the document */
    if (rpt_evaluate(mx, model, &res, &err) == 0) {
        struct rpt_render_ctx rc = {.matrix = mx, .model = model, .result = res};
        cJSON *out;
        (void)rpt_result_exit_status(res);
        out = rpt_report_json(&rc);
        cJSON_Delete(out);
        if (devnull) {
            rpt_render_text(devnull, &rc);
            rpt_render_md(devnull, &rc);
            rpt_render_prom(devnull, &rc);
            rpt_render_html(devnull, &rc);
        }
        rpt_result_free(res);
    }
    rpt_model_free(model);
    return 0;
}

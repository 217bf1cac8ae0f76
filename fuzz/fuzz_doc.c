/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: the JSON document reader every tool uses (ptd_doc_parse), with each
 * expected schema, and the dotted-path lookups readers run over what it returns. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const schemas[] = {NULL, PTD_SCHEMA_HOST, PTD_SCHEMA_GUEST, PTD_SCHEMA_REPORT,
                                      PTD_SCHEMA_SOAK};
static const char *const paths[] = {
    "schema",
    "collected_at",
    "system.cpu.vendor",
    "devices.0.bdf",
    "devices.0.bars.0.size_bytes",
    "errors.0.message",
    "gpus.0.vendor_id",
    "devices.99999999999",
    "devices.-1",
    "..",
    "",
    "system.iommu.group_count",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ptd_error err;
    cJSON *doc = NULL;
    size_t i;
    time_t t;
    char *s;

    /* The length picks the schema the caller expects (any byte may be part of the JSON). */
    const char *want = schemas[size % (sizeof(schemas) / sizeof(schemas[0]))];
    if (ptd_doc_parse("fuzz.json", (const char *)data, size, want, &doc, &err) == 0) {
        for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
            (void)ptd_json_get(doc, paths[i]);
            (void)ptd_json_get_str(doc, paths[i]);
            (void)ptd_json_get_num(doc, paths[i], -1);
            (void)ptd_json_get_tri(doc, paths[i]);
        }
        cJSON_Delete(doc);
    } else if (!err.text[0] || !strstr(err.text, "fuzz.json")) {
        abort(); /* every rejection must name the file */
    }
    /* collected_at and soak "t" go through the RFC 3339 parser. */
    s = malloc(size + 1);
    if (s) {
        memcpy(s, data, size);
        s[size] = '\0';
        (void)ptd_time_parse_rfc3339(s, &t);
        free(s);
    }
    return 0;
}

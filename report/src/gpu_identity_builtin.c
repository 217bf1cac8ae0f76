/* SPDX-License-Identifier: MIT */
/* The GPU identity table compiled in (generated gpu_identity_data.c) and the derived facts
 * dev.x.gpu.* / ggpu.x.gpu.* computed from it (docs/schema.md, "Derived facts"). */
#include <stdio.h>

#include "gpu_identity.h"

extern const unsigned char ptd_gpu_identity_json[];
extern const unsigned long ptd_gpu_identity_json_len;

static struct rpt_gpu_identity *builtin; /* loaded on first use, kept until exit */
static const struct rpt_gpu_identity *chosen;
static bool builtin_failed;

int rpt_gpu_identity_load_builtin(struct rpt_gpu_identity **out, struct ptd_error *err)
{
    return rpt_gpu_identity_load_buffer("<built-in gpu-identity.json>",
                                        (const char *)ptd_gpu_identity_json,
                                        (size_t)ptd_gpu_identity_json_len, out, err);
}

void rpt_gpu_identity_use(const struct rpt_gpu_identity *t)
{
    chosen = t;
}

const struct rpt_gpu_identity *rpt_gpu_identity_current(void)
{
    if (chosen)
        return chosen;
    if (!builtin && !builtin_failed) {
        struct ptd_error err = {0};
        if (rpt_gpu_identity_load_builtin(&builtin, &err) < 0) {
            /* a build defect (tests load the same table): say so once, derive nothing */
            fprintf(stderr, "ptdiag-report: %s\n", err.text);
            builtin_failed = true;
        }
    }
    return builtin;
}

void rpt_gpu_identity_derive(cJSON *derived, const char *vendor_id, const char *device_id)
{
    const struct rpt_gpu_id *id =
        rpt_gpu_identity_lookup(rpt_gpu_identity_current(), vendor_id, device_id);
    if (!derived || !id)
        return;
    cJSON *g = cJSON_AddObjectToObject(derived, "gpu");
    if (!g)
        return;
    cJSON_AddStringToObject(g, "vendor", id->vendor);
    cJSON_AddStringToObject(g, "family", id->family);
    if (id->chip)
        cJSON_AddStringToObject(g, "chip", id->chip);
    if (id->segment)
        cJSON_AddStringToObject(g, "segment", id->segment);
    cJSON_AddBoolToObject(g, "integrated", id->integrated);
    cJSON_AddStringToObject(g, "reset", id->reset);
    if (id->hypervisor_check)
        cJSON_AddStringToObject(g, "hypervisor_check", id->hypervisor_check);
    cJSON_AddStringToObject(g, "rebar", id->rebar);
    if (id->video_decode >= 0)
        cJSON_AddBoolToObject(g, "video_decode", id->video_decode);
    if (id->video_encode >= 0)
        cJSON_AddBoolToObject(g, "video_encode", id->video_encode);
}

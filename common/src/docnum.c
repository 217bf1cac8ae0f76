/* SPDX-License-Identifier: MIT */
/* Range-checked integers from document numbers (see ptdiag/docnum.h). */
#include "ptdiag/doc.h"
#include "ptdiag/docnum.h"

/* 2^63 and 2^64 are exact doubles; a double d converts to int64_t without UB only when
 * -2^63 <= d < 2^63 (C11 6.3.1.4), to uint64_t only when 0 <= d < 2^64. */
#define TWO_63 9223372036854775808.0
#define TWO_64 18446744073709551616.0

static enum ptd_num_state item_int(const cJSON *it, const char *name, int64_t min, int64_t max,
                                   int64_t *out, struct ptd_error *why)
{
    if (!it || cJSON_IsNull(it))
        return PTD_NUM_ABSENT;
    if (!cJSON_IsNumber(it)) {
        ptd_error_set(why, "%s: not a number (integer in %lld..%lld expected)", name,
                      (long long)min, (long long)max);
        return PTD_NUM_BAD;
    }
    double d = it->valuedouble;
    /* In range first, so the cast below is defined; then the round trip finds fractions. */
    if (!(d >= -TWO_63 && d < TWO_63) || (double)(int64_t)d != d) {
        ptd_error_set(why, "%s: %g is not an integer in %lld..%lld", name, d, (long long)min,
                      (long long)max);
        return PTD_NUM_BAD;
    }
    int64_t v = (int64_t)d;
    if (v < min || v > max) {
        ptd_error_set(why, "%s: %lld is outside %lld..%lld", name, (long long)v, (long long)min,
                      (long long)max);
        return PTD_NUM_BAD;
    }
    *out = v;
    return PTD_NUM_OK;
}

enum ptd_num_state ptd_json_item_int(const cJSON *item, int64_t min, int64_t max, int64_t *out,
                                     struct ptd_error *why)
{
    return item_int(item, item && item->string ? item->string : "value", min, max, out, why);
}

enum ptd_num_state ptd_json_get_int(const cJSON *obj, const char *dotted_path, int64_t min,
                                    int64_t max, int64_t *out, struct ptd_error *why)
{
    return item_int(ptd_json_get(obj, dotted_path), dotted_path, min, max, out, why);
}

int64_t ptd_json_int_or(const cJSON *obj, const char *dotted_path, int64_t min, int64_t max,
                        int64_t dflt)
{
    int64_t v;

    return ptd_json_get_int(obj, dotted_path, min, max, &v, NULL) == PTD_NUM_OK ? v : dflt;
}

enum ptd_num_state ptd_json_get_u64(const cJSON *obj, const char *dotted_path, uint64_t max,
                                    uint64_t *out, struct ptd_error *why)
{
    const cJSON *it = ptd_json_get(obj, dotted_path);

    if (!it || cJSON_IsNull(it))
        return PTD_NUM_ABSENT;
    if (!cJSON_IsNumber(it)) {
        ptd_error_set(why, "%s: not a number (integer in 0..%llu expected)", dotted_path,
                      (unsigned long long)max);
        return PTD_NUM_BAD;
    }
    double d = it->valuedouble;
    if (!(d >= 0 && d < TWO_64) || (double)(uint64_t)d != d) {
        ptd_error_set(why, "%s: %g is not an integer in 0..%llu", dotted_path, d,
                      (unsigned long long)max);
        return PTD_NUM_BAD;
    }
    uint64_t v = (uint64_t)d;
    if (v > max) {
        ptd_error_set(why, "%s: %llu is above %llu", dotted_path, (unsigned long long)v,
                      (unsigned long long)max);
        return PTD_NUM_BAD;
    }
    *out = v;
    return PTD_NUM_OK;
}

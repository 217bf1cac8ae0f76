/* SPDX-License-Identifier: MIT */
/*
 * The effective -cpu against qemu-server's own tests: every x86_64 case of
 * proxmox/qemu-server src/test/cfg2cmd (tests/host-vm/cfg2cmd/cpu-cases.json, made by
 * extract.py: config, QEMU version and host CPU vendor as the test mocks them, the -cpu its
 * .cmd expects) runs through vm_cpu_effective. A disagreement fails unless
 * known-differences.json lists the case with its reason; a listed case that agrees fails too,
 * so the list stays true. Prints "N of M x86 cases agree".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ptdiag/doc.h"

#include "pve_conf.h"
#include "pve_cpu_models.h"
#include "pve_mapping.h"
#include "vm_cpu_flags.h"

#define DATA_DIR PTDIAG_SOURCE_DIR "/tests/host-vm/cfg2cmd/"

static cJSON *load_json(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;
    cJSON *j = NULL;

    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n > 0 && n < (64L << 20));
    rewind(f);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    j = cJSON_Parse(buf);
    free(buf);
    assert_non_null(j);
    return j;
}

/* The custom models the runner mocks, as ptdiag's cpu_models array. */
static cJSON *mocked_models(const char *text)
{
    struct pve_scfg cfg;
    struct ptd_error err;
    char **problems = NULL;
    size_t np = 0;
    cJSON *arr;

    assert_non_null(text);
    assert_int_equal(pve_scfg_parse("cpu-models.conf", text, strlen(text), &cfg, &err), 0);
    arr = pve_cpu_models_to_json("cpu-models.conf", &cfg, &problems, &np);
    assert_int_equal(np, 0);
    pve_problems_free(problems, np);
    pve_scfg_free(&cfg);
    assert_non_null(arr);
    return arr;
}

static const char *known_reason(const cJSON *known, const char *name)
{
    const cJSON *k;

    cJSON_ArrayForEach(k, known)
    {
        const char *c = ptd_json_get_str(k, "case");
        if (c && !strcmp(c, name))
            return ptd_json_get_str(k, "reason");
    }
    return NULL;
}

/* The model's -cpu for one case (caller frees). */
static char *model_cpu(const cJSON *c, const cJSON *models, const char *qemu_default)
{
    const char *text = ptd_json_get_str(c, "config"), *qemu = ptd_json_get_str(c, "qemu_version");
    struct vm_cpu_host host = {.cpu_models = models,
                               .cpu_vendor = ptd_json_get_str(c, "host_cpu_vendor"),
                               .qemu_version = qemu ? qemu : qemu_default};
    struct pve_conf conf;
    struct ptd_error err;
    cJSON *eff;
    char *out;

    assert_non_null(text);
    if (pve_conf_parse("8006.conf", text, strlen(text), &conf, &err) != 0)
        fail_msg("%s: %s", ptd_json_get_str(c, "case"), err.text);
    eff = vm_cpu_effective(&conf.sections[0], &host);
    assert_non_null(eff);
    out = strdup(ptd_json_get_str(eff, "cpu_arg") ? ptd_json_get_str(eff, "cpu_arg") : "(none)");
    cJSON_Delete(eff);
    pve_conf_free(&conf);
    return out;
}

static void test_cfg2cmd_cases(void **state)
{
    cJSON *table = load_json(DATA_DIR "cpu-cases.json");
    cJSON *known = load_json(DATA_DIR "known-differences.json");
    cJSON *models = mocked_models(ptd_json_get_str(table, "cpu_models_conf"));
    const char *qemu_default = ptd_json_get_str(table, "qemu_version_default");
    const cJSON *c, *cases = cJSON_GetObjectItem(table, "cases");
    unsigned total = 0, agree = 0, known_count = 0, bad = 0;

    (void)state;
    assert_true(cJSON_GetArraySize(cases) > 50);
    cJSON_ArrayForEach(c, cases)
    {
        const char *name = ptd_json_get_str(c, "case"), *want = ptd_json_get_str(c, "expected_cpu");
        const char *reason = known_reason(cJSON_GetObjectItem(known, "cases"), name);
        char *got = model_cpu(c, models, qemu_default);
        bool same = want && !strcmp(got, want);

        total++;
        agree += same;
        if (!same && reason) {
            known_count++;
        } else if (!same) {
            bad++;
            printf("DISAGREE %s\n  qemu-server: %s\n  ptdiag:      %s\n", name, want, got);
        } else if (reason) {
            bad++;
            printf("LISTED BUT AGREES %s: remove it from known-differences.json\n", name);
        }
        free(got);
    }
    printf("cfg2cmd: %u of %u x86 cases agree (%u known differences; %s)\n", agree, total,
           known_count, ptd_json_get_str(table, "source"));
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(known, "cases")), (int)known_count);
    assert_int_equal(bad, 0);
    cJSON_Delete(models);
    cJSON_Delete(known);
    cJSON_Delete(table);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cfg2cmd_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

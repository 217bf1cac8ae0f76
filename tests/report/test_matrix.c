/* SPDX-License-Identifier: MIT */
/* The matrix loader's strictness, the helpers behind the derived facts, and the evaluator's
 * three-valued logic on small hand-written documents. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "report.h"

static const char *const design_ids[] = {"cpu-virt-missing",
                                         "iommu-disabled",
                                         "iommu-cmdline-wrong-bootloader",
                                         "interrupt-remapping-missing",
                                         "above-4g-decoding-off",
                                         "host-framebuffer-holds-bar",
                                         "rebar-bar-small",
                                         "large-bar-needs-phys-bits",
                                         "pcie-link-degraded",
                                         "iommu-group-shared",
                                         "acs-override-active",
                                         "gpu-bound-to-host-driver",
                                         "companion-not-on-vfio",
                                         "vfio-modules-missing",
                                         "vfio-ids-malformed",
                                         "vfio-virqfd-obsolete",
                                         "initramfs-stale",
                                         "reset-method-missing",
                                         "amd-reset-bug",
                                         "vendor-reset-unsupported-device",
                                         "nvidia-blackwell-reset",
                                         "vm-not-q35",
                                         "vm-not-ovmf",
                                         "vm-balloon-enabled",
                                         "vm-cpu-not-host",
                                         "vm-xvga-with-emulated-display",
                                         "vm-hostpci-device-missing",
                                         "vm-hostpci-partial-group",
                                         "vm-hypervisor-visible",
                                         "vm-hiding-on-pro-gpu",
                                         "vm-args-drop-enlightenments",
                                         "vm-raw-bdf-in-cluster",
                                         "mapping-invalid",
                                         "vm-numa-mismatch",
                                         "guest-gpu-missing",
                                         "guest-code-43",
                                         "guest-code-12",
                                         "guest-driver-missing",
                                         "guest-wrong-inf",
                                         "guest-software-renderer",
                                         "guest-vram-mismatch",
                                         "guest-vulkan-missing",
                                         "guest-nvidia-open-module-required",
                                         "guest-nvidia-xid",
                                         "guest-driver-library-mismatch",
                                         "guest-tdr",
                                         "guest-hypervisor-visible",
                                         "guest-fast-startup",
                                         "soak-not-yet-production"};

static void builtin_has_every_design_id(void **state)
{
    struct rpt_matrix *m = NULL;
    struct ptd_error err = {{0}};
    assert_int_equal(rpt_matrix_load_builtin(&m, &err), 0);
    for (size_t i = 0; i < sizeof design_ids / sizeof design_ids[0]; i++) {
        bool found = false;
        for (size_t k = 0; k < m->nrules; k++)
            found |= strcmp(m->rules[k].id, design_ids[i]) == 0;
        if (!found)
            fail_msg("DESIGN id %s missing from the matrix", design_ids[i]);
    }
    assert_true(m->nrules >= 55);
    rpt_matrix_free(m);
}

#define RULE_HEAD                                                                                  \
    "{\"schema\":\"ptdiag.matrix/1\",\"rules\":[{\"id\":\"r-one\",\"title\":\"t\",\"layer\":"      \
    "\"L1\",\"vendors\":[\"any\"],\"severity\":\"error\",\"references\":[],\"root_cause\":"        \
    "\"c\","

static void expect_error(const char *json, const char *needle)
{
    struct rpt_matrix *m = NULL;
    struct ptd_error err = {{0}};
    int rc = rpt_matrix_load_buffer("bad.json", json, strlen(json), &m, &err);
    if (rc == 0)
        fail_msg("accepted: %s", json);
    assert_null(m);
    if (!strstr(err.text, "bad.json") || !strstr(err.text, needle))
        fail_msg("error '%s' lacks 'bad.json' or '%s'", err.text, needle);
}

static void loader_rejects_bad_matrices(void **state)
{
    expect_error("{\"schema\":", "not valid JSON");
    expect_error("{\"schema\":\"ptdiag.matrix/2\",\"rules\":[]}", "ptdiag.matrix/1");
    expect_error("{\"schema\":\"ptdiag.matrix/1\",\"rules\":[],\"extra\":1}",
                 "unknown top-level key");
    expect_error(RULE_HEAD "\"fix\":\"f\",\"scope\":\"host\",\"when\":{\"fact\":\"host.x.y\","
                           "\"op\":\"eqq\",\"value\":1}}]}",
                 "unknown operator: eqq");
    expect_error(RULE_HEAD "\"fix\":\"f\",\"scope\":\"host\",\"when\":{\"fact\":\"host.a\","
                           "\"op\":\"eq\",\"value\":1},\"colour\":1}]}",
                 "rule 'r-one': unknown key: colour");
    expect_error(RULE_HEAD "\"scope\":\"host\",\"when\":{\"fact\":\"host.a\",\"op\":\"eq\","
                           "\"value\":1}}]}",
                 "missing field: fix");
    expect_error(RULE_HEAD "\"fix\":\"f\",\"scope\":\"host\",\"when\":{\"fact\":\"dev.a\","
                           "\"op\":\"eq\",\"value\":1}}]}",
                 "root 'dev' is not available in scope 'host'");
    expect_error(RULE_HEAD "\"fix\":\"f\",\"scope\":\"host\",\"when\":{\"fact\":\"foo.a\","
                           "\"op\":\"eq\",\"value\":1}}]}",
                 "unknown fact root");
    expect_error(RULE_HEAD "\"fix\":\"qm set {vm.vmid}\",\"scope\":\"host\",\"when\":{\"fact\":"
                           "\"host.a\",\"op\":\"exists\"}}]}",
                 "(in fix)");
    expect_error(RULE_HEAD "\"fix\":\"f\",\"scope\":\"host\",\"when\":{\"fact\":\"host.a\","
                           "\"op\":\"in\",\"value\":1}}]}",
                 "in/not_in need an array");
    expect_error(RULE_HEAD "\"fix\":\"f\",\"scope\":\"host\",\"when\":{\"fact\":\"host.a\","
                           "\"op\":\"exists\",\"value\":1}}]}",
                 "takes no value");
    expect_error(RULE_HEAD "\"fix\":\"f\",\"scope\":\"galaxy\",\"when\":{\"fact\":\"host.a\","
                           "\"op\":\"exists\"}}]}",
                 "unknown scope: galaxy");
    expect_error(RULE_HEAD "\"fix\":5,\"scope\":\"host\",\"when\":{\"fact\":\"host.a\","
                           "\"op\":\"exists\"}}]}",
                 "must be a non-empty string: fix");
    expect_error("{\"schema\":\"ptdiag.matrix/1\",\"rules\":[{\"id\":\"Bad_Id\"}]}", "kebab-case");
    /* A quantifier's name is only bound inside its where. */
    expect_error(RULE_HEAD "\"fix\":\"f\",\"scope\":\"host\",\"when\":{\"all\":[{\"some\":"
                           "\"host.l\",\"where\":{\"fact\":\"it.a\",\"op\":\"exists\"}},{\"fact\":"
                           "\"it.b\",\"op\":\"exists\"}]}}]}",
                 "unknown fact root");
    /* Duplicate ids. */
    const char *dup = "{\"schema\":\"ptdiag.matrix/1\",\"rules\":["
                      "{\"id\":\"a\",\"title\":\"t\",\"layer\":\"L1\",\"vendors\":[],\"severity\":"
                      "\"info\",\"references\":[],\"root_cause\":\"c\",\"fix\":\"f\",\"scope\":"
                      "\"host\",\"when\":{\"fact\":\"host.a\",\"op\":\"exists\"}},"
                      "{\"id\":\"a\",\"title\":\"t\",\"layer\":\"L1\",\"vendors\":[],\"severity\":"
                      "\"info\",\"references\":[],\"root_cause\":\"c\",\"fix\":\"f\",\"scope\":"
                      "\"host\",\"when\":{\"fact\":\"host.a\",\"op\":\"exists\"}}]}";
    expect_error(dup, "duplicate rule id: a");
}

static void helpers(void **state)
{
    char buf[32];
    assert_true(rpt_nvidia_version_from_windows("27.21.14.6089", buf, sizeof buf));
    assert_string_equal(buf, "460.89");
    assert_true(rpt_nvidia_version_from_windows("31.0.15.3623", buf, sizeof buf));
    assert_string_equal(buf, "536.23");
    assert_true(rpt_nvidia_version_from_windows("32.0.15.6094", buf, sizeof buf));
    assert_string_equal(buf, "560.94");
    assert_true(rpt_nvidia_version_from_windows("550.54.14", buf, sizeof buf));
    assert_string_equal(buf, "550.54.14");
    assert_false(rpt_nvidia_version_from_windows("garbage", buf, sizeof buf));
    assert_true(rpt_version_cmp("460.89", "465.89") < 0);
    assert_true(rpt_version_cmp("465.89", "465.89") == 0);
    assert_true(rpt_version_cmp("6.8.12-4-pve", "6.2") > 0);
    assert_true(rpt_version_cmp("5.15.158-2-pve", "6.2") < 0);
    assert_true(rpt_bdf_eq("0000:2b:00", "0000:2b:00.0"));
    assert_true(rpt_bdf_eq("2b:00.1", "0000:2b:00.1"));
    assert_false(rpt_bdf_eq("0000:2b:00.1", "0000:2b:00.0"));
    assert_false(rpt_bdf_eq("0000:2c:00.0", "0000:2b:00.0"));
    assert_false(rpt_bdf_eq("", "0000:2b:00.0"));
}

/* One host-scope rule, evaluated over documents where its fact is true, false, null. */
static const char *const tri_matrix =
    "{\"schema\":\"ptdiag.matrix/1\",\"rules\":[{\"id\":\"r\",\"title\":\"t\",\"layer\":\"L1\","
    "\"vendors\":[\"any\"],\"severity\":\"error\",\"references\":[],\"root_cause\":"
    "\"remap {host.system.iommu.irq_remapping} on {host.system.hostname}\",\"fix\":\"f {vm.vmid}\","
    "\"scope\":\"host\",\"when\":{\"all\":[{\"fact\":\"host.system.iommu.irq_remapping\",\"op\":"
    "\"eq\",\"value\":false},{\"any\":[{\"fact\":\"host.system.cpu.vmx\",\"op\":\"eq\","
    "\"value\":true},{\"fact\":\"host.system.cpu.svm\",\"op\":\"eq\",\"value\":true}]}]}}]}";

static struct rpt_result *eval_host(struct rpt_matrix *mx, const char *host_json)
{
    struct rpt_doc doc = {
        .file = strdup("h.json"), .json = cJSON_Parse(host_json), .is_host = true};
    struct rpt_model *m = NULL;
    struct rpt_result *r = NULL;
    struct ptd_error err = {{0}};
    assert_non_null(doc.json);
    assert_int_equal(rpt_model_build(&doc, NULL, 1, &m, &err), 0);
    assert_int_equal(rpt_evaluate(mx, m, &r, &err), 0);
    rpt_model_free(m);
    return r;
}

static void three_valued(void **state)
{
    struct rpt_matrix *mx = NULL;
    struct ptd_error err = {{0}};
    /* {vm.vmid} is not a root of scope host: the loader must refuse. */
    assert_int_equal(rpt_matrix_load_buffer("m.json", tri_matrix, strlen(tri_matrix), &mx, &err),
                     -1);
    char *fixed = strdup(tri_matrix);
    char *p = strstr(fixed, "f {vm.vmid}");
    memcpy(p, "f {vm_vmid}", 11); /* not a placeholder: stays literal */
    assert_int_equal(rpt_matrix_load_buffer("m.json", fixed, strlen(fixed), &mx, &err), 0);

    const char *fires = "{\"schema\":\"ptdiag.host/1\",\"system\":{\"hostname\":\"pve\",\"cpu\":"
                        "{\"vmx\":false,\"svm\":true},\"iommu\":{\"irq_remapping\":false}}}";
    struct rpt_result *r = eval_host(mx, fires);
    assert_int_equal(r->nfindings, 1);
    assert_string_equal(r->findings[0].root_cause, "remap false on pve");
    assert_string_equal(r->findings[0].fix, "f {vm_vmid}");
    /* Evidence: the all's leaves, but only the any's true branch. */
    assert_int_equal(r->findings[0].nevidence, 2);
    assert_string_equal(r->findings[0].evidence[1].fact, "host.system.cpu.svm");
    assert_string_equal(r->findings[0].evidence[1].source, "h.json");
    assert_int_equal(rpt_result_exit_status(r), 1);
    rpt_result_free(r);

    const char *silent = "{\"schema\":\"ptdiag.host/1\",\"system\":{\"cpu\":{\"vmx\":true},"
                         "\"iommu\":{\"irq_remapping\":true}}}";
    r = eval_host(mx, silent);
    assert_int_equal(r->nfindings, 0);
    assert_int_equal(r->nunchecked, 0);
    assert_int_equal(rpt_result_exit_status(r), 0);
    rpt_result_free(r);

    /* Unknown (null) irq_remapping: neither fires nor passes silently. */
    const char *unknown = "{\"schema\":\"ptdiag.host/1\",\"system\":{\"cpu\":{\"vmx\":true},"
                          "\"iommu\":{\"irq_remapping\":null}}}";
    r = eval_host(mx, unknown);
    assert_int_equal(r->nfindings, 0);
    assert_int_equal(r->nunchecked, 1);
    assert_non_null(strstr(r->unchecked[0].reason, "host.system.iommu.irq_remapping is unknown"));
    rpt_result_free(r);

    /* false in an all decides even when the other side is unknown. */
    const char *decided = "{\"schema\":\"ptdiag.host/1\",\"system\":{\"iommu\":"
                          "{\"irq_remapping\":true}}}";
    r = eval_host(mx, decided);
    assert_int_equal(r->nfindings, 0);
    assert_int_equal(r->nunchecked, 0);
    rpt_result_free(r);
    rpt_matrix_free(mx);
    free(fixed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(builtin_has_every_design_id),
        cmocka_unit_test(loader_rejects_bad_matrices),
        cmocka_unit_test(helpers),
        cmocka_unit_test(three_valued),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

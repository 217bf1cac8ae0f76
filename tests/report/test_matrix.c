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
    /* the agents' verdict shows the guest layer the matrix marks */
    assert_non_null(rpt_guest_layer(m));
    assert_string_equal(rpt_guest_layer(m)->id, "L5");
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

/* The matrix's vocabulary (layers, soak threshold, Prometheus kind, boot-loader fragments),
 * which a matrix must have before its rules. */
#define VOCAB                                                                                      \
    "\"layers\":[{\"id\":\"L1\",\"label\":\"L1 one\"},{\"id\":\"L2\",\"label\":\"L2 two\","        \
    "\"guest\":true},"                                                                             \
    "{\"id\":\"-\",\"label\":\"soak\",\"status_line\":false}],\"soak\":{\"threshold_days\":14},"   \
    "\"prometheus\":{\"xid_event_kind\":\"nvrm-xid\"},\"boot_loaders\":{\"unknown\":{"             \
    "\"cmdline_file\":\"f\",\"cmdline_apply\":\"a\"}},"

#define RULE_HEAD                                                                                  \
    "{\"schema\":\"ptdiag.matrix/1\"," VOCAB                                                       \
    "\"rules\":[{\"id\":\"r-one\",\"title\":\"t\",\"layer\":"                                      \
    "\"L1\",\"severity\":\"error\",\"references\":[],\"root_cause\":"                              \
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
    /* a layer the matrix's "layers" do not name */
    expect_error("{\"schema\":\"ptdiag.matrix/1\"," VOCAB "\"rules\":[{\"id\":\"r-one\",\"title\":"
                 "\"t\",\"layer\":\"L9\",\"severity\":\"error\",\"references\""
                 ":[],\"root_cause\":\"c\",\"scope\":\"host\",\"fix\":\"f\",\"when\":{\"fact\":"
                 "\"host.a\",\"op\":\"exists\"}}]}",
                 "L9");
    expect_error("{\"schema\":\"ptdiag.matrix/1\",\"layers\":[],\"rules\":[]}", "\"layers\"");
    /* exactly one guest layer: none, two, or one without a status line are refused */
    expect_error("{\"schema\":\"ptdiag.matrix/1\",\"layers\":[{\"id\":\"L1\",\"label\":\"a\"}],"
                 "\"rules\":[]}",
                 "exactly one layer is \"guest\"");
    expect_error("{\"schema\":\"ptdiag.matrix/1\",\"layers\":[{\"id\":\"L1\",\"label\":\"a\","
                 "\"guest\":true},{\"id\":\"L2\",\"label\":\"b\",\"guest\":true}],\"rules\":[]}",
                 "exactly one layer is \"guest\"");
    expect_error("{\"schema\":\"ptdiag.matrix/1\",\"layers\":[{\"id\":\"L1\",\"label\":\"a\","
                 "\"guest\":true,\"status_line\":false}],\"rules\":[]}",
                 "the guest layer has a status line");
    expect_error("{\"schema\":\"ptdiag.matrix/1\",\"layers\":[{\"id\":\"L1\",\"label\":\"a\","
                 "\"guest\":1}],\"rules\":[]}",
                 "\"guest\"?: boolean");
    expect_error("{\"schema\":\"ptdiag.matrix/2\",\"rules\":[]}", "ptdiag.matrix/1");
    expect_error("{\"schema\":\"ptdiag.matrix/1\"," VOCAB "\"rules\":[],\"extra\":1}",
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
    expect_error("{\"schema\":\"ptdiag.matrix/1\"," VOCAB "\"rules\":[{\"id\":\"Bad_Id\"}]}",
                 "kebab-case");
    /* A quantifier's name is only bound inside its where. */
    expect_error(RULE_HEAD "\"fix\":\"f\",\"scope\":\"host\",\"when\":{\"all\":[{\"some\":"
                           "\"host.l\",\"where\":{\"fact\":\"it.a\",\"op\":\"exists\"}},{\"fact\":"
                           "\"it.b\",\"op\":\"exists\"}]}}]}",
                 "unknown fact root");
    /* Duplicate ids. */
    const char *dup = "{\"schema\":\"ptdiag.matrix/1\"," VOCAB "\"rules\":["
                      "{\"id\":\"a\",\"title\":\"t\",\"layer\":\"L1\",\"severity\":"
                      "\"info\",\"references\":[],\"root_cause\":\"c\",\"fix\":\"f\",\"scope\":"
                      "\"host\",\"when\":{\"fact\":\"host.a\",\"op\":\"exists\"}},"
                      "{\"id\":\"a\",\"title\":\"t\",\"layer\":\"L1\",\"severity\":"
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
    "{\"schema\":\"ptdiag.matrix/1\"," VOCAB
    "\"rules\":[{\"id\":\"r\",\"title\":\"t\",\"layer\":\"L1\","
    "\"severity\":\"error\",\"references\":[],\"root_cause\":"
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

/* ---- every operator and combinator under three-valued logic ------------------------------- */

/* The facts the truth table reads: one of each kind, a null and a list of objects with an
 * unknown member. Facts not listed here ("host.t.absent") are absent. */
static const char *const tt_doc =
    "{\"schema\":\"ptdiag.host/1\",\"t\":{\"n\":5,\"s\":\"abc\",\"b\":true,\"nul\":null,"
    "\"l\":[1,2],\"e\":[],\"sl\":[\"vfio\",\"kvm\"],\"v\":\"6.8.12-4-pve\","
    "\"bdf\":\"0000:01:00.0\",\"o\":{\"k\":1},\"objs\":[{\"a\":1},{\"a\":null},{\"a\":3}],"
    "\"full\":[{\"a\":1},{\"a\":3}]}}";

/* 'T' the rule fires, 'F' it is silent and checked, 'U' it is "not checked". */
static char tt_eval(const char *when)
{
    char json[1024];
    snprintf(json, sizeof json,
             "{\"schema\":\"ptdiag.matrix/1\"," VOCAB
             "\"rules\":[{\"id\":\"r\",\"title\":\"t\",\"layer\":"
             "\"L1\",\"severity\":\"error\",\"references\":[],"
             "\"root_cause\":\"c\",\"fix\":\"f\",\"scope\":\"host\",\"when\":%s}]}",
             when);
    struct rpt_matrix *mx = NULL;
    struct ptd_error err = {{0}};
    if (rpt_matrix_load_buffer("tt.json", json, strlen(json), &mx, &err) != 0)
        fail_msg("the loader refused %s: %s", when, err.text);
    struct rpt_result *r = eval_host(mx, tt_doc);
    char got = r->nfindings ? 'T' : (r->nunchecked ? 'U' : 'F');
    if (r->nfindings + r->nunchecked > 1)
        fail_msg("%s: %zu findings and %zu unchecked for one rule", when, r->nfindings,
                 r->nunchecked);
    rpt_result_free(r);
    rpt_matrix_free(mx);
    return got;
}

#define LEAF(f, o, v) "{\"fact\":\"host.t." f "\",\"op\":\"" o "\"" v "}"
#define VAL(v)        ",\"value\":" v

struct tt_row {
    const char *when;
    char want;
};

/* One row per (operator, outcome): true, false, and unknown for a null fact, an absent fact
 * and a fact of the wrong type. Boundaries tell le from lt and ge from gt. */
static const struct tt_row leaf_rows[] = {
    {LEAF("n", "eq", VAL("5")), 'T'},
    {LEAF("n", "eq", VAL("6")), 'F'},
    {LEAF("s", "eq", VAL("\"ABC\"")), 'T'}, /* strings are ids: case does not matter */
    {LEAF("b", "eq", VAL("false")), 'F'},
    {LEAF("nul", "eq", VAL("5")), 'U'},
    {LEAF("absent", "eq", VAL("5")), 'U'},
    {LEAF("s", "eq", VAL("5")), 'U'},
    {LEAF("b", "eq", VAL("1")), 'U'},
    {LEAF("n", "ne", VAL("6")), 'T'},
    {LEAF("n", "ne", VAL("5")), 'F'},
    {LEAF("nul", "ne", VAL("5")), 'U'},
    {LEAF("absent", "ne", VAL("5")), 'U'},
    {LEAF("s", "ne", VAL("5")), 'U'},
    {LEAF("n", "lt", VAL("6")), 'T'},
    {LEAF("n", "lt", VAL("5")), 'F'},
    {LEAF("nul", "lt", VAL("5")), 'U'},
    {LEAF("absent", "lt", VAL("5")), 'U'},
    {LEAF("s", "lt", VAL("5")), 'U'},
    {LEAF("n", "le", VAL("5")), 'T'},
    {LEAF("n", "le", VAL("4")), 'F'},
    {LEAF("nul", "le", VAL("5")), 'U'},
    {LEAF("absent", "le", VAL("5")), 'U'},
    {LEAF("b", "le", VAL("5")), 'U'},
    {LEAF("n", "gt", VAL("4")), 'T'},
    {LEAF("n", "gt", VAL("5")), 'F'},
    {LEAF("nul", "gt", VAL("5")), 'U'},
    {LEAF("absent", "gt", VAL("5")), 'U'},
    {LEAF("s", "gt", VAL("5")), 'U'},
    {LEAF("n", "ge", VAL("5")), 'T'},
    {LEAF("n", "ge", VAL("6")), 'F'},
    {LEAF("nul", "ge", VAL("5")), 'U'},
    {LEAF("absent", "ge", VAL("5")), 'U'},
    {LEAF("l", "ge", VAL("5")), 'U'},
    {LEAF("n", "in", VAL("[4,5]")), 'T'},
    {LEAF("n", "in", VAL("[4,6]")), 'F'},
    {LEAF("nul", "in", VAL("[5]")), 'U'},
    {LEAF("absent", "in", VAL("[5]")), 'U'},
    {LEAF("s", "in", VAL("[5]")), 'U'},
    {LEAF("n", "not_in", VAL("[4,6]")), 'T'},
    {LEAF("n", "not_in", VAL("[4,5]")), 'F'},
    {LEAF("nul", "not_in", VAL("[5]")), 'U'},
    {LEAF("absent", "not_in", VAL("[5]")), 'U'},
    {LEAF("s", "not_in", VAL("[5]")), 'U'},
    {LEAF("n", "exists", ""), 'T'},
    {LEAF("nul", "exists", ""), 'F'},
    {LEAF("absent", "exists", ""), 'F'},
    {LEAF("absent", "missing", ""), 'T'},
    {LEAF("nul", "missing", ""), 'T'},
    {LEAF("s", "missing", ""), 'F'},
    {LEAF("e", "empty", ""), 'T'},
    {LEAF("l", "empty", ""), 'F'},
    {LEAF("nul", "empty", ""), 'U'},
    {LEAF("absent", "empty", ""), 'U'},
    {LEAF("s", "empty", ""), 'U'},
    {LEAF("l", "nonempty", ""), 'T'},
    {LEAF("o", "nonempty", ""), 'T'},
    {LEAF("e", "nonempty", ""), 'F'},
    {LEAF("nul", "nonempty", ""), 'U'},
    {LEAF("absent", "nonempty", ""), 'U'},
    {LEAF("n", "nonempty", ""), 'U'},
    {LEAF("s", "contains", VAL("\"b\"")), 'T'},
    {LEAF("sl", "contains", VAL("\"KVM\"")), 'T'},
    {LEAF("sl", "contains", VAL("[\"x\",\"vfio\"]")), 'T'},
    {LEAF("s", "contains", VAL("\"x\"")), 'F'},
    {LEAF("sl", "contains", VAL("\"x\"")), 'F'},
    {LEAF("nul", "contains", VAL("\"b\"")), 'U'},
    {LEAF("absent", "contains", VAL("\"b\"")), 'U'},
    {LEAF("n", "contains", VAL("\"b\"")), 'U'},
    {LEAF("n", "contains", VAL("[\"b\",\"c\"]")), 'U'},
    {LEAF("s", "not_contains", VAL("\"x\"")), 'T'},
    {LEAF("s", "not_contains", VAL("\"b\"")), 'F'},
    {LEAF("sl", "not_contains", VAL("\"vfio\"")), 'F'},
    {LEAF("nul", "not_contains", VAL("\"b\"")), 'U'},
    {LEAF("absent", "not_contains", VAL("\"b\"")), 'U'},
    {LEAF("n", "not_contains", VAL("\"b\"")), 'U'},
    {LEAF("n", "not_contains", VAL("[\"b\",\"c\"]")), 'U'},
    {LEAF("s", "prefix", VAL("\"AB\"")), 'T'},
    {LEAF("s", "prefix", VAL("[\"x\",\"ab\"]")), 'T'},
    {LEAF("s", "prefix", VAL("\"bc\"")), 'F'},
    {LEAF("nul", "prefix", VAL("\"a\"")), 'U'},
    {LEAF("absent", "prefix", VAL("\"a\"")), 'U'},
    {LEAF("n", "prefix", VAL("\"5\"")), 'U'},
    {LEAF("v", "version_lt", VAL("\"6.8.12-5\"")), 'T'},
    {LEAF("v", "version_lt", VAL("\"6.8.12-4-pve\"")), 'F'},
    {LEAF("v", "version_lt", VAL("\"6.2\"")), 'F'},
    {LEAF("nul", "version_lt", VAL("\"6.2\"")), 'U'},
    {LEAF("absent", "version_lt", VAL("\"6.2\"")), 'U'},
    {LEAF("n", "version_lt", VAL("\"6.2\"")), 'U'},
    {LEAF("v", "version_ge", VAL("\"6.8.12-4-pve\"")), 'T'},
    {LEAF("v", "version_ge", VAL("\"6.9\"")), 'F'},
    {LEAF("nul", "version_ge", VAL("\"6.2\"")), 'U'},
    {LEAF("absent", "version_ge", VAL("\"6.2\"")), 'U'},
    {LEAF("n", "version_ge", VAL("\"6.2\"")), 'U'},
    {LEAF("bdf", "bdf_eq", VAL("\"01:00.0\"")), 'T'},
    {LEAF("bdf", "bdf_eq", VAL("\"0000:01:00.1\"")), 'F'},
    {LEAF("nul", "bdf_eq", VAL("\"01:00.0\"")), 'U'},
    {LEAF("absent", "bdf_eq", VAL("\"01:00.0\"")), 'U'},
    {LEAF("n", "bdf_eq", VAL("\"01:00.0\"")), 'U'},
    /* value_fact: the other side unknown makes the leaf unknown too. */
    {"{\"fact\":\"host.t.n\",\"op\":\"le\",\"value_fact\":\"host.t.n\"}", 'T'},
    {"{\"fact\":\"host.t.n\",\"op\":\"lt\",\"value_fact\":\"host.t.n\"}", 'F'},
    {"{\"fact\":\"host.t.n\",\"op\":\"eq\",\"value_fact\":\"host.t.nul\"}", 'U'},
    {"{\"fact\":\"host.t.n\",\"op\":\"eq\",\"value_fact\":\"host.t.absent\"}", 'U'},
};

#define T_ LEAF("n", "eq", VAL("5"))
#define F_ LEAF("n", "eq", VAL("6"))
#define U_ LEAF("nul", "eq", VAL("5"))
#define UA LEAF("absent", "eq", VAL("5"))
#define UT LEAF("s", "eq", VAL("5"))
#define OBJS(kind, body)                                                                           \
    "{\"" kind "\":\"host.t.objs\",\"where\":{\"fact\":\"it.a\",\"op\":\"eq\",\"value\":" body "}" \
    "}"
#define FULL(kind, body)                                                                           \
    "{\"" kind "\":\"host.t.full\",\"where\":{\"fact\":\"it.a\",\"op\":\"eq\",\"value\":" body "}" \
    "}"
#define COUNT(arr, op, n) "{\"count\":\"host.t." arr "\",\"op\":\"" op "\",\"value\":" n "}"

/* Kleene's tables: not U is U (unknown is never a verdict), all: F wins over U, any: T wins
 * over U; a quantifier is unknown when its answer hangs on an unknown element. */
static const struct tt_row comb_rows[] = {
    {"{\"not\":" T_ "}", 'F'},
    {"{\"not\":" F_ "}", 'T'},
    {"{\"not\":" U_ "}", 'U'},
    {"{\"not\":" UA "}", 'U'},
    {"{\"not\":" UT "}", 'U'},
    {"{\"not\":{\"not\":" U_ "}}", 'U'},
    {"{\"all\":[" T_ "," T_ "]}", 'T'},
    {"{\"all\":[" T_ "," F_ "]}", 'F'},
    {"{\"all\":[" T_ "," U_ "]}", 'U'},
    {"{\"all\":[" U_ "," F_ "]}", 'F'},
    {"{\"all\":[" UA "," T_ "]}", 'U'},
    {"{\"any\":[" F_ "," T_ "]}", 'T'},
    {"{\"any\":[" F_ "," F_ "]}", 'F'},
    {"{\"any\":[" U_ "," T_ "]}", 'T'},
    {"{\"any\":[" F_ "," U_ "]}", 'U'},
    {"{\"any\":[" UT "," F_ "]}", 'U'},
    {"{\"not\":{\"any\":[" F_ "," U_ "]}}", 'U'},
    {OBJS("some", "3"), 'T'},
    {OBJS("some", "9"), 'U'}, /* no match, but the null element might be 9 */
    {FULL("some", "9"), 'F'},
    {OBJS("none", "3"), 'F'},
    {OBJS("none", "9"), 'U'},
    {FULL("none", "9"), 'T'},
    {"{\"some\":\"host.t.absent\",\"where\":" T_ "}", 'U'},
    {"{\"some\":\"host.t.n\",\"where\":" T_ "}", 'U'},
    {"{\"none\":\"host.t.nul\",\"where\":" T_ "}", 'U'},
    {"{\"some\":\"host.t.l\",\"where\":{\"fact\":\"it\",\"op\":\"eq\",\"value\":2}}", 'T'},
    {COUNT("l", "eq", "2"), 'T'},
    {COUNT("l", "eq", "3"), 'F'},
    {COUNT("l", "ne", "3"), 'T'},
    {COUNT("l", "ne", "2"), 'F'},
    {COUNT("l", "lt", "3"), 'T'},
    {COUNT("l", "lt", "2"), 'F'},
    {COUNT("l", "le", "2"), 'T'},
    {COUNT("l", "le", "1"), 'F'},
    {COUNT("l", "gt", "1"), 'T'},
    {COUNT("l", "gt", "2"), 'F'},
    {COUNT("l", "ge", "2"), 'T'},
    {COUNT("l", "ge", "3"), 'F'},
    {COUNT("e", "eq", "0"), 'T'},
    {COUNT("absent", "eq", "0"), 'U'},
    {COUNT("nul", "ge", "0"), 'U'},
    {"{\"count\":\"host.t.objs\",\"where\":{\"fact\":\"it.a\",\"op\":\"ge\",\"value\":1},"
     "\"op\":\"ge\",\"value\":1}",
     'U'},
    {"{\"count\":\"host.t.full\",\"where\":{\"fact\":\"it.a\",\"op\":\"ge\",\"value\":2},"
     "\"op\":\"eq\",\"value\":1}",
     'T'},
};

static void check_rows(const struct tt_row *rows, size_t n)
{
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        char got = tt_eval(rows[i].when);
        if (got != rows[i].want) {
            print_error("%s: want %c, got %c\n", rows[i].when, rows[i].want, got);
            bad++;
        }
    }
    if (bad)
        fail_msg("%d of %zu rows of the truth table wrong", bad, n);
}

static void operator_truth_table(void **state)
{
    check_rows(leaf_rows, sizeof leaf_rows / sizeof leaf_rows[0]);
    /* Every operator the loader accepts has a row (a new one must come with its own). */
    for (int op = 0; op < RPT_OP_COUNT; op++) {
        char needle[40];
        snprintf(needle, sizeof needle, "\"op\":\"%s\"", rpt_op_name((enum rpt_op)op));
        bool seen = false;
        for (size_t i = 0; i < sizeof leaf_rows / sizeof leaf_rows[0]; i++)
            seen |= strstr(leaf_rows[i].when, needle) != NULL;
        if (!seen)
            fail_msg("operator %s has no row in the truth table", rpt_op_name((enum rpt_op)op));
    }
}

static void combinator_truth_table(void **state)
{
    check_rows(comb_rows, sizeof comb_rows / sizeof comb_rows[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(builtin_has_every_design_id),
        cmocka_unit_test(loader_rejects_bad_matrices),
        cmocka_unit_test(helpers),
        cmocka_unit_test(three_valued),
        cmocka_unit_test(operator_truth_table),
        cmocka_unit_test(combinator_truth_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

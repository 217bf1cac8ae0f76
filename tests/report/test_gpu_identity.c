/* SPDX-License-Identifier: MIT */
/* The GPU identity table: the shipped file loads, real ids resolve to what their public
 * sources say (including ids Debian 12's pci.ids does not know), the loader rejects a bad
 * table with a message naming the file and the entry, and the derived facts reach a rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gpu_identity.h"
#include "ptdiag/doc.h"
#include "report.h"

static struct rpt_gpu_identity *table;

static int load_table(void **state)
{
    struct ptd_error err = {{0}};
    (void)state;
    /* the file in the source tree, as installed; the built-in copy is checked below */
    int rc = rpt_gpu_identity_load_file(PTDIAG_SOURCE_DIR "/report/data/gpu-identity.json", &table,
                                        &err);
    if (rc < 0)
        fail_msg("%s", err.text);
    return 0;
}

static int free_table(void **state)
{
    (void)state;
    rpt_gpu_identity_free(table);
    return 0;
}

struct want {
    const char *vendor_id, *device_id;
    const char *vendor, *family, *chip, *segment;
    bool integrated;
    const char *reset, *hypervisor_check, *rebar;
};

static void check(const struct want *w)
{
    const struct rpt_gpu_id *id = rpt_gpu_identity_lookup(table, w->vendor_id, w->device_id);
    if (!id)
        fail_msg("%s:%s: no entry", w->vendor_id, w->device_id);
    assert_string_equal(id->vendor, w->vendor);
    assert_string_equal(id->family, w->family);
    assert_string_equal(id->chip, w->chip);
    if (w->segment)
        assert_string_equal(id->segment, w->segment);
    else
        assert_null(id->segment);
    assert_int_equal(id->integrated, w->integrated);
    assert_string_equal(id->reset, w->reset);
    if (w->hypervisor_check)
        assert_string_equal(id->hypervisor_check, w->hypervisor_check);
    else
        assert_null(id->hypervisor_check);
    assert_string_equal(id->rebar, w->rebar);
}

static void real_ids(void **state)
{
    (void)state;
    static const struct want wants[] = {
        /* GeForce: Code 43 before driver 465.89 when the hypervisor is visible */
        {"10de", "2204", "nvidia", "Ampere", "GA102", "consumer", false, "bus", "nvidia-pre-465.89",
         "neutral"},
        {"10de", "1b80", "nvidia", "Pascal", "GP104", "consumer", false, "bus", "nvidia-pre-465.89",
         "neutral"},
        /* RTX 2000 Ada: unknown to Debian 12's pci.ids (2023-04), professional by NVIDIA */
        {"10de", "28b0", "nvidia", "Ada Lovelace", "AD107", "professional", false, "bus", "none",
         "neutral"},
        /* Blackwell: GeForce and RTX PRO, both with the WPR2 reset problem */
        {"10de", "2b85", "nvidia", "Blackwell", "GB202", "consumer", false, "wpr2",
         "nvidia-pre-465.89", "neutral"},
        {"10de", "2bb1", "nvidia", "Blackwell", "GB202", "professional", false, "wpr2", "none",
         "neutral"},
        {"10de", "2230", "nvidia", "Ampere", "GA102", "professional", false, "bus", "none",
         "neutral"},
        {"10de", "20b5", "nvidia", "Ampere", "GA100", "datacenter", false, "bus", "none",
         "neutral"},
        /* GH200: Linux refuses it a secondary bus reset (quirk_nvidia_no_bus_reset) */
        {"10de", "2342", "nvidia", "Hopper", "GH100", "datacenter", false, "flr", "none",
         "neutral"},
        /* Intel Arc: the Windows driver checks for a hypervisor; B-series needs ReBAR */
        {"8086", "56a0", "intel", "Alchemist DG2", "DG2", "consumer", false, "unknown",
         "windows-driver", "recommended"},
        {"8086", "e20b", "intel", "Battlemage BMG", "BMG", "consumer", false, "unknown",
         "windows-driver", "required"},
        /* Flex data-centre driver, Meteor Lake+ iGPUs: not documented, so not decided */
        {"8086", "56c0", "intel", "Alchemist DG2", "ATS-M", "datacenter", false, "unknown", NULL,
         "recommended"},
        {"8086", "a780", "intel", "Gen12 Xe-LP", "Raptor Lake-S", "consumer", true, "flr", "none",
         "neutral"},
        {"8086", "3e92", "intel", "Gen9.5", "Coffee Lake", "consumer", true, "flr", "none",
         "neutral"},
        {"8086", "64a0", "intel", "Lunar Lake Xe2", "Lunar Lake", "consumer", true, "flr", NULL,
         "neutral"},
        {"8086", "7d67", "intel", "Arrow Lake Xe-LPG", "Arrow Lake", "consumer", true, "flr", NULL,
         "neutral"},
        /* AMD: Vega 64 is in vendor-reset's table; RX 6800 and 7900 XTX are not */
        {"1002", "687f", "amd", "Vega", "Vega 10", "consumer", false, "vendor-reset", "none",
         "avoid-in-vm"},
        {"1002", "67df", "amd", "Polaris", "Polaris 10", "consumer", false, "vendor-reset", "none",
         "avoid-in-vm"},
        {"1002", "73bf", "amd", "RDNA2", "Navi 21", "consumer", false, "unknown", "none",
         "neutral"},
        {"1002", "744c", "amd", "RDNA3", "Navi 31", "consumer", false, "unknown", "none",
         "neutral"},
        {"1002", "7448", "amd", "RDNA3", "Navi 31", "professional", false, "unknown", "none",
         "neutral"},
        {"1002", "7550", "amd", "RDNA4", "Navi 48", "consumer", false, "unknown", "none",
         "neutral"},
        {"1002", "164e", "amd", "APU (RDNA2 graphics)", "Raphael", "consumer", true, "unknown",
         "none", "neutral"},
        {"1002", "1636", "amd", "APU (Vega graphics)", "Renoir", "consumer", true, "vendor-reset",
         "none", "neutral"},
        /* Only in amdgpu's range for Navi 21: family and chip, no segment */
        {"1002", "73b0", "amd", "RDNA2", "Navi 21", NULL, false, "unknown", "none", "neutral"},
    };
    for (size_t i = 0; i < sizeof wants / sizeof wants[0]; i++)
        check(&wants[i]);
}

static void lookups(void **state)
{
    (void)state;
    /* upper-case hex as some documents write it */
    const struct rpt_gpu_id *id = rpt_gpu_identity_lookup(table, "10DE", "28B0");
    assert_non_null(id);
    assert_string_equal(id->segment, "professional");
    /* an exact id inside a range wins over the range: pci.ids names 73f0 Navi 33 */
    id = rpt_gpu_identity_lookup(table, "1002", "73f0");
    assert_non_null(id);
    assert_string_equal(id->family, "RDNA3");
    /* audio functions of a card, other vendors and malformed ids match nothing */
    assert_null(rpt_gpu_identity_lookup(table, "10de", "1aef"));
    assert_null(rpt_gpu_identity_lookup(table, "1af4", "1050"));
    assert_null(rpt_gpu_identity_lookup(table, "10de", "22"));
    assert_null(rpt_gpu_identity_lookup(table, "10de", "zzzz"));
    assert_null(rpt_gpu_identity_lookup(table, NULL, "2204"));
    assert_null(rpt_gpu_identity_lookup(NULL, "10de", "2204"));
    /* the compiled-in copy is the same table */
    const struct rpt_gpu_identity *b = rpt_gpu_identity_current();
    assert_non_null(b);
    assert_int_equal(b->nids, table->nids);
    assert_true(table->nids > 900);
}

static void expect_error(const char *json, const char *needle)
{
    struct rpt_gpu_identity *t = NULL;
    struct ptd_error err = {{0}};
    assert_int_equal(rpt_gpu_identity_load_buffer("id.json", json, strlen(json), &t, &err), -1);
    assert_null(t);
    if (!strstr(err.text, "id.json") || !strstr(err.text, needle))
        fail_msg("error \"%s\" does not name the file and \"%s\"", err.text, needle);
}

#define FAM                                                                                        \
    "\"families\":{\"f\":{\"vendor\":\"nvidia\",\"family\":\"Ampere\",\"integrated\":false,"       \
    "\"reset\":\"bus\",\"rebar\":\"neutral\",\"sources\":[\"https://example.org/a\"]}}"
#define DOC(devices) "{\"schema\":\"ptdiag.gpu-identity/1\"," FAM ",\"devices\":[" devices "]}"

static void strict_loader(void **state)
{
    (void)state;
    struct rpt_gpu_identity *t = NULL;
    struct ptd_error err = {{0}};
    const char *good = DOC("{\"id\":\"10de:2204\",\"family\":\"f\",\"segment\":\"consumer\"},"
                           "{\"id\":\"10de:2200-223f\",\"family\":\"f\"}");
    assert_int_equal(rpt_gpu_identity_load_buffer("id.json", good, strlen(good), &t, &err), 0);
    assert_int_equal(t->nids, 2);
    assert_string_equal(rpt_gpu_identity_lookup(t, "10de", "2204")->segment, "consumer");
    assert_null(rpt_gpu_identity_lookup(t, "10de", "2205")->segment);
    rpt_gpu_identity_free(t);

    expect_error("[", "not valid JSON");
    expect_error("{\"schema\":\"ptdiag.gpu-identity/2\"}", "schema");
    expect_error(DOC("{\"id\":\"10de:2204\",\"family\":\"f\",\"segmnet\":\"consumer\"}"),
                 "entry '10de:2204': unknown key: segmnet");
    expect_error(DOC("{\"id\":\"10de:2204\",\"family\":\"f\",\"reset\":\"FLR\"}"),
                 "entry '10de:2204': reset \"FLR\" is not a known value");
    expect_error(DOC("{\"id\":\"10de:2204\",\"family\":\"f\",\"segment\":\"gaming\"}"),
                 "segment \"gaming\"");
    expect_error(DOC("{\"id\":\"10de:2204\",\"family\":\"nope\"}"), "\"family\" must name");
    expect_error(DOC("{\"id\":\"10de:22045\",\"family\":\"f\"}"), "entry '10de:22045'");
    expect_error(DOC("{\"id\":\"10de:2240-2200\",\"family\":\"f\"}"), "first id below");
    expect_error(DOC("{\"id\":\"1002:73bf\",\"family\":\"f\"}"), "does not match \"vendor\"");
    expect_error(DOC("{\"id\":\"10de:2204\",\"family\":\"f\"},{\"id\":\"10de:2204\","
                     "\"family\":\"f\"}"),
                 "duplicate id");
    expect_error(DOC("{\"id\":\"10de:2200-220f\",\"family\":\"f\"},{\"id\":\"10de:2208-221f\","
                     "\"family\":\"f\"}"),
                 "overlapping ranges");
    expect_error(DOC("{\"id\":\"10de:2204\",\"family\":\"f\",\"sources\":"
                     "[\"failure-catalogue §1.3\"]}"),
                 "https:// URL");
    expect_error(DOC("{\"id\":\"10de:2204\",\"family\":\"f\",\"integrated\":1}"),
                 "\"integrated\" must be true or false");
    expect_error("{\"schema\":\"ptdiag.gpu-identity/1\",\"families\":{\"f\":{\"vendor\":"
                 "\"amd\"}},\"devices\":[{\"id\":\"1002:73bf\",\"family\":\"f\"}]}",
                 "entry 'f': a family needs \"sources\"");
}

/* Through the model: a host device and the facts a rule can name as dev.x.gpu.*. */
static void derived_facts(void **state)
{
    (void)state;
    const char *host = "{\"schema\":\"ptdiag.host/1\",\"devices\":["
                       "{\"address\":\"0000:01:00.0\",\"slot\":\"0000:01:00\",\"vendor_id\":"
                       "\"10de\",\"device_id\":\"28b0\"},"
                       "{\"address\":\"0000:01:00.1\",\"slot\":\"0000:01:00\",\"vendor_id\":"
                       "\"10de\",\"device_id\":\"22be\"},"
                       "{\"address\":\"0000:03:00.0\",\"slot\":\"0000:03:00\",\"vendor_id\":"
                       "\"8086\",\"device_id\":\"e20b\"}]}";
    struct rpt_doc doc = {.file = strdup("h.json"), .json = cJSON_Parse(host), .is_host = true};
    struct rpt_model *m = NULL;
    struct ptd_error err = {{0}};
    assert_non_null(doc.json);
    assert_int_equal(rpt_model_build(&doc, NULL, 1, &m, &err), 0);
    assert_int_equal(m->ndevs, 3);
    assert_string_equal(ptd_json_get_str(m->dev_derived[0], "gpu.segment"), "professional");
    assert_string_equal(ptd_json_get_str(m->dev_derived[0], "gpu.family"), "Ada Lovelace");
    assert_string_equal(ptd_json_get_str(m->dev_derived[0], "gpu.hypervisor_check"), "none");
    assert_int_equal(ptd_json_get_tri(m->dev_derived[0], "gpu.integrated"), 0);
    /* the card's audio function: no identity, so no facts (rules say "not checked") */
    assert_null(ptd_json_get(m->dev_derived[1], "gpu"));
    assert_string_equal(ptd_json_get_str(m->dev_derived[2], "gpu.rebar"), "required");
    assert_string_equal(ptd_json_get_str(m->dev_derived[2], "gpu.hypervisor_check"),
                        "windows-driver");
    rpt_model_free(m);
}

/* The same facts for a GPU as a guest sees it (ggpu.x.gpu.*): a B580 in a Windows guest. */
static void guest_facts(void **state)
{
    (void)state;
    const char *guest = "{\"schema\":\"ptdiag.guest/1\",\"gpus\":[{\"location\":\"0000:01:00.0\","
                        "\"vendor_id\":\"8086\",\"device_id\":\"e20b\"},{\"location\":"
                        "\"0000:00:01.0\",\"vendor_id\":\"1234\",\"device_id\":\"1111\"}]}";
    struct rpt_doc doc = {.file = strdup("g.json"), .json = cJSON_Parse(guest)};
    struct rpt_model *m = NULL;
    struct ptd_error err = {{0}};
    assert_non_null(doc.json);
    if (rpt_model_build(&doc, NULL, 1, &m, &err) < 0)
        fail_msg("%s", err.text);
    assert_int_equal(m->nguests, 1);
    assert_int_equal(m->guests[0].ngpus, 2);
    const cJSON *b580 = NULL, *bochs = NULL;
    for (size_t i = 0; i < m->guests[0].ngpus; i++) {
        const struct rpt_ggpu *gg = &m->guests[0].gpus[i];
        const char *dev = ptd_json_get_str(gg->gpu, "device_id");
        if (dev && strcmp(dev, "e20b") == 0)
            b580 = gg->derived;
        else
            bochs = gg->derived;
    }
    assert_string_equal(ptd_json_get_str(b580, "gpu.family"), "Battlemage BMG");
    assert_string_equal(ptd_json_get_str(b580, "gpu.rebar"), "required");
    assert_string_equal(ptd_json_get_str(b580, "gpu.hypervisor_check"), "windows-driver");
    /* the emulated display adapter has no identity */
    assert_non_null(bochs);
    assert_null(ptd_json_get(bochs, "gpu"));
    rpt_model_free(m);
}

/* Hardware video engines (NVIDIA's Video Encode and Decode GPU Support Matrix, amdgpu nv.c):
 * Hopper (H100 PCIe 10de:2331, H200 10de:2335) and GA100 (A100 80GB PCIe 10de:20b5) decode
 * but do not encode, so no guest of theirs can miss an encode path; an RTX 3090 does both;
 * Navi 24 (RX 6400 1002:743f) has no encoder; CDNA's encoder is not in the data. */
static void video_engines(void **state)
{
    static const struct {
        const char *device;
        int decode, encode;
    } nv[] = {{"2331", 1, 0}, {"2335", 1, 0}, {"20b5", 1, 0}, {"2204", 1, 1}, {"1d01", 1, 0}};
    (void)state;
    for (size_t i = 0; i < sizeof nv / sizeof nv[0]; i++) {
        const struct rpt_gpu_id *id = rpt_gpu_identity_lookup(table, "10de", nv[i].device);
        assert_non_null(id);
        assert_int_equal(id->video_decode, nv[i].decode);
        assert_int_equal(id->video_encode, nv[i].encode);
    }
    const struct rpt_gpu_id *navi24 = rpt_gpu_identity_lookup(table, "1002", "743f");
    assert_non_null(navi24);
    assert_int_equal(navi24->video_encode, 0);
    const struct rpt_gpu_id *mi210 = rpt_gpu_identity_lookup(table, "1002", "740f");
    assert_non_null(mi210);
    assert_int_equal(mi210->video_decode, 1);
    assert_int_equal(mi210->video_encode, -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(real_ids),      cmocka_unit_test(lookups),
        cmocka_unit_test(strict_loader), cmocka_unit_test(derived_facts),
        cmocka_unit_test(guest_facts),   cmocka_unit_test(video_engines),
    };
    return cmocka_run_group_tests(tests, load_table, free_table);
}

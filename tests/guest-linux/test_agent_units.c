/* SPDX-License-Identifier: MIT */
/* ptdiag-agent's pure parts: the soak sample ("new since the last sample") and helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent.h"
#include "ptdiag/doc.h"

/* A collected document as the collectors leave it, reduced to what the sample reads. */
static cJSON *doc_with(const char *boot_id, const char *events_json, bool readable)
{
    char text[4096];
    cJSON *doc;

    snprintf(text, sizeof(text),
             "{\"schema\":\"ptdiag.guest/1\",\"collected_at\":\"2026-11-22T20:00:00Z\","
             "\"system\":{\"boot_id\":\"%s\",\"uptime_s\":5000,\"hostname\":\"g\"},"
             "\"gpus\":[{\"location\":\"0000:00:01.0\",\"vendor_id\":\"1234\","
             "\"device_id\":\"1111\",\"driver\":\"bochs-drm\"},"
             "{\"location\":\"0000:01:00.0\",\"vendor_id\":\"10de\",\"device_id\":\"2204\","
             "\"driver\":\"nvidia\",\"vram_total_bytes\":25769803776,"
             "\"vram_used_bytes\":1288896512}],"
             "\"nvidia\":{\"kernel_module\":{\"version\":\"570.86.16\"},"
             "\"nvml\":{\"status\":\"ok\"}},"
             "\"kernel_log\":{\"readable\":%s,\"events\":%s}}",
             boot_id, readable ? "true" : "false", events_json);
    doc = cJSON_Parse(text);
    assert_non_null(doc);
    return doc;
}

static const char *XID_EVENTS =
    "[{\"kind\":\"hypervisor-detected\",\"time_s\":0,\"detail\":\"KVM\"},"
    "{\"kind\":\"nvrm-xid\",\"time_s\":100.5,\"code\":13,\"device\":\"0000:01:00\"},"
    "{\"kind\":\"nvrm-xid\",\"time_s\":4000.25,\"code\":79,\"device\":\"0000:01:00\"}]";

static void test_first_sample_takes_every_error_event(void **state)
{
    cJSON *doc = doc_with("b1", XID_EVENTS, true);
    cJSON *s = agent_soak_sample(doc, NULL, 4000.25);
    const cJSON *ev = ptd_json_get(s, "events");

    (void)state;
    assert_string_equal(ptd_json_get_str(s, "schema"), "ptdiag.soak/1");
    assert_string_equal(ptd_json_get_str(s, "boot_id"), "b1");
    assert_string_equal(ptd_json_get_str(s, "t"), "2026-11-22T20:00:00Z");
    /* informational kinds (hypervisor-detected) are not error events */
    assert_int_equal(cJSON_GetArraySize(ev), 2);
    /* the emulated VGA is not the passed GPU: the driver is the NVIDIA one */
    assert_string_equal(ptd_json_get_str(s, "driver.name"), "nvidia");
    assert_string_equal(ptd_json_get_str(s, "driver.version"), "570.86.16");
    assert_string_equal(ptd_json_get_str(s, "driver.state"), "ok");
    assert_int_equal(cJSON_GetArraySize(ptd_json_get(s, "gpus")), 1);
    assert_true(ptd_json_get_num(s, "gpus.0.vram_total_bytes", 0) == 25769803776.0);
    assert_true(ptd_json_get_num(s, "kmsg_until_s", 0) == 4000.25);
    cJSON_Delete(s);
    cJSON_Delete(doc);
}

static void test_same_boot_only_later_events(void **state)
{
    cJSON *doc = doc_with("b1", XID_EVENTS, true);
    cJSON *prev = cJSON_Parse("{\"schema\":\"ptdiag.soak/1\",\"boot_id\":\"b1\","
                              "\"uptime_s\":3000,\"kmsg_until_s\":2000}");
    cJSON *s = agent_soak_sample(doc, prev, 4000.25);

    (void)state;
    assert_int_equal(cJSON_GetArraySize(ptd_json_get(s, "events")), 1);
    assert_true(ptd_json_get_num(s, "events.0.code", 0) == 79);
    cJSON_Delete(s);
    /* exactly at the previous high-water mark is not new */
    cJSON_ReplaceItemInObject(prev, "kmsg_until_s", cJSON_CreateNumber(4000.25));
    s = agent_soak_sample(doc, prev, 4000.25);
    assert_int_equal(cJSON_GetArraySize(ptd_json_get(s, "events")), 0);
    cJSON_Delete(s);
    /* an older sample without kmsg_until_s: its uptime is the cut-off */
    cJSON_DeleteItemFromObject(prev, "kmsg_until_s");
    s = agent_soak_sample(doc, prev, 4000.25);
    assert_int_equal(cJSON_GetArraySize(ptd_json_get(s, "events")), 1);
    cJSON_Delete(s);
    cJSON_Delete(prev);
    cJSON_Delete(doc);
}

static void test_new_boot_starts_over(void **state)
{
    cJSON *doc = doc_with("b2", XID_EVENTS, true);
    cJSON *prev = cJSON_Parse("{\"schema\":\"ptdiag.soak/1\",\"boot_id\":\"b1\","
                              "\"kmsg_until_s\":99999}");
    cJSON *s = agent_soak_sample(doc, prev, 4000.25);

    (void)state;
    assert_int_equal(cJSON_GetArraySize(ptd_json_get(s, "events")), 2);
    cJSON_Delete(s);
    cJSON_Delete(prev);
    cJSON_Delete(doc);
}

static void test_unreadable_log_is_unknown_not_empty(void **state)
{
    cJSON *doc = doc_with("b1", "null", false);
    cJSON *s = agent_soak_sample(doc, NULL, -1);

    (void)state;
    assert_true(cJSON_IsNull(ptd_json_get(s, "events")));
    assert_true(cJSON_IsNull(ptd_json_get(s, "kmsg_until_s")));
    cJSON_Delete(s);
    cJSON_Delete(doc);
}

static void test_driver_failure_sets_error_state(void **state)
{
    cJSON *doc = doc_with("b1",
                          "[{\"kind\":\"nvrm-rminitadapter-failed\",\"time_s\":38.9,"
                          "\"detail\":\"0x22:0x56:1017\"}]",
                          true);
    cJSON *s = agent_soak_sample(doc, NULL, 39);

    (void)state;
    assert_string_equal(ptd_json_get_str(s, "driver.state"), "error");
    cJSON_Delete(s);
    cJSON_Delete(doc);
}

static void test_kv_value(void **state)
{
    const char *text = "NAME=\"Ubuntu\"\nVERSION_ID='24.04'\nID=ubuntu\nID_LIKE=debian\n";
    char *v;

    (void)state;
    v = agent_kv_value(text, "ID");
    assert_string_equal(v, "ubuntu");
    free(v);
    v = agent_kv_value(text, "VERSION_ID");
    assert_string_equal(v, "24.04");
    free(v);
    v = agent_kv_value(text, "NAME");
    assert_string_equal(v, "Ubuntu");
    free(v);
    assert_null(agent_kv_value(text, "BUILD_ID"));
}

/* gpus[].decode / .encode in a sample: true with codecs, false with none, null unknown. */
static void test_sample_video_paths(void **state)
{
    cJSON *doc = doc_with("b1", "[]", true);
    cJSON *gpu = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "gpus"), 1);
    cJSON *video = cJSON_AddObjectToObject(gpu, "video"), *s;

    (void)state;
    cJSON_AddItemToObject(video, "decode_codecs", cJSON_Parse("[\"h264\"]"));
    cJSON_AddItemToObject(video, "encode_codecs", cJSON_Parse("[]"));
    s = agent_soak_sample(doc, NULL, -1);
    assert_int_equal(ptd_json_get_tri(s, "gpus.0.decode"), 1);
    assert_int_equal(ptd_json_get_tri(s, "gpus.0.encode"), 0);
    cJSON_Delete(s);
    cJSON_DeleteItemFromObjectCaseSensitive(gpu, "video");
    s = agent_soak_sample(doc, NULL, -1);
    assert_int_equal(ptd_json_get_tri(s, "gpus.0.encode"), -1);
    cJSON_Delete(s);
    cJSON_Delete(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_sample_takes_every_error_event),
        cmocka_unit_test(test_same_boot_only_later_events),
        cmocka_unit_test(test_new_boot_starts_over),
        cmocka_unit_test(test_unreadable_log_is_unknown_not_empty),
        cmocka_unit_test(test_driver_failure_sets_error_state),
        cmocka_unit_test(test_kv_value),
        cmocka_unit_test(test_sample_video_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

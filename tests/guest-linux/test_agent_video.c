/* SPDX-License-Identifier: MIT */
/*
 * ptdiag-agent's hardware-video and compute parts that need no GPU: the VA-API / Vulkan /
 * KFD value maps (values from va.h, the Vulkan registry, kfd_topology.c), the per-GPU joins
 * over documents of GPUs this machine does not have, and the real libva and libcuda where
 * they can run here (libva refusing a non-DRM file; libcuda absent).
 */
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

static void test_va_profiles(void **state)
{
    (void)state;
    assert_string_equal(agent_va_profile_name(17), "HEVCMain");
    assert_string_equal(agent_va_profile_codec(7), "h264"); /* H264High */
    assert_string_equal(agent_va_profile_codec(18), "hevc-10bit");
    assert_string_equal(agent_va_profile_codec(21), "vp9-10bit");
    assert_string_equal(agent_va_profile_codec(32), "av1"); /* AV1Profile0 */
    assert_null(agent_va_profile_codec(11));                /* H263Baseline */
    assert_null(agent_va_profile_name(-1));                 /* VAProfileNone */
    assert_null(agent_va_profile_name(1000));
    assert_int_equal(agent_va_entrypoint_kind(1), 'd'); /* VLD */
    assert_int_equal(agent_va_entrypoint_kind(6), 'e'); /* EncSlice */
    assert_int_equal(agent_va_entrypoint_kind(8), 'e'); /* EncSliceLP */
    assert_int_equal(agent_va_entrypoint_kind(10), 0);  /* VideoProc */
}

static void test_vk_codec_ops(void **state)
{
    cJSON *dec = cJSON_CreateArray(), *enc = cJSON_CreateArray();
    char *d, *e;

    (void)state;
    /* DECODE_H264 | DECODE_H265 | DECODE_AV1 | ENCODE_H264 */
    agent_vk_codec_ops(0x1u | 0x2u | 0x4u | 0x10000u, dec, enc);
    d = cJSON_PrintUnformatted(dec);
    e = cJSON_PrintUnformatted(enc);
    assert_string_equal(d, "[\"h264\",\"hevc\",\"av1\"]");
    assert_string_equal(e, "[\"h264\"]");
    free(d);
    free(e);
    cJSON_Delete(dec);
    cJSON_Delete(enc);
}

static void test_kfd_gfx_name(void **state)
{
    char buf[32];

    (void)state;
    assert_true(agent_kfd_gfx_name(110000, buf, sizeof(buf)));
    assert_string_equal(buf, "gfx1100");
    assert_true(agent_kfd_gfx_name(90010, buf, sizeof(buf)));
    assert_string_equal(buf, "gfx90a");
    assert_true(agent_kfd_gfx_name(90402, buf, sizeof(buf)));
    assert_string_equal(buf, "gfx942");
    assert_false(agent_kfd_gfx_name(0, buf, sizeof(buf))); /* a CPU node */
}

static cJSON *parse(const char *text)
{
    cJSON *doc = cJSON_Parse(text);

    assert_non_null(doc);
    return doc;
}

static char *video_of(cJSON *doc, int gpu, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(ptd_json_get(doc, "gpus"), gpu),
                                         "video"),
        key);

    return v ? cJSON_PrintUnformatted(v) : NULL;
}

static void expect(cJSON *doc, int gpu, const char *key, const char *want)
{
    char *got = video_of(doc, gpu, key);

    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

/* Intel: libva loads but vaInitialize fails on its node (the "vainfo fails" case); AMD: the
 * node lists profiles; the emulated display has no render node: nothing asked. */
static void test_join_vaapi(void **state)
{
    cJSON *doc =
        parse("{\"gpus\":[{\"location\":\"0000:00:01.0\",\"vendor_id\":\"1234\",\"drm\":null},"
              "{\"location\":\"0000:01:00.0\",\"vendor_id\":\"8086\","
              "\"drm\":{\"render\":\"/dev/dri/renderD128\"}},"
              "{\"location\":\"0000:02:00.0\",\"vendor_id\":\"1002\","
              "\"drm\":{\"render\":\"/dev/dri/renderD129\"}}],"
              "\"video\":{\"vaapi\":{\"status\":\"ok\",\"nodes\":["
              "{\"node\":\"/dev/dri/renderD128\",\"location\":\"0000:01:00.0\",\"driver\":\"iHD\","
              "\"error\":\"vaInitialize failed: unknown libva error\"},"
              "{\"node\":\"/dev/dri/renderD129\",\"location\":\"0000:02:00.0\","
              "\"driver\":\"radeonsi\",\"error\":null,\"decode_codecs\":[\"h264\",\"hevc\"],"
              "\"encode_codecs\":[\"h264\"]}]}}}");

    (void)state;
    agent_video_join(doc);
    expect(doc, 0, "decode_codecs", "null");
    expect(doc, 1, "decode_codecs", "[]");
    expect(doc, 1, "encode_codecs", "[]");
    expect(doc, 1, "reason", "\"VA-API: vaInitialize failed: unknown libva error\"");
    expect(doc, 2, "decode_codecs", "[\"h264\",\"hevc\"]");
    expect(doc, 2, "encode_codecs", "[\"h264\"]");
    expect(doc, 2, "sources", "[\"vaapi\"]");
    cJSON_Delete(doc);
}

/* NVIDIA: NVENC engine present but libnvidia-encode not installed -> no encode path; a GPU
 * whose NVML answers NOT_SUPPORTED for every encoder -> no NVENC, said so; NVDEC with its
 * library but no Vulkan video -> decode codecs unknown, not invented. */
static void test_join_nvidia(void **state)
{
    cJSON *doc = parse("{\"gpus\":[{\"location\":\"0000:01:00.0\",\"vendor_id\":\"10de\"},"
                       "{\"location\":\"0000:02:00.0\",\"vendor_id\":\"10de\"}],"
                       "\"nvidia\":{\"nvml\":{\"status\":\"ok\",\"devices\":["
                       "{\"pci_bus_id\":\"00000000:01:00.0\",\"encoder_supported\":true,"
                       "\"encoder_capacity_pct\":{\"h264\":100,\"hevc\":100,\"av1\":null},"
                       "\"decoder_supported\":true},"
                       "{\"pci_bus_id\":\"0000:02:00.0\",\"encoder_supported\":false,"
                       "\"encoder_capacity_pct\":{\"h264\":null,\"hevc\":null,\"av1\":null},"
                       "\"decoder_supported\":true}]},"
                       "\"encode_library\":{\"name\":\"libnvidia-encode.so.1\",\"loadable\":false,"
                       "\"error\":\"libnvidia-encode.so.1: cannot open shared object file\"},"
                       "\"decode_library\":{\"name\":\"libnvcuvid.so.1\",\"loadable\":true}},"
                       "\"vulkan\":{\"devices\":[{\"pci_bus\":\"0000:02:00.0\",\"video\":{"
                       "\"decode_codecs\":[\"h264\",\"hevc\",\"av1\"],\"encode_codecs\":[]}}]}}");
    char *reason;

    (void)state;
    agent_video_join(doc);
    expect(doc, 0, "encode_codecs", "[]");
    reason = video_of(doc, 0, "reason");
    assert_non_null(strstr(reason, "libnvidia-encode.so.1: cannot open"));
    free(reason);
    expect(doc, 0, "decode_codecs", "null");
    expect(doc, 1, "encode_codecs", "[]");
    reason = video_of(doc, 1, "reason");
    assert_non_null(strstr(reason, "no NVENC"));
    free(reason);
    expect(doc, 1, "decode_codecs", "[\"h264\",\"hevc\",\"av1\"]");
    expect(doc, 1, "sources", "[\"nvml\",\"vulkan\"]");
    cJSON_Delete(doc);

    /* the same first GPU with the library installed: H.264 and HEVC, not AV1 */
    doc = parse("{\"gpus\":[{\"location\":\"0000:01:00.0\",\"vendor_id\":\"10de\"}],"
                "\"nvidia\":{\"nvml\":{\"status\":\"ok\",\"devices\":["
                "{\"pci_bus_id\":\"00000000:01:00.0\",\"encoder_supported\":true,"
                "\"encoder_capacity_pct\":{\"h264\":100,\"hevc\":100,\"av1\":null},"
                "\"decoder_supported\":true}]},"
                "\"encode_library\":{\"name\":\"libnvidia-encode.so.1\",\"loadable\":true},"
                "\"decode_library\":{\"name\":\"libnvcuvid.so.1\",\"loadable\":true}}}");
    agent_video_join(doc);
    expect(doc, 0, "encode_codecs", "[\"h264\",\"hevc\"]");
    cJSON_Delete(doc);
}

/* Under --root nothing live was asked: unknown everywhere, never "none". */
static void test_join_root_is_unknown(void **state)
{
    cJSON *doc = parse("{\"gpus\":[{\"location\":\"0000:01:00.0\",\"vendor_id\":\"8086\","
                       "\"drm\":{\"render\":\"/dev/dri/renderD128\"}}],"
                       "\"video\":{\"vaapi\":{\"status\":\"unknown\",\"nodes\":null}}}");

    (void)state;
    agent_video_join(doc);
    expect(doc, 0, "decode_codecs", "null");
    expect(doc, 0, "encode_codecs", "null");
    cJSON_Delete(doc);
}

static void test_join_compute(void **state)
{
    cJSON *doc = parse(
        "{\"gpus\":[{\"location\":\"0000:01:00.0\",\"vendor_id\":\"10de\",\"driver\":\"nvidia\"},"
        "{\"location\":\"0000:02:00.0\",\"vendor_id\":\"1002\",\"driver\":\"amdgpu\"}],"
        "\"compute\":{\"cuda\":{\"status\":\"ok\",\"driver_version\":\"12.4\",\"devices\":["
        "{\"pci_bus_id\":\"0000:01:00.0\",\"compute_capability\":\"8.6\"}]},"
        "\"rocm\":{\"kfd_present\":false,\"nodes\":[]}}}");
    char *c;

    (void)state;
    agent_compute_join(doc);
    c = cJSON_PrintUnformatted(
        ptd_json_get(cJSON_GetArrayItem(ptd_json_get(doc, "gpus"), 0), "compute"));
    assert_string_equal(c, "{\"apis\":[\"cuda\"],\"cuda_version\":\"12.4\","
                           "\"cuda_capability\":\"8.6\",\"reason\":null}");
    free(c);
    c = cJSON_PrintUnformatted(
        ptd_json_get(cJSON_GetArrayItem(ptd_json_get(doc, "gpus"), 1), "compute"));
    assert_non_null(strstr(c, "\"apis\":[]"));
    assert_non_null(strstr(c, "/dev/kfd absent"));
    free(c);
    cJSON_Delete(doc);
}

/* The real libva: a file that is not a DRM device is refused by vaGetDisplayDRM. */
static void test_real_libva_refuses_non_drm(void **state)
{
    cJSON *nodes = parse("[{\"node\":\"/dev/null\",\"location\":\"0000:01:00.0\"}]");
    cJSON *va = agent_vaapi_query(nodes);
    const char *status = ptd_json_get_str(va, "status");

    (void)state;
    assert_non_null(status);
    if (strcmp(status, "missing") == 0) {
        /* libva not installed: the dlopen error is the fact */
        assert_non_null(strstr(ptd_json_get_str(va, "error"), "libva"));
    } else {
        const cJSON *n = cJSON_GetArrayItem(ptd_json_get(va, "nodes"), 0);

        assert_string_equal(status, "ok");
        assert_non_null(strstr(ptd_json_get_str(n, "error"), "vaGetDisplayDRM"));
    }
    cJSON_Delete(nodes);
    cJSON_Delete(va);
}

/* The real dlopen of libcuda.so.1: absent on a machine without the NVIDIA driver. */
static void test_cuda_missing_is_a_fact(void **state)
{
    cJSON *cuda = agent_cuda_query(NULL);
    const char *status = ptd_json_get_str(cuda, "status");

    (void)state;
    assert_non_null(status);
    if (strcmp(status, "missing") == 0)
        assert_non_null(strstr(ptd_json_get_str(cuda, "error"), "libcuda.so.1"));
    cJSON_Delete(cuda);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_va_profiles),
        cmocka_unit_test(test_vk_codec_ops),
        cmocka_unit_test(test_kfd_gfx_name),
        cmocka_unit_test(test_join_vaapi),
        cmocka_unit_test(test_join_nvidia),
        cmocka_unit_test(test_join_root_is_unknown),
        cmocka_unit_test(test_join_compute),
        cmocka_unit_test(test_real_libva_refuses_non_drm),
        cmocka_unit_test(test_cuda_missing_is_a_fact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* D3D11 decoder profile GUIDs (d3d11.h), Media Foundation's hardware vendor attribute and PCI
 * locations as SetupAPI gives them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "interp.h"

static void test_profiles_the_issue_names(void **state)
{
    /* GUIDs as GetVideoDecoderProfile returns them, formatted like StringFromGUID2. */
    static const struct {
        const char *guid, *name, *codec;
        int depth;
    } want[] = {
        {"{1B81BE68-A0C7-11D3-B984-00C04F2E73C5}", "H264_VLD_NOFGT", "H.264", 8},
        {"{5B11D51B-2F4C-4452-BCC3-09F2A1160CC0}", "HEVC_VLD_MAIN", "HEVC Main", 8},
        {"{107AF0E0-EF1A-4D19-ABA8-67A163073D13}", "HEVC_VLD_MAIN10", "HEVC Main10", 10},
        {"{463707F8-A1D0-4585-876D-83AA6D60B89E}", "VP9_VLD_PROFILE0", "VP9 Profile 0", 8},
        {"{A4C749EF-6ECF-48AA-8448-50A7A1165FF7}", "VP9_VLD_10BIT_PROFILE2", "VP9 Profile 2", 10},
        {"{B8BE4CCB-CF53-46BA-8D59-D6B8A6DA5D2A}", "AV1_VLD_PROFILE0", "AV1 Main", 8},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        const struct ptw_decoder_profile *p = ptw_decoder_profile(want[i].guid);

        assert_non_null(p);
        assert_string_equal(p->name, want[i].name);
        assert_string_equal(p->codec, want[i].codec);
        assert_int_equal(p->bit_depth, want[i].depth);
    }
    /* bare and lower case, as in the table */
    assert_non_null(ptw_decoder_profile("107af0e0-ef1a-4d19-aba8-67a163073d13"));
}

static void test_partial_and_unknown_profiles(void **state)
{
    const struct ptw_decoder_profile *p;

    (void)state;
    /* H.264 MoComp is partial acceleration: named, but no codec claimed */
    p = ptw_decoder_profile("{1B81BE64-A0C7-11D3-B984-00C04F2E73C5}");
    assert_non_null(p);
    assert_null(p->codec);
    /* a vendor-private profile (Intel's ClearVideo H.264): not a known one */
    assert_null(ptw_decoder_profile("{604F8E68-4951-4C54-88FE-ABD25C15B3D6}"));
    assert_null(ptw_decoder_profile("{1B81BE68-A0C7-11D3-B984-00C04F2E73C}"));
    assert_null(ptw_decoder_profile("{1B81BE68-A0C7-11D3-B984-00C04F2E73C5}x"));
    assert_null(ptw_decoder_profile(""));
    assert_null(ptw_decoder_profile(NULL));
}

static void test_report_codec_ids(void **state)
{
    (void)state;
    /* gpus[].video speaks the report's vocabulary (the Linux agent's codec names) */
    assert_string_equal(ptw_decoder_profile("1b81be68-a0c7-11d3-b984-00c04f2e73c5")->id, "h264");
    assert_string_equal(ptw_decoder_profile("5b11d51b-2f4c-4452-bcc3-09f2a1160cc0")->id, "hevc");
    assert_string_equal(ptw_decoder_profile("107af0e0-ef1a-4d19-aba8-67a163073d13")->id,
                        "hevc-10bit");
    assert_string_equal(ptw_decoder_profile("a4c749ef-6ecf-48aa-8448-50a7a1165ff7")->id,
                        "vp9-10bit");
    assert_string_equal(ptw_decoder_profile("b8be4ccb-cf53-46ba-8d59-d6b8a6da5d2a")->id, "av1");
    /* MVC and partial acceleration have no id: not claimed as a decode path */
    assert_null(ptw_decoder_profile("705b9d82-76cf-49d6-b7e6-ac8872db013c")->id);
    assert_null(ptw_decoder_profile("1b81be64-a0c7-11d3-b984-00c04f2e73c5")->id);
    assert_string_equal(ptw_encoder_codec_id("H.264"), "h264");
    assert_string_equal(ptw_encoder_codec_id("HEVC"), "hevc");
    assert_string_equal(ptw_encoder_codec_id("AV1"), "av1");
    assert_null(ptw_encoder_codec_id("VP9"));
    assert_null(ptw_encoder_codec_id(NULL));
}

static void test_sizes_grow(void **state)
{
    size_t n;
    const struct ptw_size *s = ptw_decoder_test_sizes(&n);

    (void)state;
    assert_true(n >= 4);
    assert_int_equal(s[0].width, 1920);
    for (size_t i = 1; i < n; i++)
        assert_true((uint64_t)s[i].width * s[i].height >
                    (uint64_t)s[i - 1].width * s[i - 1].height);
    assert_int_equal(s[n - 1].width, 8192);
    assert_int_equal(s[n - 1].height, 8192);
}

static void test_mft_vendor(void **state)
{
    unsigned v = 0;

    (void)state;
    assert_true(ptw_parse_mft_vendor("VEN_10DE", &v));
    assert_int_equal(v, 0x10de);
    assert_true(ptw_parse_mft_vendor("VEN_8086", &v));
    assert_int_equal(v, 0x8086);
    assert_false(ptw_parse_mft_vendor("VEN_10DE0", &v));
    assert_false(ptw_parse_mft_vendor("VEN_", &v));
    assert_false(ptw_parse_mft_vendor("10DE", &v));
    assert_false(ptw_parse_mft_vendor("VEN_0000", &v));
    assert_false(ptw_parse_mft_vendor(NULL, &v));
}

static void test_pci_location(void **state)
{
    struct ptw_pci_location l;

    (void)state;
    assert_true(ptw_parse_pci_location("PCI bus 1, device 0, function 1", &l));
    assert_int_equal(l.bus, 1);
    assert_int_equal(l.device, 0);
    assert_int_equal(l.function, 1);
    /* German Windows localises it: not parsed (the bus number and address are used there) */
    assert_false(ptw_parse_pci_location("PCI-Bus 1, Gerät 0, Funktion 1", &l));
    assert_false(ptw_parse_pci_location("PCI bus 1, device 32, function 0", &l));
    assert_false(ptw_parse_pci_location("PCI bus 1, device 0, function 1 extra", &l));
    assert_true(ptw_pci_location_from_address(6, 0x00000001, &l));
    assert_int_equal(l.bus, 6);
    assert_int_equal(l.device, 0);
    assert_int_equal(l.function, 1);
    assert_true(ptw_pci_location_from_address(0, 0x001f0003, &l));
    assert_int_equal(l.device, 31);
    assert_false(ptw_pci_location_from_address(0, 0x00200000, &l));
    assert_false(ptw_pci_location_from_address(256, 0, &l));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_profiles_the_issue_names),
        cmocka_unit_test(test_partial_and_unknown_profiles),
        cmocka_unit_test(test_report_codec_ids),
        cmocka_unit_test(test_sizes_grow),
        cmocka_unit_test(test_mft_vendor),
        cmocka_unit_test(test_pci_location),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/*
 * Video: D3D11 decoder profile GUIDs to codecs, the sizes the decoder is asked about, Media
 * Foundation's hardware vendor attribute, and where a PCI function sits (to pair a GPU with
 * its HDMI audio function). The GUIDs are the D3D11_DECODER_PROFILE_* values of d3d11.h (the
 * same numbers as DXVA2_Mode* in dxva2api.h and DXVA_ModeAV1_* in dxva.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "interp.h"

static const struct ptw_decoder_profile profiles[] = {
    {"1b81be68-a0c7-11d3-b984-00c04f2e73c5", "H264_VLD_NOFGT", "H.264", 8, "h264"},
    {"1b81be69-a0c7-11d3-b984-00c04f2e73c5", "H264_VLD_FGT", "H.264", 8, "h264"},
    {"d5f04ff9-3418-45d8-9561-32a76aae2ddd", "H264_VLD_WITHFMOASO_NOFGT", "H.264", 8, "h264"},
    {"1b81be64-a0c7-11d3-b984-00c04f2e73c5", "H264_MOCOMP_NOFGT", NULL, 8, NULL},
    {"1b81be65-a0c7-11d3-b984-00c04f2e73c5", "H264_MOCOMP_FGT", NULL, 8, NULL},
    {"1b81be66-a0c7-11d3-b984-00c04f2e73c5", "H264_IDCT_NOFGT", NULL, 8, NULL},
    {"1b81be67-a0c7-11d3-b984-00c04f2e73c5", "H264_IDCT_FGT", NULL, 8, NULL},
    {"d79be8da-0cf1-4c81-b82a-69a4e236f43d", "H264_VLD_STEREO_PROGRESSIVE_NOFGT", "H.264 MVC", 8,
     NULL},
    {"f9aaccbb-c2b6-4cfc-8779-5707b1760552", "H264_VLD_STEREO_NOFGT", "H.264 MVC", 8, NULL},
    {"705b9d82-76cf-49d6-b7e6-ac8872db013c", "H264_VLD_MULTIVIEW_NOFGT", "H.264 MVC", 8, NULL},
    {"5b11d51b-2f4c-4452-bcc3-09f2a1160cc0", "HEVC_VLD_MAIN", "HEVC Main", 8, "hevc"},
    {"107af0e0-ef1a-4d19-aba8-67a163073d13", "HEVC_VLD_MAIN10", "HEVC Main10", 10, "hevc-10bit"},
    {"463707f8-a1d0-4585-876d-83aa6d60b89e", "VP9_VLD_PROFILE0", "VP9 Profile 0", 8, "vp9"},
    {"a4c749ef-6ecf-48aa-8448-50a7a1165ff7", "VP9_VLD_10BIT_PROFILE2", "VP9 Profile 2", 10,
     "vp9-10bit"},
    {"90b899ea-3a62-4705-88b3-8df04b2744e7", "VP8_VLD", "VP8", 8, "vp8"},
    {"b8be4ccb-cf53-46ba-8d59-d6b8a6da5d2a", "AV1_VLD_PROFILE0", "AV1 Main", 8, "av1"},
    {"6936ff0f-45b1-4163-9cc1-646ef6946108", "AV1_VLD_PROFILE1", "AV1 High", 8, "av1"},
    {"0c5f2aa1-e541-4089-bb7b-98110a19d7c8", "AV1_VLD_PROFILE2", "AV1 Professional", 8, "av1"},
    {"17127009-a00f-4ce1-994e-bf4081f6f3f0", "AV1_VLD_12BIT_PROFILE2", "AV1 Professional", 12,
     "av1"},
    {"2d80bed6-9cac-4835-9e91-327bbc4f9ee8", "AV1_VLD_12BIT_PROFILE2_420", "AV1 Professional", 12,
     "av1"},
    {"ee27417f-5e28-4e65-beea-1d26b508adc9", "MPEG2_VLD", "MPEG-2", 8, "mpeg2"},
    {"86695f12-340e-4f04-9fd3-9253dd327460", "MPEG2and1_VLD", "MPEG-2", 8, "mpeg2"},
    {"6f3ec719-3735-42cc-8063-65cc3cb36616", "MPEG1_VLD", "MPEG-1", 8, NULL},
    {"e6a9f44b-61b0-4563-9ea4-63d2a3c6fe66", "MPEG2_MOCOMP", NULL, 8, NULL},
    {"bf22ad00-03ea-4690-8077-473346209b7e", "MPEG2_IDCT", NULL, 8, NULL},
    {"1b81bea3-a0c7-11d3-b984-00c04f2e73c5", "VC1_VLD", "VC-1", 8, "vc1"},
    {"1b81bea4-a0c7-11d3-b984-00c04f2e73c5", "VC1_D2010", "VC-1", 8, "vc1"},
    {"efd64d74-c9e8-41d7-a5e9-e9b0e39fa319", "MPEG4PT2_VLD_SIMPLE", "MPEG-4 Part 2", 8, "mpeg4"},
    {"ed418a9f-010d-4eda-9ae3-9a65358d8d2e", "MPEG4PT2_VLD_ADVSIMPLE_NOGMC", "MPEG-4 Part 2", 8,
     "mpeg4"},
    {"ab998b5b-4258-44a9-9feb-94e597a6baae", "MPEG4PT2_VLD_ADVSIMPLE_GMC", "MPEG-4 Part 2", 8,
     "mpeg4"},
};

const struct ptw_decoder_profile *ptw_decoder_profile(const char *guid)
{
    size_t n;

    if (!guid)
        return NULL;
    if (guid[0] == '{')
        guid++;
    n = strlen(guid);
    if (n && guid[n - 1] == '}')
        n--;
    if (n != 36)
        return NULL;
    for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
        size_t k = 0;

        while (k < n && tolower((unsigned char)guid[k]) == profiles[i].guid[k])
            k++;
        if (k == n)
            return &profiles[i];
    }
    return NULL;
}

/* Widest first is not needed: the caller keeps the largest size that passes. These are the
 * sizes video players and DXVA checkers ask about: 1080p, 1440p, UHD, DCI 4K, 4096x2304 (the
 * H.264 level 5.1 limit many decoders report), 8K UHD, 8192x4320 and 8192x8192 (HEVC/AV1). */
static const struct ptw_size sizes[] = {
    {1920, 1080}, {2560, 1440}, {3840, 2160}, {4096, 2160},
    {4096, 2304}, {7680, 4320}, {8192, 4320}, {8192, 8192},
};

const struct ptw_size *ptw_decoder_test_sizes(size_t *n)
{
    *n = sizeof(sizes) / sizeof(sizes[0]);
    return sizes;
}

const char *ptw_encoder_codec_id(const char *codec)
{
    static const char *const map[][2] = {{"H.264", "h264"}, {"HEVC", "hevc"}, {"AV1", "av1"}};

    for (size_t i = 0; codec && i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(codec, map[i][0]) == 0)
            return map[i][1];
    return NULL;
}

bool ptw_parse_mft_vendor(const char *s, unsigned *vendor_id)
{
    char *end;
    unsigned long v;

    /* MFT_ENUM_HARDWARE_VENDOR_ID_Attribute: "VEN_10DE", as in a PnP id. */
    if (!s || strncmp(s, "VEN_", 4) != 0 || !isxdigit((unsigned char)s[4]))
        return false;
    v = strtoul(s + 4, &end, 16);
    if (end != s + 8 || *end != '\0' || v == 0 || v > 0xffff)
        return false;
    *vendor_id = (unsigned)v;
    return true;
}

bool ptw_parse_pci_location(const char *s, struct ptw_pci_location *out)
{
    unsigned bus, dev, fn;
    int used = 0;

    /* SPDRP_LOCATION_INFORMATION of a PCI function on an English system. */
    if (!s || sscanf(s, "PCI bus %u, device %u, function %u%n", &bus, &dev, &fn, &used) != 3 ||
        s[used] != '\0' || bus > 255 || dev > 31 || fn > 7)
        return false;
    out->bus = bus;
    out->device = dev;
    out->function = fn;
    return true;
}

bool ptw_pci_location_from_address(uint32_t bus, uint32_t address, struct ptw_pci_location *out)
{
    /* SPDRP_ADDRESS of a PCI device: device number in the high word, function in the low. */
    uint32_t dev = address >> 16, fn = address & 0xffff;

    if (bus > 255 || dev > 31 || fn > 7)
        return false;
    out->bus = bus;
    out->device = dev;
    out->function = fn;
    return true;
}

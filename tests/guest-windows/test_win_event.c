/* SPDX-License-Identifier: MIT */
/* Event records in the form EvtRender(EvtRenderEventXml) writes them: Display 4101 (TDR),
 * DxgKrnl 549 (adapter start failed) and WER LiveKernelEvent 141. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "interp.h"

static const char tdr_4101[] =
    "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
    "<Provider Name='Display'/><EventID Qualifiers='0'>4101</EventID><Version>0</Version>"
    "<Level>3</Level><Task>0</Task><Opcode>0</Opcode><Keywords>0x80000000000000</Keywords>"
    "<TimeCreated SystemTime='2026-11-20T18:42:07.5316542Z'/><EventRecordID>48211"
    "</EventRecordID><Correlation/><Execution ProcessID='0' ThreadID='0'/>"
    "<Channel>System</Channel><Computer>WIN11-GPU</Computer><Security/></System>"
    "<EventData><Data>nvlddmkm</Data><Data></Data></EventData></Event>";

static const char dxgkrnl_549[] =
    "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
    "<Provider Name='Microsoft-Windows-DxgKrnl' Guid='{3f0c2c0b-2d8a-4b3a-9a2e-8b0b3c0e2e1d}'/>"
    "<EventID>549</EventID><Version>0</Version><Level>2</Level>"
    "<TimeCreated SystemTime=\"2026-11-21T07:03:55.0000000Z\"/>"
    "<Channel>Microsoft-Windows-DxgKrnl/Admin</Channel><Computer>arc-vm</Computer></System>"
    "</Event>";
static const char msg_549[] =
    "Adapter start failed for VendorId (0x8086) DeviceId (0x56A6), status: E_NOINTERFACE.";

static const char wer_141[] =
    "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
    "<Provider Name='Windows Error Reporting'/><EventID Qualifiers='0'>1001</EventID>"
    "<TimeCreated SystemTime='2026-11-19T22:10:00.1000000Z'/><Channel>Application</Channel>"
    "</System><EventData><Data>LKD_0x141_Tdr:6_IMAGE_nvlddmkm.sys_Ampere_3D</Data>"
    "<Data>0</Data><Data>LiveKernelEvent</Data><Data>Not available</Data><Data>0</Data>"
    "<Data>141</Data><Data>ffffb30f4ac8b010</Data><Data>fffff80743a1e8e8</Data><Data>0</Data>"
    "<Data>2d64</Data><Data>10.0.22631.2/ni_release</Data><Data>768_1</Data><Data></Data>"
    "<Data></Data></EventData></Event>";

static const char wer_1a1[] =
    "<Event><System><Provider Name='Windows Error Reporting'/><EventID>1001</EventID>"
    "</System><EventData><Data>0</Data><Data>0</Data><Data>LiveKernelEvent</Data>"
    "<Data>Not available</Data><Data>0</Data><Data>1a1</Data></EventData></Event>";

static void test_tdr(void **state)
{
    struct ptw_event ev;
    struct ptw_event_facts f;

    (void)state;
    assert_true(ptw_event_parse_xml(tdr_4101, &ev));
    assert_int_equal(ev.event_id, 4101);
    assert_string_equal(ev.provider, "Display");
    assert_string_equal(ev.channel, "System");
    assert_string_equal(ev.time, "2026-11-20T18:42:07.5316542Z");
    assert_int_equal(ev.ndata, 2);
    assert_int_equal(ptw_event_classify(&ev), PTW_EV_DISPLAY_4101);
    ptw_event_facts(&ev, NULL, &f);
    assert_string_equal(f.text, "nvlddmkm");
    assert_false(f.has_ids);
}

static void test_549(void **state)
{
    struct ptw_event ev;
    struct ptw_event_facts f;

    (void)state;
    assert_true(ptw_event_parse_xml(dxgkrnl_549, &ev));
    assert_int_equal(ptw_event_classify(&ev), PTW_EV_DXGKRNL_549);
    assert_string_equal(ev.time, "2026-11-21T07:03:55.0000000Z");
    assert_string_equal(ev.channel, "Microsoft-Windows-DxgKrnl/Admin");
    ptw_event_facts(&ev, msg_549, &f);
    assert_true(f.has_ids);
    assert_int_equal(f.vendor_id, 0x8086);
    assert_int_equal(f.device_id, 0x56a6);
    assert_string_equal(f.status, "E_NOINTERFACE");
    /* Without the formatted message the ids stay unknown rather than guessed. */
    ptw_event_facts(&ev, NULL, &f);
    assert_false(f.has_ids);
    assert_string_equal(f.status, "");
}

static void test_livekernel(void **state)
{
    struct ptw_event ev;
    struct ptw_event_facts f;

    (void)state;
    assert_true(ptw_event_parse_xml(wer_141, &ev));
    assert_int_equal(ev.ndata, 14);
    assert_int_equal(ptw_event_classify(&ev), PTW_EV_LIVEKERNEL_141);
    ptw_event_facts(&ev, NULL, &f);
    assert_string_equal(f.status, "141");
    assert_non_null(strstr(f.text, "nvlddmkm.sys"));
    /* Another live kernel event (0x1a1) is not a TDR. */
    assert_true(ptw_event_parse_xml(wer_1a1, &ev));
    assert_int_equal(ptw_event_classify(&ev), PTW_EV_OTHER);
}

static void test_entities_and_named_data(void **state)
{
    struct ptw_event ev;

    (void)state;
    assert_true(ptw_event_parse_xml(
        "<Event><System><Provider Name='A &amp; B'/><EventID>7</EventID></System><EventData>"
        "<Data Name='Status'>0xc00000e5 &lt;x&gt; &#65;</Data><Data Name='Empty'/></EventData>"
        "</Event>",
        &ev));
    assert_string_equal(ev.provider, "A & B");
    assert_int_equal(ev.ndata, 2);
    assert_string_equal(ev.data_name[0], "Status");
    assert_string_equal(ev.data[0], "0xc00000e5 <x> A");
    assert_string_equal(ev.data_name[1], "Empty");
    assert_string_equal(ev.data[1], "");
    assert_int_equal(ptw_event_classify(&ev), PTW_EV_OTHER);
}

static void test_malformed(void **state)
{
    struct ptw_event ev;
    char big[PTW_EVENT_TEXT * 3 + 200];

    (void)state;
    assert_false(ptw_event_parse_xml(NULL, &ev));
    assert_false(ptw_event_parse_xml("", &ev));
    assert_false(ptw_event_parse_xml("<Event><System></System></Event>", &ev));
    assert_false(ptw_event_parse_xml("<Event><EventID>x</EventID></Event>", &ev));
    /* Truncated: the unterminated Data element is dropped, not read past the end. */
    assert_true(ptw_event_parse_xml("<Event><EventID>4101</EventID><Provider Name='Display"
                                    "'/><EventData><Data>nvlddm",
                                    &ev));
    assert_int_equal(ev.ndata, 0);
    /* An over-long value is cut to the buffer. */
    strcpy(big, "<Event><EventID>1</EventID><EventData><Data>");
    memset(big + strlen(big), 'x', PTW_EVENT_TEXT * 3);
    big[44 + PTW_EVENT_TEXT * 3] = '\0';
    strcat(big, "</Data></EventData></Event>");
    assert_true(ptw_event_parse_xml(big, &ev));
    assert_int_equal(ev.ndata, 1);
    assert_int_equal(strlen(ev.data[0]), PTW_EVENT_TEXT - 1);
}

static void test_adapter_ids_text(void **state)
{
    unsigned v, d;

    (void)state;
    assert_true(ptw_parse_adapter_ids("VendorId (0x1002) DeviceId (0x73BF)", &v, &d));
    assert_int_equal(v, 0x1002);
    assert_int_equal(d, 0x73bf);
    assert_false(ptw_parse_adapter_ids("VendorId (0x1002)", &v, &d));
    assert_false(ptw_parse_adapter_ids("VendorId (zz) DeviceId (0x73BF)", &v, &d));
    assert_false(ptw_parse_adapter_ids(NULL, &v, &d));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tdr),        cmocka_unit_test(test_549),
        cmocka_unit_test(test_livekernel), cmocka_unit_test(test_entities_and_named_data),
        cmocka_unit_test(test_malformed),  cmocka_unit_test(test_adapter_ids_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

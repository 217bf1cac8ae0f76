/* SPDX-License-Identifier: MIT */
/*
 * Event records as EvtRender(EvtRenderEventXml) writes them. The XML is machine-written and
 * flat, so a small scanner is enough: <System> children we need, then every <Data> element.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "interp.h"

/* Copies text [s, e) into out with XML entities decoded; always NUL-terminates. */
static void copy_decoded(const char *s, const char *e, char *out, size_t outlen)
{
    static const struct {
        const char *ent;
        char c;
    } ents[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    size_t o = 0;

    while (s < e && o + 1 < outlen) {
        bool done = false;

        if (*s == '&') {
            for (size_t i = 0; i < sizeof(ents) / sizeof(ents[0]); i++) {
                size_t n = strlen(ents[i].ent);
                if ((size_t)(e - s) >= n && strncmp(s, ents[i].ent, n) == 0) {
                    out[o++] = ents[i].c, s += n, done = true;
                    break;
                }
            }
            if (!done && s + 2 < e && s[1] == '#') {
                char *end;
                unsigned long cp =
                    s[2] == 'x' ? strtoul(s + 3, &end, 16) : strtoul(s + 2, &end, 10);
                if (end < e && *end == ';') {
                    out[o++] = cp > 0 && cp < 128 ? (char)cp : '?';
                    s = end + 1, done = true;
                }
            }
        }
        if (!done)
            out[o++] = *s++;
    }
    out[o] = '\0';
}

/* Finds the start tag <name followed by space, '/' or '>'; returns a pointer to '<' or NULL. */
static const char *find_tag(const char *from, const char *end, const char *name)
{
    size_t n = strlen(name);

    for (const char *p = from; p && p < end; p++) {
        p = memchr(p, '<', (size_t)(end - p));
        if (!p)
            return NULL;
        if ((size_t)(end - p) > n + 1 && strncmp(p + 1, name, n) == 0 &&
            (p[n + 1] == ' ' || p[n + 1] == '>' || p[n + 1] == '/' || p[n + 1] == '\t' ||
             p[n + 1] == '\r' || p[n + 1] == '\n'))
            return p;
    }
    return NULL;
}

/* The attribute's value inside the start tag at tag (quotes ' or "). */
static bool get_attr(const char *tag, const char *end, const char *attr, char *out, size_t outlen)
{
    const char *gt = memchr(tag, '>', (size_t)(end - tag));
    size_t n = strlen(attr);

    if (!gt)
        return false;
    for (const char *p = tag; p + n + 2 < gt; p++) {
        if ((p[-1] == ' ' || p[-1] == '\t' || p[-1] == '\n') && strncmp(p, attr, n) == 0 &&
            p[n] == '=' && (p[n + 1] == '\'' || p[n + 1] == '"')) {
            const char *v = p + n + 2;
            const char *q = memchr(v, p[n + 1], (size_t)(gt - v));
            if (!q)
                return false;
            copy_decoded(v, q, out, outlen);
            return true;
        }
    }
    return false;
}

/* Element text of the element whose start tag is at tag; "" for <x/>. Returns the position
 * after the element, or NULL when malformed. */
static const char *get_text(const char *tag, const char *end, const char *name, char *out,
                            size_t outlen)
{
    const char *gt = memchr(tag, '>', (size_t)(end - tag));
    char close[64];
    const char *c;

    if (!gt)
        return NULL;
    if (gt[-1] == '/') {
        if (outlen)
            out[0] = '\0';
        return gt + 1;
    }
    snprintf(close, sizeof(close), "</%s>", name);
    for (c = gt + 1; c < end; c++)
        if (*c == '<' && strncmp(c, close, strlen(close)) == 0)
            break;
    if (c >= end)
        return NULL;
    copy_decoded(gt + 1, c, out, outlen);
    return c + strlen(close);
}

bool ptw_event_parse_xml(const char *xml, struct ptw_event *out)
{
    const char *end, *t, *p;
    char num[32];

    memset(out, 0, sizeof(*out));
    if (!xml)
        return false;
    end = xml + strlen(xml);
    t = find_tag(xml, end, "EventID");
    if (!t || !get_text(t, end, "EventID", num, sizeof(num)) || !isdigit((unsigned char)num[0]))
        return false;
    out->event_id = (unsigned)strtoul(num, NULL, 10);
    if ((t = find_tag(xml, end, "Provider")))
        get_attr(t, end, "Name", out->provider, sizeof(out->provider));
    if ((t = find_tag(xml, end, "TimeCreated")))
        get_attr(t, end, "SystemTime", out->time, sizeof(out->time));
    if ((t = find_tag(xml, end, "Channel")))
        get_text(t, end, "Channel", out->channel, sizeof(out->channel));

    p = find_tag(xml, end, "EventData");
    if (!p)
        p = find_tag(xml, end, "UserData");
    while (p && out->ndata < PTW_EVENT_MAX_DATA && (t = find_tag(p, end, "Data"))) {
        int i = out->ndata;

        get_attr(t, end, "Name", out->data_name[i], sizeof(out->data_name[i]));
        p = get_text(t, end, "Data", out->data[i], sizeof(out->data[i]));
        if (!p)
            break;
        out->ndata++;
    }
    return true;
}

/* Copies src into dst, cut to fit. */
static void set_str(char *dst, size_t dstlen, const char *src)
{
    size_t n = strlen(src);

    if (!dstlen)
        return;
    if (n >= dstlen)
        n = dstlen - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static bool equal_ci(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return false;
    return *a == *b;
}

/* Index of the LiveKernelEvent name among the WER 1001 data items, or -1. */
static int wer_event_name_index(const struct ptw_event *ev)
{
    for (int i = 0; i < ev->ndata && i < 4; i++)
        if (equal_ci(ev->data[i], "LiveKernelEvent"))
            return i;
    return -1;
}

enum ptw_event_kind ptw_event_classify(const struct ptw_event *ev)
{
    int i;

    if (ev->event_id == 549 && equal_ci(ev->provider, "Microsoft-Windows-DxgKrnl"))
        return PTW_EV_DXGKRNL_549;
    if (ev->event_id == 4101 && equal_ci(ev->provider, "Display"))
        return PTW_EV_DISPLAY_4101;
    /* WER 1001: fault bucket, event type, event name, response, cab id, then P1..P10.
     * P1 is the bug-check-like code: 141 = video engine timeout (117 on older systems). */
    if (ev->event_id == 1001 && equal_ci(ev->provider, "Windows Error Reporting") &&
        (i = wer_event_name_index(ev)) >= 0 && i + 3 < ev->ndata &&
        strtoul(ev->data[i + 3], NULL, 16) == 0x141)
        return PTW_EV_LIVEKERNEL_141;
    return PTW_EV_OTHER;
}

bool ptw_parse_adapter_ids(const char *text, unsigned *vendor_id, unsigned *device_id)
{
    const char *v, *d;
    unsigned ven, dev;

    if (!text || !(v = strstr(text, "VendorId")) || !(d = strstr(text, "DeviceId")))
        return false;
    if (sscanf(v, "VendorId (0x%x)", &ven) != 1 && sscanf(v, "VendorId 0x%x", &ven) != 1 &&
        sscanf(v, "VendorId: 0x%x", &ven) != 1)
        return false;
    if (sscanf(d, "DeviceId (0x%x)", &dev) != 1 && sscanf(d, "DeviceId 0x%x", &dev) != 1 &&
        sscanf(d, "DeviceId: 0x%x", &dev) != 1)
        return false;
    if (ven > 0xffff || dev > 0xffff)
        return false;
    *vendor_id = ven;
    *device_id = dev;
    return true;
}

/* "status: E_NOINTERFACE." -> "E_NOINTERFACE" */
static void status_after_label(const char *text, char *out, size_t outlen)
{
    const char *s = text ? strstr(text, "status:") : NULL;
    size_t n = 0;

    if (outlen)
        out[0] = '\0';
    if (!s)
        return;
    s += 7;
    while (*s == ' ' || *s == '\t')
        s++;
    while (s[n] && s[n] != '\r' && s[n] != '\n' && s[n] != ' ' && s[n] != ',' && n + 1 < outlen)
        n++;
    while (n > 0 && s[n - 1] == '.')
        n--;
    memcpy(out, s, n);
    out[n] = '\0';
}

void ptw_event_facts(const struct ptw_event *ev, const char *message, struct ptw_event_facts *out)
{
    int i;

    memset(out, 0, sizeof(*out));
    switch (ptw_event_classify(ev)) {
    case PTW_EV_DXGKRNL_549:
        out->has_ids = ptw_parse_adapter_ids(message, &out->vendor_id, &out->device_id);
        status_after_label(message, out->status, sizeof(out->status));
        /* Without the formatted message, the raw data items still carry the values. */
        for (i = 0; i < ev->ndata && !out->status[0]; i++)
            if (equal_ci(ev->data_name[i], "Status"))
                set_str(out->status, sizeof(out->status), ev->data[i]);
        set_str(out->text, sizeof(out->text), message ? message : "");
        break;
    case PTW_EV_DISPLAY_4101:
        /* EventData: the display driver's service name first (nvlddmkm, amdkmdag, igfx...). */
        set_str(out->text, sizeof(out->text), ev->ndata > 0 ? ev->data[0] : "");
        break;
    case PTW_EV_LIVEKERNEL_141:
        i = wer_event_name_index(ev);
        /* P1 is the code; P2..P4 its parameters; the bucket names the failing driver. */
        set_str(out->status, sizeof(out->status), ev->data[i + 3]);
        set_str(out->text, sizeof(out->text), ev->data[0]);
        break;
    case PTW_EV_OTHER:
        break;
    }
}

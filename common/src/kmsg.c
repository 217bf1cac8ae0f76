/* SPDX-License-Identifier: MIT */
/*
 * Kernel log splitting and classification (see ptdiag/kmsg.h). Portable C only: the
 * Windows cross build compiles this file too, and the Linux agent and the host probe share it.
 *
 * Matching is by literal fragments of the kernel's format strings (failure catalogue §3.1,
 * §3.4, §3.5), not by regular expressions: the fragments are stable across kernel versions
 * where the surrounding punctuation is not (e.g. "BAR 0: can't reserve" became
 * "BAR 0 [mem ...]: can't reserve" in 6.x).
 */
#include "ptdiag/kmsg.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kmsg_prefix.h"

/* A message longer than this is cut: no message we classify comes near it, and a corrupt
 * log without newlines must not grow one message without bound. */
#define KMSG_MAX_MESSAGE (64u * 1024u)

const char *ptd_kmsg_kind_name(enum ptd_kmsg_kind kind)
{
    static const char *const names[] = {
#define PTD_KMSG_NAME(name, str) str,
        PTD_KMSG_KINDS(PTD_KMSG_NAME)
#undef PTD_KMSG_NAME
    };

    if ((unsigned)kind >= PTD_KMSG_KIND_COUNT)
        return "unknown";
    return names[kind];
}

/* ---- small string helpers ---------------------------------------------------------- */

static bool is_hex(char c)
{
    return isxdigit((unsigned char)c) != 0;
}

static bool all_hex(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!is_hex(s[i]))
            return false;
    return true;
}

/* Copies at most dstlen-1 bytes of src[0..n), NUL-terminated, printable ASCII only: the
 * result goes into JSON and must be valid UTF-8 whatever the log held. */
static void copy_clean(char *dst, size_t dstlen, const char *src, size_t n)
{
    size_t i;

    if (dstlen == 0)
        return;
    if (n > dstlen - 1)
        n = dstlen - 1;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)src[i];
        dst[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    dst[n] = '\0';
}

static void copy_trimmed(char *dst, size_t dstlen, const char *src, size_t n)
{
    while (n > 0 && isspace((unsigned char)*src)) {
        src++;
        n--;
    }
    while (n > 0 && (isspace((unsigned char)src[n - 1]) || src[n - 1] == '.'))
        n--;
    copy_clean(dst, dstlen, src, n);
}

/* "dddd:bb:dd.f" at s (exactly, with no hex digit right before or after). */
static bool is_full_bdf(const char *s, const char *start)
{
    if (s > start && (is_hex(s[-1]) || s[-1] == ':'))
        return false;
    return all_hex(s, 4) && s[4] == ':' && all_hex(s + 5, 2) && s[7] == ':' && all_hex(s + 8, 2) &&
           s[10] == '.' && s[11] >= '0' && s[11] <= '7' && !is_hex(s[12]);
}

/* "bb:dd.f" at s, without a segment (DMAR faults, old AMD-Vi lines). */
static bool is_short_bdf(const char *s)
{
    return all_hex(s, 2) && s[2] == ':' && all_hex(s + 3, 2) && s[5] == '.' && s[6] >= '0' &&
           s[6] <= '7' && !is_hex(s[7]);
}

static void lower_copy(char *dst, const char *src, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        dst[i] = (char)tolower((unsigned char)src[i]);
    dst[n] = '\0';
}

/* The first full BDF anywhere in msg, lower-cased into dev; "" when none. */
static void find_bdf(const char *msg, char *dev, size_t devlen)
{
    const char *p;

    dev[0] = '\0';
    if (devlen < 13)
        return;
    for (p = msg; *p; p++) {
        if (*p != ':' || p - msg < 4)
            continue;
        if (is_full_bdf(p - 4, msg)) {
            lower_copy(dev, p - 4, 12);
            return;
        }
    }
}

/* "0xbb:0xdd.f" (DMAR faults on some kernels, e.g. "Request device [0x00:0x02.0]") at s
 * becomes "0000:bb:dd.f". */
static bool hex_bdf_at(const char *s, char *dev, size_t devlen)
{
    char bdf[8];

    if (devlen < 13 || s[0] != '0' || s[1] != 'x' || !all_hex(s + 2, 2) || s[4] != ':' ||
        s[5] != '0' || s[6] != 'x' || !all_hex(s + 7, 2) || s[9] != '.' || s[10] < '0' ||
        s[10] > '7' || is_hex(s[11]))
        return false;
    memcpy(bdf, s + 2, 3);     /* "bb:" */
    memcpy(bdf + 3, s + 7, 4); /* "dd.f" */
    bdf[7] = '\0';
    memcpy(dev, "0000:", 5);
    lower_copy(dev + 5, bdf, 7);
    return true;
}

/* A short "bb:dd.f" right at s becomes "0000:bb:dd.f". The DMAR and old AMD-Vi formats print
 * no segment; segment 0 is the only one on the single-segment hosts ptdiag targets. */
static bool short_bdf_at(const char *s, char *dev, size_t devlen)
{
    if (devlen < 13 || !is_short_bdf(s))
        return false;
    memcpy(dev, "0000:", 5);
    lower_copy(dev + 5, s, 7);
    return true;
}

/* Parses a decimal (optionally signed) integer at s; returns false when there is none or it
 * is outside the int range (no code, Xid, errno or ms count comes near it). */
static bool parse_long(const char *s, long *out, const char **end)
{
    char *e;
    long v;

    if (!s ||
        !(isdigit((unsigned char)*s) || ((*s == '-' || *s == '+') && isdigit((unsigned char)s[1]))))
        return false;
    errno = 0;
    v = strtol(s, &e, 10);
    if (errno || v < INT_MIN || v > INT_MAX)
        return false;
    *out = v;
    if (end)
        *end = e;
    return true;
}

/* The index N of the last "BAR N" / "BARN" before `limit` (or anywhere when limit is NULL);
 * PTD_KMSG_NO_CODE when there is none. */
static long bar_index(const char *msg, const char *limit)
{
    const char *p = msg, *hit = NULL;
    long v = -1;

    while ((p = strstr(p, "BAR")) != NULL && (!limit || p < limit)) {
        hit = p;
        p += 3;
    }
    if (!hit)
        return PTD_KMSG_NO_CODE;
    hit += 3;
    if (*hit == ' ')
        hit++;
    if (!parse_long(hit, &v, NULL) || v < 0 || v > 16)
        return PTD_KMSG_NO_CODE;
    return v;
}

/* Text from the first '[' at or after p to its matching ']' (a resource "[mem 0x..]"). */
static void bracket_detail(const char *p, char *detail, size_t len)
{
    const char *open = p ? strchr(p, '[') : NULL;
    const char *close = open ? strchr(open, ']') : NULL;

    if (open && close)
        copy_clean(detail, len, open, (size_t)(close - open + 1));
}

static const char *after(const char *msg, const char *needle)
{
    const char *p = strstr(msg, needle);

    return p ? p + strlen(needle) : NULL;
}

/* ---- classification ------------------------------------------------------------------ */

static bool classify_nvrm(const char *msg, struct ptd_kmsg_event *ev)
{
    const char *p, *q;

    if (!strstr(msg, "NVRM"))
        return false;
    if ((p = after(msg, "Xid (PCI:")) != NULL) {
        /* "NVRM: Xid (PCI:0000:2b:00): 79, pid=1234, name=..., GPU has fallen off the bus." */
        ev->kind = PTD_KMSG_NVRM_XID;
        q = strchr(p, ')');
        if (q && (size_t)(q - p) < sizeof(ev->device))
            lower_copy(ev->device, p, (size_t)(q - p));
        if (q && q[1] == ':') {
            const char *rest;

            if (parse_long(q + 2 + strspn(q + 2, " "), &ev->code, &rest)) {
                rest += strspn(rest, ", ");
                copy_trimmed(ev->detail, sizeof(ev->detail), rest, strlen(rest));
            }
        }
        return true;
    }
    if ((p = strstr(msg, "has fallen off the bus")) != NULL) {
        /* "NVRM: GPU at PCI:0000:2b:00: GPU has fallen off the bus." */
        ev->kind = PTD_KMSG_NVRM_FALLEN_OFF_BUS;
        if ((q = after(msg, "PCI:")) != NULL && q < p) {
            size_t n = strcspn(q, ": ");
            /* the bus id is "dddd:bb:dd"; stop before the trailing ": " */
            if (n >= 4 && all_hex(q, 4) && q[4] == ':' && all_hex(q + 5, 2) && q[7] == ':' &&
                all_hex(q + 8, 2))
                lower_copy(ev->device, q, 10);
        }
        if (!ev->device[0])
            find_bdf(msg, ev->device, sizeof(ev->device));
        return true;
    }
    if (strstr(msg, "requires use of the NVIDIA open kernel modules")) {
        ev->kind = PTD_KMSG_NVRM_OPEN_REQUIRED;
        find_bdf(msg, ev->device, sizeof(ev->device));
        if ((p = after(msg, "PCI ID: ")) != NULL)
            copy_trimmed(ev->detail, sizeof(ev->detail), p, strcspn(p, ")"));
        return true;
    }
    if ((p = after(msg, "RmInitAdapter failed!")) != NULL) {
        /* The (a:b:c) tuple is opaque (catalogue §3.5): keep it verbatim. */
        ev->kind = PTD_KMSG_NVRM_RMINIT_FAILED;
        find_bdf(msg, ev->device, sizeof(ev->device));
        p = strchr(p, '(');
        if (p && (q = strchr(p, ')')) != NULL)
            copy_clean(ev->detail, sizeof(ev->detail), p + 1, (size_t)(q - p - 1));
        return true;
    }
    if ((p = after(msg, "rm_init_adapter failed")) != NULL) {
        ev->kind = PTD_KMSG_NVRM_INIT_FAILED;
        find_bdf(msg, ev->device, sizeof(ev->device));
        if ((q = after(p, "minor number ")) != NULL)
            parse_long(q, &ev->code, NULL);
        return true;
    }
    if ((p = after(msg, "API mismatch")) != NULL) {
        ev->kind = PTD_KMSG_NVRM_VERSION_MISMATCH;
        p += strspn(p, ": ");
        copy_trimmed(ev->detail, sizeof(ev->detail), p, strlen(p));
        return true;
    }
    return false;
}

static bool classify_iommu(const char *msg, struct ptd_kmsg_event *ev)
{
    const char *p;

    if (strstr(msg, "DMAR: IOMMU enabled") || strstr(msg, "AMD-Vi: Found IOMMU")) {
        ev->kind = PTD_KMSG_DMAR_ENABLED;
        find_bdf(msg, ev->device, sizeof(ev->device));
        strcpy(ev->detail, strstr(msg, "DMAR: IOMMU enabled") ? "intel" : "amd");
        return true;
    }
    if ((p = after(msg, "Enabled IRQ remapping in ")) != NULL) {
        /* "DMAR-IR: Enabled IRQ remapping in x2apic mode" */
        ev->kind = PTD_KMSG_IRQ_REMAP_ENABLED;
        copy_trimmed(ev->detail, sizeof(ev->detail), p, strcspn(p, " "));
        return true;
    }
    if (strstr(msg, "AMD-Vi: Interrupt remapping enabled")) {
        ev->kind = PTD_KMSG_IRQ_REMAP_ENABLED;
        strcpy(ev->detail, "amd");
        return true;
    }
    if (strstr(msg, "No interrupt remapping support")) {
        ev->kind = PTD_KMSG_IRQ_REMAP_MISSING;
        return true;
    }
    if ((p = after(msg, "Hypervisor detected: ")) != NULL) {
        ev->kind = PTD_KMSG_HYPERVISOR_DETECTED;
        copy_trimmed(ev->detail, sizeof(ev->detail), p, strlen(p));
        return true;
    }
    if ((strstr(msg, "[DMA Read") || strstr(msg, "[DMA Write") || strstr(msg, "[INTR-REMAP")) &&
        (p = after(msg, "Request device [")) != NULL) {
        /* "DMAR: [DMA Read NO_PASID] Request device [01:00.0] fault addr 0x.. [fault reason
         * 0x06] PTE Read access is not set" */
        const char *r;

        char *e;
        long reason;

        ev->kind = PTD_KMSG_DMAR_FAULT;
        if (!short_bdf_at(p, ev->device, sizeof(ev->device)) &&
            !hex_bdf_at(p, ev->device, sizeof(ev->device)))
            find_bdf(p, ev->device, sizeof(ev->device));
        if ((r = after(msg, "fault reason ")) != NULL) {
            /* "0x06" (5.x+) or "06" (older): one byte */
            reason = strtol(r, &e, 16);
            if (e != r && reason >= 0 && reason <= 0xff)
                ev->code = reason;
            r += strcspn(r, "]");
            if (*r == ']')
                r++;
            copy_trimmed(ev->detail, sizeof(ev->detail), r, strlen(r));
        }
        return true;
    }
    if ((p = strstr(msg, "IO_PAGE_FAULT")) != NULL) {
        /* "vfio-pci 0000:0b:00.0: AMD-Vi: Event logged [IO_PAGE_FAULT domain=0x000d
         * address=0x.. flags=0x0020]"; older kernels put "device=0b:00.0" inside. */
        const char *d = after(p, "device=");

        ev->kind = PTD_KMSG_AMDVI_PAGE_FAULT;
        if (d && !short_bdf_at(d, ev->device, sizeof(ev->device)))
            find_bdf(d, ev->device, sizeof(ev->device));
        if (!ev->device[0])
            find_bdf(msg, ev->device, sizeof(ev->device));
        copy_trimmed(ev->detail, sizeof(ev->detail), p, strcspn(p, "]"));
        return true;
    }
    return false;
}

static bool classify_pci(const char *msg, struct ptd_kmsg_event *ev)
{
    const char *p;

    if ((p = strstr(msg, "can't reserve")) != NULL && strstr(msg, "BAR")) {
        /* "BAR 1: can't reserve [mem ...]" (<= 6.7) and "BAR 1 [mem ...]: can't reserve" */
        ev->kind = PTD_KMSG_BAR_CANT_RESERVE;
        ev->code = bar_index(msg, p);
        bracket_detail(strstr(msg, "BAR"), ev->detail, sizeof(ev->detail));
        goto device;
    }
    if (strstr(msg, "not enough MMIO resources")) {
        ev->kind = PTD_KMSG_MMIO_NOT_ENOUGH;
        goto device;
    }
    if (strstr(msg, "BAR") && (p = strstr(msg, "no space for")) != NULL) {
        ev->kind = PTD_KMSG_BAR_NO_SPACE;
        ev->code = bar_index(msg, p);
        bracket_detail(p, ev->detail, sizeof(ev->detail));
        goto device;
    }
    if (strstr(msg, "BAR") && ((p = strstr(msg, "failed to assign")) != NULL ||
                               (p = strstr(msg, "can't assign; no space")) != NULL)) {
        ev->kind = PTD_KMSG_BAR_NO_SPACE;
        ev->code = bar_index(msg, p);
        bracket_detail(strstr(msg, "BAR"), ev->detail, sizeof(ev->detail));
        goto device;
    }
    if ((p = strstr(msg, "Invalid PCI ROM")) != NULL ||
        (p = strstr(msg, "No more image in the PCI ROM")) != NULL) {
        const char *got = after(p, "got ");

        ev->kind = PTD_KMSG_ROM_INVALID;
        if (got)
            copy_trimmed(ev->detail, sizeof(ev->detail), got, strcspn(got, " "));
        else
            copy_trimmed(ev->detail, sizeof(ev->detail), p, strlen(p));
        goto device;
    }
    if ((p = strstr(msg, "not ready ")) != NULL && strstr(p, "ms after ")) {
        /* "not ready 65535ms after FLR; giving up" (also "...; waiting") */
        ev->kind = PTD_KMSG_RESET_NOT_READY;
        parse_long(p + strlen("not ready "), &ev->code, NULL);
        p = after(p, "ms after ");
        copy_trimmed(ev->detail, sizeof(ev->detail), p, strlen(p));
        goto device;
    }
    if ((p = after(msg, "Unable to change power state from ")) != NULL &&
        strncmp(p, "D3cold", 6) == 0) {
        ev->kind = PTD_KMSG_D3COLD_STUCK;
        copy_trimmed(ev->detail, sizeof(ev->detail), p, strcspn(p, ","));
        goto device;
    }
    if (strstr(msg, "Unknown header type 7f")) {
        ev->kind = PTD_KMSG_DEVICE_GONE;
        goto device;
    }
    return false;
device:
    find_bdf(msg, ev->device, sizeof(ev->device));
    return true;
}

/* vendor-reset logs every step as "<driver> <dev>: AMD_NAVI10: <step>" ("performing
 * pre-reset", "timed out waiting for PSP to reach valid state", "reset result = 0") and
 * "vendor_reset_hook: ..." / "vendor-reset ..." from the module itself. */
static bool classify_vendor_reset(const char *msg, struct ptd_kmsg_event *ev)
{
    const char *p = strstr(msg, "AMD_"), *q;
    char dev[16];
    size_t n;

    if (p && (p == msg || p[-1] == ' ')) {
        n = strspn(p + 4, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
        /* A step names the device before the family; without one, only "reset" lines. */
        find_bdf(msg, dev, sizeof(dev));
        if (n > 0 && p[4 + n] == ':' && (strstr(p, "reset") || (dev[0] && strstr(msg, dev) < p))) {
            ev->kind = PTD_KMSG_VENDOR_RESET;
            copy_clean(ev->detail, sizeof(ev->detail), p, n + 4);
            if ((q = after(p, "reset result = ")) != NULL)
                parse_long(q, &ev->code, NULL);
            find_bdf(msg, ev->device, sizeof(ev->device));
            return true;
        }
    }
    if (strstr(msg, "vendor_reset") || strstr(msg, "vendor-reset")) {
        ev->kind = PTD_KMSG_VENDOR_RESET;
        find_bdf(msg, ev->device, sizeof(ev->device));
        return true;
    }
    return false;
}

static bool classify_gpu_drivers(const char *msg, struct ptd_kmsg_event *ev)
{
    const char *p, *q;

    if (strstr(msg, "Unable to locate a BIOS ROM")) {
        ev->kind = PTD_KMSG_AMDGPU_NO_BIOS;
        goto device;
    }
    if (strstr(msg, "Fatal error during GPU init")) {
        ev->kind = PTD_KMSG_AMDGPU_INIT_FAILED;
        goto device;
    }
    if ((p = strstr(msg, "ailed to resize BAR")) != NULL && p > msg &&
        (p[-1] == 'F' || p[-1] == 'f')) {
        /* xe/i915: "Failed to resize BAR2 to 8192M (-ENOSPC). Consider enabling ..." */
        ev->kind = PTD_KMSG_BAR_RESIZE_FAILED;
        p += strlen("ailed to resize BAR");
        parse_long(p + strspn(p, " "), &ev->code, NULL);
        if ((q = after(p, " to ")) != NULL)
            copy_trimmed(ev->detail, sizeof(ev->detail), q, strcspn(q, "."));
        goto device;
    }
    if (strstr(msg, "Failed to initialize GPU, declaring it wedged") &&
        (strncmp(msg, "i915", 4) == 0 || strstr(msg, "[drm]"))) {
        /* "i915 0000:00:02.0: [drm] *ERROR* GT0: Failed to initialize GPU, declaring it
         * wedged!" (GuC/HuC firmware missing or the GT not coming up) */
        ev->kind = PTD_KMSG_I915_INIT_FAILED;
        copy_clean(ev->detail, sizeof(ev->detail), msg, strcspn(msg, " "));
        goto device;
    }
    if ((p = after(msg, "Device initialization failed")) != NULL &&
        (strncmp(msg, "i915", 4) == 0 || strncmp(msg, "xe ", 3) == 0 || strstr(msg, "[drm]"))) {
        ev->kind = PTD_KMSG_I915_INIT_FAILED;
        p += strspn(p, " (");
        parse_long(p, &ev->code, NULL);
        copy_clean(ev->detail, sizeof(ev->detail), msg, strcspn(msg, " "));
        goto device;
    }
    if ((p = strstr(msg, "failed with error ")) != NULL && strstr(msg, "probe")) {
        /* "amdgpu: probe of 0000:03:00.0 failed with error -22" (<= 6.x) and
         * "amdgpu 0000:03:00.0: probe with driver amdgpu failed with error -22" */
        ev->kind = PTD_KMSG_PROBE_FAILED;
        parse_long(p + strlen("failed with error "), &ev->code, NULL);
        if ((q = after(msg, "probe with driver ")) != NULL)
            copy_clean(ev->detail, sizeof(ev->detail), q, strcspn(q, " "));
        else
            copy_clean(ev->detail, sizeof(ev->detail), msg, strcspn(msg, ": "));
        goto device;
    }
    return false;
device:
    find_bdf(msg, ev->device, sizeof(ev->device));
    return true;
}

/* NVIDIA prints some messages over several lines, each prefixed "NVRM: " again ("...
 * installed in this system has\nNVRM: fallen off the bus ..."). Joined into one message, the
 * repeated prefixes are dropped so the text reads as one sentence. Returns msg itself when
 * there is nothing to drop, else buf. */
static const char *nvrm_unsplit(const char *msg, char *buf, size_t len)
{
    const char *p = msg, *hit, *from = msg + 6;
    size_t n = 0, k;

    if (strncmp(msg, "NVRM: ", 6) != 0 || !strstr(from, " NVRM: "))
        return msg;
    while ((hit = strstr(from, " NVRM: ")) != NULL) {
        k = (size_t)(hit - p) + 1; /* up to and with the space */
        if (k > len - 1 - n)
            k = len - 1 - n;
        memcpy(buf + n, p, k);
        n += k;
        p = from = hit + 7;
    }
    k = strlen(p);
    if (k > len - 1 - n)
        k = len - 1 - n;
    memcpy(buf + n, p, k);
    buf[n + k] = '\0';
    return buf;
}

bool ptd_kmsg_classify(const char *msg, struct ptd_kmsg_event *ev)
{
    double t = ev->time_s;
    char joined[1024];

    if (!msg)
        return false;
    msg = nvrm_unsplit(msg, joined, sizeof(joined));
    memset(ev, 0, sizeof(*ev));
    ev->time_s = t;
    ev->code = PTD_KMSG_NO_CODE;
    if (!classify_nvrm(msg, ev) && !classify_iommu(msg, ev) && !classify_gpu_drivers(msg, ev) &&
        !classify_pci(msg, ev) && !classify_vendor_reset(msg, ev))
        return false;
    copy_trimmed(ev->text, sizeof(ev->text), msg, strlen(msg));
    return true;
}

/* ---- splitting ------------------------------------------------------------------------ */

struct msgbuf {
    char *data;
    size_t len, cap;
    double time_s;
    bool open;   /* a message is being built */
    bool failed; /* allocation failed: the current message is dropped */
};

static void mb_append(struct msgbuf *mb, const char *s, size_t n)
{
    if (mb->failed)
        return;
    if (mb->len + n > KMSG_MAX_MESSAGE)
        n = mb->len < KMSG_MAX_MESSAGE ? KMSG_MAX_MESSAGE - mb->len : 0;
    if (mb->len + n + 1 > mb->cap) {
        size_t cap = mb->cap ? mb->cap : 256;
        char *d;

        while (cap < mb->len + n + 1)
            cap *= 2;
        d = realloc(mb->data, cap);
        if (!d) {
            mb->failed = true;
            return;
        }
        mb->data = d;
        mb->cap = cap;
    }
    memcpy(mb->data + mb->len, s, n);
    mb->len += n;
    mb->data[mb->len] = '\0';
}

/* Appends /dev/kmsg text, undoing its "\xNN" escapes (a newline inside a message is
 * written as "\x0a"); control characters become spaces. */
static void mb_append_unescaped(struct msgbuf *mb, const char *s, size_t n)
{
    size_t i = 0, run = 0;

    while (i < n) {
        if (s[i] == '\\' && i + 3 < n + 0 && s[i + 1] == 'x' && is_hex(s[i + 2]) &&
            is_hex(s[i + 3])) {
            char hex[3] = {s[i + 2], s[i + 3], '\0'};
            char c = (char)strtol(hex, NULL, 16);

            mb_append(mb, s + run, i - run);
            if ((unsigned char)c < 0x20)
                c = ' ';
            mb_append(mb, &c, 1);
            i += 4;
            run = i;
            continue;
        }
        i++;
    }
    mb_append(mb, s + run, n - run);
}

/* Appends syslog text, undoing rsyslog's control-character escapes: "#012" (a newline inside
 * a message, where dmesg would indent a continuation line) and the like become a space. */
static void mb_append_syslog(struct msgbuf *mb, const char *s, size_t n)
{
    size_t i = 0, run = 0;

    while (i + 4 <= n) {
        if (s[i] == '#' && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' &&
            s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7' &&
            ((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0')) < 0x20) {
            mb_append(mb, s + run, i - run);
            mb_append(mb, " ", 1);
            i += 4;
            run = i;
            continue;
        }
        i++;
    }
    mb_append(mb, s + run, n - run);
}

/* Emits the message being built; returns false when the callback asked to stop. */
static bool mb_flush(struct msgbuf *mb, ptd_kmsg_line_fn fn, void *user)
{
    bool go = true;

    if (mb->open && !mb->failed && mb->data)
        go = fn(mb->time_s, mb->data, user);
    mb->open = false;
    mb->failed = false;
    mb->len = 0;
    if (mb->data)
        mb->data[0] = '\0';
    return go;
}

/* "prio,seq,usec,flags;" (flags may be empty or "-" / "c"); returns the text start or NULL.
 * usec gets the timestamp. */
static const char *kmsg_record_text(const char *line, size_t n, double *time_s)
{
    const char *p = line, *end = line + n;
    unsigned long long field[3] = {0, 0, 0};
    int i;

    for (i = 0; i < 3; i++) {
        const char *start = p;
        unsigned long long v = 0;

        while (p < end && *p >= '0' && *p <= '9') {
            if (v > UINT64_MAX / 10 - 10)
                return NULL;
            v = v * 10 + (unsigned long long)(*p - '0');
            p++;
        }
        if (p == start || p >= end || *p != ',')
            return NULL;
        field[i] = v;
        p++;
    }
    /* flags ("-", "c", "+"), and on some kernels more ",key=value" fields, up to ';' */
    while (p < end && *p != ';' && p - line < 128)
        p++;
    if (p >= end || *p != ';')
        return NULL;
    *time_s = (double)field[2] / 1e6;
    return p + 1;
}

void ptd_kmsg_split(const char *buf, size_t len, ptd_kmsg_line_fn fn, void *user)
{
    struct msgbuf mb = {0};
    const char *p = buf, *end = buf + len;
    bool last_was_kmsg = false;

    if (!buf || !fn)
        return;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        const char *text;
        double t;

        if (n > 0 && p[n - 1] == '\r')
            n--;
        if (n == 0) {
            /* an empty line ends a message */
            if (!mb_flush(&mb, fn, user))
                goto out;
        } else if (p[0] == ' ' || p[0] == '\t') {
            /* /dev/kmsg dictionary ("SUBSYSTEM=pci") or a dmesg continuation line */
            if (!last_was_kmsg && mb.open) {
                size_t skip = 0;

                /* bounded by n: the buffer need not be NUL-terminated */
                while (skip < n && (p[skip] == ' ' || p[skip] == '\t'))
                    skip++;
                mb_append(&mb, " ", 1);
                mb_append(&mb, p + skip, n - skip);
            }
        } else if ((text = kmsg_record_text(p, n, &t)) != NULL) {
            if (!mb_flush(&mb, fn, user))
                goto out;
            mb.open = true;
            mb.time_s = t;
            mb_append_unescaped(&mb, text, (size_t)(p + n - text));
            last_was_kmsg = true;
        } else {
            struct kmsg_prefix pre;

            if (!mb_flush(&mb, fn, user))
                goto out;
            /* dmesg (-T, -H, -t), journalctl -k, kern.log: see kmsg_prefix.h */
            text = kmsg_strip_prefix(p, n, &pre);
            last_was_kmsg = false;
            if (!pre.other) {
                mb.open = true;
                mb.time_s = pre.time_s;
                if (pre.syslog)
                    mb_append_syslog(&mb, text, (size_t)(p + n - text));
                else
                    mb_append(&mb, text, (size_t)(p + n - text));
            }
        }
        if (!nl)
            break;
        p = nl + 1;
    }
    mb_flush(&mb, fn, user);
out:
    free(mb.data);
}

/* ---- collection ----------------------------------------------------------------------- */

/* At most this many consecutive unclassified "NVRM: " lines are joined: NVIDIA's longest
 * split message ("The NVIDIA GPU ... / (PCI ID: ...) installed in this system has / fallen
 * off the bus ...") has three. */
#define NVRM_JOIN_LINES 4

struct collector {
    struct ptd_kmsg_event *ring; /* the newest max events, oldest at `head` once full */
    size_t cap, count, head, max;
    bool oom;
    char nvrm[1024]; /* consecutive unclassified NVRM lines, joined; "" when none */
    double nvrm_time;
    unsigned nvrm_lines;
};

static bool store_event(struct collector *c, const struct ptd_kmsg_event *ev);

/* A message that did not classify alone: when it continues unclassified NVRM lines, the
 * joined text may (dmesg -t, or a log where each line became its own record). */
static bool classify_nvrm_joined(struct collector *c, double time_s, const char *msg,
                                 struct ptd_kmsg_event *ev)
{
    bool is_nvrm = strncmp(msg, "NVRM: ", 6) == 0;
    size_t used = strlen(c->nvrm);

    if (is_nvrm && used && c->nvrm_lines < NVRM_JOIN_LINES &&
        used + 1 + strlen(msg) < sizeof(c->nvrm)) {
        c->nvrm[used] = ' ';
        memcpy(c->nvrm + used + 1, msg, strlen(msg) + 1);
        c->nvrm_lines++;
        ev->time_s = c->nvrm_time;
        if (ptd_kmsg_classify(c->nvrm, ev)) {
            c->nvrm[0] = '\0';
            return true;
        }
        return false;
    }
    c->nvrm[0] = '\0';
    if (is_nvrm && strlen(msg) < sizeof(c->nvrm)) {
        memcpy(c->nvrm, msg, strlen(msg) + 1);
        c->nvrm_time = time_s;
        c->nvrm_lines = 1;
    }
    return false;
}

static bool collect_one(double time_s, const char *msg, void *user)
{
    struct collector *c = user;
    struct ptd_kmsg_event ev;

    ev.time_s = time_s;
    if (ptd_kmsg_classify(msg, &ev))
        c->nvrm[0] = '\0';
    else if (!classify_nvrm_joined(c, time_s, msg, &ev))
        return true;
    return store_event(c, &ev);
}

static bool store_event(struct collector *c, const struct ptd_kmsg_event *ev)
{
    if (c->count < c->max) {
        if (c->count == c->cap) {
            size_t cap = c->cap ? c->cap * 2 : 32;
            struct ptd_kmsg_event *r;

            if (cap > c->max)
                cap = c->max;
            r = realloc(c->ring, cap * sizeof(*r));
            if (!r) {
                c->oom = true;
                return false;
            }
            c->ring = r;
            c->cap = cap;
        }
        c->ring[c->count++] = *ev;
    } else {
        c->ring[c->head] = *ev;
        c->head = (c->head + 1) % c->max;
    }
    return true;
}

int ptd_kmsg_collect(const char *buf, size_t len, cJSON *events, size_t max_events)
{
    struct collector c = {0};
    size_t i;
    int added = 0;

    if (!events || max_events == 0)
        return 0;
    c.max = max_events;
    ptd_kmsg_split(buf, len, collect_one, &c);
    for (i = 0; i < c.count; i++) {
        cJSON *o = ptd_kmsg_event_to_json(&c.ring[(c.head + i) % c.count]);

        if (!o || !cJSON_AddItemToArray(events, o)) {
            cJSON_Delete(o);
            break;
        }
        added++;
    }
    free(c.ring);
    return added;
}

cJSON *ptd_kmsg_event_to_json(const struct ptd_kmsg_event *ev)
{
    cJSON *o = cJSON_CreateObject();

    if (!o)
        return NULL;
    if (!cJSON_AddStringToObject(o, "kind", ptd_kmsg_kind_name(ev->kind)))
        goto fail;
    if (!(ev->time_s >= 0 ? cJSON_AddNumberToObject(o, "time_s", ev->time_s)
                          : cJSON_AddNullToObject(o, "time_s")))
        goto fail;
    if (!(ev->device[0] ? cJSON_AddStringToObject(o, "device", ev->device)
                        : cJSON_AddNullToObject(o, "device")))
        goto fail;
    if (!(ev->code != PTD_KMSG_NO_CODE ? cJSON_AddNumberToObject(o, "code", (double)ev->code)
                                       : cJSON_AddNullToObject(o, "code")))
        goto fail;
    if (!(ev->detail[0] ? cJSON_AddStringToObject(o, "detail", ev->detail)
                        : cJSON_AddNullToObject(o, "detail")))
        goto fail;
    if (!cJSON_AddStringToObject(o, "text", ev->text))
        goto fail;
    return o;
fail:
    cJSON_Delete(o);
    return NULL;
}

/* SPDX-License-Identifier: MIT */
/*
 * Kernel log classification and splitting: one realistic line per kind (as the kernel,
 * NVIDIA, amdgpu, xe/i915 and vendor-reset print them), both log formats, torn and garbage
 * input, very long lines, and the newest-N cap of ptd_kmsg_collect.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "ptdiag/kmsg.h"

#define NC PTD_KMSG_NO_CODE

struct expect {
    const char *msg;
    enum ptd_kmsg_kind kind;
    const char *device; /* "" = none */
    long code;
    const char *detail; /* "" = none */
};

static const struct expect cases[] = {
    {"DMAR: IOMMU enabled", PTD_KMSG_DMAR_ENABLED, "", NC, "intel"},
    {"pci 0000:00:00.2: AMD-Vi: Found IOMMU cap 0x40", PTD_KMSG_DMAR_ENABLED, "0000:00:00.2", NC,
     "amd"},
    {"DMAR-IR: Enabled IRQ remapping in x2apic mode", PTD_KMSG_IRQ_REMAP_ENABLED, "", NC, "x2apic"},
    {"DMAR-IR: Enabled IRQ remapping in xapic mode", PTD_KMSG_IRQ_REMAP_ENABLED, "", NC, "xapic"},
    {"AMD-Vi: Interrupt remapping enabled", PTD_KMSG_IRQ_REMAP_ENABLED, "", NC, "amd"},
    {"vfio_iommu_type1_attach_group: No interrupt remapping support.  Use the module param "
     "\"allow_unsafe_interrupts\" to enable VFIO IOMMU support on this platform",
     PTD_KMSG_IRQ_REMAP_MISSING, "", NC, ""},
    {"Hypervisor detected: KVM", PTD_KMSG_HYPERVISOR_DETECTED, "", NC, "KVM"},
    {"DMAR: [DMA Read NO_PASID] Request device [01:00.0] fault addr 0xfff01000 [fault reason "
     "0x06] PTE Read access is not set",
     PTD_KMSG_DMAR_FAULT, "0000:01:00.0", 6, "PTE Read access is not set"},
    {"DMAR: [DMA Write NO_PASID] Request device [2b:00.1] fault addr 0x7f000000 [fault reason "
     "0x05] PTE Write access is not set",
     PTD_KMSG_DMAR_FAULT, "0000:2b:00.1", 5, "PTE Write access is not set"},
    {"vfio-pci 0000:0b:00.0: AMD-Vi: Event logged [IO_PAGE_FAULT domain=0x000d "
     "address=0xfd000000 flags=0x0020]",
     PTD_KMSG_AMDVI_PAGE_FAULT, "0000:0b:00.0", NC,
     "IO_PAGE_FAULT domain=0x000d address=0xfd000000 flags=0x0020"},
    {"AMD-Vi: Event logged [IO_PAGE_FAULT device=0b:00.1 domain=0x0000 address=0x0 "
     "flags=0x0000]",
     PTD_KMSG_AMDVI_PAGE_FAULT, "0000:0b:00.1", NC,
     "IO_PAGE_FAULT device=0b:00.1 domain=0x0000 address=0x0 flags=0x0000"},
    {"vfio-pci 0000:01:00.0: BAR 1: can't reserve [mem 0xc0000000-0xcfffffff 64bit pref]",
     PTD_KMSG_BAR_CANT_RESERVE, "0000:01:00.0", 1, "[mem 0xc0000000-0xcfffffff 64bit pref]"},
    {"vfio-pci 0000:01:00.0: BAR 3 [mem 0x6000000000-0x6001ffffff 64bit pref]: can't reserve",
     PTD_KMSG_BAR_CANT_RESERVE, "0000:01:00.0", 3, "[mem 0x6000000000-0x6001ffffff 64bit pref]"},
    {"pci 0000:00:01.0: not enough MMIO resources for SR-IOV", PTD_KMSG_MMIO_NOT_ENOUGH,
     "0000:00:01.0", NC, ""},
    {"pci 0000:03:00.0: BAR 0: no space for [mem size 0x400000000 64bit pref]",
     PTD_KMSG_BAR_NO_SPACE, "0000:03:00.0", 0, "[mem size 0x400000000 64bit pref]"},
    {"pci 0000:03:00.0: BAR 2: failed to assign [mem size 0x200000000 64bit pref]",
     PTD_KMSG_BAR_NO_SPACE, "0000:03:00.0", 2, "[mem size 0x200000000 64bit pref]"},
    {"pci 0000:03:00.0: BAR 2 [mem size 0x200000000 64bit pref]: can't assign; no space",
     PTD_KMSG_BAR_NO_SPACE, "0000:03:00.0", 2, "[mem size 0x200000000 64bit pref]"},
    {"vfio-pci 0000:0c:00.0: Invalid PCI ROM header signature: expecting 0xaa55, got 0xffff",
     PTD_KMSG_ROM_INVALID, "0000:0c:00.0", NC, "0xffff"},
    {"pci 0000:0c:00.0: Invalid PCI ROM data signature: expecting 0x52494350, got 0x00000000",
     PTD_KMSG_ROM_INVALID, "0000:0c:00.0", NC, "0x00000000"},
    {"pci 0000:0c:00.0: No more image in the PCI ROM", PTD_KMSG_ROM_INVALID, "0000:0c:00.0", NC,
     "No more image in the PCI ROM"},
    {"vfio-pci 0000:0c:00.0: not ready 65535ms after FLR; giving up", PTD_KMSG_RESET_NOT_READY,
     "0000:0c:00.0", 65535, "FLR; giving up"},
    {"vfio-pci 0000:0c:00.0: not ready 1023ms after bus reset; waiting", PTD_KMSG_RESET_NOT_READY,
     "0000:0c:00.0", 1023, "bus reset; waiting"},
    {"vfio-pci 0000:0c:00.0: Unable to change power state from D3cold to D0, device "
     "inaccessible",
     PTD_KMSG_D3COLD_STUCK, "0000:0c:00.0", NC, "D3cold to D0"},
    {"pci 0000:0c:00.0: Unknown header type 7f", PTD_KMSG_DEVICE_GONE, "0000:0c:00.0", NC, ""},
    {"vfio-pci 0000:0b:00.0: AMD_NAVI10: performing pre-reset", PTD_KMSG_VENDOR_RESET,
     "0000:0b:00.0", NC, "AMD_NAVI10"},
    {"vfio-pci 0000:0b:00.0: AMD_NAVI14: reset result = 0", PTD_KMSG_VENDOR_RESET, "0000:0b:00.0",
     0, "AMD_NAVI14"},
    {"vendor_reset_hook: installed", PTD_KMSG_VENDOR_RESET, "", NC, ""},
    {"NVRM: Xid (PCI:0000:2b:00): 79, pid=2471, name=Xorg, GPU has fallen off the bus.",
     PTD_KMSG_NVRM_XID, "0000:2b:00", 79, "pid=2471, name=Xorg, GPU has fallen off the bus"},
    {"NVRM: Xid (PCI:0000:06:00): 119, pid=1009, name=nvidia-smi, Timeout after 6s of waiting "
     "for RPC response from GPU0 GSP!",
     PTD_KMSG_NVRM_XID, "0000:06:00", 119,
     "pid=1009, name=nvidia-smi, Timeout after 6s of waiting for RPC response from GPU0 GSP!"},
    {"NVRM: GPU at PCI:0000:2b:00: GPU-5c1b1d0e-8f1b-3c9e-1a2b-3c4d5e6f7a8b",
     (enum ptd_kmsg_kind) - 1, "", NC, ""},
    {"NVRM: GPU at PCI:0000:2b:00: GPU has fallen off the bus.", PTD_KMSG_NVRM_FALLEN_OFF_BUS,
     "0000:2b:00", NC, ""},
    {"NVRM: The NVIDIA GPU 0000:01:00.0 (PCI ID: 10de:2bb1) installed in this system requires "
     "use of the NVIDIA open kernel modules.",
     PTD_KMSG_NVRM_OPEN_REQUIRED, "0000:01:00.0", NC, "10de:2bb1"},
    {"NVRM: GPU 0000:01:00.0: RmInitAdapter failed! (0x22:0x56:1017)", PTD_KMSG_NVRM_RMINIT_FAILED,
     "0000:01:00.0", NC, "0x22:0x56:1017"},
    {"NVRM: GPU 0000:01:00.0: rm_init_adapter failed, device minor number 0",
     PTD_KMSG_NVRM_INIT_FAILED, "0000:01:00.0", 0, ""},
    {"NVRM: API mismatch: the client has the version 550.54.14, but NVRM: this kernel module "
     "has the version 550.67.  Please make sure that this kernel module and all NVIDIA driver "
     "components have the same version.",
     PTD_KMSG_NVRM_VERSION_MISMATCH, "", NC, NULL},
    {"[drm:amdgpu_get_bios [amdgpu]] *ERROR* Unable to locate a BIOS ROM", PTD_KMSG_AMDGPU_NO_BIOS,
     "", NC, ""},
    {"amdgpu 0000:03:00.0: amdgpu: Fatal error during GPU init", PTD_KMSG_AMDGPU_INIT_FAILED,
     "0000:03:00.0", NC, ""},
    {"amdgpu: probe of 0000:03:00.0 failed with error -22", PTD_KMSG_PROBE_FAILED, "0000:03:00.0",
     -22, "amdgpu"},
    {"amdgpu 0000:03:00.0: probe with driver amdgpu failed with error -22", PTD_KMSG_PROBE_FAILED,
     "0000:03:00.0", -22, "amdgpu"},
    {"xe 0000:03:00.0: [drm] Failed to resize BAR2 to 8192M (-ENOSPC). Consider enabling "
     "'Resizable BAR' support in your BIOS",
     PTD_KMSG_BAR_RESIZE_FAILED, "0000:03:00.0", 2, "8192M (-ENOSPC)"},
    {"i915 0000:03:00.0: [drm] Failed to resize BAR2 to 16384M (-28)", PTD_KMSG_BAR_RESIZE_FAILED,
     "0000:03:00.0", 2, "16384M (-28)"},
    /* github.com/thesofproject/sof-test/issues/767, /744; pop-os/cosmic-epoch/issues/2146;
     * gnif/vendor-reset/issues/25 */
    {"i915 0000:00:02.0: Failed to initialize GPU, declaring it wedged!", PTD_KMSG_I915_INIT_FAILED,
     "0000:00:02.0", NC, "i915"},
    {"DMAR: [DMA Read NO_PASID] Request device [0x00:0x02.0] fault addr 0x70ad5000 [fault reason "
     "0x07] Next page table ptr is invalid",
     PTD_KMSG_DMAR_FAULT, "0000:00:02.0", 7, "Next page table ptr is invalid"},
    {"nvidia 0000:01:00.0: probe with driver nvidia failed with error -1", PTD_KMSG_PROBE_FAILED,
     "0000:01:00.0", -1, "nvidia"},
    {"vfio-pci 0000:0c:00.0: AMD_NAVI14: timed out waiting for PSP to reach valid state, but "
     "continuing anyway",
     PTD_KMSG_VENDOR_RESET, "0000:0c:00.0", NC, "AMD_NAVI14"},
    {"NVRM: The NVIDIA GPU 0000:b3:00.0 NVRM: (PCI ID: 10de:26b5) installed in this system has "
     "NVRM: fallen off the bus and is not responding to commands.",
     PTD_KMSG_NVRM_FALLEN_OFF_BUS, "0000:b3:00.0", NC, ""},
    {"i915 0000:00:02.0: Device initialization failed (-19)", PTD_KMSG_I915_INIT_FAILED,
     "0000:00:02.0", -19, "i915"},
    /* kernel/module/signing.c "Loading of %s is rejected" for each reason it names, and
     * security/lockdown's "Lockdown: %s: %s is restricted" for LOCKDOWN_MODULE_SIGNATURE */
    {"Loading of unsigned module is rejected", PTD_KMSG_MODULE_SIG_REJECTED, "", NC,
     "unsigned module"},
    {"Loading of module with unavailable key is rejected", PTD_KMSG_MODULE_SIG_REJECTED, "", NC,
     "module with unavailable key"},
    {"Lockdown: modprobe: unsigned module loading is restricted; see man kernel_lockdown.7",
     PTD_KMSG_MODULE_SIG_REJECTED, "", NC, "unsigned module loading (lockdown)"},
    /* lines that must not match */
    {"Lockdown: swapper/0: hibernation is restricted; see man kernel_lockdown.7",
     (enum ptd_kmsg_kind) - 1, "", NC, ""},
    {"vfio-pci 0000:01:00.0: vfio_ecap_init: hiding ecap 0x19@0x900", (enum ptd_kmsg_kind) - 1, "",
     NC, ""},
    {"pci 0000:01:00.0: BAR 1 [mem 0x6000000000-0x600fffffff 64bit pref]: assigned",
     (enum ptd_kmsg_kind) - 1, "", NC, ""},
    {"Linux version 6.8.12-4-pve (build@proxmox) (gcc (Debian 12.2.0-14) 12.2.0)",
     (enum ptd_kmsg_kind) - 1, "", NC, ""},
    {"", (enum ptd_kmsg_kind) - 1, "", NC, ""},
};

static void test_classify_every_kind(void **state)
{
    bool seen[PTD_KMSG_KIND_COUNT] = {false};
    size_t i;
    int k;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct expect *e = &cases[i];
        struct ptd_kmsg_event ev;
        bool hit;

        ev.time_s = 12.5;
        hit = ptd_kmsg_classify(e->msg, &ev);
        if ((int)e->kind < 0) {
            if (hit)
                fail_msg("'%s' classified as %s", e->msg, ptd_kmsg_kind_name(ev.kind));
            continue;
        }
        if (!hit)
            fail_msg("'%s' not classified", e->msg);
        if (ev.kind != e->kind)
            fail_msg("'%s': %s, expected %s", e->msg, ptd_kmsg_kind_name(ev.kind),
                     ptd_kmsg_kind_name(e->kind));
        assert_string_equal(ev.device, e->device);
        assert_int_equal(ev.code, e->code);
        if (e->detail)
            assert_string_equal(ev.detail, e->detail);
        assert_true(ev.time_s == 12.5);
        assert_true(strlen(ev.text) > 0);
        seen[e->kind] = true;
    }
    for (k = 0; k < PTD_KMSG_KIND_COUNT; k++)
        if (!seen[k])
            fail_msg("kind %s has no test line", ptd_kmsg_kind_name((enum ptd_kmsg_kind)k));
}

static void test_kind_names(void **state)
{
    (void)state;
    assert_string_equal(ptd_kmsg_kind_name(PTD_KMSG_NVRM_XID), "nvrm-xid");
    assert_string_equal(ptd_kmsg_kind_name(PTD_KMSG_IRQ_REMAP_MISSING), "irq-remapping-missing");
    assert_string_equal(ptd_kmsg_kind_name(PTD_KMSG_KIND_COUNT), "unknown");
}

/* ---- splitting ---- */

struct split_log {
    int n;
    double t[16];
    char msg[16][256];
};

static bool record(double t, const char *msg, void *user)
{
    struct split_log *l = user;

    if (l->n < 16) {
        l->t[l->n] = t;
        snprintf(l->msg[l->n], sizeof(l->msg[0]), "%s", msg);
    }
    l->n++;
    return true;
}

static struct split_log split(const char *log)
{
    struct split_log l = {0};

    ptd_kmsg_split(log, strlen(log), record, &l);
    return l;
}

static void test_split_dmesg(void **state)
{
    static const char log[] = "[    0.000000] Linux version 6.8.12-4-pve (build@proxmox)\n"
                              "[    0.412345] DMAR: IOMMU enabled\n"
                              "[   12.004001] vfio-pci 0000:01:00.0: not ready 65535ms after FLR;\n"
                              "                giving up\n"
                              "\r\n"
                              "[Sun Nov 22 20:00:00 2026] Hypervisor detected: KVM\n"
                              "[drm] no prefix here\n"
                              "[  100.5] last line without newline";
    struct split_log l = {0};

    (void)state;
    ptd_kmsg_split(log, strlen(log), record, &l);
    assert_int_equal(l.n, 6);
    assert_true(l.t[0] == 0.0);
    assert_true(l.t[1] > 0.4123 && l.t[1] < 0.4124);
    assert_string_equal(l.msg[1], "DMAR: IOMMU enabled");
    assert_string_equal(l.msg[2], "vfio-pci 0000:01:00.0: not ready 65535ms after FLR; giving up");
    assert_true(l.t[3] < 0);
    assert_string_equal(l.msg[3], "Hypervisor detected: KVM");
    assert_true(l.t[4] < 0);
    assert_string_equal(l.msg[4], "[drm] no prefix here");
    assert_true(l.t[5] == 100.5);
    assert_string_equal(l.msg[5], "last line without newline");
}

static void test_split_kmsg(void **state)
{
    static const char log[] =
        "6,1,0,-;Linux version 6.8.12-4-pve\n"
        "6,402,412345,-;DMAR: IOMMU enabled\n"
        "4,1210,5012345,-;vfio-pci 0000:01:00.0: BAR 1: can't reserve [mem 0xc0000000-0xcfffffff "
        "64bit pref]\n"
        " SUBSYSTEM=pci\n"
        " DEVICE=+pci:0000:01:00.0\n"
        "3,1300,6000000,c,caller=T1;NVRM: line one\\x0aline two\\x5c\n"
        "3,1301,7000000,-;\n";
    struct split_log l = {0};

    (void)state;
    ptd_kmsg_split(log, strlen(log), record, &l);
    assert_int_equal(l.n, 5);
    assert_true(l.t[1] > 0.41234 && l.t[1] < 0.41235);
    assert_string_equal(l.msg[2], "vfio-pci 0000:01:00.0: BAR 1: can't reserve [mem "
                                  "0xc0000000-0xcfffffff 64bit pref]");
    assert_true(l.t[2] > 5.0123 && l.t[2] < 5.0124);
    assert_string_equal(l.msg[3], "NVRM: line one line two\\");
    assert_true(l.t[3] == 6.0);
    assert_string_equal(l.msg[4], "");
}

/* journalctl -k, rsyslog (traditional and RFC 3339), dmesg -H and -r: the prefixes go, the
 * seconds-since-boot stamp after them is kept, other programs' syslog lines are skipped. The
 * bumblebeed line is from github.com/Bumblebee-Project/Bumblebee/issues/550. */
static void test_split_syslog_journal(void **state)
{
    static const char log[] =
        "May 08 12:09:45 bazzite kernel: NVRM: This PCI I/O region assigned to your NVIDIA "
        "device is invalid:\n"
        "                                NVRM: BAR1 is 0M @ 0x0 (PCI:0000:08:00.0)\n"
        "Mar 05 23:33:35 ivosung bumblebeed[1734]: [91063.874832] [ERROR][XORG] (EE) NVIDIA\n"
        "Nov 22 12:00:00 pve kernel: [   21.092238] NVRM: GPU 0000:01:00.0: rm_init_adapter "
        "failed#012NVRM: second line\n"
        "2026-11-22T12:00:00.123456+01:00 pve kernel: [    5.289573] i915 0000:00:02.0: x\n"
        "[Nov22 12:00] amdgpu: probe of 0000:c3:00.0 failed with error -12\n"
        "[  +0.000011] i915 0000:00:02.0: y\n"
        "<4>[    3.469533] ---[ end trace 0000000000000000 ]---\n"
        "[    5.289539] kernel: i915 0000:00:02.0: z\n";
    struct split_log l = split(log);

    (void)state;
    assert_int_equal(l.n, 7);
    assert_true(l.t[0] < 0);
    assert_string_equal(l.msg[0], "NVRM: This PCI I/O region assigned to your NVIDIA device is "
                                  "invalid: NVRM: BAR1 is 0M @ 0x0 (PCI:0000:08:00.0)");
    assert_true(l.t[1] > 21.0922 && l.t[1] < 21.0923);
    assert_string_equal(l.msg[1],
                        "NVRM: GPU 0000:01:00.0: rm_init_adapter failed NVRM: second line");
    assert_true(l.t[2] > 5.2895 && l.t[2] < 5.2896);
    assert_string_equal(l.msg[2], "i915 0000:00:02.0: x");
    assert_true(l.t[3] < 0);
    assert_string_equal(l.msg[3], "amdgpu: probe of 0000:c3:00.0 failed with error -12");
    assert_true(l.t[4] < 0);
    assert_string_equal(l.msg[4], "i915 0000:00:02.0: y");
    assert_string_equal(l.msg[5], "---[ end trace 0000000000000000 ]---");
    assert_true(l.t[6] > 5.2895 && l.t[6] < 5.2896);
    assert_string_equal(l.msg[6], "i915 0000:00:02.0: z");
}

static void test_split_garbage(void **state)
{
    /* torn first record, NUL bytes, binary junk, an unterminated '[': nothing crashes and
     * every piece of text comes out as some message */
    static const char log[] = "02345,-;DMAR: IOMMU enabled\n"
                              "\x01\x02\xff\xfe garbage\n"
                              "[ 1.0\n"
                              "6,1,2\n"
                              "6,abc,1,-;x\n"
                              "\0\0\0\n"
                              "[99999999999999999999999999999999999999999.0] big\n";
    struct split_log l = {0};
    char *copy;
    cJSON *events = cJSON_CreateArray();

    (void)state;
    ptd_kmsg_split(log, sizeof(log) - 1, record, &l);
    assert_true(l.n >= 6);
    /* the torn record still reads as a message (with its junk prefix) and classifies */
    assert_int_equal(ptd_kmsg_collect(log, sizeof(log) - 1, events, 10), 1);
    cJSON_Delete(events);
    /* every byte value, including a buffer without any newline */
    copy = malloc(4096);
    assert_non_null(copy);
    for (int i = 0; i < 4096; i++)
        copy[i] = (char)(i * 7 + 3);
    l.n = 0;
    ptd_kmsg_split(copy, 4096, record, &l);
    assert_true(l.n >= 1);
    free(copy);
    /* zero length and NULL */
    l.n = 0;
    ptd_kmsg_split("", 0, record, &l);
    ptd_kmsg_split(NULL, 10, record, &l);
    assert_int_equal(l.n, 0);
}

static bool count_len(double t, const char *msg, void *user)
{
    size_t *max = user;

    (void)t;
    if (strlen(msg) > *max)
        *max = strlen(msg);
    return true;
}

static void test_long_lines(void **state)
{
    size_t n = 1u << 20, maxlen = 0;
    char *buf = malloc(n + 200);
    cJSON *events = cJSON_CreateArray(), *ev;
    const char *prefix = "[   5.000000] vfio-pci 0000:0c:00.0: not ready 65535ms after FLR; ";
    size_t plen = strlen(prefix);

    (void)state;
    assert_non_null(buf);
    memcpy(buf, prefix, plen);
    memset(buf + plen, 'A', n - plen);
    memcpy(buf + n, "\n[ 6.0] DMAR: IOMMU enabled\n", 29);
    ptd_kmsg_split(buf, n + 28, count_len, &maxlen);
    assert_true(maxlen > 4096 && maxlen <= 64 * 1024);
    assert_int_equal(ptd_kmsg_collect(buf, n + 28, events, 10), 2);
    ev = cJSON_GetArrayItem(events, 0);
    assert_string_equal(cJSON_GetObjectItem(ev, "kind")->valuestring, "reset-not-ready");
    assert_int_equal(strlen(cJSON_GetObjectItem(ev, "text")->valuestring), 511);
    assert_int_equal(strlen(cJSON_GetObjectItem(ev, "detail")->valuestring), 127);
    cJSON_Delete(events);
    free(buf);
}

static void test_collect_newest_and_json(void **state)
{
    char log[4096];
    size_t len = 0;
    cJSON *events = cJSON_CreateArray(), *ev;
    int i;

    (void)state;
    for (i = 0; i < 10; i++)
        len += (size_t)snprintf(log + len, sizeof(log) - len,
                                "4,%d,%d000000,-;NVRM: Xid (PCI:0000:2B:00): %d, pid=1, x\n", i, i,
                                40 + i);
    len += (size_t)snprintf(log + len, sizeof(log) - len, "6,99,1,-;just a line\n");
    assert_int_equal(ptd_kmsg_collect(log, len, events, 3), 3);
    assert_int_equal(cJSON_GetArraySize(events), 3);
    ev = cJSON_GetArrayItem(events, 0);
    assert_int_equal(cJSON_GetObjectItem(ev, "code")->valueint, 47);
    assert_true(cJSON_GetObjectItem(ev, "time_s")->valuedouble == 7.0);
    assert_string_equal(cJSON_GetObjectItem(ev, "device")->valuestring, "0000:2b:00");
    ev = cJSON_GetArrayItem(events, 2);
    assert_int_equal(cJSON_GetObjectItem(ev, "code")->valueint, 49);
    cJSON_Delete(events);

    /* nulls for what a line does not carry */
    {
        struct ptd_kmsg_event e;
        cJSON *o;

        e.time_s = -1;
        assert_true(ptd_kmsg_classify("vfio_iommu_type1_attach_group: No interrupt remapping "
                                      "support.",
                                      &e));
        o = ptd_kmsg_event_to_json(&e);
        assert_non_null(o);
        assert_true(cJSON_IsNull(cJSON_GetObjectItem(o, "time_s")));
        assert_true(cJSON_IsNull(cJSON_GetObjectItem(o, "device")));
        assert_true(cJSON_IsNull(cJSON_GetObjectItem(o, "code")));
        assert_true(cJSON_IsNull(cJSON_GetObjectItem(o, "detail")));
        assert_string_equal(cJSON_GetObjectItem(o, "kind")->valuestring, "irq-remapping-missing");
        cJSON_Delete(o);
    }
}

static void test_control_bytes_sanitised(void **state)
{
    struct ptd_kmsg_event e;

    (void)state;
    e.time_s = 1;
    assert_true(ptd_kmsg_classify("pci 0000:0c:00.0: Unknown header type 7f \xc3\x28\x1b[0m", &e));
    for (const char *p = e.text; *p; p++)
        assert_true(*p >= 0x20 && *p < 0x7f);
}

/* Random logs made of the bytes the parsers care about: nothing may crash or hang, every
 * event must carry printable text (run under ASan/UBSan by scripts/test). */
static void test_random_logs(void **state)
{
    static const char alphabet[] = "[]0123456789.,;-: \n\t\\xabcdefBARPCI()=NVRM:Xid0000:2b:00.0";
    uint32_t seed = 12345;
    char buf[2048];
    int round;

    (void)state;
    for (round = 0; round < 3000; round++) {
        size_t len = (size_t)(round % 2000) + 1, i;
        cJSON *events = cJSON_CreateArray(), *ev;

        for (i = 0; i < len; i++) {
            seed = seed * 1103515245u + 12345u;
            buf[i] =
                (round & 1) ? (char)(seed >> 16) : alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
        }
        ptd_kmsg_collect(buf, len, events, 16);
        cJSON_ArrayForEach(ev, events)
        {
            const char *t = cJSON_GetObjectItem(ev, "text")->valuestring;
            for (; *t; t++)
                assert_true(*t >= 0x20 && *t < 0x7f);
        }
        cJSON_Delete(events);
    }
}

/* ptd_kmsg_read under --root: a regular file is the log; anything else is refused. */
static void test_read_under_root(void **state)
{
    char dir[] = "/tmp/ptdiag-test-kmsg-XXXXXX", path[128];
    struct ptd_root root;
    struct ptd_error err;
    char *buf = NULL;
    size_t len = 0;
    FILE *f;

    (void)state;
    assert_non_null(mkdtemp(dir));
    assert_int_equal(ptd_root_init(&root, dir, &err), 0);
    assert_int_equal(ptd_kmsg_read(&root, &buf, &len), -ENOENT);
    snprintf(path, sizeof(path), "%s/dev", dir);
    assert_int_equal(mkdir(path, 0755), 0);
    snprintf(path, sizeof(path), "%s/dev/kmsg", dir);
    assert_int_equal(mkdir(path, 0755), 0);
    assert_int_equal(ptd_kmsg_read(&root, &buf, &len), -EINVAL);
    assert_int_equal(rmdir(path), 0);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("[    0.412345] DMAR: IOMMU enabled\n", f);
    fclose(f);
    assert_int_equal(ptd_kmsg_read(&root, &buf, &len), 0);
    assert_int_equal(len, 35);
    assert_string_equal(buf, "[    0.412345] DMAR: IOMMU enabled\n");
    free(buf);
    unlink(path);
    snprintf(path, sizeof(path), "%s/dev", dir);
    rmdir(path);
    rmdir(dir);
}

/* The live ring buffer: readable as root, -EPERM (never a crash) when dmesg_restrict hides
 * it; whatever is read splits into at least one message. */
static void test_read_live(void **state)
{
    struct ptd_root root;
    struct ptd_error err;
    char *buf = NULL;
    size_t len = 0;
    int ret;

    (void)state;
    assert_int_equal(ptd_root_init(&root, NULL, &err), 0);
    ret = ptd_kmsg_read(&root, &buf, &len);
    if (ret == -EPERM || ret == -ENOENT || ret == -EACCES) {
        assert_null(buf);
        skip();
    }
    assert_int_equal(ret, 0);
    assert_non_null(buf);
    assert_int_equal(strlen(buf), len);
    if (len > 0)
        assert_non_null(strchr(buf, ';')); /* /dev/kmsg record format */
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classify_every_kind),
        cmocka_unit_test(test_kind_names),
        cmocka_unit_test(test_split_dmesg),
        cmocka_unit_test(test_split_kmsg),
        cmocka_unit_test(test_split_syslog_journal),
        cmocka_unit_test(test_split_garbage),
        cmocka_unit_test(test_long_lines),
        cmocka_unit_test(test_collect_newest_and_json),
        cmocka_unit_test(test_control_bytes_sanitised),
        cmocka_unit_test(test_random_logs),
        cmocka_unit_test(test_read_under_root),
        cmocka_unit_test(test_read_live),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

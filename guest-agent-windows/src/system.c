/* SPDX-License-Identifier: MIT */
/* system.*: OS version (RtlGetVersion, which unlike GetVersionEx is not shimmed by the
 * application manifest), uptime, a boot id, Fast Startup, CPUID, and whether Wine runs us. */
#include <windows.h>

#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "ptdiag/cpuid.h"
#include "ptdiag/doc.h"

typedef LONG(WINAPI *rtl_get_version_fn)(OSVERSIONINFOW *);
typedef const char *(CDECL *wine_get_version_fn)(void);

static void add_os(struct ptw_agent *a, cJSON *sys)
{
    cJSON *os = ptw_obj(sys, "os");
    HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    rtl_get_version_fn get =
        ntdll ? (rtl_get_version_fn)(void *)GetProcAddress(ntdll, "RtlGetVersion") : NULL;
    wine_get_version_fn wine =
        ntdll ? (wine_get_version_fn)(void *)GetProcAddress(ntdll, "wine_get_version") : NULL;
    OSVERSIONINFOW v = {.dwOSVersionInfoSize = sizeof(v)};
    char buf[32];

    if (!get || get(&v) != 0) {
        ptd_json_add_str(os, "name", "Windows");
        ptd_json_add_str(os, "version", NULL);
        ptd_json_add_str(os, "build", NULL);
        ptd_doc_add_error(a->doc, "system", "ntdll!RtlGetVersion: not available");
    } else {
        /* Windows 11 still reports 10.0; the build number tells them apart. */
        ptd_json_add_str(os, "name",
                         v.dwMajorVersion == 10 && v.dwBuildNumber >= 22000 ? "Windows 11"
                         : v.dwMajorVersion == 10                           ? "Windows 10"
                                                                            : "Windows");
        snprintf(buf, sizeof(buf), "%lu.%lu", (unsigned long)v.dwMajorVersion,
                 (unsigned long)v.dwMinorVersion);
        ptd_json_add_str(os, "version", buf);
        snprintf(buf, sizeof(buf), "%lu", (unsigned long)v.dwBuildNumber);
        ptd_json_add_str(os, "build", buf);
    }
    /* Wine's ntdll exports wine_get_version; a report must not read Wine's stubs as facts. */
    ptd_json_add_str(sys, "wine_version", wine ? wine() : NULL);
}

static void add_hostname(cJSON *sys)
{
    wchar_t name[MAX_COMPUTERNAME_LENGTH + 1];
    DWORD n = MAX_COMPUTERNAME_LENGTH + 1;
    char buf[64];

    ptd_json_add_str(sys, "hostname",
                     GetComputerNameW(name, &n) ? ptw_utf8(name, buf, sizeof(buf)) : NULL);
}

/* Windows has no boot id; the kernel's BootId counter (Windows 8 and later) increments at
 * every boot. Without it, the boot time rounded to the minute stands in (the uptime clock
 * and the wall clock are read a few milliseconds apart). */
static void add_uptime_and_boot(struct ptw_agent *a, cJSON *sys)
{
    ULONGLONG ms = GetTickCount64();
    DWORD boot_id = 0, size = sizeof(boot_id);
    char buf[64];
    LSTATUS rc;

    ptd_json_add_num(sys, "uptime_s", (double)(ms / 1000), true);
    rc = RegGetValueW(HKEY_LOCAL_MACHINE,
                      L"SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Memory Management"
                      L"\\PrefetchParameters",
                      L"BootId", RRF_RT_REG_DWORD, NULL, &boot_id, &size);
    if (rc == ERROR_SUCCESS) {
        snprintf(buf, sizeof(buf), "windows-bootid-%lu", (unsigned long)boot_id);
    } else {
        time_t boot = time(NULL) - (time_t)(ms / 1000);
        snprintf(buf, sizeof(buf), "windows-boot-%lld", (long long)(boot / 60 * 60));
    }
    ptd_json_add_str(sys, "boot_id", buf);
    (void)a;
}

static void add_fast_startup(struct ptw_agent *a, cJSON *sys)
{
    DWORD v = 0, size = sizeof(v);
    LSTATUS rc = RegGetValueW(HKEY_LOCAL_MACHINE,
                              L"SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Power",
                              L"HiberbootEnabled", RRF_RT_REG_DWORD, NULL, &v, &size);
    char err[160];

    if (rc == ERROR_SUCCESS) {
        ptd_json_add_tri(sys, "fast_startup", v != 0);
        return;
    }
    ptd_json_add_tri(sys, "fast_startup", -1);
    ptd_doc_add_error(a->doc, "system",
                      "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Power\\"
                      "HiberbootEnabled: %s",
                      ptw_win_error((unsigned long)rc, err, sizeof(err)));
}

static void add_cpuid(cJSON *sys)
{
    cJSON *c = ptw_obj(sys, "cpuid");
    struct ptd_cpuid_view view;

    ptd_cpuid_read(&view);
    ptd_cpuid_add_json(c, &view);
    /* A hidden hypervisor (kvm=off, -hypervisor) makes this false although it is a VM:
     * exactly the fact the report needs. */
    ptd_json_add_tri(sys, "is_vm", view.available ? view.hypervisor_bit : -1);
}

void ptw_collect_system(struct ptw_agent *a)
{
    cJSON *sys = ptw_obj(a->doc, "system");

    add_os(a, sys);
    ptd_json_add_str(sys, "kernel_release", NULL);
    add_hostname(sys);
    add_uptime_and_boot(a, sys);
    add_cpuid(sys);
    add_fast_startup(a, sys);
}

/* SPDX-License-Identifier: MIT */
/*
 * ptdiag-fakegpu.exe: registers a display device in Wine's SetupAPI so the agent can be tested
 * against realistic facts. Test-only, never shipped.
 *
 *   ptdiag-fakegpu.exe INSTANCE_ID key=value...
 *     hwid=ID[;ID...]  compat=ID[;ID...]  desc=TEXT  service=NAME
 *     inf=NAME  provider=TEXT  version=W.X.Y.Z  date=M-D-YYYY  qwmem=BYTES  mem32=BYTES
 *     vulkan=PATH
 *
 * INSTANCE_ID must be under ROOT\DISPLAY: Wine deletes PCI\ instance ids it did not create
 * when the display devices are initialised, and wipes the driver key unless the wineserver
 * and explorer are already running (start them first).
 */
#include <windows.h>

#include <devguid.h>
#include <setupapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static wchar_t *widen(const char *s)
{
    int n = MultiByteToWideChar(CP_UTF8, 0, s, -1, NULL, 0);
    wchar_t *w = n > 0 ? calloc((size_t)n + 1, sizeof(wchar_t)) : NULL;

    if (w)
        MultiByteToWideChar(CP_UTF8, 0, s, -1, w, n);
    return w;
}

/* "a;b" -> "a\0b\0\0"; *bytes gets the size with both terminators. */
static wchar_t *multi_sz(const char *list, DWORD *bytes)
{
    wchar_t *w = widen(list);
    size_t n;

    if (!w)
        return NULL;
    n = wcslen(w);
    for (size_t i = 0; i < n; i++)
        if (w[i] == L';')
            w[i] = L'\0';
    *bytes = (DWORD)((n + 2) * sizeof(wchar_t));
    return w;
}

static int fail(const char *what)
{
    fprintf(stderr, "ptdiag-fakegpu: %s failed (error %lu)\n", what, (unsigned long)GetLastError());
    return 1;
}

int main(int argc, char **argv)
{
    HDEVINFO set;
    SP_DEVINFO_DATA dev = {.cbSize = sizeof(dev)};
    wchar_t *id, *desc = NULL;
    HKEY key;

    if (argc < 2) {
        fprintf(stderr, "usage: ptdiag-fakegpu.exe ROOT\\DISPLAY\\NNNN key=value...\n");
        return 2;
    }
    for (int i = 2; i < argc; i++)
        if (strncmp(argv[i], "desc=", 5) == 0)
            desc = widen(argv[i] + 5);
    id = widen(argv[1]);
    set = SetupDiCreateDeviceInfoList(&GUID_DEVCLASS_DISPLAY, NULL);
    if (set == INVALID_HANDLE_VALUE)
        return fail("SetupDiCreateDeviceInfoList");
    if (!SetupDiCreateDeviceInfoW(set, id, &GUID_DEVCLASS_DISPLAY, desc, NULL, 0, &dev))
        return fail("SetupDiCreateDeviceInfo");
    for (int i = 2; i < argc; i++) {
        const char *eq = strchr(argv[i], '=');
        DWORD bytes;
        wchar_t *v;
        DWORD prop;

        if (!eq)
            continue;
        if (strncmp(argv[i], "hwid=", 5) == 0)
            prop = SPDRP_HARDWAREID;
        else if (strncmp(argv[i], "compat=", 7) == 0)
            prop = SPDRP_COMPATIBLEIDS;
        else if (strncmp(argv[i], "desc=", 5) == 0)
            prop = SPDRP_DEVICEDESC;
        else if (strncmp(argv[i], "service=", 8) == 0)
            prop = SPDRP_SERVICE;
        else
            continue;
        if (prop == SPDRP_HARDWAREID || prop == SPDRP_COMPATIBLEIDS) {
            v = multi_sz(eq + 1, &bytes);
        } else {
            v = widen(eq + 1);
            bytes = v ? (DWORD)((wcslen(v) + 1) * sizeof(wchar_t)) : 0;
        }
        if (!v || !SetupDiSetDeviceRegistryPropertyW(set, &dev, prop, (BYTE *)v, bytes))
            return fail("SetupDiSetDeviceRegistryProperty");
        free(v);
    }
    if (!SetupDiRegisterDeviceInfo(set, &dev, 0, NULL, NULL, NULL))
        return fail("SetupDiRegisterDeviceInfo");
    key = SetupDiCreateDevRegKeyW(set, &dev, DICS_FLAG_GLOBAL, 0, DIREG_DRV, NULL, NULL);
    if (key == INVALID_HANDLE_VALUE)
        return fail("SetupDiCreateDevRegKey(DIREG_DRV)");
    for (int i = 2; i < argc; i++) {
        static const struct {
            const char *arg;
            const wchar_t *value;
            DWORD type;
        } map[] = {
            {"inf=", L"InfPath", REG_SZ},
            {"provider=", L"ProviderName", REG_SZ},
            {"version=", L"DriverVersion", REG_SZ},
            {"date=", L"DriverDate", REG_SZ},
            {"desc=", L"DriverDesc", REG_SZ},
            {"vulkan=", L"VulkanDriverName", REG_MULTI_SZ},
            {"qwmem=", L"HardwareInformation.qwMemorySize", REG_QWORD},
            {"mem32=", L"HardwareInformation.MemorySize", REG_BINARY},
        };
        for (size_t m = 0; m < sizeof(map) / sizeof(map[0]); m++) {
            size_t n = strlen(map[m].arg);
            LSTATUS rc;

            if (strncmp(argv[i], map[m].arg, n) != 0)
                continue;
            if (map[m].type == REG_QWORD || map[m].type == REG_BINARY) {
                unsigned long long q = strtoull(argv[i] + n, NULL, 10);
                DWORD d = (DWORD)q;
                rc = map[m].type == REG_QWORD
                         ? RegSetValueExW(key, map[m].value, 0, REG_QWORD, (BYTE *)&q, 8)
                         : RegSetValueExW(key, map[m].value, 0, REG_BINARY, (BYTE *)&d, 4);
            } else {
                DWORD bytes = 0;
                wchar_t *v = map[m].type == REG_MULTI_SZ ? multi_sz(argv[i] + n, &bytes)
                                                         : widen(argv[i] + n);
                if (!v)
                    return fail("allocation");
                if (map[m].type == REG_SZ)
                    bytes = (DWORD)((wcslen(v) + 1) * sizeof(wchar_t));
                rc = RegSetValueExW(key, map[m].value, 0, map[m].type, (BYTE *)v, bytes);
                free(v);
            }
            if (rc != ERROR_SUCCESS) {
                SetLastError((DWORD)rc);
                return fail("RegSetValueEx");
            }
        }
    }
    RegCloseKey(key);
    SetupDiDestroyDeviceInfoList(set);
    printf("registered %s\n", argv[1]);
    free(id);
    free(desc);
    return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * ptdiag-fakegpu.exe: registers display devices in Wine's SetupAPI so the agent can be tested
 * against realistic facts. Test-only, never shipped.
 *
 *   ptdiag-fakegpu.exe INSTANCE_ID key=value... [INSTANCE_ID key=value...]...
 *     hwid=ID[;ID...]  compat=ID[;ID...]  desc=TEXT  service=NAME
 *     inf=NAME  provider=TEXT  version=W.X.Y.Z  date=M-D-YYYY  qwmem=BYTES  mem32=BYTES
 *     vulkan=PATH  infsrc=FILE.inf  msi=0|1
 *
 * infsrc= installs FILE.inf with SetupCopyOEMInf, as a driver package does, and points InfPath
 * at the copy (Windows names it oem<N>.inf; Wine 8 keeps the original name).
 *
 * INSTANCE_ID must be under ROOT\DISPLAY: Wine deletes PCI\ instance ids it did not create.
 * Wine also empties the whole display class key (Control\Class\{4d36e968...}) each time it
 * rebuilds its display devices, which happens asynchronously after a device arrives and again
 * later. So the fixture's driver keys live under a class key of their own: the device's
 * Driver value (written directly to its Enum key) points there, and
 * SetupDiOpenDevRegKey(DIREG_DRV) follows it like any other.
 * The values inside are what a real driver writes. They are checked for 2 s after writing and
 * rewritten if anything removed them. desc= is required (DriverDesc marks a written key).
 */
#include <windows.h>

#include <devguid.h>
#include <setupapi.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define MAX_DEVICES 8
/* Not a Windows device class: a private place Wine leaves alone. */
#define FIXTURE_CLASS_KEY L"{70746469-6167-4669-7874-757265000000}"

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

static int fail(const char *what, const char *id)
{
    fprintf(stderr, "ptdiag-fakegpu: %s: %s failed (error %lu)\n", id, what,
            (unsigned long)GetLastError());
    return 1;
}

static const char *arg_value(int first, int last, char **argv, const char *key)
{
    size_t n = strlen(key);

    for (int i = first; i < last; i++)
        if (strncmp(argv[i], key, n) == 0)
            return argv[i] + n;
    return NULL;
}

static int set_device_props(HDEVINFO set, SP_DEVINFO_DATA *dev, int first, int last, char **argv)
{
    static const struct {
        const char *arg;
        DWORD prop;
        bool multi;
    } props[] = {
        {"hwid=", SPDRP_HARDWAREID, true},
        {"compat=", SPDRP_COMPATIBLEIDS, true},
        {"desc=", SPDRP_DEVICEDESC, false},
        {"service=", SPDRP_SERVICE, false},
    };

    for (size_t p = 0; p < sizeof(props) / sizeof(props[0]); p++) {
        const char *v = arg_value(first, last, argv, props[p].arg);
        DWORD bytes = 0;
        wchar_t *w;

        if (!v)
            continue;
        w = props[p].multi ? multi_sz(v, &bytes) : widen(v);
        if (w && !props[p].multi)
            bytes = (DWORD)((wcslen(w) + 1) * sizeof(wchar_t));
        if (!w || !SetupDiSetDeviceRegistryPropertyW(set, dev, props[p].prop, (BYTE *)w, bytes))
            return fail("SetupDiSetDeviceRegistryProperty", argv[first - 1]);
        free(w);
    }
    return 0;
}

/* msi=N: MSISupported under the device's Device Parameters, where an INF's HW.AddReg puts it
 * (Interrupt Management\MessageSignaledInterruptProperties). */
static LSTATUS write_msi(const wchar_t *enum_path, const char *value)
{
    wchar_t path[640];
    DWORD v;
    HKEY key;
    LSTATUS rc;

    if (!value)
        return ERROR_SUCCESS;
    v = (DWORD)strtoul(value, NULL, 10);
    swprintf(path, sizeof(path) / sizeof(path[0]),
             L"%ls\\Device Parameters\\Interrupt Management\\MessageSignaledInterruptProperties",
             enum_path);
    rc = RegCreateKeyExW(HKEY_LOCAL_MACHINE, path, 0, NULL, 0, KEY_ALL_ACCESS, NULL, &key, NULL);
    if (rc != ERROR_SUCCESS)
        return rc;
    rc = RegSetValueExW(key, L"MSISupported", 0, REG_DWORD, (BYTE *)&v, sizeof(v));
    RegCloseKey(key);
    return rc;
}

static int write_driver_key(HDEVINFO set, SP_DEVINFO_DATA *dev, int index, int first, int last,
                            char **argv)
{
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
    const char *id = argv[first - 1];
    wchar_t drv[96], path[512], *wid;
    const char *src;
    HKEY key, enum_key;
    LSTATUS rc;

    /* The driver key's place, chosen here rather than by SetupAPI (see the header): the
     * device's Driver value, written directly (Wine's SetupDiCreateDevRegKey would pick an
     * index under the display class again), and the key itself. */
    swprintf(drv, sizeof(drv) / sizeof(drv[0]), L"%ls\\%04d", FIXTURE_CLASS_KEY, index);
    wid = widen(id);
    swprintf(path, sizeof(path) / sizeof(path[0]), L"System\\CurrentControlSet\\Enum\\%ls",
             wid ? wid : L"");
    free(wid);
    rc = RegOpenKeyExW(HKEY_LOCAL_MACHINE, path, 0, KEY_SET_VALUE, &enum_key);
    if (rc == ERROR_SUCCESS) {
        rc = RegSetValueExW(enum_key, L"Driver", 0, REG_SZ, (BYTE *)drv,
                            (DWORD)((wcslen(drv) + 1) * sizeof(wchar_t)));
        RegCloseKey(enum_key);
    }
    if (rc != ERROR_SUCCESS) {
        SetLastError((DWORD)rc);
        return fail("setting the device's Driver value", id);
    }
    if (write_msi(path, arg_value(first, last, argv, "msi=")) != ERROR_SUCCESS)
        return fail("writing MSISupported", id);
    swprintf(path, sizeof(path) / sizeof(path[0]),
             L"System\\CurrentControlSet\\Control\\Class\\%ls", drv);
    rc = RegCreateKeyExW(HKEY_LOCAL_MACHINE, path, 0, NULL, 0, KEY_ALL_ACCESS, NULL, &key, NULL);
    if (rc != ERROR_SUCCESS) {
        SetLastError((DWORD)rc);
        return fail("creating the driver key", id);
    }
    for (size_t m = 0; m < sizeof(map) / sizeof(map[0]); m++) {
        const char *v = arg_value(first, last, argv, map[m].arg);

        if (!v)
            continue;
        if (map[m].type == REG_QWORD || map[m].type == REG_BINARY) {
            unsigned long long q = strtoull(v, NULL, 10);
            DWORD d = (DWORD)q;
            rc = map[m].type == REG_QWORD
                     ? RegSetValueExW(key, map[m].value, 0, REG_QWORD, (BYTE *)&q, 8)
                     : RegSetValueExW(key, map[m].value, 0, REG_BINARY, (BYTE *)&d, 4);
        } else {
            DWORD bytes = 0;
            wchar_t *w = map[m].type == REG_MULTI_SZ ? multi_sz(v, &bytes) : widen(v);
            if (!w)
                return fail("allocation", id);
            if (map[m].type == REG_SZ)
                bytes = (DWORD)((wcslen(w) + 1) * sizeof(wchar_t));
            rc = RegSetValueExW(key, map[m].value, 0, map[m].type, (BYTE *)w, bytes);
            free(w);
        }
        if (rc != ERROR_SUCCESS) {
            SetLastError((DWORD)rc);
            return fail("RegSetValueEx", id);
        }
    }
    if ((src = arg_value(first, last, argv, "infsrc="))) {
        wchar_t dest[MAX_PATH], *base, *w = widen(src);

        if (!w || !SetupCopyOEMInfW(w, NULL, SPOST_NONE, 0, dest, MAX_PATH, NULL, &base))
            return fail("SetupCopyOEMInf", id);
        if (RegSetValueExW(key, L"InfPath", 0, REG_SZ, (BYTE *)base,
                           (DWORD)((wcslen(base) + 1) * sizeof(wchar_t))) != ERROR_SUCCESS)
            return fail("RegSetValueEx(InfPath)", id);
        printf("%s: installed %s as %ls\n", id, src, dest);
        free(w);
    }
    RegCloseKey(key);
    return 0;
}

int main(int argc, char **argv)
{
    int starts[MAX_DEVICES + 1], n = 0;
    SP_DEVINFO_DATA devs[MAX_DEVICES];
    HDEVINFO set;

    for (int i = 1; i < argc; i++)
        if (strncmp(argv[i], "ROOT\\", 5) == 0 && n < MAX_DEVICES)
            starts[n++] = i + 1;
    if (n == 0) {
        fprintf(stderr, "usage: ptdiag-fakegpu.exe ROOT\\DISPLAY\\NNNN key=value... [...]\n");
        return 2;
    }
    starts[n] = argc + 1;
    set = SetupDiCreateDeviceInfoList(&GUID_DEVCLASS_DISPLAY, NULL);
    if (set == INVALID_HANDLE_VALUE)
        return fail("SetupDiCreateDeviceInfoList", "-");

    for (int d = 0; d < n; d++) {
        int first = starts[d], last = starts[d + 1] - 1;
        const char *descv = arg_value(first, last, argv, "desc=");
        wchar_t *id = widen(argv[first - 1]), *desc = descv ? widen(descv) : NULL;

        devs[d].cbSize = sizeof(devs[d]);
        if (SetupDiOpenDeviceInfoW(set, id, NULL, 0, &devs[d])) {
            printf("%s: exists\n", argv[first - 1]);
        } else if (!SetupDiCreateDeviceInfoW(set, id, &GUID_DEVCLASS_DISPLAY, desc, NULL, 0,
                                             &devs[d]) ||
                   set_device_props(set, &devs[d], first, last, argv) != 0 ||
                   !SetupDiRegisterDeviceInfo(set, &devs[d], 0, NULL, NULL, NULL)) {
            return fail("registering", argv[first - 1]);
        }
        free(id);
        free(desc);
    }
    /* Write the driver keys, then watch them: Wine's reaction to the new devices arrives
     * asynchronously (later on a loaded machine) and may delete them; rewrite until they have
     * stayed in place for 2 s, for 60 s at most. */
    for (int round = 0, stable = 0; stable < 4; round++) {
        bool all_there = true;

        for (int d = 0; d < n; d++) {
            HKEY key =
                SetupDiOpenDevRegKey(set, &devs[d], DICS_FLAG_GLOBAL, 0, DIREG_DRV, KEY_READ);
            DWORD size = 0;
            bool there =
                key != INVALID_HANDLE_VALUE &&
                RegQueryValueExW(key, L"DriverDesc", NULL, NULL, NULL, &size) == ERROR_SUCCESS;

            if (key != INVALID_HANDLE_VALUE)
                RegCloseKey(key);
            if (there)
                continue;
            all_there = false;
            if (set_device_props(set, &devs[d], starts[d], starts[d + 1] - 1, argv) != 0 ||
                write_driver_key(set, &devs[d], d + 1, starts[d], starts[d + 1] - 1, argv) != 0)
                return 1;
        }
        stable = all_there ? stable + 1 : 0;
        if (round >= 120) {
            fprintf(stderr, "ptdiag-fakegpu: the driver keys keep disappearing\n");
            return 1;
        }
        Sleep(500);
    }
    for (int d = 0; d < n; d++)
        printf("%s: registered with driver key %04d\n", argv[starts[d] - 1], d + 1);
    SetupDiDestroyDeviceInfoList(set);
    return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * Interrupt mode of the GPU and of the other functions of its PCI device (the HDMI/DP audio
 * controller above all): line-based interrupts are the usual cause of crackling HDMI audio and
 * stutter in passthrough guests. Windows uses MSI for a device only when its INF (or an
 * administrator) set MSISupported=1 under the device's Device Parameters\Interrupt Management\
 * MessageSignaledInterruptProperties; without that value the device is line-based.
 */
#include <windows.h>

#include <cfgmgr32.h>
#include <setupapi.h>
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "interp.h"
#include "ptdiag/doc.h"

#define MSI_KEY L"Interrupt Management\\MessageSignaledInterruptProperties"

static bool reg_dword(HKEY key, const wchar_t *name, DWORD *out)
{
    DWORD type = 0, size = sizeof(*out);

    return RegQueryValueExW(key, name, NULL, &type, (BYTE *)out, &size) == ERROR_SUCCESS &&
           type == REG_DWORD && size == sizeof(*out);
}

void ptw_interrupts(void *devinfo_set, void *devinfo_data, cJSON *win)
{
    cJSON *o = cJSON_AddObjectToObject(win, "interrupts");
    HKEY params =
        SetupDiOpenDevRegKey(devinfo_set, devinfo_data, DICS_FLAG_GLOBAL, 0, DIREG_DEV, KEY_READ);
    HKEY msi = NULL;
    DWORD supported = 0, limit = 0;
    bool has_supported = false, has_limit = false;

    if (params == INVALID_HANDLE_VALUE) {
        /* No Device Parameters key readable: the mode is unknown, not line-based. */
        cJSON_AddNullToObject(o, "msi_supported");
        cJSON_AddNullToObject(o, "msi_supported_value");
        cJSON_AddNullToObject(o, "message_number_limit");
        return;
    }
    if (RegOpenKeyExW(params, MSI_KEY, 0, KEY_READ, &msi) == ERROR_SUCCESS) {
        has_supported = reg_dword(msi, L"MSISupported", &supported);
        has_limit = reg_dword(msi, L"MessageNumberLimit", &limit);
        RegCloseKey(msi);
    }
    RegCloseKey(params);
    ptd_json_add_tri(o, "msi_supported", has_supported && supported == 1);
    ptd_json_add_num(o, "msi_supported_value", supported, has_supported);
    ptd_json_add_num(o, "message_number_limit", limit, has_limit);
}

/* Where a PCI function sits: SPDRP_BUSNUMBER and SPDRP_ADDRESS, else the (English) location
 * text. */
static bool pci_location(HDEVINFO set, SP_DEVINFO_DATA *dev, struct ptw_pci_location *out)
{
    DWORD bus = 0, addr = 0, type = 0;
    wchar_t w[128];
    char text[128];

    if (SetupDiGetDeviceRegistryPropertyW(set, dev, SPDRP_BUSNUMBER, &type, (BYTE *)&bus,
                                          sizeof(bus), NULL) &&
        SetupDiGetDeviceRegistryPropertyW(set, dev, SPDRP_ADDRESS, &type, (BYTE *)&addr,
                                          sizeof(addr), NULL) &&
        ptw_pci_location_from_address(bus, addr, out))
        return true;
    memset(w, 0, sizeof(w));
    return SetupDiGetDeviceRegistryPropertyW(set, dev, SPDRP_LOCATION_INFORMATION, &type, (BYTE *)w,
                                             sizeof(w) - sizeof(wchar_t), NULL) &&
           ptw_parse_pci_location(ptw_utf8(w, text, sizeof(text)), out);
}

static bool pci_ids(HDEVINFO set, SP_DEVINFO_DATA *dev, struct ptw_pci_ids *ids, char *first,
                    size_t firstlen)
{
    wchar_t w[1024];
    DWORD type = 0;

    memset(ids, 0, sizeof(*ids));
    memset(w, 0, sizeof(w));
    first[0] = '\0';
    if (!SetupDiGetDeviceRegistryPropertyW(set, dev, SPDRP_HARDWAREID, &type, (BYTE *)w,
                                           sizeof(w) - 2 * sizeof(wchar_t), NULL))
        return false;
    for (const wchar_t *p = w; *p; p += wcslen(p) + 1) {
        char id[256];
        struct ptw_pci_ids one;

        ptw_parse_pci_id(ptw_utf8(p, id, sizeof(id)), &one);
        if (one.valid && !first[0])
            snprintf(first, firstlen, "%s", id);
        ptw_merge_pci_ids(ids, &one);
    }
    return ids->valid;
}

static void add_companion(cJSON *arr, HDEVINFO set, SP_DEVINFO_DATA *dev,
                          const struct ptw_pci_ids *ids, const char *hwid,
                          const struct ptw_pci_location *loc)
{
    cJSON *o = cJSON_CreateObject();
    wchar_t w[512];
    char buf[512];
    DWORD type = 0;

    if (!o || !cJSON_AddItemToArray(arr, o)) {
        cJSON_Delete(o);
        return;
    }
    ptd_json_add_str(
        o, "location",
        SetupDiGetDeviceInstanceIdW(set, dev, w, 512, NULL) ? ptw_utf8(w, buf, sizeof(buf)) : NULL);
    ptd_json_add_num(o, "pci_function", loc->function, true);
    ptd_json_add_str(o, "hardware_id", hwid);
    ptd_json_add_hex16(o, "vendor_id", ids->vendor_id);
    ptd_json_add_hex16(o, "device_id", ids->device_id);
    snprintf(buf, sizeof(buf), "%06x", ids->class_code);
    ptd_json_add_str(o, "class", ids->has_class ? buf : NULL);
    memset(w, 0, sizeof(w));
    ptd_json_add_str(o, "description",
                     SetupDiGetDeviceRegistryPropertyW(set, dev, SPDRP_DEVICEDESC, &type, (BYTE *)w,
                                                       sizeof(w) - 2, NULL)
                         ? ptw_utf8(w, buf, sizeof(buf))
                         : NULL);
    ptw_interrupts(set, dev, o);
}

void ptw_audio_functions(struct ptw_agent *a, void *devinfo_set, void *devinfo_data, cJSON *win)
{
    struct ptw_pci_location gpu, loc;
    HDEVINFO all;
    SP_DEVINFO_DATA dev = {.cbSize = sizeof(dev)};
    cJSON *arr;
    char err[160];

    if (!pci_location(devinfo_set, devinfo_data, &gpu)) {
        /* Not a PCI function with a known place (Wine's ROOT\ devices): unknown. */
        cJSON_AddNullToObject(win, "companions");
        return;
    }
    all = SetupDiGetClassDevsW(NULL, L"PCI", NULL, DIGCF_PRESENT | DIGCF_ALLCLASSES);
    if (all == INVALID_HANDLE_VALUE) {
        ptd_doc_add_error(a->doc, "devices", "SetupDiGetClassDevs(PCI): %s",
                          ptw_win_error(GetLastError(), err, sizeof(err)));
        cJSON_AddNullToObject(win, "companions");
        return;
    }
    arr = cJSON_AddArrayToObject(win, "companions");
    for (DWORD i = 0; SetupDiEnumDeviceInfo(all, i, &dev); i++) {
        struct ptw_pci_ids ids;
        char hwid[256];

        if (!pci_location(all, &dev, &loc) || loc.bus != gpu.bus || loc.device != gpu.device ||
            loc.function == gpu.function || !pci_ids(all, &dev, &ids, hwid, sizeof(hwid)))
            continue;
        add_companion(arr, all, &dev, &ids, hwid, &loc);
    }
    SetupDiDestroyDeviceInfoList(all);
}

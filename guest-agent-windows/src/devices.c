/* SPDX-License-Identifier: MIT */
/*
 * gpus[]: every present display-class device through SetupAPI and CfgMgr32: hardware ids,
 * status and problem code (Code 43, 12, 28, 31 ...), the driver's INF, provider, version and
 * date, the adapter memory size the driver wrote, and the adapter's own Vulkan ICD
 * registration (VulkanDriverName: catalogue §3.9, the Khronos key alone proves nothing).
 */
#include <windows.h>

#include <cfgmgr32.h>
#include <devguid.h>
#include <initguid.h> /* DEVPKEY_* are defined, not declared, by devpkey.h */
#include <devpkey.h>
#include <setupapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "interp.h"
#include "ptdiag/doc.h"

#define TEXT_MAX 512

/* A REG_SZ / REG_MULTI_SZ value from the driver key as UTF-8 (first string); false if absent. */
static bool reg_string(HKEY key, const wchar_t *name, char *buf, size_t buflen)
{
    wchar_t w[TEXT_MAX];
    DWORD type = 0, size = sizeof(w) - 2 * sizeof(wchar_t);

    memset(w, 0, sizeof(w));
    if (RegQueryValueExW(key, name, NULL, &type, (BYTE *)w, &size) != ERROR_SUCCESS ||
        (type != REG_SZ && type != REG_MULTI_SZ && type != REG_EXPAND_SZ))
        return false;
    ptw_utf8(w, buf, buflen);
    return true;
}

/* A 64- or 32-bit number stored as REG_QWORD, REG_DWORD or REG_BINARY (drivers use all three). */
static bool reg_number(HKEY key, const wchar_t *name, uint64_t *out, DWORD *width)
{
    BYTE data[8] = {0};
    DWORD type = 0, size = sizeof(data);

    if (RegQueryValueExW(key, name, NULL, &type, data, &size) != ERROR_SUCCESS)
        return false;
    if (!((type == REG_QWORD && size == 8) || (type == REG_DWORD && size == 4) ||
          (type == REG_BINARY && (size == 4 || size == 8))))
        return false;
    *out = 0;
    memcpy(out, data, size); /* little-endian, like the registry */
    *width = size;
    return true;
}

static bool dev_string_prop(HDEVINFO set, SP_DEVINFO_DATA *dev, const DEVPROPKEY *key, char *buf,
                            size_t buflen)
{
    wchar_t w[TEXT_MAX];
    DEVPROPTYPE type = 0;

    memset(w, 0, sizeof(w));
    if (!SetupDiGetDevicePropertyW(set, dev, key, &type, (BYTE *)w, sizeof(w) - sizeof(wchar_t),
                                   NULL, 0) ||
        type != DEVPROP_TYPE_STRING)
        return false;
    ptw_utf8(w, buf, buflen);
    return true;
}

static bool registry_multi_sz(HDEVINFO set, SP_DEVINFO_DATA *dev, DWORD prop, wchar_t *w,
                              DWORD wbytes)
{
    DWORD type = 0;

    memset(w, 0, wbytes);
    return SetupDiGetDeviceRegistryPropertyW(set, dev, prop, &type, (BYTE *)w,
                                             wbytes - 2 * sizeof(wchar_t), NULL) &&
           (type == REG_MULTI_SZ || type == REG_SZ);
}

static void add_ids(cJSON *gpu, cJSON *win, HDEVINFO set, SP_DEVINFO_DATA *dev,
                    struct ptw_pci_ids *ids)
{
    wchar_t w[2048];
    cJSON *arr = cJSON_AddArrayToObject(win, "hardware_ids");
    char buf[64];

    memset(ids, 0, sizeof(*ids));
    if (registry_multi_sz(set, dev, SPDRP_HARDWAREID, w, sizeof(w))) {
        for (const wchar_t *p = w; *p; p += wcslen(p) + 1) {
            char id[256];
            struct ptw_pci_ids one;

            ptw_utf8(p, id, sizeof(id));
            cJSON_AddItemToArray(arr, cJSON_CreateString(id));
            ptw_parse_pci_id(id, &one);
            ptw_merge_pci_ids(ids, &one);
        }
    }
    if (registry_multi_sz(set, dev, SPDRP_COMPATIBLEIDS, w, sizeof(w))) {
        for (const wchar_t *p = w; *p; p += wcslen(p) + 1) {
            char id[256];
            struct ptw_pci_ids one;

            ptw_parse_pci_id(ptw_utf8(p, id, sizeof(id)), &one);
            ptw_merge_pci_ids(ids, &one);
        }
    }
    if (ids->valid) {
        ptd_json_add_hex16(gpu, "vendor_id", ids->vendor_id);
        ptd_json_add_hex16(gpu, "device_id", ids->device_id);
    } else {
        ptd_json_add_str(gpu, "vendor_id", NULL);
        ptd_json_add_str(gpu, "device_id", NULL);
    }
    if (ids->has_subsys) {
        ptd_json_add_hex16(gpu, "subsystem_vendor_id", ids->subsys_vendor_id);
        ptd_json_add_hex16(gpu, "subsystem_device_id", ids->subsys_device_id);
    } else {
        ptd_json_add_str(gpu, "subsystem_vendor_id", NULL);
        ptd_json_add_str(gpu, "subsystem_device_id", NULL);
    }
    snprintf(buf, sizeof(buf), "%02x", ids->revision);
    ptd_json_add_str(gpu, "revision", ids->has_revision ? buf : NULL);
    snprintf(buf, sizeof(buf), "%06x", ids->class_code);
    ptd_json_add_str(gpu, "class", ids->has_class ? buf : NULL);
    ptd_json_add_str(gpu, "vendor_name", NULL);
    ptd_json_add_str(gpu, "device_name", NULL);
}

struct flags_ctx {
    cJSON *arr;
};

static void add_flag(const char *name, void *user)
{
    cJSON_AddItemToArray(((struct flags_ctx *)user)->arr, cJSON_CreateString(name));
}

static void add_status(struct ptw_agent *a, cJSON *win, HDEVINFO set, SP_DEVINFO_DATA *dev,
                       const char *where)
{
    ULONG status = 0, problem = 0;
    CONFIGRET cr = CM_Get_DevNode_Status(&status, &problem, dev->DevInst, 0);
    DEVPROPTYPE type = 0;
    ULONG ntstatus = 0;
    char buf[32];

    if (cr != CR_SUCCESS) {
        cJSON_AddNullToObject(win, "status_flags");
        cJSON_AddNullToObject(win, "problem_code");
        ptd_json_add_str(win, "problem_name", NULL);
        ptd_json_add_str(win, "problem_meaning", NULL);
        ptd_doc_add_error(a->doc, "devices", "CM_Get_DevNode_Status(%s): CONFIGRET %lu", where,
                          (unsigned long)cr);
    } else {
        struct flags_ctx c = {cJSON_AddArrayToObject(win, "status_flags")};

        ptw_status_flags_each((uint32_t)status, add_flag, &c);
        /* The problem number is meaningful only with DN_HAS_PROBLEM set. */
        if (!(status & DN_HAS_PROBLEM))
            problem = 0;
        ptd_json_add_num(win, "problem_code", problem, true);
        ptd_json_add_str(win, "problem_name", ptw_problem_name(problem));
        ptd_json_add_str(win, "problem_meaning", ptw_problem_meaning(problem));
    }
    /* Windows 8+: the NTSTATUS behind the problem, when the driver set one. */
    if (SetupDiGetDevicePropertyW(set, dev, &DEVPKEY_Device_ProblemStatus, &type, (BYTE *)&ntstatus,
                                  sizeof(ntstatus), NULL, 0) &&
        (type == DEVPROP_TYPE_NTSTATUS || type == DEVPROP_TYPE_UINT32)) {
        snprintf(buf, sizeof(buf), "0x%08lx", (unsigned long)ntstatus);
        ptd_json_add_str(win, "problem_status", buf);
    } else {
        ptd_json_add_str(win, "problem_status", NULL);
    }
}

/* The original name of a driver-store INF ("oem42.inf" -> "iigd_dch_d.inf"). */
static bool inf_original_name(const char *inf, char *buf, size_t buflen)
{
    wchar_t *w = ptw_wide_dup(inf);
    SP_INF_INFORMATION *info = NULL;
    SP_ORIGINAL_FILE_INFO_W orig = {.cbSize = sizeof(orig)};
    DWORD need = 0;
    bool ok = false;

    if (!w)
        return false;
    if (!SetupGetInfInformationW(w, INFINFO_DEFAULT_SEARCH, NULL, 0, &need) || need == 0 ||
        need > (1u << 20))
        goto out;
    info = malloc(need);
    if (!info || !SetupGetInfInformationW(w, INFINFO_DEFAULT_SEARCH, info, need, NULL))
        goto out;
    /* An answer that is itself an oem<N>.inf name says nothing (Wine without a PNF). */
    if (SetupQueryInfOriginalFileInformationW(info, 0, NULL, &orig)) {
        ptw_utf8(orig.OriginalInfName, buf, buflen);
        ok = buf[0] != '\0' && !ptw_inf_is_oem_copy(buf);
    }
out:
    if (!ok && buflen)
        buf[0] = '\0';
    free(info);
    free(w);
    return ok;
}

/* DXGI's view of the same adapter (vendor:device), hardware adapters only. */
static const struct ptw_adapter *dxgi_match(const struct ptw_agent *a,
                                            const struct ptw_pci_ids *ids)
{
    if (!ids->valid)
        return NULL;
    for (int i = 0; i < a->nadapters; i++)
        if (!a->adapters[i].software && a->adapters[i].vendor_id == ids->vendor_id &&
            a->adapters[i].device_id == ids->device_id)
            return &a->adapters[i];
    return NULL;
}

static void add_driver_key(struct ptw_agent *a, cJSON *gpu, cJSON *win, HDEVINFO set,
                           SP_DEVINFO_DATA *dev, const struct ptw_pci_ids *ids, const char *where)
{
    HKEY key = SetupDiOpenDevRegKey(set, dev, DICS_FLAG_GLOBAL, 0, DIREG_DRV, KEY_READ);
    char inf[TEXT_MAX] = "", orig[TEXT_MAX] = "", provider[TEXT_MAX] = "", version[64] = "",
         date[64] = "", vk[TEXT_MAX] = "", vkwow[TEXT_MAX] = "", vendor_ver[32];
    bool has_inf = false, has_provider = false, has_version = false, has_date = false;
    bool has_vk = false, has_vkwow = false, has_qw = false, has_dw = false;
    uint64_t qw = 0, dw = 0;
    DWORD width = 0;
    struct ptw_mem_size mem;
    const struct ptw_adapter *dx = dxgi_match(a, ids);

    if (key == INVALID_HANDLE_VALUE) {
        char err[160];
        ptd_doc_add_error(a->doc, "devices", "SetupDiOpenDevRegKey(%s, DIREG_DRV): %s", where,
                          ptw_win_error(GetLastError(), err, sizeof(err)));
    } else {
        has_inf = reg_string(key, L"InfPath", inf, sizeof(inf));
        has_provider = reg_string(key, L"ProviderName", provider, sizeof(provider));
        has_version = reg_string(key, L"DriverVersion", version, sizeof(version));
        has_date = reg_string(key, L"DriverDate", date, sizeof(date));
        has_vk = reg_string(key, L"VulkanDriverName", vk, sizeof(vk));
        has_vkwow = reg_string(key, L"VulkanDriverNameWow", vkwow, sizeof(vkwow));
        has_qw = reg_number(key, L"HardwareInformation.qwMemorySize", &qw, &width) && width == 8;
        has_dw = reg_number(key, L"HardwareInformation.MemorySize", &dw, &width);
        RegCloseKey(key);
    }
    /* The unified device properties hold the same facts on Vista+; use them where the key
     * lacks a value. */
    if (!has_inf)
        has_inf = dev_string_prop(set, dev, &DEVPKEY_Device_DriverInfPath, inf, sizeof(inf));
    if (!has_provider)
        has_provider =
            dev_string_prop(set, dev, &DEVPKEY_Device_DriverProvider, provider, sizeof(provider));
    if (!has_version)
        has_version =
            dev_string_prop(set, dev, &DEVPKEY_Device_DriverVersion, version, sizeof(version));

    ptd_json_add_str(win, "inf_path", has_inf ? inf : NULL);
    if (has_inf && ptw_inf_is_oem_copy(inf) && inf_original_name(inf, orig, sizeof(orig)))
        ptd_json_add_str(win, "inf_original_name", orig);
    else
        ptd_json_add_str(win, "inf_original_name",
                         has_inf && !ptw_inf_is_oem_copy(inf) ? inf : NULL);
    ptd_json_add_str(win, "inf_kind", ptw_inf_kind(orig[0] ? orig : has_inf ? inf : NULL));
    ptd_json_add_str(win, "provider", has_provider ? provider : NULL);
    ptd_json_add_str(win, "driver_version", has_version ? version : NULL);
    ptd_json_add_str(
        win, "driver_version_vendor",
        has_version && ids->valid &&
                ptw_vendor_driver_version(ids->vendor_id, version, vendor_ver, sizeof(vendor_ver))
            ? vendor_ver
            : NULL);
    ptd_json_add_str(win, "driver_date", has_date ? date : NULL);
    ptw_pick_memory_size(has_qw, qw, has_dw && dw <= UINT32_MAX, (uint32_t)dw, &mem);
    ptd_json_add_u64(win, "memory_size_bytes", mem.bytes, mem.known);
    ptd_json_add_str(win, "memory_size_source", mem.source);
    ptd_json_add_tri(win, "memory_size_clamped32", mem.known ? mem.clamped32 : -1);
    ptd_json_add_str(win, "vulkan_driver_name", has_vk ? vk : NULL);
    ptd_json_add_str(win, "vulkan_driver_name_wow", has_vkwow ? vkwow : NULL);

    /* VRAM: the driver's 64-bit figure, else DXGI's DedicatedVideoMemory for the same ids. */
    if (mem.known && !mem.clamped32)
        ptd_json_add_u64(gpu, "vram_total_bytes", mem.bytes, true);
    else
        ptd_json_add_u64(gpu, "vram_total_bytes", dx ? dx->dedicated_video_memory : 0, dx != NULL);
    ptd_json_add_u64(gpu, "vram_used_bytes", dx ? dx->usage_bytes : 0, dx && dx->has_budget);
}

void ptw_collect_devices(struct ptw_agent *a)
{
    cJSON *gpus = cJSON_AddArrayToObject(a->doc, "gpus");
    HDEVINFO set = SetupDiGetClassDevsW(&GUID_DEVCLASS_DISPLAY, NULL, NULL, DIGCF_PRESENT);
    SP_DEVINFO_DATA dev = {.cbSize = sizeof(dev)};
    char err[160];

    if (set == INVALID_HANDLE_VALUE) {
        ptd_doc_add_error(a->doc, "devices", "SetupDiGetClassDevs(Display): %s",
                          ptw_win_error(GetLastError(), err, sizeof(err)));
        return;
    }
    for (DWORD i = 0; SetupDiEnumDeviceInfo(set, i, &dev); i++) {
        cJSON *gpu = cJSON_CreateObject(), *win;
        wchar_t w[TEXT_MAX];
        char where[TEXT_MAX], buf[TEXT_MAX];
        struct ptw_pci_ids ids;
        DWORD type;

        if (!gpu || !cJSON_AddItemToArray(gpus, gpu)) {
            cJSON_Delete(gpu);
            break;
        }
        if (SetupDiGetDeviceInstanceIdW(set, &dev, w, TEXT_MAX, NULL))
            ptw_utf8(w, where, sizeof(where));
        else
            snprintf(where, sizeof(where), "display device %lu", (unsigned long)i);
        ptd_json_add_str(gpu, "location", where);
        win = cJSON_CreateObject();
        add_ids(gpu, win, set, &dev, &ids);
        memset(w, 0, sizeof(w));
        ptd_json_add_str(gpu, "driver",
                         SetupDiGetDeviceRegistryPropertyW(set, &dev, SPDRP_SERVICE, &type,
                                                           (BYTE *)w, sizeof(w) - 2, NULL)
                             ? ptw_utf8(w, buf, sizeof(buf))
                             : NULL);
        ptd_json_add_str(gpu, "link", NULL);
        memset(w, 0, sizeof(w));
        ptd_json_add_str(win, "description",
                         SetupDiGetDeviceRegistryPropertyW(set, &dev, SPDRP_DEVICEDESC, &type,
                                                           (BYTE *)w, sizeof(w) - 2, NULL)
                             ? ptw_utf8(w, buf, sizeof(buf))
                             : NULL);
        add_status(a, win, set, &dev, where);
        add_driver_key(a, gpu, win, set, &dev, &ids, where);
        ptw_interrupts(set, &dev, win);
        ptw_audio_functions(a, set, &dev, win);
        cJSON_AddItemToObject(gpu, "windows", win);
    }
    SetupDiDestroyDeviceInfoList(set);
}

/* SPDX-License-Identifier: MIT */
/* One Vulkan physical device as a document entry, for both agents. See ptdiag/vkinfo.h. */
#include <stdio.h>

#include "ptdiag/doc.h"
#include "ptdiag/text_clean.h"
#include "ptdiag/vkinfo.h"

/* Strings from the ICD: bounded to their Vulkan array and cleaned before they enter the
 * document. */
static void clean(char *s, size_t size)
{
    s[size - 1] = '\0';
    ptd_text_clean(s);
}

static uint64_t device_local_bytes(const struct ptd_vk_device *d)
{
    uint64_t local = 0;

    for (uint32_t i = 0; i < d->heap_count && i < PTD_VK_MAX_HEAPS; i++)
        if (d->heap_flags[i] & PTD_VK_HEAP_DEVICE_LOCAL)
            local += d->heap_size[i];
    return local;
}

cJSON *ptd_vk_device_json(struct ptd_vk_device *d, bool windows_driver)
{
    cJSON *o = cJSON_CreateObject();
    char buf[64];

    if (!o)
        return NULL;
    clean(d->name, sizeof(d->name));
    clean(d->driver_name, sizeof(d->driver_name));
    clean(d->driver_info, sizeof(d->driver_info));
    ptd_json_add_str(o, "name", d->name);
    ptd_json_add_str(o, "type", ptd_vk_device_type_name(d->type));
    ptd_vk_version_string(d->api_version, buf, sizeof(buf));
    ptd_json_add_str(o, "api_version", buf);
    ptd_vk_driver_version_string(d->vendor_id, d->driver_version, windows_driver, buf, sizeof(buf));
    ptd_json_add_str(o, "driver_version", buf);
    ptd_json_add_str(o, "driver_id", d->has_driver ? ptd_vk_driver_id_name(d->driver_id) : NULL);
    ptd_json_add_str(o, "driver_name", d->has_driver ? d->driver_name : NULL);
    ptd_json_add_str(o, "driver_info", d->has_driver ? d->driver_info : NULL);
    /* vendorID is a PCI id for PCI devices, a Khronos id (0x10000+, e.g. 10005 for Mesa's
     * lavapipe) otherwise: %04x writes both as they are registered. */
    snprintf(buf, sizeof(buf), "%04x", d->vendor_id);
    ptd_json_add_str(o, "vendor_id", buf);
    snprintf(buf, sizeof(buf), "%04x", d->device_id);
    ptd_json_add_str(o, "device_id", buf);
    if (d->has_pci_bus)
        snprintf(buf, sizeof(buf), "%04x:%02x:%02x.%x", d->pci_domain & 0xffff, d->pci_bus & 0xff,
                 d->pci_device & 0x1f, d->pci_function & 7);
    ptd_json_add_str(o, "pci_bus", d->has_pci_bus ? buf : NULL);
    /* Vulkan requires at least one heap; none means the query did not answer. */
    ptd_json_add_u64(o, "device_local_heap_bytes", device_local_bytes(d), d->heap_count > 0);
    ptd_json_add_str(o, "luid", d->luid);
    return o;
}

/* SPDX-License-Identifier: MIT */
/*
 * dxgi.adapters[].outputs: the DXGI outputs (display connections) of an adapter, whether each
 * is attached to the desktop and its resolution. Many passed GPUs need a monitor or a dummy
 * plug for full acceleration, and Looking Glass needs one: an adapter with no attached output
 * is worth knowing about.
 */
#include <windows.h>

#include <dxgi.h>

#include "agent.h"
#include "ptdiag/doc.h"

#define MAX_OUTPUTS 16

void ptw_adapter_outputs(struct ptw_agent *a, void *dxgi_adapter, cJSON *adapter_obj,
                         const char *what)
{
    IDXGIAdapter1 *ad = dxgi_adapter;
    cJSON *arr = cJSON_AddArrayToObject(adapter_obj, "outputs");
    char err[200], name[64];

    for (UINT i = 0; i < MAX_OUTPUTS; i++) {
        IDXGIOutput *out = NULL;
        DXGI_OUTPUT_DESC d;
        cJSON *o;
        HRESULT hr = IDXGIAdapter1_EnumOutputs(ad, i, &out);

        if (hr == DXGI_ERROR_NOT_FOUND)
            return; /* no more outputs: the list is complete */
        if (FAILED(hr)) {
            ptd_doc_add_error(a->doc, "dxgi", "EnumOutputs(%s, %u): %s", what, i,
                              ptw_win_error((unsigned long)hr, err, sizeof(err)));
            goto unknown;
        }
        o = cJSON_CreateObject();
        if (!o || !cJSON_AddItemToArray(arr, o) || FAILED(IDXGIOutput_GetDesc(out, &d))) {
            if (!cJSON_IsObject(cJSON_GetArrayItem(arr, (int)i)))
                cJSON_Delete(o);
            ptd_doc_add_error(a->doc, "dxgi", "IDXGIOutput::GetDesc(%s, %u) failed", what, i);
            IDXGIOutput_Release(out);
            goto unknown;
        }
        LONG w = d.DesktopCoordinates.right - d.DesktopCoordinates.left;
        LONG h = d.DesktopCoordinates.bottom - d.DesktopCoordinates.top;

        ptd_json_add_str(o, "name", ptw_utf8(d.DeviceName, name, sizeof(name)));
        ptd_json_add_tri(o, "attached_to_desktop", d.AttachedToDesktop ? 1 : 0);
        /* A detached output has an empty rectangle: no resolution, not 0x0. */
        ptd_json_add_num(o, "width", w, d.AttachedToDesktop && w > 0);
        ptd_json_add_num(o, "height", h, d.AttachedToDesktop && h > 0);
        IDXGIOutput_Release(out);
    }
    return;
unknown:
    /* An output list that could not be read to its end is unknown, not "no display". */
    cJSON_DeleteItemFromObject(adapter_obj, "outputs");
    cJSON_AddNullToObject(adapter_obj, "outputs");
}

/* SPDX-License-Identifier: MIT */
/*
 * The "Versions" block at the top of the Markdown report: what every bug report asks for
 * first (Proxmox packages, kernels, module versions, firmware, microcode, Secure Boot and the
 * out-of-tree modules), from the host document's inventory (docs/schema.md `inventory`,
 * `system.secure_boot`, `system.modules.out_of_tree`). Facts only; every value is document
 * text and goes into a code span (escape.h).
 */
#include <string.h>

#include "ptdiag/doc.h"
#include "ptdiag/escape.h"
#include "report.h"

static void val(FILE *out, const char *s)
{
    ptd_esc_md_code(out, s, PTD_ESC_MD_CELL);
}

static void row_start(FILE *out, const char *what)
{
    fprintf(out, "| %s | ", what);
}

static void packages(FILE *out, const cJSON *inv)
{
    static const char *const names[] = {"proxmox-ve", "pve-manager", "qemu-server", "pve-qemu-kvm",
                                        "pve-firmware"};
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        const char *v =
            ptd_json_get_str(cJSON_GetObjectItemCaseSensitive(inv, "packages"), names[i]);
        if (!v)
            continue;
        row_start(out, names[i]);
        val(out, v);
        fputs(" |\n", out);
    }
}

static void kernels(FILE *out, const cJSON *inv)
{
    const char *running = ptd_json_get_str(inv, "kernel.running");
    const cJSON *k;
    bool first = true;

    if (!running)
        return;
    row_start(out, "Kernel");
    val(out, running);
    fputs(" (running)", out);
    cJSON_ArrayForEach(k, ptd_json_get(inv, "kernel.installed"))
    {
        const char *rel = ptd_json_get_str(k, "release");
        if (!rel || !strcmp(rel, running))
            continue;
        fputs(first ? "; also installed: " : ", ", out);
        val(out, rel);
        first = false;
    }
    fputs(" |\n", out);
}

static void modules(FILE *out, const cJSON *inv)
{
    const cJSON *m;
    bool any = false;

    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(inv, "modules"))
    {
        const char *name = ptd_json_get_str(m, "name"), *v = ptd_json_get_str(m, "version");
        if (!name || !v)
            continue;
        if (!any)
            row_start(out, "Modules");
        fputs(any ? ", " : "", out);
        val(out, name);
        fputc(' ', out);
        val(out, v);
        any = true;
    }
    if (any)
        fputs(" |\n", out);
}

static void firmware(FILE *out, const cJSON *inv)
{
    static const char *const keys[] = {"vendor", "version", "date", "board_vendor", "board_name"};
    const cJSON *fw = cJSON_GetObjectItemCaseSensitive(inv, "firmware");
    size_t i;
    bool any = false;

    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        const char *v = ptd_json_get_str(fw, keys[i]);
        if (!v)
            continue;
        if (!any)
            row_start(out, "Firmware");
        fputs(any ? " " : "", out);
        val(out, v);
        any = true;
    }
    if (any)
        fputs(" |\n", out);
}

static void microcode(FILE *out, const cJSON *inv)
{
    const cJSON *v;
    bool any = false;

    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(inv, "cpu_microcode"))
    {
        if (!cJSON_IsString(v))
            continue;
        if (!any)
            row_start(out, "CPU microcode");
        fputs(any ? ", " : "", out);
        val(out, v->valuestring);
        any = true;
    }
    if (any)
        fputs(" |\n", out);
}

static void out_of_tree(FILE *out, const cJSON *host)
{
    const cJSON *m;
    int sb = ptd_json_get_tri(host, "system.secure_boot.enabled");

    fprintf(out, "| Secure Boot | %s |\n", sb == 1 ? "on" : sb == 0 ? "off" : "unknown");
    cJSON_ArrayForEach(m, ptd_json_get(host, "system.modules.out_of_tree"))
    {
        const char *name = ptd_json_get_str(m, "name");
        int built = ptd_json_get_tri(m, "ko_present"), sig = ptd_json_get_tri(m, "signed");
        int loaded = ptd_json_get_tri(m, "loaded");
        if (!name)
            continue;
        row_start(out, "Out-of-tree module");
        val(out, name);
        fprintf(out, ": .ko for the running kernel %s, %s, %s |\n",
                built == 1   ? "yes"
                : built == 0 ? "**no**"
                             : "unknown",
                sig == 1   ? "signed"
                : sig == 0 ? "unsigned"
                           : "signature unknown",
                loaded == 1   ? "loaded"
                : loaded == 0 ? "not loaded"
                              : "load state unknown");
    }
}

void rpt_render_md_inventory(FILE *out, const cJSON *host)
{
    const cJSON *inv = cJSON_GetObjectItemCaseSensitive(host, "inventory");

    if (!cJSON_IsObject(inv))
        return;
    fputs("## Versions\n\n| | |\n|---|---|\n", out);
    packages(out, inv);
    kernels(out, inv);
    modules(out, inv);
    firmware(out, inv);
    microcode(out, inv);
    out_of_tree(out, host);
    fputc('\n', out);
}

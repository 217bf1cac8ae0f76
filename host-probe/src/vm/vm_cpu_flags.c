/* SPDX-License-Identifier: MIT */
/* The effective -cpu model: the order of the steps and the -cpu string. See vm_cpu_flags.h for
 * the Proxmox source it follows and vm_cpu_model.h for the steps. */
#include "vm_cpu_flags.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"

#include "vm_cpu_derive.h"
#include "vm_cpu_model.h"
#include "vm_cpu_tables.h"

/* The -cpu string: model[,level=N] then the sorted flags, then guest-phys-bits, phys-bits. */
static void print_cpu_arg(struct vm_cpu_model *m, char *buf, size_t len, const char **phys_bits)
{
    const char *level = vm_cpu_setting(m, "level", "level");
    const char *gpb = vm_cpu_setting(m, "guest-phys-bits", "guest_phys_bits");
    size_t o, i;

    *phys_bits = vm_cpu_setting(m, "phys-bits", "phys_bits");
    o = (size_t)snprintf(buf, len, "%s", m->cputype);
    if (level && vm_cpu_int_option(m, "level", level, 0, 4294967295ull) && o < len)
        o += (size_t)snprintf(buf + o, len - o, ",level=%s", level);
    vm_cpu_flags_sort(m->fs);
    for (i = 0; i < m->fs->n && o < len; i++)
        o += (size_t)snprintf(buf + o, len - o, ",%s", m->fs->f[i].token);
    if (gpb && vm_cpu_int_option(m, "guest-phys-bits", gpb, 32, 64) && o < len)
        o += (size_t)snprintf(buf + o, len - o, ",guest-phys-bits=%s", gpb);
    if (*phys_bits && o < len) {
        if (!strcmp(*phys_bits, "host"))
            snprintf(buf + o, len - o, ",host-phys-bits=true");
        else if (vm_cpu_int_option(m, "phys-bits", *phys_bits, 8, 64))
            snprintf(buf + o, len - o, ",phys-bits=%s", *phys_bits);
    }
}

cJSON *vm_cpu_effective(const struct pve_section *conf, const struct vm_cpu_host *host)
{
    struct vm_cpu_model m = {.conf = conf, .host = host};
    cJSON *eff = cJSON_CreateObject(), *model_hv, *lost;
    const char *hv_vendor = NULL, *phys_bits = NULL, *vendor;
    char buf[2048], *args_cpu = NULL;
    int hidden = -1;
    bool kvm_off, xvga;

    m.fs = calloc(1, sizeof(*m.fs));
    if (!eff || !m.fs)
        goto fail;
    m.template = pve_parse_bool(pve_section_get(conf, "template")) == 1;
    m.winver = vm_windows_version(vm_cpu_get(&m, "ostype"));
    m.kvm = pve_parse_bool(vm_cpu_get(&m, "kvm"));
    m.kvm = m.kvm < 0 ? 1 : m.kvm;
    xvga = vm_cpu_any_xvga(&m);
    ptd_json_add_str(eff, "source", "model");
    m.uncertain = cJSON_CreateArray();
    cJSON_AddBoolToObject(eff, "template", m.template);
    if (vm_cpu_get(&m, "arch") && strcmp(vm_cpu_get(&m, "arch"), "x86_64"))
        vm_cpu_note(m.uncertain, "arch is not x86_64: the model covers x86_64 guests only");
    vm_cpu_versions(&m, eff);
    vm_cpu_parse_option(&m, eff);
    vm_cpu_resolve_model(&m, &hidden, &hv_vendor);
    ptd_json_add_str(eff, "cpu_type",
                     pve_props_get(&m.cpu, "cputype") ? pve_props_get(&m.cpu, "cputype")
                                                      : (m.kvm ? "kvm64" : "qemu64"));
    /* kvm=off: x-vga sets it; a defined hidden (an explicit hidden=0 too) decides over it */
    kvm_off = hidden >= 0 ? hidden == 1 : xvga;

    /* resolve_cpu_flags order: PVE, Hyper-V, builtin model, custom model, VM, forced; a later
     * setting of the same flag replaces an earlier one. */
    vm_cpu_pve_flags(&m);
    vm_cpu_hyperv_flags(&m, xvga, hv_vendor);
    if (m.builtin)
        vm_cpu_flag_list(m.fs, m.builtin);
    if (m.custom) {
        const cJSON *f;
        cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(m.custom, "flags"))
        {
            if (cJSON_IsString(f))
                vm_cpu_flag_token(m.fs, f->valuestring);
        }
    }
    if (pve_props_get(&m.cpu, "flags") &&
        !cJSON_IsTrue(cJSON_GetObjectItem(eff, "invalid_vm_flags")))
        vm_cpu_vm_flags(&m, pve_props_get(&m.cpu, "flags"));
    if (strcmp(m.cputype, "host") && m.kvm)
        vm_cpu_flag_set(m.fs, "enforce", "enforce");
    if (kvm_off)
        vm_cpu_flag_set(m.fs, "kvm", "kvm=off");
    if ((vendor = vm_cpu_model_vendor(m.cputype))) {
        snprintf(buf, sizeof(buf), "vendor=%s", vendor);
        vm_cpu_flag_set(m.fs, "vendor", buf);
    }
    print_cpu_arg(&m, buf, sizeof(buf), &phys_bits);

    ptd_json_add_str(eff, "cpu_model", m.cputype);
    ptd_json_add_str(eff, "model_cpu_arg", buf);
    ptd_json_add_str(eff, "cpu_arg", buf);
    cJSON_AddNullToObject(eff, "flags");
    cJSON_AddNullToObject(eff, "hv_enlightenments");
    cJSON_AddNullToObject(eff, "kvm_hidden");
    cJSON_AddNullToObject(eff, "hypervisor_bit_hidden");
    cJSON_AddNullToObject(eff, "hv_vendor_id");
    vm_cpu_derive(eff, buf);
    model_hv = cJSON_Duplicate(cJSON_GetObjectItem(eff, "hv_enlightenments"), 1);
    ptd_json_add_num(eff, "windows_version", m.winver, m.winver > 0);
    ptd_json_add_str(eff, "phys_bits", phys_bits);

    /* args: -cpu replaces everything above (a template's args are dropped with the rest) */
    args_cpu = vm_cpu_arg_from_cmdline(vm_cpu_get(&m, "args"));
    cJSON_AddBoolToObject(eff, "args_replaces_cpu", args_cpu != NULL);
    ptd_json_add_str(eff, "args_cpu", args_cpu);
    if (args_cpu) {
        cJSON_ReplaceItemInObject(eff, "cpu_arg", cJSON_CreateString(args_cpu));
        vm_cpu_derive(eff, args_cpu);
        vm_cpu_note(m.uncertain,
                    "args -cpu: Proxmox appends args after its own -cpu; that QEMU keeps "
                    "the last -cpu is general QEMU behaviour, not verified here");
    }
    lost = vm_cpu_lost_enlightenments(model_hv, cJSON_GetObjectItem(eff, "hv_enlightenments"));
    cJSON_AddItemToObject(eff, "lost_enlightenments", lost);
    cJSON_AddItemToObject(eff, "uncertain", m.uncertain);
    cJSON_AddNullToObject(eff, "showcmd_cpu_arg");
    cJSON_Delete(model_hv);
    free(args_cpu);
    pve_props_free(&m.cpu);
    free(m.fs);
    return eff;
fail:
    cJSON_Delete(eff);
    free(m.fs);
    return NULL;
}

/* SPDX-License-Identifier: MIT */
/*
 * The effective-CPU model against qemu-server@e6352be behaviour (catalogue §1.4, §3.11), and
 * the cross-reference and recommendations over hand-built documents for hardware the fixture
 * builder has no scenario for (an NVIDIA professional card, AMD cards in and out of
 * vendor-reset's table, a mapping without an entry for this node).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "ptdiag/doc.h"
#include "ptdiag/root.h"

#include "pve_conf.h"
#include "vm_cpu_flags.h"
#include "vm_facts.h"
#include "vm_xref.h"

/* Parses a config text and returns its vms[] entry (caller frees). */
static cJSON *vm_from(const char *text, unsigned vmid, const cJSON *models)
{
    struct pve_conf c;
    struct ptd_error err;
    struct vm_cpu_host host = {.cpu_models = models, .cpu_vendor = "GenuineIntel"};
    cJSON *vm;

    assert_int_equal(pve_conf_parse("test.conf", text, strlen(text), &c, &err), 0);
    vm = vm_facts_build("test.conf", vmid, &c, &host);
    pve_conf_free(&c);
    assert_non_null(vm);
    return vm;
}

static const char *cpu_arg(const cJSON *vm)
{
    return ptd_json_get_str(vm, "effective_cpu.cpu_arg");
}

static bool any_uncertain(const cJSON *vm, const char *needle)
{
    const cJSON *u;

    cJSON_ArrayForEach(u, ptd_json_get(vm, "effective_cpu.uncertain"))
    {
        if (strstr(u->valuestring, needle))
            return true;
    }
    return false;
}

static void test_builtin_models(void **state)
{
    cJSON *vm;

    (void)state;
    /* PVE 8's default for new VMs */
    vm = vm_from("cpu: x86-64-v2-AES\nostype: l26\n", 100, NULL);
    assert_string_equal(cpu_arg(vm), "qemu64,+aes,enforce,+kvm_pv_eoi,+kvm_pv_unhalt,+pni,"
                                     "+popcnt,+sse4.1,+sse4.2,+ssse3");
    cJSON_Delete(vm);
    /* named Intel model: enforce + vendor */
    vm = vm_from("cpu: Haswell,phys-bits=host\nostype: l26\n", 100, NULL);
    assert_string_equal(cpu_arg(vm), "Haswell,enforce,+kvm_pv_eoi,+kvm_pv_unhalt,"
                                     "vendor=GenuineIntel,host-phys-bits=true");
    cJSON_Delete(vm);
    /* kvm: 0 is TCG: qemu64, no KVM flags */
    vm = vm_from("kvm: 0\n", 100, NULL);
    assert_string_equal(cpu_arg(vm), "qemu64");
    cJSON_Delete(vm);
}

static void test_windows_thresholds(void **state)
{
    cJSON *vm;

    (void)state;
    /* machine 2.5: spinlocks/vapic/time yes (>= 2.3), reset/vpindex/runtime no (< 2.6) */
    vm = vm_from("cpu: host\nmachine: pc-i440fx-2.5\nostype: win7\n", 100, NULL);
    assert_string_equal(cpu_arg(vm), "host,hv_relaxed,hv_spinlocks=0x1fff,hv_time,hv_vapic,"
                                     "+kvm_pv_eoi,+kvm_pv_unhalt");
    cJSON_Delete(vm);
    /* machine 2.12 on Windows 10: synic/stimer, no ipi (3.1) */
    vm = vm_from("cpu: host\nmachine: pc-q35-2.12\nostype: win10\n", 100, NULL);
    assert_string_equal(cpu_arg(vm), "host,hv_relaxed,hv_reset,hv_runtime,hv_spinlocks=0x1fff,"
                                     "hv_stimer,hv_synic,hv_time,hv_vapic,hv_vpindex,"
                                     "+kvm_pv_eoi,+kvm_pv_unhalt");
    cJSON_Delete(vm);
    /* Windows 7 with OVMF: Proxmox adds no enlightenments (needs Windows 8 with OVMF) */
    vm = vm_from("cpu: host\nbios: ovmf\nmachine: pc-q35-8.1\nostype: win7\n", 100, NULL);
    assert_string_equal(cpu_arg(vm), "host,+kvm_pv_eoi,+kvm_pv_unhalt");
    cJSON_Delete(vm);
    /* Vista (6): spinlocks, no hv_relaxed (Windows 7+) */
    vm = vm_from("cpu: host\nmachine: pc-i440fx-2.3\nostype: wvista\n", 100, NULL);
    assert_string_equal(cpu_arg(vm), "host,hv_spinlocks=0x1fff,hv_time,hv_vapic,+kvm_pv_eoi,"
                                     "+kvm_pv_unhalt");
    cJSON_Delete(vm);
    /* unversioned machine on Windows without meta: Proxmox pins 5.1 (get_vm_machine), so no
     * hv_evmcs (11.0+pve2); without a known QEMU, -cet-ibt/-cet-ss are unsure */
    vm = vm_from("cpu: host\nmachine: q35\nostype: win11\n", 100, NULL);
    assert_non_null(strstr(cpu_arg(vm), "hv_ipi"));
    assert_null(strstr(cpu_arg(vm), "hv_evmcs"));
    assert_string_equal(ptd_json_get_str(vm, "effective_cpu.machine_version"), "5.1");
    assert_true(any_uncertain(vm, "-cet-ibt,-cet-ss"));
    cJSON_Delete(vm);
}

static void test_hiding(void **state)
{
    cJSON *vm;

    (void)state;
    /* hidden + hv-vendor-id on Windows */
    vm = vm_from("cpu: host,hidden=1,hv-vendor-id=GenuineIntel\nmachine: pc-q35-8.1\n"
                 "ostype: win10\n",
                 100, NULL);
    assert_int_equal(ptd_json_get_tri(vm, "effective_cpu.kvm_hidden"), 1);
    assert_int_equal(ptd_json_get_tri(vm, "effective_cpu.hypervisor_bit_hidden"), 0);
    assert_string_equal(ptd_json_get_str(vm, "effective_cpu.hv_vendor_id"), "GenuineIntel");
    cJSON_Delete(vm);
    /* on Linux hv-vendor-id has no effect: said, not guessed */
    vm = vm_from("cpu: host,hidden=1,hv-vendor-id=GenuineIntel\nostype: l26\n", 100, NULL);
    assert_string_equal(cpu_arg(vm), "host,kvm=off,+kvm_pv_eoi,+kvm_pv_unhalt");
    assert_true(any_uncertain(vm, "does not pass it on"));
    cJSON_Delete(vm);
    /* -hypervisor is not allowed in a VM's flags */
    vm = vm_from("cpu: host,flags=-hypervisor\nostype: win11\n", 100, NULL);
    assert_true(any_uncertain(vm, "'-hypervisor' is not in the VM-level allow-list"));
    assert_int_equal(ptd_json_get_tri(vm, "effective_cpu.hypervisor_bit_hidden"), 0);
    cJSON_Delete(vm);
    /* allowed flags pass through, sorted */
    vm = vm_from("cpu: host,flags=+pdpe1gb;+pcid\nostype: l26\n", 100, NULL);
    assert_string_equal(cpu_arg(vm), "host,+kvm_pv_eoi,+kvm_pv_unhalt,+pcid,+pdpe1gb");
    cJSON_Delete(vm);
    /* x-vga with an explicit hidden=0: modelled visible, flagged uncertain */
    vm = vm_from("cpu: host,hidden=0\nhostpci0: 01:00,x-vga=1\nostype: l26\n", 100, NULL);
    assert_int_equal(ptd_json_get_tri(vm, "effective_cpu.kvm_hidden"), 0);
    assert_string_equal(cpu_arg(vm), "host,+kvm_pv_eoi,+kvm_pv_unhalt");
    cJSON_Delete(vm);
    /* x-vga on Linux: kvm=off but no hv_vendor_id (no enlightenments for Linux) */
    vm = vm_from("cpu: host\nhostpci0: 01:00,x-vga=1\nostype: l26\n", 100, NULL);
    assert_string_equal(cpu_arg(vm), "host,kvm=off,+kvm_pv_eoi,+kvm_pv_unhalt");
    cJSON_Delete(vm);
    /* the last -cpu in args wins, quoting as a shell splits it */
    vm = vm_from("args: -cpu kvm64 -device foo -cpu 'host,kvm=off,hv-relaxed'\nostype: win10\n"
                 "machine: pc-q35-8.1\n",
                 100, NULL);
    assert_string_equal(cpu_arg(vm), "host,kvm=off,hv-relaxed");
    assert_string_equal(ptd_json_get_str(vm, "effective_cpu.lost_enlightenments.0"), "hv_ipi");
    assert_int_equal(cJSON_GetArraySize(ptd_json_get(vm, "effective_cpu.lost_enlightenments")),
                     9); /* hv_relaxed kept (hv-relaxed is the same property) */
    cJSON_Delete(vm);
}

static void test_custom_models(void **state)
{
    cJSON *models = cJSON_Parse(
        "[{\"name\":\"quiet\",\"flags\":[\"-kvm_pv_unhalt\",\"+hv_relaxed\"],"
        "\"hidden\":false,\"hv_vendor_id\":\"AuthenticAMD\",\"reported_model\":\"EPYC\","
        "\"phys_bits\":\"42\"}]");
    cJSON *vm;

    (void)state;
    /* a model's custom flags come after Proxmox's and override them; its "hidden 0" is no
     * setting (get_custom_model drops false values), so x-vga's kvm=off stays; reported-model
     * EPYC brings enforce and vendor= */
    vm = vm_from("cpu: custom-quiet\nhostpci0: 01:00,x-vga=1\nmachine: pc-q35-8.1\n"
                 "ostype: win10\n",
                 100, models);
    assert_string_equal(cpu_arg(vm), "EPYC,enforce,hv_ipi,+hv_relaxed,hv_reset,hv_runtime,"
                                     "hv_spinlocks=0x1fff,hv_stimer,hv_synic,hv_time,hv_vapic,"
                                     "hv_vendor_id=AuthenticAMD,hv_vpindex,kvm=off,"
                                     "+kvm_pv_eoi,-kvm_pv_unhalt,vendor=AuthenticAMD,phys-bits=42");
    cJSON_Delete(vm);
    /* the VM's own phys-bits and hidden override the model's */
    vm = vm_from("cpu: custom-quiet,phys-bits=host,hidden=1\nostype: l26\n", 100, models);
    assert_string_equal(cpu_arg(vm), "EPYC,enforce,+hv_relaxed,kvm=off,+kvm_pv_eoi,"
                                     "-kvm_pv_unhalt,vendor=AuthenticAMD,host-phys-bits=true");
    cJSON_Delete(vm);
    cJSON_Delete(models);
}

static void test_showcmd_diff(void **state)
{
    cJSON *vm = vm_from("cpu: host\nostype: l26\n", 100, NULL), *eff;
    char *arg, *diff;

    (void)state;
    eff = cJSON_GetObjectItem(vm, "effective_cpu");
    arg = vm_cpu_arg_from_cmdline("/usr/bin/kvm \\\n  -id 100 \\\n  -cpu 'host,+kvm_pv_eoi,"
                                  "+kvm_pv_unhalt,kvm=off' \\\n  -m 2048\n");
    assert_string_equal(arg, "host,+kvm_pv_eoi,+kvm_pv_unhalt,kvm=off");
    diff = vm_cpu_apply_showcmd(eff, arg);
    assert_string_equal(diff, "only in model: -; only in qm showcmd: kvm=off");
    assert_string_equal(ptd_json_get_str(eff, "source"), "qm showcmd");
    assert_int_equal(ptd_json_get_tri(eff, "kvm_hidden"), 1);
    free(diff);
    free(arg);
    cJSON_Delete(vm);
}

static bool has_problem(const cJSON *vm, const char *needle)
{
    const cJSON *p;

    cJSON_ArrayForEach(p, cJSON_GetObjectItem(vm, "config_problems"))
    {
        if (strstr(p->valuestring, needle))
            return true;
    }
    return false;
}

static void test_proxmox_config_rules(void **state)
{
    cJSON *vm;

    (void)state;
    vm = vm_from("hostpci0: 0000:00:02.0,legacy-igd=1,rombar=0\nmachine: q35\nvga: std\n", 100,
                 NULL);
    assert_true(has_problem(vm, "test.conf:1: hostpci0: legacy IGD assignment requires VGA mode "
                                "to be 'none'"));
    assert_true(has_problem(vm, "requires rombar to be enabled"));
    assert_true(has_problem(vm, "not compatible with q35"));
    assert_false(has_problem(vm, "only works for devices on host bus 00:02.0"));
    cJSON_Delete(vm);
    vm = vm_from("hostpci0: 0000:01:00,mdev=nvidia-63\nhostpci1: 0000:00:02.1,legacy-igd=1\n"
                 "vga: none\n",
                 100, NULL);
    assert_true(has_problem(vm, "hostpci0: cannot use mediated device with multifunction"));
    assert_true(has_problem(vm, "hostpci1: legacy IGD assignment only works for devices on host "
                                "bus 00:02.0"));
    assert_false(has_problem(vm, "VGA mode"));
    cJSON_Delete(vm);
}

static void test_args_rewrite(void **state)
{
    char *r;

    (void)state;
    r = vm_cpu_args_without_cpu("-cpu host,kvm=off -device 'vfio-pci,host=02:00.0,"
                                "romfile=/root/my rom.bin' -smbios type=0");
    assert_string_equal(r, "-device 'vfio-pci,host=02:00.0,romfile=/root/my rom.bin' "
                           "-smbios type=0");
    free(r);
    assert_null(vm_cpu_args_without_cpu("-cpu 'host,kvm=off,-hypervisor'"));
}

static void test_hostpci_facts(void **state)
{
    cJSON *vm = vm_from("hostpci0: host=0000:01:00.0;0000:01:00.1,rombar=0,romfile=vbios.bin,"
                        "device-id=0x10F6,sub-vendor-id=0x0000,driver=keep,legacy-igd=1\n"
                        "hostpci1: mapping=x,host=01:00.0\n"
                        "hostpci2: 0000:zz:00\n"
                        "hostpci3: mapping=arc,pcie=yes\n",
                        100, NULL);
    const cJSON *h = cJSON_GetObjectItem(vm, "hostpci"), *p;
    bool both = false, badaddr = false, noq35 = false;

    (void)state;
    assert_string_equal(ptd_json_get_str(h, "0.host_ids.1"), "0000:01:00.1");
    assert_int_equal(ptd_json_get_tri(h, "0.rombar"), 0);
    assert_string_equal(ptd_json_get_str(h, "0.romfile"), "vbios.bin");
    assert_string_equal(ptd_json_get_str(h, "0.device_id"), "10f6");
    assert_string_equal(ptd_json_get_str(h, "0.sub_vendor_id"), "0000");
    assert_string_equal(ptd_json_get_str(h, "0.driver"), "keep");
    assert_int_equal(ptd_json_get_tri(h, "0.legacy_igd"), 1);
    assert_int_equal(ptd_json_get_tri(h, "3.pcie"), 1);
    cJSON_ArrayForEach(p, cJSON_GetObjectItem(vm, "config_problems"))
    {
        both |= strstr(p->valuestring, "test.conf:2: hostpci1: Cannot set both") != NULL;
        badaddr |= strstr(p->valuestring, "test.conf:3: hostpci2: '0000:zz:00' is not") != NULL;
        noq35 |= strstr(p->valuestring, "test.conf:4: hostpci3: pcie=1 but q35 machine model is "
                                        "not enabled (machine pc)") != NULL;
    }
    assert_true(both);
    assert_true(badaddr);
    assert_true(noq35);
    cJSON_Delete(vm);
}

/* A host document as the PCI probe writes it (docs/schema.md names). */
static cJSON *host_doc(const char *vendor, const char *device, const char *name)
{
    char buf[2048];
    cJSON *doc;

    snprintf(buf, sizeof(buf),
             "{\"schema\":\"ptdiag.host/1\",\"errors\":[],"
             "\"system\":{\"cpu\":{\"vendor\":\"AuthenticAMD\"},\"modules\":{"
             "\"builtin_or_loaded\":{\"vendor_reset\":false}}},"
             "\"cluster\":{\"this_node\":\"pve1\",\"clustered\":true,\"nodes\":[\"pve1\","
             "\"pve2\"]},"
             "\"devices\":[{\"bdf\":\"0000:0b:00.0\",\"vendor_id\":\"%s\",\"device_id\":\"%s\","
             "\"subsystem_vendor_id\":\"10de\",\"subsystem_device_id\":\"1459\","
             "\"class\":\"030000\",\"is_gpu\":true,\"device_name\":\"%s\",\"driver\":"
             "\"vfio-pci\",\"iommu_group\":27,\"reset_method\":[\"bus\"]},"
             "{\"bdf\":\"0000:0b:00.1\",\"vendor_id\":\"%s\",\"device_id\":\"1aef\",\"class\":"
             "\"040300\",\"is_gpu\":false,\"driver\":\"snd_hda_intel\",\"iommu_group\":27}],"
             "\"iommu_groups\":[{\"id\":27,\"devices\":["
             "{\"bdf\":\"0000:0b:00.0\",\"vendor_id\":\"%s\",\"device_id\":\"%s\",\"class\":"
             "\"030000\",\"driver\":\"vfio-pci\",\"is_bridge\":false},"
             "{\"bdf\":\"0000:0b:00.1\",\"vendor_id\":\"%s\",\"device_id\":\"1aef\",\"class\":"
             "\"040300\",\"driver\":\"snd_hda_intel\",\"is_bridge\":false}]}],"
             "\"mappings\":[{\"id\":\"gpu\",\"map\":[{\"node\":\"pve2\",\"id\":\"10de:2230\","
             "\"path\":\"0000:0b:00.0\",\"paths\":[\"0000:0b:00.0\"],\"iommugroup\":27}]}],"
             "\"vms\":[]}",
             vendor, device, name, vendor, vendor, device, vendor);
    doc = cJSON_Parse(buf);
    assert_non_null(doc);
    return doc;
}

struct tmproot {
    char dir[64];
    struct ptd_root root;
};

static void tmproot_init(struct tmproot *t, bool with_sys)
{
    struct ptd_error err;
    char p[256];

    snprintf(t->dir, sizeof(t->dir), "/tmp/ptdiag-vmtest-XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    if (with_sys) {
        snprintf(p, sizeof(p),
                 "mkdir -p %s/sys/bus/pci/devices/0000:0b:00.0 "
                 "%s/sys/bus/pci/devices/0000:0b:00.1",
                 t->dir, t->dir);
        assert_int_equal(system(p), 0);
    }
    assert_int_equal(ptd_root_init(&t->root, t->dir, &err), 0);
}

static void tmproot_fini(struct tmproot *t)
{
    char p[128];

    ptd_root_fini(&t->root);
    snprintf(p, sizeof(p), "rm -rf %s", t->dir);
    assert_int_equal(system(p), 0);
}

static void test_nvidia_pro_xvga(void **state)
{
    cJSON *doc = host_doc("10de", "2230", "GA102GL [RTX A6000]"), *vm;
    struct tmproot t;

    (void)state;
    tmproot_init(&t, true);
    vm = vm_from("bios: ovmf\nballoon: 0\ncpu: host,hidden=1\nhostpci0: 0000:0b:00,pcie=1,"
                 "x-vga=1\nmachine: pc-q35-8.1\nostype: win11\n",
                 103, NULL);
    cJSON_AddItemToArray(cJSON_GetObjectItem(doc, "vms"), vm);
    vm_xref_run(&t.root, doc);
    assert_string_equal(ptd_json_get_str(vm, "hostpci.0.resolved_bdfs.1"), "0000:0b:00.1");
    assert_int_equal(ptd_json_get_tri(vm, "hostpci.0.group_complete"), 1);
    tmproot_fini(&t);
    cJSON_Delete(doc);
}

/* PVE::Mapping::PCI::assert_valid compares id and subsystem-id with Perl's `ne` after
 * dropping "0x": case matters. Its schema accepts [0-9A-Fa-f], sysfs prints lower case, so a
 * hand-written "10DE:2230" passes `qm set` and then fails at VM start with "'id' does not
 * match for 'upper' (10de:2230 != 10DE:2230)". The lower-case twin matches. */
static void test_mapping_ids_compare_case_as_proxmox(void **state)
{
    cJSON *doc = host_doc("10de", "2230", "GA102GL [RTX A6000]"), *maps, *up, *low;
    struct tmproot t;

    (void)state;
    tmproot_init(&t, true);
    maps = cJSON_GetObjectItem(doc, "mappings");
    cJSON_AddItemToArray(
        maps, cJSON_Parse("{\"id\":\"upper\",\"map\":[{\"node\":\"pve1\",\"id\":\"10DE:2230\","
                          "\"subsystem_id\":\"10DE:1459\",\"path\":\"0000:0b:00.0\","
                          "\"paths\":[\"0000:0b:00.0\"],\"iommugroup\":27}]}"));
    cJSON_AddItemToArray(
        maps, cJSON_Parse("{\"id\":\"lower\",\"map\":[{\"node\":\"pve1\",\"id\":\"10de:2230\","
                          "\"subsystem_id\":\"10de:1459\",\"path\":\"0000:0b:00.0\","
                          "\"paths\":[\"0000:0b:00.0\"],\"iommugroup\":27}]}"));
    up = vm_from("hostpci0: mapping=upper,pcie=1\nmachine: q35\n", 107, NULL);
    low = vm_from("hostpci0: mapping=lower,pcie=1\nmachine: q35\n", 108, NULL);
    cJSON_AddItemToArray(cJSON_GetObjectItem(doc, "vms"), up);
    cJSON_AddItemToArray(cJSON_GetObjectItem(doc, "vms"), low);
    vm_xref_run(&t.root, doc);
    assert_int_equal(ptd_json_get_tri(up, "hostpci.0.mapping_check.entry_found"), 1);
    assert_int_equal(ptd_json_get_tri(up, "hostpci.0.mapping_check.id_match"), 0);
    assert_int_equal(ptd_json_get_tri(up, "hostpci.0.mapping_check.subsystem_id_match"), 0);
    assert_string_equal(ptd_json_get_str(up, "hostpci.0.mapping_check.problems.0"),
                        "'id' does not match for 'upper' (10de:2230 != 10DE:2230)");
    assert_string_equal(ptd_json_get_str(up, "hostpci.0.mapping_check.problems.1"),
                        "'subsystem-id' does not match for 'upper' (10de:1459 != 10DE:1459)");
    assert_int_equal(ptd_json_get_tri(low, "hostpci.0.mapping_check.id_match"), 1);
    assert_int_equal(ptd_json_get_tri(low, "hostpci.0.mapping_check.subsystem_id_match"), 1);
    assert_int_equal(
        cJSON_GetArraySize(cJSON_GetObjectItem(
            cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(low, "hostpci"), 0),
                                "mapping_check"),
            "problems")),
        0);
    tmproot_fini(&t);
    cJSON_Delete(doc);
}

static void test_partial_group_and_mapping(void **state)
{
    cJSON *doc = host_doc("10de", "2204", "GA102 [GeForce RTX 3090]"), *vm, *vm2;
    struct tmproot t;

    (void)state;
    tmproot_init(&t, true);
    vm = vm_from("hostpci0: 0000:0b:00.0,pcie=1\nmachine: q35\n", 105, NULL);
    vm2 = vm_from("hostpci0: mapping=gpu,pcie=1\nhostpci1: 0000:0c:00,pcie=1\nmachine: q35\n"
                  "hostpci2: 0000:0b:00.1\nhostpci3: 0000:0b:00\n",
                  106, NULL);
    cJSON_AddItemToArray(cJSON_GetObjectItem(doc, "vms"), vm);
    cJSON_AddItemToArray(cJSON_GetObjectItem(doc, "vms"), vm2);
    vm_xref_run(&t.root, doc);
    /* one function of the two-function group */
    assert_int_equal(ptd_json_get_tri(vm, "hostpci.0.group_complete"), 0);
    assert_string_equal(ptd_json_get_str(vm, "hostpci.0.group_others.0.bdf"), "0000:0b:00.1");
    assert_string_equal(ptd_json_get_str(vm, "hostpci.0.group_others.0.driver"), "snd_hda_intel");
    assert_int_equal(ptd_json_get_tri(vm, "hostpci.0.missing"), 0);
    /* the mapping has no entry for pve1: not resolvable here */
    assert_int_equal(ptd_json_get_tri(vm2, "hostpci.0.mapping_check.entry_found"), 0);
    assert_int_equal(ptd_json_get_tri(vm2, "hostpci.0.missing"), 1);
    assert_string_equal(ptd_json_get_str(vm2, "hostpci.0.mapping_check.problems.0"),
                        "no map entry for node 'pve1' in mapping 'gpu'");
    /* a slot with no function present */
    assert_int_equal(ptd_json_get_tri(vm2, "hostpci.1.missing"), 1);
    /* 0b:00.1 twice (hostpci2, and hostpci3's whole slot) */
    assert_true(has_problem(vm2, "test.conf:5: hostpci3: device '0000:0b:00.1' assigned more "
                                 "than once"));
    tmproot_fini(&t);
    cJSON_Delete(doc);
}

static void test_no_sys_is_unknown(void **state)
{
    cJSON *doc = host_doc("10de", "2204", "GA102 [GeForce RTX 3090]"), *vm;
    struct tmproot t;

    (void)state;
    tmproot_init(&t, false);
    vm = vm_from("hostpci0: 0000:0c:00.0\n", 107, NULL);
    cJSON_AddItemToArray(cJSON_GetObjectItem(doc, "vms"), vm);
    vm_xref_run(&t.root, doc);
    /* not in the document and no sysfs to look in: unknown, never "missing" */
    assert_true(cJSON_IsNull(ptd_json_get(vm, "hostpci.0.missing")));
    tmproot_fini(&t);
    cJSON_Delete(doc);
}

/* Mutated configs (bytes flipped, lines cut, separators swapped) never crash the parser, the
 * facts builder or the flags model; under the sanitizer build this also checks memory use. */
static void test_mutations_survive(void **state)
{
    static const char base[] =
        "args: -cpu 'host,kvm=off,-hypervisor' -device \"x\"\n"
        "cpu: custom-a,flags=+pcid;-hypervisor,hidden=1,hv-vendor-id=GenuineIntel,phys-bits=host\n"
        "hostpci0: host=0000:01:00;02:00.1,pcie=1,x-vga=1,rombar=0,device-id=0x10f6\n"
        "hostpci1: mapping=arc,mdev=i915-GVTg_V5_4\n"
        "machine: pc-q35-8.1+pve1,viommu=intel\nnuma0: cpus=0-3,hostnodes=0,memory=4096\n"
        "ostype: win11\nbios: ovmf\nballoon: 0\n[snap]\ncpu: kvm64\n[PENDING]\ndelete: vga\n";
    static const char alphabet[] = ",;=:\n[]#'\"\\ -+.0x\r\t\xff\xc3";
    cJSON *models = cJSON_Parse("[{\"name\":\"a\",\"flags\":[\"-hypervisor\"],\"hidden\":true,"
                                "\"reported_model\":\"host\"}]");
    unsigned seed = 12345, i, k;
    char buf[sizeof(base)];

    (void)state;
    for (i = 0; i < 3000; i++) {
        struct pve_conf c;
        struct ptd_error err;
        size_t len = sizeof(base) - 1;
        memcpy(buf, base, sizeof(base));
        for (k = 0; k < 1 + i % 8; k++) {
            seed = seed * 1103515245u + 12345u;
            buf[(seed >> 8) % len] = alphabet[(seed >> 20) % (sizeof(alphabet) - 1)];
        }
        seed = seed * 1103515245u + 12345u;
        if (i % 5 == 0)
            len = (seed >> 8) % len; /* truncated anywhere */
        if (pve_conf_parse("m.conf", buf, len, &c, &err) == 0) {
            struct vm_cpu_host host = {.cpu_models = models, .cpu_vendor = "GenuineIntel"};
            cJSON *vm = vm_facts_build("m.conf", 1, &c, &host);
            assert_non_null(vm);
            assert_non_null(cJSON_GetObjectItem(vm, "effective_cpu"));
            cJSON_Delete(vm);
        }
        pve_conf_free(&c);
    }
    cJSON_Delete(models);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtin_models),
        cmocka_unit_test(test_windows_thresholds),
        cmocka_unit_test(test_hiding),
        cmocka_unit_test(test_custom_models),
        cmocka_unit_test(test_showcmd_diff),
        cmocka_unit_test(test_hostpci_facts),
        cmocka_unit_test(test_proxmox_config_rules),
        cmocka_unit_test(test_args_rewrite),
        cmocka_unit_test(test_nvidia_pro_xvga),
        cmocka_unit_test(test_partial_group_and_mapping),
        cmocka_unit_test(test_mapping_ids_compare_case_as_proxmox),
        cmocka_unit_test(test_no_sys_is_unknown),
        cmocka_unit_test(test_mutations_survive),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* Parsers of the Proxmox files: well-formed input as Proxmox writes it, and the malformed-input
 * corpus (truncated lines, unknown and duplicate keys, CRLF, a 10 MB file, binary garbage). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ptdiag/doc.h"

#include "pve_conf.h"
#include "pve_corosync.h"
#include "pve_cpu_models.h"
#include "pve_mapping.h"

#define F "/etc/pve/qemu-server/101.conf"

static bool has_warning(const struct pve_conf *c, const char *needle)
{
    size_t i;

    for (i = 0; i < c->nwarnings; i++)
        if (strstr(c->warnings[i], needle))
            return true;
    return false;
}

static void test_conf_sections(void **state)
{
    static const char text[] = "#Arc%20A310 for the%3A Win11 box\n"
                               "#second line\n"
                               "balloon: 0\n"
                               "cpu: host\n"
                               "hostpci0: 0000:03:00,pcie=1\n"
                               "parent: snap1\n"
                               "\n"
                               "[PENDING]\n"
                               "delete: vga\n"
                               "memory: 8192\n"
                               "\n"
                               "[snap1]\n"
                               "cpu: kvm64\n"
                               "snaptime: 1718000000\n"
                               "\n"
                               "[special:cloudinit]\n"
                               "ipconfig0: ip=dhcp\n";
    struct pve_conf c;
    struct ptd_error err;
    const struct pve_section *s;

    (void)state;
    assert_int_equal(pve_conf_parse(F, text, strlen(text), &c, &err), 0);
    assert_int_equal(c.nsections, 4);
    assert_string_equal(c.sections[0].description, "Arc A310 for the: Win11 box\nsecond line\n");
    assert_string_equal(pve_section_get(&c.sections[0], "cpu"), "host");
    assert_null(pve_section_get(&c.sections[0], "memory")); /* pending stays apart */
    s = pve_conf_section(&c, "PENDING");
    assert_non_null(s);
    assert_int_equal(s->kind, PVE_SECTION_PENDING);
    assert_string_equal(pve_section_get(s, "delete"), "vga");
    s = pve_conf_section(&c, "snap1");
    assert_int_equal(s->kind, PVE_SECTION_SNAPSHOT);
    assert_int_equal(s->line, 12);
    assert_string_equal(pve_section_get(s, "cpu"), "kvm64");
    s = pve_conf_section(&c, "special:cloudinit");
    assert_int_equal(s->kind, PVE_SECTION_SPECIAL);
    assert_int_equal(c.nwarnings, 0);
    pve_conf_free(&c);
}

static void test_conf_crlf_same_as_lf(void **state)
{
    static const char lf[] = "cpu: host,hidden=1\nmachine: q35\n";
    static const char crlf[] = "cpu: host,hidden=1\r\nmachine: q35\r\n";
    struct pve_conf a, b;
    struct ptd_error err;

    (void)state;
    assert_int_equal(pve_conf_parse(F, lf, strlen(lf), &a, &err), 0);
    assert_int_equal(pve_conf_parse(F, crlf, strlen(crlf), &b, &err), 0);
    assert_string_equal(pve_section_get(&b.sections[0], "cpu"), "host,hidden=1");
    assert_string_equal(pve_section_get(&a.sections[0], "machine"),
                        pve_section_get(&b.sections[0], "machine"));
    assert_int_equal(b.nwarnings, 0);
    pve_conf_free(&a);
    pve_conf_free(&b);
}

static void test_conf_duplicate_unknown_truncated(void **state)
{
    static const char text[] = "cpu: kvm64\n"
                               "frobnicate: 1\n"
                               "cpu: host\n"
                               "hostpci0\n"
                               "balloon:\n"
                               "[broken\n"
                               "machine: pc-q3"; /* truncated last line, no newline */
    struct pve_conf c;
    struct ptd_error err;

    (void)state;
    assert_int_equal(pve_conf_parse(F, text, strlen(text), &c, &err), 0);
    /* the later line wins, as in qemu-server's parse_vm_config */
    assert_string_equal(pve_section_get(&c.sections[0], "cpu"), "host");
    assert_true(has_warning(&c, F ":3: duplicate key 'cpu' (also on line 1; the later wins)"));
    assert_true(has_warning(&c, F ":2: unknown setting 'frobnicate'"));
    assert_null(pve_section_get(&c.sections[0], "frobnicate"));
    assert_true(has_warning(&c, F ":4: unable to parse config line 'hostpci0'"));
    assert_true(has_warning(&c, F ":5: 'balloon' has no value"));
    assert_true(has_warning(&c, F ":6: malformed section header"));
    assert_string_equal(pve_section_get(&c.sections[0], "machine"), "pc-q3");
    pve_conf_free(&c);
}

static void test_conf_binary_and_huge(void **state)
{
    static const char bin[] = "cpu: host\nmemory: 2048\n\x7f"
                              "ELF\x02\x01\x01\x00\x00\x00";
    static const char badutf[] = "cpu: host\nname: caf\xe9\n";
    size_t big = 10u * 1024 * 1024;
    char *huge = malloc(big);
    struct pve_conf c;
    struct ptd_error err;
    size_t i;

    (void)state;
    assert_int_equal(pve_conf_parse(F, bin, sizeof(bin) - 1, &c, &err), -1);
    assert_string_equal(err.text, F ":3: binary data (NUL byte): not a Proxmox config");
    assert_int_equal(c.nsections, 0);
    pve_conf_free(&c);

    assert_int_equal(pve_conf_parse(F, badutf, strlen(badutf), &c, &err), 0);
    assert_true(has_warning(&c, F ":2: invalid UTF-8"));
    assert_null(pve_section_get(&c.sections[0], "name"));
    pve_conf_free(&c);

    assert_non_null(huge);
    for (i = 0; i < big; i++)
        huge[i] = i % 64 == 63 ? '\n' : 'a';
    assert_int_equal(pve_conf_parse(F, huge, big, &c, &err), -1);
    assert_non_null(strstr(err.text, F ": 10485760 bytes, larger than the 1048576-byte limit"));
    free(huge);
}

static void test_props(void **state)
{
    struct pve_props p;
    struct ptd_error err;

    (void)state;
    assert_int_equal(pve_props_parse("0000:01:00,pcie=1,x-vga=1", "host", &p, &err), 0);
    assert_string_equal(pve_props_get(&p, "host"), "0000:01:00");
    assert_string_equal(pve_props_get(&p, "x-vga"), "1");
    pve_props_free(&p);
    assert_int_equal(pve_props_parse("host,flags=+pcid;-ssbd", "cputype", &p, &err), 0);
    assert_string_equal(pve_props_get(&p, "flags"), "+pcid;-ssbd");
    pve_props_free(&p);
    assert_int_equal(pve_props_parse("pcie=1,pcie=0", "host", &p, &err), -1);
    assert_string_equal(err.text, "duplicate key 'pcie'");
    assert_int_equal(pve_props_parse("01:00,02:00", "host", &p, &err), -1);
    assert_non_null(strstr(err.text, "two values without a key"));
    assert_int_equal(pve_props_parse("node=a,oops", NULL, &p, &err), -1);
    assert_string_equal(err.text, "'oops' is not key=value");
    assert_int_equal(pve_parse_bool("on"), 1);
    assert_int_equal(pve_parse_bool("0"), 0);
    assert_int_equal(pve_parse_bool("maybe"), -1);
}

#define MAPF "/etc/pve/mapping/pci.cfg"

static void test_mapping(void **state)
{
    static const char text[] =
        "arc-a310\r\n"
        "\tdescription Intel Arc A310 for Win11\r\n"
        "\tmap id=8086:56a6,iommugroup=16,node=node-a,path=0000:03:00.0,subsystem-id=1849:6007\r\n"
        "\tmap id=8086:56a6,iommugroup=x,node=node-b,path=0000:04:00.0;0000:05:00\r\n"
        "\tmap node=node-c,path=zz:00.0,id=8086:56a6,colour=blue\r\n"
        "\r\n"
        "\tmap id=1:2,node=x,path=0000:01:00.0\r\n"
        "rtx\n"
        "\tmap id=10de:2204,node=node-a,path=0000:01:00\n";
    struct pve_scfg cfg;
    struct ptd_error err;
    char **problems = NULL;
    size_t np = 0, i;
    cJSON *arr, *m0, *map;
    char *joined;

    (void)state;
    assert_int_equal(pve_scfg_parse(MAPF, text, strlen(text), &cfg, &err), 0);
    assert_int_equal(cfg.count, 2);
    assert_int_equal(cfg.nwarnings, 1);
    assert_string_equal(cfg.warnings[0], MAPF ":7: property outside a section (skipped)");
    arr = pve_mapping_to_json(MAPF, &cfg, &problems, &np);
    assert_int_equal(cJSON_GetArraySize(arr), 2);
    m0 = cJSON_GetArrayItem(arr, 0);
    assert_string_equal(ptd_json_get_str(m0, "id"), "arc-a310");
    assert_string_equal(ptd_json_get_str(m0, "description"), "Intel Arc A310 for Win11");
    map = cJSON_GetObjectItem(m0, "map");
    assert_int_equal(cJSON_GetArraySize(map), 3);
    assert_int_equal((int)ptd_json_get_num(map, "0.iommugroup", -1), 16);
    assert_string_equal(ptd_json_get_str(map, "0.subsystem_id"), "1849:6007");
    assert_true(cJSON_IsNull(ptd_json_get(map, "1.iommugroup")));
    assert_string_equal(ptd_json_get_str(map, "1.paths.1"), "0000:05:00");
    assert_string_equal(ptd_json_get_str(arr, "1.map.0.paths.0"), "0000:01:00");
    joined = calloc(1, 8192);
    for (i = 0; i < np; i++) {
        strcat(joined, problems[i]);
        strcat(joined, "\n");
    }
    assert_non_null(strstr(joined, MAPF ":4: mapping 'arc-a310': iommugroup 'x' is not a number"));
    assert_non_null(strstr(joined, MAPF ":5: mapping 'arc-a310': path 'zz:00.0' is not a PCI"));
    assert_non_null(strstr(joined, MAPF ":5: mapping 'arc-a310': unknown map property 'colour'"));
    free(joined);
    pve_problems_free(problems, np);
    cJSON_Delete(arr);
    pve_scfg_free(&cfg);
}

static void test_scfg_binary_and_huge(void **state)
{
    static const char bin[] = "arc\n\tmap id=8086:56a6\n\0\0\0\xff";
    size_t big = 10u * 1024 * 1024;
    char *huge = malloc(big);
    struct pve_scfg cfg;
    struct ptd_error err;

    (void)state;
    assert_int_equal(pve_scfg_parse(MAPF, bin, sizeof(bin) - 1, &cfg, &err), -1);
    assert_string_equal(err.text, MAPF ":3: binary data (NUL byte): not a Proxmox config file");
    memset(huge, '\n', big);
    assert_int_equal(pve_scfg_parse(MAPF, huge, big, &cfg, &err), -1);
    assert_non_null(strstr(err.text, "larger than the 1048576-byte limit"));
    free(huge);
}

#define CMF "/etc/pve/virtual-guest/cpu-models.conf"

static void test_cpu_models(void **state)
{
    static const char text[] = "cpu-model: arc-hidden\n"
                               "\tflags -hypervisor;+invtsc\n"
                               "\thidden 1\n"
                               "\thv-vendor-id GenuineIntel\n"
                               "\treported-model host\n"
                               "\tphys-bits host\n"
                               "\n"
                               "cpu-model: bad\n"
                               "\tflags hypervisor\n"
                               "\thidden perhaps\n"
                               "\n"
                               "not-a-model\n";
    struct pve_scfg cfg;
    struct ptd_error err;
    char **problems = NULL;
    size_t np = 0;
    cJSON *arr;
    const cJSON *m;

    (void)state;
    assert_int_equal(pve_scfg_parse(CMF, text, strlen(text), &cfg, &err), 0);
    arr = pve_cpu_models_to_json(CMF, &cfg, &problems, &np);
    assert_int_equal(cJSON_GetArraySize(arr), 2);
    m = pve_cpu_model_find(arr, "arc-hidden");
    assert_non_null(m);
    assert_string_equal(ptd_json_get_str(m, "flags.0"), "-hypervisor");
    assert_string_equal(ptd_json_get_str(m, "flags.1"), "+invtsc");
    assert_int_equal(ptd_json_get_tri(m, "hidden"), 1);
    assert_string_equal(ptd_json_get_str(m, "phys_bits"), "host");
    m = pve_cpu_model_find(arr, "bad");
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(m, "flags")));
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(m, "hidden")));
    assert_int_equal(np, 3);
    assert_string_equal(problems[0], CMF ":10: hidden 'perhaps' is not a boolean");
    assert_string_equal(problems[1],
                        CMF ":8: cpu-model 'bad': flag 'hypervisor' is not +name or -name");
    assert_string_equal(problems[2], CMF ":12: section 'not-a-model' is not 'cpu-model: NAME'");
    pve_problems_free(problems, np);
    cJSON_Delete(arr);
    pve_scfg_free(&cfg);
}

#define CSF "/etc/pve/corosync.conf"

static void test_corosync(void **state)
{
    static const char good[] = "totem {\r\n  cluster_name: homelab\r\n  interface {\r\n"
                               "    linknumber: 0\r\n  }\r\n}\r\nnodelist {\r\n  node {\r\n"
                               "    name: pve1\r\n    nodeid: 1\r\n  }\r\n  node {\r\n"
                               "    name: pve2\r\n  }\r\n}\r\n";
    static const char truncated[] = "totem {\n  cluster_name: x\n}\nnodelist {\n  node {\n"
                                    "    name: pve1\n";
    static const char extra[] = "totem {\n}\n}\n";
    static const char bin[] = "totem {\n\x01\x02\x03\n";
    struct ptd_error err;
    cJSON *c;

    (void)state;
    c = pve_corosync_parse(CSF, good, strlen(good), &err);
    assert_non_null(c);
    assert_string_equal(ptd_json_get_str(c, "name"), "homelab");
    assert_string_equal(ptd_json_get_str(c, "nodes.1"), "pve2");
    cJSON_Delete(c);
    assert_null(pve_corosync_parse(CSF, truncated, strlen(truncated), &err));
    assert_string_equal(err.text, CSF ":6: end of file inside block 'node' (truncated?)");
    assert_null(pve_corosync_parse(CSF, extra, strlen(extra), &err));
    assert_string_equal(err.text, CSF ":3: '}' without an open block");
    assert_null(pve_corosync_parse(CSF, bin, strlen(bin), &err));
    assert_string_equal(err.text, CSF ":2: binary data or invalid UTF-8");
}

static void test_bdf(void **state)
{
    char b[32];

    (void)state;
    assert_true(pve_bdf_canonical("01:00", b, sizeof(b)));
    assert_string_equal(b, "0000:01:00");
    assert_true(pve_bdf_canonical("0000:0A:00.1", b, sizeof(b)));
    assert_string_equal(b, "0000:0a:00.1");
    assert_true(pve_bdf_canonical("2b:00.0", b, sizeof(b)));
    assert_string_equal(b, "0000:2b:00.0");
    assert_false(pve_bdf_canonical("0000:01:00.9", b, sizeof(b)));
    assert_false(pve_bdf_canonical("01:40", b, sizeof(b)));
    assert_false(pve_bdf_canonical("garbage", b, sizeof(b)));
    assert_false(pve_bdf_canonical("01:00.0x", b, sizeof(b)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conf_sections),
        cmocka_unit_test(test_conf_crlf_same_as_lf),
        cmocka_unit_test(test_conf_duplicate_unknown_truncated),
        cmocka_unit_test(test_conf_binary_and_huge),
        cmocka_unit_test(test_props),
        cmocka_unit_test(test_mapping),
        cmocka_unit_test(test_scfg_binary_and_huge),
        cmocka_unit_test(test_cpu_models),
        cmocka_unit_test(test_corosync),
        cmocka_unit_test(test_bdf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

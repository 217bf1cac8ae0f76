/* SPDX-License-Identifier: MIT */
/*
 * --save-snapshot keeps `qm showcmd VMID --pretty` for every VM with a hostpci, and the replay
 * (--root, no helper runs) reports Proxmox's own -cpu beside the model's and their difference.
 * A stand-in qm (PTDIAG_QM, the seam vm_exec_qm_path reads) prints command lines in qm
 * showcmd --pretty's layout and logs its calls. The VM layer runs on a config tree with helpers
 * allowed, as it does live; the snapshot is then replayed with helpers off.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "ptdiag/doc.h"
#include "ptdiag/root.h"

#include "probe.h"

static char tmp[] = "/tmp/ptdiag-test-showcmd-XXXXXX";
static char tree[128], snap[128], qm[128], qmlog[128];

static void mkdir_p(const char *path)
{
    char buf[512];
    size_t i;

    snprintf(buf, sizeof(buf), "%s", path);
    for (i = 1; buf[i]; i++) {
        if (buf[i] == '/') {
            buf[i] = '\0';
            mkdir(buf, 0755);
            buf[i] = '/';
        }
    }
    mkdir(buf, 0755);
}

static void put(const char *dir, const char *rel, const char *content, mode_t mode)
{
    char path[512], parent[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s%s", dir, rel);
    snprintf(parent, sizeof(parent), "%s", path);
    *strrchr(parent, '/') = '\0';
    mkdir_p(parent);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(content, f);
    fclose(f);
    chmod(path, mode);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf = calloc(1, 65536);
    size_t n;

    if (!f) {
        free(buf);
        return NULL;
    }
    n = fread(buf, 1, 65535, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* 100: qemu-server's q35-win10-hostpci case (its cfg2cmd test expects this -cpu, machine
 * pinned to 5.1); 101: hidden=1 the stand-in's answer lacks; 102: no hostpci. */
static const char conf100[] = "bios: ovmf\ncores: 1\nhostpci0: f0:42.0\nhostpci1: f0:43.0,pcie=1\n"
                              "machine: q35\nmemory: 512\nostype: win10\nsockets: 2\n";
static const char conf101[] = "cpu: host,hidden=1\nhostpci0: 0000:01:00.0,pcie=1\nmachine: q35\n"
                              "ostype: l26\n";
static const char conf102[] = "cpu: host\nostype: l26\n";
static const char cpu100[] = "kvm64,enforce,hv_ipi,hv_relaxed,hv_reset,hv_runtime,"
                             "hv_spinlocks=0x1fff,hv_stimer,hv_synic,hv_time,hv_vapic,hv_vpindex,"
                             "+kvm_pv_eoi,+kvm_pv_unhalt,+lahf_lm,+sep";

static int setup(void **state)
{
    char script[2048];

    (void)state;
    assert_non_null(mkdtemp(tmp));
    snprintf(tree, sizeof(tree), "%s/tree", tmp);
    snprintf(snap, sizeof(snap), "%s/snap", tmp);
    snprintf(qm, sizeof(qm), "%s/bin/qm", tmp);
    snprintf(qmlog, sizeof(qmlog), "%s/qm.log", tmp);
    put(tree, "/etc/pve/qemu-server/100.conf", conf100, 0644);
    put(tree, "/etc/pve/qemu-server/101.conf", conf101, 0644);
    put(tree, "/etc/pve/qemu-server/102.conf", conf102, 0644);
    put(tree, "/var/lib/dpkg/status",
        "Package: pve-qemu-kvm\nStatus: install ok installed\nPriority: optional\n"
        "Architecture: amd64\nVersion: 11.0.0-1\nDescription: Full virtualization on x86 "
        "hardware\n\n",
        0644);
    /* qm showcmd --pretty: one option per line, continued with " \\" */
    snprintf(script, sizeof(script),
             "#!/bin/sh\necho \"$*\" >> '%s'\n"
             "[ \"$1\" = showcmd ] && [ \"$3\" = --pretty ] || exit 2\n"
             "echo '/usr/bin/kvm \\'\necho \"  -id $2 \\\\\"\n"
             "case $2 in\n"
             "100) echo \"  -cpu '%s' \\\\\"; echo \"  -machine 'type=pc-q35-5.1+pve0'\" ;;\n"
             "101) echo '  -cpu host,+kvm_pv_eoi,+kvm_pv_unhalt \\'; echo \"  -machine "
             "'type=q35+pve2'\" ;;\n"
             "*) echo '  -cpu host,+kvm_pv_eoi,+kvm_pv_unhalt \\'; echo '  -machine "
             "type=pc+pve2' ;;\nesac\n",
             qmlog, cpu100);
    put(tmp, "/bin/qm", script, 0755);
    setenv("PTDIAG_QM", qm, 1);
    return 0;
}

static int teardown(void **state)
{
    char cmd[256];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
    return system(cmd) == 0 ? 0 : -1;
}

static cJSON *run_vms(const char *dir, bool live, cJSON *captured, struct ptd_root *root)
{
    struct ptd_error err;
    struct probe_ctx ctx = {0};

    assert_int_equal(ptd_root_init(root, dir, &err), 0);
    if (captured)
        assert_int_equal(ptd_root_enable_trace(root), 0);
    ctx.root = root;
    ctx.doc = ptd_doc_new(PTD_SCHEMA_HOST, "test");
    ctx.allow_exec = live;
    ctx.captured = captured;
    probe_vms_run(&ctx);
    return ctx.doc;
}

static const cJSON *vm(const cJSON *doc, int vmid)
{
    const cJSON *v;

    cJSON_ArrayForEach(v, cJSON_GetObjectItem(doc, "vms"))
    {
        if ((int)ptd_json_get_num(v, "vmid", -1) == vmid)
            return v;
    }
    fail_msg("VM %d missing", vmid);
    return NULL;
}

static void test_save_and_replay(void **state)
{
    struct ptd_root root;
    struct ptd_error err;
    cJSON *captured = cJSON_CreateObject(), *doc;
    char path[256], *text, *log;

    (void)state;
    /* "live": helpers run, their output is captured for the snapshot */
    doc = run_vms(tree, true, captured, &root);
    assert_string_equal(ptd_json_get_str(doc, "qemu.version"), "11.0.0");
    assert_string_equal(ptd_json_get_str(vm(doc, 100), "effective_cpu.showcmd_cpu_arg"), cpu100);
    assert_int_equal(host_snapshot_write(&root, snap, false, captured, &err), 0);
    ptd_root_fini(&root);
    cJSON_Delete(doc);
    cJSON_Delete(captured);
    log = slurp(qmlog);
    assert_non_null(log);
    assert_string_equal(log, "showcmd 100 --pretty\nshowcmd 101 --pretty\nshowcmd 102 --pretty\n");
    free(log);

    /* the snapshot holds Proxmox's answer for the VMs with a hostpci, and only those */
    snprintf(path, sizeof(path), "%s/run/ptdiag/showcmd-100.txt", snap);
    text = slurp(path);
    assert_non_null(text);
    assert_non_null(strstr(text, cpu100));
    free(text);
    snprintf(path, sizeof(path), "%s/run/ptdiag/showcmd-101.txt", snap);
    assert_int_equal(access(path, F_OK), 0);
    snprintf(path, sizeof(path), "%s/run/ptdiag/showcmd-102.txt", snap);
    assert_int_equal(access(path, F_OK), -1);

    /* replay: no helper runs; Proxmox's -cpu beside the model's, and the difference */
    assert_int_equal(truncate(qmlog, 0), 0);
    doc = run_vms(snap, false, NULL, &root);
    assert_string_equal(ptd_json_get_str(doc, "qemu.version"), "11.0.0");
    assert_string_equal(ptd_json_get_str(vm(doc, 100), "effective_cpu.model_cpu_arg"), cpu100);
    assert_string_equal(ptd_json_get_str(vm(doc, 100), "effective_cpu.showcmd_cpu_arg"), cpu100);
    assert_null(ptd_json_get_str(vm(doc, 100), "showcmd_diff"));
    assert_string_equal(ptd_json_get_str(vm(doc, 101), "effective_cpu.model_cpu_arg"),
                        "host,kvm=off,+kvm_pv_eoi,+kvm_pv_unhalt");
    assert_string_equal(ptd_json_get_str(vm(doc, 101), "effective_cpu.showcmd_cpu_arg"),
                        "host,+kvm_pv_eoi,+kvm_pv_unhalt");
    assert_string_equal(ptd_json_get_str(vm(doc, 101), "showcmd_diff"),
                        "only in model: kvm=off; only in qm showcmd: -");
    assert_string_equal(ptd_json_get_str(vm(doc, 101), "effective_cpu.source"), "qm showcmd");
    assert_null(ptd_json_get_str(vm(doc, 102), "effective_cpu.showcmd_cpu_arg"));
    log = slurp(qmlog);
    assert_string_equal(log, "");
    free(log);
    ptd_root_fini(&root);
    cJSON_Delete(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_save_and_replay),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

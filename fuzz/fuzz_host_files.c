/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness: the host probes that parse text files read through the --root seam
 * (/proc/cmdline, /proc/cpuinfo, /proc/modules, /etc/modprobe.d, /etc/modules,
 * /etc/default/grub, /etc/kernel/cmdline, /proc/version). Their parsers are static inside
 * probe_boot.c / probe_modules.c / probe_system.c, so the input is written into a scratch
 * root tree and the probes run against it, as they would under --root.
 *
 * Byte 0 picks the file; the rest is its content.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ptdiag/doc.h"
#include "ptdiag/root.h"

#include "probe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
void probe_system_run(struct probe_ctx *ctx);
void probe_boot_run(struct probe_ctx *ctx);
void probe_modules_run(struct probe_ctx *ctx);

static const char *const files[] = {
    "proc/cmdline",     "proc/cpuinfo",
    "proc/modules",     "etc/modprobe.d/fuzz.conf",
    "etc/modules",      "etc/modules-load.d/fuzz.conf",
    "etc/default/grub", "etc/kernel/cmdline",
    "proc/version",     "etc/default/grub.d/fuzz.cfg",
};
#define NFILES (sizeof(files) / sizeof(files[0]))

static char root_dir[64];

static void mkdirs(const char *path)
{
    char buf[256];
    char *p;

    snprintf(buf, sizeof(buf), "%s", path);
    for (p = buf + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0755) != 0 && errno != EEXIST)
                abort();
            *p = '/';
        }
    }
}

static void write_file(const char *rel, const uint8_t *data, size_t size)
{
    char path[256];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", root_dir, rel);
    f = fopen(path, "wb");
    if (!f)
        abort();
    if (size && fwrite(data, 1, size, f) != size)
        abort();
    fclose(f);
}

static void setup(void)
{
    char path[256];
    size_t i;

    snprintf(root_dir, sizeof(root_dir), "%s/ptdiag-fuzz-root.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(root_dir))
        abort();
    for (i = 0; i < NFILES; i++) {
        snprintf(path, sizeof(path), "%s/%s", root_dir, files[i]);
        mkdirs(path);
        write_file(files[i], NULL, 0);
    }
    snprintf(path, sizeof(path), "%s/sys/module/", root_dir);
    mkdirs(path);
    write_file("proc/version", (const uint8_t *)"Linux version 6.8.12-4-pve\n", 27);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    struct ptd_root root;
    struct ptd_error err;
    struct probe_ctx ctx;
    const char *rel;

    if (!ready) {
        setup();
        ready = 1;
    }
    if (size == 0)
        return 0;
    rel = files[data[0] % NFILES];
    write_file(rel, data + 1, size - 1);
    if (ptd_root_init(&root, root_dir, &err) != 0)
        abort();
    ctx = (struct probe_ctx){.root = &root, .doc = ptd_doc_new(PTD_SCHEMA_HOST, "fuzz")};
    if (ctx.doc) {
        probe_system_run(&ctx);
        probe_boot_run(&ctx);
        probe_modules_run(&ctx);
        cJSON_Delete(ctx.doc);
    }
    ptd_root_fini(&root);
    write_file(rel, NULL, 0); /* the next input starts from empty files again */
    return 0;
}

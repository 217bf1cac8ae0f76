/* SPDX-License-Identifier: MIT */
/* ptdiag-host: collects every L1-L4 passthrough fact of a Proxmox host into one document. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"
#include "ptdiag/escape.h"
#include "ptdiag/log.h"
#include "ptdiag/root.h"

#include "probe.h"

static void usage(FILE *f)
{
    fputs("Usage: ptdiag-host [OPTION]...\n"
          "Collect the GPU passthrough facts of this Proxmox host (read-only).\n"
          "\n"
          "  -j, --json              print the ptdiag.host/1 JSON document\n"
          "  -o, --output FILE       write the JSON document to FILE\n"
          "  -r, --root DIR          read sys/proc/etc/boot/dev/run under DIR instead of /\n"
          "      --vm VMID           only this VM and the devices it passes\n"
          "      --groups            list every IOMMU group, its verdict and each function's\n"
          "                          driver and VM (the guides' iommu_groups loop)\n"
          "      --save-snapshot DIR copy every file read into DIR (replay with --root)\n"
          "      --redact            with --save-snapshot and in the document: remove host\n"
          "                          names, MAC and IP addresses, serials and UUIDs\n"
          "      --with-guest        with --vm: run the guest agent in the VM through the\n"
          "                          QEMU guest agent and print the merged diagnosis\n"
          "      --agent PATH        guest agent path inside the VM (with --with-guest)\n"
          "  -v, --verbose           more diagnostics on stderr (repeat for debug)\n"
          "  -h, --help              show this help\n"
          "  -V, --version           show the version\n"
          "\n"
          "Exit status: 0 facts collected, 2 bad usage or unusable --root.\n",
          f);
}

int main(int argc, char **argv)
{
    enum { OPT_VM = 256, OPT_SNAPSHOT, OPT_REDACT, OPT_WITH_GUEST, OPT_AGENT, OPT_GROUPS };
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},
        {"output", required_argument, NULL, 'o'},
        {"root", required_argument, NULL, 'r'},
        {"vm", required_argument, NULL, OPT_VM},
        {"save-snapshot", required_argument, NULL, OPT_SNAPSHOT},
        {"redact", no_argument, NULL, OPT_REDACT},
        {"with-guest", no_argument, NULL, OPT_WITH_GUEST},
        {"agent", required_argument, NULL, OPT_AGENT},
        {"groups", no_argument, NULL, OPT_GROUPS},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    const char *root_dir = NULL, *output = NULL, *vmid = NULL, *snapshot = NULL;
    const char *agent_path = NULL;
    bool json = false, redact = false, with_guest = false, groups = false;
    struct ptd_root root;
    struct ptd_error err;
    struct probe_ctx ctx = {0};
    cJSON *doc = NULL;
    int opt, verbose = 0, ret = 2;
    size_t i;

    while ((opt = getopt_long(argc, argv, "jo:r:vhV", longopts, NULL)) != -1) {
        switch (opt) {
        case 'j':
            json = true;
            break;
        case 'o':
            output = optarg;
            break;
        case 'r':
            root_dir = optarg;
            break;
        case OPT_VM:
            vmid = optarg;
            if (!vmid[0] || strspn(vmid, "0123456789") != strlen(vmid)) {
                fprintf(stderr, "ptdiag-host: --vm: '%s' is not a VMID\n", vmid);
                return 2;
            }
            break;
        case OPT_SNAPSHOT:
            snapshot = optarg;
            break;
        case OPT_REDACT:
            redact = true;
            break;
        case OPT_WITH_GUEST:
            with_guest = true;
            break;
        case OPT_AGENT:
            agent_path = optarg;
            break;
        case OPT_GROUPS:
            groups = true;
            break;
        case 'v':
            verbose++;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case 'V':
            printf("ptdiag-host %s\n", ptd_version());
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (with_guest && !vmid) {
        fprintf(stderr, "ptdiag-host: --with-guest needs --vm VMID\n");
        return 2;
    }
    if (optind < argc) {
        fprintf(stderr, "ptdiag-host: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    ptd_log_set_level(verbose >= 2 ? PTD_LOG_DEBUG : verbose ? PTD_LOG_INFO : PTD_LOG_WARN);

    if (ptd_root_init(&root, root_dir, &err) != 0) {
        fprintf(stderr, "ptdiag-host: %s\n", ptd_esc_tmp(err.text, 0));
        return 2;
    }
    if (snapshot && ptd_root_enable_trace(&root) != 0) {
        fprintf(stderr, "ptdiag-host: out of memory\n");
        goto out;
    }
    doc = ptd_doc_new(PTD_SCHEMA_HOST, "ptdiag-host");
    if (!doc) {
        fprintf(stderr, "ptdiag-host: out of memory\n");
        goto out;
    }
    ptd_json_add_str(doc, "root", root_dir);

    ctx = (struct probe_ctx){
        .root = &root,
        .doc = doc,
        .only_vmid = vmid,
        .allow_exec = ptd_root_is_live(&root),
        .redact = redact,
    };
    if (snapshot && !(ctx.captured = cJSON_CreateObject())) {
        fprintf(stderr, "ptdiag-host: out of memory\n");
        goto out;
    }
    for (i = 0; host_probes[i].id; i++) {
        if (!host_probes[i].run)
            continue;
        PTD_DEBUG("probe %s", host_probes[i].id);
        host_probes[i].run(&ctx);
    }
    if (vmid && host_narrow_to_vm)
        host_narrow_to_vm(&ctx);

    if (snapshot) {
        if (!host_snapshot_write) {
            fprintf(stderr, "ptdiag-host: --save-snapshot is not available in this build\n");
            goto out;
        }
        if (host_snapshot_write(&root, snapshot, redact, ctx.captured, &err) != 0) {
            fprintf(stderr, "ptdiag-host: %s\n", ptd_esc_tmp(err.text, 0));
            goto out;
        }
    }

    if (with_guest) {
        if (!host_with_guest) {
            fprintf(stderr, "ptdiag-host: --with-guest is not available in this build\n");
            goto out;
        }
        ret = host_with_guest(&ctx, agent_path, stdout);
        goto out;
    }

    if (groups) {
        if (!host_groups_print) {
            fprintf(stderr, "ptdiag-host: --groups is not available in this build\n");
            goto out;
        }
        ret = host_groups_print(doc, stdout) == 0 ? 0 : 2;
        goto out;
    }
    if (json || output || !host_summary_print) {
        if (ptd_doc_write(doc, output, true, &err) != 0) {
            fprintf(stderr, "ptdiag-host: %s\n", ptd_esc_tmp(err.text, 0));
            goto out;
        }
    }
    if (!json && host_summary_print && host_summary_print(doc, stdout) != 0)
        goto out;
    ret = 0;
out:
    cJSON_Delete(ctx.captured);
    cJSON_Delete(doc);
    ptd_root_fini(&root);
    return ret;
}

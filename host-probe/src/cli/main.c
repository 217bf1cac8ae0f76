/* SPDX-License-Identifier: MIT */
/*
 * ptdiag-host: collects every L1-L4 passthrough fact of a Proxmox host into one document and,
 * run plainly, prints the report engine's diagnosis of it (per layer, with fixes); --json
 * prints the document for tools, --facts the facts alone.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"
#include "ptdiag/escape.h"
#include "ptdiag/log.h"
#include "ptdiag/root.h"

#include "diagnose.h"
#include "probe.h"

static void usage(FILE *f)
{
    fputs("Usage: ptdiag-host [OPTION]...\n"
          "Diagnose GPU passthrough on this Proxmox host (read-only): PASS/WARN/FAIL per\n"
          "layer with the fix under each problem.\n"
          "\n"
          "  -f, --format FMT        the diagnosis as text (default), json, md or prom\n"
          "      --facts             print the facts collected, without a diagnosis\n"
          "  -j, --json              print the ptdiag.host/1 JSON document instead\n"
          "  -o, --output FILE       also write the JSON document to FILE\n"
          "  -r, --root DIR          read sys/proc/etc/boot/dev/run under DIR instead of /\n"
          "      --vm VMID           only this VM and the devices it passes\n"
          "      --groups            list every IOMMU group, its verdict and each function's\n"
          "                          driver and VM (the guides' iommu_groups loop)\n"
          "      --save-snapshot DIR copy every file read into DIR (replay with --root)\n"
          "      --redact            with --save-snapshot and in the document: remove host\n"
          "                          names, MAC and IP addresses, serials and UUIDs\n"
          "      --with-guest        with --vm: run the guest agent in the VM through the\n"
          "                          QEMU guest agent and diagnose host and guest together\n"
          "      --agent PATH        guest agent path inside the VM (with --with-guest)\n"
          "      --guest-output FILE with --with-guest: also write the guest's document to\n"
          "                          FILE (a new file)\n"
          "  -v, --verbose           list every rule not checked; more diagnostics on\n"
          "                          stderr (repeat for debug)\n"
          "  -h, --help              show this help\n"
          "  -V, --version           show the version\n"
          "\n"
          "Exit status: 0 no error finding (with --json or --facts: facts collected),\n"
          "1 at least one error finding, 2 bad usage, unusable --root or output error.\n",
          f);
}

int main(int argc, char **argv)
{
    enum {
        OPT_VM = 256,
        OPT_SNAPSHOT,
        OPT_REDACT,
        OPT_WITH_GUEST,
        OPT_AGENT,
        OPT_FACTS,
        OPT_GUEST_OUTPUT,
        OPT_GROUPS
    };
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},
        {"facts", no_argument, NULL, OPT_FACTS},
        {"format", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'},
        {"root", required_argument, NULL, 'r'},
        {"vm", required_argument, NULL, OPT_VM},
        {"save-snapshot", required_argument, NULL, OPT_SNAPSHOT},
        {"redact", no_argument, NULL, OPT_REDACT},
        {"with-guest", no_argument, NULL, OPT_WITH_GUEST},
        {"agent", required_argument, NULL, OPT_AGENT},
        {"guest-output", required_argument, NULL, OPT_GUEST_OUTPUT},
        {"groups", no_argument, NULL, OPT_GROUPS},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    const char *root_dir = NULL, *output = NULL, *vmid = NULL, *snapshot = NULL;
    const char *agent_path = NULL, *guest_output = NULL;
    bool json = false, facts = false, redact = false, with_guest = false, formatted = false,
         groups = false;
    enum rpt_format fmt = RPT_FMT_TEXT;
    struct ptd_root root;
    struct ptd_error err;
    struct probe_ctx ctx = {0};
    cJSON *doc = NULL;
    int opt, verbose = 0, ret = 2;
    size_t i;

    while ((opt = getopt_long(argc, argv, "jf:o:r:vhV", longopts, NULL)) != -1) {
        switch (opt) {
        case 'j':
            json = true;
            break;
        case OPT_FACTS:
            facts = true;
            break;
        case 'f':
            if (rpt_format_parse(optarg, &fmt) < 0) {
                fprintf(stderr, "ptdiag-host: unknown format '%s'\n", optarg);
                return 2;
            }
            formatted = true;
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
        case OPT_GUEST_OUTPUT:
            guest_output = optarg;
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
    if (guest_output && !with_guest) {
        fprintf(stderr, "ptdiag-host: --guest-output needs --with-guest\n");
        return 2;
    }
    if (json + facts + formatted + groups > 1 || (with_guest && (json || facts || groups))) {
        fprintf(stderr, "ptdiag-host: --json, --facts, --groups and --format (or --with-guest) "
                        "each choose what to print: give one\n");
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
        .guest_output = guest_output,
    };
    if (snapshot && !(ctx.captured = cJSON_CreateObject())) {
        fprintf(stderr, "ptdiag-host: out of memory\n");
        goto out;
    }
    for (i = 0; host_probes[i].id; i++) {
        PTD_DEBUG("probe %s", host_probes[i].id);
        host_probes[i].run(&ctx);
    }
    if (vmid)
        host_narrow_to_vm(&ctx);

    if (snapshot && host_snapshot_write(&root, snapshot, redact, ctx.captured, &err) != 0) {
        fprintf(stderr, "ptdiag-host: %s\n", ptd_esc_tmp(err.text, 0));
        goto out;
    }
    if (groups) {
        ret = host_groups_print(doc, stdout) == 0 ? 0 : 2;
        goto out;
    }
    if (json || output) {
        if (ptd_doc_write(doc, output, true, &err) != 0) {
            fprintf(stderr, "ptdiag-host: %s\n", ptd_esc_tmp(err.text, 0));
            goto out;
        }
    }
    if (facts && host_summary_print(doc, stdout) != 0)
        goto out;
    if (!json && !facts) {
        /* The diagnosis; with --with-guest, of the guest's document too. */
        cJSON *guest = with_guest ? host_guest_document(&ctx, agent_path) : NULL;
        ret = host_diagnose(doc, guest, guest ? strtol(vmid, NULL, 10) : -1, fmt, verbose > 0,
                            stdout);
        goto out;
    }
    ret = 0;
out:
    cJSON_Delete(ctx.captured);
    cJSON_Delete(doc);
    ptd_root_fini(&root);
    return ret;
}

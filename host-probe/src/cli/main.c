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

#include "ptdiag/cli.h"
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

/* What the options chose; strings point into argv. */
struct host_opts {
    struct ptd_cli cli;
    const char *vmid, *snapshot, *agent_path, *guest_output;
    bool facts, redact, with_guest, formatted, groups; /* and cli: json, output, root_dir */
    enum rpt_format fmt;
};

/* The options that do not go together: -1 with the message on stderr. */
static int check_combination(const struct host_opts *o)
{
    if (o->with_guest && !o->vmid) {
        fprintf(stderr, "ptdiag-host: --with-guest needs --vm VMID\n");
        return -1;
    }
    if (o->guest_output && !o->with_guest) {
        fprintf(stderr, "ptdiag-host: --guest-output needs --with-guest\n");
        return -1;
    }
    if (o->cli.json + o->facts + o->formatted + o->groups > 1 ||
        (o->with_guest && (o->cli.json || o->facts || o->groups))) {
        fprintf(stderr, "ptdiag-host: --json, --facts, --groups and --format (or --with-guest) "
                        "each choose what to print: give one\n");
        return -1;
    }
    return 0;
}

/* Fills o from argv. Returns PTD_CLI_GO_ON, or the exit status when the program ends here. */
static int parse_options(int argc, char **argv, struct host_opts *o)
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
        PTD_CLI_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    int opt, rc;

    while ((opt = getopt_long(argc, argv, "jf:o:r:" PTD_CLI_SHORTOPTS, longopts, NULL)) != -1) {
        switch (opt) {
        case OPT_FACTS:
            o->facts = true;
            break;
        case 'f':
            if (rpt_format_parse(optarg, &o->fmt) < 0) {
                fprintf(stderr, "ptdiag-host: unknown format '%s'\n", optarg);
                return 2;
            }
            o->formatted = true;
            break;
        case OPT_VM:
            o->vmid = optarg;
            if (!optarg[0] || strspn(optarg, "0123456789") != strlen(optarg)) {
                fprintf(stderr, "ptdiag-host: --vm: '%s' is not a VMID\n", optarg);
                return 2;
            }
            break;
        case OPT_SNAPSHOT:
            o->snapshot = optarg;
            break;
        case OPT_REDACT:
            o->redact = true;
            break;
        case OPT_WITH_GUEST:
            o->with_guest = true;
            break;
        case OPT_AGENT:
            o->agent_path = optarg;
            break;
        case OPT_GUEST_OUTPUT:
            o->guest_output = optarg;
            break;
        case OPT_GROUPS:
            o->groups = true;
            break;
        default:
            if ((rc = ptd_cli_option(&o->cli, opt, optarg)) != PTD_CLI_GO_ON)
                return rc;
        }
    }
    if (check_combination(o) < 0)
        return 2;
    return ptd_cli_finish(&o->cli, argc, argv, optind);
}

/* What the options asked for, once the probes have filled ctx->doc: the groups, the document,
 * the facts or the diagnosis. Returns the exit status. */
static int print_results(const struct host_opts *o, struct probe_ctx *ctx)
{
    struct ptd_error err;

    if (o->groups)
        return host_groups_print(ctx->doc, stdout) == 0 ? 0 : 2;
    if ((o->cli.json || o->cli.output) && ptd_doc_write(ctx->doc, o->cli.output, true, &err) != 0) {
        fprintf(stderr, "ptdiag-host: %s\n", ptd_esc_tmp(err.text, 0));
        return 2;
    }
    if (o->facts && host_summary_print(ctx->doc, stdout) != 0)
        return 2;
    if (!o->cli.json && !o->facts) {
        /* The diagnosis; with --with-guest, of the guest's document too. */
        cJSON *guest = o->with_guest ? host_guest_document(ctx, o->agent_path) : NULL;
        return host_diagnose(ctx->doc, guest, guest ? strtol(o->vmid, NULL, 10) : -1, o->fmt,
                             o->cli.verbose > 0, stdout);
    }
    return 0;
}

/* Runs every probe under root into a new document, narrows it to --vm and writes the
 * snapshot; then prints what the options asked for. Returns the exit status. */
static int run(const struct host_opts *o, struct ptd_root *root)
{
    struct ptd_error err;
    struct probe_ctx ctx = {0};
    cJSON *doc = NULL;
    int ret = 2;

    if (o->snapshot && ptd_root_enable_trace(root) != 0) {
        fprintf(stderr, "ptdiag-host: out of memory\n");
        goto out;
    }
    doc = ptd_doc_new(PTD_SCHEMA_HOST, "ptdiag-host");
    if (!doc) {
        fprintf(stderr, "ptdiag-host: out of memory\n");
        goto out;
    }
    ptd_json_add_str(doc, "root", o->cli.root_dir);

    ctx = (struct probe_ctx){
        .root = root,
        .doc = doc,
        .only_vmid = o->vmid,
        .allow_exec = ptd_root_is_live(root),
        .redact = o->redact,
        .guest_output = o->guest_output,
    };
    if (o->snapshot && !(ctx.captured = cJSON_CreateObject())) {
        fprintf(stderr, "ptdiag-host: out of memory\n");
        goto out;
    }
    for (size_t i = 0; host_probes[i].id; i++) {
        PTD_DEBUG("probe %s", host_probes[i].id);
        host_probes[i].run(&ctx);
    }
    if (o->vmid)
        host_narrow_to_vm(&ctx);

    if (o->snapshot && host_snapshot_write(root, o->snapshot, o->redact, ctx.captured, &err) != 0) {
        fprintf(stderr, "ptdiag-host: %s\n", ptd_esc_tmp(err.text, 0));
        goto out;
    }
    ret = print_results(o, &ctx);
out:
    cJSON_Delete(ctx.captured);
    cJSON_Delete(doc);
    return ret;
}

int main(int argc, char **argv)
{
    struct host_opts o = {.cli = {.prog = "ptdiag-host", .usage = usage}, .fmt = RPT_FMT_TEXT};
    struct ptd_root root;
    struct ptd_error err;
    int ret = parse_options(argc, argv, &o);

    if (ret != PTD_CLI_GO_ON)
        return ret;
    if (ptd_root_init(&root, o.cli.root_dir, &err) != 0) {
        fprintf(stderr, "ptdiag-host: %s\n", ptd_esc_tmp(err.text, 0));
        return 2;
    }
    ret = run(&o, &root);
    ptd_root_fini(&root);
    return ret;
}

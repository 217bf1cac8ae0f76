/* SPDX-License-Identifier: MIT */
/* ptdiag-agent: what a Linux guest really sees of its passed-through GPU (ptdiag.guest/1). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "agent_verdict.h"
#include "ptdiag/cli.h"
#include "ptdiag/doc.h"
#include "ptdiag/root.h"

static void usage(FILE *f)
{
    fputs("Usage: ptdiag-agent [OPTION]...\n"
          "Collect what this Linux guest sees of its GPU(s) (read-only). Without options,\n"
          "print a capability table per GPU and the guest-layer diagnosis (PASS/WARN/FAIL\n"
          "with the fix); with --json or -o, the ptdiag.guest/1 document instead.\n"
          "\n"
          "  -j, --json          print the ptdiag.guest/1 JSON document\n"
          "  -o, --output FILE   write the JSON document to FILE instead of stdout\n"
          "  -r, --root DIR      read sys/proc/etc/dev under DIR instead of / (CPUID, NVML,\n"
          "                      Vulkan, VA-API and CUDA are then not queried)\n"
          "      --soak FILE     append one ptdiag.soak/1 sample to FILE (JSON Lines) and\n"
          "                      print nothing else unless --json or -o is given\n"
          "  -v, --verbose       more diagnostics on stderr (repeat for debug)\n"
          "  -h, --help          show this help\n"
          "  -V, --version       show the version\n"
          "\n"
          "NVML, Vulkan, VA-API, CUDA and the NVIDIA video libraries are queried in child\n"
          "processes killed after PTDIAG_QUERY_TIMEOUT seconds (default 20) each, so a\n"
          "wedged driver cannot hang the agent.\n"
          "\n"
          "Exit status: with the diagnosis, as ptdiag-report: 0 no error finding, 1 at least\n"
          "one, 2 bad usage or unusable --root; with --json, -o or --soak: 0 facts collected,\n"
          "1 the document or sample could not be written, 2 bad usage or unusable --root.\n",
          f);
}

/* What the options chose; strings point into argv. */
struct agent_opts {
    struct ptd_cli cli;
    const char *soak; /* and cli: json, output, root_dir */
};

/* Fills o from argv. Returns PTD_CLI_GO_ON, or the exit status when the program ends here. */
static int parse_options(int argc, char **argv, struct agent_opts *o)
{
    enum { OPT_SOAK = 256 };
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},
        {"output", required_argument, NULL, 'o'},
        {"root", required_argument, NULL, 'r'},
        {"soak", required_argument, NULL, OPT_SOAK},
        PTD_CLI_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    int opt, rc;

    while ((opt = getopt_long(argc, argv, "jo:r:" PTD_CLI_SHORTOPTS, longopts, NULL)) != -1) {
        switch (opt) {
        case OPT_SOAK:
            o->soak = optarg;
            break;
        default:
            if ((rc = ptd_cli_option(&o->cli, opt, optarg)) != PTD_CLI_GO_ON)
                return rc;
        }
    }
    return ptd_cli_finish(&o->cli, argc, argv, optind);
}

/* The verdict, or the document and the soak sample the options asked for, of ctx->doc.
 * Returns the exit status. */
static int print_results(const struct agent_opts *o, struct agent_ctx *ctx)
{
    struct ptd_error err;

    if (!o->soak && !o->cli.json && !o->cli.output) {
        struct rpt_agent_verdict_opts vo = {.agent = "ptdiag-agent", .verbose = o->cli.verbose > 0};

        vo.colour = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
        return rpt_agent_verdict(stdout, ctx->doc, &vo);
    }
    if (o->soak && agent_soak_append(ctx, o->soak, &err) != 0) {
        fprintf(stderr, "ptdiag-agent: %s\n", err.text);
        return 1;
    }
    if ((!o->soak || o->cli.json || o->cli.output) &&
        ptd_doc_write(ctx->doc, o->cli.output, true, &err) != 0) {
        fprintf(stderr, "ptdiag-agent: %s\n", err.text);
        return 1;
    }
    return 0;
}

/* Collects under --root and prints what the options asked for. Returns the exit status. */
static int run(const struct agent_opts *o)
{
    struct agent_ctx ctx = {0};
    struct ptd_root root;
    struct ptd_error err;
    int ret = 2;

    if (ptd_root_init(&root, o->cli.root_dir, &err) != 0) {
        fprintf(stderr, "ptdiag-agent: %s\n", err.text);
        return 2;
    }
    ctx.root = &root;
    ctx.live = ptd_root_is_live(&root);
    ctx.doc = ptd_doc_new(PTD_SCHEMA_GUEST, "ptdiag-agent");
    if (!ctx.doc) {
        fprintf(stderr, "ptdiag-agent: out of memory\n");
        goto out;
    }
    ptd_json_add_str(ctx.doc, "root", o->cli.root_dir);
    agent_collect(&ctx);
    ret = print_results(o, &ctx);
out:
    cJSON_Delete(ctx.doc);
    agent_ctx_fini(&ctx);
    ptd_root_fini(&root);
    return ret;
}

int main(int argc, char **argv)
{
    struct agent_opts o = {.cli = {.prog = "ptdiag-agent", .usage = usage}};
    int ret = parse_options(argc, argv, &o);

    return ret == PTD_CLI_GO_ON ? run(&o) : ret;
}

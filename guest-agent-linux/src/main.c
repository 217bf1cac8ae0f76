/* SPDX-License-Identifier: MIT */
/* ptdiag-agent: what a Linux guest really sees of its passed-through GPU (ptdiag.guest/1). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "agent_verdict.h"
#include "ptdiag/doc.h"
#include "ptdiag/log.h"
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

int main(int argc, char **argv)
{
    enum { OPT_SOAK = 256 };
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},       {"output", required_argument, NULL, 'o'},
        {"root", required_argument, NULL, 'r'}, {"soak", required_argument, NULL, OPT_SOAK},
        {"verbose", no_argument, NULL, 'v'},    {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},    {NULL, 0, NULL, 0},
    };
    const char *root_dir = NULL, *output = NULL, *soak = NULL;
    struct agent_ctx ctx = {0};
    struct ptd_root root;
    struct ptd_error err;
    bool json = false;
    int opt, verbose = 0, ret = 2;

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
        case OPT_SOAK:
            soak = optarg;
            break;
        case 'v':
            verbose++;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case 'V':
            printf("ptdiag-agent %s\n", ptd_version());
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "ptdiag-agent: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    ptd_log_set_level(verbose >= 2 ? PTD_LOG_DEBUG : verbose ? PTD_LOG_INFO : PTD_LOG_WARN);
    if (ptd_root_init(&root, root_dir, &err) != 0) {
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
    ptd_json_add_str(ctx.doc, "root", root_dir);
    agent_collect(&ctx);

    if (!soak && !json && !output) {
        struct rpt_agent_verdict_opts vo = {.agent = "ptdiag-agent", .verbose = verbose > 0};

        vo.colour = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
        ret = rpt_agent_verdict(stdout, ctx.doc, &vo);
        goto out;
    }
    ret = 1;
    if (soak && agent_soak_append(&ctx, soak, &err) != 0) {
        fprintf(stderr, "ptdiag-agent: %s\n", err.text);
        goto out;
    }
    if ((!soak || json || output) && ptd_doc_write(ctx.doc, output, true, &err) != 0) {
        fprintf(stderr, "ptdiag-agent: %s\n", err.text);
        goto out;
    }
    ret = 0;
out:
    cJSON_Delete(ctx.doc);
    agent_ctx_fini(&ctx);
    ptd_root_fini(&root);
    return ret;
}

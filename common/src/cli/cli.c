/* SPDX-License-Identifier: MIT */
/* The options every ptdiag binary has (see ptdiag/cli.h). */
#include "ptdiag/cli.h"
#include "ptdiag/doc.h"
#include "ptdiag/log.h"

int ptd_cli_option(struct ptd_cli *cli, int opt, const char *arg)
{
    switch (opt) {
    case 'v':
        cli->verbose++;
        return PTD_CLI_GO_ON;
    case 'j':
        cli->json = true;
        return PTD_CLI_GO_ON;
    case 'o':
        cli->output = arg;
        return PTD_CLI_GO_ON;
    case 'r':
        cli->root_dir = arg;
        return PTD_CLI_GO_ON;
    case 'h':
        cli->usage(stdout);
        return 0;
    case 'V':
        printf("%s %s\n", cli->prog, ptd_version());
        return 0;
    default:
        cli->usage(stderr);
        return 2;
    }
}

int ptd_cli_finish(struct ptd_cli *cli, int argc, char **argv, int optind_after)
{
    if (optind_after < argc) {
        fprintf(stderr, "%s: unexpected argument '%s'\n", cli->prog, argv[optind_after]);
        cli->usage(stderr);
        return 2;
    }
    ptd_log_set_level(cli->verbose >= 2  ? PTD_LOG_DEBUG
                      : cli->verbose > 0 ? PTD_LOG_INFO
                                         : PTD_LOG_WARN);
    return PTD_CLI_GO_ON;
}

/* SPDX-License-Identifier: MIT */
/*
 * The command-line options every ptdiag binary has, handled once: -v/--verbose (counted),
 * -h/--help, -V/--version, an unknown option, operands where none are taken, and the log
 * level -v chooses; and those most of them share with one meaning: -j/--json, -o/--output
 * FILE, -r/--root DIR. Each main() parses its own options with getopt_long and hands
 * everything else to ptd_cli_option(). Built as ptdiag_cli, apart from ptdiag_common: --help and
 * --version print to stdout, which the common library never does.
 *
 * Ownership: struct ptd_cli borrows prog and usage; nothing here allocates.
 */
#ifndef PTDIAG_CLI_H
#define PTDIAG_CLI_H

#include <stdbool.h>
#include <stdio.h>

/* getopt_long's entries and short letters for the common options: put them in each table. */
/* clang-format off */
#define PTD_CLI_LONGOPTS                                                                           \
    {"verbose", no_argument, NULL, 'v'},                                                           \
    {"help", no_argument, NULL, 'h'},                                                              \
    {"version", no_argument, NULL, 'V'}
/* clang-format on */
#define PTD_CLI_SHORTOPTS "vhV"

/* ptd_cli_option() and ptd_cli_finish(): the program goes on (any other value is the exit
 * status to return now). */
#define PTD_CLI_GO_ON (-1)

struct ptd_cli {
    const char *prog;       /* "ptdiag-host": messages and the --version line */
    void (*usage)(FILE *f); /* the --help text (stdout), or after a usage error (stderr) */
    int verbose;            /* how many -v */
    /* Set only where the program's getopt table has the option; strings point into argv. */
    bool json;            /* -j/--json */
    const char *output;   /* -o/--output FILE */
    const char *root_dir; /* -r/--root DIR */
};

/* One getopt_long result (opt, and optarg as arg) main() did not handle itself: 'v' counts,
 * 'j', 'o' and 'r' are kept, 'h' prints the help and 'V' the version (exit 0), anything else
 * is a usage error (the help on stderr, exit 2). */
int ptd_cli_option(struct ptd_cli *cli, int opt, const char *arg);

/* After the options, for a program that takes no operands: argv[optind] left over is "prog:
 * unexpected argument" (exit 2); otherwise the log level follows -v (warnings; -v: info;
 * -vv: debug) and the program goes on. */
int ptd_cli_finish(struct ptd_cli *cli, int argc, char **argv, int optind_after);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * `ptdiag-report soak FILE... [--format text|json|md] [--threshold-days N]
 *  [--max-gap-minutes N] [--now RFC3339]`: evaluates soak logs, one per guest.
 *
 * argv[0] is the subcommand ("soak"); a caller may also pass its whole argv with "soak" as
 * argv[1]. Exit status: 0 every log is production or in-validation, 1 at least one failed,
 * 2 bad usage, or a file that is unreadable, empty or not a soak log (2 wins over 1).
 */
#ifndef PTDIAG_SOAK_CLI_H
#define PTDIAG_SOAK_CLI_H

int report_soak_main(int argc, char **argv);

#endif

/* SPDX-License-Identifier: MIT */
/* Test driver: the soak subcommand alone, built from the very sources ptdiag-report links, so
 * the soak tests run whatever state the rest of ptdiag-report is in. */
#include "soak_cli.h"

int main(int argc, char **argv)
{
    return report_soak_main(argc, argv);
}

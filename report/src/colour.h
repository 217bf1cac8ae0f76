/* SPDX-License-Identifier: MIT */
/* The ANSI colours of the text report and the agents' verdict, in one place so that both say
 * FAIL, WARN and PASS in the same colours. Used only when the caller says stdout is a
 * terminal (and NO_COLOR is not set). */
#ifndef PTDIAG_REPORT_COLOUR_H
#define PTDIAG_REPORT_COLOUR_H

#define C_RED  "\033[31m"
#define C_YEL  "\033[33m"
#define C_GRN  "\033[32m"
#define C_BLU  "\033[36m"
#define C_BOLD "\033[1m"
#define C_OFF  "\033[0m"

#endif

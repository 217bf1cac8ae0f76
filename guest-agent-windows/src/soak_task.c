/* SPDX-License-Identifier: MIT */
/* placeholder, replaced below */
#include "agent.h"
int ptw_install_soak(const char *exe_override) { (void)exe_override; return 1; }
int ptw_uninstall_soak(void) { return 1; }

/* SPDX-License-Identifier: MIT */
/* ptdiag-crash.exe: dies with an access violation, so the harness can prove that a crash
 * under Wine fails the run instead of passing or hanging on a debugger dialog. Test-only. */
#include <stdio.h>

int main(void)
{
    volatile int *volatile p = NULL;

    fflush(stdout);
    *p = 42;
    return 0;
}

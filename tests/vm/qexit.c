/* SPDX-License-Identifier: MIT */
/*
 * Guest side of qemu's isa-debug-exit device: writing N to port 0xf4 ends qemu with exit
 * status (N << 1) | 1, so the VM test's init can hand its verdict to the host without
 * parsing the console. Static, because the initramfs carries no libc for it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/io.h>

int main(int argc, char **argv)
{
    unsigned long code = argc > 1 ? strtoul(argv[1], NULL, 0) : 0;

    if (ioperm(0xf4, 4, 1) != 0) {
        perror("qexit: ioperm 0xf4");
        return 1;
    }
    outl((unsigned)code, 0xf4);
    /* Only reached when no isa-debug-exit device is present. */
    fputs("qexit: no isa-debug-exit device at 0xf4\n", stderr);
    return 1;
}

/* SPDX-License-Identifier: MIT */
/*
 * The -cpu option in a QEMU command line (`qm showcmd --pretty` output) or a VM's `args:`,
 * split as a shell would (quotes, backslashes, "\\\n" continuations).
 * Ownership: returned strings are the caller's.
 */
#ifndef PTDIAG_VM_CPU_CMDLINE_H
#define PTDIAG_VM_CPU_CMDLINE_H

/* The value of the last -cpu/--cpu in text; NULL if none. Caller frees. */
char *vm_cpu_arg_from_cmdline(const char *text);

/* `args` without its -cpu options, words re-quoted for a shell where needed; NULL when
 * nothing else remains (or on allocation failure). Caller frees. */
char *vm_cpu_args_without_cpu(const char *args);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * Running a read-only helper (qm showcmd, qm guest exec, ptdiag-report) with a timeout and its
 * output captured. The child gets /dev/null as stdin and its own process group, which is killed
 * whole when the timeout passes, so a hung helper never hangs the probe.
 *
 * Ownership: the result's buffers are freed by vm_exec_result_free().
 */
#ifndef PTDIAG_VM_EXEC_H
#define PTDIAG_VM_EXEC_H

#include <stdbool.h>
#include <stddef.h>

struct vm_exec_result {
    int status; /* exit status; 128+N when killed by signal N; -1 when not run */
    bool timed_out;
    int spawn_errno; /* errno of a failed exec (ENOENT...), 0 when it ran */
    char *out, *err; /* NUL-terminated captured stdout/stderr (possibly truncated) */
    size_t out_len, err_len;
    bool truncated; /* output exceeded max_bytes */
};

/* Runs argv (argv[0] a path, or a name looked up on PATH). Returns 0 when the process ran
 * (whatever its exit status), -1 when it could not be started (res->spawn_errno says why). */
int vm_exec_capture(char *const argv[], unsigned timeout_s, size_t max_bytes,
                    struct vm_exec_result *res);
void vm_exec_result_free(struct vm_exec_result *res);

/* The qm to run: $PTDIAG_QM when set (tests), else /usr/sbin/qm; NULL when not executable. */
const char *vm_exec_qm_path(void);

#endif

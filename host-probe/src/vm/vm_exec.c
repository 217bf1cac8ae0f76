/* SPDX-License-Identifier: MIT */
/* Helper processes with a timeout. See vm_exec.h. */
#include "vm_exec.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static int append(char **buf, size_t *len, size_t *cap, const char *data, size_t n, size_t max,
                  bool *truncated)
{
    if (*len + n > max) {
        *truncated = true;
        n = max > *len ? max - *len : 0;
    }
    if (*len + n + 1 > *cap) {
        size_t c = (*cap ? *cap * 2 : 4096);
        char *g;
        while (c < *len + n + 1)
            c *= 2;
        if (!(g = realloc(*buf, c)))
            return -1;
        *buf = g;
        *cap = c;
    }
    memcpy(*buf + *len, data, n);
    *len += n;
    (*buf)[*len] = '\0';
    return 0;
}

int vm_exec_capture(char *const argv[], unsigned timeout_s, size_t max_bytes,
                    struct vm_exec_result *res)
{
    int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1}, exec_pipe[2] = {-1, -1};
    size_t out_cap = 0, err_cap = 0;
    long deadline;
    pid_t pid;
    int wstatus, child_errno = 0;
    ssize_t r;

    memset(res, 0, sizeof(*res));
    res->status = -1;
    if (pipe2(out_pipe, O_CLOEXEC) || pipe2(err_pipe, O_CLOEXEC) || pipe2(exec_pipe, O_CLOEXEC)) {
        res->spawn_errno = errno;
        goto fail;
    }
    pid = fork();
    if (pid < 0) {
        res->spawn_errno = errno;
        goto fail;
    }
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDONLY);
        setpgid(0, 0);
        if (devnull >= 0)
            dup2(devnull, 0);
        dup2(out_pipe[1], 1);
        dup2(err_pipe[1], 2);
        if (strchr(argv[0], '/'))
            execv(argv[0], argv);
        else
            execvp(argv[0], argv);
        child_errno = errno;
        if (write(exec_pipe[1], &child_errno, sizeof(child_errno)) < 0)
            _exit(127);
        _exit(127);
    }
    close(out_pipe[1]);
    close(err_pipe[1]);
    close(exec_pipe[1]);
    out_pipe[1] = err_pipe[1] = exec_pipe[1] = -1;
    if (read(exec_pipe[0], &child_errno, sizeof(child_errno)) == sizeof(child_errno)) {
        res->spawn_errno = child_errno;
        waitpid(pid, &wstatus, 0);
        goto fail;
    }
    deadline = now_ms() + (long)timeout_s * 1000L;
    while (out_pipe[0] >= 0 || err_pipe[0] >= 0) {
        struct pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
        long left = deadline - now_ms();
        char buf[8192];
        int i;
        if (left <= 0) {
            res->timed_out = true;
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            break;
        }
        if (poll(fds, 2, (int)(left > 1000 ? 1000 : left)) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (i = 0; i < 2; i++) {
            int *fd = i ? &err_pipe[0] : &out_pipe[0];
            if (*fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            r = read(*fd, buf, sizeof(buf));
            if (r <= 0) {
                if (r < 0 && errno == EINTR)
                    continue;
                close(*fd);
                *fd = -1;
                continue;
            }
            if (i)
                append(&res->err, &res->err_len, &err_cap, buf, (size_t)r, max_bytes,
                       &res->truncated);
            else
                append(&res->out, &res->out_len, &out_cap, buf, (size_t)r, max_bytes,
                       &res->truncated);
        }
    }
    /* A child may close its output and keep running: the deadline still holds. */
    for (;;) {
        pid_t w = waitpid(pid, &wstatus, res->timed_out ? 0 : WNOHANG);
        if (w == pid)
            break;
        if (w < 0 && errno != EINTR) {
            wstatus = 0;
            break;
        }
        if (w == 0 && now_ms() >= deadline) {
            res->timed_out = true;
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            continue;
        }
        if (w == 0) {
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    if (WIFEXITED(wstatus))
        res->status = WEXITSTATUS(wstatus);
    else if (WIFSIGNALED(wstatus))
        res->status = 128 + WTERMSIG(wstatus);
    if (out_pipe[0] >= 0)
        close(out_pipe[0]);
    if (err_pipe[0] >= 0)
        close(err_pipe[0]);
    close(exec_pipe[0]);
    if (!res->out)
        append(&res->out, &res->out_len, &out_cap, "", 0, max_bytes, &res->truncated);
    if (!res->err)
        append(&res->err, &res->err_len, &err_cap, "", 0, max_bytes, &res->truncated);
    return 0;
fail:
    for (int i = 0; i < 2; i++) {
        if (out_pipe[i] >= 0)
            close(out_pipe[i]);
        if (err_pipe[i] >= 0)
            close(err_pipe[i]);
        if (exec_pipe[i] >= 0)
            close(exec_pipe[i]);
    }
    return -1;
}

void vm_exec_result_free(struct vm_exec_result *res)
{
    free(res->out);
    free(res->err);
    res->out = res->err = NULL;
}

const char *vm_exec_qm_path(void)
{
    const char *qm = getenv("PTDIAG_QM");

    if (qm && *qm)
        return access(qm, X_OK) == 0 ? qm : NULL;
    return access("/usr/sbin/qm", X_OK) == 0 ? "/usr/sbin/qm" : NULL;
}

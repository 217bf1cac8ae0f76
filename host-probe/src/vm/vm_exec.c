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

/* The child: its own process group (so that a timeout kills what it spawned), stdin from
 * /dev/null, stdout and stderr into the pipes; an exec failure's errno goes to exec_fd. */
static void run_child(char *const argv[], int out_fd, int err_fd, int exec_fd)
{
    int devnull = open("/dev/null", O_RDONLY), child_errno;

    setpgid(0, 0);
    if (devnull >= 0)
        dup2(devnull, 0);
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    if (strchr(argv[0], '/'))
        execv(argv[0], argv);
    else
        execvp(argv[0], argv);
    child_errno = errno;
    if (write(exec_fd, &child_errno, sizeof(child_errno)) < 0)
        _exit(127);
    _exit(127);
}

static void kill_child(pid_t pid, struct vm_exec_result *res)
{
    res->timed_out = true;
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
}

/* Reads one ready pipe into its buffer; closes it (*fd = -1) at end of file or error. */
static void read_ready(int *fd, char **buf, size_t *len, size_t *cap, size_t max_bytes,
                       struct vm_exec_result *res)
{
    char chunk[8192];
    ssize_t r = read(*fd, chunk, sizeof(chunk));

    if (r <= 0) {
        if (r < 0 && errno == EINTR)
            return;
        close(*fd);
        *fd = -1;
        return;
    }
    append(buf, len, cap, chunk, (size_t)r, max_bytes, &res->truncated);
}

/* Collects stdout and stderr until both close or the deadline passes (then kills the child). */
static void read_outputs(pid_t pid, int fds_in[2], long deadline, size_t max_bytes, size_t caps[2],
                         struct vm_exec_result *res)
{
    while (fds_in[0] >= 0 || fds_in[1] >= 0) {
        struct pollfd fds[2] = {{fds_in[0], POLLIN, 0}, {fds_in[1], POLLIN, 0}};
        long left = deadline - now_ms();

        if (left <= 0) {
            kill_child(pid, res);
            break;
        }
        if (poll(fds, 2, (int)(left > 1000 ? 1000 : left)) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (fds_in[0] >= 0 && (fds[0].revents & (POLLIN | POLLHUP | POLLERR)))
            read_ready(&fds_in[0], &res->out, &res->out_len, &caps[0], max_bytes, res);
        if (fds_in[1] >= 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR)))
            read_ready(&fds_in[1], &res->err, &res->err_len, &caps[1], max_bytes, res);
    }
}

/* Waits for the child; a child may close its output and keep running: the deadline still
 * holds. Returns the wait status (0 when waitpid failed). */
static int reap_child(pid_t pid, long deadline, struct vm_exec_result *res)
{
    int wstatus;

    for (;;) {
        pid_t w = waitpid(pid, &wstatus, res->timed_out ? 0 : WNOHANG);

        if (w == pid)
            return wstatus;
        if (w < 0 && errno != EINTR)
            return 0;
        if (w == 0 && now_ms() >= deadline) {
            kill_child(pid, res);
            continue;
        }
        if (w == 0) {
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
}

static void close_pipe(int p[2])
{
    for (int i = 0; i < 2; i++) {
        if (p[i] >= 0)
            close(p[i]);
        p[i] = -1;
    }
}

int vm_exec_capture(char *const argv[], unsigned timeout_s, size_t max_bytes,
                    struct vm_exec_result *res)
{
    int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1}, exec_pipe[2] = {-1, -1};
    int read_fds[2], wstatus, child_errno = 0;
    size_t caps[2] = {0, 0};
    long deadline;
    pid_t pid;

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
    if (pid == 0)
        run_child(argv, out_pipe[1], err_pipe[1], exec_pipe[1]);
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
    read_fds[0] = out_pipe[0];
    read_fds[1] = err_pipe[0];
    read_outputs(pid, read_fds, deadline, max_bytes, caps, res);
    out_pipe[0] = read_fds[0];
    err_pipe[0] = read_fds[1];
    wstatus = reap_child(pid, deadline, res);
    if (WIFEXITED(wstatus))
        res->status = WEXITSTATUS(wstatus);
    else if (WIFSIGNALED(wstatus))
        res->status = 128 + WTERMSIG(wstatus);
    close_pipe(out_pipe);
    close_pipe(err_pipe);
    close_pipe(exec_pipe);
    if (!res->out)
        append(&res->out, &res->out_len, &caps[0], "", 0, max_bytes, &res->truncated);
    if (!res->err)
        append(&res->err, &res->err_len, &caps[1], "", 0, max_bytes, &res->truncated);
    return 0;
fail:
    close_pipe(out_pipe);
    close_pipe(err_pipe);
    close_pipe(exec_pipe);
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

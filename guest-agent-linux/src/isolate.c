/* SPDX-License-Identifier: MIT */
/*
 * Vendor code (NVML, Vulkan ICDs) runs inside the agent's address space. On a GPU that fell
 * off the bus it may block for minutes or crash, and the agent must still write its document:
 * so each live query runs in a forked child that sends its JSON back through a pipe, under a
 * deadline. A hang or a crash becomes a fact ("timed out", "crashed with signal 11").
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"

#define DEFAULT_TIMEOUT_S 20
#define MAX_REPLY         (4u << 20)

int agent_query_timeout_s(void)
{
    const char *env = getenv("PTDIAG_QUERY_TIMEOUT");
    long v = env ? strtol(env, NULL, 10) : 0;

    return v > 0 && v <= 3600 ? (int)v : DEFAULT_TIMEOUT_S;
}

static void child(int fd, cJSON *(*fn)(void *), void *arg)
{
    size_t len, off = 0;
    char *text;
    cJSON *obj;

    /* stdout carries the document: whatever a vendor library prints goes to stderr instead */
    dup2(STDERR_FILENO, STDOUT_FILENO);
    obj = fn(arg);
    text = obj ? cJSON_PrintUnformatted(obj) : NULL;
    len = text ? strlen(text) : 0;
    while (off < len) {
        ssize_t w = write(fd, text + off, len - off);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            _exit(3);
        off += (size_t)w;
    }
    /* _exit: no atexit handlers, no stdio flush of the parent's buffers, no vendor teardown */
    _exit(text ? 0 : 4);
}

static long ms_left(const struct timespec *deadline)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (deadline->tv_sec - now.tv_sec) * 1000 + (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

cJSON *agent_isolated(cJSON *(*fn)(void *), void *arg, char *why, size_t whylen)
{
    struct timespec deadline;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    bool timed_out = false;
    cJSON *out = NULL;
    int fds[2], status = 0;
    pid_t pid;

    why[0] = '\0';
    if (pipe(fds) != 0) {
        snprintf(why, whylen, "pipe: %s", strerror(errno));
        return NULL;
    }
    fflush(NULL); /* nothing buffered may be written twice */
    pid = fork();
    if (pid < 0) {
        snprintf(why, whylen, "fork: %s", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return NULL;
    }
    if (pid == 0) {
        close(fds[0]);
        child(fds[1], fn, arg);
    }
    close(fds[1]);
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += agent_query_timeout_s();
    for (;;) {
        struct pollfd p = {.fd = fds[0], .events = POLLIN};
        long left = ms_left(&deadline);
        ssize_t r;
        int n;

        if (left <= 0) {
            timed_out = true;
            break;
        }
        n = poll(&p, 1, (int)(left > 1000 ? 1000 : left));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            continue;
        if (cap - len < 65536) {
            char *nb;

            cap = cap ? cap * 2 : 65536;
            nb = cap <= MAX_REPLY ? realloc(buf, cap + 1) : NULL;
            if (!nb) {
                snprintf(why, whylen, "reply too large or out of memory");
                kill(pid, SIGKILL);
                goto reap;
            }
            buf = nb;
        }
        r = read(fds[0], buf + len, cap - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break; /* EOF: the child is done (or died) */
        len += (size_t)r;
    }
    if (timed_out) {
        kill(pid, SIGKILL);
        snprintf(why, whylen, "no answer within %d s (killed)", agent_query_timeout_s());
    }
reap:
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    close(fds[0]);
    if (!timed_out && WIFSIGNALED(status) && WTERMSIG(status) != SIGKILL)
        snprintf(why, whylen, "crashed with signal %d (%s)", WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
    else if (!timed_out && WIFEXITED(status) && WEXITSTATUS(status) != 0)
        snprintf(why, whylen, "query process failed (exit %d)", WEXITSTATUS(status));
    else if (!timed_out && buf && WIFEXITED(status)) {
        buf[len] = '\0';
        out = cJSON_ParseWithLength(buf, len);
        if (!out)
            snprintf(why, whylen, "unparseable reply from the query process");
    }
    if (!out && !why[0])
        snprintf(why, whylen, "no reply from the query process");
    free(buf);
    return out;
}

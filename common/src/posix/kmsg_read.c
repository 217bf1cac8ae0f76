/* SPDX-License-Identifier: MIT */
/* Reading the kernel log through the --root seam (POSIX). See ptdiag/kmsg.h. */
#include "ptdiag/kmsg.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The ring buffer is at most a few MiB (log_buf_len); a snapshot file gets the same cap. */
#define KMSG_MAX_BYTES (32u << 20)
/* One /dev/kmsg read() returns one record; the kernel refuses buffers smaller than it
 * (EINVAL), and records are at most ~8 KiB with their dictionary. */
#define KMSG_RECORD_BUF 16384

static int read_live(char **out, size_t *outlen)
{
    char *buf = NULL;
    size_t used = 0, cap = 0;
    int fd, ret = 0;

    /* Opening /dev/kmsg positions the reader at the oldest record still in the ring. */
    fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return errno == EACCES ? -EPERM : -errno;
    for (;;) {
        ssize_t r;

        if (cap - used < KMSG_RECORD_BUF + 1) {
            size_t ncap = cap ? cap * 2 : 256 * 1024;
            char *nbuf;

            if (ncap > KMSG_MAX_BYTES + KMSG_RECORD_BUF + 1)
                break; /* keep what we have: the oldest part of an oversized log */
            nbuf = realloc(buf, ncap);
            if (!nbuf) {
                ret = -ENOMEM;
                goto out;
            }
            buf = nbuf;
            cap = ncap;
        }
        r = read(fd, buf + used, KMSG_RECORD_BUF);
        if (r < 0) {
            if (errno == EINTR || errno == EPIPE)
                continue; /* EPIPE: records overwritten under us; the next read goes on */
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break; /* end of the ring buffer */
            ret = errno == EACCES ? -EPERM : -errno;
            goto out;
        }
        if (r == 0)
            break;
        used += (size_t)r;
    }
    if (!buf) {
        buf = malloc(1);
        if (!buf) {
            ret = -ENOMEM;
            goto out;
        }
    }
    buf[used] = '\0';
    *out = buf;
    *outlen = used;
    buf = NULL;
out:
    free(buf);
    close(fd);
    return ret;
}

int ptd_kmsg_read(struct ptd_root *root, char **buf, size_t *len)
{
    size_t n = 0;
    int ret;

    *buf = NULL;
    *len = 0;
    if (!ptd_root_is_live(root))
        return ptd_root_read_file(root, "/dev/kmsg", KMSG_MAX_BYTES, buf, len);
    ret = read_live(buf, &n);
    if (ret)
        return ret;
    *len = n;
    /* The snapshot writer saves the log as text under DIR/dev/kmsg. */
    ptd_root_trace(root, "/dev/kmsg", PTD_TRACE_FILE);
    return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * The soak writer killed with SIGKILL at random moments, 1,000 times (DESIGN §5): every
 * sample a writer reported complete is still in the log, in order, and every line of the log
 * is either a whole sample or a torn prefix of one, which the reader steps over.
 *
 * Each writer is a forked child appending deterministic samples (seq N always has the same
 * bytes) in a loop and reporting each completed append over a pipe; the parent kills it after
 * a random delay. Sample sizes vary from a few hundred bytes to 192 KiB so that some kills
 * land inside write() itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "ptdiag/soak.h"

#define KILLS   1000
#define MAX_SEQ 1000000

static char log_path[512];

/* Sample seq: its pad length and character depend only on seq. */
static char *make_line(int seq, size_t *len)
{
    size_t pad = (seq % 7 == 0) ? 64 * 1024 + (size_t)(seq * 7919) % (128 * 1024)
                                : 200 + (size_t)(seq * 131) % 1800;
    char *line = malloc(pad + 128);
    int n;

    if (!line)
        abort();
    n = snprintf(line, 128, "{\"schema\":\"ptdiag.soak/1\",\"seq\":%d,\"pad\":\"", seq);
    memset(line + n, 'a' + seq % 26, pad);
    strcpy(line + n + pad, "\"}");
    *len = (size_t)n + pad + 2;
    return line;
}

static void writer(int report_fd)
{
    struct ptd_error err;
    cJSON *last = NULL;
    int seq = 0;

    if (ptd_soak_last_sample(log_path, &last, &err) < 0)
        _exit(3);
    if (last)
        seq = cJSON_GetObjectItem(last, "seq")->valueint + 1;
    cJSON_Delete(last);
    for (;; seq++) {
        size_t len;
        char *line = make_line(seq, &len);

        if (ptd_soak_append(log_path, line, len, &err) != 0)
            _exit(4);
        free(line);
        if (write(report_fd, &seq, sizeof(seq)) != sizeof(seq))
            _exit(5);
    }
}

static void test_kill_mid_write(void **state)
{
    static unsigned char reported[MAX_SEQ];
    int fds[2], i, torn = 0, good = 0, prev = -1, max_reported = -1, seq;
    struct timespec t0, t1;
    char *buf, *line, *next;
    FILE *f;
    long size;

    (void)state;
    snprintf(log_path, sizeof(log_path), "%s/soak-kill-%d.jsonl", PTDIAG_BINARY_DIR, (int)getpid());
    unlink(log_path);
    assert_int_equal(pipe(fds), 0);
    assert_int_equal(fcntl(fds[0], F_SETFL, O_NONBLOCK), 0);
    srand((unsigned)time(NULL));
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (i = 0; i < KILLS; i++) {
        pid_t pid = fork();
        int status;

        assert_true(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            writer(fds[1]);
        }
        usleep((useconds_t)(rand() % 2500));
        kill(pid, SIGKILL);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        /* killed, never exited on its own (an error exit would mean the writer failed) */
        assert_true(WIFSIGNALED(status));
        while (read(fds[0], &seq, sizeof(seq)) == sizeof(seq)) {
            assert_true(seq >= 0 && seq < MAX_SEQ);
            reported[seq] = 1;
            if (seq > max_reported)
                max_reported = seq;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    close(fds[0]);
    close(fds[1]);

    f = fopen(log_path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)size + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
    buf[size] = '\0';
    fclose(f);

    for (line = buf; *line; line = next) {
        size_t n, len;
        char *expect;
        cJSON *obj;

        next = strchr(line, '\n');
        n = next ? (size_t)(next - line) : strlen(line);
        next = next ? next + 1 : line + n;
        obj = cJSON_ParseWithLength(line, n);
        if (obj) {
            seq = cJSON_GetObjectItem(obj, "seq")->valueint;
            cJSON_Delete(obj);
            expect = make_line(seq, &len);
            assert_int_equal(len, n); /* whole, not a lucky parse of a fragment */
            assert_memory_equal(expect, line, n);
            free(expect);
            assert_true(seq > prev); /* in order, no sample twice */
            /* after a torn seq the next writer redoes that seq: no reported sample skipped */
            for (int s = prev + 1; s < seq; s++)
                assert_false(reported[s]);
            reported[seq] = 0;
            prev = seq;
            good++;
        } else {
            /* a torn write: a strict prefix of the sample the next writer retried */
            expect = make_line(prev + 1, &len);
            assert_true(n < len);
            assert_memory_equal(expect, line, n);
            free(expect);
            torn++;
        }
    }
    for (seq = 0; seq <= max_reported; seq++)
        assert_false(reported[seq]); /* every reported sample was found */
    /* and the reader's view agrees with the last whole line */
    {
        struct ptd_error err;
        cJSON *last = NULL;

        assert_int_equal(ptd_soak_last_sample(log_path, &last, &err), 1);
        assert_int_equal(cJSON_GetObjectItem(last, "seq")->valueint, prev);
        cJSON_Delete(last);
    }
    print_message("soak kill test: %d kills in %.1f s, %d whole samples (%d reported), "
                  "%d torn lines, %ld bytes\n",
                  KILLS, (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9, good,
                  max_reported + 1, torn, size);
    assert_true(good > 0);
    free(buf);
    unlink(log_path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kill_mid_write),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* The soak log writer and last-sample reader (see ptdiag/soak.h). Portable: POSIX and MinGW. */
#include "ptdiag/soak.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h> /* SEEK_SET, SEEK_END (also for _lseeki64) */
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"

#ifdef _WIN32
#include <fcntl.h>
#include <io.h>
#include <sys/stat.h>

typedef long long soak_off_t;

static int file_open(const char *path, bool append)
{
    if (append)
        return _open(path, _O_RDWR | _O_APPEND | _O_CREAT | _O_BINARY, _S_IREAD | _S_IWRITE);
    return _open(path, _O_RDONLY | _O_BINARY);
}

static soak_off_t file_size(int fd)
{
    return _lseeki64(fd, 0, SEEK_END);
}

static long file_pread(int fd, void *buf, size_t n, soak_off_t off)
{
    if (_lseeki64(fd, off, SEEK_SET) < 0)
        return -1;
    return _read(fd, buf, (unsigned)n);
}

static long file_write(int fd, const void *buf, size_t n)
{
    return _write(fd, buf, (unsigned)n);
}

static int file_sync(int fd)
{
    return _commit(fd);
}

static int file_close(int fd)
{
    return _close(fd);
}

/* A new directory entry is made durable by NTFS's own journal; nothing to do. */
static void dir_sync(const char *path)
{
    (void)path;
}
#else
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

typedef off_t soak_off_t;

static int file_open(const char *path, bool append)
{
    if (append)
        return open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    return open(path, O_RDONLY | O_CLOEXEC);
}

static soak_off_t file_size(int fd)
{
    struct stat st;

    if (fstat(fd, &st) != 0)
        return -1;
    return st.st_size;
}

static long file_pread(int fd, void *buf, size_t n, soak_off_t off)
{
    ssize_t r;

    do
        r = pread(fd, buf, n, off);
    while (r < 0 && errno == EINTR);
    return (long)r;
}

static long file_write(int fd, const void *buf, size_t n)
{
    return (long)write(fd, buf, n);
}

static int file_sync(int fd)
{
    return fsync(fd);
}

static int file_close(int fd)
{
    return close(fd);
}

/* The first sample creates the file: flush its directory entry too, or a power loss right
 * after could lose the whole log even though the data blocks were synced. Best effort. */
static void dir_sync(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    size_t n;
    int fd;

    if (!slash) {
        strcpy(dir, ".");
    } else {
        n = (size_t)(slash - path);
        if (n == 0)
            n = 1;
        if (n >= sizeof(dir))
            return;
        memcpy(dir, path, n);
        dir[n] = '\0';
    }
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return;
    (void)fsync(fd);
    close(fd);
}
#endif

static int write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        long w = file_write(fd, buf, len);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        buf += w;
        len -= (size_t)w;
    }
    return 0;
}

int ptd_soak_append(const char *path, const char *line, size_t len, struct ptd_error *err)
{
    char *out = NULL, last = '\n';
    soak_off_t size;
    size_t n = 0;
    int fd, ret = -1;

    if (memchr(line, '\n', len))
        return ptd_error_set(err, "%s: soak sample contains a newline", path);
    fd = file_open(path, true);
    if (fd < 0)
        return ptd_error_set(err, "%s: cannot open for appending: %s", path, strerror(errno));
    size = file_size(fd);
    if (size < 0) {
        ptd_error_set(err, "%s: cannot read size: %s", path, strerror(errno));
        goto out;
    }
    if (size > 0 && file_pread(fd, &last, 1, size - 1) != 1) {
        ptd_error_set(err, "%s: cannot read the last byte: %s", path, strerror(errno));
        goto out;
    }
    out = malloc(len + 2);
    if (!out) {
        ptd_error_set(err, "%s: out of memory", path);
        goto out;
    }
    /* A torn last line (writer killed mid-line) has no '\n': close it first, so it stays a
     * line of its own that readers skip, and the new sample starts on a fresh line. */
    if (last != '\n')
        out[n++] = '\n';
    memcpy(out + n, line, len);
    n += len;
    out[n++] = '\n';
    /* One write of the whole line: a concurrent reader never sees half of a sample unless
     * the writer dies inside this very call. */
    if (write_all(fd, out, n) != 0) {
        ptd_error_set(err, "%s: write failed: %s", path, strerror(errno));
        goto out;
    }
    if (file_sync(fd) != 0) {
        ptd_error_set(err, "%s: flush to disk failed: %s", path, strerror(errno));
        goto out;
    }
    if (size == 0)
        dir_sync(path);
    ret = 0;
out:
    free(out);
    if (file_close(fd) != 0 && ret == 0)
        ret = ptd_error_set(err, "%s: close failed: %s", path, strerror(errno));
    return ret;
}

int ptd_soak_append_json(const char *path, const cJSON *sample, struct ptd_error *err)
{
    char *text = cJSON_PrintUnformatted(sample);
    int ret;

    if (!text)
        return ptd_error_set(err, "%s: cannot serialise the soak sample", path);
    ret = ptd_soak_append(path, text, strlen(text), err);
    cJSON_free(text);
    return ret;
}

/* A good line: one whole JSON object (nothing but blanks after it) of the soak schema. */
static cJSON *parse_sample(const char *s, size_t n)
{
    const char *end = NULL;
    const cJSON *schema;
    cJSON *obj;

    while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n == 0 || s[0] != '{')
        return NULL;
    obj = cJSON_ParseWithLengthOpts(s, n, &end, false);
    if (!obj)
        return NULL;
    schema = cJSON_GetObjectItemCaseSensitive(obj, "schema");
    if (!end || end != s + n || !cJSON_IsObject(obj) || !cJSON_IsString(schema) ||
        strcmp(schema->valuestring, PTD_SCHEMA_SOAK) != 0) {
        cJSON_Delete(obj);
        return NULL;
    }
    return obj;
}

/* Scans buf (the file's last n bytes; whole file when at_start) backwards for the last good
 * line. Returns 1 found, 0 none in the window, 2 the window cut a line before finding one. */
static int scan_window(const char *buf, size_t n, bool at_start, cJSON **out)
{
    size_t pos = n, start;

    while (pos > 0) {
        /* the line is buf[start, pos) without its '\n' */
        size_t stop = pos;

        if (buf[stop - 1] == '\n')
            stop--;
        start = stop;
        while (start > 0 && buf[start - 1] != '\n')
            start--;
        if (start == 0 && !at_start)
            return 2;
        *out = parse_sample(buf + start, stop - start);
        if (*out)
            return 1;
        pos = start;
    }
    return 0;
}

int ptd_soak_last_sample(const char *path, cJSON **out, struct ptd_error *err)
{
    size_t window = 64u << 10, limit = 16u << 20;
    soak_off_t size;
    char *buf = NULL;
    int fd, ret = -1;

    *out = NULL;
    fd = file_open(path, false);
    if (fd < 0) {
        if (errno == ENOENT)
            return 0;
        return ptd_error_set(err, "%s: cannot open: %s", path, strerror(errno));
    }
    size = file_size(fd);
    if (size < 0) {
        ptd_error_set(err, "%s: cannot read size: %s", path, strerror(errno));
        goto out;
    }
    for (;;) {
        size_t n = (soak_off_t)window < size ? window : (size_t)size, got = 0;
        bool at_start = (soak_off_t)n == size;
        int found;

        free(buf);
        buf = malloc(n + 1);
        if (!buf) {
            ptd_error_set(err, "%s: out of memory", path);
            goto out;
        }
        while (got < n) {
            long r = file_pread(fd, buf + got, n - got, size - (soak_off_t)n + (soak_off_t)got);

            if (r <= 0) {
                ptd_error_set(err, "%s: read failed: %s", path,
                              r < 0 ? strerror(errno) : "file shrank while reading");
                goto out;
            }
            got += (size_t)r;
        }
        buf[n] = '\0';
        found = scan_window(buf, n, at_start, out);
        if (found != 2) {
            ret = found;
            break;
        }
        /* Nothing good inside a window this large: the tail is garbage, not a long sample. */
        if (window >= limit) {
            ret = 0;
            break;
        }
        window *= 4;
    }
out:
    free(buf);
    file_close(fd);
    return ret;
}

/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: soak log evaluation (ptdiag-report soak FILE): the line reader over a
 * stream and the per-line evaluation, as soak_cli runs them; and the agent's look-back for
 * the last good sample (common/src/soak_write.c). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "ptdiag/soak.h"

#include "soak_eval.h"
#include "soak_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char log_path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct soak_reader reader; /* 256 KiB line buffer: not on the stack */
    struct soak_options opt = {.threshold_days = 14, .max_gap_s = 3600, .now = 1795000000};
    struct soak_eval ev;
    struct ptd_error err;
    cJSON *last = NULL;
    FILE *f;

    f = fmemopen((void *)data, size ? size : 1, "rb");
    if (!f)
        return 0;
    if (size == 0) {
        fclose(f);
        return 0;
    }
    soak_eval_init(&ev, &opt);
    soak_reader_init(&reader, f);
    while (soak_reader_next(&reader))
        soak_eval_line(&ev, reader.buf, reader.len, reader.lineno, reader.too_long);
    soak_eval_finish(&ev);
    (void)soak_verdict_name(ev.res.verdict);
    fclose(f);

    if (!log_path[0]) {
        int fd;
        snprintf(log_path, sizeof(log_path), "%s/ptdiag-fuzz-soak.XXXXXX",
                 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        fd = mkstemp(log_path);
        if (fd < 0)
            abort();
        close(fd);
    }
    f = fopen(log_path, "wb");
    if (!f)
        abort();
    fwrite(data, 1, size, f);
    fclose(f);
    if (ptd_soak_last_sample(log_path, &last, &err) == 1)
        cJSON_Delete(last);
    return 0;
}

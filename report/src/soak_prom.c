/* SPDX-License-Identifier: MIT */
/*
 * `ptdiag-report soak --format prom`: each log's verdict and clean run (in seconds, the base unit)
 * as Prometheus text (issue 18; docs/metrics.md). The verdict is one series per possible verdict, 1
 * for the log's and 0 for the others, so a change of verdict is a change of value, not a series
 * that vanishes. The VM id comes from a VMID=FILE argument; the file name is never a label (it is
 * a path on the collecting node, not a property of the guest); a second log of the same VM id
 * is not written.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "soak_render.h"

static void vmid_label(FILE *out, const struct soak_file *f)
{
    fprintf(out, "vmid=\"%s\"", f->vmid ? f->vmid : "");
}

/* A log gets series when it was read and its VM id (none counts as one) is not an earlier
 * log's: two series with the same labels would make the exposition invalid. */
static bool writes_series(const struct soak_file *files, size_t i)
{
    const char *id = files[i].vmid ? files[i].vmid : "";

    if (!files[i].ev || files[i].ev->res.bad_input)
        return false;
    for (size_t j = 0; j < i; j++)
        if (files[j].ev && !files[j].ev->res.bad_input &&
            strcmp(files[j].vmid ? files[j].vmid : "", id) == 0)
            return false;
    return true;
}

void soak_render_prom(FILE *out, const struct soak_file *files, size_t n, double threshold_days)
{
    static const enum soak_verdict verdicts[] = {SOAK_PRODUCTION, SOAK_IN_VALIDATION, SOAK_FAILED};

    fputs("# HELP ptdiag_soak_verdict The soak log's verdict (1) among the three (0).\n"
          "# TYPE ptdiag_soak_verdict gauge\n",
          out);
    for (size_t i = 0; i < n; i++) {
        if (!writes_series(files, i))
            continue;
        for (size_t v = 0; v < sizeof(verdicts) / sizeof(verdicts[0]); v++) {
            fputs("ptdiag_soak_verdict{", out);
            vmid_label(out, &files[i]);
            fprintf(out, ",verdict=\"%s\"} %d\n", soak_verdict_name(verdicts[v]),
                    files[i].ev->res.verdict == verdicts[v]);
        }
    }
    fputs("# HELP ptdiag_soak_clean_run_seconds Length of the soak log's current clean run.\n"
          "# TYPE ptdiag_soak_clean_run_seconds gauge\n",
          out);
    for (size_t i = 0; i < n; i++) {
        if (!writes_series(files, i))
            continue;
        fputs("ptdiag_soak_clean_run_seconds{", out);
        vmid_label(out, &files[i]);
        fprintf(out, "} %.0f\n", files[i].ev->res.run_days * 86400.0);
    }
    fprintf(out,
            "# HELP ptdiag_soak_threshold_seconds Clean run a soak log needs for production.\n"
            "# TYPE ptdiag_soak_threshold_seconds gauge\n"
            "ptdiag_soak_threshold_seconds %.0f\n",
            threshold_days * 86400.0);
}

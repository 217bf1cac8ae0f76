/* SPDX-License-Identifier: MIT */
/* Reads a data file the report loads (--matrix FILE, the GPU identity table) whole, bounded. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"
#include "report.h"

int rpt_read_data_file(const char *path, char **data, size_t *len, struct ptd_error *err)
{
    *data = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return ptd_error_set(err, "%s: cannot open: %s", path, strerror(errno));
    struct ptd_strbuf b = {0};
    char chunk[65536];
    size_t n;
    int rc = -1;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        ptd_strbuf_addn(&b, chunk, n);
        if (b.len > PTD_DOC_MAX_BYTES) {
            ptd_error_set(err, "%s: larger than %u bytes", path, PTD_DOC_MAX_BYTES);
            goto out;
        }
    }
    if (ferror(f) || b.failed) {
        ptd_error_set(err, "%s: read error", path);
        goto out;
    }
    *len = b.len;
    *data = ptd_strbuf_take(&b);
    rc = *data ? 0 : ptd_error_set(err, "%s: out of memory", path);
out:
    fclose(f);
    ptd_strbuf_release(&b);
    return rc;
}

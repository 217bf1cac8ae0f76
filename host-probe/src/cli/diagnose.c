/* SPDX-License-Identifier: MIT */
/* ptdiag-host's diagnosis through the linked-in report engine (see diagnose.h). */
#include <stdlib.h>
#include <string.h>

#include "ptdiag/escape.h"

#include "diagnose.h"
#include "run.h"

/* Adds a guest document to docs when it has the shape the report needs; a guest whose
 * document does not is left out with the reason, as when the guest agent is missing. */
static void add_guest(struct rpt_doc *docs, long *vmids, size_t *n, cJSON *guest, long vmid)
{
    struct ptd_error err = {{0}};
    bool is_host = false;

    if (rpt_doc_check("ptdiag-agent", guest, &is_host, &err) < 0 || is_host) {
        fprintf(stderr, "ptdiag-host: %s: diagnosing the host side only\n",
                is_host ? "the guest agent returned a host document" : ptd_esc_tmp(err.text, 0));
        cJSON_Delete(guest);
        return;
    }
    docs[*n] = (struct rpt_doc){.file = strdup("ptdiag-agent"), .json = guest, .is_host = false};
    vmids[(*n)++] = vmid;
}

int host_diagnose(const cJSON *host_doc, cJSON *guest_doc, long guest_vmid, enum rpt_format fmt,
                  bool verbose, FILE *out)
{
    struct rpt_doc docs[2] = {{0}};
    long vmids[2] = {-1, -1};
    size_t n = 0;

    docs[n++] = (struct rpt_doc){
        .file = strdup("ptdiag-host"), .json = cJSON_Duplicate(host_doc, true), .is_host = true};
    if (guest_doc)
        add_guest(docs, vmids, &n, guest_doc, guest_vmid);
    for (size_t i = 0; i < n; i++) {
        if (!docs[i].file || !docs[i].json) {
            for (size_t k = 0; k < n; k++) {
                free(docs[k].file);
                cJSON_Delete(docs[k].json);
            }
            fprintf(stderr, "ptdiag-host: out of memory\n");
            return 2;
        }
    }
    return rpt_run(&(struct rpt_run_opts){.prog = "ptdiag-host",
                                          .docs = docs,
                                          .vmids = vmids,
                                          .ndocs = n,
                                          .format = fmt,
                                          .verbose = verbose,
                                          .out = out});
}

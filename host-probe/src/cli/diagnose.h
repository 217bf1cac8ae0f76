/* SPDX-License-Identifier: MIT */
/*
 * ptdiag-host's default output: the report engine's diagnosis of the document just collected,
 * in this process (no file, no second command). Built into ptdiag-host only: the probe library
 * the tests and fuzzers link does not need the report engine.
 */
#ifndef PTDIAG_HOST_DIAGNOSE_H
#define PTDIAG_HOST_DIAGNOSE_H

#include <stdbool.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "report.h"

/* Diagnoses host_doc (borrowed) and, when guest_doc is not NULL, that guest document (owned:
 * freed here) tied to VM guest_vmid, with the built-in matrix; renders fmt to out. Returns
 * ptdiag-report's exit status: 0 no error finding, 1 at least one, 2 the documents or the
 * output could not be used (the reason on stderr). */
int host_diagnose(const cJSON *host_doc, cJSON *guest_doc, long guest_vmid, enum rpt_format fmt,
                  bool verbose, FILE *out);

#endif

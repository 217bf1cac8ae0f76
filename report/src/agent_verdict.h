/* SPDX-License-Identifier: MIT */
/*
 * The in-guest verdict (issue 16 §5): what both agents print when run without options. The
 * capability table of every GPU in the guest document, then the guest-layer findings the
 * symptom matrix decides from that document alone, with the fix under each problem. The same
 * engine and embedded matrix as ptdiag-report: linked, not copied.
 *
 * Ownership: the document is borrowed; everything built from it is freed before returning.
 */
#ifndef PTDIAG_AGENT_VERDICT_H
#define PTDIAG_AGENT_VERDICT_H

#include <stdbool.h>
#include <stdio.h>

#include <cjson/cJSON.h>

struct rpt_agent_verdict_opts {
    const char *agent; /* "ptdiag-agent", for the headline */
    bool colour;       /* ANSI colours (the caller checked stdout is a terminal) */
    bool verbose;      /* list every rule not checked with its reason */
};

/* Prints the table and the verdict of doc (a ptdiag.guest/1 document) to out. Returns the exit
 * status of ptdiag-report: 0 no error finding, 1 at least one, 2 the verdict could not be made
 * (the reason is on stderr). */
int rpt_agent_verdict(FILE *out, const cJSON *doc, const struct rpt_agent_verdict_opts *o);

/* agent_caps.c: the report's capability table (capability.h: one block per GPU with driver
 * and version, VRAM, Direct3D feature levels, Vulkan, decode and encode codecs, displays,
 * compute, interrupt mode), then the software renderers the APIs offer. Every document string
 * is escaped; a fact the document does not hold prints as "unknown". */
void rpt_agent_caps_text(FILE *out, const cJSON *doc);

#endif

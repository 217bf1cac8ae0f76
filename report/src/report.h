/* SPDX-License-Identifier: MIT */
/*
 * ptdiag-report internals: the symptom matrix (data, DESIGN §4), the merged view of host and
 * guest documents, the evaluator that turns the matrix into findings, and the renderers.
 *
 * Ownership: a struct rpt_matrix owns its parsed JSON and every condition; rule strings are
 * borrowed from that JSON and live as long as the matrix. A struct rpt_model owns its
 * documents and the derived facts computed for them. A struct rpt_result owns its findings
 * (each evidence value is a cJSON copy) and borrows rule pointers from the matrix.
 */
#ifndef PTDIAG_REPORT_H
#define PTDIAG_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "ptdiag/error.h"
/* the renderers and the template filler build their text in a ptd_strbuf */
#include "ptdiag/strbuf.h"

/* ---- the matrix -------------------------------------------------------------------------- */

enum rpt_severity { RPT_SEV_INFO, RPT_SEV_WARNING, RPT_SEV_ERROR };

/* Where a rule is evaluated: once per host, per host PCI function, per VM, per VM hostpci
 * entry, per guest document, per guest GPU. SOAK rules are decided by `ptdiag-report soak`. */
enum rpt_scope {
    RPT_SCOPE_HOST,
    RPT_SCOPE_HOST_DEVICE,
    RPT_SCOPE_VM,
    RPT_SCOPE_VM_HOSTPCI,
    RPT_SCOPE_GUEST,
    RPT_SCOPE_GUEST_GPU,
    RPT_SCOPE_SOAK,
    RPT_SCOPE_COUNT
};

/* Fact roots a condition may name. "it" and other names bound by a quantifier's "as" are
 * RPT_ROOT_BOUND. */
enum rpt_root {
    RPT_ROOT_HOST,
    RPT_ROOT_DEV,
    RPT_ROOT_VM,
    RPT_ROOT_HP,
    RPT_ROOT_GUEST,
    RPT_ROOT_GGPU,
    RPT_ROOT_BOUND,
    RPT_ROOT_COUNT
};

enum rpt_op {
    RPT_OP_EQ,
    RPT_OP_NE,
    RPT_OP_LT,
    RPT_OP_LE,
    RPT_OP_GT,
    RPT_OP_GE,
    RPT_OP_IN,
    RPT_OP_NOT_IN,
    RPT_OP_EXISTS,
    RPT_OP_MISSING,
    RPT_OP_EMPTY,
    RPT_OP_NONEMPTY,
    RPT_OP_CONTAINS,
    RPT_OP_NOT_CONTAINS,
    RPT_OP_PREFIX,
    RPT_OP_VERSION_LT,
    RPT_OP_VERSION_GE,
    RPT_OP_BDF_EQ,
    RPT_OP_COUNT
};

enum rpt_cond_kind {
    RPT_C_ALL,
    RPT_C_ANY,
    RPT_C_NOT,
    RPT_C_LEAF,
    RPT_C_SOME,
    RPT_C_NONE,
    RPT_C_COUNT
};

/* A fact path split at load time: root + the dotted rest ("driver", "link.max_width"). */
struct rpt_path {
    enum rpt_root root;
    const char *bound_name; /* for RPT_ROOT_BOUND */
    const char *rest;       /* NULL or "" for the root itself */
    bool derived;           /* "<root>.x.<name>": a fact computed in C (derive.c) */
    const char *text;       /* the whole path as written */
};

struct rpt_cond {
    enum rpt_cond_kind kind;
    struct rpt_cond **kids; /* ALL/ANY: n; NOT, SOME/NONE/COUNT "where": 1 or 0 */
    size_t nkids;
    struct rpt_path fact; /* LEAF: the fact; SOME/NONE/COUNT: the array */
    const char *as;       /* SOME/NONE/COUNT: name bound to each element ("it") */
    enum rpt_op op;       /* LEAF, COUNT */
    const cJSON *value;   /* borrowed from the matrix JSON; NULL when value_fact is used */
    struct rpt_path value_fact;
    bool has_value_fact;
    double scale; /* multiplies a numeric value_fact; 1 by default */
};

struct rpt_case {
    struct rpt_cond *when;
    const char *root_cause; /* NULL: the rule's */
    const char *fix;        /* NULL: the rule's */
    int severity;           /* -1: the rule's */
};

struct rpt_rule {
    const char *id, *title, *layer;
    enum rpt_severity severity;
    enum rpt_scope scope;
    struct rpt_cond *applies; /* NULL: always */
    struct rpt_cond *when;    /* NULL only for SOAK rules */
    const cJSON *when_json;   /* for the generated docs */
    const char *root_cause, *fix;
    const cJSON *references;
    struct rpt_case *cases;
    size_t ncases;
};

/* A layer of the matrix ("layers"): the id rules name, its label, whether the report gives it
 * a PASS/WARN/FAIL line (not the soak layer, which `ptdiag-report soak` decides), and whether
 * it is the guest layer (exactly one is): the one the agents' verdict decides in the guest. */
struct rpt_layer {
    const char *id, *label;
    bool status_line;
    bool guest;
};

struct rpt_matrix {
    char *file;  /* where it came from ("<built-in>" for the embedded copy) */
    cJSON *json; /* owned */
    struct rpt_rule *rules;
    size_t nrules;
    /* The matrix's vocabulary (matrix_vocab.c); strings borrowed from json. */
    struct rpt_layer *layers; /* owned array, in the order the report prints them */
    size_t nlayers;
    double soak_threshold_days; /* clean days a soak needs for "production" */
    const char *xid_event_kind; /* the kernel-log event kind --format prom counts by code */
    const cJSON *boot_loaders;  /* {loader: {cmdline_file, cmdline_apply}}, "unknown" too */
};

/* Loads and strictly validates a matrix. Errors name the file and the rule. */
int rpt_matrix_load_file(const char *path, struct rpt_matrix **out, struct ptd_error *err);
/* data_file.c: reads a data file whole (at most PTD_DOC_MAX_BYTES); *data is the caller's
 * (free), NUL-terminated, *len bytes long. */
int rpt_read_data_file(const char *path, char **data, size_t *len, struct ptd_error *err);
int rpt_matrix_load_buffer(const char *name, const char *data, size_t len, struct rpt_matrix **out,
                           struct ptd_error *err);
/* matrix_vocab.c: loads and checks the vocabulary above (called by the loader). */
int rpt_matrix_load_vocabulary(struct rpt_matrix *m, struct ptd_error *err);
/* The layer with this id, or NULL. */
const struct rpt_layer *rpt_layer_find(const struct rpt_matrix *m, const char *id);
/* The guest layer (loaded matrices have exactly one). */
const struct rpt_layer *rpt_guest_layer(const struct rpt_matrix *m);
/* A layer's label ("L1 firmware and kernel"); the id itself when the matrix has no such layer. */
const char *rpt_layer_label(const struct rpt_matrix *m, const char *id);
/* The fix fragments for a boot loader (host document's system.boot.loader; NULL or one the
 * matrix does not name: its "unknown" entry, which names every place). */
const cJSON *rpt_boot_loader_fragments(const struct rpt_matrix *m, const char *loader);
/* The copy embedded at build time. */
int rpt_matrix_load_builtin(struct rpt_matrix **out, struct ptd_error *err);
void rpt_matrix_free(struct rpt_matrix *m);

const char *rpt_severity_name(enum rpt_severity s);
const char *rpt_scope_name(enum rpt_scope s);
/* evaluate_ops.c: an operator's name, and the operator a name stands for (-1: none). */
const char *rpt_op_name(enum rpt_op op);
int rpt_op_lookup(const char *name);

/* ---- the merged model --------------------------------------------------------------------- */

struct rpt_doc {
    char *file;  /* as given on the command line */
    cJSON *json; /* owned */
    bool is_host;
};

struct rpt_ggpu {
    const cJSON *gpu; /* guests' gpus[i] */
    int index;
    cJSON *derived;           /* owned: ggpu.x.* */
    struct rpt_passed *match; /* the host device passed to this VM it was matched to */
};

struct rpt_guest {
    struct rpt_doc doc;
    long vmid;           /* -1: not tied to a VM */
    const char *tied_by; /* "argument", "ids", "hostname" or NULL */
    const cJSON *vm;     /* host vms[] entry when tied */
    cJSON *derived;      /* owned: guest.x.* */
    struct rpt_ggpu *gpus;
    size_t ngpus;
};

/* One hostpci entry of one VM, with the host function it resolves to (the GPU function when
 * the entry passes a whole slot). */
struct rpt_passed {
    const cJSON *vm;
    int vm_index;
    const cJSON *hp;
    int hp_index;
    const cJSON *dev; /* NULL when the entry resolves to no device here */
    int dev_index;
    struct rpt_guest *guest;
    struct rpt_ggpu *ggpu;
    cJSON *derived; /* owned: hp.x.* */
    long vmid;
};

struct rpt_model {
    struct rpt_doc host; /* host.json NULL when no host document was given */
    cJSON *host_derived; /* owned: host.x.* */
    cJSON **dev_derived; /* owned, one per host device: dev.x.* */
    size_t ndevs;
    struct rpt_guest *guests;
    size_t nguests;
    struct rpt_passed *passed;
    size_t npassed;
    cJSON *notes; /* owned array of {source, message}: merge decisions and problems */
};

/* A guest document the user tied to a VM with --guest VMID=FILE. */
struct rpt_input {
    const char *file;
    long vmid; /* -1 when not given */
};

/* Loads the documents (schema detected: exactly zero or one host, any number of guests),
 * ties guests to VMs, matches guest GPUs to the host devices passed to their VM and computes
 * the derived facts. */
int rpt_model_load(const struct rpt_input *inputs, size_t n, struct rpt_model **out,
                   struct ptd_error *err);
/* Checks a parsed document's schema (host or guest, *is_host says which) and the shape the
 * model relies on; errors name file. rpt_model_load does this for every file it reads; a
 * caller with documents already parsed does it before rpt_model_build. */
int rpt_doc_check(const char *file, const cJSON *doc, bool *is_host, struct ptd_error *err);
/* The same over documents already parsed (takes ownership of each json even on failure). */
int rpt_model_build(struct rpt_doc *docs, const long *vmids, size_t n, struct rpt_model **out,
                    struct ptd_error *err);
void rpt_model_free(struct rpt_model *m);

/* derive.c: fills the derived facts (documented in docs/schema.md, report section). */
void rpt_derive_host(struct rpt_model *m);
void rpt_derive_passed(struct rpt_model *m, struct rpt_passed *p);
void rpt_derive_guest(struct rpt_model *m, struct rpt_guest *g);
/* derive_vfio_ids.c: host.x's vfio_ids_* and passthrough_ids facts of host document h into x. */
void rpt_derive_vfio_ids(const cJSON *h, cJSON *x);
/* host.x.cmdline_file and host.x.cmdline_apply: the matrix's words for the host's boot loader
 * (its "boot_loaders"), set by rpt_evaluate, which has the matrix (replaced on each call). */
void rpt_derive_boot_fragments(const struct rpt_matrix *mx, const struct rpt_model *m);

/* Parses an NVIDIA driver version from the Windows form ("31.0.15.3623" -> "536.23") or the
 * Linux one ("550.54.14" -> "550.54.14"). Returns false when it is not one. */
bool rpt_nvidia_version_from_windows(const char *ver, char *buf, size_t buflen);
/* Compares dotted numeric versions: <0, 0, >0. */
int rpt_version_cmp(const char *a, const char *b);
/* True when two BDFs name the same function; a BDF without ".f" matches any function, a
 * missing domain means 0000. */
bool rpt_bdf_eq(const char *a, const char *b);
/* A host vms[] entry's "vmid" (100..999999999, ptdiag/docnum.h), or -1 when it is absent or
 * wrong-typed; why (may be NULL) then says what is wrong. */
long rpt_vm_id(const cJSON *vm, struct ptd_error *why);

/* ---- evaluation --------------------------------------------------------------------------- */

struct rpt_evidence {
    char *fact;   /* the path as the rule names it ("dev.driver") */
    char *where;  /* the concrete place ("host.devices[2].driver") */
    char *source; /* the document file, or "derived" */
    cJSON *value; /* owned copy; NULL = null */
};

struct rpt_finding {
    const struct rpt_rule *rule;
    enum rpt_severity severity;
    char *subject;    /* "VM 101 hostpci0 (0000:01:00.0)" */
    long vmid;        /* -1 when none */
    char *bdf;        /* host BDF or guest location; NULL when none */
    char *root_cause; /* filled */
    char *fix;        /* filled */
    struct rpt_evidence *evidence;
    size_t nevidence;
};

struct rpt_unchecked {
    const struct rpt_rule *rule;
    char *reason;
};

struct rpt_result {
    struct rpt_finding *findings;
    size_t nfindings;
    struct rpt_unchecked *unchecked;
    size_t nunchecked;
    size_t counts[3]; /* by severity */
};

int rpt_evaluate(const struct rpt_matrix *mx, const struct rpt_model *m, struct rpt_result **out,
                 struct ptd_error *err);
void rpt_result_free(struct rpt_result *r);

/* A layer's verdict: "fail" (an error finding), "warn" (a warning), "partial" (no problem
 * found, but rules of the layer could not be checked), "pass". */
const char *rpt_layer_status(const struct rpt_result *r, const char *layer);

/* Exit status per DESIGN §6: 1 when an error finding exists, else 0. */
int rpt_result_exit_status(const struct rpt_result *r);

/* ---- rendering ---------------------------------------------------------------------------- */

struct rpt_render_ctx {
    const struct rpt_matrix *matrix;
    const struct rpt_model *model;
    const struct rpt_result *result;
    bool colour;
    bool verbose; /* text: every rule not checked, not one line per reason */
};

int rpt_render_text(FILE *out, const struct rpt_render_ctx *c);
/* The "Not checked" section of the text report: one line per reason, or every rule. */
void rpt_text_unchecked(FILE *out, const struct rpt_result *r, bool verbose);
/* One finding as the text report prints it: severity, subject, rule, why, evidence, fix. */
void rpt_text_finding(FILE *out, const struct rpt_render_ctx *c, const struct rpt_finding *f);
/* Builds the ptdiag.report/1 document (caller owns). */
cJSON *rpt_report_json(const struct rpt_render_ctx *c);
int rpt_render_json(FILE *out, const struct rpt_render_ctx *c);
int rpt_render_md(FILE *out, const struct rpt_render_ctx *c);
/* The Markdown "Versions" block of a host document (render_md_inventory.c); nothing
 * without an inventory. */
void rpt_render_md_inventory(FILE *out, const cJSON *host);
int rpt_render_prom(FILE *out, const struct rpt_render_ctx *c);
/* render_format.c: --format's names ("text", "json", "md"/"markdown", "prom"/"prometheus", "html";
 * returns -1 for any other), and a result rendered in one of them (text in colour on a
 * terminal unless NO_COLOR is set; verbose: text lists every rule not checked). */
enum rpt_format { RPT_FMT_TEXT, RPT_FMT_JSON, RPT_FMT_MD, RPT_FMT_PROM, RPT_FMT_HTML };
int rpt_format_parse(const char *name, enum rpt_format *fmt);
int rpt_render(FILE *out, enum rpt_format fmt, const struct rpt_matrix *mx,
               const struct rpt_model *model, const struct rpt_result *res, bool verbose);
/* One self-contained HTML page with the topology drawn (render_html.c). */
int rpt_render_html(FILE *out, const struct rpt_render_ctx *c);
/* docs/troubleshooting.md from the matrix. */
int rpt_render_troubleshooting(FILE *out, const struct rpt_matrix *mx);
/* A condition as readable text (for docs and Markdown). Caller frees. */
char *rpt_cond_to_text(const cJSON *when_json);

#endif

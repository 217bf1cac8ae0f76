/* SPDX-License-Identifier: MIT */
/*
 * --vm VMID --with-guest: runs the guest agent inside the VM through the QEMU guest agent
 * (`qm guest exec VMID --timeout N -- AGENT --json`, read-only) and takes its JSON document
 * back for main() to diagnose with the host's. Without a guest agent (or with an agent run
 * that fails) it says so on stderr and main() diagnoses the host document alone.
 *
 * --guest-output FILE keeps the guest's document (validated) for the fleet collector, which
 * joins every VM's into one report.
 *
 * qm is $PTDIAG_QM when set (tests use a fake).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "ptdiag/doc.h"
#include "ptdiag/docnum.h"
#include "ptdiag/escape.h"
#include "ptdiag/log.h"

#include "probe.h"
#include "vm_exec.h"

#define DEFAULT_AGENT   "/usr/bin/ptdiag-agent"
#define GUEST_TIMEOUT_S 60
#define MAX_OUTPUT      (32u << 20)

static bool is_windows_path(const char *p)
{
    size_t n = strlen(p);

    return n > 4 && !strcasecmp(p + n - 4, ".exe");
}

/* What qm and the guest wrote is untrusted (issue 13): at most max bytes of it, escaped. */
static const char *untrusted(const char *s, size_t max)
{
    return ptd_esc_tmp(s, max);
}

/* `qm guest exec` exited non-zero: why, in the words a Proxmox admin acts on. */
static void explain_exec_failure(const char *vmid, struct vm_exec_result *res)
{
    char *e = res->err && *res->err ? res->err : res->out;
    size_t n = strlen(e);

    /* qm's die message ends in a newline: not part of the reason quoted below. */
    while (n && (e[n - 1] == '\n' || e[n - 1] == '\r'))
        e[--n] = '\0';
    if (strstr(e, "QEMU guest agent is not running"))
        fprintf(stderr,
                "ptdiag-host: VM %s has no running QEMU guest agent (install "
                "qemu-guest-agent in the guest and set `qm set %s --agent 1`): "
                "diagnosing the host side only\n",
                vmid, vmid);
    else if (strstr(e, "not running"))
        fprintf(stderr,
                "ptdiag-host: VM %s is not running: diagnosing the host side "
                "only\n",
                vmid);
    else
        fprintf(stderr,
                "ptdiag-host: qm guest exec %s failed (exit %d): %s: "
                "diagnosing the host side only\n",
                vmid, res->status, untrusted(e, 300));
}

/* The agent's stdout from qm's JSON reply ({exitcode, out-data, err-data, out-truncated});
 * caller frees. NULL with a message on stderr when the reply holds no usable document. */
static char *agent_output(const char *text, const char *vmid, const char *agent)
{
    cJSON *reply = cJSON_Parse(text);
    const cJSON *exitcode, *outdata, *errdata;
    char *doc = NULL;

    if (!cJSON_IsObject(reply)) {
        fprintf(stderr,
                "ptdiag-host: qm guest exec %s: reply is not JSON: diagnosing the host "
                "side only\n",
                vmid);
        goto out;
    }
    exitcode = cJSON_GetObjectItem(reply, "exitcode");
    outdata = cJSON_GetObjectItem(reply, "out-data");
    errdata = cJSON_GetObjectItem(reply, "err-data");
    /* The guest agent's exit code is an int; a number that is not one is a reply we cannot
     * read, never a cast. */
    int64_t code = 0;
    if (cJSON_IsNumber(exitcode) &&
        ptd_json_item_int(exitcode, INT32_MIN, INT32_MAX, &code, NULL) != PTD_NUM_OK) {
        fprintf(stderr,
                "ptdiag-host: qm guest exec %s: exit code %g is not an int: diagnosing the host "
                "side only\n",
                vmid, exitcode->valuedouble);
        goto out;
    }
    if (!cJSON_IsNumber(exitcode)) {
        fprintf(stderr,
                "ptdiag-host: %s in VM %s did not finish within %d s: diagnosing the "
                "host side only\n",
                agent, vmid, GUEST_TIMEOUT_S);
        goto out;
    }
    if (cJSON_IsTrue(cJSON_GetObjectItem(reply, "out-truncated"))) {
        fprintf(stderr, "ptdiag-host: the guest agent's output was truncated by the QEMU guest "
                        "agent: diagnosing the host side only\n");
        goto out;
    }
    if (!cJSON_IsString(outdata) || !*outdata->valuestring) {
        fprintf(stderr,
                "ptdiag-host: %s in VM %s exited %d without output%s%s: diagnosing "
                "the host side only\n",
                agent, vmid, (int)code, cJSON_IsString(errdata) ? ": " : "",
                cJSON_IsString(errdata) ? untrusted(errdata->valuestring, 300) : "");
        goto out;
    }
    if (code != 0)
        fprintf(stderr, "ptdiag-host: %s in VM %s exited %d; using its document\n", agent, vmid,
                (int)code);
    doc = strdup(outdata->valuestring);
out:
    cJSON_Delete(reply);
    return doc;
}

/* Runs `qm guest exec`; on success returns the agent's stdout (caller frees). NULL with a
 * message on stderr saying why the guest side is missing. */
static char *run_agent(const char *vmid, const char *agent)
{
    const char *qm = vm_exec_qm_path();
    char timeout[16], *doc = NULL;
    struct vm_exec_result res;

    if (!qm) {
        fprintf(stderr, "ptdiag-host: qm not found (not a Proxmox host?): diagnosing the host "
                        "side only\n");
        return NULL;
    }
    snprintf(timeout, sizeof(timeout), "%d", GUEST_TIMEOUT_S);
    char *argv[] = {(char *)qm, "guest", "exec",        (char *)vmid, "--timeout",
                    timeout,    "--",    (char *)agent, "--json",     NULL};
    if (vm_exec_capture(argv, GUEST_TIMEOUT_S + 15, MAX_OUTPUT, &res) != 0) {
        fprintf(stderr, "ptdiag-host: cannot run %s: %s: diagnosing the host side only\n", qm,
                strerror(res.spawn_errno));
        return NULL;
    }
    if (res.timed_out)
        fprintf(stderr,
                "ptdiag-host: qm guest exec %s did not return within %d s: diagnosing "
                "the host side only\n",
                vmid, GUEST_TIMEOUT_S + 15);
    else if (res.status != 0)
        explain_exec_failure(vmid, &res);
    else
        doc = agent_output(res.out, vmid, agent);
    vm_exec_result_free(&res);
    return doc;
}

/* Creates path (never overwrites: "x") with text; -1 with errno on failure. */
static int write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wx");
    int ok;

    if (!f)
        return -1;
    ok = fputs(text, f) >= 0;
    ok &= fclose(f) == 0;
    return ok ? 0 : -1;
}

cJSON *host_guest_document(struct probe_ctx *ctx, const char *agent_path)
{
    const char *agent = agent_path && *agent_path ? agent_path : DEFAULT_AGENT;
    struct ptd_error err;
    cJSON *parsed = NULL;
    char *guest;

    if (!ctx->allow_exec) {
        fprintf(stderr, "ptdiag-host: --with-guest runs qm, which is not done under --root: "
                        "diagnosing the host side only\n");
        return NULL;
    }
    PTD_INFO("running %s in VM %s (%s guest)", agent, ctx->only_vmid,
             is_windows_path(agent) ? "Windows" : "Linux");
    guest = run_agent(ctx->only_vmid, agent);
    if (!guest)
        return NULL;
    if (ptd_doc_parse("guest agent output", guest, strlen(guest), PTD_SCHEMA_GUEST, &parsed,
                      &err) != 0) {
        fprintf(stderr, "ptdiag-host: %s: diagnosing the host side only\n",
                untrusted(err.text, sizeof(err.text)));
        parsed = NULL;
    } else if (ctx->guest_output && write_text(ctx->guest_output, guest) != 0) {
        fprintf(stderr, "ptdiag-host: --guest-output %s: %s\n", ctx->guest_output, strerror(errno));
    }
    free(guest);
    return parsed;
}

/* SPDX-License-Identifier: MIT */
/* ptdiag-agent.exe: what a Windows guest really sees of its passed-through GPU
 * (ptdiag.guest/1, the same document as the Linux agent). Read-only, except --install-soak. */
#include <windows.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "agent_verdict.h"
#include "ptdiag/cli.h"
#include "ptdiag/doc.h"
#include "ptdiag/log.h"

#define DEFAULT_EVENT_DAYS 30
/* How long the video APIs may take before they count as hung (PTDIAG_QUERY_TIMEOUT seconds,
 * as in the Linux agent). */
#define DEFAULT_QUERY_TIMEOUT_S 20

static void usage(FILE *f)
{
    fputs("Usage: ptdiag-agent.exe [OPTION]...\n"
          "Collect what this Windows guest sees of its GPU(s) (read-only): DXGI adapters and\n"
          "outputs, Direct3D feature levels, hardware video decode and encode, Vulkan devices,\n"
          "display devices with their problem codes, drivers and interrupt mode, display-driver\n"
          "events, Fast Startup, CPUID. Without options, print a capability table per GPU and\n"
          "the guest-layer diagnosis (PASS/WARN/FAIL with the fix).\n"
          "\n"
          "  -j, --json            print the ptdiag.guest/1 JSON document\n"
          "  -o, --output FILE     write the JSON document to FILE instead of stdout\n"
          "      --soak FILE       append one ptdiag.soak/1 sample to FILE (JSON Lines) and\n"
          "                        print nothing else unless --json or -o is given\n"
          "      --event-days N    event-log window in days (default 30)\n"
          "      --install-soak    create the scheduled task \"ptdiag-soak\" that runs\n"
          "                        this .exe --soak %ProgramData%\\ptdiag\\soak.jsonl every\n"
          "                        5 minutes as SYSTEM (needs an administrator)\n"
          "      --uninstall-soak  delete that scheduled task (the log is kept)\n"
          "      --print-soak-task print the task (Task Scheduler XML) --install-soak\n"
          "                        registers, and change nothing\n"
          "  -v, --verbose         more diagnostics on stderr (repeat for debug)\n"
          "  -h, --help            show this help\n"
          "  -V, --version         show the version\n"
          "\n"
          "Exit status: with the diagnosis, as ptdiag-report: 0 no error finding, 1 at least\n"
          "one, 2 bad usage. Otherwise 0 facts collected (or task installed/removed), 1 the\n"
          "document, sample or task could not be written, 2 bad usage.\n",
          f);
}

static void timed(struct ptw_agent *a, const char *name, void (*fn)(struct ptw_agent *))
{
    ULONGLONG t0 = GetTickCount64();

    fn(a);
    PTD_INFO("%s: %llu ms", name, (unsigned long long)(GetTickCount64() - t0));
}

/* Vulkan and the event log do not depend on DXGI: they run on a second thread, into a
 * document of their own (cJSON is not thread-safe), merged afterwards. */
static DWORD WINAPI side_collectors(void *param)
{
    struct ptw_agent *side = param;

    timed(side, "vulkan", ptw_collect_vulkan);
    timed(side, "event_log", ptw_collect_eventlog);
    return 0;
}

static void merge_errors(struct ptw_agent *a, struct ptw_agent *side);

static void merge_side(struct ptw_agent *a, struct ptw_agent *side)
{
    static const char *const parts[] = {"vulkan", "event_log"};

    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        cJSON *part = cJSON_DetachItemFromObjectCaseSensitive(side->doc, parts[i]);
        if (part)
            cJSON_AddItemToObject(a->doc, parts[i], part);
    }
    merge_errors(a, side);
}

/* The video APIs talk to the driver's video engines: a wedged driver can hang them. They run
 * on a thread of their own that the agent stops waiting for after the timeout. */
static DWORD WINAPI video_collectors(void *param)
{
    struct ptw_agent *video = param;
    HRESULT com = CoInitializeEx(NULL, COINIT_MULTITHREADED);

    timed(video, "video_decode", ptw_collect_video_decode);
    timed(video, "video_encode", ptw_collect_video_encode);
    if (SUCCEEDED(com))
        CoUninitialize();
    return 0;
}

static struct ptw_agent *side_new(const struct ptw_agent *a)
{
    struct ptw_agent *side = calloc(1, sizeof(*side));

    if (side && (side->doc = cJSON_CreateObject()) && cJSON_AddArrayToObject(side->doc, "errors")) {
        side->event_window_days = a->event_window_days;
        return side;
    }
    if (side)
        cJSON_Delete(side->doc);
    free(side);
    return NULL;
}

static void merge_errors(struct ptw_agent *a, struct ptw_agent *side)
{
    cJSON *errors = cJSON_GetObjectItemCaseSensitive(a->doc, "errors");
    cJSON *e;

    while (
        (e = cJSON_DetachItemFromArray(cJSON_GetObjectItemCaseSensitive(side->doc, "errors"), 0)))
        cJSON_AddItemToArray(errors, e);
}

/* video_decode[i] goes to dxgi.adapters[i]; video_encode to the document. On a timeout both
 * are unknown with the reason. */
static void merge_video(struct ptw_agent *a, struct ptw_agent *video, bool timed_out,
                        unsigned timeout_s)
{
    cJSON *adapters = cJSON_GetObjectItemCaseSensitive(ptw_obj(a->doc, "dxgi"), "adapters");
    cJSON *ad, *enc;
    cJSON *dec = timed_out ? NULL : cJSON_DetachItemFromObject(video->doc, "video_decode");
    char why[96];

    snprintf(why, sizeof(why), "no answer within %u s (the driver's video engine hangs)",
             timeout_s);
    cJSON_ArrayForEach(ad, adapters)
    {
        cJSON *mine = cJSON_DetachItemFromArray(dec, 0);

        if (timed_out && ptd_json_get_tri(ad, "software") == 0) {
            mine = cJSON_CreateObject();
            ptd_json_add_str(mine, "error", why);
            cJSON_AddNullToObject(mine, "profiles");
            cJSON_AddNullToObject(mine, "codecs");
        }
        if (mine && !cJSON_IsNull(mine))
            cJSON_AddItemToObject(ad, "video_decode", mine);
        else
            cJSON_Delete(mine);
    }
    cJSON_Delete(dec);
    if (timed_out) {
        enc = ptw_obj(a->doc, "video_encode");
        ptd_json_add_str(enc, "source", "media-foundation");
        ptd_json_add_str(enc, "error", why);
        cJSON_AddNullToObject(enc, "encoders");
        ptd_doc_add_error(a->doc, "video", "Direct3D video / Media Foundation: %s", why);
        return;
    }
    enc = cJSON_DetachItemFromObject(video->doc, "video_encode");
    if (enc)
        cJSON_AddItemToObject(a->doc, "video_encode", enc);
    merge_errors(a, video);
    ptw_link_encoders_dxgi(a);
}

static unsigned query_timeout_s(void)
{
    const char *env = getenv("PTDIAG_QUERY_TIMEOUT");
    char *end;
    long v = env ? strtol(env, &end, 10) : 0;

    return env && *end == '\0' && v >= 1 && v <= 3600 ? (unsigned)v : DEFAULT_QUERY_TIMEOUT_S;
}

static void collect(struct ptw_agent *a)
{
    struct ptw_agent *side = side_new(a), *video = side_new(a);
    HANDLE thread = NULL, vthread = NULL;
    unsigned timeout_s = query_timeout_s();
    bool video_done = false;

    if (side)
        thread = CreateThread(NULL, 0, side_collectors, side, 0, NULL);
    if (video)
        vthread = CreateThread(NULL, 0, video_collectors, video, 0, NULL);
    timed(a, "system", ptw_collect_system);
    timed(a, "dxgi", ptw_collect_dxgi);
    timed(a, "devices", ptw_collect_devices); /* matches DXGI adapters for VRAM */
    if (thread) {
        WaitForSingleObject(thread, INFINITE);
        CloseHandle(thread);
    } else if (side) {
        side_collectors(side);
    }
    if (side) {
        merge_side(a, side);
        ptw_link_vulkan_dxgi(a);
    } else {
        ptd_doc_add_error(a->doc, "agent", "out of memory: Vulkan and event log not collected");
    }
    if (vthread) {
        video_done = WaitForSingleObject(vthread, timeout_s * 1000u) == WAIT_OBJECT_0;
        CloseHandle(vthread);
        merge_video(a, video, !video_done, timeout_s);
        ptw_join_gpu_video(a);
    } else {
        ptd_doc_add_error(a->doc, "agent", "no thread for the video collectors");
    }
    if (side)
        cJSON_Delete(side->doc);
    free(side);
    /* A hung video thread still uses its agent: leave it to the process exit. */
    if (video_done) {
        cJSON_Delete(video->doc);
        free(video);
    }
}

/* What the options chose; strings point into argv. */
struct win_opts {
    struct ptd_cli cli;
    const char *soak; /* and cli: json, output */
    bool install, uninstall, print_task;
    int days;
};

/* Fills o from argv. Returns PTD_CLI_GO_ON, or the exit status when the program ends here. */
static int parse_options(int argc, char **argv, struct win_opts *o)
{
    enum { OPT_SOAK = 256, OPT_INSTALL, OPT_UNINSTALL, OPT_DAYS, OPT_TASK_XML };
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},
        {"output", required_argument, NULL, 'o'},
        {"soak", required_argument, NULL, OPT_SOAK},
        {"event-days", required_argument, NULL, OPT_DAYS},
        {"install-soak", no_argument, NULL, OPT_INSTALL},
        {"uninstall-soak", no_argument, NULL, OPT_UNINSTALL},
        {"print-soak-task", no_argument, NULL, OPT_TASK_XML},
        PTD_CLI_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    int opt, rc;
    char *end;

    while ((opt = getopt_long(argc, argv, "jo:" PTD_CLI_SHORTOPTS, longopts, NULL)) != -1) {
        switch (opt) {
        case OPT_SOAK:
            o->soak = optarg;
            break;
        case OPT_DAYS:
            o->days = (int)strtol(optarg, &end, 10);
            if (*end || o->days < 1 || o->days > 3650) {
                fprintf(stderr, "ptdiag-agent: --event-days wants 1..3650, not '%s'\n", optarg);
                return 2;
            }
            break;
        case OPT_INSTALL:
            o->install = true;
            break;
        case OPT_UNINSTALL:
            o->uninstall = true;
            break;
        case OPT_TASK_XML:
            o->print_task = true;
            break;
        default:
            if ((rc = ptd_cli_option(&o->cli, opt, optarg)) != PTD_CLI_GO_ON)
                return rc;
        }
    }
    if ((rc = ptd_cli_finish(&o->cli, argc, argv, optind)) != PTD_CLI_GO_ON)
        return rc;
    if (o->install + o->uninstall + o->print_task +
            (o->soak != NULL || o->cli.json || o->cli.output != NULL) >
        1) {
        fprintf(stderr, "ptdiag-agent: --install-soak, --uninstall-soak and --print-soak-task "
                        "stand alone\n");
        return 2;
    }
    return PTD_CLI_GO_ON;
}

/* Everything is written. Graphics and Vulkan drivers tear down threads and contexts when their
 * DLLs unload at exit, which costs more than the whole collection under Wine: end the process
 * now instead. */
static void end_now(int ret)
{
    fflush(stdout);
    fflush(stderr);
    TerminateProcess(GetCurrentProcess(), (UINT)ret);
}

/* The verdict, or the document and the soak sample the options asked for, of a->doc. Ends
 * the process when all is written; returns the exit status when something could not be. */
static int print_results(const struct win_opts *o, struct ptw_agent *a)
{
    struct ptd_error err;

    if (!o->soak && !o->cli.json && !o->cli.output) {
        /* No colour: a Windows console shows ANSI codes only in a mode the agent won't set. */
        struct rpt_agent_verdict_opts vo = {.agent = "ptdiag-agent.exe",
                                            .verbose = o->cli.verbose > 0};
        int ret = rpt_agent_verdict(stdout, a->doc, &vo);

        end_now(ret);
        return ret;
    }
    if (o->soak && ptw_soak_append_doc(a->doc, o->soak) != 0)
        return 1;
    if ((!o->soak || o->cli.json || o->cli.output) &&
        ptd_doc_write(a->doc, o->cli.output, true, &err) != 0) {
        fprintf(stderr, "ptdiag-agent: %s\n", err.text);
        return 1;
    }
    end_now(0);
    return 0;
}

int main(int argc, char **argv)
{
    struct win_opts o = {.cli = {.prog = "ptdiag-agent", .usage = usage},
                         .days = DEFAULT_EVENT_DAYS};
    struct ptw_agent *a = NULL;
    int ret;
    HRESULT com;

    /* A crash must end the process with a failure status, never wait on an error dialog. */
    SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX | SEM_NOOPENFILEERRORBOX);
    ret = parse_options(argc, argv, &o);
    if (ret != PTD_CLI_GO_ON)
        return ret;
    if (o.install)
        return ptw_install_soak();
    if (o.print_task)
        return ptw_print_soak_task();
    if (o.uninstall)
        return ptw_uninstall_soak();

    ret = 2;
    com = CoInitializeEx(NULL, COINIT_MULTITHREADED);
    a = calloc(1, sizeof(*a));
    if (!a || !(a->doc = ptd_doc_new(PTD_SCHEMA_GUEST, "ptdiag-agent"))) {
        fprintf(stderr, "ptdiag-agent: out of memory\n");
        goto out;
    }
    a->event_window_days = o.days;
    collect(a);
    ret = print_results(&o, a);
out:
    if (a)
        cJSON_Delete(a->doc);
    free(a);
    if (SUCCEEDED(com))
        CoUninitialize();
    return ret;
}

/* SPDX-License-Identifier: MIT */
/* ptdiag-agent.exe: what a Windows guest really sees of its passed-through GPU
 * (ptdiag.guest/1, the same document as the Linux agent). Read-only, except --install-soak. */
#include <windows.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "ptdiag/doc.h"
#include "ptdiag/log.h"

#define DEFAULT_EVENT_DAYS 30

static void usage(FILE *f)
{
    fputs("Usage: ptdiag-agent.exe [OPTION]...\n"
          "Collect what this Windows guest sees of its GPU(s) (read-only): DXGI adapters,\n"
          "Direct3D feature levels, Vulkan devices, display devices with their problem codes\n"
          "and drivers, display-driver events, Fast Startup, CPUID.\n"
          "\n"
          "  -j, --json            print the ptdiag.guest/1 JSON document (the default)\n"
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
          "Exit status: 0 facts collected (or task installed/removed), 1 the document,\n"
          "sample or task could not be written, 2 bad usage.\n",
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

static void merge_side(struct ptw_agent *a, struct ptw_agent *side)
{
    static const char *const parts[] = {"vulkan", "event_log"};
    cJSON *errors = cJSON_GetObjectItemCaseSensitive(a->doc, "errors");
    cJSON *e;

    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        cJSON *part = cJSON_DetachItemFromObjectCaseSensitive(side->doc, parts[i]);
        if (part)
            cJSON_AddItemToObject(a->doc, parts[i], part);
    }
    while (
        (e = cJSON_DetachItemFromArray(cJSON_GetObjectItemCaseSensitive(side->doc, "errors"), 0)))
        cJSON_AddItemToArray(errors, e);
}

static void collect(struct ptw_agent *a)
{
    struct ptw_agent *side = calloc(1, sizeof(*side));
    HANDLE thread = NULL;

    if (side && (side->doc = cJSON_CreateObject()) && cJSON_AddArrayToObject(side->doc, "errors")) {
        side->event_window_days = a->event_window_days;
        thread = CreateThread(NULL, 0, side_collectors, side, 0, NULL);
    }
    timed(a, "system", ptw_collect_system);
    timed(a, "dxgi", ptw_collect_dxgi);
    timed(a, "devices", ptw_collect_devices); /* matches DXGI adapters for VRAM */
    if (thread) {
        WaitForSingleObject(thread, INFINITE);
        CloseHandle(thread);
    } else if (side && side->doc) {
        side_collectors(side);
    }
    if (side && side->doc) {
        merge_side(a, side);
        ptw_link_vulkan_dxgi(a);
    } else {
        ptd_doc_add_error(a->doc, "agent", "out of memory: Vulkan and event log not collected");
    }
    if (side)
        cJSON_Delete(side->doc);
    free(side);
}

int main(int argc, char **argv)
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
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    const char *output = NULL, *soak = NULL;
    struct ptw_agent *a = NULL;
    struct ptd_error err;
    bool json = false, install = false, uninstall = false, print_task = false;
    int opt, verbose = 0, ret = 2, days = DEFAULT_EVENT_DAYS;
    char *end;
    HRESULT com;

    /* A crash must end the process with a failure status, never wait on an error dialog. */
    SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX | SEM_NOOPENFILEERRORBOX);
    while ((opt = getopt_long(argc, argv, "jo:vhV", longopts, NULL)) != -1) {
        switch (opt) {
        case 'j':
            json = true;
            break;
        case 'o':
            output = optarg;
            break;
        case OPT_SOAK:
            soak = optarg;
            break;
        case OPT_DAYS:
            days = (int)strtol(optarg, &end, 10);
            if (*end || days < 1 || days > 3650) {
                fprintf(stderr, "ptdiag-agent: --event-days wants 1..3650, not '%s'\n", optarg);
                return 2;
            }
            break;
        case OPT_INSTALL:
            install = true;
            break;
        case OPT_UNINSTALL:
            uninstall = true;
            break;
        case OPT_TASK_XML:
            print_task = true;
            break;
        case 'v':
            verbose++;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case 'V':
            printf("ptdiag-agent %s\n", ptd_version());
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "ptdiag-agent: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    if (install + uninstall + print_task + (soak != NULL || json || output != NULL) > 1) {
        fprintf(stderr, "ptdiag-agent: --install-soak, --uninstall-soak and --print-soak-task "
                        "stand alone\n");
        return 2;
    }
    ptd_log_set_level(verbose >= 2 ? PTD_LOG_DEBUG : verbose ? PTD_LOG_INFO : PTD_LOG_WARN);
    if (install)
        return ptw_install_soak();
    if (print_task)
        return ptw_print_soak_task();
    if (uninstall)
        return ptw_uninstall_soak();

    com = CoInitializeEx(NULL, COINIT_MULTITHREADED);
    a = calloc(1, sizeof(*a));
    if (!a || !(a->doc = ptd_doc_new(PTD_SCHEMA_GUEST, "ptdiag-agent"))) {
        fprintf(stderr, "ptdiag-agent: out of memory\n");
        goto out;
    }
    a->event_window_days = days;
    collect(a);

    ret = 1;
    if (soak && ptw_soak_append_doc(a->doc, soak) != 0)
        goto out;
    if ((!soak || json || output) && ptd_doc_write(a->doc, output, true, &err) != 0) {
        fprintf(stderr, "ptdiag-agent: %s\n", err.text);
        goto out;
    }
    ret = 0;
    /* Everything is written. Graphics and Vulkan drivers tear down threads and contexts when
     * their DLLs unload at exit, which costs more than the whole collection under Wine:
     * end the process now instead. */
    fflush(stdout);
    fflush(stderr);
    TerminateProcess(GetCurrentProcess(), (UINT)ret);
out:
    if (a)
        cJSON_Delete(a->doc);
    free(a);
    if (SUCCEEDED(com))
        CoUninitialize();
    return ret;
}

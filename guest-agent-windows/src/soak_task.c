/* SPDX-License-Identifier: MIT */
/*
 * --install-soak / --uninstall-soak: the scheduled task "ptdiag-soak" that runs
 *   ptdiag-agent.exe --soak %ProgramData%\ptdiag\soak.jsonl
 * every 5 minutes as SYSTEM, registered as Task Scheduler XML through the Task Scheduler 2.0 COM
 * API (ITaskFolder::RegisterTask: the same as `schtasks /Create /XML`, with precise errors and
 * no temporary file; Wine implements this path, while its ITrigger repetition setters are
 * stubs). This and the soak log are the only writes ptdiag makes, and only when asked.
 */
#include <windows.h>

#include <initguid.h> /* CLSID_TaskScheduler and the task IIDs are defined by taskschd.h */
#include <oleauto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <taskschd.h>
#include <time.h>

#include "agent.h"

#define TASK_NAME L"ptdiag-soak"

static int report(const char *what, HRESULT hr)
{
    char msg[200];

    fprintf(stderr, "ptdiag-agent: %s: %s\n", what,
            ptw_win_error((unsigned long)hr, msg, sizeof(msg)));
    if (hr == E_ACCESSDENIED)
        fprintf(stderr, "ptdiag-agent: run it from an administrator prompt\n");
    return 1;
}

/* Connects to the local Task Scheduler and opens its root folder. */
static HRESULT open_root(ITaskService **svc, ITaskFolder **root)
{
    VARIANT none;
    BSTR path = SysAllocString(L"\\");
    HRESULT hr;

    VariantInit(&none);
    *svc = NULL;
    *root = NULL;
    hr = CoCreateInstance(&CLSID_TaskScheduler, NULL, CLSCTX_INPROC_SERVER, &IID_ITaskService,
                          (void **)svc);
    /* The Schedule service may still be starting (early in a boot; Wine starts it on demand):
     * give it ten seconds. */
    for (int tries = 0; SUCCEEDED(hr); tries++) {
        hr = ITaskService_Connect(*svc, none, none, none, none);
        if (hr != SCHED_E_SERVICE_NOT_RUNNING || tries == 5)
            break;
        Sleep(2000);
        hr = S_OK;
    }
    if (SUCCEEDED(hr))
        hr = ITaskService_GetFolder(*svc, path, root);
    SysFreeString(path);
    return hr;
}

/* Appends s to out (cap wchar_ts) with XML's special characters escaped. */
static void xml_append(wchar_t *out, size_t cap, const wchar_t *s)
{
    size_t n = wcslen(out);

    for (; *s && n + 7 < cap; s++) {
        const wchar_t *rep = *s == L'&'   ? L"&amp;"
                             : *s == L'<' ? L"&lt;"
                             : *s == L'>' ? L"&gt;"
                             : *s == L'"' ? L"&quot;"
                                          : NULL;
        if (rep) {
            wcscpy(out + n, rep);
            n += wcslen(rep);
        } else {
            out[n++] = *s;
        }
    }
    out[n] = L'\0';
}

/* The task as Task Scheduler XML (what schtasks /XML takes): a time trigger repeated every
 * 5 minutes with no end, run as LocalSystem (S-1-5-18), one instance at a time, 2 minutes at
 * most (a sample takes about a second). */
static wchar_t *task_xml(const wchar_t *exe, const wchar_t *log)
{
    size_t cap = 8192;
    wchar_t *x = calloc(cap, sizeof(wchar_t)), start[32], args[MAX_PATH + 32];
    time_t now = time(NULL);
    struct tm tm;

    if (!x)
        return NULL;
    gmtime_s(&tm, &now);
    swprintf(start, sizeof(start) / sizeof(start[0]), L"%04d-%02d-%02dT%02d:%02d:00Z",
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
    swprintf(args, sizeof(args) / sizeof(args[0]), L"--soak \"%ls\"", log);
    wcscat(x, L"<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n"
              L"<Task version=\"1.2\" "
              L"xmlns=\"http://schemas.microsoft.com/windows/2004/02/mit/task\">\n"
              L"  <RegistrationInfo><Description>ptdiag soak: one GPU health sample every 5 "
              L"minutes</Description></RegistrationInfo>\n"
              L"  <Triggers><TimeTrigger><Repetition><Interval>PT5M</Interval>"
              L"<StopAtDurationEnd>false</StopAtDurationEnd></Repetition><StartBoundary>");
    wcscat(x, start);
    wcscat(x, L"</StartBoundary><Enabled>true</Enabled></TimeTrigger></Triggers>\n"
              L"  <Principals><Principal id=\"Author\"><UserId>S-1-5-18</UserId>"
              L"<RunLevel>HighestAvailable</RunLevel></Principal></Principals>\n"
              L"  <Settings><MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>"
              L"<DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>"
              L"<StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>"
              L"<StartWhenAvailable>true</StartWhenAvailable>"
              L"<ExecutionTimeLimit>PT2M</ExecutionTimeLimit><Enabled>true</Enabled>"
              L"</Settings>\n"
              L"  <Actions Context=\"Author\"><Exec><Command>");
    xml_append(x, cap, exe);
    wcscat(x, L"</Command><Arguments>");
    xml_append(x, cap, args);
    wcscat(x, L"</Arguments></Exec></Actions>\n</Task>\n");
    return x;
}

/* This .exe's path and %ProgramData%\ptdiag (created when create_dir) with the log in it. */
static int task_paths(wchar_t exe[MAX_PATH], wchar_t dir[MAX_PATH], wchar_t log[MAX_PATH + 32],
                      bool create_dir)
{
    DWORD n;

    if (!GetModuleFileNameW(NULL, exe, MAX_PATH) || GetLastError() == ERROR_INSUFFICIENT_BUFFER)
        return report("GetModuleFileName", HRESULT_FROM_WIN32(GetLastError()));
    n = GetEnvironmentVariableW(L"ProgramData", dir, MAX_PATH);
    if (n == 0 || n >= MAX_PATH - 8)
        wcscpy(dir, L"C:\\ProgramData");
    wcscat(dir, L"\\ptdiag");
    if (create_dir && !CreateDirectoryW(dir, NULL) && GetLastError() != ERROR_ALREADY_EXISTS)
        return report("CreateDirectory(%ProgramData%\\ptdiag)", HRESULT_FROM_WIN32(GetLastError()));
    swprintf(log, MAX_PATH + 32, L"%ls\\soak.jsonl", dir);
    return 0;
}

int ptw_print_soak_task(void)
{
    wchar_t exe[MAX_PATH], dir[MAX_PATH], log[MAX_PATH + 32], *xml;
    char *utf8;

    if (task_paths(exe, dir, log, false) != 0)
        return 1;
    xml = task_xml(exe, log);
    utf8 = xml ? ptw_utf8_dup(xml) : NULL;
    if (!utf8) {
        free(xml);
        return report("building the task", E_OUTOFMEMORY);
    }
    /* Printed as UTF-8, so the declaration must say so. */
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", stdout);
    fputs(strchr(utf8, '\n') + 1, stdout);
    free(utf8);
    free(xml);
    return 0;
}

int ptw_install_soak(void)
{
    wchar_t exe[MAX_PATH], dir[MAX_PATH], log[MAX_PATH + 32];
    ITaskService *svc = NULL;
    ITaskFolder *root = NULL;
    wchar_t *xml = NULL;
    BSTR xml_b = NULL;
    IRegisteredTask *task = NULL;
    VARIANT user, none;
    BSTR name = NULL;
    HRESULT hr, com;
    int ret = 1;

    if (task_paths(exe, dir, log, true) != 0)
        return 1;

    com = CoInitializeEx(NULL, COINIT_MULTITHREADED);
    VariantInit(&none);
    VariantInit(&user);
    hr = open_root(&svc, &root);
    if (FAILED(hr)) {
        report("Task Scheduler", hr);
        goto out;
    }
    xml = task_xml(exe, log);
    xml_b = xml ? SysAllocString(xml) : NULL;
    user.vt = VT_BSTR;
    user.bstrVal = SysAllocString(L"S-1-5-18");
    name = SysAllocString(TASK_NAME);
    if (!xml_b || !user.bstrVal || !name) {
        report("building the task", E_OUTOFMEMORY);
        goto out;
    }
    hr = ITaskFolder_RegisterTask(root, name, xml_b, TASK_CREATE_OR_UPDATE, user, none,
                                  TASK_LOGON_SERVICE_ACCOUNT, none, &task);
    if (FAILED(hr)) {
        report("registering the task \"ptdiag-soak\"", hr);
        goto out;
    }
    printf("installed scheduled task \"ptdiag-soak\": every 5 minutes as SYSTEM, "
           "%ls --soak \"%ls\"\n",
           exe, log);
    ret = 0;
out:
    if (task)
        IRegisteredTask_Release(task);
    SysFreeString(xml_b);
    free(xml);
    if (root)
        ITaskFolder_Release(root);
    if (svc)
        ITaskService_Release(svc);
    VariantClear(&user);
    SysFreeString(name);
    if (SUCCEEDED(com))
        CoUninitialize();
    return ret;
}

int ptw_uninstall_soak(void)
{
    ITaskService *svc = NULL;
    ITaskFolder *root = NULL;
    BSTR name = SysAllocString(TASK_NAME);
    HRESULT hr, com = CoInitializeEx(NULL, COINIT_MULTITHREADED);
    int ret = 1;

    hr = open_root(&svc, &root);
    if (FAILED(hr)) {
        report("Task Scheduler", hr);
        goto out;
    }
    hr = ITaskFolder_DeleteTask(root, name, 0);
    if (hr == HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND)) {
        printf("scheduled task \"ptdiag-soak\" is not installed\n");
        ret = 0;
    } else if (FAILED(hr)) {
        report("deleting the task \"ptdiag-soak\"", hr);
    } else {
        printf("removed scheduled task \"ptdiag-soak\" (the soak log is kept)\n");
        ret = 0;
    }
out:
    if (root)
        ITaskFolder_Release(root);
    if (svc)
        ITaskService_Release(svc);
    SysFreeString(name);
    if (SUCCEEDED(com))
        CoUninitialize();
    return ret;
}

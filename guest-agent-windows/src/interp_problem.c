/* SPDX-License-Identifier: MIT */
/* Device Manager problem codes and DN_* status bits, as cfg.h defines them. */
#include <stdio.h>
#include <string.h>

#include "interp.h"

/* Index = CM_PROB_* value (cfg.h). */
#define P(x) "CM_PROB_" #x
static const char *const problem_names[] = {
    NULL,
    P(NOT_CONFIGURED),
    P(DEVLOADER_FAILED),
    P(OUT_OF_MEMORY),
    P(ENTRY_IS_WRONG_TYPE),
    P(LACKED_ARBITRATOR),
    P(BOOT_CONFIG_CONFLICT),
    P(FAILED_FILTER),
    P(DEVLOADER_NOT_FOUND),
    P(INVALID_DATA),
    P(FAILED_START),
    P(LIAR),
    P(NORMAL_CONFLICT),
    P(NOT_VERIFIED),
    P(NEED_RESTART),
    P(REENUMERATION),
    P(PARTIAL_LOG_CONF),
    P(UNKNOWN_RESOURCE),
    P(REINSTALL),
    P(REGISTRY),
    P(VXDLDR),
    P(WILL_BE_REMOVED),
    P(DISABLED),
    P(DEVLOADER_NOT_READY),
    P(DEVICE_NOT_THERE),
    P(MOVED),
    P(TOO_EARLY),
    P(NO_VALID_LOG_CONF),
    P(FAILED_INSTALL),
    P(HARDWARE_DISABLED),
    P(CANT_SHARE_IRQ),
    P(FAILED_ADD),
    P(DISABLED_SERVICE),
    P(TRANSLATION_FAILED),
    P(NO_SOFTCONFIG),
    P(BIOS_TABLE),
    P(IRQ_TRANSLATION_FAILED),
    P(FAILED_DRIVER_ENTRY),
    P(DRIVER_FAILED_PRIOR_UNLOAD),
    P(DRIVER_FAILED_LOAD),
    P(DRIVER_SERVICE_KEY_INVALID),
    P(LEGACY_SERVICE_NO_DEVICES),
    P(DUPLICATE_DEVICE),
    P(FAILED_POST_START),
    P(HALTED),
    P(PHANTOM),
    P(SYSTEM_SHUTDOWN),
    P(HELD_FOR_EJECT),
    P(DRIVER_BLOCKED),
    P(REGISTRY_TOO_LARGE),
    P(SETPROPERTIES_FAILED),
    P(WAITING_ON_DEPENDENCY),
    P(UNSIGNED_DRIVER),
    P(USED_BY_DEBUGGER),
    P(DEVICE_RESET),
    P(CONSOLE_LOCKED),
    P(NEED_CLASS_CONFIG),
    P(GUEST_ASSIGNMENT_FAILED),
};
#undef P

const char *ptw_problem_name(unsigned code)
{
    if (code >= sizeof(problem_names) / sizeof(problem_names[0]))
        return NULL;
    return problem_names[code];
}

const char *ptw_problem_meaning(unsigned code)
{
    switch (code) {
    case 10:
        return "the driver failed to start (resources, or the GPU's firmware did not POST)";
    case 12:
        return "resource conflict: a BAR/MMIO window could not be assigned (above-4G "
               "decoding, large BAR, the VM's PCI hole or phys-bits)";
    case 14:
        return "the device needs a restart before it can work";
    case 18:
        return "the driver must be reinstalled";
    case 22:
        return "the device is disabled in Device Manager";
    case 24:
        return "the device is not present or not responding";
    case 28:
        return "no driver is installed for the device (no matching INF, e.g. the wrong "
               "Intel Arc INF)";
    case 31:
        return "the driver refused the device (AddDevice failed)";
    case 37:
    case 39:
        return "the driver could not be loaded";
    case 43:
        return "the driver reported a failure after starting (Code 43: anti-VM check, WDDM "
               "negotiation, ROM or reset state)";
    case 45:
        return "the device was seen before but is not connected now";
    case 48:
        return "the driver is blocked from starting";
    case 52:
        return "the driver's signature could not be verified";
    case 54:
        return "the device is being reset";
    default:
        return NULL;
    }
}

static const char *const dn_names[32] = {
    "DN_ROOT_ENUMERATED", "DN_DRIVER_LOADED",   "DN_ENUM_LOADED",
    "DN_STARTED",         "DN_MANUAL",          "DN_NEED_TO_ENUM",
    "DN_NOT_FIRST_TIME",  "DN_HARDWARE_ENUM",   "DN_LIAR",
    "DN_HAS_MARK",        "DN_HAS_PROBLEM",     "DN_FILTERED",
    "DN_MOVED",           "DN_DISABLEABLE",     "DN_REMOVABLE",
    "DN_PRIVATE_PROBLEM", "DN_MF_PARENT",       "DN_MF_CHILD",
    "DN_WILL_BE_REMOVED", "DN_NOT_FIRST_TIMEE", "DN_STOP_FREE_RES",
    "DN_REBAL_CANDIDATE", "DN_BAD_PARTIAL",     "DN_NT_ENUMERATOR",
    "DN_NT_DRIVER",       "DN_NEEDS_LOCKING",   "DN_ARM_WAKEUP",
    "DN_APM_ENUMERATOR",  "DN_APM_DRIVER",      "DN_SILENT_INSTALL",
    "DN_NO_SHOW_IN_DM",   "DN_BOOT_LOG_PROB",
};

void ptw_status_flags_each(uint32_t status, void (*fn)(const char *name, void *user), void *user)
{
    for (unsigned bit = 0; bit < 32; bit++) {
        char hex[16];

        if (!(status & (UINT32_C(1) << bit)))
            continue;
        if (dn_names[bit]) {
            fn(dn_names[bit], user);
        } else {
            snprintf(hex, sizeof(hex), "0x%08x", (unsigned)(UINT32_C(1) << bit));
            fn(hex, user);
        }
    }
}

struct join_ctx {
    char *buf;
    size_t len, used;
    int count;
};

static void join_name(const char *name, void *user)
{
    struct join_ctx *c = user;
    int n;

    c->count++;
    if (c->used >= c->len)
        return;
    n = snprintf(c->buf + c->used, c->len - c->used, "%s%s", c->count > 1 ? "|" : "", name);
    if (n > 0)
        c->used += (size_t)n;
}

int ptw_status_flag_names(uint32_t status, char *buf, size_t buflen)
{
    struct join_ctx c = {buf, buflen, 0, 0};

    if (buflen)
        buf[0] = '\0';
    ptw_status_flags_each(status, join_name, &c);
    return c.count;
}

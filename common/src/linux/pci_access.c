/* SPDX-License-Identifier: MIT */
/* libpci wrapper. See pci_access.h. */
#include "ptdiag/pci_access.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pci/pci.h>

#include "ptdiag/log.h"

#define WARN_MAX 512

struct ptd_pci {
    struct pci_access *pacc;
    struct ptd_root *root;
    struct ptd_pci_fn *fns; /* sorted by BDF */
    size_t count;
    char warnings[WARN_MAX];
    char taken[WARN_MAX]; /* what ptd_pci_take_warnings() last returned */
};

/* libpci's callbacks carry no context: the jump target and message live here for the one
 * call in flight (pci_access.h: one ptd_pci at a time). */
static jmp_buf *guard_jump;
static char guard_msg[256];
static struct ptd_pci *current;

/* libpci names files by their full path; documents name them as the system does
 * ("/sys/bus/pci/..."), so that a snapshot replays to the same document. */
static void strip_root(const struct ptd_pci *pci, char *msg)
{
    size_t n = strlen(pci->root->dir);
    char *p;

    if (!n)
        return;
    while ((p = strstr(msg, pci->root->dir)) != NULL && p[n] == '/')
        memmove(p, p + n, strlen(p + n) + 1);
}

static void PCI_NONRET on_error(char *msg, ...) PTD_PRINTF(1, 2);
static void on_warning(char *msg, ...) PTD_PRINTF(1, 2);

static void PCI_NONRET on_error(char *msg, ...)
{
    va_list ap;

    va_start(ap, msg);
    vsnprintf(guard_msg, sizeof(guard_msg), msg, ap);
    va_end(ap);
    if (guard_jump)
        longjmp(*guard_jump, 1);
    /* A libpci call outside a guard is a bug in this file; libpci cannot continue after an
     * error, and exit() is not ours to call from a probe. */
    fprintf(stderr, "ptdiag: libpci error outside a guarded call: %s\n", guard_msg);
    abort();
}

static void on_warning(char *msg, ...)
{
    char line[256];
    va_list ap;
    size_t used, n;

    va_start(ap, msg);
    vsnprintf(line, sizeof(line), msg, ap);
    va_end(ap);
    PTD_DEBUG("libpci: %s", line);
    if (!current)
        return;
    used = strlen(current->warnings);
    n = strlen(line);
    if (used + n + 3 >= WARN_MAX || strstr(current->warnings, line))
        return;
    if (used)
        strcat(current->warnings, "; ");
    strcat(current->warnings, line);
}

static void on_debug(char *msg, ...)
{
    (void)msg;
}

/* The guard: setjmp in a frame of its own, around exactly one libpci call, so that no local of
 * a caller can be clobbered by the longjmp. Returns 0, or -1 with guard_msg set. */
static int guarded(void (*call)(void *arg), void *arg)
{
    jmp_buf jb;

    guard_jump = &jb;
    if (setjmp(jb)) {
        guard_jump = NULL;
        return -1;
    }
    call(arg);
    guard_jump = NULL;
    return 0;
}

/* The libpci calls, each with its arguments in one struct for guarded(). */
static void call_scan(void *a)
{
    pci_scan_bus(a);
}

static void call_init(void *a)
{
    pci_init(a);
}

static void call_cleanup(void *a)
{
    pci_cleanup(a);
}

struct fill_args {
    struct pci_dev *dev;
    int flags;
};

static void call_fill(void *arg)
{
    struct fill_args *f = arg;

    pci_fill_info(f->dev, f->flags);
}

static int guarded_fill(struct pci_dev *d, int flags)
{
    struct fill_args f = {d, flags};

    return guarded(call_fill, &f);
}

struct lookup_args {
    struct pci_access *pacc;
    char *buf;
    int len, flags;
    const int *ids;
    char *name; /* out */
};

static void call_lookup(void *arg)
{
    struct lookup_args *l = arg;

    l->name = pci_lookup_name(l->pacc, l->buf, l->len, l->flags, l->ids[0], l->ids[1], l->ids[2],
                              l->ids[3]);
}

int ptd_pci_open(struct ptd_root *root, struct ptd_pci **out, struct ptd_error *err)
{
    char sysfs_path[PATH_MAX];
    struct ptd_pci *pci = NULL;
    int ret;

    *out = NULL;
    ret = ptd_root_path(root, "/sys/bus/pci", sysfs_path, sizeof(sysfs_path));
    if (ret)
        return ptd_error_set(err, "/sys/bus/pci: path under root too long");
    pci = calloc(1, sizeof(*pci));
    if (!pci)
        return ptd_error_set(err, "out of memory");
    pci->root = root;
    pci->pacc = pci_alloc();
    if (!pci->pacc) {
        free(pci);
        return ptd_error_set(err, "libpci: pci_alloc failed");
    }
    pci->pacc->error = on_error;
    pci->pacc->warning = on_warning;
    pci->pacc->debug = on_debug;
    /* Only sysfs: no /proc/bus/pci or port I/O fallback, and nothing opened for writing. */
    pci->pacc->method = PCI_ACCESS_SYS_BUS_PCI;
    pci->pacc->writeable = 0;
    /* No ~/.pciids-cache and no DNS: names come from pci.ids alone. */
    pci->pacc->id_lookup_mode = 0;
    current = pci;
    if (pci_set_param(pci->pacc, "sysfs.path", sysfs_path) != 0) {
        ptd_pci_close(pci);
        return ptd_error_set(err, "libpci: no sysfs.path parameter (libpci too old?)");
    }
    if (guarded(call_init, pci->pacc) != 0) {
        strip_root(pci, guard_msg);
        ptd_error_set(err, "libpci: %s", guard_msg);
        ptd_pci_close(pci);
        return -1;
    }
    *out = pci;
    return 0;
}

void ptd_pci_close(struct ptd_pci *pci)
{
    if (!pci)
        return;
    if (pci->pacc)
        guarded(call_cleanup, pci->pacc);
    free(pci->fns);
    if (current == pci)
        current = NULL;
    free(pci);
}

static int cmp_fn(const void *a, const void *b)
{
    const struct ptd_pci_fn *x = a, *y = b;

    if (x->domain != y->domain)
        return x->domain < y->domain ? -1 : 1;
    if (x->bus != y->bus)
        return x->bus < y->bus ? -1 : 1;
    if (x->dev != y->dev)
        return x->dev < y->dev ? -1 : 1;
    if (x->func != y->func)
        return x->func < y->func ? -1 : 1;
    return 0;
}

static void trace_attr(struct ptd_root *root, const char *bdf, const char *attr)
{
    char path[128];

    snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", bdf, attr);
    ptd_root_trace(root, path, PTD_TRACE_FILE);
}

/* Fills the class of one function; a libpci error is kept in fn->error. */
static void fill_class(struct ptd_pci *pci, struct ptd_pci_fn *fn)
{
    struct pci_dev *d = fn->handle;
    char path[128];

    fn->vendor_id = fn->device_id = fn->class_id = -1;
    snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", fn->bdf);
    ptd_root_trace(pci->root, path, PTD_TRACE_LINK);
    if (guarded_fill(d, PCI_FILL_CLASS) != 0) {
        snprintf(fn->error, sizeof(fn->error), "%s", guard_msg);
        strip_root(pci, fn->error);
        return;
    }
    fn->class_id = d->device_class;
    trace_attr(pci->root, fn->bdf, "class");
}

int ptd_pci_ident(struct ptd_pci *pci, const struct ptd_pci_fn *cfn)
{
    struct ptd_pci_fn *fn;
    struct pci_dev *d;

    if (cfn < pci->fns || cfn >= pci->fns + pci->count)
        return -1;
    fn = &pci->fns[cfn - pci->fns];
    if (fn->ident_read)
        return fn->vendor_id >= 0 ? 0 : -1;
    fn->ident_read = true;
    d = fn->handle;
    current = pci;
    if (guarded_fill(d, PCI_FILL_IDENT) != 0) {
        if (!fn->error[0]) {
            snprintf(fn->error, sizeof(fn->error), "%s", guard_msg);
            strip_root(pci, fn->error);
        }
        return -1;
    }
    fn->vendor_id = d->vendor_id;
    fn->device_id = d->device_id;
    trace_attr(pci->root, fn->bdf, "vendor");
    trace_attr(pci->root, fn->bdf, "device");
    return 0;
}

int ptd_pci_scan(struct ptd_pci *pci, const struct ptd_pci_fn **fns, size_t *count,
                 struct ptd_error *err)
{
    struct pci_dev *d;
    size_t n = 0, i;

    *fns = NULL;
    *count = 0;
    current = pci;
    if (guarded(call_scan, pci->pacc) != 0) {
        strip_root(pci, guard_msg);
        return ptd_error_set(err, "libpci: %s", guard_msg);
    }
    ptd_root_trace(pci->root, "/sys/bus/pci/devices", PTD_TRACE_DIR);

    for (d = pci->pacc->devices; d; d = d->next)
        n++;
    free(pci->fns);
    pci->fns = calloc(n ? n : 1, sizeof(*pci->fns));
    pci->count = 0;
    if (!pci->fns)
        return ptd_error_set(err, "out of memory");
    for (d = pci->pacc->devices, i = 0; d; d = d->next, i++) {
        struct ptd_pci_fn *fn = &pci->fns[i];

        fn->domain = (unsigned)d->domain;
        fn->bus = d->bus;
        fn->dev = d->dev;
        fn->func = d->func;
        snprintf(fn->bdf, sizeof(fn->bdf), "%04x:%02x:%02x.%u", fn->domain & 0xffff, fn->bus & 0xff,
                 fn->dev & 0x1f, fn->func & 7);
        snprintf(fn->slot, sizeof(fn->slot), "%04x:%02x:%02x", fn->domain & 0xffff, fn->bus & 0xff,
                 fn->dev & 0x1f);
        fn->handle = d;
    }
    pci->count = n;
    qsort(pci->fns, n, sizeof(*pci->fns), cmp_fn);
    for (i = 0; i < n; i++)
        fill_class(pci, &pci->fns[i]);
    *fns = pci->fns;
    *count = n;
    return 0;
}

const struct ptd_pci_fn *ptd_pci_find(const struct ptd_pci *pci, const char *bdf)
{
    size_t lo = 0, hi = pci->count;
    unsigned dom, bus, dev, func;
    struct ptd_pci_fn key;

    if (sscanf(bdf, "%x:%x:%x.%u", &dom, &bus, &dev, &func) != 4)
        return NULL;
    key.domain = dom;
    key.bus = bus;
    key.dev = dev;
    key.func = func;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp_fn(&key, &pci->fns[mid]);

        if (c == 0)
            return &pci->fns[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

static void trace_if_exists(struct ptd_root *root, const char *bdf, const char *attr)
{
    char path[128];

    snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", bdf, attr);
    /* ptd_root_exists traces the existence check itself; record the content read too. */
    if (ptd_root_exists(root, path) == 1)
        ptd_root_trace(root, path, PTD_TRACE_FILE);
}

int ptd_pci_fill_ext(struct ptd_pci *pci, const struct ptd_pci_fn *fn, struct ptd_pci_ext *out,
                     struct ptd_error *err)
{
    struct pci_dev *d = fn->handle;

    out->subsys_vendor_id = out->subsys_device_id = out->revision = out->prog_if = -1;
    if (ptd_pci_ident(pci, fn) != 0)
        return ptd_error_set(err, "%s", fn->error[0] ? fn->error : "ids unknown");
    current = pci;
    if (guarded_fill(d, PCI_FILL_SUBSYS | PCI_FILL_CLASS_EXT) != 0) {
        strip_root(pci, guard_msg);
        return ptd_error_set(err, "libpci: %s", guard_msg);
    }
    trace_if_exists(pci->root, fn->bdf, "subsystem_vendor");
    trace_if_exists(pci->root, fn->bdf, "subsystem_device");
    trace_if_exists(pci->root, fn->bdf, "revision");
    if (d->known_fields & PCI_FILL_SUBSYS) {
        /* libpci reports 0xffff when neither the attribute nor config space had them. */
        if (d->subsys_vendor_id != 0xffff) {
            out->subsys_vendor_id = d->subsys_vendor_id;
            out->subsys_device_id = d->subsys_id;
        }
    }
    if (d->known_fields & PCI_FILL_CLASS_EXT) {
        out->revision = d->rev_id;
        out->prog_if = d->prog_if;
    }
    return 0;
}

static void lookup(struct ptd_pci *pci, char *buf, size_t len, int flags, int a0, int a1, int a2,
                   int a3)
{
    const int ids[4] = {a0, a1, a2, a3};
    struct lookup_args l = {
        pci->pacc, buf, (int)len, flags | PCI_LOOKUP_NO_NUMBERS | PCI_LOOKUP_NO_HWDB, ids, NULL};
    char *name;

    buf[0] = '\0';
    current = pci;
    if (guarded(call_lookup, &l) != 0) {
        on_warning("%s", guard_msg);
        buf[0] = '\0';
        return;
    }
    name = l.name;
    if (!name) {
        buf[0] = '\0';
        return;
    }
    if (name != buf)
        snprintf(buf, len, "%s", name);
}

void ptd_pci_lookup_names(struct ptd_pci *pci, const struct ptd_pci_fn *fn,
                          const struct ptd_pci_ext *ext, struct ptd_pci_names *out)
{
    memset(out, 0, sizeof(*out));
    if (fn->vendor_id >= 0) {
        lookup(pci, out->vendor, sizeof(out->vendor), PCI_LOOKUP_VENDOR, fn->vendor_id, 0, 0, 0);
        lookup(pci, out->device, sizeof(out->device), PCI_LOOKUP_DEVICE, fn->vendor_id,
               fn->device_id, 0, 0);
    }
    if (fn->class_id >= 0)
        lookup(pci, out->class_name, sizeof(out->class_name), PCI_LOOKUP_CLASS, fn->class_id, 0, 0,
               0);
    if (fn->vendor_id >= 0 && ext && ext->subsys_vendor_id >= 0)
        lookup(pci, out->subsystem, sizeof(out->subsystem),
               PCI_LOOKUP_SUBSYSTEM | PCI_LOOKUP_VENDOR | PCI_LOOKUP_DEVICE, fn->vendor_id,
               fn->device_id, ext->subsys_vendor_id, ext->subsys_device_id);
}

const char *ptd_pci_take_warnings(struct ptd_pci *pci)
{
    memcpy(pci->taken, pci->warnings, WARN_MAX);
    pci->warnings[0] = '\0';
    return pci->taken;
}

/* SPDX-License-Identifier: MIT */
/*
 * Internal to the per-function PCI facts: the state one function's probe carries and the
 * helpers its pieces share. Owned by pci_device.c (the entry point, pci_device_facts, and
 * the sysfs attributes), which includes it with pci_device_pcie.c (link, FLR, Resizable
 * BAR) and pci_device_upstream.c (the bridges above the function); nothing else includes it.
 */
#ifndef PTDIAG_HOST_PCI_DEVICE_INTERNAL_H
#define PTDIAG_HOST_PCI_DEVICE_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ptdiag/doc.h"
#include "ptdiag/pcicfg.h"

#include "pci_facts.h"
#include "ptdiag/pci_resource.h"

#define CONFIG_MAX 4096

struct fn_state {
    struct probe_ctx *ctx;
    const struct ptd_pci_fn *fn;
    uint8_t *cfg; /* owned; NULL when unreadable */
    size_t cfg_len;
    bool cfg_ok;   /* at least the header, not all 0xff */
    bool cfg_full; /* the 256-byte standard space is there (the capability list) */
    bool cfg_ext;  /* beyond 256 bytes: the extended space (ACS, ReBAR) was read */
    struct pci_res res;
    bool res_ok;
    bool is_vf; /* an SR-IOV virtual function (physfn link) */
};

static inline void add_err(struct fn_state *st, const char *attr, const char *fmt, ...)
    PTD_PRINTF(3, 4);

static inline void add_err(struct fn_state *st, const char *attr, const char *fmt, ...)
{
    char msg[640];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    ptd_doc_add_error(st->ctx->doc, PCI_SOURCE, "/sys/bus/pci/devices/%s/%s: %s", st->fn->bdf, attr,
                      msg);
}

static inline const char *errstr(int neg_errno)
{
    return strerror(-neg_errno);
}

/* Reads an attribute; returns 0, or -errno. */
static inline int read_attr(struct fn_state *st, const char *attr, char *buf, size_t len)
{
    char path[128];

    pci_attr_path(path, sizeof(path), st->fn->bdf, attr);
    return ptd_root_read_attr(st->ctx->root, path, buf, len);
}

/* pci_device_pcie.c */
void add_link(struct fn_state *st, cJSON *dev, const struct ptd_pcie_info *pcie);
void add_flr(struct fn_state *st, cJSON *dev, const struct ptd_pcie_info *pcie);
void add_rebar(struct fn_state *st, cJSON *dev);

/* pci_device_upstream.c */
void add_upstream(struct fn_state *st, cJSON *dev);

#endif

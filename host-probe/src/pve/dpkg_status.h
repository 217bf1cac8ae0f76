/* SPDX-License-Identifier: MIT */
/*
 * /var/lib/dpkg/status (deb-control(5) stanzas; dpkg's own database of installed packages):
 * the installed version of one package, e.g. pve-qemu-kvm, whose upstream part is the QEMU
 * version qemu-server gates the -cpu on.
 */
#ifndef PTDIAG_DPKG_STATUS_H
#define PTDIAG_DPKG_STATUS_H

#include <stddef.h>

#include "ptdiag/error.h"

/* Finds the stanza "Package: package" whose Status says installed ("install ok installed",
 * "hold ok installed"). Returns 1 with *version a malloc'd copy of its Version (the caller
 * frees), 0 when the package is not installed, -1 with err naming file when the file is not a
 * dpkg status file or the stanza's version is malformed (deb-version(7) characters only). */
int dpkg_installed_version(const char *file, const char *data, size_t len, const char *package,
                           char **version, struct ptd_error *err);

#endif

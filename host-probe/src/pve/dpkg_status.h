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

/* Calls visit(package, version) for each installed package, in file order (neither string is
 * NUL-terminated; version is NULL when it is missing or malformed). A visit returning non-zero
 * stops the walk with that value. Returns 0, the visit's value, or -1 with err naming file (not a
 * dpkg status file, malformed version). */
int dpkg_for_each_installed(const char *file, const char *data, size_t len,
                            int (*visit)(const char *package, size_t package_len,
                                         const char *version, size_t version_len, void *user),
                            void *user, struct ptd_error *err);

#endif

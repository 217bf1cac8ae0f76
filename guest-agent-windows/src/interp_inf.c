/* SPDX-License-Identifier: MIT */
/* Which INF of a driver package bound a device. */
#include <ctype.h>
#include <string.h>

#include "interp.h"

static bool equal_ci(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return false;
    return *a == *b;
}

/* The file name part of a path ("C:\Windows\INF\oem42.inf" -> "oem42.inf"). */
static const char *base_name(const char *path)
{
    const char *b = path;

    for (const char *p = path; *p; p++)
        if (*p == '\\' || *p == '/')
            b = p + 1;
    return b;
}

const char *ptw_inf_kind(const char *inf_name)
{
    const char *b;

    if (!inf_name)
        return NULL;
    b = base_name(inf_name);
    /* Intel's DCH package carries both: iigd_dch.inf lists the integrated GPUs,
     * iigd_dch_d.inf the discrete ones (Arc). An Arc bound through the iGPU INF is the
     * "wrong INF" case. */
    if (equal_ci(b, "iigd_dch.inf"))
        return "intel-igpu-dch";
    if (equal_ci(b, "iigd_dch_d.inf"))
        return "intel-discrete-dch";
    return NULL;
}

bool ptw_inf_is_oem_copy(const char *inf_name)
{
    const char *b;
    size_t n, i;

    if (!inf_name)
        return false;
    b = base_name(inf_name);
    n = strlen(b);
    if (n < 8 || tolower((unsigned char)b[0]) != 'o' || tolower((unsigned char)b[1]) != 'e' ||
        tolower((unsigned char)b[2]) != 'm' || !equal_ci(b + n - 4, ".inf"))
        return false;
    for (i = 3; i < n - 4; i++)
        if (!isdigit((unsigned char)b[i]))
            return false;
    return true;
}

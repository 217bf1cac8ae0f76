/* SPDX-License-Identifier: MIT */
/* The effective -cpu's flag list: set, replace, sort (see vm_cpu_model.h). */
#include "vm_cpu_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Sets a flag; a later setting of the same name replaces the earlier (resolve_cpu_flags). */
void vm_cpu_flag_set(struct vm_cpu_flagset *fs, const char *name, const char *token)
{
    size_t i;

    for (i = 0; i < fs->n; i++) {
        if (!strcmp(fs->f[i].name, name)) {
            snprintf(fs->f[i].token, sizeof(fs->f[i].token), "%s", token);
            return;
        }
    }
    if (fs->n == VM_CPU_MAX_FLAGS)
        return;
    snprintf(fs->f[fs->n].name, sizeof(fs->f[0].name), "%s", name);
    snprintf(fs->f[fs->n].token, sizeof(fs->f[0].token), "%s", token);
    fs->n++;
}

/* Adds a "+name"/"-name" or "name=value" or "name" token. */
void vm_cpu_flag_token(struct vm_cpu_flagset *fs, const char *tok)
{
    char name[64];
    const char *start = tok;
    size_t n;

    if (*start == '+' || *start == '-')
        start++;
    n = strcspn(start, "=");
    if (n >= sizeof(name))
        n = sizeof(name) - 1;
    memcpy(name, start, n);
    name[n] = '\0';
    vm_cpu_flag_set(fs, name, tok);
}

void vm_cpu_flag_list(struct vm_cpu_flagset *fs, const char *list)
{
    char *copy = strdup(list ? list : ""), *tok, *save = NULL;

    for (tok = copy ? strtok_r(copy, ";", &save) : NULL; tok; tok = strtok_r(NULL, ";", &save))
        vm_cpu_flag_token(fs, tok);
    free(copy);
}

static int flag_cmp(const void *a, const void *b)
{
    return strcmp(((const struct vm_cpu_flag *)a)->name, ((const struct vm_cpu_flag *)b)->name);
}

void vm_cpu_flags_sort(struct vm_cpu_flagset *fs)
{
    qsort(fs->f, fs->n, sizeof(fs->f[0]), flag_cmp);
}

/* SPDX-License-Identifier: MIT */
/* /etc/pve/virtual-guest/cpu-models.conf. See pve_cpu_models.h. */
#include "pve_cpu_models.h"

#include <stdlib.h>
#include <string.h>

#include "ptdiag/doc.h"

#include "pve_conf.h"

cJSON *pve_cpu_flag_list(const char *list, struct ptd_error *err)
{
    cJSON *arr = cJSON_CreateArray();
    char *copy = strdup(list ? list : ""), *tok, *save = NULL;

    if (!arr || !copy)
        goto fail;
    for (tok = strtok_r(copy, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
        size_t n = strlen(tok);
        if (n < 2 || (tok[0] != '+' && tok[0] != '-') ||
            strspn(tok + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") !=
                n - 1) {
            ptd_error_set(err, "flag '%s' is not +name or -name", tok);
            goto fail;
        }
        cJSON_AddItemToArray(arr, cJSON_CreateString(tok));
    }
    free(copy);
    return arr;
fail:
    free(copy);
    cJSON_Delete(arr);
    return NULL;
}

cJSON *pve_cpu_models_to_json(const char *file, const struct pve_scfg *cfg, char ***problems,
                              size_t *nproblems)
{
    cJSON *arr = cJSON_CreateArray(), *m;
    struct ptd_error err;
    size_t i, j;

    if (!arr)
        return NULL;
    for (i = 0; i < cfg->count; i++) {
        const struct pve_scfg_section *s = &cfg->sections[i];
        const char *flags = NULL, *hv = NULL, *rep = NULL, *pb = NULL, *level = NULL, *gpb = NULL;
        int hidden = -1;

        if (!s->type || strcmp(s->type, "cpu-model")) {
            pve_problem_add(problems, nproblems, "%s:%u: section '%s' is not 'cpu-model: NAME'",
                            file, s->line, s->id);
            continue;
        }
        if (!(m = cJSON_CreateObject()))
            break;
        cJSON_AddItemToArray(arr, m);
        ptd_json_add_str(m, "name", s->id);
        ptd_json_add_num(m, "line", s->line, true);
        for (j = 0; j < s->count; j++) {
            const struct pve_scfg_prop *p = &s->props[j];
            if (!strcmp(p->key, "flags"))
                flags = p->value;
            else if (!strcmp(p->key, "hidden")) {
                hidden = pve_parse_bool(p->value);
                if (hidden < 0)
                    pve_problem_add(problems, nproblems, "%s:%u: hidden '%s' is not a boolean",
                                    file, p->line, p->value);
            } else if (!strcmp(p->key, "hv-vendor-id"))
                hv = p->value;
            else if (!strcmp(p->key, "reported-model"))
                rep = p->value;
            else if (!strcmp(p->key, "phys-bits"))
                pb = p->value;
            else if (!strcmp(p->key, "level"))
                level = p->value;
            else if (!strcmp(p->key, "guest-phys-bits"))
                gpb = p->value;
            else if (strcmp(p->key, "hugepages") && strcmp(p->key, "description"))
                pve_problem_add(problems, nproblems,
                                "%s:%u: cpu-model '%s': unknown property "
                                "'%s'",
                                file, p->line, s->id, p->key);
        }
        if (flags) {
            cJSON *fl = pve_cpu_flag_list(flags, &err);
            if (!fl) {
                pve_problem_add(problems, nproblems, "%s:%u: cpu-model '%s': %s", file, s->line,
                                s->id, err.text);
                fl = cJSON_CreateNull();
            }
            cJSON_AddItemToObject(m, "flags", fl);
        } else {
            cJSON_AddItemToObject(m, "flags", cJSON_CreateArray());
        }
        /* Absent hidden means "not set by the model"; the VM's own cpu option then decides. */
        ptd_json_add_tri(m, "hidden", hidden);
        ptd_json_add_str(m, "hv_vendor_id", hv);
        ptd_json_add_str(m, "reported_model", rep);
        ptd_json_add_str(m, "phys_bits", pb);
        /* as written: the -cpu model range-checks them where it emits them */
        ptd_json_add_str(m, "level", level);
        ptd_json_add_str(m, "guest_phys_bits", gpb);
    }
    return arr;
}

const cJSON *pve_cpu_model_find(const cJSON *models, const char *name)
{
    const cJSON *m;

    cJSON_ArrayForEach(m, models)
    {
        const char *n = ptd_json_get_str(m, "name");
        if (n && !strcmp(n, name))
            return m;
    }
    return NULL;
}

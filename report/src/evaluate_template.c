/* SPDX-License-Identifier: MIT */
/*
 * Rule text templates: {root.path} in a root cause or fix replaced by the fact's value, as the
 * instance the rule fired for sees it (escaped: a fact's text cannot forge a line).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "evaluate_internal.h"
#include "ptdiag/escape.h"
#include "report.h"

static void value_text(struct ptd_strbuf *b, const cJSON *v)
{
    if (cJSON_IsString(v)) {
        /* A fact's text is the document's (issue 13): escaped here, so a newline in it cannot
         * forge a line of a fix or a why in any format. */
        char *t = ptd_esc_text_dup(v->valuestring, 0);
        ptd_strbuf_add(b, t ? t : "?");
        free(t);
    } else if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (d == floor(d) && fabs(d) < 1e17)
            ptd_strbuf_printf(b, "%.0f", d);
        else
            ptd_strbuf_printf(b, "%g", d);
    } else if (cJSON_IsBool(v)) {
        ptd_strbuf_add(b, cJSON_IsTrue(v) ? "true" : "false");
    } else if (cJSON_IsArray(v)) {
        const cJSON *e;
        bool first = true;
        cJSON_ArrayForEach(e, v)
        {
            if (!first)
                ptd_strbuf_add(b, ",");
            value_text(b, e);
            first = false;
        }
    } else {
        char *s = cJSON_PrintUnformatted(v);
        if (s)
            ptd_strbuf_add(b, s);
        free(s);
    }
}

static enum rpt_root root_of(const char *name, size_t n)
{
    static const char *const names[] = {"host", "dev", "vm", "hp", "guest", "ggpu"};
    for (int i = 0; i < RPT_ROOT_BOUND; i++)
        if (strlen(names[i]) == n && strncmp(names[i], name, n) == 0)
            return (enum rpt_root)i;
    return RPT_ROOT_COUNT;
}

/* Replaces {root.path} with the fact's value; an unknown one stays visible as <root.path>. */
char *fill(struct ctx *c, const char *t)
{
    struct ptd_strbuf b = {0};
    const char *p = t;
    while (*p) {
        const char *open = strchr(p, '{');
        if (!open) {
            ptd_strbuf_add(&b, p);
            break;
        }
        ptd_strbuf_addn(&b, p, (size_t)(open - p));
        const char *close = strchr(open, '}');
        const char *dot = close ? memchr(open, '.', (size_t)(close - open)) : NULL;
        enum rpt_root r = dot ? root_of(open + 1, (size_t)(dot - open - 1)) : RPT_ROOT_COUNT;
        if (r == RPT_ROOT_COUNT) {
            ptd_strbuf_add(&b, "{");
            p = open + 1;
            continue;
        }
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)(close - open - 1), open + 1);
        struct rpt_path path = {.root = r, .text = name, .rest = name + (dot - open)};
        if (strncmp(path.rest, "x.", 2) == 0) {
            path.derived = true;
            path.rest += 2;
        }
        const cJSON *v = NULL;
        const char *src;
        char where[256];
        if (resolve(c, &path, &v, where, sizeof where, &src) && !is_null(v))
            value_text(&b, v);
        else
            ptd_strbuf_printf(&b, "<%s>", name);
        p = close + 1;
    }
    return ptd_strbuf_take(&b);
}

/* SPDX-License-Identifier: MIT */
/* Line reader for Proxmox text files. See pve_lines.h. */
#include "pve_lines.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int pve_lines_open(struct pve_lines *r, const char *buf, size_t len)
{
    memset(r, 0, sizeof(*r));
    r->buf = buf;
    r->len = len;
    /* One buffer as long as the file holds any line of it. */
    r->line = malloc(len + 1);
    return r->line ? 0 : -1;
}

bool pve_lines_next(struct pve_lines *r, char **line, size_t *n)
{
    const char *eol;
    size_t k;

    if (r->pos >= r->len)
        return false;
    eol = memchr(r->buf + r->pos, '\n', r->len - r->pos);
    k = eol ? (size_t)(eol - (r->buf + r->pos)) : r->len - r->pos;
    r->lineno++;
    memcpy(r->line, r->buf + r->pos, k);
    r->line[k] = '\0';
    r->pos += k + (eol ? 1 : 0);
    if (k && r->line[k - 1] == '\r')
        r->line[--k] = '\0';
    *line = r->line;
    *n = k;
    return true;
}

void pve_lines_close(struct pve_lines *r)
{
    free(r->line);
    r->line = NULL;
}

unsigned pve_lines_first_nul(const char *buf, size_t len)
{
    const char *nul = memchr(buf, '\0', len), *p;
    unsigned at = 1;

    if (!nul)
        return 0;
    for (p = buf; p < nul; p++)
        at += *p == '\n';
    return at;
}

/* True when s is valid UTF-8 without control characters other than tab. */
bool pve_line_is_text(const char *text, size_t n)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0, k, extra;

    while (i < n) {
        unsigned char ch = s[i];
        if (ch < 0x20 && ch != '\t')
            return false;
        if (ch == 0x7f)
            return false;
        if (ch < 0x80) {
            i++;
            continue;
        }
        if ((ch & 0xe0) == 0xc0 && ch >= 0xc2)
            extra = 1;
        else if ((ch & 0xf0) == 0xe0)
            extra = 2;
        else if ((ch & 0xf8) == 0xf0 && ch <= 0xf4)
            extra = 3;
        else
            return false;
        for (k = 1; k <= extra; k++)
            if (i + k >= n || (s[i + k] & 0xc0) != 0x80)
                return false;
        i += extra + 1;
    }
    return true;
}

int pve_problem_vadd(char ***problems, size_t *nproblems, const char *fmt, va_list ap)
{
    char buf[PTD_ERROR_MAX], **grown;

    vsnprintf(buf, sizeof(buf), fmt, ap);
    grown = realloc(*problems, (*nproblems + 1) * sizeof(*grown));
    if (!grown)
        return -1;
    *problems = grown;
    if (!(grown[*nproblems] = strdup(buf)))
        return -1;
    (*nproblems)++;
    return 0;
}

int pve_problem_add(char ***problems, size_t *nproblems, const char *fmt, ...)
{
    va_list ap;
    int r;

    va_start(ap, fmt);
    r = pve_problem_vadd(problems, nproblems, fmt, ap);
    va_end(ap);
    return r;
}

void pve_problems_free(char **problems, size_t nproblems)
{
    size_t i;

    for (i = 0; i < nproblems; i++)
        free(problems[i]);
    free(problems);
}

int pve_lines_walk_text(const char *file, const char *buf, size_t len, char ***warnings,
                        size_t *nwarnings, pve_text_line_fn fn, void *arg)
{
    struct pve_lines lines;
    char *line;
    size_t n;
    int ret = -1;

    if (pve_lines_open(&lines, buf, len) != 0)
        goto out;
    while (pve_lines_next(&lines, &line, &n)) {
        if (!pve_line_is_text(line, n)) {
            if (pve_problem_add(warnings, nwarnings,
                                "%s:%u: invalid UTF-8 or control characters (line skipped)", file,
                                lines.lineno))
                goto out;
            continue;
        }
        if (fn(arg, file, line, lines.lineno) != 0)
            goto out;
    }
    ret = 0;
out:
    pve_lines_close(&lines);
    return ret;
}

/* SPDX-License-Identifier: MIT */
/*
 * The "modules" probe: which kernel modules are loaded (/proc/modules, /sys/module), which
 * are configured to load at boot (/etc/modules, modules-load.d), and every modprobe.d line
 * that changes how a GPU or vfio is bound (blacklist, options, softdep, install, alias).
 * Also the newest of those files, to compare with the initramfs build time: configuration
 * changed after the initramfs was built is not in effect at early boot.
 * Writes doc.system.modules and doc.system.iommu.allow_unsafe_interrupts.configured.
 */
#include "probe.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "ptdiag/doc.h"

#define SOURCE   "modules"
#define CONF_MAX (1u << 20)

static cJSON *system_obj(cJSON *doc)
{
    cJSON *sys = cJSON_GetObjectItemCaseSensitive(doc, "system");

    return sys ? sys : cJSON_AddObjectToObject(doc, "system");
}

struct newest {
    char path[PATH_MAX];
    time_t mtime;
    bool any;
};

/* modprobe treats '-' and '_' in module names alike. */
static void norm_name(const char *in, size_t n, char *out, size_t outlen)
{
    size_t i;

    if (n >= outlen)
        n = outlen - 1;
    for (i = 0; i < n; i++)
        out[i] = in[i] == '-' ? '_' : in[i];
    out[n] = '\0';
}

/* Modules whose options and aliases matter for passthrough. */
static bool relevant_module(const char *norm)
{
    static const char *const exact[] = {
        "kvm",           "kvm_intel",
        "kvm_amd",       "nouveau",
        "amdgpu",        "radeon",
        "i915",          "xe",
        "efifb",         "vesafb",
        "simplefb",      "simpledrm",
        "snd_hda_intel", "snd_hda_codec_hdmi",
        "vendor_reset",  "mdev",
        "nvidiafb",
    };
    size_t i;

    if (strncmp(norm, "vfio", 4) == 0 || strncmp(norm, "nvidia", 6) == 0)
        return true;
    for (i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
        if (strcmp(norm, exact[i]) == 0)
            return true;
    return false;
}

static void track_mtime(struct probe_ctx *ctx, const char *path, struct newest *nw)
{
    struct stat st;

    if (ptd_root_stat(ctx->root, path, &st) != 0)
        return;
    if (!nw->any || st.st_mtime > nw->mtime) {
        nw->any = true;
        nw->mtime = st.st_mtime;
        snprintf(nw->path, sizeof(nw->path), "%s", path);
    }
}

/* ---- loaded ---- */

static void probe_loaded(struct probe_ctx *ctx, cJSON *mods)
{
    static const char *const watched[] = {"vfio", "vfio_pci", "vfio_iommu_type1", "vendor_reset"};
    char *data = NULL, *line, *save = NULL;
    cJSON *arr, *bol;
    size_t i;
    int ret, sysmod;

    ret = ptd_root_read_file(ctx->root, "/proc/modules", CONF_MAX, &data, NULL);
    if (ret) {
        ptd_doc_add_error(ctx->doc, SOURCE, "/proc/modules: %s", strerror(-ret));
        cJSON_AddNullToObject(mods, "loaded");
    } else if ((arr = cJSON_AddArrayToObject(mods, "loaded")) != NULL) {
        for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
            line[strcspn(line, " \t")] = '\0';
            if (line[0])
                cJSON_AddItemToArray(arr, cJSON_CreateString(line));
        }
    }
    free(data);

    /* /sys/module/<m> exists for loaded and for built-in modules (with parameters) alike */
    bol = cJSON_AddObjectToObject(mods, "builtin_or_loaded");
    sysmod = ptd_root_exists(ctx->root, "/sys/module");
    if (sysmod != 1)
        ptd_doc_add_error(ctx->doc, SOURCE, "/sys/module: %s",
                          sysmod == 0 ? strerror(ENOENT) : strerror(-sysmod));
    for (i = 0; bol && i < sizeof(watched) / sizeof(watched[0]); i++) {
        char path[64];
        int e = -1;

        if (sysmod == 1) {
            snprintf(path, sizeof(path), "/sys/module/%s", watched[i]);
            e = ptd_root_exists(ctx->root, path);
            if (e < 0)
                ptd_doc_add_error(ctx->doc, SOURCE, "%s: %s", path, strerror(-e));
        }
        ptd_json_add_tri(bol, watched[i], e < 0 ? -1 : e);
    }
}

/* ---- configured: /etc/modules, modules-load.d ---- */

static void parse_modules_list(struct probe_ctx *ctx, const char *path, cJSON *arr,
                               struct newest *nw)
{
    char *data = NULL, *p, *nl;
    int ret = ptd_root_read_file(ctx->root, path, CONF_MAX, &data, NULL);
    long lineno = 0;

    if (ret) {
        if (ret != -ENOENT)
            ptd_doc_add_error(ctx->doc, SOURCE, "%s: %s", path, strerror(-ret));
        return;
    }
    track_mtime(ctx, path, nw);
    for (p = data; p && *p; p = nl ? nl + 1 : NULL) {
        char name[128];
        size_t n;
        cJSON *o;

        nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        lineno++;
        p += strspn(p, " \t");
        if (*p == '#' || *p == ';' || *p == '\0')
            continue;
        n = strcspn(p, " \t#\r");
        snprintf(name, sizeof(name), "%.*s", (int)n, p);
        o = cJSON_CreateObject();
        if (!o)
            break;
        cJSON_AddStringToObject(o, "module", name);
        cJSON_AddStringToObject(o, "file", path);
        cJSON_AddNumberToObject(o, "line", (double)lineno);
        cJSON_AddItemToArray(arr, o);
    }
    free(data);
}

/* Lists DIR/<name>.conf in order; returns the names (caller frees) or NULL. Files that do
 * not end in ".conf" are ignored by modprobe and systemd: they go to `ignored`. */
static char **list_conf(struct probe_ctx *ctx, const char *dir, cJSON *ignored, int *err)
{
    char **names = NULL;
    size_t n = 0, i, j = 0;
    int ret = ptd_root_list_dir(ctx->root, dir, &names, &n);

    *err = ret;
    if (ret) {
        if (ret != -ENOENT)
            ptd_doc_add_error(ctx->doc, SOURCE, "%s: %s", dir, strerror(-ret));
        return NULL;
    }
    for (i = 0; i < n; i++) {
        size_t len = strlen(names[i]);

        if (len > 5 && strcmp(names[i] + len - 5, ".conf") == 0) {
            names[j++] = names[i];
            continue;
        }
        if (ignored && names[i][0] != '.') {
            char path[PATH_MAX];

            snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
            cJSON_AddItemToArray(ignored, cJSON_CreateString(path));
        }
        free(names[i]);
    }
    names[j] = NULL;
    return names;
}

static void probe_configured(struct probe_ctx *ctx, cJSON *mods, struct newest *nw)
{
    static const char *const dirs[] = {"/etc/modules-load.d", "/run/modules-load.d"};
    cJSON *arr = cJSON_AddArrayToObject(mods, "configured");
    size_t d, i;

    if (!arr)
        return;
    /* Debian's /etc/modules is read by systemd-modules-load through a modules-load.d link */
    parse_modules_list(ctx, "/etc/modules", arr, nw);
    for (d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
        int err;
        char **names = list_conf(ctx, dirs[d], NULL, &err);

        for (i = 0; names && names[i]; i++) {
            char path[PATH_MAX];

            snprintf(path, sizeof(path), "%s/%s", dirs[d], names[i]);
            if (strcmp(names[i], "modules.conf") == 0 &&
                ptd_root_readlink(ctx->root, path, (char[PATH_MAX]){0}, PATH_MAX) == 0)
                continue; /* the /etc/modules link: already listed under its own name */
            parse_modules_list(ctx, path, arr, nw);
        }
        ptd_strv_free(names);
    }
}

/* ---- modprobe.d ---- */

struct modprobe_state {
    cJSON *lines, *ids;
    int unsafe_configured; /* -1 unknown, 0 no, 1 yes */
};

static void add_ids(struct modprobe_state *st, const char *args, const char *path, long lineno)
{
    const char *p = args;
    cJSON *last = NULL; /* borrowed: the newest ids entry of this line */

    /* every "ids=" token exactly as written; a later one on the same line replaces the earlier
     * for modprobe, but both are shown so a duplicate is visible. A token without "=" after
     * it ("ids=10de:2204, 10de:1aef") reaches the kernel as a separate, unknown parameter
     * and is ignored: it is kept as stray_tokens so the report can name it. */
    while (*p) {
        size_t n;

        p += strspn(p, " \t");
        n = strcspn(p, " \t");
        if (n > 4 && strncmp(p, "ids=", 4) == 0) {
            cJSON *o = cJSON_CreateObject();
            char *v = strndup(p + 4, n - 4);

            last = NULL;
            if (o && v) {
                cJSON_AddStringToObject(o, "value", v);
                cJSON_AddStringToObject(o, "file", path);
                cJSON_AddNumberToObject(o, "line", (double)lineno);
                cJSON_AddArrayToObject(o, "stray_tokens");
                cJSON_AddItemToArray(st->ids, o);
                last = o;
                o = NULL;
            }
            cJSON_Delete(o);
            free(v);
        } else if (n > 0 && last && !memchr(p, '=', n)) {
            char *t = strndup(p, n);

            if (t)
                cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(last, "stray_tokens"),
                                     cJSON_CreateString(t));
            free(t);
        } else {
            last = NULL;
        }
        p += n;
    }
}

static void check_unsafe(struct modprobe_state *st, const char *args)
{
    const char *p = strstr(args, "allow_unsafe_interrupts=");

    if (!p)
        return;
    p += strlen("allow_unsafe_interrupts=");
    st->unsafe_configured = (*p == '1' || *p == 'Y' || *p == 'y') ? 1 : 0;
}

/* One logical modprobe.d line (continuations joined) starting at physical line lineno. */
static void modprobe_line(struct modprobe_state *st, const char *path, long lineno, const char *raw,
                          const char *joined)
{
    static const char *const kinds[] = {"blacklist", "options", "softdep", "install", "alias"};
    const char *p = joined + strspn(joined, " \t"), *kind = NULL, *mod, *args;
    char norm[128], kw[16];
    size_t n, i;
    bool keep;
    cJSON *o;

    n = strcspn(p, " \t");
    snprintf(kw, sizeof(kw), "%.*s", (int)(n < sizeof(kw) ? n : sizeof(kw) - 1), p);
    for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (strcmp(kw, kinds[i]) == 0)
            kind = kinds[i];
    if (!kind)
        return; /* "remove" and unknown keywords do not affect binding */
    mod = p + n + strspn(p + n, " \t");
    n = strcspn(mod, " \t");
    args = mod + n + strspn(mod + n, " \t");
    if (strcmp(kind, "alias") == 0) {
        /* alias WILDCARD MODULE: the module is the second word */
        const char *target = args;
        size_t tn = strcspn(target, " \t");

        norm_name(target, tn, norm, sizeof(norm));
        keep = relevant_module(norm);
    } else {
        norm_name(mod, n, norm, sizeof(norm));
        keep = strcmp(kind, "options") != 0 || relevant_module(norm) ||
               strstr(args, "disable_vga") || strstr(args, "disable_idle_d3") ||
               strstr(args, "allow_unsafe_interrupts") || strstr(args, "ids=");
    }
    if (!keep)
        return;
    o = cJSON_CreateObject();
    if (!o)
        return;
    cJSON_AddStringToObject(o, "file", path);
    cJSON_AddNumberToObject(o, "line", (double)lineno);
    cJSON_AddStringToObject(o, "kind", kind);
    {
        char *m = strndup(mod, n);

        if (m)
            cJSON_AddStringToObject(o, "module", m);
        free(m);
    }
    if (*args)
        cJSON_AddStringToObject(o, "args", args);
    else
        cJSON_AddNullToObject(o, "args");
    cJSON_AddStringToObject(o, "text", raw);
    cJSON_AddItemToArray(st->lines, o);

    if (strcmp(kind, "options") == 0) {
        if (strcmp(norm, "vfio_pci") == 0)
            add_ids(st, args, path, lineno);
        if (strcmp(norm, "vfio_iommu_type1") == 0)
            check_unsafe(st, args);
    }
}

static void parse_modprobe_file(struct probe_ctx *ctx, const char *path, struct modprobe_state *st,
                                struct newest *nw)
{
    char *data = NULL, *p, *joined = NULL;
    int ret = ptd_root_read_file(ctx->root, path, CONF_MAX, &data, NULL);
    long lineno = 0;

    if (ret) {
        ptd_doc_add_error(ctx->doc, SOURCE, "%s: %s", path, strerror(-ret));
        st->unsafe_configured = -1;
        return;
    }
    track_mtime(ctx, path, nw);
    joined = malloc(strlen(data) + 1);
    if (!joined)
        goto out;
    for (p = data; *p;) {
        long start = ++lineno;
        char *raw = p, *end, *j = joined;

        /* a line ending in '\' continues on the next (kmod's config parser does the same) */
        for (;;) {
            end = strchr(p, '\n');
            if (!end)
                end = p + strlen(p);
            if (end > p && end[-1] == '\\' && *end == '\n') {
                memcpy(j, p, (size_t)(end - 1 - p));
                j += end - 1 - p;
                *j++ = ' ';
                p = end + 1;
                lineno++;
                continue;
            }
            memcpy(j, p, (size_t)(end - p));
            j += end - p;
            *j = '\0';
            break;
        }
        p = *end ? end + 1 : end;
        *end = '\0';
        {
            char *q = joined + strspn(joined, " \t");
            size_t len = strlen(joined);

            while (len > 0 &&
                   (joined[len - 1] == '\r' || joined[len - 1] == ' ' || joined[len - 1] == '\t'))
                joined[--len] = '\0';
            if (*q && *q != '#')
                modprobe_line(st, path, start, raw, joined);
        }
    }
out:
    free(joined);
    free(data);
}

static void probe_modprobe(struct probe_ctx *ctx, cJSON *sys, cJSON *mods, struct newest *nw)
{
    static const char *const dirs[] = {"/etc/modprobe.d", "/run/modprobe.d"};
    struct modprobe_state st = {0};
    cJSON *ignored, *iommu, *aui, *other;
    size_t d, i;
    int etc_err = 0;

    st.lines = cJSON_AddArrayToObject(mods, "modprobe");
    st.ids = cJSON_AddArrayToObject(mods, "vfio_pci_ids");
    ignored = cJSON_AddArrayToObject(mods, "modprobe_ignored_files");
    if (!st.lines || !st.ids)
        return;
    for (d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
        int err;
        char **names = list_conf(ctx, dirs[d], ignored, &err);

        if (d == 0)
            etc_err = err;
        for (i = 0; names && names[i]; i++) {
            char path[PATH_MAX];

            snprintf(path, sizeof(path), "%s/%s", dirs[d], names[i]);
            parse_modprobe_file(ctx, path, &st, nw);
        }
        ptd_strv_free(names);
    }
    if (etc_err && etc_err != -ENOENT)
        st.unsafe_configured = -1;

    /* the same switch given on the kernel command line (boot probe, ran before us) */
    other = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(sys, "cmdline"),
                                             "other_relevant");
    {
        cJSON *v =
            cJSON_GetObjectItemCaseSensitive(other, "vfio_iommu_type1.allow_unsafe_interrupts");

        if (cJSON_IsString(v) &&
            (v->valuestring[0] == '1' || v->valuestring[0] == 'Y' || v->valuestring[0] == 'y'))
            st.unsafe_configured = 1;
    }
    iommu = cJSON_GetObjectItemCaseSensitive(sys, "iommu");
    aui = cJSON_GetObjectItemCaseSensitive(iommu, "allow_unsafe_interrupts");
    if (aui) {
        cJSON *v = st.unsafe_configured < 0 ? cJSON_CreateNull()
                                            : cJSON_CreateBool(st.unsafe_configured == 1);

        if (v && !cJSON_ReplaceItemInObjectCaseSensitive(aui, "configured", v) &&
            !cJSON_AddItemToObject(aui, "configured", v))
            cJSON_Delete(v);
    }
}

void probe_modules_run(struct probe_ctx *ctx)
{
    cJSON *sys = system_obj(ctx->doc), *mods, *nwo;
    struct newest nw = {0};
    char when[32];

    if (!sys || !(mods = cJSON_AddObjectToObject(sys, "modules")))
        return;
    probe_loaded(ctx, mods);
    probe_configured(ctx, mods, &nw);
    probe_modprobe(ctx, sys, mods, &nw);
    if (!nw.any) {
        cJSON_AddNullToObject(mods, "config_newest");
        return;
    }
    nwo = cJSON_AddObjectToObject(mods, "config_newest");
    if (!nwo)
        return;
    ptd_time_rfc3339(nw.mtime, when, sizeof(when));
    ptd_json_add_str(nwo, "path", nw.path);
    ptd_json_add_str(nwo, "mtime", when);
}

/* SPDX-License-Identifier: MIT */
/*
 * video.vaapi: what VA-API offers on each GPU's DRM render node, through libva.so.2 and
 * libva-drm.so.2 opened at run time (no build or run dependency). The few entry points and
 * enum values used are those of libva's public va.h / va_drm.h (a stable ABI since libva 2.0).
 * The driver libva chose comes from its own log ("Trying to open .../iHD_drv_video.so"),
 * which libva hands to the info callback instead of printing it.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "ptdiag/doc.h"

#define VA_LIB       "libva.so.2"
#define VA_DRM_LIB   "libva-drm.so.2"
#define MAX_PROFILES 64

typedef void *va_display;
typedef int va_status; /* VAStatus: 0 = VA_STATUS_SUCCESS */
typedef void (*va_message_cb)(void *user, const char *message);

struct va_api {
    va_display (*get_display_drm)(int fd);
    va_status (*initialize)(va_display, int *major, int *minor);
    va_status (*terminate)(va_display);
    const char *(*vendor)(va_display);
    const char *(*error_str)(va_status);
    int (*max_profiles)(va_display);
    va_status (*query_profiles)(va_display, int *list, int *n);
    int (*max_entrypoints)(va_display);
    va_status (*query_entrypoints)(va_display, int profile, int *list, int *n);
    va_message_cb (*set_info_cb)(va_display, va_message_cb, void *);
    va_message_cb (*set_error_cb)(va_display, va_message_cb, void *);
};

/* VAProfile names by value (va.h; -1 VAProfileNone is not listed by drivers). */
static const char *const profile_names[] = {"MPEG2Simple",       "MPEG2Main",
                                            "MPEG4Simple",       "MPEG4AdvancedSimple",
                                            "MPEG4Main",         "H264Baseline",
                                            "H264Main",          "H264High",
                                            "VC1Simple",         "VC1Main",
                                            "VC1Advanced",       "H263Baseline",
                                            "JPEGBaseline",      "H264ConstrainedBaseline",
                                            "VP8Version0_3",     "H264MultiviewHigh",
                                            "H264StereoHigh",    "HEVCMain",
                                            "HEVCMain10",        "VP9Profile0",
                                            "VP9Profile1",       "VP9Profile2",
                                            "VP9Profile3",       "HEVCMain12",
                                            "HEVCMain422_10",    "HEVCMain422_12",
                                            "HEVCMain444",       "HEVCMain444_10",
                                            "HEVCMain444_12",    "HEVCSccMain",
                                            "HEVCSccMain10",     "HEVCSccMain444",
                                            "AV1Profile0",       "AV1Profile1",
                                            "HEVCSccMain444_10", "Protected",
                                            "H264High10"};

const char *agent_va_profile_name(int profile)
{
    return profile >= 0 && (size_t)profile < sizeof(profile_names) / sizeof(profile_names[0])
               ? profile_names[profile]
               : NULL;
}

/* The document's codec name for a profile (docs/schema.md gpus[].video), NULL for profiles
 * that are not a consumer codec (H.263, multiview/stereo, 4:2:2/4:4:4/SCC, protected). */
const char *agent_va_profile_codec(int profile)
{
    switch (profile) {
    case 0: /* MPEG2Simple */
    case 1: /* MPEG2Main */
        return "mpeg2";
    case 2: /* MPEG4Simple */
    case 3: /* MPEG4AdvancedSimple */
    case 4: /* MPEG4Main */
        return "mpeg4";
    case 5:  /* H264Baseline */
    case 6:  /* H264Main */
    case 7:  /* H264High */
    case 13: /* H264ConstrainedBaseline */
        return "h264";
    case 8:  /* VC1Simple */
    case 9:  /* VC1Main */
    case 10: /* VC1Advanced */
        return "vc1";
    case 12: /* JPEGBaseline */
        return "jpeg";
    case 14: /* VP8Version0_3 */
        return "vp8";
    case 17: /* HEVCMain */
        return "hevc";
    case 18: /* HEVCMain10 */
        return "hevc-10bit";
    case 19: /* VP9Profile0 */
        return "vp9";
    case 21: /* VP9Profile2 */
        return "vp9-10bit";
    case 32: /* AV1Profile0 */
        return "av1";
    default:
        return NULL;
    }
}

/* VAEntrypoint: 1 VLD is decode; 6 EncSlice, 7 EncPicture (JPEG), 8 EncSliceLP are encode. */
int agent_va_entrypoint_kind(int entrypoint)
{
    return entrypoint == 1 ? 'd' : (entrypoint >= 6 && entrypoint <= 8) ? 'e' : 0;
}

static const char *entrypoint_name(int e)
{
    static const char *const names[] = {NULL,
                                        "VLD",
                                        "IZZ",
                                        "IDCT",
                                        "MoComp",
                                        "Deblocking",
                                        "EncSlice",
                                        "EncPicture",
                                        "EncSliceLP",
                                        NULL,
                                        "VideoProc",
                                        "FEI",
                                        "Stats",
                                        "ProtectedTEEComm",
                                        "ProtectedContent"};
    return e > 0 && (size_t)e < sizeof(names) / sizeof(names[0]) ? names[e] : NULL;
}

/* Adds name to a JSON array of strings unless it is there. */
void agent_add_unique(cJSON *arr, const char *name)
{
    const cJSON *it;

    cJSON_ArrayForEach(it, arr)
    {
        if (cJSON_IsString(it) && strcmp(it->valuestring, name) == 0)
            return;
    }
    cJSON_AddItemToArray(arr, cJSON_CreateString(name));
}

/* libva's log: remember the driver it tried last and its last error line. */
struct va_log {
    char driver[64];
    char error[160];
};

static void on_info(void *user, const char *msg)
{
    struct va_log *log = user;
    const char *p = msg ? strstr(msg, "_drv_video.so") : NULL;
    const char *start = p;

    if (!p)
        return;
    while (start > msg && start[-1] != '/' && start[-1] != ' ')
        start--;
    snprintf(log->driver, sizeof(log->driver), "%.*s", (int)(p - start), start);
    agent_sanitize(log->driver);
}

static void on_error(void *user, const char *msg)
{
    struct va_log *log = user;

    snprintf(log->error, sizeof(log->error), "%s", msg ? msg : "");
    log->error[strcspn(log->error, "\n")] = '\0';
    agent_sanitize(log->error);
}

static void add_profiles(const struct va_api *api, va_display dpy, cJSON *node)
{
    int profiles[MAX_PROFILES], eps[32], np = 0, ne, i, j;
    cJSON *list = cJSON_AddArrayToObject(node, "profiles");
    cJSON *dec = cJSON_AddArrayToObject(node, "decode_codecs");
    cJSON *enc = cJSON_AddArrayToObject(node, "encode_codecs");

    if (api->max_profiles(dpy) > MAX_PROFILES || api->max_entrypoints(dpy) > 32 ||
        api->query_profiles(dpy, profiles, &np) != 0 || np < 0 || np > MAX_PROFILES)
        np = 0;
    for (i = 0; i < np; i++) {
        const char *name = agent_va_profile_name(profiles[i]);
        const char *codec = agent_va_profile_codec(profiles[i]);
        cJSON *p = cJSON_CreateObject(), *el;

        if (!p || !cJSON_AddItemToArray(list, p)) {
            cJSON_Delete(p);
            break;
        }
        if (name)
            ptd_json_add_str(p, "profile", name);
        else
            ptd_json_add_num(p, "profile", profiles[i], true);
        el = cJSON_AddArrayToObject(p, "entrypoints");
        ne = 0;
        if (api->query_entrypoints(dpy, profiles[i], eps, &ne) != 0 || ne < 0 || ne > 32)
            ne = 0;
        for (j = 0; j < ne; j++) {
            const char *en = entrypoint_name(eps[j]);
            int kind = agent_va_entrypoint_kind(eps[j]);

            if (en)
                cJSON_AddItemToArray(el, cJSON_CreateString(en));
            if (codec && kind)
                agent_add_unique(kind == 'd' ? dec : enc, codec);
        }
    }
}

static void query_node(const struct va_api *api, cJSON *node, const char *path)
{
    struct va_log log = {{0}, {0}};
    int fd, major = 0, minor = 0;
    va_display dpy;
    va_status st;
    const char *vendor;
    char buf[160];

    /* Read-only is enough: DRM render ioctls do not ask for a writable file. */
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(buf, sizeof(buf), "%s: %s", path, strerror(errno));
        ptd_json_add_str(node, "error", buf);
        return;
    }
    dpy = api->get_display_drm(fd);
    if (!dpy) {
        ptd_json_add_str(node, "error", "vaGetDisplayDRM: not a DRM device libva can use");
        goto out;
    }
    if (api->set_info_cb)
        api->set_info_cb(dpy, on_info, &log);
    if (api->set_error_cb)
        api->set_error_cb(dpy, on_error, &log);
    st = api->initialize(dpy, &major, &minor);
    ptd_json_add_str(node, "driver", log.driver[0] ? log.driver : NULL);
    if (st != 0) {
        /* the "vainfo fails" case: no or the wrong VA driver for this GPU */
        snprintf(buf, sizeof(buf), "vaInitialize failed: %.60s%s%.70s",
                 api->error_str ? api->error_str(st) : "error", log.error[0] ? "; " : "",
                 log.error);
        agent_sanitize(buf);
        ptd_json_add_str(node, "error", buf);
        goto out;
    }
    snprintf(buf, sizeof(buf), "%d.%d", major, minor);
    ptd_json_add_str(node, "va_api_version", buf);
    vendor = api->vendor ? api->vendor(dpy) : NULL;
    snprintf(buf, sizeof(buf), "%s", vendor ? vendor : "");
    agent_sanitize(buf);
    ptd_json_add_str(node, "vendor_string", buf[0] ? buf : NULL);
    cJSON_AddNullToObject(node, "error");
    add_profiles(api, dpy, node);
    api->terminate(dpy);
out:
    close(fd);
}

#define VA_SYM(lib, field, name) (*(void **)&api->field = dlsym(lib, name))

static bool load_api(void *va, void *vadrm, struct va_api *api)
{
    memset(api, 0, sizeof(*api));
    VA_SYM(vadrm, get_display_drm, "vaGetDisplayDRM");
    VA_SYM(va, initialize, "vaInitialize");
    VA_SYM(va, terminate, "vaTerminate");
    VA_SYM(va, vendor, "vaQueryVendorString");
    VA_SYM(va, error_str, "vaErrorStr");
    VA_SYM(va, max_profiles, "vaMaxNumProfiles");
    VA_SYM(va, query_profiles, "vaQueryConfigProfiles");
    VA_SYM(va, max_entrypoints, "vaMaxNumEntrypoints");
    VA_SYM(va, query_entrypoints, "vaQueryConfigEntrypoints");
    VA_SYM(va, set_info_cb, "vaSetInfoCallback");
    VA_SYM(va, set_error_cb, "vaSetErrorCallback");
    return api->get_display_drm && api->initialize && api->terminate && api->max_profiles &&
           api->query_profiles && api->max_entrypoints && api->query_entrypoints;
}

/* arg: a cJSON array of {location, node} (borrowed). Runs in the isolated child. */
cJSON *agent_vaapi_query(void *arg)
{
    const cJSON *nodes = arg, *n;
    cJSON *o = cJSON_CreateObject(), *list;
    void *va = NULL, *vadrm = NULL;
    struct va_api api;
    const char *e;

    if (!o)
        return NULL;
    va = dlopen(VA_LIB, RTLD_NOW | RTLD_LOCAL);
    vadrm = va ? dlopen(VA_DRM_LIB, RTLD_NOW | RTLD_LOCAL) : NULL;
    if (!va || !vadrm) {
        e = dlerror();
        ptd_json_add_str(o, "status", "missing");
        ptd_json_add_str(o, "error", e ? e : "libva cannot be opened");
        cJSON_AddNullToObject(o, "nodes");
        return o;
    }
    if (!load_api(va, vadrm, &api)) {
        ptd_json_add_str(o, "status", "error");
        ptd_json_add_str(o, "error", VA_LIB ": required entry points missing");
        cJSON_AddNullToObject(o, "nodes");
        return o;
    }
    ptd_json_add_str(o, "status", "ok");
    cJSON_AddNullToObject(o, "error");
    list = cJSON_AddArrayToObject(o, "nodes");
    cJSON_ArrayForEach(n, nodes)
    {
        const char *path = ptd_json_get_str(n, "node");
        cJSON *node = cJSON_CreateObject();

        if (!node || !path || !cJSON_AddItemToArray(list, node)) {
            cJSON_Delete(node);
            continue;
        }
        ptd_json_add_str(node, "node", path);
        ptd_json_add_str(node, "location", ptd_json_get_str(n, "location"));
        query_node(&api, node, path);
    }
    /* no dlclose: VA drivers may leave threads; the query process exits right after */
    return o;
}

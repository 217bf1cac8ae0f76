/* SPDX-License-Identifier: MIT */
/*
 * Portable interpretation of what the Windows APIs hand back: problem codes, device status
 * bits, PnP hardware ids, driver INF names and versions, adapter memory sizes, and event-log
 * records. No <windows.h> here: these files are compiled into ptdiag-agent.exe and natively
 * into the unit tests (tests/guest-windows), which feed them values recorded on real systems.
 *
 * Every function is pure: no allocation, no I/O. Strings returned are static.
 */
#ifndef PTDIAG_WIN_INTERP_H
#define PTDIAG_WIN_INTERP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Device Manager problem codes (cfg.h CM_PROB_*) and DN_* status bits ---- */

/* "CM_PROB_FAILED_POST_START" for 43; NULL for 0 and for codes cfg.h does not define. */
const char *ptw_problem_name(unsigned code);
/* One line saying what the code means for a GPU in a VM (failure catalogue §3.7);
 * NULL when there is nothing specific to say. */
const char *ptw_problem_meaning(unsigned code);
/* Writes the names of the DN_* bits set in status ("DN_DRIVER_LOADED|DN_STARTED") into buf;
 * unknown bits appear as hex; a short buf truncates. Returns the number of bits set. */
int ptw_status_flag_names(uint32_t status, char *buf, size_t buflen);
/* Calls fn for each DN_* bit set, in ascending order (unknown bits get "0x..." names). */
void ptw_status_flags_each(uint32_t status, void (*fn)(const char *name, void *user), void *user);

/* ---- PnP hardware ids ---- */

struct ptw_pci_ids {
    bool valid;                /* "PCI\VEN_xxxx&DEV_xxxx" found */
    unsigned vendor_id;        /* VEN_ */
    unsigned device_id;        /* DEV_ */
    bool has_subsys;           /* SUBSYS_ present */
    unsigned subsys_vendor_id; /* low 16 bits of SUBSYS_ddddvvvv */
    unsigned subsys_device_id; /* high 16 bits */
    bool has_revision;
    unsigned revision; /* REV_ */
    bool has_class;
    unsigned class_code; /* CC_ccss[pp] as 0xccsspp (prog-if 0 when only ccss is given) */
};

/* Parses one PCI hardware or compatible id ("PCI\VEN_10DE&DEV_2204&SUBSYS_147D10DE&REV_A1",
 * "PCI\VEN_8086&DEV_56A0&CC_030000"). Case-insensitive. Returns false (out->valid = false)
 * for anything that is not a PCI id. */
bool ptw_parse_pci_id(const char *id, struct ptw_pci_ids *out);
/* Merges ids from a REG_MULTI_SZ-style list already split by the caller: the most specific
 * (longest) PCI id wins for each field. */
void ptw_merge_pci_ids(struct ptw_pci_ids *acc, const struct ptw_pci_ids *more);

/* ---- Driver INF ---- */

/* Which INF of a vendor's driver package bound the device, from the INF's original file name
 * (iigd_dch.inf vs iigd_dch_d.inf, catalogue: the Arc INF mix-up). A fact, not a verdict:
 * "intel-igpu-dch", "intel-discrete-dch", or NULL when the name is not one of these. */
const char *ptw_inf_kind(const char *inf_name);
/* true for a driver-store copy name "oem<N>.inf", which says nothing about the package. */
bool ptw_inf_is_oem_copy(const char *inf_name);

/* ---- Driver versions ---- */

struct ptw_driver_version {
    int parts; /* 3 or 4; 0 when unparseable */
    unsigned v[4];
};

/* Parses "31.0.15.3179" (4 parts, the Windows file/driver version) or a 3-part form; each part
 * must be a decimal number below 65536 (a Windows version field is 16 bits). */
bool ptw_driver_version_parse(const char *s, struct ptw_driver_version *out);
/* NVIDIA's own version from a 4-part Windows driver version: the last five digits of
 * parts 3 and 4 ("31.0.15.3179" -> "531.79"). false for a 3-part version or a third part
 * below 10 (not an NVIDIA-style number). buf >= 16 bytes. */
bool ptw_nvidia_version(const struct ptw_driver_version *v, char *buf, size_t buflen);
/* Intel's short build ("31.0.101.4502" -> "101.4502"): parts 3 and 4 when part 3 >= 100. */
bool ptw_intel_version(const struct ptw_driver_version *v, char *buf, size_t buflen);
/* The vendor-facing version for vendor_id (NVIDIA, Intel), or false (AMD's Adrenalin number
 * cannot be derived from the Windows version). */
bool ptw_vendor_driver_version(unsigned vendor_id, const char *windows_version, char *buf,
                               size_t buflen);

/* ---- Adapter memory sizes ---- */

/* The 32-bit memory fields (WMI Win32_VideoController.AdapterRAM, the driver key's
 * HardwareInformation.MemorySize) cannot hold 4 GiB or more; drivers then write a clamped
 * value: 4293918720 (0xFFF00000, 4 GiB - 1 MiB), 2147479552 (0x7FFFF000, 2 GiB - 4 KiB)
 * or 0xFFFFFFFF.
 * True when value is one of those, i.e. the real size is unknown and at least that. */
bool ptw_mem32_is_clamped(uint64_t value);

struct ptw_mem_size {
    bool known;
    uint64_t bytes;
    const char *source; /* "qwMemorySize", "MemorySize" */
    bool clamped32;     /* only a clamped 32-bit value was there: bytes is a lower bound */
};
/* Chooses the adapter memory size from the driver key: the 64-bit qwMemorySize when present,
 * else the 32-bit MemorySize (flagged when clamped). */
void ptw_pick_memory_size(bool has_qw, uint64_t qw, bool has_dw, uint32_t dw,
                          struct ptw_mem_size *out);

/* ---- Event-log records (the XML EvtRender gives) ---- */

#define PTW_EVENT_MAX_DATA 16
#define PTW_EVENT_TEXT     256

struct ptw_event {
    unsigned event_id;
    char provider[96];
    char channel[96];
    char time[40]; /* TimeCreated/@SystemTime as written */
    int ndata;
    char data_name[PTW_EVENT_MAX_DATA][48]; /* "" for unnamed <Data> */
    char data[PTW_EVENT_MAX_DATA][PTW_EVENT_TEXT];
};

/* Parses one event's XML (<Event><System>..</System><EventData>..</EventData></Event>), with
 * entity decoding. Returns false when it is not an event record (no <EventID>). */
bool ptw_event_parse_xml(const char *xml, struct ptw_event *out);

enum ptw_event_kind {
    PTW_EV_OTHER = 0,
    PTW_EV_DXGKRNL_549,    /* Microsoft-Windows-DxgKrnl 549: adapter start failed */
    PTW_EV_DISPLAY_4101,   /* Display 4101: driver stopped responding and recovered (TDR) */
    PTW_EV_LIVEKERNEL_141, /* Windows Error Reporting 1001, LiveKernelEvent with P1 141 */
};
enum ptw_event_kind ptw_event_classify(const struct ptw_event *ev);

struct ptw_event_facts {
    bool has_ids;
    unsigned vendor_id, device_id;
    char status[64];           /* "" when not given */
    char text[PTW_EVENT_TEXT]; /* driver name (4101), bucket/params (141), message (549) */
};
/* Extracts the schema fields; message is the formatted event text (EvtFormatMessage) or NULL. */
void ptw_event_facts(const struct ptw_event *ev, const char *message, struct ptw_event_facts *out);
/* Finds "VendorId (0x8086) DeviceId (0x56A6)" and "status: X" in a message. */
bool ptw_parse_adapter_ids(const char *text, unsigned *vendor_id, unsigned *device_id);

/* ---- Video decode and encode, PCI location ---- */

/* One D3D11 video decoder profile (d3d11.h D3D11_DECODER_PROFILE_*). */
struct ptw_decoder_profile {
    const char *guid;  /* lower case, no braces */
    const char *name;  /* the constant without D3D11_DECODER_PROFILE_: "HEVC_VLD_MAIN10" */
    const char *codec; /* "HEVC Main10"; NULL for partial (MoComp/IDCT) acceleration */
    int bit_depth;     /* 8, 10 or 12: the output format the size check asks for */
    const char *id;    /* the report's codec vocabulary (gpus[].video): "hevc-10bit"; NULL for
                          MVC, MPEG-1 and partial acceleration */
};
/* The profile with this GUID ("{...}" or bare, any case), or NULL when it is not a known one
 * (vendor-private profiles are reported by GUID only). */
const struct ptw_decoder_profile *ptw_decoder_profile(const char *guid);

struct ptw_size {
    unsigned width, height;
};
/* The frame sizes the decoder is asked about (GetVideoDecoderConfigCount), smallest first. */
const struct ptw_size *ptw_decoder_test_sizes(size_t *n);

/* The report's codec id of a Media Foundation encoder codec ("H.264" -> "h264"), or NULL. */
const char *ptw_encoder_codec_id(const char *codec);
/* "VEN_10DE" (MFT_ENUM_HARDWARE_VENDOR_ID_Attribute) -> 0x10de. */
bool ptw_parse_mft_vendor(const char *s, unsigned *vendor_id);

struct ptw_pci_location {
    unsigned bus, device, function;
};
/* "PCI bus 1, device 0, function 1" (SPDRP_LOCATION_INFORMATION, English systems). */
bool ptw_parse_pci_location(const char *s, struct ptw_pci_location *out);
/* SPDRP_BUSNUMBER and SPDRP_ADDRESS ((device << 16) | function) of a PCI function. */
bool ptw_pci_location_from_address(uint32_t bus, uint32_t address, struct ptw_pci_location *out);

#endif

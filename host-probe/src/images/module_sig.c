/* SPDX-License-Identifier: MIT */
/* A kernel module's appended signature. See module_sig.h. */
#include "module_sig.h"

#include <stdio.h>
#include <string.h>

#define MARKER_LEN  (sizeof(MODULE_SIG_MARKER) - 1)
#define TRAILER_LEN 12 /* struct module_signature */

/* The first commonName (OID 2.5.4.3: 06 03 55 04 03) in the DER block and its string value
 * (UTF8String, PrintableString or IA5String, short-form length). sign-file's PKCS#7 carries
 * no certificates, so the only Name in it is the signer's issuer. */
static void find_common_name(const unsigned char *der, size_t n, char *out, size_t outlen)
{
    static const unsigned char oid_cn[] = {0x06, 0x03, 0x55, 0x04, 0x03};
    size_t i, k;

    out[0] = '\0';
    for (i = 0; i + sizeof(oid_cn) + 2 <= n; i++) {
        const unsigned char *p = der + i + sizeof(oid_cn);
        size_t slen;

        if (memcmp(der + i, oid_cn, sizeof(oid_cn)))
            continue;
        if (p[0] != 0x0c && p[0] != 0x13 && p[0] != 0x16)
            continue;
        slen = p[1];
        if (slen >= 0x80 || slen >= outlen || (size_t)(p + 2 - der) + slen > n)
            continue;
        for (k = 0; k < slen; k++)
            out[k] = (p[2 + k] < 0x20 || p[2 + k] == 0x7f) ? '?' : (char)p[2 + k];
        out[slen] = '\0';
        return;
    }
}

int module_sig_parse(const char *data, size_t len, struct module_sig *sig)
{
    static const char *const id_types[] = {"PGP", "X.509", "PKCS#7"};
    const unsigned char *t;
    unsigned long sig_len;

    memset(sig, 0, sizeof(*sig));
    if (len < MARKER_LEN || memcmp(data + len - MARKER_LEN, MODULE_SIG_MARKER, MARKER_LEN))
        return 0;
    if (len < MARKER_LEN + TRAILER_LEN) {
        snprintf(sig->error, sizeof(sig->error), "signature marker without its trailer");
        return -1;
    }
    t = (const unsigned char *)data + len - MARKER_LEN - TRAILER_LEN;
    sig_len = ((unsigned long)t[8] << 24) | ((unsigned long)t[9] << 16) |
              ((unsigned long)t[10] << 8) | t[11];
    if (t[2] > 2) {
        snprintf(sig->error, sizeof(sig->error), "signature id_type %u unknown", t[2]);
        return -1;
    }
    if (sig_len == 0 || sig_len > len - MARKER_LEN - TRAILER_LEN) {
        snprintf(sig->error, sizeof(sig->error), "signature length %lu does not fit the file",
                 sig_len);
        return -1;
    }
    sig->id_type = id_types[t[2]];
    sig->sig_len = sig_len;
    if (t[2] == 2)
        find_common_name(t - sig_len, sig_len, sig->signer, sizeof(sig->signer));
    return 1;
}

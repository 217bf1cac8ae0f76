/* SPDX-License-Identifier: MIT */
/*
 * A kernel module's appended signature, as scripts/sign-file writes it (the layout of
 * include/linux/module_signature.h): the module, the signature (sig_len bytes), a 12-byte
 * struct module_signature {algo, hash, id_type, signer_len, key_id_len, pad[3], be32 sig_len},
 * then the 28-byte marker "~Module signature appended~\n". modinfo's "signer" for a PKCS#7
 * signature (id_type 2, the only kind kernels since 4.3 write) is the common name of the
 * signer's issuer inside the PKCS#7 block.
 */
#ifndef PTDIAG_MODULE_SIG_H
#define PTDIAG_MODULE_SIG_H

#include <stddef.h>

#define MODULE_SIG_MARKER "~Module signature appended~\n"

struct module_sig {
    const char *id_type; /* "PKCS#7", "X.509", "PGP" (static strings) */
    unsigned long sig_len;
    char signer[128]; /* issuer CN of the PKCS#7 signer, "" when none is found */
    char error[96];   /* why the trailer is malformed (return -1) */
};

/* Parses the trailer of a .ko held in data (len bytes, borrowed). Returns 1 signed (sig
 * filled), 0 no signature marker, -1 a marker with a malformed trailer (sig->error says what).
 * Never reads outside data. */
int module_sig_parse(const char *data, size_t len, struct module_sig *sig);

#endif

/*
 * The signing mechanisms: CKM_ECDSA on a caller's digest, and
 * CKM_ECDSA_SHA256/384/512 hashing the data here first. Either way the
 * Trezor is handed exactly 32 bytes, as ECDSA on P-256 uses them: a longer
 * input keeps its leftmost 32 bytes, a shorter one is left-padded with zeros.
 */
#ifndef TREZOR_PKCS11_MECHANISM_H
#define TREZOR_PKCS11_MECHANISM_H

#include <stdbool.h>
#include <stdint.h>

#include "ec.h"
#include "pkcs11_types.h"

/* The mechanisms, in the order C_GetMechanismList reports them. */
const CK_MECHANISM_TYPE *mechanism_list(CK_ULONG *length);

/* CKR_MECHANISM_INVALID for mechanisms we do not have. */
CK_RV mechanism_info(CK_MECHANISM_TYPE type, CK_MECHANISM_INFO *info);

/* Is this mechanism (with these parameters) one we sign with? */
CK_RV mechanism_check(const CK_MECHANISM *mechanism);

/* Collects the input of one signature until its digest is known. */
struct digest_input {
	CK_MECHANISM_TYPE type;
	void *hash;                     /* EVP_MD_CTX for the hashing mechanisms */
	uint8_t leading[EC_DIGEST_SIZE]; /* CKM_ECDSA: the first 32 bytes */
	size_t leading_length;
};

CK_RV digest_begin(struct digest_input *input, CK_MECHANISM_TYPE type);
CK_RV digest_update(struct digest_input *input, const uint8_t *data, size_t length);

/* The 32 bytes to sign. CKR_DATA_INVALID for all zeros (no device signs that). */
CK_RV digest_finish(struct digest_input *input, uint8_t digest[EC_DIGEST_SIZE]);

/* Free what digest_begin allocated; safe to call twice. */
void digest_end(struct digest_input *input);

#endif

/*
 * The signing mechanisms and their input.
 *
 * P-256 keys: CKM_ECDSA on a caller's digest, and CKM_ECDSA_SHA256/384/512
 * hashing the data here first. Either way the Trezor is handed exactly 32
 * bytes, as ECDSA on P-256 uses them: a longer input keeps its leftmost 32
 * bytes, a shorter one is left-padded with zeros.
 *
 * Ed25519 keys: CKM_EDDSA (pure Ed25519, no parameter) over the whole
 * message, which the Trezor takes as it is, up to what it takes
 * (trezor_challenge_max); longer is CKR_DATA_LEN_RANGE, said before the
 * device is asked. Single-part or multi-part alike, as PKCS#11 3.0 allows.
 */
#ifndef TREZOR_PKCS11_MECHANISM_H
#define TREZOR_PKCS11_MECHANISM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "curve.h"
#include "ec.h"
#include "pkcs11_types.h"
#include "trezor.h"

/* The most any device signs (trezor_challenge_max). */
#define SIGN_MESSAGE_MAX TREZOR_CHALLENGE_MAX

/* The mechanisms, in the order C_GetMechanismList reports them. */
const CK_MECHANISM_TYPE *mechanism_list(CK_ULONG *length);

/* Those a key of this curve signs with (its CKA_ALLOWED_MECHANISMS). */
const CK_MECHANISM_TYPE *mechanism_list_for(enum key_curve curve, CK_ULONG *length);

/* CKR_MECHANISM_INVALID for mechanisms we do not have. */
CK_RV mechanism_info(CK_MECHANISM_TYPE type, CK_MECHANISM_INFO *info);

/* Is this mechanism (with these parameters) one we sign with? */
CK_RV mechanism_check(const CK_MECHANISM *mechanism);

/* CKR_KEY_TYPE_INCONSISTENT when a key of this curve does not sign with it. */
CK_RV mechanism_check_key(CK_MECHANISM_TYPE type, enum key_curve curve);

/* Collects the input of one signature until what the device signs is known. */
struct sign_input {
	CK_MECHANISM_TYPE type;
	void *hash;                     /* EVP_MD_CTX for the hashing mechanisms */
	uint8_t leading[EC_DIGEST_SIZE]; /* CKM_ECDSA: the first 32 bytes */
	size_t leading_length;
	uint8_t message[SIGN_MESSAGE_MAX]; /* CKM_EDDSA: the whole message */
	size_t message_length;
	size_t message_max;             /* what the device takes */
};

/* message_max: the longest message the device signs (CKM_EDDSA). */
CK_RV sign_input_begin(struct sign_input *input, CK_MECHANISM_TYPE type, size_t message_max);

/* More input; CKR_DATA_LEN_RANGE when a CKM_EDDSA message grows too long. */
CK_RV sign_input_update(struct sign_input *input, const uint8_t *data, size_t length);

/*
 * What the device signs, into challenge (SIGN_MESSAGE_MAX bytes of room):
 * the 32-byte digest, or the message. CKR_DATA_INVALID for an all-zero
 * digest (no device signs that).
 */
CK_RV sign_input_finish(struct sign_input *input, uint8_t *challenge, size_t *length);

/* Free what sign_input_begin allocated, and wipe the input; safe to call twice. */
void sign_input_end(struct sign_input *input);

#endif

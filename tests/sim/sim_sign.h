/*
 * ECDSA as the Trezor firmware does it: deterministic nonces (RFC 6979 with
 * HMAC-SHA-256) and low-S. OpenSSL 3.0 has no deterministic ECDSA, so the
 * nonce generation is written here on top of its big-number and point API.
 */
#ifndef TREZOR_SIM_SIGN_H
#define TREZOR_SIM_SIGN_H

#include <stdbool.h>
#include <stdint.h>

#include "sim_keys.h"

/*
 * Sign a 32-byte digest; signature = r || s. False on failure, including an
 * all-zero digest, which the firmware refuses to sign.
 */
bool sim_ecdsa_sign_digest(enum sim_curve curve, const uint8_t private_key[32],
			   const uint8_t digest[32], uint8_t signature[64]);

#endif

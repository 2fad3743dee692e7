/*
 * Signatures as the Trezor firmware makes them. ECDSA: deterministic nonces
 * (RFC 6979 with HMAC-SHA-256) and low-S, with the recovery id a Bitcoin
 * message signature carries; OpenSSL 3.0 has no deterministic ECDSA, so the
 * nonce generation is written here on top of its big-number and point API.
 * Ed25519: RFC 8032 through OpenSSL's EVP interface. And ECDH, for
 * GetECDHSessionKey.
 */
#ifndef TREZOR_SIM_SIGN_H
#define TREZOR_SIM_SIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_keys.h"

/*
 * Sign a 32-byte digest; signature = r || s. False on failure, including an
 * all-zero digest, which the firmware refuses to sign.
 */
bool sim_ecdsa_sign_digest(enum sim_curve curve, const uint8_t private_key[32],
			   const uint8_t digest[32], uint8_t signature[64]);

/*
 * The same, and the recovery id (0 to 3: bit 0 the parity of R's y after the
 * low-S flip, bit 1 set when R's x was at least n), which lets a verifier
 * recover the public key.
 */
bool sim_ecdsa_sign_recoverable(enum sim_curve curve, const uint8_t private_key[32],
				const uint8_t digest[32], uint8_t signature[64], int *recovery);

/*
 * ECDH: the point private_key * peer (33-byte compressed or 65-byte
 * uncompressed) as 04 || X || Y. False when peer is no point of the curve.
 */
bool sim_ecdh(enum sim_curve curve, const uint8_t private_key[32], const uint8_t *peer,
	      size_t peer_length, uint8_t shared[65]);

/* Ed25519 of the message as it is (RFC 8032, pure), with the 32-byte private key. */
bool sim_ed25519_sign(const uint8_t private_key[32], const uint8_t *message, size_t length,
		      uint8_t signature[64]);

#endif

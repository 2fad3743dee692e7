/*
 * NIST P-256 helpers on OpenSSL's libcrypto: the point formats Trezor and
 * PKCS#11 use, and ECDSA verification of what a device returns.
 */
#ifndef TREZOR_PKCS11_EC_H
#define TREZOR_PKCS11_EC_H

#include <stdbool.h>
#include <stdint.h>

#define EC_COMPRESSED_SIZE 33           /* 02|03 || X */
#define EC_UNCOMPRESSED_SIZE 65         /* 04 || X || Y */
#define EC_SIGNATURE_SIZE 64            /* r || s */
#define EC_DIGEST_SIZE 32

/*
 * Expand a compressed P-256 point. False when the bytes are not a point on
 * the curve (a device is never trusted to send one).
 */
bool ec_p256_decompress(const uint8_t compressed[EC_COMPRESSED_SIZE],
			uint8_t uncompressed[EC_UNCOMPRESSED_SIZE]);

/* The compressed form of an uncompressed point; false if it is not on the curve. */
bool ec_p256_compress(const uint8_t uncompressed[EC_UNCOMPRESSED_SIZE],
		      uint8_t compressed[EC_COMPRESSED_SIZE]);

/* True when a 32-byte big-endian number lies in [1, n-1], as r and s must. */
bool ec_p256_scalar_in_range(const uint8_t scalar[32]);

/*
 * True when r||s is a valid ECDSA signature of the 32-byte digest by the
 * public key. r and s must lie in [1, n-1].
 */
bool ec_p256_verify_digest(const uint8_t public_key[EC_UNCOMPRESSED_SIZE],
			   const uint8_t digest[EC_DIGEST_SIZE],
			   const uint8_t signature[EC_SIGNATURE_SIZE]);

#endif

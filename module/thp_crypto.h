/*
 * The cryptographic primitives of the Trezor Host Protocol (THP), on
 * OpenSSL's libcrypto: X25519, AES-256-GCM with THP's nonces, SHA-256 and
 * SHA-512, HMAC-SHA-256, the HKDF of the Noise framework, CRC-32, and the
 * CPace generator of code-entry pairing (Elligator 2 itself is in
 * elligator2.h, OpenSSL has none).
 *
 * Primitives only: the module's host side (thp_*.c) and the simulator's
 * device side (tests/sim/sim_thp*.c) share this file and nothing else of
 * THP, so that each is an independent reading of the specification
 * (docs/common/thp/specification.md in the firmware repository).
 */
#ifndef TREZOR_PKCS11_THP_CRYPTO_H
#define TREZOR_PKCS11_THP_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define THP_KEY_SIZE 32                 /* X25519 keys, AES-256 keys, SHA-256 */
#define THP_TAG_SIZE 16                 /* AES-GCM */
#define THP_HASH_SIZE 32
#define THP_SHA512_SIZE 64
#define THP_CODE_DIGITS 6               /* the code a person types when pairing */

/* A piece of a hash's input: hashes here are over several concatenated parts. */
struct thp_chunk {
	const void *data;
	size_t length;
};

/* Random bytes from OpenSSL's generator; false when it has none. */
bool thp_random(void *out, size_t length);

/* SHA-256 / SHA-512 of the chunks, concatenated. */
void thp_sha256(const struct thp_chunk *chunks, size_t count, uint8_t out[THP_HASH_SIZE]);
void thp_sha512(const struct thp_chunk *chunks, size_t count, uint8_t out[THP_SHA512_SIZE]);

void thp_hmac_sha256(const uint8_t *key, size_t key_length, const uint8_t *data,
		     size_t length, uint8_t out[THP_HASH_SIZE]);

/*
 * HKDF as Noise and THP define it (two outputs, the chaining key as the
 * salt): temp = HMAC(ck, input); out1 = HMAC(temp, 0x01);
 * out2 = HMAC(temp, out1 || 0x02).
 */
void thp_hkdf(const uint8_t ck[THP_HASH_SIZE], const uint8_t *input, size_t length,
	      uint8_t out1[THP_HASH_SIZE], uint8_t out2[THP_HASH_SIZE]);

/*
 * X25519 (RFC 7748): the private key is clamped, the top bit of the public
 * key ignored. False when the result is all zeros (a low-order point, which
 * both THP and CPace refuse) or libcrypto fails.
 */
bool thp_x25519(const uint8_t private_key[THP_KEY_SIZE], const uint8_t public_key[THP_KEY_SIZE],
		uint8_t shared[THP_KEY_SIZE]);

/* The public key of a private key (X25519 with the base point 9). */
bool thp_x25519_public(const uint8_t private_key[THP_KEY_SIZE],
		       uint8_t public_key[THP_KEY_SIZE]);

/* A fresh key pair. */
bool thp_x25519_generate(uint8_t private_key[THP_KEY_SIZE], uint8_t public_key[THP_KEY_SIZE]);

/*
 * AES-256-GCM with THP's 96-bit IV, four zero bytes and the 64-bit
 * big-endian counter. Encrypt writes length bytes and the 16-byte tag;
 * decrypt takes length bytes of which the last 16 are the tag, and writes
 * length - 16; false on a bad tag (nothing is then kept in out).
 */
bool thp_aesgcm_encrypt(const uint8_t key[THP_KEY_SIZE], uint64_t nonce, const uint8_t *ad,
			size_t ad_length, const uint8_t *plain, size_t length, uint8_t *out);
bool thp_aesgcm_decrypt(const uint8_t key[THP_KEY_SIZE], uint64_t nonce, const uint8_t *ad,
			size_t ad_length, const uint8_t *cipher, size_t length, uint8_t *out);

/* CRC-32 (IEEE 802.3, zlib's): start with 0, feed parts in order. */
uint32_t thp_crc32(uint32_t crc, const uint8_t *data, size_t length);

/*
 * CPace's generator (draft-irtf-cfrg-cpace, G_X25519): Elligator 2 of the
 * first 32 bytes of SHA-512 of the generator string
 *     lv("CPace255") lv(PRS) lv(zero padding) lv(CI) lv(SID)
 * (lv: a one-byte length, then the bytes; the padding fills the hash's
 * 128-byte block after the first two and its own length byte). THP's
 * code-entry pairing uses the six-digit code as PRS, the handshake hash as
 * CI and no SID. Each part is at most 127 bytes. False if one is longer.
 */
bool thp_cpace_generator(const uint8_t *prs, size_t prs_length, const uint8_t *ci,
			 size_t ci_length, const uint8_t *sid, size_t sid_length,
			 uint8_t generator[THP_KEY_SIZE]);

#endif

/* Deterministic low-S ECDSA. See sim_sign.h. */
#include "config.h"

#include "sim_sign.h"

#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/obj_mac.h>

/* RFC 6979 section 3.2 state: K and V, HMAC-SHA-256. */
struct rfc6979 {
	uint8_t k[32];
	uint8_t v[32];
};

static void hmac_kv(const uint8_t key[32], const uint8_t *a, size_t a_len, const uint8_t *b,
		    size_t b_len, uint8_t out[32])
{
	uint8_t data[32 + 1 + 64];
	unsigned int out_len = 0;

	memcpy(data, a, a_len);
	if (b_len > 0)
		memcpy(data + a_len, b, b_len);
	HMAC(EVP_sha256(), key, 32, data, a_len + b_len, out, &out_len);
	OPENSSL_cleanse(data, sizeof(data));
}

/* K = HMAC_K(V || marker || extra); V = HMAC_K(V) */
static void rfc6979_update(struct rfc6979 *state, uint8_t marker, const uint8_t *extra,
			   size_t extra_len)
{
	uint8_t tail[1 + 64], next[32];

	tail[0] = marker;
	if (extra_len > 0)
		memcpy(tail + 1, extra, extra_len);
	hmac_kv(state->k, state->v, 32, tail, 1 + extra_len, next);
	memcpy(state->k, next, 32);
	hmac_kv(state->k, state->v, 32, NULL, 0, next);
	memcpy(state->v, next, 32);
	OPENSSL_cleanse(tail, sizeof(tail));
	OPENSSL_cleanse(next, sizeof(next));
}

/* x || bits2octets(h1), with h1 reduced modulo n. */
static void rfc6979_init(struct rfc6979 *state, const uint8_t private_key[32],
			 const BIGNUM *digest, const BIGNUM *order, BN_CTX *ctx)
{
	uint8_t seed[64];
	BIGNUM *reduced = BN_new();

	memcpy(seed, private_key, 32);
	BN_nnmod(reduced, digest, order, ctx);
	BN_bn2binpad(reduced, seed + 32, 32);
	memset(state->k, 0x00, 32);
	memset(state->v, 0x01, 32);
	rfc6979_update(state, 0x00, seed, sizeof(seed));
	rfc6979_update(state, 0x01, seed, sizeof(seed));
	OPENSSL_cleanse(seed, sizeof(seed));
	BN_clear_free(reduced);
}

/* Next candidate k: V = HMAC_K(V), k = V; then K, V move on for any retry. */
static void rfc6979_next(struct rfc6979 *state, BIGNUM *k)
{
	uint8_t next[32];

	hmac_kv(state->k, state->v, 32, NULL, 0, next);
	memcpy(state->v, next, 32);
	BN_bin2bn(state->v, 32, k);
	rfc6979_update(state, 0x00, NULL, 0);
}

/*
 * r = (k*G).x mod n; s = k^-1 (z + r*d) mod n, then low-S; *recovery from
 * R = k*G (flipped with s). False to retry.
 */
static bool try_nonce(const EC_GROUP *group, const BIGNUM *order, const BIGNUM *k,
		      const BIGNUM *z, const BIGNUM *d, BIGNUM *r, BIGNUM *s, int *recovery,
		      BN_CTX *ctx)
{
	EC_POINT *point = EC_POINT_new(group);
	BIGNUM *x = BN_new(), *y = BN_new(), *k_inverse = BN_new(), *half = BN_new();
	bool ok = point != NULL && x != NULL && y != NULL && k_inverse != NULL && half != NULL &&
		  !BN_is_zero(k) && BN_cmp(k, order) < 0 &&
		  EC_POINT_mul(group, point, k, NULL, NULL, ctx) == 1 &&
		  EC_POINT_get_affine_coordinates(group, point, x, y, ctx) == 1 &&
		  BN_nnmod(r, x, order, ctx) == 1 && !BN_is_zero(r) &&
		  BN_mod_mul(s, r, d, order, ctx) == 1 && BN_mod_add(s, s, z, order, ctx) == 1 &&
		  BN_mod_inverse(k_inverse, k, order, ctx) != NULL &&
		  BN_mod_mul(s, s, k_inverse, order, ctx) == 1 && !BN_is_zero(s);

	*recovery = (BN_is_odd(y) ? 1 : 0) | (BN_cmp(x, order) >= 0 ? 2 : 0);
	if (ok && BN_rshift1(half, order) == 1 && BN_cmp(s, half) > 0) {
		ok = BN_sub(s, order, s) == 1;
		*recovery ^= 1;         /* -s belongs to the point -R */
	}
	EC_POINT_free(point);
	BN_free(x);
	BN_free(y);
	BN_clear_free(k_inverse);
	BN_free(half);
	return ok;
}

bool sim_ecdsa_sign_recoverable(enum sim_curve curve, const uint8_t private_key[32],
				const uint8_t digest[32], uint8_t signature[64], int *recovery)
{
	int nid = curve == SIM_CURVE_NIST256P1 ? NID_X9_62_prime256v1 : NID_secp256k1;
	EC_GROUP *group = EC_GROUP_new_by_curve_name(nid);
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *z = BN_bin2bn(digest, 32, NULL), *d = BN_bin2bn(private_key, 32, NULL);
	BIGNUM *k = BN_new(), *r = BN_new(), *s = BN_new();
	const BIGNUM *order = group != NULL ? EC_GROUP_get0_order(group) : NULL;
	struct rfc6979 state;
	bool ok = curve != SIM_CURVE_ED25519 && order != NULL && ctx != NULL && z != NULL &&
		  d != NULL && k != NULL && r != NULL && s != NULL && !BN_is_zero(z);
	int attempt;

	if (ok) {
		rfc6979_init(&state, private_key, z, order, ctx);
		ok = false;
		for (attempt = 0; attempt < 10000 && !ok; attempt++) {
			rfc6979_next(&state, k);
			ok = try_nonce(group, order, k, z, d, r, s, recovery, ctx);
		}
		OPENSSL_cleanse(&state, sizeof(state));
	}
	if (ok)
		ok = BN_bn2binpad(r, signature, 32) == 32 && BN_bn2binpad(s, signature + 32, 32) == 32;
	BN_clear_free(k);
	BN_clear_free(d);
	BN_free(z);
	BN_free(r);
	BN_free(s);
	BN_CTX_free(ctx);
	EC_GROUP_free(group);
	return ok;
}

bool sim_ecdsa_sign_digest(enum sim_curve curve, const uint8_t private_key[32],
			   const uint8_t digest[32], uint8_t signature[64])
{
	int recovery;

	return sim_ecdsa_sign_recoverable(curve, private_key, digest, signature, &recovery);
}

bool sim_ed25519_sign(const uint8_t private_key[32], const uint8_t *message, size_t length,
		      uint8_t signature[64])
{
	EVP_PKEY *key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, private_key, 32);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t signature_length = 64;
	bool ok = key != NULL && ctx != NULL &&
		  EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) == 1 &&
		  EVP_DigestSign(ctx, signature, &signature_length,
				 message != NULL ? message : (const uint8_t *)"", length) == 1 &&
		  signature_length == 64;

	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(key);
	return ok;
}

bool sim_ecdh(enum sim_curve curve, const uint8_t private_key[32], const uint8_t *peer,
	      size_t peer_length, uint8_t shared[65])
{
	int nid = curve == SIM_CURVE_NIST256P1 ? NID_X9_62_prime256v1 : NID_secp256k1;
	EC_GROUP *group = curve != SIM_CURVE_ED25519 ? EC_GROUP_new_by_curve_name(nid) : NULL;
	EC_POINT *point = group != NULL ? EC_POINT_new(group) : NULL;
	EC_POINT *product = group != NULL ? EC_POINT_new(group) : NULL;
	BIGNUM *k = BN_bin2bn(private_key, 32, NULL);
	BN_CTX *ctx = BN_CTX_new();
	bool ok = point != NULL && product != NULL && k != NULL && ctx != NULL &&
		  (peer_length == 33 || peer_length == 65) &&
		  EC_POINT_oct2point(group, point, peer, peer_length, ctx) == 1 &&
		  EC_POINT_mul(group, product, NULL, point, k, ctx) == 1 &&
		  EC_POINT_point2oct(group, product, POINT_CONVERSION_UNCOMPRESSED, shared, 65,
				     ctx) == 65;

	BN_clear_free(k);
	EC_POINT_clear_free(product);
	EC_POINT_free(point);
	BN_CTX_free(ctx);
	EC_GROUP_free(group);
	return ok;
}

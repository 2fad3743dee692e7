/* BIP-39, SLIP-0010 and SLIP-0013 for the simulator. See sim_keys.h. */
#include "config.h"

#include "sim_keys.h"

#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/obj_mac.h>

#include "sim_bitcoin.h"

#define HARDENED_BIT 0x80000000u

static int curve_nid(enum sim_curve curve)
{
	return curve == SIM_CURVE_NIST256P1 ? NID_X9_62_prime256v1 : NID_secp256k1;
}

/* SLIP-0010's HMAC key for the master node. */
static const char *curve_seed_key(enum sim_curve curve)
{
	switch (curve) {
	case SIM_CURVE_NIST256P1: return "Nist256p1 seed";
	case SIM_CURVE_ED25519: return "ed25519 seed";
	default: return "Bitcoin seed";
	}
}

bool sim_curve_from_name(const char *name, enum sim_curve *curve)
{
	if (strcmp(name, "nist256p1") == 0)
		*curve = SIM_CURVE_NIST256P1;
	else if (strcmp(name, "secp256k1") == 0)
		*curve = SIM_CURVE_SECP256K1;
	else if (strcmp(name, "ed25519") == 0)
		*curve = SIM_CURVE_ED25519;
	else
		return false;
	return true;
}

bool sim_bip39_seed(const char *mnemonic, const char *passphrase, uint8_t seed[SIM_SEED_SIZE])
{
	char salt[8 + 256 + 1];

	if (strlen(passphrase) > 256)
		return false;
	snprintf(salt, sizeof(salt), "mnemonic%s", passphrase);
	return PKCS5_PBKDF2_HMAC(mnemonic, (int)strlen(mnemonic), (const unsigned char *)salt,
				 (int)strlen(salt), 2048, EVP_sha512(), SIM_SEED_SIZE, seed) == 1;
}

static bool hmac_sha512(const uint8_t *key, size_t key_len, const uint8_t *data, size_t data_len,
			uint8_t out[64])
{
	unsigned int out_len = 0;

	return HMAC(EVP_sha512(), key, (int)key_len, data, data_len, out, &out_len) != NULL &&
	       out_len == 64;
}

/* 00 || the Ed25519 public key of a 32-byte private key (RFC 8032). */
static bool ed25519_public(const uint8_t private_key[32], uint8_t public_key[33])
{
	EVP_PKEY *key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, private_key, 32);
	size_t length = 32;
	bool ok = key != NULL && EVP_PKEY_get_raw_public_key(key, public_key + 1, &length) == 1 &&
		  length == 32;

	public_key[0] = 0x00;
	EVP_PKEY_free(key);
	return ok;
}

/* Compressed public point of a private scalar. */
static bool ec_public(enum sim_curve curve, const uint8_t private_key[32],
		      uint8_t public_key[33])
{
	EC_GROUP *group = EC_GROUP_new_by_curve_name(curve_nid(curve));
	EC_POINT *point = group != NULL ? EC_POINT_new(group) : NULL;
	BIGNUM *k = BN_bin2bn(private_key, 32, NULL);
	bool ok = point != NULL && k != NULL &&
		  EC_POINT_mul(group, point, k, NULL, NULL, NULL) == 1 &&
		  EC_POINT_point2oct(group, point, POINT_CONVERSION_COMPRESSED, public_key, 33,
				     NULL) == 33;

	BN_clear_free(k);
	EC_POINT_free(point);
	EC_GROUP_free(group);
	return ok;
}

bool sim_public_key(enum sim_curve curve, const uint8_t private_key[32], uint8_t public_key[33])
{
	if (curve == SIM_CURVE_ED25519)
		return ed25519_public(private_key, public_key);
	return ec_public(curve, private_key, public_key);
}

/* The curve order n as a fresh BIGNUM. */
static BIGNUM *curve_order(enum sim_curve curve)
{
	EC_GROUP *group = EC_GROUP_new_by_curve_name(curve_nid(curve));
	BIGNUM *order = group != NULL ? BN_dup(EC_GROUP_get0_order(group)) : NULL;

	EC_GROUP_free(group);
	return order;
}

static bool below_order_and_nonzero(const uint8_t bytes[32], const BIGNUM *order)
{
	BIGNUM *value = BN_bin2bn(bytes, 32, NULL);
	bool ok = value != NULL && !BN_is_zero(value) && BN_cmp(value, order) < 0;

	BN_clear_free(value);
	return ok;
}

/* Is IL a private key of the curve? Any 32 bytes are one for ed25519. */
static bool usable_key(enum sim_curve curve, const uint8_t il[32], const BIGNUM *order)
{
	return curve == SIM_CURVE_ED25519 || below_order_and_nonzero(il, order);
}

bool sim_slip10_master(enum sim_curve curve, const uint8_t *seed, size_t seed_len,
		       struct sim_node *master)
{
	const char *key = curve_seed_key(curve);
	BIGNUM *order = curve == SIM_CURVE_ED25519 ? NULL : curve_order(curve);
	uint8_t i[64];
	bool ok = (order != NULL || curve == SIM_CURVE_ED25519) &&
		  hmac_sha512((const uint8_t *)key, strlen(key), seed, seed_len, i);

	/* IL = 0 or IL >= n: derive again with I as the data. */
	while (ok && !usable_key(curve, i, order)) {
		uint8_t again[64];

		ok = hmac_sha512((const uint8_t *)key, strlen(key), i, sizeof(i), again);
		memcpy(i, again, sizeof(i));
		OPENSSL_cleanse(again, sizeof(again));
	}
	memset(master, 0, sizeof(*master));
	if (ok) {
		memcpy(master->private_key, i, 32);
		memcpy(master->chain_code, i + 32, 32);
		ok = sim_public_key(curve, master->private_key, master->public_key);
	}
	OPENSSL_cleanse(i, sizeof(i));
	BN_free(order);
	return ok;
}

uint32_t sim_key_fingerprint(const uint8_t public_key[33])
{
	uint8_t hash[20];

	sim_hash160(public_key, 33, hash);
	return (uint32_t)hash[0] << 24 | (uint32_t)hash[1] << 16 | (uint32_t)hash[2] << 8 | hash[3];
}

/* child = (IL + k) mod n; false when IL >= n or the sum is 0 (SLIP-0010 retry). */
static bool add_tweak(const uint8_t il[32], const uint8_t parent[32], const BIGNUM *order,
		      uint8_t child[32], bool *usable)
{
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *tweak = BN_bin2bn(il, 32, NULL);
	BIGNUM *key = BN_bin2bn(parent, 32, NULL);
	BIGNUM *sum = BN_new();
	bool ok = ctx != NULL && tweak != NULL && key != NULL && sum != NULL;

	*usable = false;
	if (ok && BN_cmp(tweak, order) < 0) {
		ok = BN_mod_add(sum, tweak, key, order, ctx) == 1;
		*usable = ok && !BN_is_zero(sum);
		if (*usable)
			ok = BN_bn2binpad(sum, child, 32) == 32;
	}
	BN_clear_free(tweak);
	BN_clear_free(key);
	BN_clear_free(sum);
	BN_CTX_free(ctx);
	return ok;
}

/* An ed25519 child: IL is the key as it is, no retries (SLIP-0010). */
static bool ed25519_child(const struct sim_node *parent, uint32_t index, uint8_t i[64])
{
	uint8_t data[37];
	bool ok;

	data[0] = 0x00;
	memcpy(data + 1, parent->private_key, 32);
	data[33] = (uint8_t)(index >> 24);
	data[34] = (uint8_t)(index >> 16);
	data[35] = (uint8_t)(index >> 8);
	data[36] = (uint8_t)index;
	ok = hmac_sha512(parent->chain_code, 32, data, sizeof(data), i);
	OPENSSL_cleanse(data, sizeof(data));
	return ok;
}

/* I of a secp256k1 or nist256p1 child, with the retries; IL is the child's key. */
static bool ec_child(enum sim_curve curve, const struct sim_node *parent, uint32_t index,
		     uint8_t i[64], uint8_t child_key[32])
{
	BIGNUM *order = curve_order(curve);
	uint8_t data[37];
	bool usable = false, ok = order != NULL;

	/* Hardened: 00 || k || i. Normal: compressed point || i. */
	if (index & HARDENED_BIT) {
		data[0] = 0x00;
		memcpy(data + 1, parent->private_key, 32);
	} else {
		memcpy(data, parent->public_key, 33);
	}
	while (ok && !usable) {
		data[33] = (uint8_t)(index >> 24);
		data[34] = (uint8_t)(index >> 16);
		data[35] = (uint8_t)(index >> 8);
		data[36] = (uint8_t)index;
		ok = hmac_sha512(parent->chain_code, 32, data, sizeof(data), i) &&
		     add_tweak(i, parent->private_key, order, child_key, &usable);
		/* Retry with 01 || IR || i. */
		data[0] = 0x01;
		memcpy(data + 1, i + 32, 32);
	}
	OPENSSL_cleanse(data, sizeof(data));
	BN_free(order);
	return ok;
}

bool sim_slip10_child(enum sim_curve curve, const struct sim_node *parent, uint32_t index,
		      struct sim_node *child)
{
	uint8_t i[64];
	bool ok;

	memset(child, 0, sizeof(*child));
	if (curve == SIM_CURVE_ED25519) {
		ok = (index & HARDENED_BIT) != 0 && ed25519_child(parent, index, i);
		if (ok)
			memcpy(child->private_key, i, 32);
	} else {
		ok = ec_child(curve, parent, index, i, child->private_key);
	}
	if (ok) {
		memcpy(child->chain_code, i + 32, 32);
		child->depth = parent->depth + 1;
		child->child_num = index;
		child->fingerprint = sim_key_fingerprint(parent->public_key);
		ok = sim_public_key(curve, child->private_key, child->public_key);
	}
	OPENSSL_cleanse(i, sizeof(i));
	if (!ok)
		OPENSSL_cleanse(child, sizeof(*child));
	return ok;
}

bool sim_slip10_derive(enum sim_curve curve, const uint8_t *seed, size_t seed_len,
		       const uint32_t *path, size_t depth, struct sim_node *node)
{
	struct sim_node parent;
	size_t level;
	bool ok = sim_slip10_master(curve, seed, seed_len, node);

	for (level = 0; ok && level < depth; level++) {
		parent = *node;
		ok = sim_slip10_child(curve, &parent, path[level], node);
	}
	OPENSSL_cleanse(&parent, sizeof(parent));
	return ok;
}

bool sim_node_xpub(const struct sim_node *node, uint32_t version, char *out, size_t size)
{
	uint8_t raw[78], *p = raw;

	*p++ = (uint8_t)(version >> 24); *p++ = (uint8_t)(version >> 16);
	*p++ = (uint8_t)(version >> 8); *p++ = (uint8_t)version;
	*p++ = (uint8_t)node->depth;
	*p++ = (uint8_t)(node->fingerprint >> 24); *p++ = (uint8_t)(node->fingerprint >> 16);
	*p++ = (uint8_t)(node->fingerprint >> 8); *p++ = (uint8_t)node->fingerprint;
	*p++ = (uint8_t)(node->child_num >> 24); *p++ = (uint8_t)(node->child_num >> 16);
	*p++ = (uint8_t)(node->child_num >> 8); *p++ = (uint8_t)node->child_num;
	memcpy(p, node->chain_code, 32);
	p += 32;
	memcpy(p, node->public_key, 33);
	return sim_base58check(raw, sizeof(raw), out, size);
}

static void append_part(EVP_MD_CTX *ctx, const char *before, const char *part, const char *after)
{
	if (part == NULL || part[0] == '\0')
		return;
	EVP_DigestUpdate(ctx, before, strlen(before));
	EVP_DigestUpdate(ctx, part, strlen(part));
	EVP_DigestUpdate(ctx, after, strlen(after));
}

void sim_slip13_path(const char *proto, const char *user, const char *host,
		     const char *port, const char *path, uint32_t index, uint32_t out[5])
{
	uint8_t le[4] = { (uint8_t)index, (uint8_t)(index >> 8), (uint8_t)(index >> 16),
			  (uint8_t)(index >> 24) };
	uint8_t hash[32] = { 0 };
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int i;

	if (ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1) {
		EVP_DigestUpdate(ctx, le, sizeof(le));
		append_part(ctx, "", proto, "://");
		append_part(ctx, "", user, "@");
		append_part(ctx, "", host, "");
		append_part(ctx, ":", port, "");
		append_part(ctx, "", path, "");
		EVP_DigestFinal_ex(ctx, hash, NULL);
	}
	EVP_MD_CTX_free(ctx);
	out[0] = HARDENED_BIT | 13;
	for (i = 0; i < 4; i++)
		out[i + 1] = HARDENED_BIT | ((uint32_t)hash[4 * i] | (uint32_t)hash[4 * i + 1] << 8 |
					     (uint32_t)hash[4 * i + 2] << 16 |
					     (uint32_t)hash[4 * i + 3] << 24);
}

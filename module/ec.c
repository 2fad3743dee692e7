/* P-256 point formats and ECDSA verification. See ec.h. */
#include "config.h"

#include "ec.h"

#include <pthread.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/params.h>

/*
 * One P-256 group for the whole process: building it costs more than using
 * it (reading a key cache of a thousand entries checks a thousand points),
 * and OpenSSL lets threads share a group they only read.
 */
static EC_GROUP *shared_group;
static pthread_once_t group_once = PTHREAD_ONCE_INIT;

static void make_group(void)
{
	shared_group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
}

static const EC_GROUP *p256(void)
{
	pthread_once(&group_once, make_group);
	return shared_group;
}

/* When the module is unloaded (dlclose), or the program ends. */
__attribute__((destructor)) static void free_group(void)
{
	EC_GROUP_free(shared_group);
	shared_group = NULL;
}

/* Convert between point encodings; OpenSSL checks the point is on the curve. */
static bool convert_point(const uint8_t *in, size_t in_len, point_conversion_form_t form,
			  uint8_t *out, size_t out_len)
{
	const EC_GROUP *group = p256();
	EC_POINT *point = group != NULL ? EC_POINT_new(group) : NULL;
	bool ok = false;

	if (point != NULL && EC_POINT_oct2point(group, point, in, in_len, NULL) == 1 &&
	    EC_POINT_point2oct(group, point, form, out, out_len, NULL) == out_len)
		ok = true;
	EC_POINT_free(point);
	return ok;
}

bool ec_p256_decompress(const uint8_t compressed[EC_COMPRESSED_SIZE],
			uint8_t uncompressed[EC_UNCOMPRESSED_SIZE])
{
	if (compressed[0] != 0x02 && compressed[0] != 0x03)
		return false;
	return convert_point(compressed, EC_COMPRESSED_SIZE, POINT_CONVERSION_UNCOMPRESSED,
			     uncompressed, EC_UNCOMPRESSED_SIZE);
}

bool ec_p256_compress(const uint8_t uncompressed[EC_UNCOMPRESSED_SIZE],
		      uint8_t compressed[EC_COMPRESSED_SIZE])
{
	if (uncompressed[0] != 0x04)
		return false;
	return convert_point(uncompressed, EC_UNCOMPRESSED_SIZE, POINT_CONVERSION_COMPRESSED,
			     compressed, EC_COMPRESSED_SIZE);
}

/* n, the order of the P-256 group, big-endian. */
static const uint8_t group_order[32] = {
	0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84,
	0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
};

bool ec_p256_scalar_in_range(const uint8_t scalar[32])
{
	static const uint8_t zero[32];

	/* Both are 32 bytes big-endian, so memcmp orders them as numbers. */
	return memcmp(scalar, zero, 32) != 0 && memcmp(scalar, group_order, 32) < 0;
}

static EVP_PKEY *public_key_from_point(const uint8_t point[EC_UNCOMPRESSED_SIZE])
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	EVP_PKEY *key = NULL;
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0),
		OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)point,
						  EC_UNCOMPRESSED_SIZE),
		OSSL_PARAM_construct_end(),
	};

	if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1)
		key = NULL;
	EVP_PKEY_CTX_free(ctx);
	return key;
}

/* r||s -> DER ECDSA-Sig-Value, as EVP_PKEY_verify wants it. */
static int signature_to_der(const uint8_t signature[EC_SIGNATURE_SIZE], unsigned char **der)
{
	ECDSA_SIG *sig = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(signature, 32, NULL);
	BIGNUM *s = BN_bin2bn(signature + 32, 32, NULL);
	int length = -1;

	if (sig != NULL && r != NULL && s != NULL && ECDSA_SIG_set0(sig, r, s) == 1) {
		r = s = NULL;   /* now owned by sig */
		length = i2d_ECDSA_SIG(sig, der);
	}
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(sig);
	return length;
}

bool ec_p256_verify_digest(const uint8_t public_key[EC_UNCOMPRESSED_SIZE],
			   const uint8_t digest[EC_DIGEST_SIZE],
			   const uint8_t signature[EC_SIGNATURE_SIZE])
{
	EVP_PKEY *key = public_key_from_point(public_key);
	EVP_PKEY_CTX *ctx = key != NULL ? EVP_PKEY_CTX_new(key, NULL) : NULL;
	unsigned char *der = NULL;
	int der_len = signature_to_der(signature, &der);
	bool valid = false;

	if (ctx != NULL && der_len > 0 && EVP_PKEY_verify_init(ctx) == 1)
		valid = EVP_PKEY_verify(ctx, der, (size_t)der_len, digest, EC_DIGEST_SIZE) == 1;
	OPENSSL_free(der);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(key);
	return valid;
}

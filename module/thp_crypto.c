/* THP's cryptographic primitives on libcrypto. See thp_crypto.h. */
#include "config.h"

#include "thp_crypto.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "elligator2.h"

#define GCM_IV_SIZE 12
#define CPACE_BLOCK 128                 /* SHA-512's block: the padding fills it */
#define CPACE_PART_MAX 127              /* a one-byte length, as THP uses it */

bool thp_random(void *out, size_t length)
{
	return length <= (size_t)INT32_MAX && RAND_bytes(out, (int)length) == 1;
}

static void digest_chunks(const EVP_MD *md, const struct thp_chunk *chunks, size_t count,
			  uint8_t *out)
{
	EVP_MD_CTX *context = EVP_MD_CTX_new();
	bool ok = context != NULL && EVP_DigestInit_ex(context, md, NULL) == 1;
	size_t i;

	for (i = 0; ok && i < count; i++)
		ok = EVP_DigestUpdate(context, chunks[i].data, chunks[i].length) == 1;
	/* libcrypto fails here only without memory: a zero hash then matches nothing. */
	if (!ok || EVP_DigestFinal_ex(context, out, NULL) != 1)
		memset(out, 0, (size_t)EVP_MD_get_size(md));
	EVP_MD_CTX_free(context);
}

void thp_sha256(const struct thp_chunk *chunks, size_t count, uint8_t out[THP_HASH_SIZE])
{
	digest_chunks(EVP_sha256(), chunks, count, out);
}

void thp_sha512(const struct thp_chunk *chunks, size_t count, uint8_t out[THP_SHA512_SIZE])
{
	digest_chunks(EVP_sha512(), chunks, count, out);
}

void thp_hmac_sha256(const uint8_t *key, size_t key_length, const uint8_t *data,
		     size_t length, uint8_t out[THP_HASH_SIZE])
{
	unsigned int written = 0;

	if (HMAC(EVP_sha256(), key, (int)key_length, data, length, out, &written) == NULL ||
	    written != THP_HASH_SIZE)
		memset(out, 0, THP_HASH_SIZE);
}

void thp_hkdf(const uint8_t ck[THP_HASH_SIZE], const uint8_t *input, size_t length,
	      uint8_t out1[THP_HASH_SIZE], uint8_t out2[THP_HASH_SIZE])
{
	uint8_t temp[THP_HASH_SIZE], second[THP_HASH_SIZE + 1];
	static const uint8_t one = 0x01;

	thp_hmac_sha256(ck, THP_HASH_SIZE, input, length, temp);
	thp_hmac_sha256(temp, sizeof(temp), &one, 1, out1);
	memcpy(second, out1, THP_HASH_SIZE);
	second[THP_HASH_SIZE] = 0x02;
	thp_hmac_sha256(temp, sizeof(temp), second, sizeof(second), out2);
	OPENSSL_cleanse(temp, sizeof(temp));
	OPENSSL_cleanse(second, sizeof(second));
}

/* ---- X25519 -------------------------------------------------------------------- */

bool thp_x25519(const uint8_t private_key[THP_KEY_SIZE], const uint8_t public_key[THP_KEY_SIZE],
		uint8_t shared[THP_KEY_SIZE])
{
	EVP_PKEY *mine = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, private_key,
						      THP_KEY_SIZE);
	EVP_PKEY *theirs = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, public_key,
						       THP_KEY_SIZE);
	EVP_PKEY_CTX *context = mine != NULL ? EVP_PKEY_CTX_new(mine, NULL) : NULL;
	size_t length = THP_KEY_SIZE;
	bool ok;

	/* libcrypto refuses an all-zero result (RFC 7748 section 6.1): a low-order point. */
	ok = context != NULL && theirs != NULL && EVP_PKEY_derive_init(context) == 1 &&
	     EVP_PKEY_derive_set_peer(context, theirs) == 1 &&
	     EVP_PKEY_derive(context, shared, &length) == 1 && length == THP_KEY_SIZE;
	if (!ok)
		memset(shared, 0, THP_KEY_SIZE);
	EVP_PKEY_CTX_free(context);
	EVP_PKEY_free(theirs);
	EVP_PKEY_free(mine);
	return ok;
}

bool thp_x25519_public(const uint8_t private_key[THP_KEY_SIZE],
		       uint8_t public_key[THP_KEY_SIZE])
{
	EVP_PKEY *key = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, private_key,
						     THP_KEY_SIZE);
	size_t length = THP_KEY_SIZE;
	bool ok = key != NULL && EVP_PKEY_get_raw_public_key(key, public_key, &length) == 1 &&
		  length == THP_KEY_SIZE;

	EVP_PKEY_free(key);
	return ok;
}

bool thp_x25519_generate(uint8_t private_key[THP_KEY_SIZE], uint8_t public_key[THP_KEY_SIZE])
{
	return thp_random(private_key, THP_KEY_SIZE) &&
	       thp_x25519_public(private_key, public_key);
}

/* ---- AES-256-GCM ------------------------------------------------------------------ */

static void make_iv(uint64_t nonce, uint8_t iv[GCM_IV_SIZE])
{
	int i;

	memset(iv, 0, 4);
	for (i = 0; i < 8; i++)
		iv[4 + i] = (uint8_t)(nonce >> (56 - 8 * i));
}

/* Both directions: the cipher set up with key and IV, the AD fed. */
static EVP_CIPHER_CTX *gcm_start(bool encrypt, const uint8_t key[THP_KEY_SIZE], uint64_t nonce,
				 const uint8_t *ad, size_t ad_length)
{
	EVP_CIPHER_CTX *context = EVP_CIPHER_CTX_new();
	uint8_t iv[GCM_IV_SIZE];
	int written;
	bool ok;

	make_iv(nonce, iv);
	ok = context != NULL && ad_length <= INT32_MAX &&
	     EVP_CipherInit_ex(context, EVP_aes_256_gcm(), NULL, key, iv, encrypt ? 1 : 0) == 1 &&
	     (ad_length == 0 ||
	      EVP_CipherUpdate(context, NULL, &written, ad, (int)ad_length) == 1);
	if (!ok) {
		EVP_CIPHER_CTX_free(context);
		return NULL;
	}
	return context;
}

bool thp_aesgcm_encrypt(const uint8_t key[THP_KEY_SIZE], uint64_t nonce, const uint8_t *ad,
			size_t ad_length, const uint8_t *plain, size_t length, uint8_t *out)
{
	EVP_CIPHER_CTX *context = gcm_start(true, key, nonce, ad, ad_length);
	int written = 0, final = 0;
	bool ok;

	ok = context != NULL && length <= INT32_MAX &&
	     (length == 0 || EVP_EncryptUpdate(context, out, &written, plain, (int)length) == 1) &&
	     EVP_EncryptFinal_ex(context, out + written, &final) == 1 &&
	     (size_t)(written + final) == length &&
	     EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, THP_TAG_SIZE, out + length) == 1;
	EVP_CIPHER_CTX_free(context);
	return ok;
}

bool thp_aesgcm_decrypt(const uint8_t key[THP_KEY_SIZE], uint64_t nonce, const uint8_t *ad,
			size_t ad_length, const uint8_t *cipher, size_t length, uint8_t *out)
{
	EVP_CIPHER_CTX *context;
	uint8_t tag[THP_TAG_SIZE];
	size_t plain;
	int written = 0, final = 0;
	bool ok;

	if (length < THP_TAG_SIZE || length - THP_TAG_SIZE > INT32_MAX)
		return false;
	plain = length - THP_TAG_SIZE;
	memcpy(tag, cipher + plain, THP_TAG_SIZE);
	context = gcm_start(false, key, nonce, ad, ad_length);
	ok = context != NULL &&
	     (plain == 0 || EVP_DecryptUpdate(context, out, &written, cipher, (int)plain) == 1) &&
	     EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, THP_TAG_SIZE, tag) == 1 &&
	     EVP_DecryptFinal_ex(context, out + written, &final) == 1;
	EVP_CIPHER_CTX_free(context);
	if (!ok && plain > 0)
		OPENSSL_cleanse(out, plain);    /* unauthenticated bytes are never handed on */
	return ok;
}

/* ---- CRC-32 ----------------------------------------------------------------------- */

uint32_t thp_crc32(uint32_t crc, const uint8_t *data, size_t length)
{
	size_t i;
	int bit;

	/* Bit by bit: THP's messages are short, a table would buy nothing. */
	crc = ~crc;
	for (i = 0; i < length; i++) {
		crc ^= data[i];
		for (bit = 0; bit < 8; bit++)
			crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
	}
	return ~crc;
}

/* ---- CPace ---------------------------------------------------------------------------- */

static size_t put_lv(uint8_t *out, const uint8_t *data, size_t length)
{
	out[0] = (uint8_t)length;
	if (length > 0)
		memcpy(out + 1, data, length);
	return 1 + length;
}

bool thp_cpace_generator(const uint8_t *prs, size_t prs_length, const uint8_t *ci,
			 size_t ci_length, const uint8_t *sid, size_t sid_length,
			 uint8_t generator[THP_KEY_SIZE])
{
	static const uint8_t dsi[] = "CPace255";
	/* lv(DSI) 9, lv(PRS) and lv(CI) and lv(SID) at most 128 each, lv(padding) at most 118 */
	uint8_t string[512], zeros[CPACE_BLOCK] = { 0 };
	uint8_t hash[THP_SHA512_SIZE];
	size_t length = 0, used, padding;
	struct thp_chunk chunk;

	if (prs_length > CPACE_PART_MAX || ci_length > CPACE_PART_MAX ||
	    sid_length > CPACE_PART_MAX)
		return false;
	length += put_lv(string + length, dsi, sizeof(dsi) - 1);
	length += put_lv(string + length, prs, prs_length);
	used = length + 1;              /* and the padding's own length byte */
	padding = used < CPACE_BLOCK ? CPACE_BLOCK - used : 0;
	length += put_lv(string + length, zeros, padding);
	length += put_lv(string + length, ci, ci_length);
	length += put_lv(string + length, sid, sid_length);
	chunk.data = string;
	chunk.length = length;
	thp_sha512(&chunk, 1, hash);
	elligator2_map(hash, generator);
	OPENSSL_cleanse(string, sizeof(string));        /* it holds the code */
	OPENSSL_cleanse(hash, sizeof(hash));
	return true;
}

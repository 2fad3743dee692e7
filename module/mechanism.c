/* Signing mechanisms and their input. See mechanism.h. */
#include "config.h"

#include "mechanism.h"

#include <string.h>

#include <openssl/evp.h>

#include "log.h"

static const CK_MECHANISM_TYPE mechanisms[] = {
	CKM_ECDSA,
	CKM_ECDSA_SHA256,
	CKM_ECDSA_SHA384,
	CKM_ECDSA_SHA512,
};

#define MECHANISM_COUNT (sizeof(mechanisms) / sizeof(mechanisms[0]))

const CK_MECHANISM_TYPE *mechanism_list(CK_ULONG *length)
{
	*length = MECHANISM_COUNT;
	return mechanisms;
}

static bool is_ours(CK_MECHANISM_TYPE type)
{
	size_t i;

	for (i = 0; i < MECHANISM_COUNT; i++)
		if (mechanisms[i] == type)
			return true;
	return false;
}

CK_RV mechanism_info(CK_MECHANISM_TYPE type, CK_MECHANISM_INFO *info)
{
	if (!is_ours(type))
		return CKR_MECHANISM_INVALID;
	/* P-256 only, named curve, uncompressed points; signing by the device. */
	info->ulMinKeySize = 256;
	info->ulMaxKeySize = 256;
	info->flags = CKF_HW | CKF_SIGN | CKF_EC_F_P | CKF_EC_NAMEDCURVE | CKF_EC_UNCOMPRESS;
	return CKR_OK;
}

CK_RV mechanism_check(const CK_MECHANISM *mechanism)
{
	if (!is_ours(mechanism->mechanism))
		return CKR_MECHANISM_INVALID;
	if (mechanism->pParameter != NULL || mechanism->ulParameterLen != 0)
		return CKR_MECHANISM_PARAM_INVALID;
	return CKR_OK;
}

static const EVP_MD *hash_of(CK_MECHANISM_TYPE type)
{
	switch (type) {
	case CKM_ECDSA_SHA256: return EVP_sha256();
	case CKM_ECDSA_SHA384: return EVP_sha384();
	case CKM_ECDSA_SHA512: return EVP_sha512();
	default: return NULL;
	}
}

CK_RV digest_begin(struct digest_input *input, CK_MECHANISM_TYPE type)
{
	const EVP_MD *md = hash_of(type);

	memset(input, 0, sizeof(*input));
	input->type = type;
	if (md == NULL)
		return CKR_OK;
	input->hash = EVP_MD_CTX_new();
	if (input->hash == NULL)
		return CKR_HOST_MEMORY;
	if (EVP_DigestInit_ex(input->hash, md, NULL) != 1) {
		digest_end(input);
		return CKR_GENERAL_ERROR;
	}
	return CKR_OK;
}

CK_RV digest_update(struct digest_input *input, const uint8_t *data, size_t length)
{
	size_t take;

	if (input->hash != NULL)
		return EVP_DigestUpdate(input->hash, data, length) == 1 ? CKR_OK : CKR_GENERAL_ERROR;
	/* Raw ECDSA uses only the leftmost 32 bytes of its input. */
	take = EC_DIGEST_SIZE - input->leading_length;
	if (take > length)
		take = length;
	memcpy(input->leading + input->leading_length, data, take);
	input->leading_length += take;
	return CKR_OK;
}

static bool all_zero(const uint8_t *bytes, size_t length)
{
	uint8_t any = 0;
	size_t i;

	for (i = 0; i < length; i++)
		any |= bytes[i];
	return any == 0;
}

CK_RV digest_finish(struct digest_input *input, uint8_t digest[EC_DIGEST_SIZE])
{
	uint8_t hash[EVP_MAX_MD_SIZE];
	unsigned int hash_length = 0;

	if (input->hash != NULL) {
		if (EVP_DigestFinal_ex(input->hash, hash, &hash_length) != 1)
			return CKR_GENERAL_ERROR;
		memcpy(digest, hash, EC_DIGEST_SIZE);   /* SHA-384/512: leftmost 32 */
	} else {
		size_t pad = EC_DIGEST_SIZE - input->leading_length;

		memset(digest, 0, pad);
		memcpy(digest + pad, input->leading, input->leading_length);
	}
	if (all_zero(digest, EC_DIGEST_SIZE)) {
		log_error("cannot sign an all-zero digest: a Trezor refuses it");
		return CKR_DATA_INVALID;
	}
	return CKR_OK;
}

void digest_end(struct digest_input *input)
{
	EVP_MD_CTX_free(input->hash);
	input->hash = NULL;
}

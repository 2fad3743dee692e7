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
	CKM_EDDSA,
};

#define MECHANISM_COUNT (sizeof(mechanisms) / sizeof(mechanisms[0]))
#define ECDSA_MECHANISMS 4      /* the first ones: P-256 keys sign with these */

const CK_MECHANISM_TYPE *mechanism_list(CK_ULONG *length)
{
	*length = MECHANISM_COUNT;
	return mechanisms;
}

const CK_MECHANISM_TYPE *mechanism_list_for(enum key_curve curve, CK_ULONG *length)
{
	if (curve == KEY_CURVE_ED25519) {
		*length = 1;
		return mechanisms + ECDSA_MECHANISMS;
	}
	*length = ECDSA_MECHANISMS;
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
	/* 256-bit curves only, signing by the device; P-256 as a named curve,
	 * with uncompressed points. */
	info->ulMinKeySize = 256;
	info->ulMaxKeySize = 256;
	info->flags = CKF_HW | CKF_SIGN;
	if (type != CKM_EDDSA)
		info->flags |= CKF_EC_F_P | CKF_EC_NAMEDCURVE | CKF_EC_UNCOMPRESS;
	return CKR_OK;
}

CK_RV mechanism_check(const CK_MECHANISM *mechanism)
{
	if (!is_ours(mechanism->mechanism))
		return CKR_MECHANISM_INVALID;
	/* CKM_EDDSA's optional CK_EDDSA_PARAMS choose Ed25519ctx or Ed25519ph,
	 * which a Trezor does not make: only pure Ed25519, without them. */
	if (mechanism->pParameter != NULL || mechanism->ulParameterLen != 0)
		return CKR_MECHANISM_PARAM_INVALID;
	return CKR_OK;
}

CK_RV mechanism_check_key(CK_MECHANISM_TYPE type, enum key_curve curve)
{
	bool eddsa = type == CKM_EDDSA;

	return eddsa == (curve == KEY_CURVE_ED25519) ? CKR_OK : CKR_KEY_TYPE_INCONSISTENT;
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

CK_RV sign_input_begin(struct sign_input *input, CK_MECHANISM_TYPE type, size_t message_max)
{
	const EVP_MD *md = hash_of(type);

	memset(input, 0, sizeof(*input));
	input->type = type;
	input->message_max = message_max < SIGN_MESSAGE_MAX ? message_max : SIGN_MESSAGE_MAX;
	if (md == NULL)
		return CKR_OK;
	input->hash = EVP_MD_CTX_new();
	if (input->hash == NULL)
		return CKR_HOST_MEMORY;
	if (EVP_DigestInit_ex(input->hash, md, NULL) != 1) {
		sign_input_end(input);
		return CKR_GENERAL_ERROR;
	}
	return CKR_OK;
}

/* CKM_EDDSA: the message, as long as the device takes it. */
static CK_RV take_message(struct sign_input *input, const uint8_t *data, size_t length)
{
	if (length > input->message_max - input->message_length) {
		log_error("a Trezor signs at most %zu bytes with an Ed25519 key; this is longer",
			  input->message_max);
		return CKR_DATA_LEN_RANGE;
	}
	memcpy(input->message + input->message_length, data, length);
	input->message_length += length;
	return CKR_OK;
}

CK_RV sign_input_update(struct sign_input *input, const uint8_t *data, size_t length)
{
	size_t take;

	if (input->type == CKM_EDDSA)
		return take_message(input, data, length);
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

CK_RV sign_input_finish(struct sign_input *input, uint8_t *challenge, size_t *length)
{
	uint8_t hash[EVP_MAX_MD_SIZE];
	unsigned int hash_length = 0;

	if (input->type == CKM_EDDSA) {
		memcpy(challenge, input->message, input->message_length);
		*length = input->message_length;
		return CKR_OK;
	}
	if (input->hash != NULL) {
		if (EVP_DigestFinal_ex(input->hash, hash, &hash_length) != 1)
			return CKR_GENERAL_ERROR;
		memcpy(challenge, hash, EC_DIGEST_SIZE);        /* SHA-384/512: leftmost 32 */
	} else {
		size_t pad = EC_DIGEST_SIZE - input->leading_length;

		memset(challenge, 0, pad);
		memcpy(challenge + pad, input->leading, input->leading_length);
	}
	*length = EC_DIGEST_SIZE;
	if (all_zero(challenge, EC_DIGEST_SIZE)) {
		log_error("cannot sign an all-zero digest: a Trezor refuses it");
		return CKR_DATA_INVALID;
	}
	return CKR_OK;
}

void sign_input_end(struct sign_input *input)
{
	EVP_MD_CTX_free(input->hash);
	input->hash = NULL;
	explicit_bzero(input->message, sizeof(input->message));
	input->message_length = 0;
}

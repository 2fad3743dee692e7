/* SignIdentity and GetECDHSessionKey. See sim_identity.h. */
#include "config.h"

#include "sim_identity.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "messages.h"
#include "sim_bitcoin.h"
#include "sim_device.h"
#include "sim_sign.h"

#define HARDENED 0x80000000u
#define SIGNATURE_SIZE 65               /* a header byte (or 00) || r || s, or 00 || Ed25519 */

bool sim_identity_curve(const struct sim_device *device, const char *name, enum sim_curve *curve)
{
	/* A Trezor One looks the empty name up, and finds no such curve. */
	if (name == NULL || (name[0] == '\0' && sim_device_is_core(device)))
		name = "secp256k1";
	return sim_curve_from_name(name, curve);
}

enum sim_result sim_identity_bad_curve(struct sim_device *device)
{
	if (sim_device_is_core(device))         /* the root node's ValueError */
		return sim_flow_fail(device, TZ__FAILURE_TYPE__Failure_FirmwareError,
				     sim_device_firmware_error(device,
							       "Failed to derive the root node"));
	return sim_flow_fail(device, TZ__FAILURE_TYPE__Failure_NotInitialized, "Unsupported curve");
}

enum sim_result sim_identity_bad_path(struct sim_device *device)
{
	if (sim_device_is_core(device))
		return sim_flow_fail(device, TZ__FAILURE_TYPE__Failure_DataError,
				     "Non-hardened paths unsupported on Ed25519");
	return sim_flow_fail(device, TZ__FAILURE_TYPE__Failure_ProcessError,
			     "Failed to derive private key");
}

bool sim_identity_derive(struct sim_device *device, enum sim_curve curve, const uint32_t *path,
			 size_t depth, struct sim_node *node)
{
	const struct sim_session *session = sim_session_current(device);

	return session != NULL && session->seed_cached &&
	       sim_slip10_derive(curve, session->seed, sizeof(session->seed), path, depth, node);
}

static bool proto_is(const Tz__IdentityType *identity, const char *proto)
{
	return identity->proto != NULL && strcmp(identity->proto, proto) == 0;
}

/* What went wrong while signing, as each family says it. */
enum sign_error {
	SIGNED,
	SIGN_NOT_DIGEST,                /* gpg: not 32 bytes */
	SIGN_NOT_ED25519,               /* signify with another curve */
	SIGN_FAILED,
};

/* ECDSA of a digest, r || s after a byte the caller chooses. */
static enum sign_error ecdsa(enum sim_curve curve, const uint8_t key[32], const uint8_t digest[32],
			     uint8_t signature[SIGNATURE_SIZE], int *recovery)
{
	return sim_ecdsa_sign_recoverable(curve, key, digest, signature + 1, recovery) ? SIGNED
										     : SIGN_FAILED;
}

/* A Bitcoin message signature: the header byte names the key for recovery. */
static enum sign_error sign_message(const struct sim_device *device, enum sim_curve curve,
				    const uint8_t key[32], const Tz__SignIdentity *request,
				    uint8_t signature[SIGNATURE_SIZE])
{
	const char *visual = request->challenge_visual != NULL ? request->challenge_visual : "";
	uint8_t challenge[64], digest[32];
	int recovery = 0;

	EVP_Digest(request->challenge_hidden.data, request->challenge_hidden.len, challenge, NULL,
		   EVP_sha256(), NULL);
	EVP_Digest(visual, strlen(visual), challenge + 32, NULL, EVP_sha256(), NULL);
	sim_message_digest(challenge, sizeof(challenge), digest);
	if (curve == SIM_CURVE_ED25519) {
		/* A Trezor One writes the header as for recovery id 0; a core model 00. */
		signature[0] = sim_device_is_core(device) ? 0x00 : 31;
		return sim_ed25519_sign(key, digest, sizeof(digest), signature + 1) ? SIGNED
										    : SIGN_FAILED;
	}
	if (ecdsa(curve, key, digest, signature, &recovery) != SIGNED)
		return SIGN_FAILED;
	signature[0] = (uint8_t)(27 + 4 + recovery);     /* a compressed key, P2PKH */
	return SIGNED;
}

static enum sign_error sign_challenge(const struct sim_device *device, enum sim_curve curve,
				      const uint8_t key[32], const Tz__SignIdentity *request,
				      uint8_t signature[SIGNATURE_SIZE])
{
	const Tz__IdentityType *identity = request->identity;
	const ProtobufCBinaryData *challenge = &request->challenge_hidden;
	uint8_t digest[32];
	int recovery;

	signature[0] = 0x00;
	if (proto_is(identity, "signify") && curve != SIM_CURVE_ED25519)
		return SIGN_NOT_ED25519;
	if (curve == SIM_CURVE_ED25519 &&
	    (proto_is(identity, "ssh") || proto_is(identity, "gpg") || proto_is(identity, "signify")))
		return sim_ed25519_sign(key, challenge->data, challenge->len, signature + 1) ?
			       SIGNED : SIGN_FAILED;
	if (proto_is(identity, "ssh")) {
		EVP_Digest(challenge->data, challenge->len, digest, NULL, EVP_sha256(), NULL);
		return ecdsa(curve, key, digest, signature, &recovery);
	}
	if (proto_is(identity, "gpg"))
		return challenge->len == 32 ? ecdsa(curve, key, challenge->data, signature, &recovery)
					    : SIGN_NOT_DIGEST;
	return sign_message(device, curve, key, request, signature);
}

static enum sim_result sign_failed(struct sim_device *device, enum sign_error error)
{
	if (!sim_device_is_core(device))
		return sim_flow_fail(device, TZ__FAILURE_TYPE__Failure_ProcessError,
				     "Error signing identity");
	if (error == SIGN_NOT_ED25519)
		return sim_flow_fail(device, TZ__FAILURE_TYPE__Failure_DataError,
				     "Unsupported curve");
	return sim_flow_fail(device, TZ__FAILURE_TYPE__Failure_FirmwareError,
			     sim_device_firmware_error(device, error == SIGN_NOT_DIGEST ?
							       "Invalid length of digest" :
							       "Signing failed"));
}

static void identity_path(const Tz__IdentityType *identity, uint32_t purpose, uint32_t path[5])
{
	sim_slip13_path(identity->proto, identity->user, identity->host, identity->port,
			identity->path, identity->has_index ? identity->index : 0, path);
	path[0] = HARDENED | purpose;
}

/* The answer, as the fault mode (if any) spoils it. */
static bool answer_signed(struct sim_device *device, struct sim_node *node,
			  const struct sim_node *signer, enum sim_curve curve,
			  uint8_t signature[SIGNATURE_SIZE])
{
	enum sim_fault_mode fault = device->operation.spoilt ? device->fault.mode : SIM_FAULT_NONE;
	Tz__SignedIdentity answer = TZ__SIGNED_IDENTITY__INIT;
	char address[SIM_ADDRESS_MAX];
	size_t length = SIGNATURE_SIZE;

	if (sim_fault_replace_answer(fault, MSG_SIGNED_IDENTITY, node, &device->operation.answer))
		return true;
	if (fault == SIM_FAULT_OTHER_KEY)
		memcpy(node->public_key, signer->public_key, sizeof(node->public_key));
	sim_fault_spoil_key(fault, node->public_key);
	sim_fault_spoil_signature(fault, signature, &length);
	if (curve == SIM_CURVE_SECP256K1 &&
	    sim_p2pkh_address(0x00, node->public_key, address, sizeof(address)))
		answer.address = address;
	answer.public_key.data = node->public_key;
	answer.public_key.len = sizeof(node->public_key);
	answer.signature.data = signature;
	answer.signature.len = length;
	return sim_outgoing_pack(&device->operation.answer, MSG_SIGNED_IDENTITY, &answer.base);
}

enum sim_result sim_identity_sign(struct sim_device *device, const Tz__SignIdentity *request)
{
	enum sim_fault_mode fault = device->operation.spoilt ? device->fault.mode : SIM_FAULT_NONE;
	uint8_t signature[SIGNATURE_SIZE];
	struct sim_node node, signer;
	enum sim_curve curve;
	enum sign_error error;
	uint32_t path[5];
	bool ok;

	if (!sim_identity_curve(device, request->ecdsa_curve_name, &curve))
		return sim_identity_bad_curve(device);
	identity_path(request->identity, 13, path);
	ok = sim_identity_derive(device, curve, path, 5, &node);
	/* sig-other-key and other-key: signed by the key of a sibling path. */
	if (ok && sim_fault_signs_with_other_key(fault, path))
		ok = sim_identity_derive(device, curve, path, 5, &signer);
	else
		signer = node;
	if (!ok) {
		OPENSSL_cleanse(&node, sizeof(node));
		return sim_identity_bad_path(device);
	}
	error = sign_challenge(device, curve, signer.private_key, request, signature);
	ok = error == SIGNED && answer_signed(device, &node, &signer, curve, signature);
	OPENSSL_cleanse(&node, sizeof(node));
	OPENSSL_cleanse(&signer, sizeof(signer));
	if (error != SIGNED)
		return sign_failed(device, error);
	return ok ? SIM_DONE : sign_failed(device, SIGN_FAILED);
}

/* ECDH on secp256k1 or nist256p1; ed25519 keys have none. */
static enum sim_result ecdh_failed(struct sim_device *device, enum sim_curve curve)
{
	if (!sim_device_is_core(device))
		return sim_flow_fail(device, TZ__FAILURE_TYPE__Failure_ProcessError,
				     "Error getting ECDH session key");
	if (curve == SIM_CURVE_ED25519)
		return sim_flow_fail(device, TZ__FAILURE_TYPE__Failure_DataError,
				     "Unsupported curve for ECDH: ed25519");
	return sim_flow_fail(device, TZ__FAILURE_TYPE__Failure_FirmwareError,
			     sim_device_firmware_error(device, "Invalid public key"));
}

enum sim_result sim_identity_ecdh(struct sim_device *device, const Tz__GetECDHSessionKey *request)
{
	Tz__ECDHSessionKey answer = TZ__ECDHSESSION_KEY__INIT;
	uint8_t shared[65];
	struct sim_node node;
	enum sim_curve curve;
	uint32_t path[5];
	bool ok;

	if (!sim_identity_curve(device, request->ecdsa_curve_name, &curve))
		return sim_identity_bad_curve(device);
	identity_path(request->identity, 17, path);
	if (!sim_identity_derive(device, curve, path, 5, &node))
		return sim_identity_bad_path(device);
	ok = curve != SIM_CURVE_ED25519 &&
	     sim_ecdh(curve, node.private_key, request->peer_public_key.data,
		      request->peer_public_key.len, shared);
	if (ok) {
		answer.has_session_key = answer.has_public_key = true;
		answer.session_key.data = shared;
		answer.session_key.len = sizeof(shared);
		answer.public_key.data = node.public_key;
		answer.public_key.len = sizeof(node.public_key);
		ok = sim_outgoing_pack(&device->operation.answer, MSG_ECDH_SESSION_KEY,
				       &answer.base);
	}
	OPENSSL_cleanse(&node, sizeof(node));
	OPENSSL_cleanse(shared, sizeof(shared));
	return ok ? SIM_DONE : ecdh_failed(device, curve);
}

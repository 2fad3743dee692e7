/*
 * The device client: Features, public keys and signatures. See trezor.h.
 */
#include "config.h"

#include "trezor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ed25519.h"
#include "messages.h"
#include "text.h"
#include "thp_connect.h"
#include "thp_session.h"
#include "trezor.pb-c.h"
#include "trezor_call.h"

#define OPEN_PROBE_TIMEOUT_MS 1000

struct trezor_device *trezor_device_new(struct transport *transport)
{
	struct trezor_device *device = calloc(1, sizeof(*device));

	if (device == NULL)
		return NULL;
	device->transport = transport;
	device->reply_timeout_ms = TREZOR_REPLY_TIMEOUT_MS;
	device->confirm_timeout_ms = TREZOR_CONFIRM_TIMEOUT_MS;
	device->allow_pairing = true;
	device->offer_autoconnect = true;
	return device;
}

void trezor_set_confirm_timeout(struct trezor_device *device, int timeout_ms)
{
	device->confirm_timeout_ms = timeout_ms;
	device->reply_timeout_ms = timeout_ms < TREZOR_REPLY_TIMEOUT_MS ? timeout_ms
									 : TREZOR_REPLY_TIMEOUT_MS;
}

enum trezor_status trezor_open(const char *path, struct trezor_device **out,
			       char *error, size_t error_size)
{
	struct transport *transport;
	enum transport_status status;

	*out = NULL;
	status = transport_open(path, OPEN_PROBE_TIMEOUT_MS, &transport, error, error_size);
	if (status != TRANSPORT_OK)
		return status == TRANSPORT_GONE || status == TRANSPORT_TIMEOUT ? TREZOR_ERR_GONE
									      : TREZOR_ERR_TRANSPORT;
	*out = trezor_device_new(transport);
	if (*out == NULL) {
		transport_close(transport);
		snprintf(error, error_size, "out of memory");
		return TREZOR_ERR_NO_MEMORY;
	}
	return TREZOR_OK;
}

void trezor_close(struct trezor_device *device)
{
	if (device == NULL)
		return;
	transport_close(device->transport);
	explicit_bzero(device, sizeof(*device));
	free(device);
}

static bool has_capability(const Tz__Features *features, Tz__Capability wanted)
{
	size_t i;

	for (i = 0; i < features->n_capabilities; i++)
		if (features->capabilities[i] == wanted)
			return true;
	return false;
}

static void store_features(struct trezor_features *out, const Tz__Features *in)
{
	memset(out->session_id, 0, sizeof(out->session_id));
	text_copy_shown(out->vendor, sizeof(out->vendor), in->vendor);
	out->major_version = in->major_version;
	out->minor_version = in->minor_version;
	out->patch_version = in->patch_version;
	out->bootloader_mode = in->has_bootloader_mode && in->bootloader_mode;
	text_copy_shown(out->device_id, sizeof(out->device_id), in->device_id);
	out->pin_protection = in->has_pin_protection && in->pin_protection;
	out->passphrase_protection = in->has_passphrase_protection && in->passphrase_protection;
	out->passphrase_protection_known = in->has_passphrase_protection;
	text_copy_shown(out->label, sizeof(out->label), in->label);
	/* Old firmware omits "initialized" only in bootloader mode. */
	out->initialized = in->has_initialized ? in->initialized : !out->bootloader_mode;
	out->unlocked = in->has_unlocked ? in->unlocked : true;
	text_copy_shown(out->model, sizeof(out->model), in->model);
	text_copy_shown(out->internal_model, sizeof(out->internal_model), in->internal_model);
	out->passphrase_entry = has_capability(in, TZ__CAPABILITY__Capability_PassphraseEntry);
	out->passphrase_always_on_device = in->has_passphrase_always_on_device &&
					   in->passphrase_always_on_device;
	/* A session id longer than any firmware sends is ignored, not truncated. */
	out->session_id_len = 0;
	if (in->has_session_id && in->session_id.len > 0 &&
	    in->session_id.len <= sizeof(out->session_id)) {
		memcpy(out->session_id, in->session_id.data, in->session_id.len);
		out->session_id_len = in->session_id.len;
	}
}

/* Keep Features, then say whether the device can serve keys at all. */
static enum trezor_status take_features(struct trezor_device *device, ProtobufCMessage *reply)
{
	struct trezor_features *features = &device->features;
	uint8_t session[TREZOR_SESSION_ID_MAX];
	size_t session_len = features->session_id_len;

	/* GetFeatures does not repeat the session id: keep the one we have. */
	memcpy(session, features->session_id, sizeof(session));
	store_features(features, (Tz__Features *)reply);
	protobuf_c_message_free_unpacked(reply, NULL);
	if (features->session_id_len == 0 && session_len > 0) {
		memcpy(features->session_id, session, sizeof(session));
		features->session_id_len = session_len;
	}
	if (device->transport->thp != NULL)
		thp_connect_note_features(device);

	if (features->bootloader_mode)
		return trezor_fail(device, TREZOR_ERR_BOOTLOADER,
				   "the Trezor is in bootloader mode: unplug it and plug it in "
				   "again without touching it");
	if (!features->initialized)
		return trezor_fail(device, TREZOR_ERR_NOT_INITIALIZED,
				   "the Trezor has no seed yet: set it up in Trezor Suite first");
	return TREZOR_OK;
}

enum trezor_status trezor_initialize(struct trezor_device *device)
{
	Tz__Initialize request = TZ__INITIALIZE__INIT;
	ProtobufCMessage *reply;
	enum trezor_status status;
	struct trezor_features *features = &device->features;

	if (device->transport->thp != NULL)
		return thp_session_start(device);
	if (features->session_id_len > 0) {
		request.has_session_id = true;
		request.session_id.data = features->session_id;
		request.session_id.len = features->session_id_len;
	}
	status = trezor_call(device, MSG_INITIALIZE, &request.base, MSG_FEATURES,
			     &tz__features__descriptor, &reply);
	if (status == TREZOR_OK)
		return take_features(device, reply);
	/* The Initialize told that the device speaks THP, which has no Initialize. */
	if (device->transport->thp != NULL)
		return thp_session_start(device);
	return status;
}

enum trezor_status trezor_get_features(struct trezor_device *device)
{
	Tz__GetFeatures request = TZ__GET_FEATURES__INIT;
	ProtobufCMessage *reply;
	enum trezor_status status;

	status = trezor_call(device, MSG_GET_FEATURES, &request.base, MSG_FEATURES,
			     &tz__features__descriptor, &reply);
	if (status == TREZOR_ERR_FAILURE &&
	    device->failure_code == TZ__FAILURE_TYPE__Failure_UnexpectedMessage)
		return trezor_initialize(device);       /* firmware before GetFeatures */
	if (status != TREZOR_OK)
		return status;
	return take_features(device, reply);
}

/* A 33-byte compressed point from the device, checked and expanded. */
static enum trezor_status expand_p256_key(struct trezor_device *device,
					  const ProtobufCBinaryData *key,
					  uint8_t public_key[KEY_POINT_MAX])
{
	if (key->len != EC_COMPRESSED_SIZE || !ec_p256_decompress(key->data, public_key))
		return trezor_fail(device, TREZOR_ERR_PROTOCOL,
				   "the Trezor sent a public key that is not a P-256 point");
	return TREZOR_OK;
}

/* 00 || an Ed25519 key from the device: the 32 bytes, checked. */
static enum trezor_status take_ed25519_key(struct trezor_device *device,
					   const ProtobufCBinaryData *key,
					   uint8_t public_key[KEY_POINT_MAX])
{
	if (key->len != 1 + ED25519_KEY_SIZE || key->data[0] != 0x00)
		return trezor_fail(device, TREZOR_ERR_PROTOCOL,
				   "the Trezor sent a %zu-byte Ed25519 key, not 33 bytes 00||key",
				   key->len);
	if (!ed25519_key_usable(key->data + 1))
		return trezor_fail(device, TREZOR_ERR_PROTOCOL,
				   "the Trezor sent an Ed25519 key of small order, which no seed "
				   "gives");
	memcpy(public_key, key->data + 1, ED25519_KEY_SIZE);
	return TREZOR_OK;
}

static enum trezor_status take_device_key(struct trezor_device *device, enum key_curve curve,
					  const ProtobufCBinaryData *key,
					  uint8_t public_key[KEY_POINT_MAX])
{
	return curve == KEY_CURVE_ED25519 ? take_ed25519_key(device, key, public_key)
					  : expand_p256_key(device, key, public_key);
}

enum trezor_status trezor_get_public_key(struct trezor_device *device,
					 const struct identity *identity, enum key_curve curve,
					 uint8_t public_key[KEY_POINT_MAX])
{
	Tz__GetPublicKey request = TZ__GET_PUBLIC_KEY__INIT;
	uint32_t path[SLIP13_PATH_DEPTH];
	ProtobufCMessage *reply;
	enum trezor_status status;

	if (!identity_slip13_path(identity, path))
		return trezor_fail(device, TREZOR_ERR_NO_MEMORY, "cannot hash the identity");
	request.n_address_n = SLIP13_PATH_DEPTH;
	request.address_n = path;
	request.ecdsa_curve_name = (char *)curve_name(curve);
	status = trezor_call(device, MSG_GET_PUBLIC_KEY, &request.base, MSG_PUBLIC_KEY,
			     &tz__public_key__descriptor, &reply);
	if (status != TREZOR_OK)
		return status;
	status = take_device_key(device, curve, &((Tz__PublicKey *)reply)->node->public_key,
				 public_key);
	protobuf_c_message_free_unpacked(reply, NULL);
	return status;
}

size_t trezor_challenge_max(const struct trezor_features *features)
{
	bool before_1_12_1 = features->major_version == 1 &&
			     (features->minor_version < 12 ||
			      (features->minor_version == 12 && features->patch_version < 1));

	return strcmp(features->model, "1") == 0 && before_1_12_1 ? TREZOR_CHALLENGE_MAX_OLD
								  : TREZOR_CHALLENGE_MAX;
}

/* NULL for empty strings, so absent parts are not sent. */
static char *optional_text(const char *text)
{
	return text[0] != '\0' ? (char *)text : NULL;
}

/* r and s of a P-256 signature in [1, n-1], and the signature valid. */
static enum trezor_status verify_p256(struct trezor_device *device, const uint8_t *key,
				      const uint8_t *digest, const uint8_t *signature)
{
	/* OpenSSL refuses these too; saying which is wrong helps whoever debugs the device. */
	if (!ec_p256_scalar_in_range(signature))
		return trezor_fail(device, TREZOR_ERR_BAD_SIGNATURE, "the Trezor sent a signature "
				   "whose r is not between 1 and n-1; it was discarded");
	if (!ec_p256_scalar_in_range(signature + KEY_SIGNATURE_SIZE / 2))
		return trezor_fail(device, TREZOR_ERR_BAD_SIGNATURE, "the Trezor sent a signature "
				   "whose s is not between 1 and n-1; it was discarded");
	if (!ec_p256_verify_digest(key, digest, signature))
		return trezor_fail(device, TREZOR_ERR_BAD_SIGNATURE,
				   "the Trezor's signature does not verify; it was discarded");
	return TREZOR_OK;
}

/* What a request to sign holds, for checking the answer. */
struct sign_request {
	enum key_curve curve;
	const uint8_t *expected_key;
	const uint8_t *challenge;
	size_t challenge_length;
};

/* Check the device's answer: the right key, 00 || signature, and a valid signature. */
static enum trezor_status check_signed_identity(struct trezor_device *device,
						const Tz__SignedIdentity *signed_identity,
						const struct sign_request *request,
						uint8_t signature[KEY_SIGNATURE_SIZE])
{
	uint8_t key[KEY_POINT_MAX];
	const ProtobufCBinaryData *sig = &signed_identity->signature;
	enum trezor_status status = take_device_key(device, request->curve,
						    &signed_identity->public_key, key);

	if (status != TREZOR_OK)
		return status;
	if (memcmp(key, request->expected_key, curve_key_size(request->curve)) != 0)
		return TREZOR_ERR_KEY_MISMATCH;         /* confirm_other_key says more */
	if (sig->len != 1 + KEY_SIGNATURE_SIZE || sig->data[0] != 0x00)
		return trezor_fail(device, TREZOR_ERR_PROTOCOL,
				   "the Trezor sent a %zu-byte signature, not 65 bytes 00||%s",
				   sig->len, request->curve == KEY_CURVE_ED25519 ? "signature" : "r||s");
	if (request->curve == KEY_CURVE_NIST256P1)
		status = verify_p256(device, key, request->challenge, sig->data + 1);
	else if (!ed25519_verify(key, request->challenge, request->challenge_length,
				 sig->data + 1))
		status = trezor_fail(device, TREZOR_ERR_BAD_SIGNATURE,
				     "the Trezor's signature does not verify; it was discarded");
	if (status == TREZOR_OK)
		memcpy(signature, sig->data + 1, KEY_SIGNATURE_SIZE);
	return status;
}

/*
 * The device signed with another key than the one listed. Its answer to
 * GetPublicKey decides, never the key a SignedIdentity names: another key
 * there too means another wallet (seed or passphrase), which the caller
 * learns; the listed key there means the device contradicts itself, and
 * nothing is learnt from it.
 */
static enum trezor_status confirm_other_key(struct trezor_device *device,
					    const struct identity *identity,
					    const struct sign_request *request)
{
	uint8_t current[KEY_POINT_MAX];
	enum trezor_status status = trezor_get_public_key(device, identity, request->curve,
							  current);

	if (status != TREZOR_OK)
		return status;
	if (memcmp(current, request->expected_key, curve_key_size(request->curve)) == 0)
		return trezor_fail(device, TREZOR_ERR_PROTOCOL,
				   "the Trezor signed with another key than its own key for this "
				   "identity; the signature was discarded");
	memcpy(device->mismatched_key, current, sizeof(current));
	return trezor_fail(device, TREZOR_ERR_KEY_MISMATCH,
			   "the Trezor signed with another key than the one listed "
			   "(another seed or passphrase?)");
}

/* Whether the firmware signs this challenge as the caller means it (HACKING 5.5). */
static bool signs_as_meant(const struct trezor_device *device, const struct identity *identity,
			   enum key_curve curve, size_t challenge_length)
{
	if (curve == KEY_CURVE_NIST256P1)
		return strcmp(identity->proto, "gpg") == 0 && challenge_length == EC_DIGEST_SIZE;
	return (strcmp(identity->proto, "ssh") == 0 || strcmp(identity->proto, "gpg") == 0) &&
	       challenge_length <= trezor_challenge_max(&device->features);
}

enum trezor_status trezor_sign_identity(struct trezor_device *device,
					const struct identity *identity, enum key_curve curve,
					const uint8_t expected_key[KEY_POINT_MAX],
					const uint8_t *challenge, size_t challenge_length,
					const char *visual,
					uint8_t signature[KEY_SIGNATURE_SIZE])
{
	static const uint8_t empty[1];
	const struct sign_request checks = { curve, expected_key,
					     challenge_length > 0 ? challenge : empty,
					     challenge_length };
	Tz__SignIdentity request = TZ__SIGN_IDENTITY__INIT;
	Tz__IdentityType id = TZ__IDENTITY_TYPE__INIT;
	ProtobufCMessage *reply;
	enum trezor_status status;

	if (!signs_as_meant(device, identity, curve, challenge_length) &&
	    curve == KEY_CURVE_NIST256P1)
		return trezor_fail(device, TREZOR_ERR_ARGUMENT,
				   "only gpg:// identities sign a 32-byte digest");
	if (!signs_as_meant(device, identity, curve, challenge_length))
		return trezor_fail(device, TREZOR_ERR_ARGUMENT,
				   "an Ed25519 identity signs at most %zu bytes, as ssh:// or gpg://",
				   trezor_challenge_max(&device->features));
	if (visual != NULL && strlen(visual) > TREZOR_VISUAL_MAX)
		return trezor_fail(device, TREZOR_ERR_ARGUMENT,
				   "the text to show on the Trezor is over %d bytes", TREZOR_VISUAL_MAX);
	id.proto = optional_text(identity->proto);
	id.user = optional_text(identity->user);
	id.host = optional_text(identity->host);
	id.port = optional_text(identity->port);
	id.path = optional_text(identity->path);
	id.has_index = true;
	id.index = identity->index;
	request.identity = &id;
	request.has_challenge_hidden = true;
	request.challenge_hidden.data = (uint8_t *)checks.challenge;
	request.challenge_hidden.len = challenge_length;
	request.challenge_visual = visual != NULL ? (char *)visual : NULL;
	request.ecdsa_curve_name = (char *)curve_name(curve);

	status = trezor_call(device, MSG_SIGN_IDENTITY, &request.base, MSG_SIGNED_IDENTITY,
			     &tz__signed_identity__descriptor, &reply);
	if (status != TREZOR_OK)
		return status;
	status = check_signed_identity(device, (Tz__SignedIdentity *)reply, &checks, signature);
	protobuf_c_message_free_unpacked(reply, NULL);
	if (status == TREZOR_ERR_KEY_MISMATCH)
		status = confirm_other_key(device, identity, &checks);
	return status;
}

void trezor_forget(struct trezor_device *device)
{
	if (device == NULL)
		return;
	transport_forget(device->transport);
	explicit_bzero(device, sizeof(*device));
	free(device);
}

const uint8_t *trezor_mismatched_key(const struct trezor_device *device)
{
	return device->mismatched_key;
}

enum trezor_status trezor_cancel(struct trezor_device *device)
{
	Tz__Cancel request = TZ__CANCEL__INIT;
	ProtobufCMessage *reply;
	enum trezor_status status;

	/* The answer to Cancel is Failure ActionCancelled: that is success here. */
	status = trezor_call(device, MSG_CANCEL, &request.base, MSG_SUCCESS,
			     &tz__success__descriptor, &reply);
	if (status == TREZOR_OK)
		protobuf_c_message_free_unpacked(reply, NULL);
	return status == TREZOR_ERR_CANCELLED ? TREZOR_OK : status;
}

const char *trezor_status_name(enum trezor_status status)
{
	switch (status) {
	case TREZOR_OK: return "ok";
	case TREZOR_ERR_TIMEOUT: return "timeout";
	case TREZOR_ERR_NOT_CONFIRMED: return "not confirmed";
	case TREZOR_ERR_GONE: return "device gone";
	case TREZOR_ERR_TRANSPORT: return "transport error";
	case TREZOR_ERR_PROTOCOL: return "protocol error";
	case TREZOR_ERR_FAILURE: return "device failure";
	case TREZOR_ERR_CANCELLED: return "cancelled";
	case TREZOR_ERR_PIN_INVALID: return "wrong PIN";
	case TREZOR_ERR_NEEDS_INPUT: return "input needed";
	case TREZOR_ERR_KEY_MISMATCH: return "key mismatch";
	case TREZOR_ERR_BAD_SIGNATURE: return "bad signature";
	case TREZOR_ERR_BOOTLOADER: return "bootloader mode";
	case TREZOR_ERR_NOT_INITIALIZED: return "not initialized";
	case TREZOR_ERR_NEEDS_THP: return "needs THP";
	case TREZOR_ERR_INVALID_SESSION: return "invalid session";
	case TREZOR_ERR_ARGUMENT: return "bad argument";
	case TREZOR_ERR_ABORTED: return "aborted";
	case TREZOR_ERR_NO_MEMORY: return "out of memory";
	case TREZOR_ERR_WRONG_CODE: return "wrong pairing code";
	case TREZOR_ERR_RESET: return "channel dropped";
	}
	return "unknown";
}

/* Taking a device, its session, and the requests that need one. See conversation.h. */
#include "config.h"

#include "conversation.h"

#include <string.h>

#include "log.h"
#include "session_file.h"
#include "thp_connect.h"
#include "thp_pairing.h"

/* ---- results ---------------------------------------------------------------- */

static CK_RV ckr_of(enum trezor_status status)
{
	switch (status) {
	case TREZOR_OK: return CKR_OK;
	case TREZOR_ERR_CANCELLED: return CKR_FUNCTION_CANCELED;
	case TREZOR_ERR_NOT_CONFIRMED: return CKR_FUNCTION_CANCELED;
	case TREZOR_ERR_GONE: return CKR_DEVICE_REMOVED;
	case TREZOR_ERR_PIN_INVALID: return CKR_PIN_INCORRECT;
	case TREZOR_ERR_WRONG_CODE: return CKR_PIN_INCORRECT;  /* a Safe 7's pairing code */
	case TREZOR_ERR_NO_MEMORY: return CKR_HOST_MEMORY;
	case TREZOR_ERR_ABORTED: return CKR_CRYPTOKI_NOT_INITIALIZED;
	case TREZOR_ERR_NEEDS_INPUT: return CKR_FUNCTION_FAILED;
	default: return CKR_DEVICE_ERROR;
	}
}

/* Report a failed conversation and note a device that is gone. */
static CK_RV conversation_result(struct slot *slot, enum trezor_status status)
{
	if (status == TREZOR_OK)
		return CKR_OK;
	if (status == TREZOR_ERR_GONE)
		atomic_store(&slot->removed, true);     /* the next refresh reports it */
	if (status != TREZOR_ERR_ABORTED)
		log_error("%s", slot->device->error);
	return ckr_of(status);
}

/* ---- the session -------------------------------------------------------------- */

_Static_assert(SESSION_FILE_ID_MAX == TREZOR_SESSION_ID_MAX, "session ids fit both");

/*
 * Resume the session kept for this device and wallet, or start one. The
 * wallet (slot->wallet) was chosen with the key cache (token.c) before any
 * conversation, so keys and session agree.
 */
static enum trezor_status start_session(struct slot *slot)
{
	struct trezor_features *features = &slot->device->features;
	uint8_t sent[SESSION_FILE_ID_MAX];
	size_t length;
	enum trezor_status status;
	bool resumed;

	session_file_find(features->device_id, slot->wallet, sent, &length);
	memcpy(features->session_id, sent, length);
	features->session_id_len = length;
	/* For a device that takes the passphrase with the session (THP): the one chosen. */
	slot->device->wallet_passphrase = slot->wallet[0] != '\0';
	status = trezor_initialize(slot->device);
	/* A device that does not know the id (it restarted) answers with a new one. */
	resumed = status == TREZOR_OK && length > 0 && features->session_id_len == length &&
		  memcmp(features->session_id, sent, length) == 0;
	explicit_bzero(sent, sizeof(sent));
	if (status != TREZOR_OK)
		return status;
	if (!resumed) {
		log_debug("a new session on the Trezor: it derives the seed again");
		session_file_keep(features->device_id, slot->wallet, features->session_id,
				  features->session_id_len);
	}
	if (features->passphrase_protection_known)
		session_file_note_protection(features->device_id, features->passphrase_protection);
	transport_note_session(slot->device->transport, features->session_id,
			       features->session_id_len);
	slot->session_started = true;
	return TREZOR_OK;
}

/*
 * A locked Model T or Safe hides its passphrase protection; once a request
 * has unlocked it, its Features tell, and the next program chooses its
 * wallet by what is noted now (session_file.h).
 */
static void learn_protection(struct slot *slot)
{
	struct trezor_features *features = &slot->device->features;

	if (features->passphrase_protection_known ||
	    !(slot->device->asked & TREZOR_ASKED_PIN) ||
	    trezor_get_features(slot->device) != TREZOR_OK || !features->passphrase_protection_known)
		return;
	session_file_note_protection(features->device_id, features->passphrase_protection);
}

/* ---- taking the device ------------------------------------------------------------ */

/*
 * The device's turn among the user's programs (shared_lock.h): waited for
 * as long as a person may take, since the other program may be waiting for
 * one. Another program's session may be the active one now: then ours is
 * resumed before the request.
 */
static CK_RV take_turn(struct slot *slot)
{
	struct trezor_device *device = slot->device;
	struct trezor_features *features = &device->features;
	enum transport_status status = transport_begin(device->transport,
						       device->confirm_timeout_ms);

	if (status == TRANSPORT_CANCELLED)
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	if (status != TRANSPORT_OK) {
		log_error("%s", device->transport->error);
		return CKR_DEVICE_ERROR;
	}
	if (slot->session_started &&
	    !transport_session_is_active(device->transport, features->session_id,
					 features->session_id_len))
		slot->session_started = false;
	return CKR_OK;
}

/* Hold the device for one conversation: CKR_OK with its lock taken. */
static CK_RV take_device(struct slot *slot)
{
	struct trezor_device *replugged;
	CK_RV rv = CKR_OK;

	lock_acquire(slot->device_lock);
	/* A re-plugged device waits here for the first conversation after it. */
	replugged = atomic_exchange(&slot->replacement, NULL);
	if (replugged != NULL) {
		trezor_close(slot->device);
		slot->device = replugged;
		slot->session_started = false;
	}
	if (!slot_has_token(slot))
		rv = CKR_DEVICE_REMOVED;
	else if (transport_cancelled(slot->device->transport))
		rv = CKR_CRYPTOKI_NOT_INITIALIZED;      /* C_Finalize has begun */
	else
		rv = take_turn(slot);
	if (rv != CKR_OK)
		lock_release(slot->device_lock);
	return rv;
}

static void give_device(struct slot *slot)
{
	transport_end(slot->device->transport);
	lock_release(slot->device_lock);
}

/* ---- requests in a session -------------------------------------------------------- */

/* One request to the device, with what it needs; see the two below. */
struct request {
	const struct key_identity *key;
	uint8_t *point;
	const uint8_t *challenge;
	size_t challenge_length;
	const char *visual;
	uint8_t *signature;
};

static enum trezor_status send_fetch(struct trezor_device *device, const struct request *r)
{
	return trezor_get_public_key(device, &r->key->identity, r->key->curve, r->point);
}

static enum trezor_status send_sign(struct trezor_device *device, const struct request *r)
{
	return trezor_sign_identity(device, &r->key->identity, r->key->curve, r->point,
				    r->challenge, r->challenge_length, r->visual, r->signature);
}

/*
 * Send the request in this program's session. When the device has lost it,
 * start a new one and send the request again, once: nobody is asked twice
 * for what a person had not done yet (a PIN typed stays typed).
 */
static enum trezor_status in_session(struct slot *slot,
				     enum trezor_status (*send)(struct trezor_device *,
								const struct request *),
				     const struct request *request)
{
	enum trezor_status status = TREZOR_OK;

	if (!slot->session_started)
		status = start_session(slot);
	if (status == TREZOR_OK)
		status = send(slot->device, request);
	if (status != TREZOR_ERR_INVALID_SESSION)
		return status;
	slot->session_started = false;
	if (slot->device->asked & TREZOR_ASKED_CONFIRM)
		log_error("the Trezor had lost its session (did it restart?) when you confirmed: "
			  "confirm once more");
	else
		log_debug("the Trezor has lost the session: starting a new one");
	status = start_session(slot);
	if (status == TREZOR_OK)
		status = send(slot->device, request);
	return status;
}

static CK_RV converse(struct slot *slot, struct prompt_context *prompt,
		      enum trezor_status (*send)(struct trezor_device *, const struct request *),
		      const struct request *request, enum trezor_status *outcome)
{
	struct trezor_prompts prompts;
	CK_RV rv = take_device(slot);

	*outcome = TREZOR_ERR_ABORTED;
	if (rv != CKR_OK)
		return rv;
	prompt_callbacks(&prompts, prompt);
	slot->device->prompts = &prompts;
	*outcome = in_session(slot, send, request);
	if (*outcome == TREZOR_OK)
		learn_protection(slot);
	slot->device->prompts = NULL;
	if (*outcome == TREZOR_ERR_KEY_MISMATCH)
		memcpy(request->point, trezor_mismatched_key(slot->device), KEY_POINT_MAX);
	rv = conversation_result(slot, *outcome);
	give_device(slot);
	return rv;
}

CK_RV conversation_fetch_key(struct slot *slot, const struct key_identity *key,
			     struct prompt_context *prompt, uint8_t point[KEY_POINT_MAX])
{
	struct request request = { .key = key, .point = point };
	enum trezor_status outcome;

	return converse(slot, prompt, send_fetch, &request, &outcome);
}

CK_RV conversation_sign(struct slot *slot, const struct key_identity *key,
			struct prompt_context *prompt, uint8_t point[KEY_POINT_MAX],
			bool *key_replaced, const uint8_t *challenge, size_t challenge_length,
			const char *visual, uint8_t signature[KEY_SIGNATURE_SIZE])
{
	struct request request = { .key = key, .point = point, .challenge = challenge,
				   .challenge_length = challenge_length, .visual = visual,
				   .signature = signature };
	enum trezor_status outcome;
	CK_RV rv = converse(slot, prompt, send_sign, &request, &outcome);

	*key_replaced = outcome == TREZOR_ERR_KEY_MISMATCH;
	return rv;
}

CK_RV conversation_set_autoconnect(struct slot *slot, struct prompt_context *prompt,
				   bool autoconnect, enum trezor_pairing *pairing)
{
	struct trezor_prompts prompts;
	enum trezor_status status;
	CK_RV rv = take_device(slot);

	if (rv != CKR_OK)
		return rv;
	if (slot->device->transport->thp == NULL) {
		give_device(slot);
		return CKR_FUNCTION_NOT_SUPPORTED;
	}
	prompt_callbacks(&prompts, prompt);
	slot->device->prompts = &prompts;
	status = thp_connect(slot->device);
	if (status == TREZOR_OK)
		status = thp_change_autoconnect(slot->device, autoconnect);
	slot->device->prompts = NULL;
	*pairing = slot->device->features.pairing;
	rv = conversation_result(slot, status);
	give_device(slot);
	return rv;
}

/*
 * Signing. The input becomes what the Trezor signs here (mechanism.c): a
 * 32-byte digest for a P-256 key's gpg:// identity, the whole message for
 * an Ed25519 key's ssh:// identity; the Trezor signs it with SignIdentity
 * after the person confirms. A length query or a too-small buffer is
 * answered without the device, and leaves the operation active, so nobody
 * confirms twice. See api.h.
 */
#include "config.h"

#include "api.h"

#include <string.h>

#include "clock.h"
#include "log.h"
#include "conversation.h"
#include "mechanism.h"
#include "module.h"
#include "object.h"
#include "session.h"
#include "token.h"

CK_RV api_sign_init(CK_SESSION_HANDLE handle, CK_MECHANISM_PTR mechanism, CK_OBJECT_HANDLE key)
{
	struct session *session = session_get(handle);
	size_t index;
	bool is_private;
	CK_RV rv;

	if (session == NULL)
		return CKR_SESSION_HANDLE_INVALID;
	if (mechanism == NULL)
		return CKR_ARGUMENTS_BAD;
	if (session->signing)
		return CKR_OPERATION_ACTIVE;
	if (!api_token_usable(session->slot))
		return CKR_DEVICE_REMOVED;
	rv = mechanism_check(mechanism);
	if (rv != CKR_OK)
		return rv;
	rv = token_prepare(session->slot);
	if (rv != CKR_OK)
		return rv;
	if (!object_parse_handle(key, token_identities(), &index, &is_private))
		return CKR_KEY_HANDLE_INVALID;
	if (!is_private)
		return CKR_KEY_FUNCTION_NOT_PERMITTED;  /* CKA_SIGN is false on public keys */
	rv = mechanism_check_key(mechanism->mechanism, token_identity(index)->curve);
	if (rv != CKR_OK)
		return rv;
	rv = sign_input_begin(&session->input, mechanism->mechanism,
			      trezor_challenge_max(&session->slot->features));
	if (rv != CKR_OK)
		return rv;
	session->signing = true;
	session->sign_identity = index;
	return CKR_OK;
}

/* The session's sign operation, ready to take more input. */
static CK_RV signing_session(CK_SESSION_HANDLE handle, struct session **session)
{
	*session = session_get(handle);
	if (*session == NULL)
		return CKR_SESSION_HANDLE_INVALID;
	if (!(*session)->signing)
		return CKR_OPERATION_NOT_INITIALIZED;
	if ((*session)->sign_busy) {
		log_error("another thread is already signing in this session");
		return CKR_OPERATION_ACTIVE;
	}
	return CKR_OK;
}

/*
 * Answer a length query or a short buffer (the operation stays active).
 * Returns CKR_OK when the caller's buffer takes a signature.
 */
static CK_RV check_output(CK_BYTE_PTR signature, CK_ULONG_PTR signature_length, bool *query)
{
	*query = false;
	if (signature_length == NULL)
		return CKR_ARGUMENTS_BAD;
	if (signature == NULL) {
		*signature_length = KEY_SIGNATURE_SIZE;
		*query = true;
		return CKR_OK;
	}
	if (*signature_length < KEY_SIGNATURE_SIZE) {
		*signature_length = KEY_SIGNATURE_SIZE;
		return CKR_BUFFER_TOO_SMALL;
	}
	return CKR_OK;
}

/* A program that asks again at once, multi-part, after a failed single-part
 * signature (pkcs11-tool does so by itself): the second prompt on the device
 * is no accident, and the person is told. */
#define RETRY_WINDOW_MS 10000

static void say_if_retried(const struct session *session, size_t index)
{
	if (session->sign_updated && session->sign_failed_ms != 0 &&
	    session->sign_failed_identity == index &&
	    clock_monotonic_ms() - session->sign_failed_ms < RETRY_WINDOW_MS)
		log_error("%s asks for the signature again after it failed (it retries by "
			  "itself): the Trezor asks once more", module_program());
}

static void note_outcome(struct session *session, size_t index, CK_RV rv)
{
	bool from_device = rv != CKR_OK && rv != CKR_SESSION_HANDLE_INVALID &&
			   rv != CKR_CRYPTOKI_NOT_INITIALIZED && rv != CKR_HOST_MEMORY;

	session->sign_failed_ms = from_device ? clock_monotonic_ms() : 0;
	session->sign_failed_identity = index;
}

/* Have the device sign the challenge for the session's key; ends the operation. */
static CK_RV sign_challenge(CK_SESSION_HANDLE handle, struct session *session,
			    const uint8_t *challenge, size_t challenge_length,
			    CK_BYTE_PTR signature, CK_ULONG_PTR signature_length)
{
	struct slot *slot = session->slot;
	size_t index = session->sign_identity;
	const struct key_identity *key = token_identity(index);
	struct prompt_context prompt;
	struct object_view view;
	uint8_t point[KEY_POINT_MAX];
	char name[IDENTITIES_LABEL_MAX + 1];
	bool key_replaced = false;
	CK_RV rv, resumed;

	session->sign_busy = true;
	rv = api_token_usable(slot) ? CKR_OK : CKR_DEVICE_REMOVED;
	if (rv == CKR_OK)
		rv = api_fetch_keys(slot, index, 1);   /* the key the device must use */
	/* The lock was let go: nobody confirms for a session closed meanwhile. */
	if (rv == CKR_OK && session_get(handle) == NULL)
		rv = CKR_SESSION_HANDLE_INVALID;
	if (rv == CKR_OK)
		say_if_retried(session, index);
	if (rv == CKR_OK) {
		token_object(slot, index, true, &view);
		memcpy(point, view.point, sizeof(point));
		key_identity_name(key, name);   /* the prompt names the identity plainly */
		api_prompt_begin(slot, name, &prompt);
		module_suspend();
		rv = conversation_sign(slot, key, &prompt, point, &key_replaced, challenge,
				       challenge_length, module_program(), signature);
		resumed = module_resume();
		api_prompt_end(slot, &prompt);
		if (key_replaced) {
			/* Keep the key the device has now; the next listing shows it. */
			token_store_key(slot, index, point);
			token_save_keys(slot, true);
		}
		if (rv == CKR_OK)
			rv = resumed;
	}
	/* The session may have been closed meanwhile. */
	session = session_get(handle);
	if (session != NULL) {
		note_outcome(session, index, rv);
		session_end_sign(session);
	}
	if (rv == CKR_OK)
		*signature_length = KEY_SIGNATURE_SIZE;
	return rv;
}

/* Feed input; on failure the operation ends, as the standard says. */
static CK_RV feed(struct session *session, CK_BYTE_PTR data, CK_ULONG length)
{
	CK_RV rv;

	if (data == NULL && length > 0) {
		session_end_sign(session);
		return CKR_ARGUMENTS_BAD;
	}
	rv = length > 0 ? sign_input_update(&session->input, data, length) : CKR_OK;
	if (rv != CKR_OK)
		session_end_sign(session);
	return rv;
}

/* Finish the input and sign; every outcome but a length answer ends it. */
static CK_RV finish(CK_SESSION_HANDLE handle, struct session *session, CK_BYTE_PTR signature,
		    CK_ULONG_PTR signature_length)
{
	uint8_t challenge[SIGN_MESSAGE_MAX];
	size_t length = 0;
	CK_RV rv = sign_input_finish(&session->input, challenge, &length);

	if (rv == CKR_OK)
		rv = sign_challenge(handle, session, challenge, length, signature,
				    signature_length);
	else
		session_end_sign(session);
	explicit_bzero(challenge, sizeof(challenge));
	return rv;
}

CK_RV api_sign(CK_SESSION_HANDLE handle, CK_BYTE_PTR data, CK_ULONG data_length,
	       CK_BYTE_PTR signature, CK_ULONG_PTR signature_length)
{
	struct session *session;
	bool query;
	CK_RV rv = signing_session(handle, &session);

	if (rv != CKR_OK)
		return rv;
	if (session->sign_updated)
		return CKR_OPERATION_ACTIVE;    /* a multi-part sign ends with C_SignFinal */
	if (data == NULL && data_length > 0) {
		session_end_sign(session);      /* a length query too: the call is wrong */
		return CKR_ARGUMENTS_BAD;
	}
	rv = check_output(signature, signature_length, &query);
	if (rv == CKR_ARGUMENTS_BAD)
		session_end_sign(session);
	if (rv != CKR_OK || query)
		return rv;
	rv = feed(session, data, data_length);
	if (rv != CKR_OK)
		return rv;
	return finish(handle, session, signature, signature_length);
}

CK_RV api_sign_update(CK_SESSION_HANDLE handle, CK_BYTE_PTR part, CK_ULONG part_length)
{
	struct session *session;
	CK_RV rv = signing_session(handle, &session);

	if (rv != CKR_OK)
		return rv;
	session->sign_updated = true;
	return feed(session, part, part_length);
}

CK_RV api_sign_final(CK_SESSION_HANDLE handle, CK_BYTE_PTR signature,
		     CK_ULONG_PTR signature_length)
{
	struct session *session;
	bool query;
	CK_RV rv = signing_session(handle, &session);

	if (rv != CKR_OK)
		return rv;
	rv = check_output(signature, signature_length, &query);
	if (rv == CKR_ARGUMENTS_BAD)
		session_end_sign(session);
	if (rv != CKR_OK || query)
		return rv;
	return finish(handle, session, signature, signature_length);
}

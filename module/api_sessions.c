/* Sessions and login. See api.h. */
#include "config.h"

#include "api.h"

#include <string.h>

#include "session.h"

CK_RV api_open_session(CK_SLOT_ID id, CK_FLAGS flags, CK_SESSION_HANDLE_PTR handle)
{
	struct slot *slot;

	if (handle == NULL)
		return CKR_ARGUMENTS_BAD;
	slot = api_find_slot(id);
	if (slot == NULL)
		return CKR_SLOT_ID_INVALID;
	if (!(flags & CKF_SERIAL_SESSION))
		return CKR_SESSION_PARALLEL_NOT_SUPPORTED;
	if (!slot_has_token(slot))
		return CKR_TOKEN_NOT_PRESENT;
	/* Read-write sessions open too (ssh asks for one); objects stay read-only. */
	return session_open(slot, flags & (CKF_RW_SESSION | CKF_SERIAL_SESSION), handle);
}

/* The login state ends with the last session of the token. */
static void forget_login_if_unused(struct slot *slot)
{
	CK_ULONG all, rw;

	sessions_count_slot(slot, &all, &rw);
	if (all == 0) {
		slot->logged_in = false;
		explicit_bzero(slot->pin, sizeof(slot->pin));
	}
}

CK_RV api_close_session(CK_SESSION_HANDLE handle)
{
	struct session *session = session_get(handle);
	struct slot *slot;

	if (session == NULL)
		return CKR_SESSION_HANDLE_INVALID;
	slot = session->slot;
	session_close(handle);
	forget_login_if_unused(slot);
	return CKR_OK;
}

CK_RV api_close_all_sessions(CK_SLOT_ID id)
{
	struct slot *slot = api_find_slot(id);

	if (slot == NULL)
		return CKR_SLOT_ID_INVALID;
	sessions_close_slot(slot);
	forget_login_if_unused(slot);
	return CKR_OK;
}

CK_RV api_get_session_info(CK_SESSION_HANDLE handle, CK_SESSION_INFO_PTR info)
{
	struct session *session = session_get(handle);

	if (session == NULL)
		return CKR_SESSION_HANDLE_INVALID;
	if (info == NULL)
		return CKR_ARGUMENTS_BAD;
	memset(info, 0, sizeof(*info));
	info->slotID = session->slot->id;
	info->state = session_state(session);
	info->flags = session->flags;
	info->ulDeviceError = 0;
	return CKR_OK;
}

/*
 * CKU_SO. With a read-only session of the token open the SO cannot log in:
 * CKR_SESSION_READ_ONLY_EXISTS, as v2.40 section 5.6 (C_Login) says. With
 * the user logged in, another user is (CKR_USER_ANOTHER_ALREADY_LOGGED_IN,
 * section 5.1.6). Otherwise: a Trezor has no security officer (no PIN above
 * the user's), and the standard has no code for a token without one; this
 * module's choice is CKR_USER_TYPE_INVALID, a user type the token lacks.
 */
static CK_RV login_security_officer(const struct slot *slot)
{
	CK_ULONG all, rw;

	sessions_count_slot(slot, &all, &rw);
	if (all > rw)
		return CKR_SESSION_READ_ONLY_EXISTS;
	if (slot->logged_in)
		return CKR_USER_ANOTHER_ALREADY_LOGGED_IN;
	return CKR_USER_TYPE_INVALID;
}

/*
 * Login is never required: the Trezor asks for its PIN itself when it signs.
 * A PIN given here is kept for that moment.
 */
CK_RV api_login(CK_SESSION_HANDLE handle, CK_USER_TYPE user, CK_UTF8CHAR_PTR pin,
		CK_ULONG pin_length)
{
	struct session *session = session_get(handle);
	struct slot *slot;

	if (session == NULL)
		return CKR_SESSION_HANDLE_INVALID;
	slot = session->slot;
	if (pin == NULL && pin_length != 0)
		return CKR_ARGUMENTS_BAD;
	if (user == CKU_SO)
		return login_security_officer(slot);
	/*
	 * A context-specific login authorises one use of a key with
	 * CKA_ALWAYS_AUTHENTICATE. No key here has it, and for such a key the
	 * standard (v2.40 section 4.9, private key objects) wants
	 * CKR_OPERATION_NOT_INITIALIZED, the operation and the session state
	 * left as they are.
	 */
	if (user == CKU_CONTEXT_SPECIFIC)
		return CKR_OPERATION_NOT_INITIALIZED;
	if (user != CKU_USER)
		return CKR_USER_TYPE_INVALID;
	if (slot->logged_in)
		return CKR_USER_ALREADY_LOGGED_IN;
	if (pin_length > SLOT_PIN_MAX)
		return CKR_PIN_LEN_RANGE;
	explicit_bzero(slot->pin, sizeof(slot->pin));
	if (pin != NULL)
		memcpy(slot->pin, pin, pin_length);
	slot->logged_in = true;
	return CKR_OK;
}

CK_RV api_logout(CK_SESSION_HANDLE handle)
{
	struct session *session = session_get(handle);

	if (session == NULL)
		return CKR_SESSION_HANDLE_INVALID;
	if (!session->slot->logged_in)
		return CKR_USER_NOT_LOGGED_IN;
	session->slot->logged_in = false;
	explicit_bzero(session->slot->pin, sizeof(session->slot->pin));
	return CKR_OK;
}

/*
 * Conformance, session management (PKCS#11 v2.40 section 5.6): sessions,
 * their states, login and logout. See conformance.h.
 */
#include "config.h"

#include "conformance.h"

#include <string.h>

/* ---- C_OpenSession ---------------------------------------------------------------- */

static CK_RV never_notify(CK_SESSION_HANDLE handle, CK_NOTIFICATION event, CK_VOID_PTR data)
{
	(void)handle;
	(void)event;
	(void)data;
	ck_abort_msg("the module called a notification callback");
	return CKR_OK;
}

START_TEST(open_session_rules)
{
	CK_SESSION_HANDLE opened = CK_INVALID_HANDLE, second;
	CK_SESSION_INFO info;
	CK_BYTE signature[SIGNATURE_SIZE];
	CK_ULONG length = sizeof(signature);

	ck_assert_uint_eq(p11->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, NULL),
			  CKR_ARGUMENTS_BAD);
	ck_assert_uint_eq(p11->C_OpenSession(NO_SUCH_SLOT, CKF_SERIAL_SESSION, NULL, NULL,
					     &opened), CKR_SLOT_ID_INVALID);
	ck_assert_uint_eq(p11->C_OpenSession(slot, 0, NULL, NULL, &opened),
			  CKR_SESSION_PARALLEL_NOT_SUPPORTED);
	ck_assert_uint_eq(p11->C_OpenSession(slot, CKF_RW_SESSION, NULL, NULL, &opened),
			  CKR_SESSION_PARALLEL_NOT_SUPPORTED);
	ck_assert_uint_eq(opened, CK_INVALID_HANDLE);
	/* A read-write session opens (ssh asks for one); the objects stay read-only. */
	opened = open_session(CKF_SERIAL_SESSION | CKF_RW_SESSION);
	second = open_session(CKF_SERIAL_SESSION);
	ck_assert_uint_ne(opened, session);
	ck_assert_uint_ne(second, opened);
	ck_assert_uint_eq(p11->C_GetSessionInfo(opened, &info), CKR_OK);
	ck_assert_uint_eq(info.flags, CKF_SERIAL_SESSION | CKF_RW_SESSION);
	ck_assert_uint_eq(p11->C_GetSessionInfo(second, &info), CKR_OK);
	ck_assert_uint_eq(info.flags, CKF_SERIAL_SESSION);
	/* A notification callback is taken (and never called: nothing to surrender). */
	ck_assert_uint_eq(p11->C_OpenSession(slot, CKF_SERIAL_SESSION, &info, never_notify,
					     &opened), CKR_OK);
	ck_assert_uint_eq(p11->C_SignInit(opened, &ecdsa, ALICE_PRIVATE), CKR_OK);
	ck_assert_uint_eq(p11->C_Sign(opened, data_in, 32, signature, &length), CKR_OK);
}
END_TEST

START_TEST(open_session_without_token)
{
	CK_SESSION_HANDLE opened;

	initialize_without_device();
	ck_assert_uint_eq(p11->C_OpenSession(EMPTY_SLOT, CKF_SERIAL_SESSION, NULL, NULL, &opened),
			  CKR_TOKEN_NOT_PRESENT);
	/* With no session to close there, closing them all is fine. */
	ck_assert_uint_eq(p11->C_CloseAllSessions(EMPTY_SLOT), CKR_OK);
}
END_TEST

/* ---- C_CloseSession, C_CloseAllSessions ------------------------------------------- */

START_TEST(close_session_rules)
{
	CK_SESSION_HANDLE other = open_session(CKF_SERIAL_SESSION), reopened;
	CK_OBJECT_HANDLE found;
	CK_ULONG got;

	ck_assert_uint_eq(p11->C_CloseSession(CK_INVALID_HANDLE), CKR_SESSION_HANDLE_INVALID);
	ck_assert_uint_eq(p11->C_CloseSession(NO_SUCH_SESSION), CKR_SESSION_HANDLE_INVALID);
	ck_assert_uint_eq(p11->C_FindObjectsInit(session, NULL, 0), CKR_OK);
	ck_assert_uint_eq(p11->C_SignInit(other, &ecdsa, ALICE_PRIVATE), CKR_OK);
	ck_assert_uint_eq(p11->C_CloseSession(session), CKR_OK);
	ck_assert_uint_eq(p11->C_CloseSession(session), CKR_SESSION_HANDLE_INVALID);
	ck_assert_uint_eq(p11->C_FindObjects(session, &found, 1, &got),
			  CKR_SESSION_HANDLE_INVALID);
	ck_assert_uint_eq(p11->C_CloseSession(other), CKR_OK);
	/* Handles are not given out again. */
	reopened = open_session(CKF_SERIAL_SESSION);
	ck_assert_uint_ne(reopened, session);
	ck_assert_uint_ne(reopened, other);
	ck_assert_int_eq(signatures_made(), 0);
}
END_TEST

START_TEST(close_all_sessions_rules)
{
	CK_SESSION_HANDLE rw = open_session(CKF_SERIAL_SESSION | CKF_RW_SESSION);
	CK_SESSION_INFO info;

	ck_assert_uint_eq(p11->C_CloseAllSessions(NO_SUCH_SLOT), CKR_SLOT_ID_INVALID);
	ck_assert_uint_eq(p11->C_CloseAllSessions(EMPTY_SLOT), CKR_SLOT_ID_INVALID);
	ck_assert_uint_eq(p11->C_CloseAllSessions(slot), CKR_OK);
	ck_assert_uint_eq(p11->C_GetSessionInfo(session, &info), CKR_SESSION_HANDLE_INVALID);
	ck_assert_uint_eq(p11->C_GetSessionInfo(rw, &info), CKR_SESSION_HANDLE_INVALID);
	ck_assert_uint_eq(p11->C_CloseAllSessions(slot), CKR_OK);      /* none left: fine */
}
END_TEST

/* ---- C_GetSessionInfo ------------------------------------------------------------ */

START_TEST(session_info)
{
	CK_SESSION_INFO info;

	ck_assert_uint_eq(p11->C_GetSessionInfo(session, NULL), CKR_ARGUMENTS_BAD);
	ck_assert_uint_eq(p11->C_GetSessionInfo(NO_SUCH_SESSION, &info),
			  CKR_SESSION_HANDLE_INVALID);
	ck_assert_uint_eq(p11->C_GetSessionInfo(CK_INVALID_HANDLE, &info),
			  CKR_SESSION_HANDLE_INVALID);
	memset(&info, 0xaa, sizeof(info));
	ck_assert_uint_eq(p11->C_GetSessionInfo(session, &info), CKR_OK);
	ck_assert_uint_eq(info.slotID, slot);
	ck_assert_uint_eq(info.state, CKS_RO_PUBLIC_SESSION);
	ck_assert_uint_eq(info.flags, CKF_SERIAL_SESSION);
	ck_assert_uint_eq(info.ulDeviceError, 0);
}
END_TEST

/* ---- C_Login, C_Logout ---------------------------------------------------------------- */

/* The login state is the token's: every session of it follows. */
START_TEST(session_states)
{
	CK_SESSION_HANDLE rw = open_session(CKF_SERIAL_SESSION | CKF_RW_SESSION), later;

	ck_assert_uint_eq(state_of(session), CKS_RO_PUBLIC_SESSION);
	ck_assert_uint_eq(state_of(rw), CKS_RW_PUBLIC_SESSION);
	/* A protected authentication path: no PIN through the caller. */
	ck_assert_uint_eq(p11->C_Login(session, CKU_USER, NULL, 0), CKR_OK);
	ck_assert_uint_eq(state_of(session), CKS_RO_USER_FUNCTIONS);
	ck_assert_uint_eq(state_of(rw), CKS_RW_USER_FUNCTIONS);
	later = open_session(CKF_SERIAL_SESSION);
	ck_assert_uint_eq(state_of(later), CKS_RO_USER_FUNCTIONS);
	ck_assert_uint_eq(p11->C_Logout(rw), CKR_OK);
	ck_assert_uint_eq(state_of(session), CKS_RO_PUBLIC_SESSION);
	ck_assert_uint_eq(state_of(rw), CKS_RW_PUBLIC_SESSION);
	ck_assert_uint_eq(state_of(later), CKS_RO_PUBLIC_SESSION);
}
END_TEST

START_TEST(login_rules)
{
	CK_SESSION_HANDLE rw = open_session(CKF_SERIAL_SESSION | CKF_RW_SESSION);
	CK_UTF8CHAR pin[] = "123456", long_pin[51];

	memset(long_pin, '1', sizeof(long_pin));
	ck_assert_uint_eq(p11->C_Login(NO_SUCH_SESSION, CKU_USER, pin, 6),
			  CKR_SESSION_HANDLE_INVALID);
	ck_assert_uint_eq(p11->C_Logout(NO_SUCH_SESSION), CKR_SESSION_HANDLE_INVALID);
	ck_assert_uint_eq(p11->C_Login(session, CKU_USER, NULL, 6), CKR_ARGUMENTS_BAD);
	ck_assert_uint_eq(p11->C_Login(session, 7, pin, 6), CKR_USER_TYPE_INVALID);
	ck_assert_uint_eq(p11->C_Login(session, CKU_CONTEXT_SPECIFIC, pin, 6),
			  CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_uint_eq(p11->C_Login(session, CKU_USER, long_pin, 51), CKR_PIN_LEN_RANGE);
	ck_assert_uint_eq(p11->C_Logout(session), CKR_USER_NOT_LOGGED_IN);
	ck_assert_uint_eq(state_of(session), CKS_RO_PUBLIC_SESSION);
	ck_assert_uint_eq(p11->C_Login(session, CKU_USER, long_pin, 50), CKR_OK);
	ck_assert_uint_eq(p11->C_Login(session, CKU_USER, pin, 6), CKR_USER_ALREADY_LOGGED_IN);
	ck_assert_uint_eq(p11->C_Login(rw, CKU_USER, pin, 6), CKR_USER_ALREADY_LOGGED_IN);
	ck_assert_uint_eq(p11->C_Logout(session), CKR_OK);
	ck_assert_uint_eq(p11->C_Logout(rw), CKR_USER_NOT_LOGGED_IN);
	/* Nothing was asked of the device: the PIN waits for the next signature. */
	ck_assert_int_eq(sim_process_count(&sim, "<- PinMatrixAck"), 0);
}
END_TEST

/*
 * CKU_SO. v2.40 section 5.6 (C_Login) decides one case: with a read-only
 * session of the token open, the SO cannot log in, and the answer is
 * CKR_SESSION_READ_ONLY_EXISTS. With the user logged in, another user is
 * (CKR_USER_ANOTHER_ALREADY_LOGGED_IN, section 5.1.6). Left with only
 * read-write sessions, a Trezor still has no security officer (no PIN above
 * the user's, nothing C_InitPIN or C_InitToken could do), and the standard
 * has no code for that: the module's choice is CKR_USER_TYPE_INVALID. The
 * session state never changes.
 */
START_TEST(login_security_officer)
{
	CK_SESSION_HANDLE rw = open_session(CKF_SERIAL_SESSION | CKF_RW_SESSION);
	CK_UTF8CHAR pin[] = "123456";

	/* The fixture's read-only session is open. */
	ck_assert_uint_eq(p11->C_Login(rw, CKU_SO, pin, 6), CKR_SESSION_READ_ONLY_EXISTS);
	ck_assert_uint_eq(p11->C_Login(session, CKU_SO, NULL, 0), CKR_SESSION_READ_ONLY_EXISTS);
	ck_assert_uint_eq(state_of(rw), CKS_RW_PUBLIC_SESSION);
	/* Read-write sessions only. */
	ck_assert_uint_eq(p11->C_CloseSession(session), CKR_OK);
	ck_assert_uint_eq(p11->C_Login(rw, CKU_SO, pin, 6), CKR_USER_TYPE_INVALID);
	ck_assert_uint_eq(state_of(rw), CKS_RW_PUBLIC_SESSION);
	ck_assert_uint_eq(p11->C_Logout(rw), CKR_USER_NOT_LOGGED_IN);
	ck_assert_uint_eq(p11->C_Login(rw, CKU_USER, NULL, 0), CKR_OK);
	ck_assert_uint_eq(p11->C_Login(rw, CKU_SO, pin, 6), CKR_USER_ANOTHER_ALREADY_LOGGED_IN);
	ck_assert_uint_eq(state_of(rw), CKS_RW_USER_FUNCTIONS);
	/* A read-only session again: that answer comes first. */
	session = open_session(CKF_SERIAL_SESSION);
	ck_assert_uint_eq(p11->C_Login(rw, CKU_SO, pin, 6), CKR_SESSION_READ_ONLY_EXISTS);
	ck_assert_uint_eq(state_of(session), CKS_RO_USER_FUNCTIONS);
}
END_TEST

/*
 * CKU_CONTEXT_SPECIFIC re-authenticates for a key with
 * CKA_ALWAYS_AUTHENTICATE. No key has it, so the login is refused with
 * CKR_OPERATION_NOT_INITIALIZED (v2.40 section 4.9), and neither the
 * operation nor the session state changes.
 */
START_TEST(login_context_specific)
{
	CK_UTF8CHAR pin[] = "123456";
	CK_BBOOL always = CK_TRUE;
	CK_ATTRIBUTE always_authenticate = { CKA_ALWAYS_AUTHENTICATE, &always, sizeof(always) };
	CK_ULONG length = 0;

	ck_assert_uint_eq(p11->C_GetAttributeValue(session, ALICE_PRIVATE, &always_authenticate,
						   1), CKR_OK);
	ck_assert_uint_eq(always, CK_FALSE);
	ck_assert_uint_eq(p11->C_SignInit(session, &ecdsa, ALICE_PRIVATE), CKR_OK);
	ck_assert_uint_eq(p11->C_Login(session, CKU_CONTEXT_SPECIFIC, pin, 6),
			  CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_uint_eq(p11->C_Login(session, CKU_CONTEXT_SPECIFIC, NULL, 0),
			  CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_uint_eq(state_of(session), CKS_RO_PUBLIC_SESSION);
	ck_assert_uint_eq(p11->C_Sign(session, data_in, 32, NULL, &length), CKR_OK);
	ck_assert_uint_eq(length, SIGNATURE_SIZE);
	/* Logged in as the user, the same. */
	ck_assert_uint_eq(p11->C_Login(session, CKU_USER, NULL, 0), CKR_OK);
	ck_assert_uint_eq(p11->C_Login(session, CKU_CONTEXT_SPECIFIC, pin, 6),
			  CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_uint_eq(state_of(session), CKS_RO_USER_FUNCTIONS);
	ck_assert_uint_eq(p11->C_Sign(session, data_in, 32, NULL, &length), CKR_OK);
	ck_assert_int_eq(signatures_made(), 0);
}
END_TEST

/* The login ends with the token's last session, closed one way or another. */
START_TEST(closing_sessions_logs_out)
{
	CK_SESSION_HANDLE other = open_session(CKF_SERIAL_SESSION);

	ck_assert_uint_eq(p11->C_Login(session, CKU_USER, NULL, 0), CKR_OK);
	ck_assert_uint_eq(p11->C_CloseSession(session), CKR_OK);
	ck_assert_uint_eq(state_of(other), CKS_RO_USER_FUNCTIONS);      /* one is left */
	ck_assert_uint_eq(p11->C_CloseSession(other), CKR_OK);
	session = open_session(CKF_SERIAL_SESSION);
	ck_assert_uint_eq(state_of(session), CKS_RO_PUBLIC_SESSION);

	ck_assert_uint_eq(p11->C_Login(session, CKU_USER, NULL, 0), CKR_OK);
	open_session(CKF_SERIAL_SESSION | CKF_RW_SESSION);
	ck_assert_uint_eq(p11->C_CloseAllSessions(slot), CKR_OK);
	session = open_session(CKF_SERIAL_SESSION | CKF_RW_SESSION);
	ck_assert_uint_eq(state_of(session), CKS_RW_PUBLIC_SESSION);
	ck_assert_uint_eq(p11->C_Logout(session), CKR_USER_NOT_LOGGED_IN);
}
END_TEST

/* ---- the cases ------------------------------------------------------------------ */

void conformance_session_cases(Suite *suite)
{
	TCase *tc;

	tc = conformance_area(suite, "C_OpenSession", set_up_ready);
	tcase_add_test(tc, open_session_rules);
	tcase_add_test(tc, open_session_without_token);

	tc = conformance_area(suite, "C_CloseSession, C_CloseAllSessions", set_up_ready);
	tcase_add_test(tc, close_session_rules);
	tcase_add_test(tc, close_all_sessions_rules);

	tc = conformance_area(suite, "C_GetSessionInfo", set_up_ready);
	tcase_add_test(tc, session_info);

	tc = conformance_area(suite, "C_Login, C_Logout", set_up_ready);
	tcase_add_test(tc, session_states);
	tcase_add_test(tc, login_rules);
	tcase_add_test(tc, login_security_officer);
	tcase_add_test(tc, login_context_specific);
	tcase_add_test(tc, closing_sessions_logs_out);
}

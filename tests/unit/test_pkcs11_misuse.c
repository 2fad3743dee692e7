/*
 * A caller breaking PKCS#11's rules gets the precise CKR_* code, never a
 * crash or a device round trip: the module (dlopen'ed as a program would)
 * against the simulator.
 */
#include "config.h"

#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "helpers.h"
#include "pkcs11_types.h"

static struct sim_process sim;
static void *library;
static CK_FUNCTION_LIST *p11;

static void set_up(void)
{
	module_environment(&sim, NULL);
	p11 = module_load(&library);
}

static void tear_down(void)
{
	p11->C_Finalize(NULL);
	sim_process_stop(&sim);
}

/* Initialise and open a session on the first token. */
static CK_SESSION_HANDLE open_session(CK_FLAGS flags)
{
	CK_SLOT_ID slot;
	CK_ULONG slots = 1;
	CK_SESSION_HANDLE session;

	ck_assert_int_eq(p11->C_GetSlotList(CK_TRUE, &slot, &slots), CKR_OK);
	ck_assert_uint_eq(slots, 1);
	ck_assert_int_eq(p11->C_OpenSession(slot, flags, NULL, NULL, &session), CKR_OK);
	return session;
}

/* Handles: 2i+1 public, 2i+2 private; alice is identity 0. */
#define ALICE_PUBLIC 1
#define ALICE_PRIVATE 2

START_TEST(everything_before_initialize)
{
	CK_ULONG n = 0;
	CK_SLOT_ID slot = 0;
	CK_BYTE buffer[8];
	CK_OBJECT_HANDLE object = 0;
	CK_RV expected = CKR_CRYPTOKI_NOT_INITIALIZED;

	ck_assert_int_eq(p11->C_Finalize(NULL), expected);
	ck_assert_int_eq(p11->C_GetInfo(NULL), expected);
	ck_assert_int_eq(p11->C_GetSlotList(CK_FALSE, NULL, &n), expected);
	ck_assert_int_eq(p11->C_GetSlotInfo(0, NULL), expected);
	ck_assert_int_eq(p11->C_GetTokenInfo(0, NULL), expected);
	ck_assert_int_eq(p11->C_GetMechanismList(0, NULL, &n), expected);
	ck_assert_int_eq(p11->C_GetMechanismInfo(0, CKM_ECDSA, NULL), expected);
	ck_assert_int_eq(p11->C_InitToken(0, NULL, 0, NULL), expected);
	ck_assert_int_eq(p11->C_InitPIN(1, NULL, 0), expected);
	ck_assert_int_eq(p11->C_SetPIN(1, NULL, 0, NULL, 0), expected);
	ck_assert_int_eq(p11->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &n), expected);
	ck_assert_int_eq(p11->C_CloseSession(1), expected);
	ck_assert_int_eq(p11->C_CloseAllSessions(0), expected);
	ck_assert_int_eq(p11->C_GetSessionInfo(1, NULL), expected);
	ck_assert_int_eq(p11->C_GetOperationState(1, NULL, &n), expected);
	ck_assert_int_eq(p11->C_SetOperationState(1, NULL, 0, 0, 0), expected);
	ck_assert_int_eq(p11->C_Login(1, CKU_USER, NULL, 0), expected);
	ck_assert_int_eq(p11->C_Logout(1), expected);
	ck_assert_int_eq(p11->C_CreateObject(1, NULL, 0, &object), expected);
	ck_assert_int_eq(p11->C_CopyObject(1, 1, NULL, 0, &object), expected);
	ck_assert_int_eq(p11->C_DestroyObject(1, 1), expected);
	ck_assert_int_eq(p11->C_GetObjectSize(1, 1, &n), expected);
	ck_assert_int_eq(p11->C_GetAttributeValue(1, 1, NULL, 0), expected);
	ck_assert_int_eq(p11->C_SetAttributeValue(1, 1, NULL, 0), expected);
	ck_assert_int_eq(p11->C_FindObjectsInit(1, NULL, 0), expected);
	ck_assert_int_eq(p11->C_FindObjects(1, &object, 1, &n), expected);
	ck_assert_int_eq(p11->C_FindObjectsFinal(1), expected);
	ck_assert_int_eq(p11->C_EncryptInit(1, NULL, 1), expected);
	ck_assert_int_eq(p11->C_Encrypt(1, NULL, 0, NULL, &n), expected);
	ck_assert_int_eq(p11->C_EncryptUpdate(1, NULL, 0, NULL, &n), expected);
	ck_assert_int_eq(p11->C_EncryptFinal(1, NULL, &n), expected);
	ck_assert_int_eq(p11->C_DecryptInit(1, NULL, 1), expected);
	ck_assert_int_eq(p11->C_Decrypt(1, NULL, 0, NULL, &n), expected);
	ck_assert_int_eq(p11->C_DecryptUpdate(1, NULL, 0, NULL, &n), expected);
	ck_assert_int_eq(p11->C_DecryptFinal(1, NULL, &n), expected);
	ck_assert_int_eq(p11->C_DigestInit(1, NULL), expected);
	ck_assert_int_eq(p11->C_Digest(1, NULL, 0, NULL, &n), expected);
	ck_assert_int_eq(p11->C_DigestUpdate(1, NULL, 0), expected);
	ck_assert_int_eq(p11->C_DigestKey(1, 1), expected);
	ck_assert_int_eq(p11->C_DigestFinal(1, NULL, &n), expected);
	ck_assert_int_eq(p11->C_SignInit(1, NULL, 1), expected);
	ck_assert_int_eq(p11->C_Sign(1, NULL, 0, NULL, &n), expected);
	ck_assert_int_eq(p11->C_SignUpdate(1, NULL, 0), expected);
	ck_assert_int_eq(p11->C_SignFinal(1, NULL, &n), expected);
	ck_assert_int_eq(p11->C_SignRecoverInit(1, NULL, 1), expected);
	ck_assert_int_eq(p11->C_SignRecover(1, NULL, 0, NULL, &n), expected);
	ck_assert_int_eq(p11->C_VerifyInit(1, NULL, 1), expected);
	ck_assert_int_eq(p11->C_Verify(1, NULL, 0, NULL, 0), expected);
	ck_assert_int_eq(p11->C_VerifyUpdate(1, NULL, 0), expected);
	ck_assert_int_eq(p11->C_VerifyFinal(1, NULL, 0), expected);
	ck_assert_int_eq(p11->C_VerifyRecoverInit(1, NULL, 1), expected);
	ck_assert_int_eq(p11->C_VerifyRecover(1, NULL, 0, NULL, &n), expected);
	ck_assert_int_eq(p11->C_DigestEncryptUpdate(1, NULL, 0, NULL, &n), expected);
	ck_assert_int_eq(p11->C_DecryptDigestUpdate(1, NULL, 0, NULL, &n), expected);
	ck_assert_int_eq(p11->C_SignEncryptUpdate(1, NULL, 0, NULL, &n), expected);
	ck_assert_int_eq(p11->C_DecryptVerifyUpdate(1, NULL, 0, NULL, &n), expected);
	ck_assert_int_eq(p11->C_GenerateKey(1, NULL, NULL, 0, &object), expected);
	ck_assert_int_eq(p11->C_GenerateKeyPair(1, NULL, NULL, 0, NULL, 0, &object, &object),
			 expected);
	ck_assert_int_eq(p11->C_WrapKey(1, NULL, 1, 1, NULL, &n), expected);
	ck_assert_int_eq(p11->C_UnwrapKey(1, NULL, 1, NULL, 0, NULL, 0, &object), expected);
	ck_assert_int_eq(p11->C_DeriveKey(1, NULL, 1, NULL, 0, &object), expected);
	ck_assert_int_eq(p11->C_SeedRandom(1, buffer, 1), expected);
	ck_assert_int_eq(p11->C_GenerateRandom(1, buffer, 1), expected);
	ck_assert_int_eq(p11->C_GetFunctionStatus(1), expected);
	ck_assert_int_eq(p11->C_CancelFunction(1), expected);
	ck_assert_int_eq(p11->C_WaitForSlotEvent(0, &slot, NULL), expected);
	/* Nothing reached the device. */
	ck_assert_int_eq(sim_process_count(&sim, "<- "), 0);
}
END_TEST

START_TEST(second_initialize)
{
	ck_assert_int_eq(p11->C_Initialize(NULL), CKR_OK);
	ck_assert_int_eq(p11->C_Initialize(NULL), CKR_CRYPTOKI_ALREADY_INITIALIZED);
}
END_TEST

static int app_mutex_calls;

static CK_RV app_create(CK_VOID_PTR_PTR mutex)
{
	app_mutex_calls++;
	*mutex = calloc(1, sizeof(pthread_mutex_t));
	return *mutex != NULL && pthread_mutex_init(*mutex, NULL) == 0 ? CKR_OK : CKR_HOST_MEMORY;
}

static CK_RV app_destroy(CK_VOID_PTR mutex)
{
	app_mutex_calls++;
	pthread_mutex_destroy(mutex);
	free(mutex);
	return CKR_OK;
}

static CK_RV app_lock(CK_VOID_PTR mutex)
{
	app_mutex_calls++;
	return pthread_mutex_lock(mutex) == 0 ? CKR_OK : CKR_GENERAL_ERROR;
}

static CK_RV app_unlock(CK_VOID_PTR mutex)
{
	app_mutex_calls++;
	return pthread_mutex_unlock(mutex) == 0 ? CKR_OK : CKR_GENERAL_ERROR;
}

START_TEST(initialize_arguments)
{
	CK_C_INITIALIZE_ARGS args = { 0 };
	CK_ULONG slots;
	char reserved[] = "x-init-reserved";

	args.pReserved = reserved;
	ck_assert_int_eq(p11->C_Initialize(&args), CKR_ARGUMENTS_BAD);
	memset(&args, 0, sizeof(args));
	args.CreateMutex = app_create;          /* some callbacks but not all */
	ck_assert_int_eq(p11->C_Initialize(&args), CKR_ARGUMENTS_BAD);
	args.DestroyMutex = app_destroy;
	args.LockMutex = app_lock;
	args.UnlockMutex = app_unlock;
	/* Callbacks without CKF_OS_LOCKING_OK: the module must use them. */
	app_mutex_calls = 0;
	ck_assert_int_eq(p11->C_Initialize(&args), CKR_OK);
	ck_assert_int_eq(p11->C_GetSlotList(CK_TRUE, NULL, &slots), CKR_OK);
	ck_assert_int_gt(app_mutex_calls, 2);
	ck_assert_int_eq(p11->C_Finalize(NULL), CKR_OK);
	/* With CKF_OS_LOCKING_OK it may use the system's. */
	args.flags = CKF_OS_LOCKING_OK;
	ck_assert_int_eq(p11->C_Initialize(&args), CKR_OK);
	ck_assert_int_eq(p11->C_Finalize(NULL), CKR_OK);
	memset(&args, 0, sizeof(args));
	args.flags = CKF_OS_LOCKING_OK;
	ck_assert_int_eq(p11->C_Initialize(&args), CKR_OK);
	ck_assert_int_eq(p11->C_Finalize(&args), CKR_ARGUMENTS_BAD);
	ck_assert_int_eq(p11->C_Finalize(NULL), CKR_OK);
	ck_assert_int_eq(p11->C_Finalize(NULL), CKR_CRYPTOKI_NOT_INITIALIZED);
}
END_TEST

START_TEST(null_pointers)
{
	CK_SESSION_HANDLE session;
	CK_SLOT_ID slot;
	CK_ULONG slots = 1;
	CK_MECHANISM mechanism = { CKM_ECDSA, NULL, 0 };
	CK_BYTE digest[32] = { 1 };

	ck_assert_int_eq(p11->C_GetFunctionList(NULL), CKR_ARGUMENTS_BAD);
	ck_assert_int_eq(p11->C_Initialize(NULL), CKR_OK);
	ck_assert_int_eq(p11->C_GetInfo(NULL), CKR_ARGUMENTS_BAD);
	ck_assert_int_eq(p11->C_GetSlotList(CK_TRUE, NULL, NULL), CKR_ARGUMENTS_BAD);
	ck_assert_int_eq(p11->C_GetSlotList(CK_TRUE, &slot, &slots), CKR_OK);
	ck_assert_int_eq(p11->C_GetSlotInfo(slot, NULL), CKR_ARGUMENTS_BAD);
	ck_assert_int_eq(p11->C_GetTokenInfo(slot, NULL), CKR_ARGUMENTS_BAD);
	ck_assert_int_eq(p11->C_GetMechanismList(slot, NULL, NULL), CKR_ARGUMENTS_BAD);
	ck_assert_int_eq(p11->C_GetMechanismInfo(slot, CKM_ECDSA, NULL), CKR_ARGUMENTS_BAD);
	ck_assert_int_eq(p11->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, NULL),
			 CKR_ARGUMENTS_BAD);
	session = open_session(CKF_SERIAL_SESSION);
	ck_assert_int_eq(p11->C_GetSessionInfo(session, NULL), CKR_ARGUMENTS_BAD);
	ck_assert_int_eq(p11->C_GetAttributeValue(session, ALICE_PUBLIC, NULL, 1),
			 CKR_ARGUMENTS_BAD);
	ck_assert_int_eq(p11->C_FindObjectsInit(session, NULL, 1), CKR_ARGUMENTS_BAD);
	ck_assert_int_eq(p11->C_FindObjectsInit(session, NULL, 0), CKR_OK);
	ck_assert_int_eq(p11->C_FindObjects(session, NULL, 1, &slots), CKR_ARGUMENTS_BAD);
	ck_assert_int_eq(p11->C_FindObjectsFinal(session), CKR_OK);
	ck_assert_int_eq(p11->C_SignInit(session, NULL, ALICE_PRIVATE), CKR_ARGUMENTS_BAD);
	ck_assert_int_eq(p11->C_SignInit(session, &mechanism, ALICE_PRIVATE), CKR_OK);
	ck_assert_int_eq(p11->C_Sign(session, digest, sizeof(digest), NULL, NULL),
			 CKR_ARGUMENTS_BAD);
	/* That ended the operation. */
	ck_assert_int_eq(p11->C_Sign(session, digest, sizeof(digest), NULL, &slots),
			 CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_int_eq(sim_process_count(&sim, "<- SignIdentity"), 0);
}
END_TEST

START_TEST(bad_handles)
{
	CK_SESSION_HANDLE session;
	CK_SLOT_INFO slot_info;
	CK_TOKEN_INFO token_info;
	CK_SESSION_INFO session_info;
	CK_ULONG n;
	CK_MECHANISM mechanism = { CKM_ECDSA, NULL, 0 };
	CK_ATTRIBUTE label = { CKA_LABEL, NULL, 0 };

	ck_assert_int_eq(p11->C_Initialize(NULL), CKR_OK);
	ck_assert_int_eq(p11->C_GetSlotInfo(12345, &slot_info), CKR_SLOT_ID_INVALID);
	ck_assert_int_eq(p11->C_GetTokenInfo(12345, &token_info), CKR_SLOT_ID_INVALID);
	ck_assert_int_eq(p11->C_GetMechanismList(12345, NULL, &n), CKR_SLOT_ID_INVALID);
	ck_assert_int_eq(p11->C_OpenSession(12345, CKF_SERIAL_SESSION, NULL, NULL, &session),
			 CKR_SLOT_ID_INVALID);
	ck_assert_int_eq(p11->C_CloseAllSessions(12345), CKR_SLOT_ID_INVALID);
	ck_assert_int_eq(p11->C_GetSessionInfo(999, &session_info), CKR_SESSION_HANDLE_INVALID);
	ck_assert_int_eq(p11->C_CloseSession(999), CKR_SESSION_HANDLE_INVALID);
	ck_assert_int_eq(p11->C_FindObjectsInit(999, NULL, 0), CKR_SESSION_HANDLE_INVALID);
	ck_assert_int_eq(p11->C_SignInit(999, &mechanism, ALICE_PRIVATE),
			 CKR_SESSION_HANDLE_INVALID);
	session = open_session(CKF_SERIAL_SESSION);
	ck_assert_int_eq(p11->C_GetAttributeValue(session, 0, &label, 1), CKR_OBJECT_HANDLE_INVALID);
	ck_assert_int_eq(p11->C_GetAttributeValue(session, 5, &label, 1), CKR_OBJECT_HANDLE_INVALID);
	ck_assert_int_eq(p11->C_GetObjectSize(session, 99, &n), CKR_OBJECT_HANDLE_INVALID);
	ck_assert_int_eq(p11->C_SignInit(session, &mechanism, 77), CKR_KEY_HANDLE_INVALID);
	ck_assert_int_eq(p11->C_CloseSession(session), CKR_OK);
	ck_assert_int_eq(p11->C_CloseSession(session), CKR_SESSION_HANDLE_INVALID);
}
END_TEST

START_TEST(sign_rules)
{
	CK_SESSION_HANDLE session;
	CK_MECHANISM ecdsa = { CKM_ECDSA, NULL, 0 }, rsa = { CKM_RSA_PKCS, NULL, 0 };
	CK_BYTE parameter = 0, digest[32], signature[72];
	CK_MECHANISM with_parameter = { CKM_ECDSA, &parameter, 1 };
	CK_ULONG length = sizeof(signature);
	char hex[129];
	int i;

	for (i = 0; i < 32; i++)
		digest[i] = (CK_BYTE)(0xa0 + i);
	ck_assert_int_eq(p11->C_Initialize(NULL), CKR_OK);
	session = open_session(CKF_SERIAL_SESSION | CKF_RW_SESSION);
	ck_assert_int_eq(p11->C_Sign(session, digest, 32, signature, &length),
			 CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_int_eq(p11->C_SignInit(session, &rsa, ALICE_PRIVATE), CKR_MECHANISM_INVALID);
	ck_assert_int_eq(p11->C_SignInit(session, &with_parameter, ALICE_PRIVATE),
			 CKR_MECHANISM_PARAM_INVALID);
	ck_assert_int_eq(p11->C_SignInit(session, &ecdsa, ALICE_PUBLIC),
			 CKR_KEY_FUNCTION_NOT_PERMITTED);
	ck_assert_int_eq(p11->C_SignInit(session, &ecdsa, ALICE_PRIVATE), CKR_OK);
	ck_assert_int_eq(p11->C_SignInit(session, &ecdsa, ALICE_PRIVATE), CKR_OPERATION_ACTIVE);

	/* Length query and a short buffer: answered here, the operation lives on. */
	ck_assert_int_eq(p11->C_Sign(session, digest, 32, NULL, &length), CKR_OK);
	ck_assert_uint_eq(length, 64);
	length = 63;
	ck_assert_int_eq(p11->C_Sign(session, digest, 32, signature, &length),
			 CKR_BUFFER_TOO_SMALL);
	ck_assert_uint_eq(length, 64);
	ck_assert_int_eq(sim_process_count(&sim, "<- SignIdentity"), 0);

	/* ssh's way: a 72-byte buffer, no query. */
	length = sizeof(signature);
	ck_assert_int_eq(p11->C_Sign(session, digest, 32, signature, &length), CKR_OK);
	ck_assert_uint_eq(length, 64);
	bytes_to_hex(signature, 64, hex);
	ck_assert_str_eq(hex, "9a9c40ff057fc0378f6b607df35052c781990063783f7b4efbe979ee565e6a94"
			      "2cffe25bdfde710d9c3486f2b647007614df2af87d18847e1c64464ed4d1ef03");
	ck_assert_int_eq(sim_process_count(&sim, "<- SignIdentity"), 1);
	/* The operation is over. */
	ck_assert_int_eq(p11->C_Sign(session, digest, 32, signature, &length),
			 CKR_OPERATION_NOT_INITIALIZED);
}
END_TEST

START_TEST(finalize_with_open_sessions)
{
	CK_SESSION_HANDLE session;
	CK_SESSION_INFO info;

	ck_assert_int_eq(p11->C_Initialize(NULL), CKR_OK);
	session = open_session(CKF_SERIAL_SESSION);
	open_session(CKF_SERIAL_SESSION | CKF_RW_SESSION);
	ck_assert_int_eq(p11->C_Finalize(NULL), CKR_OK);
	ck_assert_int_eq(p11->C_GetSessionInfo(session, &info), CKR_CRYPTOKI_NOT_INITIALIZED);
	ck_assert_int_eq(p11->C_Initialize(NULL), CKR_OK);
	ck_assert_int_eq(p11->C_GetSessionInfo(session, &info), CKR_SESSION_HANDLE_INVALID);
}
END_TEST

struct signer {
	CK_SESSION_HANDLE session;
	CK_RV rv;
	int64_t done_ms;
	CK_BYTE signature[64];
};

static void *sign_in_thread(void *argument)
{
	struct signer *signer = argument;
	CK_MECHANISM ecdsa = { CKM_ECDSA, NULL, 0 };
	CK_BYTE digest[32];
	CK_ULONG length = sizeof(signer->signature);

	memset(digest, 0x42, sizeof(digest));
	signer->rv = p11->C_SignInit(signer->session, &ecdsa, ALICE_PRIVATE);
	if (signer->rv == CKR_OK)
		signer->rv = p11->C_Sign(signer->session, digest, 32, signer->signature, &length);
	signer->done_ms = clock_monotonic_ms();
	return NULL;
}

/* Lines of the simulator log about signing, in order. */
static void sign_conversation(char *out, size_t size)
{
	static const char *const wanted[] = { "<- SignIdentity", "-> ButtonRequest",
					      "<- ButtonAck", "-> SignedIdentity" };
	char line[256];
	FILE *log = fopen(sim.log_path, "r");
	size_t i;

	ck_assert_ptr_nonnull(log);
	out[0] = '\0';
	while (fgets(line, sizeof(line), log) != NULL) {
		for (i = 0; i < 4; i++) {
			if (strstr(line, wanted[i]) == NULL)
				continue;
			strncat(out, wanted[i], size - strlen(out) - 1);
			strncat(out, ";", size - strlen(out) - 1);
		}
	}
	fclose(log);
}

START_TEST(second_thread_waits_its_turn)
{
	static const char *const slow[] = { "--confirm-delay", "1500", NULL };
	struct signer first = { 0 }, second = { 0 };
	pthread_t thread;
	int64_t started;
	char conversation[512];
	struct timespec pause = { 0, 300 * 1000 * 1000 };

	sim_process_stop(&sim);
	module_environment(&sim, slow);
	ck_assert_int_eq(p11->C_Initialize(NULL), CKR_OK);
	first.session = open_session(CKF_SERIAL_SESSION);
	second.session = open_session(CKF_SERIAL_SESSION);
	started = clock_monotonic_ms();
	ck_assert_int_eq(pthread_create(&thread, NULL, sign_in_thread, &first), 0);
	nanosleep(&pause, NULL);        /* the first now waits for the person */
	sign_in_thread(&second);
	pthread_join(thread, NULL);
	ck_assert_int_eq(first.rv, CKR_OK);
	ck_assert_int_eq(second.rv, CKR_OK);
	/* The second waited for the first: two confirmations, one after the other. */
	ck_assert_int_ge(second.done_ms - started, 3000);
	ck_assert_int_lt(first.done_ms, second.done_ms);
	ck_assert_mem_eq(first.signature, second.signature, 64);
	sign_conversation(conversation, sizeof(conversation));
	ck_assert_str_eq(conversation,
			 "<- SignIdentity;-> ButtonRequest;<- ButtonAck;-> SignedIdentity;"
			 "<- SignIdentity;-> ButtonRequest;<- ButtonAck;-> SignedIdentity;");
}
END_TEST

START_TEST(fork_needs_initialize)
{
	CK_ULONG slots = 0;
	pid_t child;
	int status;

	ck_assert_int_eq(p11->C_Initialize(NULL), CKR_OK);
	ck_assert_int_eq(p11->C_GetSlotList(CK_TRUE, NULL, &slots), CKR_OK);
	ck_assert_uint_eq(slots, 1);
	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		CK_ULONG seen = 0;

		if (p11->C_GetSlotList(CK_TRUE, NULL, &seen) != CKR_CRYPTOKI_NOT_INITIALIZED)
			_exit(1);
		if (p11->C_Initialize(NULL) != CKR_OK)
			_exit(2);
		if (p11->C_GetSlotList(CK_TRUE, NULL, &seen) != CKR_OK || seen != 1)
			_exit(3);
		_exit(p11->C_Finalize(NULL) == CKR_OK ? 0 : 4);
	}
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	/* The parent goes on. */
	ck_assert_int_eq(p11->C_GetSlotList(CK_TRUE, NULL, &slots), CKR_OK);
	ck_assert_uint_eq(slots, 1);
}
END_TEST

static Suite *misuse_suite(void)
{
	Suite *suite = suite_create("pkcs11 misuse");
	TCase *tc = tcase_create("rules");

	tcase_add_checked_fixture(tc, set_up, tear_down);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, everything_before_initialize);
	tcase_add_test(tc, second_initialize);
	tcase_add_test(tc, initialize_arguments);
	tcase_add_test(tc, null_pointers);
	tcase_add_test(tc, bad_handles);
	tcase_add_test(tc, sign_rules);
	tcase_add_test(tc, finalize_with_open_sessions);
	tcase_add_test(tc, second_thread_waits_its_turn);
	tcase_add_test(tc, fork_needs_initialize);
	suite_add_tcase(suite, tc);
	return suite;
}

int main(void)
{
	return run_suite(misuse_suite());
}

/*
 * Conformance, general-purpose functions (PKCS#11 v2.40 section 5.4): the
 * function list, C_Initialize, C_Finalize, C_GetInfo. See conformance.h.
 */
#include "config.h"

#include "conformance.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* ---- C_GetFunctionList ------------------------------------------------------------ */

START_TEST(function_list_before_initialize)
{
	CK_FUNCTION_LIST_PTR again = NULL;

	ck_assert_uint_eq(p11->C_GetFunctionList(NULL), CKR_ARGUMENTS_BAD);
	ck_assert_uint_eq(p11->C_GetFunctionList(&again), CKR_OK);
	ck_assert_ptr_eq(again, p11);
	ck_assert_uint_eq(p11->version.major, 2);
	ck_assert_uint_eq(p11->version.minor, 40);
}
END_TEST

/* function_entries is the whole list, in order, and no entry is NULL. */
START_TEST(function_list_has_no_null_entry)
{
	size_t first = offsetof(CK_FUNCTION_LIST, C_Initialize), i;
	void (*function)(void);

	ck_assert_uint_eq((sizeof(CK_FUNCTION_LIST) - first) / sizeof(CK_C_Initialize),
			  FUNCTION_LIST_LENGTH);
	for (i = 0; i < FUNCTION_LIST_LENGTH; i++) {
		ck_assert_uint_eq(function_entries[i].offset, first + i * sizeof(CK_C_Initialize));
		memcpy(&function, (const char *)p11 + function_entries[i].offset,
		       sizeof(function));
		ck_assert_msg(function != NULL, "%s is NULL", function_entries[i].name);
	}
}
END_TEST

/*
 * Stubs answer CKR_FUNCTION_NOT_SUPPORTED, the legacy parallel functions
 * CKR_FUNCTION_NOT_PARALLEL; nothing reaches the device.
 */
START_TEST(unsupported_functions)
{
	size_t i, unsupported = 0;

	ck_assert_uint_eq(p11->C_Initialize(NULL), CKR_OK);
	ck_assert_uint_eq(p11->C_OpenSession(SIMULATOR_SLOT, CKF_SERIAL_SESSION | CKF_RW_SESSION,
					     NULL, NULL, &session), CKR_OK);
	for (i = 0; i < FUNCTION_LIST_LENGTH; i++) {
		const struct function_entry *entry = &function_entries[i];
		CK_RV rv;

		if (entry->kind != ENTRY_UNSUPPORTED && entry->kind != ENTRY_LEGACY)
			continue;
		rv = function_entry_call(p11, entry, SIMULATOR_SLOT, session);
		if (entry->kind == ENTRY_LEGACY) {
			ck_assert_msg(rv == CKR_FUNCTION_NOT_PARALLEL, "%s: 0x%lx", entry->name,
				      rv);
			continue;
		}
		ck_assert_msg(rv == CKR_FUNCTION_NOT_SUPPORTED, "%s: 0x%lx", entry->name, rv);
		unsupported++;
	}
	ck_assert_uint_eq(unsupported, 35);
	ck_assert_int_eq(sim_process_count(&sim, "<- GetPublicKey"), 0);
	ck_assert_int_eq(signatures_made(), 0);
}
END_TEST

/* ---- C_Initialize ---------------------------------------------------------------- */

START_TEST(every_function_before_initialize)
{
	size_t i, called = 0;

	for (i = 0; i < FUNCTION_LIST_LENGTH; i++) {
		const struct function_entry *entry = &function_entries[i];
		CK_RV rv;

		if (entry->kind == ENTRY_LIFE)
			continue;
		rv = function_entry_call(p11, entry, SIMULATOR_SLOT, 1);
		ck_assert_msg(rv == CKR_CRYPTOKI_NOT_INITIALIZED, "%s: 0x%lx", entry->name, rv);
		called++;
	}
	ck_assert_uint_eq(called, FUNCTION_LIST_LENGTH - 2);
	/* Nothing reached the device. */
	ck_assert_int_eq(sim_process_count(&sim, "<- "), 0);
}
END_TEST

START_TEST(initialize_twice)
{
	ck_assert_uint_eq(p11->C_Initialize(NULL), CKR_OK);
	ck_assert_uint_eq(p11->C_Initialize(NULL), CKR_CRYPTOKI_ALREADY_INITIALIZED);
	ck_assert_uint_eq(p11->C_GetInfo(&info_out), CKR_OK);
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

/* A refused C_Initialize leaves the module uninitialised; each says why. */
START_TEST(initialize_arguments)
{
	CK_C_INITIALIZE_ARGS args;
	char reserved_text[] = "x-init-reserved", errors[1024];

	memset(&args, 0, sizeof(args));
	args.pReserved = reserved_text;
	capture_stderr();
	ck_assert_uint_eq(p11->C_Initialize(&args), CKR_ARGUMENTS_BAD);
	ck_assert_uint_eq(p11->C_GetInfo(&info_out), CKR_CRYPTOKI_NOT_INITIALIZED);
	memset(&args, 0, sizeof(args));
	args.CreateMutex = app_create;          /* some callbacks but not all */
	args.LockMutex = app_lock;
	ck_assert_uint_eq(p11->C_Initialize(&args), CKR_ARGUMENTS_BAD);
	args.flags = CKF_OS_LOCKING_OK;         /* the flag does not excuse it */
	ck_assert_uint_eq(p11->C_Initialize(&args), CKR_ARGUMENTS_BAD);
	ck_assert_uint_eq(p11->C_GetInfo(&info_out), CKR_CRYPTOKI_NOT_INITIALIZED);
	captured_stderr(errors, sizeof(errors));
	ck_assert_str_eq(errors,
			 "trezor-pkcs11: C_Initialize: pReserved must be NULL "
			 "(is x-init-reserved set in a p11-kit module config?)\n"
			 "trezor-pkcs11: C_Initialize: give all four mutex functions or none\n"
			 "trezor-pkcs11: C_Initialize: give all four mutex functions or none\n");
}
END_TEST

START_TEST(initialize_locking)
{
	CK_C_INITIALIZE_ARGS args;
	CK_ULONG slots;

	memset(&args, 0, sizeof(args));
	args.CreateMutex = app_create;
	args.DestroyMutex = app_destroy;
	args.LockMutex = app_lock;
	args.UnlockMutex = app_unlock;
	/* Callbacks without CKF_OS_LOCKING_OK: the module must use them. */
	app_mutex_calls = 0;
	ck_assert_uint_eq(p11->C_Initialize(&args), CKR_OK);
	ck_assert_uint_eq(p11->C_GetSlotList(CK_TRUE, NULL, &slots), CKR_OK);
	ck_assert_int_gt(app_mutex_calls, 2);
	ck_assert_uint_eq(p11->C_Finalize(NULL), CKR_OK);
	/* With CKF_OS_LOCKING_OK as well it may use the system's, and does. */
	args.flags = CKF_OS_LOCKING_OK;
	app_mutex_calls = 0;
	ck_assert_uint_eq(p11->C_Initialize(&args), CKR_OK);
	ck_assert_uint_eq(p11->C_GetSlotList(CK_TRUE, NULL, &slots), CKR_OK);
	ck_assert_int_eq(app_mutex_calls, 0);
	ck_assert_uint_eq(p11->C_Finalize(NULL), CKR_OK);
	/* CKF_OS_LOCKING_OK alone, and no arguments at all. */
	memset(&args, 0, sizeof(args));
	args.flags = CKF_OS_LOCKING_OK;
	ck_assert_uint_eq(p11->C_Initialize(&args), CKR_OK);
	ck_assert_uint_eq(p11->C_Finalize(NULL), CKR_OK);
	memset(&args, 0, sizeof(args));
	ck_assert_uint_eq(p11->C_Initialize(&args), CKR_OK);
	ck_assert_uint_eq(p11->C_Finalize(NULL), CKR_OK);
}
END_TEST

/*
 * CKF_LIBRARY_CANT_CREATE_OS_THREADS: a deliberate deviation. libusb starts
 * a thread of its own, so the standard would have C_Initialize answer
 * CKR_NEED_TO_CREATE_THREADS; but GnuTLS 3.8.11 (and Debian 12's) passes the
 * flag on every C_Initialize and gives up on that answer. The module
 * accepts the flag, silently, and works as without it.
 */
START_TEST(initialize_without_threads)
{
	CK_C_INITIALIZE_ARGS args;
	CK_SLOT_ID found = 0;
	CK_ULONG slots = 1;
	char errors[256];

	memset(&args, 0, sizeof(args));
	args.flags = CKF_LIBRARY_CANT_CREATE_OS_THREADS | CKF_OS_LOCKING_OK;
	capture_stderr();
	ck_assert_uint_eq(p11->C_Initialize(&args), CKR_OK);
	ck_assert_uint_eq(p11->C_GetSlotList(CK_TRUE, &found, &slots), CKR_OK);
	ck_assert_uint_eq(slots, 1);
	ck_assert_uint_eq(found, SIMULATOR_SLOT);
	ck_assert_uint_eq(p11->C_Finalize(NULL), CKR_OK);
	args.flags = CKF_LIBRARY_CANT_CREATE_OS_THREADS;
	ck_assert_uint_eq(p11->C_Initialize(&args), CKR_OK);
	captured_stderr(errors, sizeof(errors));
	ck_assert_str_eq(errors, "");
}
END_TEST

/* ---- C_Finalize ---------------------------------------------------------------- */

START_TEST(finalize_arguments)
{
	char reserved_text[] = "reserved";

	ck_assert_uint_eq(p11->C_Initialize(NULL), CKR_OK);
	ck_assert_uint_eq(p11->C_Finalize(reserved_text), CKR_ARGUMENTS_BAD);
	ck_assert_uint_eq(p11->C_GetInfo(&info_out), CKR_OK);   /* still initialised */
	ck_assert_uint_eq(p11->C_Finalize(NULL), CKR_OK);
	ck_assert_uint_eq(p11->C_Finalize(NULL), CKR_CRYPTOKI_NOT_INITIALIZED);
	ck_assert_uint_eq(p11->C_GetInfo(&info_out), CKR_CRYPTOKI_NOT_INITIALIZED);
	/* And it can begin again. */
	ck_assert_uint_eq(p11->C_Initialize(NULL), CKR_OK);
	ck_assert_uint_eq(p11->C_GetInfo(&info_out), CKR_OK);
}
END_TEST

START_TEST(finalize_with_open_sessions)
{
	CK_SESSION_HANDLE ro, rw;
	CK_SESSION_INFO info;

	ck_assert_uint_eq(p11->C_Initialize(NULL), CKR_OK);
	slot = SIMULATOR_SLOT;
	ro = open_session(CKF_SERIAL_SESSION);
	rw = open_session(CKF_SERIAL_SESSION | CKF_RW_SESSION);
	ck_assert_uint_eq(p11->C_SignInit(ro, &ecdsa, ALICE_PRIVATE), CKR_OK);
	ck_assert_uint_eq(p11->C_Finalize(NULL), CKR_OK);
	ck_assert_uint_eq(p11->C_GetSessionInfo(ro, &info), CKR_CRYPTOKI_NOT_INITIALIZED);
	ck_assert_uint_eq(p11->C_Initialize(NULL), CKR_OK);
	ck_assert_uint_eq(p11->C_GetSessionInfo(ro, &info), CKR_SESSION_HANDLE_INVALID);
	ck_assert_uint_eq(p11->C_GetSessionInfo(rw, &info), CKR_SESSION_HANDLE_INVALID);
	ck_assert_int_eq(signatures_made(), 0);
}
END_TEST

/* ---- C_GetInfo ---------------------------------------------------------------- */

START_TEST(get_info)
{
	CK_INFO info;

	ck_assert_uint_eq(p11->C_GetInfo(NULL), CKR_ARGUMENTS_BAD);
	memset(&info, 0xaa, sizeof(info));
	ck_assert_uint_eq(p11->C_GetInfo(&info), CKR_OK);
	ck_assert_uint_eq(info.cryptokiVersion.major, 2);
	ck_assert_uint_eq(info.cryptokiVersion.minor, 40);
	assert_text_field(info.manufacturerID, sizeof(info.manufacturerID),
			  "trezor-pkcs11 project");
	assert_text_field(info.libraryDescription, sizeof(info.libraryDescription),
			  "Trezor PKCS#11 module");
	ck_assert_uint_eq(info.flags, 0);
	ck_assert_uint_eq(info.libraryVersion.major, 0);
	ck_assert_uint_eq(info.libraryVersion.minor, 1);
}
END_TEST

/* ---- the cases ------------------------------------------------------------------ */

void conformance_general_cases(Suite *suite)
{
	TCase *tc;

	tc = conformance_area(suite, "C_GetFunctionList", set_up_loaded);
	tcase_add_test(tc, function_list_before_initialize);
	tcase_add_test(tc, function_list_has_no_null_entry);
	tcase_add_test(tc, unsupported_functions);

	tc = conformance_area(suite, "C_Initialize", set_up_loaded);
	tcase_add_test(tc, every_function_before_initialize);
	tcase_add_test(tc, initialize_twice);
	tcase_add_test(tc, initialize_arguments);
	tcase_add_test(tc, initialize_locking);
	tcase_add_test(tc, initialize_without_threads);

	tc = conformance_area(suite, "C_Finalize", set_up_loaded);
	tcase_add_test(tc, finalize_arguments);
	tcase_add_test(tc, finalize_with_open_sessions);

	tc = conformance_area(suite, "C_GetInfo", set_up_ready);
	tcase_add_test(tc, get_info);
}

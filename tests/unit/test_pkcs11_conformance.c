/*
 * PKCS#11 v2.40 conformance, function by function: the module (dlopen'ed as
 * a program would) against the simulator. One TCase per function or area of
 * the base specification (and of the current-mechanisms document for
 * ECDSA): the return code for each bad argument, handle, mechanism and
 * state; the length conventions; the information structures.
 *
 * What the keys and signatures mean is test_pkcs11_api's business; threads
 * and fork() are test_pkcs11_misuse's.
 */
#include "config.h"

#include <check.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "function_list.h"
#include "helpers.h"
#include "pkcs11_types.h"

/* Handles: 2i+1 public, 2i+2 private; alice is identity 0, bob identity 1. */
#define ALICE_PUBLIC 1
#define ALICE_PRIVATE 2
#define BOB_PUBLIC 3
#define BOB_PRIVATE 4
#define ALICE_ID "20160ed6a16f089058d1dd9ddbb3a4a3"
#define SIMULATOR_SLOT 0x711f1fb
#define EMPTY_SLOT 0
#define NO_SUCH_SLOT 12345
#define NO_SUCH_SESSION 999
#define SIGNATURE_SIZE 64

static struct sim_process sim;
static void *library;
static CK_FUNCTION_LIST *p11;
static CK_SLOT_ID slot;
static CK_SESSION_HANDLE session;

/* ---- fixtures ---------------------------------------------------------------- */

/* The module loaded, not initialised, a simulator to find. */
static void set_up_loaded(void)
{
	module_environment(&sim, NULL);
	p11 = module_load(&library);
}

/*
 * A simulator started with `args`, the module initialised, the simulator's
 * slot found and a read-only session open on it.
 */
static void set_up_ready_with(const char *const *args)
{
	CK_ULONG slots = 1;

	module_environment(&sim, args);
	p11 = module_load(&library);
	ck_assert_uint_eq(p11->C_Initialize(NULL), CKR_OK);
	ck_assert_uint_eq(p11->C_GetSlotList(CK_TRUE, &slot, &slots), CKR_OK);
	ck_assert_uint_eq(slots, 1);
	ck_assert_uint_eq(p11->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &session),
			  CKR_OK);
}

static void set_up_ready(void)
{
	set_up_ready_with(NULL);
}

static void tear_down(void)
{
	p11->C_Finalize(NULL);
	sim_process_stop(&sim);
}

/* Start again with a simulator given these options. */
static void restart_with(const char *const *args)
{
	p11->C_Finalize(NULL);
	sim_process_stop(&sim);
	set_up_ready_with(args);
}

/* Initialised, with nothing answering where the device was. */
static void initialize_without_device(void)
{
	char path[64];

	p11->C_Finalize(NULL);
	snprintf(path, sizeof(path), "%s", sim.path);
	sim_process_stop(&sim);
	setenv("TREZOR_PATH", path, 1);
	ck_assert_uint_eq(p11->C_Initialize(NULL), CKR_OK);
}

/* ---- helpers -------------------------------------------------------------------- */

static CK_SESSION_HANDLE open_session(CK_FLAGS flags)
{
	CK_SESSION_HANDLE opened = CK_INVALID_HANDLE;

	ck_assert_uint_eq(p11->C_OpenSession(slot, flags, NULL, NULL, &opened), CKR_OK);
	ck_assert_uint_ne(opened, CK_INVALID_HANDLE);
	return opened;
}

static CK_STATE state_of(CK_SESSION_HANDLE handle)
{
	CK_SESSION_INFO info;

	ck_assert_uint_eq(p11->C_GetSessionInfo(handle, &info), CKR_OK);
	return info.state;
}

static int signatures_made(void)
{
	return sim_process_count(&sim, "<- SignIdentity");
}

static int confirmations_asked(void)
{
	return sim_process_count(&sim, "-> ButtonRequest");
}

/* The length of the valid UTF-8 sequence at `text` (within `room` bytes), or 0. */
static size_t utf8_sequence(const CK_UTF8CHAR *text, size_t room)
{
	CK_UTF8CHAR lead = text[0];
	CK_UTF8CHAR low = 0x80, high = 0xbf;
	size_t length, i;

	if (lead < 0x80)
		return 1;
	if (lead >= 0xc2 && lead <= 0xdf)
		length = 2;
	else if (lead >= 0xe0 && lead <= 0xef)
		length = 3;
	else if (lead >= 0xf0 && lead <= 0xf4)
		length = 4;
	else
		return 0;
	if (lead == 0xe0)
		low = 0xa0;
	if (lead == 0xed)
		high = 0x9f;
	if (lead == 0xf0)
		low = 0x90;
	if (lead == 0xf4)
		high = 0x8f;
	if (length > room || text[1] < low || text[1] > high)
		return 0;
	for (i = 2; i < length; i++)
		if (text[i] < 0x80 || text[i] > 0xbf)
			return 0;
	return length;
}

/*
 * A fixed-length CK_UTF8CHAR field as the standard wants it: UTF-8, no NUL
 * or other control character, padded with spaces; holding `text` when given.
 */
static void assert_text_field(const CK_UTF8CHAR *field, size_t size, const char *text)
{
	size_t i = 0, step;

	if (text != NULL) {
		ck_assert_uint_le(strlen(text), size);
		ck_assert_mem_eq(field, text, strlen(text));
		for (i = strlen(text); i < size; i++)
			ck_assert_msg(field[i] == ' ', "byte %zu is 0x%02x", i, field[i]);
	}
	for (i = 0; i < size; i += step) {
		step = utf8_sequence(field + i, size - i);
		ck_assert_msg(step > 0, "byte %zu of the field is not UTF-8", i);
		ck_assert_msg(field[i] >= 0x20 && field[i] != 0x7f, "byte %zu is a control", i);
	}
}

/* The module's stderr goes to a file between these two calls. */
static int saved_stderr = -1;
static char stderr_path[512];

static void capture_stderr(void)
{
	const char *tmp = getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp";
	int fd;

	snprintf(stderr_path, sizeof(stderr_path), "%s/trezor-stderr-XXXXXX", tmp);
	fd = mkstemp(stderr_path);
	ck_assert_int_ge(fd, 0);
	fflush(stderr);
	saved_stderr = dup(STDERR_FILENO);
	ck_assert_int_ge(saved_stderr, 0);
	ck_assert_int_ge(dup2(fd, STDERR_FILENO), 0);
	close(fd);
}

static void captured_stderr(char *text, size_t size)
{
	FILE *file;
	size_t length;

	ck_assert_int_ge(dup2(saved_stderr, STDERR_FILENO), 0);
	close(saved_stderr);
	saved_stderr = -1;
	file = fopen(stderr_path, "r");
	ck_assert_ptr_nonnull(file);
	length = fread(text, 1, size - 1, file);
	text[length] = '\0';
	fclose(file);
	unlink(stderr_path);
}

/* Arguments the tests share. */
static CK_MECHANISM ecdsa = { CKM_ECDSA, NULL, 0 };
static CK_BYTE data_in[32] = { 1, 2, 3 };
static CK_INFO info_out;

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
	ck_assert_uint_eq(unsupported, 37);
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

/* ---- C_GetSlotList ---------------------------------------------------------------- */

START_TEST(slot_list_lengths)
{
	CK_SLOT_ID slots[3] = { 7, 7, 7 };
	CK_ULONG length = 0;

	ck_assert_uint_eq(p11->C_GetSlotList(CK_TRUE, NULL, NULL), CKR_ARGUMENTS_BAD);
	ck_assert_uint_eq(p11->C_GetSlotList(CK_TRUE, slots, NULL), CKR_ARGUMENTS_BAD);
	ck_assert_uint_eq(p11->C_GetSlotList(CK_FALSE, NULL, &length), CKR_OK);
	ck_assert_uint_eq(length, 1);
	length = 0;
	ck_assert_uint_eq(p11->C_GetSlotList(CK_FALSE, slots, &length), CKR_BUFFER_TOO_SMALL);
	ck_assert_uint_eq(length, 1);
	ck_assert_uint_eq(slots[0], 7);
	length = 1;
	ck_assert_uint_eq(p11->C_GetSlotList(CK_TRUE, slots, &length), CKR_OK);
	ck_assert_uint_eq(length, 1);
	ck_assert_uint_eq(slots[0], SIMULATOR_SLOT);
	length = 3;
	ck_assert_uint_eq(p11->C_GetSlotList(CK_FALSE, slots, &length), CKR_OK);
	ck_assert_uint_eq(length, 1);
	ck_assert_uint_eq(slots[0], SIMULATOR_SLOT);
	ck_assert_uint_eq(slots[1], 7);
	/* Features were read once for all of this, without touching the session. */
	ck_assert_int_eq(sim_process_count(&sim, "<- GetFeatures"), 1);
	ck_assert_int_eq(sim_process_count(&sim, "<- Initialize"), 0);
}
END_TEST

/* No device: no slot with a token, and one empty slot among all slots. */
START_TEST(slot_list_without_device)
{
	CK_SLOT_ID empty = 7;
	CK_ULONG length = 1;

	initialize_without_device();
	ck_assert_uint_eq(p11->C_GetSlotList(CK_TRUE, NULL, &length), CKR_OK);
	ck_assert_uint_eq(length, 0);
	ck_assert_uint_eq(p11->C_GetSlotList(CK_TRUE, &empty, &length), CKR_OK);
	ck_assert_uint_eq(length, 0);
	ck_assert_uint_eq(p11->C_GetSlotList(CK_FALSE, &empty, &length), CKR_BUFFER_TOO_SMALL);
	ck_assert_uint_eq(length, 1);
	ck_assert_uint_eq(p11->C_GetSlotList(CK_FALSE, &empty, &length), CKR_OK);
	ck_assert_uint_eq(length, 1);
	ck_assert_uint_eq(empty, EMPTY_SLOT);
}
END_TEST

/* ---- C_GetSlotInfo ---------------------------------------------------------------- */

START_TEST(slot_info)
{
	CK_SLOT_INFO info;
	char description[128];

	ck_assert_uint_eq(p11->C_GetSlotInfo(slot, NULL), CKR_ARGUMENTS_BAD);
	ck_assert_uint_eq(p11->C_GetSlotInfo(NO_SUCH_SLOT, &info), CKR_SLOT_ID_INVALID);
	ck_assert_uint_eq(p11->C_GetSlotInfo(EMPTY_SLOT, &info), CKR_SLOT_ID_INVALID);
	memset(&info, 0xaa, sizeof(info));
	ck_assert_uint_eq(p11->C_GetSlotInfo(slot, &info), CKR_OK);
	snprintf(description, sizeof(description), "Trezor One at %s", sim.path);
	assert_text_field(info.slotDescription, sizeof(info.slotDescription), description);
	assert_text_field(info.manufacturerID, sizeof(info.manufacturerID), "SatoshiLabs");
	ck_assert_uint_eq(info.flags, CKF_TOKEN_PRESENT | CKF_REMOVABLE_DEVICE | CKF_HW_SLOT);
	ck_assert_uint_eq(info.hardwareVersion.major, 0);
	ck_assert_uint_eq(info.hardwareVersion.minor, 0);
	ck_assert_uint_eq(info.firmwareVersion.major, 1);
	ck_assert_uint_eq(info.firmwareVersion.minor, 12);
}
END_TEST

START_TEST(slot_info_without_token)
{
	CK_SLOT_INFO info;

	initialize_without_device();
	ck_assert_uint_eq(p11->C_GetSlotInfo(EMPTY_SLOT, &info), CKR_OK);
	assert_text_field(info.slotDescription, sizeof(info.slotDescription),
			  "Trezor (no device attached)");
	assert_text_field(info.manufacturerID, sizeof(info.manufacturerID), "SatoshiLabs");
	ck_assert_uint_eq(info.flags, CKF_REMOVABLE_DEVICE | CKF_HW_SLOT);
	ck_assert_uint_eq(info.firmwareVersion.major, 0);
	ck_assert_uint_eq(p11->C_GetSlotInfo(SIMULATOR_SLOT, &info), CKR_SLOT_ID_INVALID);
}
END_TEST

/* ---- C_GetTokenInfo ---------------------------------------------------------------- */

START_TEST(token_info)
{
	CK_TOKEN_INFO token;

	ck_assert_uint_eq(p11->C_GetTokenInfo(slot, NULL), CKR_ARGUMENTS_BAD);
	ck_assert_uint_eq(p11->C_GetTokenInfo(NO_SUCH_SLOT, &token), CKR_SLOT_ID_INVALID);
	open_session(CKF_SERIAL_SESSION | CKF_RW_SESSION);
	memset(&token, 0xaa, sizeof(token));
	ck_assert_uint_eq(p11->C_GetTokenInfo(slot, &token), CKR_OK);
	assert_text_field(token.label, sizeof(token.label), "Simulated Trezor");
	assert_text_field(token.manufacturerID, sizeof(token.manufacturerID), "SatoshiLabs");
	assert_text_field(token.model, sizeof(token.model), "Trezor One");
	assert_text_field(token.serialNumber, sizeof(token.serialNumber), "58ACF278961FCEF6");
	/* No clock on the token: utcTime is blank. */
	assert_text_field(token.utcTime, sizeof(token.utcTime), "");
	/*
	 * No CKF_LOGIN_REQUIRED: the device asks for what it needs when it signs;
	 * the PIN, if any, goes to the device's own pad or pinentry, not through
	 * the caller (CKF_PROTECTED_AUTHENTICATION_PATH). Write-protected: no
	 * object can be made or changed. No RNG, no clock, no dual-function
	 * operations, no PIN of the user's set through the module.
	 */
	ck_assert_uint_eq(token.flags, CKF_TOKEN_INITIALIZED | CKF_PROTECTED_AUTHENTICATION_PATH |
				       CKF_WRITE_PROTECTED);
	ck_assert_uint_eq(token.ulMaxSessionCount, CK_EFFECTIVELY_INFINITE);
	ck_assert_uint_eq(token.ulSessionCount, 2);
	ck_assert_uint_eq(token.ulMaxRwSessionCount, CK_EFFECTIVELY_INFINITE);
	ck_assert_uint_eq(token.ulRwSessionCount, 1);
	ck_assert_uint_eq(token.ulMaxPinLen, 50);
	ck_assert_uint_eq(token.ulMinPinLen, 1);
	/* The device says nothing of its memory. */
	ck_assert_uint_eq(token.ulTotalPublicMemory, CK_UNAVAILABLE_INFORMATION);
	ck_assert_uint_eq(token.ulFreePublicMemory, CK_UNAVAILABLE_INFORMATION);
	ck_assert_uint_eq(token.ulTotalPrivateMemory, CK_UNAVAILABLE_INFORMATION);
	ck_assert_uint_eq(token.ulFreePrivateMemory, CK_UNAVAILABLE_INFORMATION);
	ck_assert_uint_eq(token.hardwareVersion.major, 1);
	ck_assert_uint_eq(token.hardwareVersion.minor, 0);
	ck_assert_uint_eq(token.firmwareVersion.major, 1);
	ck_assert_uint_eq(token.firmwareVersion.minor, 12);
	ck_assert_uint_eq(p11->C_CloseAllSessions(slot), CKR_OK);
	ck_assert_uint_eq(p11->C_GetTokenInfo(slot, &token), CKR_OK);
	ck_assert_uint_eq(token.ulSessionCount, 0);
	ck_assert_uint_eq(token.ulRwSessionCount, 0);
}
END_TEST

/* A device with a PIN: its user PIN is initialised. */
START_TEST(token_info_with_pin)
{
	static const char *const locked[] = { "--pin", "1234", NULL };
	CK_TOKEN_INFO token;

	restart_with(locked);
	ck_assert_uint_eq(p11->C_GetTokenInfo(slot, &token), CKR_OK);
	ck_assert_uint_eq(token.flags, CKF_TOKEN_INITIALIZED | CKF_PROTECTED_AUTHENTICATION_PATH |
				       CKF_WRITE_PROTECTED | CKF_USER_PIN_INITIALIZED);
}
END_TEST

/*
 * The device's texts are not trusted to be UTF-8: what is not becomes '?',
 * and a character that does not fit is left out whole.
 */
START_TEST(token_texts_from_the_device)
{
	static const char *const odd[] = {
		"--label", "\xff" "Caf\xc3\xa9 \xed\xa0\x80!" "\xc0\xaf" "\xf4\x90\x80\x80",
		"--device-id", "0123456789ABCDE\xc3\xa9", NULL
	};
	CK_TOKEN_INFO token;

	restart_with(odd);
	ck_assert_uint_eq(p11->C_GetTokenInfo(slot, &token), CKR_OK);
	assert_text_field(token.label, sizeof(token.label), "?Caf\xc3\xa9 ???" "!??????");
	assert_text_field(token.serialNumber, sizeof(token.serialNumber), "0123456789ABCDE");
}
END_TEST

START_TEST(token_info_without_token)
{
	CK_TOKEN_INFO token;

	initialize_without_device();
	ck_assert_uint_eq(p11->C_GetTokenInfo(EMPTY_SLOT, &token), CKR_TOKEN_NOT_PRESENT);
	ck_assert_uint_eq(p11->C_GetTokenInfo(EMPTY_SLOT, NULL), CKR_ARGUMENTS_BAD);
}
END_TEST

/* ---- C_GetMechanismList ---------------------------------------------------------- */

START_TEST(mechanism_list)
{
	CK_MECHANISM_TYPE list[5] = { 7, 7, 7, 7, 7 };
	CK_ULONG length = 0;

	ck_assert_uint_eq(p11->C_GetMechanismList(slot, NULL, NULL), CKR_ARGUMENTS_BAD);
	ck_assert_uint_eq(p11->C_GetMechanismList(slot, list, NULL), CKR_ARGUMENTS_BAD);
	ck_assert_uint_eq(p11->C_GetMechanismList(NO_SUCH_SLOT, NULL, &length),
			  CKR_SLOT_ID_INVALID);
	ck_assert_uint_eq(p11->C_GetMechanismList(slot, NULL, &length), CKR_OK);
	ck_assert_uint_eq(length, 4);
	length = 3;
	ck_assert_uint_eq(p11->C_GetMechanismList(slot, list, &length), CKR_BUFFER_TOO_SMALL);
	ck_assert_uint_eq(length, 4);
	ck_assert_uint_eq(list[0], 7);
	ck_assert_uint_eq(p11->C_GetMechanismList(slot, list, &length), CKR_OK);
	ck_assert_uint_eq(length, 4);
	ck_assert_uint_eq(list[0], CKM_ECDSA);
	ck_assert_uint_eq(list[1], CKM_ECDSA_SHA256);
	ck_assert_uint_eq(list[2], CKM_ECDSA_SHA384);
	ck_assert_uint_eq(list[3], CKM_ECDSA_SHA512);
	length = 5;
	ck_assert_uint_eq(p11->C_GetMechanismList(slot, list, &length), CKR_OK);
	ck_assert_uint_eq(length, 4);
	ck_assert_uint_eq(list[4], 7);
}
END_TEST

START_TEST(mechanism_list_without_token)
{
	CK_ULONG length = 0;

	initialize_without_device();
	ck_assert_uint_eq(p11->C_GetMechanismList(EMPTY_SLOT, NULL, &length),
			  CKR_TOKEN_NOT_PRESENT);
}
END_TEST

/* ---- C_GetMechanismInfo ---------------------------------------------------------- */

/*
 * Every mechanism: P-256 only, so 256 bits (the field size, as the
 * current-mechanisms document measures EC keys); signing in hardware; a
 * prime field, a named curve (CKA_EC_PARAMS holds the OID) and uncompressed
 * points (CKA_EC_POINT). Nothing to verify, encrypt or generate.
 */
START_TEST(mechanism_info)
{
	static const CK_MECHANISM_TYPE ours[] = { CKM_ECDSA, CKM_ECDSA_SHA256, CKM_ECDSA_SHA384,
						  CKM_ECDSA_SHA512 };
	static const CK_MECHANISM_TYPE others[] = { CKM_RSA_PKCS, CKM_ECDSA_SHA1,
						    CKM_ECDSA_SHA224, CKM_EC_KEY_PAIR_GEN,
						    CKM_ECDH1_DERIVE, CKM_SHA256,
						    CKM_VENDOR_DEFINED | CKM_ECDSA };
	CK_MECHANISM_INFO info;
	size_t i;

	ck_assert_uint_eq(p11->C_GetMechanismInfo(slot, CKM_ECDSA, NULL), CKR_ARGUMENTS_BAD);
	ck_assert_uint_eq(p11->C_GetMechanismInfo(NO_SUCH_SLOT, CKM_ECDSA, &info),
			  CKR_SLOT_ID_INVALID);
	for (i = 0; i < sizeof(ours) / sizeof(ours[0]); i++) {
		memset(&info, 0xaa, sizeof(info));
		ck_assert_uint_eq(p11->C_GetMechanismInfo(slot, ours[i], &info), CKR_OK);
		ck_assert_uint_eq(info.ulMinKeySize, 256);
		ck_assert_uint_eq(info.ulMaxKeySize, 256);
		ck_assert_uint_eq(info.flags, CKF_HW | CKF_SIGN | CKF_EC_F_P | CKF_EC_NAMEDCURVE |
					      CKF_EC_UNCOMPRESS);
	}
	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		ck_assert_uint_eq(p11->C_GetMechanismInfo(slot, others[i], &info),
				  CKR_MECHANISM_INVALID);
}
END_TEST

START_TEST(mechanism_info_without_token)
{
	CK_MECHANISM_INFO info;

	initialize_without_device();
	ck_assert_uint_eq(p11->C_GetMechanismInfo(EMPTY_SLOT, CKM_ECDSA, &info),
			  CKR_TOKEN_NOT_PRESENT);
}
END_TEST

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
 * CKU_SO: a Trezor has no security officer (no PIN above the user's, and
 * nothing C_InitPIN or C_InitToken could do), so the user type is refused
 * as invalid for this token, and the session state does not change.
 */
START_TEST(login_security_officer)
{
	CK_SESSION_HANDLE rw = open_session(CKF_SERIAL_SESSION | CKF_RW_SESSION);
	CK_UTF8CHAR pin[] = "123456";

	ck_assert_uint_eq(p11->C_Login(rw, CKU_SO, pin, 6), CKR_USER_TYPE_INVALID);
	ck_assert_uint_eq(p11->C_Login(session, CKU_SO, NULL, 0), CKR_USER_TYPE_INVALID);
	ck_assert_uint_eq(state_of(rw), CKS_RW_PUBLIC_SESSION);
	ck_assert_uint_eq(p11->C_Logout(rw), CKR_USER_NOT_LOGGED_IN);
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

/* ---- C_FindObjectsInit, C_FindObjects, C_FindObjectsFinal ----------------------------- */

/* Handles a template finds, fetched one at a time (at most 8). */
static size_t find(CK_ATTRIBUTE *attributes, CK_ULONG length, CK_OBJECT_HANDLE *found)
{
	CK_ULONG got;
	size_t total = 0;

	ck_assert_uint_eq(p11->C_FindObjectsInit(session, attributes, length), CKR_OK);
	do {
		ck_assert_uint_eq(p11->C_FindObjects(session, found + total, 1, &got), CKR_OK);
		total += got;
	} while (got == 1 && total < 8);
	ck_assert_uint_eq(p11->C_FindObjectsFinal(session), CKR_OK);
	return total;
}

START_TEST(find_arguments)
{
	CK_OBJECT_HANDLE found[4];
	CK_ULONG got = 9;

	ck_assert_uint_eq(p11->C_FindObjectsInit(NO_SUCH_SESSION, NULL, 0),
			  CKR_SESSION_HANDLE_INVALID);
	ck_assert_uint_eq(p11->C_FindObjects(NO_SUCH_SESSION, found, 4, &got),
			  CKR_SESSION_HANDLE_INVALID);
	ck_assert_uint_eq(p11->C_FindObjectsFinal(NO_SUCH_SESSION), CKR_SESSION_HANDLE_INVALID);
	ck_assert_uint_eq(p11->C_FindObjectsInit(session, NULL, 1), CKR_ARGUMENTS_BAD);
	/* That began nothing. */
	ck_assert_uint_eq(p11->C_FindObjects(session, found, 4, &got),
			  CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_uint_eq(p11->C_FindObjectsInit(session, NULL, 0), CKR_OK);
	ck_assert_uint_eq(p11->C_FindObjects(session, NULL, 1, &got), CKR_ARGUMENTS_BAD);
	ck_assert_uint_eq(p11->C_FindObjects(session, found, 1, NULL), CKR_ARGUMENTS_BAD);
	/* Bad arguments ended nothing either. */
	ck_assert_uint_eq(p11->C_FindObjects(session, found, 4, &got), CKR_OK);
	ck_assert_uint_eq(got, 4);
	ck_assert_uint_eq(p11->C_FindObjectsFinal(session), CKR_OK);
}
END_TEST

START_TEST(find_operation)
{
	CK_OBJECT_HANDLE found[4] = { 0, 0, 0, 0 };
	CK_ULONG got = 9;

	ck_assert_uint_eq(p11->C_FindObjects(session, found, 4, &got),
			  CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_uint_eq(p11->C_FindObjectsFinal(session), CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_uint_eq(p11->C_FindObjectsInit(session, NULL, 0), CKR_OK);
	ck_assert_uint_eq(p11->C_FindObjectsInit(session, NULL, 0), CKR_OPERATION_ACTIVE);
	/* Room for none: none given, none used up. */
	ck_assert_uint_eq(p11->C_FindObjects(session, found, 0, &got), CKR_OK);
	ck_assert_uint_eq(got, 0);
	ck_assert_uint_eq(p11->C_FindObjects(session, found, 3, &got), CKR_OK);
	ck_assert_uint_eq(got, 3);
	ck_assert_uint_eq(found[0], ALICE_PUBLIC);
	ck_assert_uint_eq(found[1], ALICE_PRIVATE);
	ck_assert_uint_eq(found[2], BOB_PUBLIC);
	ck_assert_uint_eq(p11->C_FindObjects(session, found, 3, &got), CKR_OK);
	ck_assert_uint_eq(got, 1);
	ck_assert_uint_eq(found[0], BOB_PRIVATE);
	ck_assert_uint_eq(p11->C_FindObjects(session, found, 3, &got), CKR_OK);
	ck_assert_uint_eq(got, 0);
	ck_assert_uint_eq(p11->C_FindObjectsFinal(session), CKR_OK);
	/* C_FindObjectsFinal ended it; another may begin. */
	ck_assert_uint_eq(p11->C_FindObjects(session, found, 3, &got),
			  CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_uint_eq(p11->C_FindObjectsFinal(session), CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_uint_eq(p11->C_FindObjectsInit(session, NULL, 0), CKR_OK);
	ck_assert_uint_eq(p11->C_FindObjectsFinal(session), CKR_OK);
}
END_TEST

START_TEST(find_templates)
{
	CK_OBJECT_CLASS private_class = CKO_PRIVATE_KEY, public_class = CKO_PUBLIC_KEY;
	CK_OBJECT_CLASS certificate = CKO_CERTIFICATE;
	CK_KEY_TYPE rsa = CKK_RSA, ec = CKK_EC;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_BYTE id[16], other_id[16] = { 0 };
	CK_OBJECT_HANDLE found[8];
	CK_ATTRIBUTE private_keys[] = { { CKA_CLASS, &private_class, sizeof(private_class) } };
	CK_ATTRIBUTE public_keys[] = { { CKA_CLASS, &public_class, sizeof(public_class) } };
	CK_ATTRIBUTE alice_signs[] = { { CKA_CLASS, &private_class, sizeof(private_class) },
				       { CKA_ID, id, sizeof(id) },
				       { CKA_SIGN, &yes, sizeof(yes) } };
	CK_ATTRIBUTE by_id[] = { { CKA_ID, id, sizeof(id) } };
	CK_ATTRIBUTE unknown_id[] = { { CKA_ID, other_id, sizeof(other_id) } };
	CK_ATTRIBUTE short_id[] = { { CKA_ID, id, sizeof(id) - 1 } };
	CK_ATTRIBUTE by_label[] = { { CKA_LABEL, "bob@example.org:2222", 20 } };
	CK_ATTRIBUTE label_prefix[] = { { CKA_LABEL, "bob@example.org", 15 } };
	CK_ATTRIBUTE rsa_keys[] = { { CKA_KEY_TYPE, &rsa, sizeof(rsa) } };
	CK_ATTRIBUTE ec_tokens[] = { { CKA_KEY_TYPE, &ec, sizeof(ec) },
				     { CKA_TOKEN, &yes, sizeof(yes) } };
	CK_ATTRIBUTE session_objects[] = { { CKA_TOKEN, &no, sizeof(no) } };
	CK_ATTRIBUTE certificates[] = { { CKA_CLASS, &certificate, sizeof(certificate) } };
	CK_ATTRIBUTE sensitive[] = { { CKA_VALUE, id, sizeof(id) } };
	CK_ATTRIBUTE unknown_type[] = { { CKA_VENDOR_DEFINED | 0x1234, id, 1 } };
	CK_ATTRIBUTE contradiction[] = { { CKA_CLASS, &private_class, sizeof(private_class) },
					 { CKA_CLASS, &public_class, sizeof(public_class) } };

	hex_to_bytes(ALICE_ID, id, sizeof(id));
	/* Everything. */
	ck_assert_uint_eq(find(NULL, 0, found), 4);
	ck_assert_uint_eq(find(ec_tokens, 2, found), 4);
	/* By class, key type, id, label. */
	ck_assert_uint_eq(find(private_keys, 1, found), 2);
	ck_assert_uint_eq(found[0], ALICE_PRIVATE);
	ck_assert_uint_eq(found[1], BOB_PRIVATE);
	ck_assert_uint_eq(find(public_keys, 1, found), 2);
	ck_assert_uint_eq(found[0], ALICE_PUBLIC);
	ck_assert_uint_eq(found[1], BOB_PUBLIC);
	ck_assert_uint_eq(find(by_id, 1, found), 2);
	ck_assert_uint_eq(found[0], ALICE_PUBLIC);
	ck_assert_uint_eq(found[1], ALICE_PRIVATE);
	ck_assert_uint_eq(find(alice_signs, 3, found), 1);
	ck_assert_uint_eq(found[0], ALICE_PRIVATE);
	ck_assert_uint_eq(find(by_label, 1, found), 2);
	ck_assert_uint_eq(found[0], BOB_PUBLIC);
	ck_assert_uint_eq(found[1], BOB_PRIVATE);
	/* Nothing. */
	ck_assert_uint_eq(find(unknown_id, 1, found), 0);
	ck_assert_uint_eq(find(short_id, 1, found), 0);
	ck_assert_uint_eq(find(label_prefix, 1, found), 0);
	ck_assert_uint_eq(find(rsa_keys, 1, found), 0);
	ck_assert_uint_eq(find(session_objects, 1, found), 0);
	ck_assert_uint_eq(find(certificates, 1, found), 0);
	ck_assert_uint_eq(find(sensitive, 1, found), 0);
	ck_assert_uint_eq(find(unknown_type, 1, found), 0);
	ck_assert_uint_eq(find(contradiction, 2, found), 0);
	/* None of this needed the device. */
	ck_assert_int_eq(sim_process_count(&sim, "<- GetPublicKey"), 0);
}
END_TEST

/* ---- C_GetAttributeValue ---------------------------------------------------------- */

START_TEST(attribute_arguments)
{
	CK_ATTRIBUTE label = { CKA_LABEL, NULL, 0 };

	ck_assert_uint_eq(p11->C_GetAttributeValue(NO_SUCH_SESSION, ALICE_PUBLIC, &label, 1),
			  CKR_SESSION_HANDLE_INVALID);
	ck_assert_uint_eq(p11->C_GetAttributeValue(session, ALICE_PUBLIC, NULL, 1),
			  CKR_ARGUMENTS_BAD);
	ck_assert_uint_eq(p11->C_GetAttributeValue(session, CK_INVALID_HANDLE, &label, 1),
			  CKR_OBJECT_HANDLE_INVALID);
	ck_assert_uint_eq(p11->C_GetAttributeValue(session, BOB_PRIVATE + 1, &label, 1),
			  CKR_OBJECT_HANDLE_INVALID);
	ck_assert_uint_eq(p11->C_GetAttributeValue(session, (CK_OBJECT_HANDLE)-1, &label, 1),
			  CKR_OBJECT_HANDLE_INVALID);
	ck_assert_uint_eq(label.ulValueLen, 0);
}
END_TEST

/* Cases 3 and 4 of section 5.7: pValue NULL gives the length; room enough, the value. */
START_TEST(attribute_lengths)
{
	CK_BYTE buffer[64];
	CK_ATTRIBUTE label = { CKA_LABEL, NULL, 0 };
	CK_ATTRIBUTE subject = { CKA_SUBJECT, NULL, 99 };

	memset(buffer, 0xaa, sizeof(buffer));
	ck_assert_uint_eq(p11->C_GetAttributeValue(session, BOB_PUBLIC, &label, 1), CKR_OK);
	ck_assert_uint_eq(label.ulValueLen, 20);
	label.pValue = buffer;
	ck_assert_uint_eq(p11->C_GetAttributeValue(session, BOB_PUBLIC, &label, 1), CKR_OK);
	ck_assert_uint_eq(label.ulValueLen, 20);
	ck_assert_mem_eq(buffer, "bob@example.org:2222", 20);
	label.ulValueLen = sizeof(buffer);
	ck_assert_uint_eq(p11->C_GetAttributeValue(session, BOB_PUBLIC, &label, 1), CKR_OK);
	ck_assert_uint_eq(label.ulValueLen, 20);
	ck_assert_uint_eq(buffer[20], 0xaa);    /* nothing past the value */
	/* An empty value: length 0 either way. */
	ck_assert_uint_eq(p11->C_GetAttributeValue(session, BOB_PUBLIC, &subject, 1), CKR_OK);
	ck_assert_uint_eq(subject.ulValueLen, 0);
	subject.pValue = buffer;
	subject.ulValueLen = sizeof(buffer);
	ck_assert_uint_eq(p11->C_GetAttributeValue(session, BOB_PUBLIC, &subject, 1), CKR_OK);
	ck_assert_uint_eq(subject.ulValueLen, 0);
}
END_TEST

/* Case 5: too small a buffer. */
START_TEST(attribute_too_small)
{
	CK_BYTE buffer[19];
	CK_OBJECT_CLASS class_value = 0;
	CK_ATTRIBUTE label = { CKA_LABEL, buffer, sizeof(buffer) };
	CK_ATTRIBUTE class_short = { CKA_CLASS, &class_value, sizeof(class_value) - 1 };

	ck_assert_uint_eq(p11->C_GetAttributeValue(session, BOB_PUBLIC, &label, 1),
			  CKR_BUFFER_TOO_SMALL);
	ck_assert_uint_eq(label.ulValueLen, CK_UNAVAILABLE_INFORMATION);
	ck_assert_uint_eq(p11->C_GetAttributeValue(session, BOB_PUBLIC, &class_short, 1),
			  CKR_BUFFER_TOO_SMALL);
	ck_assert_uint_eq(class_short.ulValueLen, CK_UNAVAILABLE_INFORMATION);
}
END_TEST

/* Case 1: the private key's value never leaves the device. */
START_TEST(attribute_sensitive)
{
	CK_BYTE buffer[64];
	CK_ATTRIBUTE secret = { CKA_VALUE, buffer, sizeof(buffer) };
	CK_ATTRIBUTE secret_length = { CKA_VALUE, NULL, 0 };

	ck_assert_uint_eq(p11->C_GetAttributeValue(session, ALICE_PRIVATE, &secret, 1),
			  CKR_ATTRIBUTE_SENSITIVE);
	ck_assert_uint_eq(secret.ulValueLen, CK_UNAVAILABLE_INFORMATION);
	ck_assert_uint_eq(p11->C_GetAttributeValue(session, ALICE_PRIVATE, &secret_length, 1),
			  CKR_ATTRIBUTE_SENSITIVE);
	ck_assert_uint_eq(secret_length.ulValueLen, CK_UNAVAILABLE_INFORMATION);
}
END_TEST

/* Case 2: attributes the object does not have. */
START_TEST(attribute_type_invalid)
{
	CK_BYTE buffer[64];
	CK_ATTRIBUTE invalid[] = {
		{ CKA_MODULUS, buffer, sizeof(buffer) },        /* an RSA key's */
		{ CKA_VALUE, NULL, 0 },                         /* a public key has none */
		{ CKA_SIGN, buffer, sizeof(buffer) },           /* a private key's */
		{ CKA_CERTIFICATE_TYPE, buffer, sizeof(buffer) },
		{ CKA_VENDOR_DEFINED | 0x1234, NULL, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		ck_assert_uint_eq(p11->C_GetAttributeValue(session, ALICE_PUBLIC, &invalid[i], 1),
				  CKR_ATTRIBUTE_TYPE_INVALID);
		ck_assert_uint_eq(invalid[i].ulValueLen, CK_UNAVAILABLE_INFORMATION);
	}
}
END_TEST

/* Template slots for attribute_several, by what becomes of them. */
enum {
	FITS, SENSITIVE, NOT_ITS_OWN, TOO_SMALL, LENGTH_QUERY, UNKNOWN_TYPE, TEMPLATE_LENGTH
};

static void several_attributes(CK_ATTRIBUTE *attributes, CK_OBJECT_CLASS *class_value,
			       CK_BYTE *buffer, size_t size)
{
	attributes[FITS] = (CK_ATTRIBUTE){ CKA_CLASS, class_value, sizeof(*class_value) };
	attributes[SENSITIVE] = (CK_ATTRIBUTE){ CKA_VALUE, buffer, size };
	attributes[NOT_ITS_OWN] = (CK_ATTRIBUTE){ CKA_MODULUS, buffer, size };
	attributes[TOO_SMALL] = (CK_ATTRIBUTE){ CKA_LABEL, buffer, 4 };
	attributes[LENGTH_QUERY] = (CK_ATTRIBUTE){ CKA_ID, NULL, 0 };
	attributes[UNKNOWN_TYPE] = (CK_ATTRIBUTE){ CKA_VENDOR_DEFINED | 0x1234, NULL, 0 };
}

/* C_GetAttributeValue with these slots of the template, in this order. */
static CK_RV read_some(const int *slots, size_t length, CK_ATTRIBUTE *all)
{
	CK_ATTRIBUTE chosen[TEMPLATE_LENGTH];
	CK_RV rv;
	size_t i;

	for (i = 0; i < length; i++)
		chosen[i] = all[slots[i]];
	rv = p11->C_GetAttributeValue(session, ALICE_PRIVATE, chosen, length);
	for (i = 0; i < length; i++)
		all[slots[i]] = chosen[i];
	return rv;
}

/*
 * Several cases in one template: every attribute is processed, and of the
 * codes that apply the module returns CKR_ATTRIBUTE_SENSITIVE, else
 * CKR_ATTRIBUTE_TYPE_INVALID, else CKR_BUFFER_TOO_SMALL, in any order.
 */
START_TEST(attribute_several)
{
	static const int everything[] = { FITS, SENSITIVE, NOT_ITS_OWN, TOO_SMALL, LENGTH_QUERY,
					  UNKNOWN_TYPE };
	static const int reversed[] = { UNKNOWN_TYPE, LENGTH_QUERY, TOO_SMALL, NOT_ITS_OWN,
					SENSITIVE, FITS };
	static const int small_then_invalid[] = { TOO_SMALL, NOT_ITS_OWN, FITS };
	static const int invalid_then_small[] = { UNKNOWN_TYPE, TOO_SMALL };
	static const int small_then_sensitive[] = { TOO_SMALL, SENSITIVE };
	static const int small_and_fine[] = { LENGTH_QUERY, TOO_SMALL, FITS };
	CK_ATTRIBUTE attributes[TEMPLATE_LENGTH];
	CK_OBJECT_CLASS class_value = 0;
	CK_BYTE buffer[16];

	several_attributes(attributes, &class_value, buffer, sizeof(buffer));
	ck_assert_uint_eq(read_some(everything, 6, attributes), CKR_ATTRIBUTE_SENSITIVE);
	ck_assert_uint_eq(class_value, CKO_PRIVATE_KEY);
	ck_assert_uint_eq(attributes[FITS].ulValueLen, sizeof(CK_OBJECT_CLASS));
	ck_assert_uint_eq(attributes[SENSITIVE].ulValueLen, CK_UNAVAILABLE_INFORMATION);
	ck_assert_uint_eq(attributes[NOT_ITS_OWN].ulValueLen, CK_UNAVAILABLE_INFORMATION);
	ck_assert_uint_eq(attributes[TOO_SMALL].ulValueLen, CK_UNAVAILABLE_INFORMATION);
	ck_assert_uint_eq(attributes[LENGTH_QUERY].ulValueLen, 16);
	ck_assert_uint_eq(attributes[UNKNOWN_TYPE].ulValueLen, CK_UNAVAILABLE_INFORMATION);

	several_attributes(attributes, &class_value, buffer, sizeof(buffer));
	class_value = 0;
	ck_assert_uint_eq(read_some(reversed, 6, attributes), CKR_ATTRIBUTE_SENSITIVE);
	ck_assert_uint_eq(class_value, CKO_PRIVATE_KEY);
	ck_assert_uint_eq(attributes[LENGTH_QUERY].ulValueLen, 16);
	ck_assert_uint_eq(attributes[TOO_SMALL].ulValueLen, CK_UNAVAILABLE_INFORMATION);

	several_attributes(attributes, &class_value, buffer, sizeof(buffer));
	ck_assert_uint_eq(read_some(small_then_invalid, 3, attributes),
			  CKR_ATTRIBUTE_TYPE_INVALID);
	ck_assert_uint_eq(attributes[TOO_SMALL].ulValueLen, CK_UNAVAILABLE_INFORMATION);
	ck_assert_uint_eq(attributes[NOT_ITS_OWN].ulValueLen, CK_UNAVAILABLE_INFORMATION);
	ck_assert_uint_eq(attributes[FITS].ulValueLen, sizeof(CK_OBJECT_CLASS));
	several_attributes(attributes, &class_value, buffer, sizeof(buffer));
	ck_assert_uint_eq(read_some(invalid_then_small, 2, attributes),
			  CKR_ATTRIBUTE_TYPE_INVALID);
	several_attributes(attributes, &class_value, buffer, sizeof(buffer));
	ck_assert_uint_eq(read_some(small_then_sensitive, 2, attributes),
			  CKR_ATTRIBUTE_SENSITIVE);
	several_attributes(attributes, &class_value, buffer, sizeof(buffer));
	ck_assert_uint_eq(read_some(small_and_fine, 3, attributes), CKR_BUFFER_TOO_SMALL);
	ck_assert_uint_eq(attributes[LENGTH_QUERY].ulValueLen, 16);
	ck_assert_uint_eq(attributes[FITS].ulValueLen, sizeof(CK_OBJECT_CLASS));
	/* Reading them needed no device. */
	ck_assert_int_eq(sim_process_count(&sim, "<- GetPublicKey"), 0);
}
END_TEST

/* ---- C_GetObjectSize ---------------------------------------------------------------- */

START_TEST(object_size)
{
	CK_ULONG size = 0;

	ck_assert_uint_eq(p11->C_GetObjectSize(NO_SUCH_SESSION, ALICE_PUBLIC, &size),
			  CKR_SESSION_HANDLE_INVALID);
	ck_assert_uint_eq(p11->C_GetObjectSize(session, ALICE_PUBLIC, NULL), CKR_ARGUMENTS_BAD);
	ck_assert_uint_eq(p11->C_GetObjectSize(session, CK_INVALID_HANDLE, &size),
			  CKR_OBJECT_HANDLE_INVALID);
	ck_assert_uint_eq(p11->C_GetObjectSize(session, 99, &size), CKR_OBJECT_HANDLE_INVALID);
	/* Nothing is stored for an object: its size is not known. */
	ck_assert_uint_eq(p11->C_GetObjectSize(session, ALICE_PRIVATE, &size), CKR_OK);
	ck_assert_uint_eq(size, CK_UNAVAILABLE_INFORMATION);
}
END_TEST

/* ---- C_CreateObject, C_CopyObject, C_DestroyObject, C_SetAttributeValue --------------- */

START_TEST(objects_cannot_change)
{
	CK_SESSION_HANDLE rw = open_session(CKF_SERIAL_SESSION | CKF_RW_SESSION);
	CK_OBJECT_HANDLE made = CK_INVALID_HANDLE;
	CK_ATTRIBUTE label = { CKA_LABEL, "x", 1 };

	/* Arguments and handles first. */
	ck_assert_uint_eq(p11->C_CreateObject(NO_SUCH_SESSION, &label, 1, &made),
			  CKR_SESSION_HANDLE_INVALID);
	ck_assert_uint_eq(p11->C_CreateObject(rw, NULL, 1, &made), CKR_ARGUMENTS_BAD);
	ck_assert_uint_eq(p11->C_CreateObject(rw, &label, 1, NULL), CKR_ARGUMENTS_BAD);
	ck_assert_uint_eq(p11->C_CopyObject(NO_SUCH_SESSION, ALICE_PUBLIC, NULL, 0, &made),
			  CKR_SESSION_HANDLE_INVALID);
	ck_assert_uint_eq(p11->C_CopyObject(rw, 99, NULL, 0, &made), CKR_OBJECT_HANDLE_INVALID);
	ck_assert_uint_eq(p11->C_CopyObject(rw, ALICE_PUBLIC, NULL, 1, &made), CKR_ARGUMENTS_BAD);
	ck_assert_uint_eq(p11->C_CopyObject(rw, ALICE_PUBLIC, NULL, 0, NULL), CKR_ARGUMENTS_BAD);
	ck_assert_uint_eq(p11->C_DestroyObject(NO_SUCH_SESSION, ALICE_PUBLIC),
			  CKR_SESSION_HANDLE_INVALID);
	ck_assert_uint_eq(p11->C_DestroyObject(rw, 99), CKR_OBJECT_HANDLE_INVALID);
	ck_assert_uint_eq(p11->C_SetAttributeValue(NO_SUCH_SESSION, ALICE_PUBLIC, &label, 1),
			  CKR_SESSION_HANDLE_INVALID);
	ck_assert_uint_eq(p11->C_SetAttributeValue(rw, 99, &label, 1), CKR_OBJECT_HANDLE_INVALID);
	ck_assert_uint_eq(p11->C_SetAttributeValue(rw, ALICE_PUBLIC, NULL, 1), CKR_ARGUMENTS_BAD);
	/* A read-only session changes nothing; a read-write one meets the objects' policy. */
	ck_assert_uint_eq(p11->C_CreateObject(session, &label, 1, &made), CKR_SESSION_READ_ONLY);
	ck_assert_uint_eq(p11->C_CreateObject(rw, &label, 1, &made), CKR_TOKEN_WRITE_PROTECTED);
	ck_assert_uint_eq(p11->C_CopyObject(rw, ALICE_PUBLIC, NULL, 0, &made),
			  CKR_ACTION_PROHIBITED);                      /* CKA_COPYABLE false */
	ck_assert_uint_eq(p11->C_DestroyObject(session, ALICE_PUBLIC), CKR_SESSION_READ_ONLY);
	ck_assert_uint_eq(p11->C_DestroyObject(rw, ALICE_PUBLIC),
			  CKR_ACTION_PROHIBITED);                      /* CKA_DESTROYABLE false */
	ck_assert_uint_eq(p11->C_SetAttributeValue(session, ALICE_PUBLIC, &label, 1),
			  CKR_SESSION_READ_ONLY);
	ck_assert_uint_eq(p11->C_SetAttributeValue(rw, ALICE_PUBLIC, &label, 1),
			  CKR_ACTION_PROHIBITED);                      /* CKA_MODIFIABLE false */
	ck_assert_uint_eq(made, CK_INVALID_HANDLE);
}
END_TEST

/* ---- C_SignInit ---------------------------------------------------------------- */

START_TEST(sign_init_rules)
{
	CK_MECHANISM rsa = { CKM_RSA_PKCS, NULL, 0 }, sha1 = { CKM_ECDSA_SHA1, NULL, 0 };
	CK_BYTE parameter = 0;
	CK_MECHANISM with_parameter = { CKM_ECDSA, &parameter, 1 };
	CK_MECHANISM with_length = { CKM_ECDSA_SHA256, NULL, 1 };
	CK_ULONG length = 0;

	ck_assert_uint_eq(p11->C_SignInit(NO_SUCH_SESSION, &ecdsa, ALICE_PRIVATE),
			  CKR_SESSION_HANDLE_INVALID);
	ck_assert_uint_eq(p11->C_SignInit(session, NULL, ALICE_PRIVATE), CKR_ARGUMENTS_BAD);
	ck_assert_uint_eq(p11->C_SignInit(session, &rsa, ALICE_PRIVATE), CKR_MECHANISM_INVALID);
	ck_assert_uint_eq(p11->C_SignInit(session, &sha1, ALICE_PRIVATE), CKR_MECHANISM_INVALID);
	ck_assert_uint_eq(p11->C_SignInit(session, &with_parameter, ALICE_PRIVATE),
			  CKR_MECHANISM_PARAM_INVALID);
	ck_assert_uint_eq(p11->C_SignInit(session, &with_length, ALICE_PRIVATE),
			  CKR_MECHANISM_PARAM_INVALID);
	ck_assert_uint_eq(p11->C_SignInit(session, &ecdsa, CK_INVALID_HANDLE),
			  CKR_KEY_HANDLE_INVALID);
	ck_assert_uint_eq(p11->C_SignInit(session, &ecdsa, 77), CKR_KEY_HANDLE_INVALID);
	/* CKA_SIGN is false on a public key. */
	ck_assert_uint_eq(p11->C_SignInit(session, &ecdsa, ALICE_PUBLIC),
			  CKR_KEY_FUNCTION_NOT_PERMITTED);
	/* None of those began an operation. */
	ck_assert_uint_eq(p11->C_Sign(session, data_in, 32, NULL, &length),
			  CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_uint_eq(p11->C_SignInit(session, &ecdsa, BOB_PRIVATE), CKR_OK);
	ck_assert_uint_eq(p11->C_SignInit(session, &ecdsa, ALICE_PRIVATE), CKR_OPERATION_ACTIVE);
	/* The refused second one left the first as it was. */
	ck_assert_uint_eq(p11->C_Sign(session, data_in, 32, NULL, &length), CKR_OK);
	ck_assert_uint_eq(length, SIGNATURE_SIZE);
	ck_assert_int_eq(signatures_made(), 0);
}
END_TEST

/* ---- C_Sign ---------------------------------------------------------------- */

/*
 * The length conventions (section 5.2): a NULL buffer, or a too small one,
 * is answered with the length and leaves the operation active, without the
 * device; the signature itself ends it. The person confirms once.
 */
START_TEST(sign_lengths)
{
	CK_BYTE digest[32], signature[72];
	CK_ULONG length = 0;
	char hex[2 * SIGNATURE_SIZE + 1];
	int i;

	for (i = 0; i < 32; i++)
		digest[i] = (CK_BYTE)(0xa0 + i);
	ck_assert_uint_eq(p11->C_SignInit(session, &ecdsa, ALICE_PRIVATE), CKR_OK);
	ck_assert_uint_eq(p11->C_Sign(session, digest, 32, NULL, &length), CKR_OK);
	ck_assert_uint_eq(length, SIGNATURE_SIZE);
	length = 0;
	ck_assert_uint_eq(p11->C_Sign(session, digest, 32, signature, &length),
			  CKR_BUFFER_TOO_SMALL);
	ck_assert_uint_eq(length, SIGNATURE_SIZE);
	length = SIGNATURE_SIZE - 1;
	ck_assert_uint_eq(p11->C_Sign(session, digest, 32, signature, &length),
			  CKR_BUFFER_TOO_SMALL);
	ck_assert_uint_eq(length, SIGNATURE_SIZE);
	ck_assert_int_eq(signatures_made(), 0);
	ck_assert_int_eq(confirmations_asked(), 0);
	/* ssh's way: a larger buffer, no query. */
	length = sizeof(signature);
	ck_assert_uint_eq(p11->C_Sign(session, digest, 32, signature, &length), CKR_OK);
	ck_assert_uint_eq(length, SIGNATURE_SIZE);
	bytes_to_hex(signature, SIGNATURE_SIZE, hex);
	ck_assert_str_eq(hex, "9a9c40ff057fc0378f6b607df35052c781990063783f7b4efbe979ee565e6a94"
			      "2cffe25bdfde710d9c3486f2b647007614df2af87d18847e1c64464ed4d1ef03");
	ck_assert_int_eq(signatures_made(), 1);
	ck_assert_int_eq(confirmations_asked(), 1);
	/* The operation is over. */
	ck_assert_uint_eq(p11->C_Sign(session, digest, 32, signature, &length),
			  CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_uint_eq(p11->C_Sign(session, digest, 32, NULL, &length),
			  CKR_OPERATION_NOT_INITIALIZED);
}
END_TEST

START_TEST(sign_arguments)
{
	CK_BYTE signature[SIGNATURE_SIZE];
	CK_ULONG length = sizeof(signature);

	ck_assert_uint_eq(p11->C_Sign(NO_SUCH_SESSION, data_in, 32, signature, &length),
			  CKR_SESSION_HANDLE_INVALID);
	ck_assert_uint_eq(p11->C_Sign(session, data_in, 32, signature, &length),
			  CKR_OPERATION_NOT_INITIALIZED);
	/* A bad argument ends the operation, as any failure does. */
	ck_assert_uint_eq(p11->C_SignInit(session, &ecdsa, ALICE_PRIVATE), CKR_OK);
	ck_assert_uint_eq(p11->C_Sign(session, data_in, 32, NULL, NULL), CKR_ARGUMENTS_BAD);
	ck_assert_uint_eq(p11->C_Sign(session, data_in, 32, signature, &length),
			  CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_uint_eq(p11->C_SignInit(session, &ecdsa, ALICE_PRIVATE), CKR_OK);
	ck_assert_uint_eq(p11->C_Sign(session, NULL, 32, signature, &length), CKR_ARGUMENTS_BAD);
	ck_assert_uint_eq(p11->C_Sign(session, data_in, 32, signature, &length),
			  CKR_OPERATION_NOT_INITIALIZED);
	/* No data is no data, even when only the length is asked for. */
	ck_assert_uint_eq(p11->C_SignInit(session, &ecdsa, ALICE_PRIVATE), CKR_OK);
	ck_assert_uint_eq(p11->C_Sign(session, NULL, 32, NULL, &length), CKR_ARGUMENTS_BAD);
	ck_assert_uint_eq(p11->C_Sign(session, data_in, 32, NULL, &length),
			  CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_int_eq(signatures_made(), 0);
}
END_TEST

/* The person refuses: CKR_FUNCTION_CANCELED, and the operation is over. */
START_TEST(sign_refused_ends_operation)
{
	static const char *const declining[] = { "--decline", NULL };
	CK_BYTE signature[SIGNATURE_SIZE];
	CK_ULONG length = sizeof(signature);

	restart_with(declining);
	ck_assert_uint_eq(p11->C_SignInit(session, &ecdsa, ALICE_PRIVATE), CKR_OK);
	ck_assert_uint_eq(p11->C_Sign(session, data_in, 32, signature, &length),
			  CKR_FUNCTION_CANCELED);
	ck_assert_uint_eq(p11->C_Sign(session, data_in, 32, signature, &length),
			  CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_int_eq(signatures_made(), 1);
	/* A new one may begin. */
	ck_assert_uint_eq(p11->C_SignInit(session, &ecdsa, ALICE_PRIVATE), CKR_OK);
}
END_TEST

/* ---- C_SignUpdate, C_SignFinal ------------------------------------------------------ */

START_TEST(sign_final_lengths)
{
	CK_MECHANISM mechanism = { CKM_ECDSA_SHA256, NULL, 0 };
	CK_BYTE signature[SIGNATURE_SIZE];
	CK_ULONG length = 0;

	ck_assert_uint_eq(p11->C_SignInit(session, &mechanism, ALICE_PRIVATE), CKR_OK);
	ck_assert_uint_eq(p11->C_SignUpdate(session, data_in, 10), CKR_OK);
	ck_assert_uint_eq(p11->C_SignUpdate(session, data_in + 10, 0), CKR_OK);
	ck_assert_uint_eq(p11->C_SignUpdate(session, NULL, 0), CKR_OK);
	ck_assert_uint_eq(p11->C_SignFinal(session, NULL, &length), CKR_OK);
	ck_assert_uint_eq(length, SIGNATURE_SIZE);
	length = SIGNATURE_SIZE - 1;
	ck_assert_uint_eq(p11->C_SignFinal(session, signature, &length), CKR_BUFFER_TOO_SMALL);
	ck_assert_uint_eq(length, SIGNATURE_SIZE);
	/* Still active: more input is taken. */
	ck_assert_uint_eq(p11->C_SignUpdate(session, data_in + 10, 22), CKR_OK);
	ck_assert_int_eq(signatures_made(), 0);
	ck_assert_uint_eq(p11->C_SignFinal(session, signature, &length), CKR_OK);
	ck_assert_uint_eq(length, SIGNATURE_SIZE);
	ck_assert_int_eq(signatures_made(), 1);
	ck_assert_int_eq(confirmations_asked(), 1);
	ck_assert_uint_eq(p11->C_SignFinal(session, signature, &length),
			  CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_uint_eq(p11->C_SignUpdate(session, data_in, 1), CKR_OPERATION_NOT_INITIALIZED);
}
END_TEST

START_TEST(sign_update_rules)
{
	CK_BYTE signature[SIGNATURE_SIZE];
	CK_ULONG length = sizeof(signature);

	ck_assert_uint_eq(p11->C_SignUpdate(NO_SUCH_SESSION, data_in, 1),
			  CKR_SESSION_HANDLE_INVALID);
	ck_assert_uint_eq(p11->C_SignFinal(NO_SUCH_SESSION, signature, &length),
			  CKR_SESSION_HANDLE_INVALID);
	ck_assert_uint_eq(p11->C_SignUpdate(session, data_in, 1), CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_uint_eq(p11->C_SignFinal(session, signature, &length),
			  CKR_OPERATION_NOT_INITIALIZED);
	/* Bad arguments end the operation. */
	ck_assert_uint_eq(p11->C_SignInit(session, &ecdsa, ALICE_PRIVATE), CKR_OK);
	ck_assert_uint_eq(p11->C_SignUpdate(session, NULL, 1), CKR_ARGUMENTS_BAD);
	ck_assert_uint_eq(p11->C_SignFinal(session, signature, &length),
			  CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_uint_eq(p11->C_SignInit(session, &ecdsa, ALICE_PRIVATE), CKR_OK);
	ck_assert_uint_eq(p11->C_SignUpdate(session, data_in, 32), CKR_OK);
	ck_assert_uint_eq(p11->C_SignFinal(session, signature, NULL), CKR_ARGUMENTS_BAD);
	ck_assert_uint_eq(p11->C_SignFinal(session, signature, &length),
			  CKR_OPERATION_NOT_INITIALIZED);
	/* Once C_SignUpdate began, only C_SignFinal ends it. */
	ck_assert_uint_eq(p11->C_SignInit(session, &ecdsa, ALICE_PRIVATE), CKR_OK);
	ck_assert_uint_eq(p11->C_SignUpdate(session, data_in, 32), CKR_OK);
	ck_assert_uint_eq(p11->C_Sign(session, data_in, 32, signature, &length),
			  CKR_OPERATION_ACTIVE);
	ck_assert_uint_eq(p11->C_SignFinal(session, NULL, &length), CKR_OK);
	ck_assert_int_eq(signatures_made(), 0);
}
END_TEST

/*
 * The current-mechanisms document makes CKM_ECDSA single-part. The module
 * takes it in parts too, an extension: the parts make one input whose
 * leftmost 32 bytes are signed, as C_Sign signs them (pkcs11-tool, for one,
 * goes over to C_SignUpdate for inputs over 1 KiB). RFC 6979 makes
 * both signatures the same bytes.
 */
START_TEST(ecdsa_in_parts)
{
	CK_BYTE input[40], whole[SIGNATURE_SIZE], parts[SIGNATURE_SIZE];
	CK_ULONG length = SIGNATURE_SIZE;
	int i;

	for (i = 0; i < 40; i++)
		input[i] = (CK_BYTE)(0x30 + i);
	ck_assert_uint_eq(p11->C_SignInit(session, &ecdsa, ALICE_PRIVATE), CKR_OK);
	ck_assert_uint_eq(p11->C_Sign(session, input, 40, whole, &length), CKR_OK);
	ck_assert_uint_eq(p11->C_SignInit(session, &ecdsa, ALICE_PRIVATE), CKR_OK);
	ck_assert_uint_eq(p11->C_SignUpdate(session, input, 7), CKR_OK);
	ck_assert_uint_eq(p11->C_SignUpdate(session, input + 7, 33), CKR_OK);
	ck_assert_uint_eq(p11->C_SignFinal(session, parts, &length), CKR_OK);
	ck_assert_uint_eq(length, SIGNATURE_SIZE);
	ck_assert_mem_eq(parts, whole, SIGNATURE_SIZE);
	ck_assert_int_eq(signatures_made(), 2);
}
END_TEST

/* ---- C_WaitForSlotEvent ------------------------------------------------------------ */

START_TEST(wait_for_slot_event_rules)
{
	CK_SLOT_ID changed = 7;
	char reserved_text[] = "reserved";

	ck_assert_uint_eq(p11->C_WaitForSlotEvent(CKF_DONT_BLOCK, NULL, NULL), CKR_ARGUMENTS_BAD);
	ck_assert_uint_eq(p11->C_WaitForSlotEvent(CKF_DONT_BLOCK, &changed, reserved_text),
			  CKR_ARGUMENTS_BAD);
	/* The device was there from the start: no event. */
	ck_assert_uint_eq(p11->C_WaitForSlotEvent(CKF_DONT_BLOCK, &changed, NULL), CKR_NO_EVENT);
	ck_assert_uint_eq(changed, 7);
}
END_TEST

/* ---- the suite ------------------------------------------------------------------------ */

static TCase *area(Suite *suite, const char *name, void (*set_up)(void))
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, set_up, tear_down);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(suite, tc);
	return tc;
}

static Suite *conformance_suite(void)
{
	Suite *suite = suite_create("pkcs11 conformance");
	TCase *tc;

	tc = area(suite, "C_GetFunctionList", set_up_loaded);
	tcase_add_test(tc, function_list_before_initialize);
	tcase_add_test(tc, function_list_has_no_null_entry);
	tcase_add_test(tc, unsupported_functions);

	tc = area(suite, "C_Initialize", set_up_loaded);
	tcase_add_test(tc, every_function_before_initialize);
	tcase_add_test(tc, initialize_twice);
	tcase_add_test(tc, initialize_arguments);
	tcase_add_test(tc, initialize_locking);
	tcase_add_test(tc, initialize_without_threads);

	tc = area(suite, "C_Finalize", set_up_loaded);
	tcase_add_test(tc, finalize_arguments);
	tcase_add_test(tc, finalize_with_open_sessions);

	tc = area(suite, "C_GetInfo", set_up_ready);
	tcase_add_test(tc, get_info);

	tc = area(suite, "C_GetSlotList", set_up_ready);
	tcase_add_test(tc, slot_list_lengths);
	tcase_add_test(tc, slot_list_without_device);

	tc = area(suite, "C_GetSlotInfo", set_up_ready);
	tcase_add_test(tc, slot_info);
	tcase_add_test(tc, slot_info_without_token);

	tc = area(suite, "C_GetTokenInfo", set_up_ready);
	tcase_add_test(tc, token_info);
	tcase_add_test(tc, token_info_with_pin);
	tcase_add_test(tc, token_texts_from_the_device);
	tcase_add_test(tc, token_info_without_token);

	tc = area(suite, "C_GetMechanismList", set_up_ready);
	tcase_add_test(tc, mechanism_list);
	tcase_add_test(tc, mechanism_list_without_token);

	tc = area(suite, "C_GetMechanismInfo", set_up_ready);
	tcase_add_test(tc, mechanism_info);
	tcase_add_test(tc, mechanism_info_without_token);

	tc = area(suite, "C_OpenSession", set_up_ready);
	tcase_add_test(tc, open_session_rules);
	tcase_add_test(tc, open_session_without_token);

	tc = area(suite, "C_CloseSession, C_CloseAllSessions", set_up_ready);
	tcase_add_test(tc, close_session_rules);
	tcase_add_test(tc, close_all_sessions_rules);

	tc = area(suite, "C_GetSessionInfo", set_up_ready);
	tcase_add_test(tc, session_info);

	tc = area(suite, "C_Login, C_Logout", set_up_ready);
	tcase_add_test(tc, session_states);
	tcase_add_test(tc, login_rules);
	tcase_add_test(tc, login_security_officer);
	tcase_add_test(tc, login_context_specific);
	tcase_add_test(tc, closing_sessions_logs_out);

	tc = area(suite, "C_FindObjects", set_up_ready);
	tcase_add_test(tc, find_arguments);
	tcase_add_test(tc, find_operation);
	tcase_add_test(tc, find_templates);

	tc = area(suite, "C_GetAttributeValue", set_up_ready);
	tcase_add_test(tc, attribute_arguments);
	tcase_add_test(tc, attribute_lengths);
	tcase_add_test(tc, attribute_too_small);
	tcase_add_test(tc, attribute_sensitive);
	tcase_add_test(tc, attribute_type_invalid);
	tcase_add_test(tc, attribute_several);

	tc = area(suite, "C_GetObjectSize", set_up_ready);
	tcase_add_test(tc, object_size);

	tc = area(suite, "object changes", set_up_ready);
	tcase_add_test(tc, objects_cannot_change);

	tc = area(suite, "C_SignInit", set_up_ready);
	tcase_add_test(tc, sign_init_rules);

	tc = area(suite, "C_Sign", set_up_ready);
	tcase_add_test(tc, sign_lengths);
	tcase_add_test(tc, sign_arguments);
	tcase_add_test(tc, sign_refused_ends_operation);

	tc = area(suite, "C_SignUpdate, C_SignFinal", set_up_ready);
	tcase_add_test(tc, sign_final_lengths);
	tcase_add_test(tc, sign_update_rules);
	tcase_add_test(tc, ecdsa_in_parts);

	tc = area(suite, "C_WaitForSlotEvent", set_up_ready);
	tcase_add_test(tc, wait_for_slot_event_rules);
	return suite;
}

int main(void)
{
	return run_suite(conformance_suite());
}

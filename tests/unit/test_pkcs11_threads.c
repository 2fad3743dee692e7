/*
 * Threads and processes: eight threads sign a hundred times each, with the
 * operating system's locks and with the application's mutex callbacks;
 * threads list keys and churn sessions while others sign; C_Finalize ends
 * the calls that wait for the device; a forked child starts afresh. Every
 * signature is checked with OpenSSL against the identity's key. The suite
 * also runs in a ThreadSanitizer build (./quickstart check).
 */
#include "config.h"

#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * The sanitizers' allocator counts the bytes it holds for the whole process
 * (GCC ships no header for it). glibc's own figures cover one arena, and
 * threads (libusb's) use others, so the heap test runs in the sanitizer
 * builds only, which ./quickstart check runs.
 */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define COUNTS_THE_HEAP 1
size_t __sanitizer_get_current_allocated_bytes(void);
#endif

#include "ec.h"
#include "helpers.h"
#include "pkcs11_types.h"

#define THREADS 8
#define SIGNATURES 100

/* Handles: 2i+1 public, 2i+2 private; alice is identity 0, bob identity 1. */
#define ALICE_PUBLIC 1
#define ALICE_PRIVATE 2
#define BOB_PRIVATE 4
#define ALICE_POINT "04b9afc638371743324c09dc8136847a0478e9f26a3dfcc0b9923f4bcbdcf93fdb" \
		    "faefbe4fc8425d3abb485c25895f0ea467d64e589f03051a8a511e64194ca61c"
#define BOB_POINT "044b76fcdf4deb65800cbe55a4077edfa306fcd4684dd860b69c733ecccbbe58af" \
		  "59acd086df056c93aa5b964aa62bc9bdf7a31d116e5d65ed0c51b3432db9eeb9"

static struct sim_process sim;
static void *library;
static CK_FUNCTION_LIST *p11;
static uint8_t alice_point[EC_UNCOMPRESSED_SIZE], bob_point[EC_UNCOMPRESSED_SIZE];

static void set_up(void)
{
	hex_to_bytes(ALICE_POINT, alice_point, sizeof(alice_point));
	hex_to_bytes(BOB_POINT, bob_point, sizeof(bob_point));
	module_environment(&sim, NULL);
	p11 = module_load(&library);
}

static void tear_down(void)
{
	p11->C_Finalize(NULL);
	sim_process_stop(&sim);
}

/* Short for the many sessions below: every one is read-only on the token. */
static CK_SESSION_HANDLE open_session(void)
{
	return module_open_session(p11, CKF_SERIAL_SESSION, NULL);
}

/* ---- signing threads -------------------------------------------------------------- */

struct signer {
	int number;
	CK_SESSION_HANDLE session;
	int count;                      /* signatures to make */
	int good;                       /* made, and verified */
	CK_RV rv;                       /* the first failure, or CKR_OK */
};

/* A digest of its own for each thread and signature. */
static void digest_for(int thread, int signature, CK_BYTE digest[32])
{
	int i;

	for (i = 0; i < 32; i++)
		digest[i] = (CK_BYTE)(thread * 31 + signature * 7 + i);
}

/* Even threads sign as alice, odd ones as bob; each signature is verified. */
static void *sign_many(void *argument)
{
	struct signer *signer = argument;
	CK_MECHANISM ecdsa = { CKM_ECDSA, NULL, 0 };
	CK_OBJECT_HANDLE key = signer->number % 2 == 0 ? ALICE_PRIVATE : BOB_PRIVATE;
	const uint8_t *point = signer->number % 2 == 0 ? alice_point : bob_point;
	CK_BYTE digest[32], signature[64];
	CK_ULONG length;
	CK_RV rv = CKR_OK;
	int i;

	for (i = 0; i < signer->count && rv == CKR_OK; i++) {
		digest_for(signer->number, i, digest);
		length = sizeof(signature);
		rv = p11->C_SignInit(signer->session, &ecdsa, key);
		if (rv == CKR_OK)
			rv = p11->C_Sign(signer->session, digest, sizeof(digest), signature,
					 &length);
		if (rv == CKR_OK && length == 64 && ec_p256_verify_digest(point, digest, signature))
			signer->good++;
	}
	signer->rv = rv;
	return NULL;
}

/* THREADS threads, SIGNATURES each, each in its own session. */
static void sign_in_threads(void)
{
	struct signer signers[THREADS];
	pthread_t threads[THREADS];
	int i;

	for (i = 0; i < THREADS; i++) {
		signers[i] = (struct signer){ .number = i, .session = open_session(),
					      .count = SIGNATURES };
		ck_assert_int_eq(pthread_create(&threads[i], NULL, sign_many, &signers[i]), 0);
	}
	for (i = 0; i < THREADS; i++) {
		ck_assert_int_eq(pthread_join(threads[i], NULL), 0);
		ck_assert_int_eq(signers[i].rv, CKR_OK);
		ck_assert_int_eq(signers[i].good, SIGNATURES);
	}
	ck_assert_int_eq(sim_process_count(&sim, "<- SignIdentity"), THREADS * SIGNATURES);
	ck_assert_int_eq(sim_process_count(&sim, "-> SignedIdentity"), THREADS * SIGNATURES);
}

START_TEST(eight_threads_with_os_locking)
{
	CK_C_INITIALIZE_ARGS args = { .flags = CKF_OS_LOCKING_OK };

	ck_assert_int_eq(p11->C_Initialize(&args), CKR_OK);
	sign_in_threads();
}
END_TEST

/* ---- the application's mutexes ------------------------------------------------------ */

static atomic_int created, destroyed, locked, unlocked;

static CK_RV app_create(CK_VOID_PTR_PTR mutex)
{
	pthread_mutex_t *m = malloc(sizeof(*m));

	if (m == NULL || pthread_mutex_init(m, NULL) != 0) {
		free(m);
		return CKR_HOST_MEMORY;
	}
	*mutex = m;
	atomic_fetch_add(&created, 1);
	return CKR_OK;
}

static CK_RV app_destroy(CK_VOID_PTR mutex)
{
	pthread_mutex_destroy(mutex);
	free(mutex);
	atomic_fetch_add(&destroyed, 1);
	return CKR_OK;
}

static CK_RV app_lock(CK_VOID_PTR mutex)
{
	atomic_fetch_add(&locked, 1);
	return pthread_mutex_lock(mutex) == 0 ? CKR_OK : CKR_GENERAL_ERROR;
}

static CK_RV app_unlock(CK_VOID_PTR mutex)
{
	atomic_fetch_add(&unlocked, 1);
	return pthread_mutex_unlock(mutex) == 0 ? CKR_OK : CKR_MUTEX_NOT_LOCKED;
}

START_TEST(eight_threads_with_application_mutexes)
{
	CK_C_INITIALIZE_ARGS args = { app_create, app_destroy, app_lock, app_unlock, 0, NULL };

	ck_assert_int_eq(p11->C_Initialize(&args), CKR_OK);
	sign_in_threads();
	/* Every call took the application's lock at least once. */
	ck_assert_int_ge(atomic_load(&created), 1);
	ck_assert_int_ge(atomic_load(&locked), THREADS * SIGNATURES * 2);
	ck_assert_int_eq(atomic_load(&locked), atomic_load(&unlocked));
	ck_assert_int_eq(p11->C_Finalize(NULL), CKR_OK);
	ck_assert_int_eq(atomic_load(&destroyed), atomic_load(&created));
	ck_assert_int_eq(p11->C_Initialize(NULL), CKR_OK);      /* for tear_down */
}
END_TEST

/* ---- everything at once ------------------------------------------------------------------ */

struct worker {
	void *(*work)(void *);
	int rounds;
	CK_RV rv;
};

/* List every object with the attributes ssh reads, as a key listing does. */
static void *list_keys(void *argument)
{
	struct worker *worker = argument;
	CK_SESSION_HANDLE session = open_session();
	CK_OBJECT_HANDLE objects[8];
	CK_ULONG found;
	CK_BYTE point[80], id[32];
	CK_RV rv = CKR_OK;
	int round;

	for (round = 0; round < worker->rounds && rv == CKR_OK; round++) {
		rv = p11->C_FindObjectsInit(session, NULL, 0);
		if (rv == CKR_OK)
			rv = p11->C_FindObjects(session, objects, 8, &found);
		if (rv == CKR_OK)
			rv = p11->C_FindObjectsFinal(session);
		if (rv == CKR_OK && found != 4)
			rv = CKR_GENERAL_ERROR;
		for (CK_ULONG i = 0; rv == CKR_OK && i < found; i++) {
			CK_ATTRIBUTE attributes[] = { { CKA_ID, id, sizeof(id) },
						      { CKA_EC_POINT, point, sizeof(point) } };

			/* Private keys have no CKA_EC_POINT here: ask for the id only. */
			rv = p11->C_GetAttributeValue(session, objects[i], attributes,
						      objects[i] % 2 == 1 ? 2 : 1);
		}
	}
	p11->C_CloseSession(session);
	worker->rv = rv;
	return NULL;
}

/* Open, inspect and close sessions, and read the slot and token. */
static void *churn_sessions(void *argument)
{
	struct worker *worker = argument;
	CK_SESSION_INFO info;
	CK_TOKEN_INFO token;
	CK_SESSION_HANDLE session;
	CK_RV rv = CKR_OK;
	int round;

	for (round = 0; round < worker->rounds && rv == CKR_OK; round++) {
		session = open_session();
		rv = p11->C_GetSessionInfo(session, &info);
		if (rv == CKR_OK)
			rv = p11->C_GetTokenInfo(info.slotID, &token);
		if (rv == CKR_OK)
			rv = p11->C_CloseSession(session);
	}
	worker->rv = rv;
	return NULL;
}

static void *sign_some(void *argument)
{
	struct worker *worker = argument;
	struct signer signer = { .number = 0, .session = open_session(), .count = worker->rounds };

	sign_many(&signer);
	worker->rv = signer.good == signer.count ? signer.rv : CKR_GENERAL_ERROR;
	return NULL;
}

START_TEST(listing_and_sessions_while_signing)
{
	CK_C_INITIALIZE_ARGS args = { .flags = CKF_OS_LOCKING_OK };
	struct worker workers[] = {
		{ sign_some, 50, CKR_OK },     { sign_some, 50, CKR_OK },
		{ list_keys, 200, CKR_OK },    { list_keys, 200, CKR_OK },
		{ churn_sessions, 200, CKR_OK }, { churn_sessions, 200, CKR_OK },
	};
	pthread_t threads[6];
	size_t i;

	ck_assert_int_eq(p11->C_Initialize(&args), CKR_OK);
	for (i = 0; i < 6; i++)
		ck_assert_int_eq(pthread_create(&threads[i], NULL, workers[i].work, &workers[i]), 0);
	for (i = 0; i < 6; i++) {
		ck_assert_int_eq(pthread_join(threads[i], NULL), 0);
		ck_assert_msg(workers[i].rv == CKR_OK, "worker %zu: 0x%lx", i, workers[i].rv);
	}
	ck_assert_int_eq(sim_process_count(&sim, "-> SignedIdentity"), 100);
}
END_TEST

/* ---- sessions closed under a waiting call -------------------------------------------- */

struct reader {
	CK_SESSION_HANDLE session;
	CK_RV rv;
};

static void *read_alice_point(void *argument)
{
	struct reader *reader = argument;
	CK_BYTE point[67];
	CK_ATTRIBUTE attribute = { CKA_EC_POINT, point, sizeof(point) };

	reader->rv = p11->C_GetAttributeValue(reader->session, ALICE_PUBLIC, &attribute, 1);
	return NULL;
}

static void wait_for_sim(const char *text, int count);

/*
 * A key read waits for the device (a cold cache, a device slow to derive)
 * while another thread closes the session: the reader must not touch the
 * freed session afterwards (under ASan a use after free would end the
 * test), and answers CKR_SESSION_HANDLE_INVALID.
 */
START_TEST(close_session_while_a_key_is_read)
{
	static const char *const slow[] = { "--derive-delay", "500", NULL };
	CK_C_INITIALIZE_ARGS args = { .flags = CKF_OS_LOCKING_OK };
	struct reader reader;
	pthread_t thread;

	sim_process_restart(&sim, slow);
	ck_assert_int_eq(p11->C_Initialize(&args), CKR_OK);
	reader.session = open_session();
	ck_assert_int_eq(pthread_create(&thread, NULL, read_alice_point, &reader), 0);
	wait_for_sim("<- GetPublicKey", 1);
	ck_assert_int_eq(p11->C_CloseSession(reader.session), CKR_OK);
	ck_assert_int_eq(pthread_join(thread, NULL), 0);
	ck_assert_uint_eq(reader.rv, CKR_SESSION_HANDLE_INVALID);
}
END_TEST

/* ---- C_Finalize while threads wait ----------------------------------------------------------- */

static void wait_for_sim(const char *text, int count)
{
	struct timespec pause = { 0, 10 * 1000 * 1000 };
	int tries;

	for (tries = 0; tries < 1000 && sim_process_count(&sim, text) < count; tries++)
		nanosleep(&pause, NULL);
	ck_assert_int_ge(sim_process_count(&sim, text), count);
}

/*
 * One thread waits for the person at the device (who takes a minute), seven
 * wait for the device. C_Finalize ends all eight calls: the device is told
 * to cancel, and each call returns CKR_CRYPTOKI_NOT_INITIALIZED.
 */
START_TEST(finalize_while_threads_wait)
{
	static const char *const slow[] = { "--confirm-delay", "60000", NULL };
	CK_C_INITIALIZE_ARGS args = { .flags = CKF_OS_LOCKING_OK };
	struct signer signers[THREADS];
	pthread_t threads[THREADS];
	struct timespec pause = { 0, 200 * 1000 * 1000 };
	int i;

	sim_process_stop(&sim);
	module_environment(&sim, slow);
	ck_assert_int_eq(p11->C_Initialize(&args), CKR_OK);
	for (i = 0; i < THREADS; i++) {
		signers[i] = (struct signer){ .number = 2 * i, .session = open_session(),
					      .count = 1 };
		ck_assert_int_eq(pthread_create(&threads[i], NULL, sign_many, &signers[i]), 0);
	}
	wait_for_sim("<- ButtonAck", 1);
	nanosleep(&pause, NULL);        /* the other seven queue for the device */
	ck_assert_int_eq(p11->C_Finalize(NULL), CKR_OK);
	for (i = 0; i < THREADS; i++) {
		ck_assert_int_eq(pthread_join(threads[i], NULL), 0);
		ck_assert_int_eq(signers[i].rv, CKR_CRYPTOKI_NOT_INITIALIZED);
		ck_assert_int_eq(signers[i].good, 0);
	}
	ck_assert_int_eq(sim_process_count(&sim, "<- SignIdentity"), 1);
	wait_for_sim("<- Cancel", 1);
	/* And the module starts again. */
	sim_process_stop(&sim);
	module_environment(&sim, NULL);
	ck_assert_int_eq(p11->C_Initialize(&args), CKR_OK);
	signers[0] = (struct signer){ .number = 0, .session = open_session(), .count = 1 };
	sign_many(&signers[0]);
	ck_assert_int_eq(signers[0].rv, CKR_OK);
	ck_assert_int_eq(signers[0].good, 1);
}
END_TEST

/* ---- fork ------------------------------------------------------------------------------------- */

/* The child's verdict: 0 when every step went as it should. */
static int child_starts_afresh(CK_SESSION_HANDLE parent_session)
{
	struct signer signer = { .number = 0, .count = 3 };
	CK_SESSION_INFO info;

	if (p11->C_GetSessionInfo(parent_session, &info) != CKR_CRYPTOKI_NOT_INITIALIZED)
		return 1;
	if (p11->C_Initialize(NULL) != CKR_OK)
		return 2;
	if (p11->C_GetSessionInfo(parent_session, &info) != CKR_SESSION_HANDLE_INVALID)
		return 3;
	signer.session = open_session();
	sign_many(&signer);
	if (signer.rv != CKR_OK || signer.good != 3)
		return 4;
	return p11->C_Finalize(NULL) == CKR_OK ? 0 : 5;
}

START_TEST(forked_child_signs_after_initialize)
{
	struct signer parent = { .number = 1, .count = 2 };
	pid_t child;
	int status;

	ck_assert_int_eq(p11->C_Initialize(NULL), CKR_OK);
	parent.session = open_session();
	sign_many(&parent);
	ck_assert_int_eq(parent.good, 2);
	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0)
		_exit(child_starts_afresh(parent.session));
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	/* The parent's session goes on. */
	parent.good = 0;
	sign_many(&parent);
	ck_assert_int_eq(parent.rv, CKR_OK);
	ck_assert_int_eq(parent.good, 2);
	ck_assert_int_eq(sim_process_count(&sim, "-> SignedIdentity"), 7);
}
END_TEST

/*
 * A fork while another thread of the parent is inside a call (holding the
 * module's locks): the child neither deadlocks nor touches the parent's
 * device conversation.
 */
START_TEST(fork_while_a_thread_signs)
{
	static const char *const slow[] = { "--confirm-delay", "1500", NULL };
	struct signer busy = { .number = 0, .count = 1 };
	pthread_t thread;
	pid_t child;
	int status;

	sim_process_stop(&sim);
	module_environment(&sim, slow);
	ck_assert_int_eq(p11->C_Initialize(NULL), CKR_OK);
	busy.session = open_session();
	ck_assert_int_eq(pthread_create(&thread, NULL, sign_many, &busy), 0);
	wait_for_sim("<- ButtonAck", 1);
	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		CK_ULONG slots = 0;

		if (p11->C_GetSlotList(CK_FALSE, NULL, &slots) != CKR_CRYPTOKI_NOT_INITIALIZED)
			_exit(1);
		if (p11->C_Initialize(NULL) != CKR_OK)
			_exit(2);
		_exit(p11->C_Finalize(NULL) == CKR_OK ? 0 : 3);
	}
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	ck_assert_int_eq(pthread_join(thread, NULL), 0);
	ck_assert_int_eq(busy.rv, CKR_OK);
	ck_assert_int_eq(busy.good, 1);
}
END_TEST

/* ---- nothing left behind ---------------------------------------------------------------- */

#ifdef COUNTS_THE_HEAP
/* Initialise, list, sign, finalise: what a short-lived program does. */
static void one_life(void)
{
	struct signer signer = { .number = 0, .count = 1 };
	CK_OBJECT_HANDLE objects[8];
	CK_ULONG found = 0;

	ck_assert_int_eq(p11->C_Initialize(NULL), CKR_OK);
	signer.session = open_session();
	ck_assert_int_eq(p11->C_FindObjectsInit(signer.session, NULL, 0), CKR_OK);
	ck_assert_int_eq(p11->C_FindObjects(signer.session, objects, 8, &found), CKR_OK);
	ck_assert_int_eq(p11->C_FindObjectsFinal(signer.session), CKR_OK);
	ck_assert_uint_eq(found, 4);
	sign_many(&signer);
	ck_assert_int_eq(signer.good, 1);
	ck_assert_int_eq(p11->C_Finalize(NULL), CKR_OK);
}

/*
 * C_Finalize frees everything C_Initialize and the calls after it took:
 * twenty lives in a row leave the heap as they found it. (The first two
 * let OpenSSL and libc set up what they keep for the whole process.)
 */
START_TEST(finalize_leaves_nothing_behind)
{
	size_t before;
	int i;

	one_life();
	one_life();
	before = __sanitizer_get_current_allocated_bytes();
	for (i = 0; i < 20; i++)
		one_life();
	ck_assert_uint_eq(__sanitizer_get_current_allocated_bytes(), before);
	ck_assert_int_eq(p11->C_Initialize(NULL), CKR_OK);      /* for tear_down */
}
END_TEST
#endif

static Suite *threads_suite(void)
{
	Suite *suite = suite_create("pkcs11 threads and processes");
	TCase *tc = tcase_create("threads");

	tcase_add_checked_fixture(tc, set_up, tear_down);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, eight_threads_with_os_locking);
	tcase_add_test(tc, eight_threads_with_application_mutexes);
	tcase_add_test(tc, listing_and_sessions_while_signing);
	tcase_add_test(tc, close_session_while_a_key_is_read);
	tcase_add_test(tc, finalize_while_threads_wait);
	tcase_add_test(tc, forked_child_signs_after_initialize);
	tcase_add_test(tc, fork_while_a_thread_signs);
#ifdef COUNTS_THE_HEAP
	tcase_add_test(tc, finalize_leaves_nothing_behind);
#endif
	suite_add_tcase(suite, tc);
	return suite;
}

int main(void)
{
	return run_suite(threads_suite());
}

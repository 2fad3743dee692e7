/*
 * Callers that share the module between threads, or fork: the module
 * (dlopen'ed as a program would) against the simulator. The rules of each
 * function, argument by argument, are test_pkcs11_conformance's.
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

/* Handles: 2i+2 is the private key of identity i; alice is identity 0. */
#define ALICE_PRIVATE 2

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
	first.session = module_open_session(p11, CKF_SERIAL_SESSION, NULL);
	second.session = module_open_session(p11, CKF_SERIAL_SESSION, NULL);
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

/*
 * Through Bridge: a child forked after the parent took the device keeps its
 * hands off the parent's Bridge session (a /release would take the device
 * from the parent, whose next signature failed with CKR_DEVICE_REMOVED).
 */
START_TEST(forked_child_keeps_off_the_bridge_session)
{
	struct sim_process bridge;
	struct signer signer;
	pid_t child;
	int status;

	bridge_process_start(&bridge, &sim);
	setenv("TREZOR_PATH", bridge.path, 1);
	ck_assert_int_eq(p11->C_Initialize(NULL), CKR_OK);
	signer.session = module_open_session(p11, CKF_SERIAL_SESSION, NULL);
	sign_in_thread(&signer);
	ck_assert_int_eq(signer.rv, CKR_OK);
	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0)
		_exit(p11->C_Initialize(NULL) == CKR_OK && p11->C_Finalize(NULL) == CKR_OK ? 0 : 1);
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	ck_assert_int_eq(sim_process_count(&bridge, "POST /release/"), 0);
	sign_in_thread(&signer);
	ck_assert_int_eq(signer.rv, CKR_OK);
	ck_assert_int_eq(p11->C_Finalize(NULL), CKR_OK);
	/* Bridge logs a request once it has answered it: wait for the line. */
	while (sim_process_count(&bridge, "POST /release/") == 0)
		usleep(10 * 1000);
	ck_assert_int_eq(sim_process_count(&bridge, "POST /release/"), 1);
	sim_process_stop(&bridge);
	unsetenv("TREZOR_PKCS11_BRIDGE");
}
END_TEST

static Suite *misuse_suite(void)
{
	Suite *suite = suite_create("pkcs11 misuse");
	TCase *tc = tcase_create("rules");

	tcase_add_checked_fixture(tc, set_up, tear_down);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, second_thread_waits_its_turn);
	tcase_add_test(tc, fork_needs_initialize);
	tcase_add_test(tc, forked_child_keeps_off_the_bridge_session);
	suite_add_tcase(suite, tc);
	return suite;
}

int main(void)
{
	return run_suite(misuse_suite());
}

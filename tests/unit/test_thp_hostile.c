/*
 * The module against a hostile Safe 7: the simulator's THP fault modes
 * (trezor-sim --fault thp-*), met through the PKCS#11 calls a program
 * makes. For each: what the call answers (no token, or the exact CKR), the
 * one line on stderr, a bound on the time it takes (never a hang), and then
 * the device working again once the fault is gone.
 *
 * The host is paired first with a healthy simulator; the faulty one then
 * takes its place on the same port, as a restarted device (the credential
 * stays good). A device's data messages, counted by --fault-after, are then:
 * 1 the handshake's initiation response, 2 its completion response,
 * 3 ThpEndResponse, 4 Features (discovery ends); 5 Success of
 * ThpCreateNewSession, 6 Features, 7 PublicKey, 8 ButtonRequest,
 * 9 SignedIdentity (the first signature).
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "helpers.h"
#include "pkcs11_types.h"

#define ALICE_PRIVATE 2
#define ALICE_SIGNATURE "9a9c40ff057fc0378f6b607df35052c781990063783f7b4efbe979ee565e6a94" \
			"2cffe25bdfde710d9c3486f2b647007614df2af87d18847e1c64464ed4d1ef03"

static struct sim_process sim;
static void *library;
static CK_FUNCTION_LIST *p11;
static struct stderr_capture capture;
static char line[1024];

static void use_fake_pinentry(void)
{
	char pinentry[600];

	snprintf(pinentry, sizeof(pinentry), "%s/tests/integration/fake-pinentry",
		 getenv("abs_top_srcdir"));
	setenv("TREZOR_PKCS11_PINENTRY", pinentry, 1);
	setenv("FAKE_PINENTRY_SIM_LOG", sim.log_path, 1);
}

static CK_ULONG tokens(void)
{
	CK_SLOT_ID list[4];
	CK_ULONG length = 4;

	ck_assert_uint_eq(p11->C_GetSlotList(CK_TRUE, list, &length), CKR_OK);
	return length;
}

/* Paired with a healthy Safe 7, then that device replaced by one with `fault` args. */
static void start(const char *const *fault)
{
	static const char *const healthy[] = { "--model", "Safe 7", NULL };
	const char *args[16] = { "--model", "Safe 7" };
	int n = 2;

	module_environment(&sim, healthy);
	use_fake_pinentry();
	setenv("TREZOR_PKCS11_CONFIRM_TIMEOUT", "2", 1);        /* replies: 2 s at most */
	p11 = module_load(&library);
	ck_assert_uint_eq(p11->C_Initialize(NULL), CKR_OK);
	ck_assert_uint_eq(tokens(), 1);
	ck_assert_uint_eq(p11->C_Finalize(NULL), CKR_OK);
	for (; fault != NULL && fault[n - 2] != NULL && n < 15; n++)
		args[n] = fault[n - 2];
	args[n] = NULL;
	sim_process_restart(&sim, args);
	ck_assert_uint_eq(p11->C_Initialize(NULL), CKR_OK);
}

static void stop(void)
{
	if (p11 != NULL)
		p11->C_Finalize(NULL);
	p11 = NULL;
	sim_process_stop(&sim);
	unsetenv("TREZOR_PKCS11_CONFIRM_TIMEOUT");
	unsetenv("TREZOR_PKCS11_PINENTRY");
}

/* Discovery meets the fault: no token, this line (after the device's path), in time. */
static void assert_not_found(const char *why, int64_t at_most_ms)
{
	int64_t started = clock_monotonic_ms();

	stderr_capture(&capture);
	ck_assert_uint_eq(tokens(), 0);
	snprintf(line, sizeof(line), "trezor-pkcs11: %s: %s\n", sim.path, why);
	ck_assert_str_eq(stderr_captured(&capture), line);
	ck_assert_int_le(clock_monotonic_ms() - started, at_most_ms);
}

/* The fault is gone (--fault-for 1): the device is found again, without a word. */
static void assert_found_again(void)
{
	CK_ULONG found;

	stderr_capture(&capture);
	found = tokens();
	ck_assert_str_eq(stderr_captured(&capture), "");
	ck_assert_uint_eq(found, 1);
}

static CK_RV sign(CK_BYTE signature[64])
{
	CK_MECHANISM ecdsa = { CKM_ECDSA, NULL, 0 };
	CK_SESSION_HANDLE session = module_open_session(p11, CKF_SERIAL_SESSION, NULL);
	CK_BYTE digest[32];
	CK_ULONG length = 64;
	int i;

	for (i = 0; i < 32; i++)
		digest[i] = (CK_BYTE)(0xa0 + i);
	ck_assert_uint_eq(p11->C_SignInit(session, &ecdsa, ALICE_PRIVATE), CKR_OK);
	return p11->C_Sign(session, digest, 32, signature, &length);
}

static void assert_signs(void)
{
	CK_BYTE signature[64], expected[64];

	stderr_capture(&capture);
	ck_assert_uint_eq(sign(signature), CKR_OK);
	ck_assert_str_eq(stderr_captured(&capture), "");
	hex_to_bytes(ALICE_SIGNATURE, expected, sizeof(expected));
	ck_assert_mem_eq(signature, expected, 64);
}

/* ---- allocation and handshake ---------------------------------------------------- */

START_TEST(allocation_for_another_host)
{
	static const char *const fault[] = { "--fault", "thp-bad-nonce", "--fault-for", "1", NULL };

	start(fault);
	/* Asked again after a second: the second allocation is answered well. */
	assert_found_again();
	ck_assert_int_eq(sim_process_count(&sim, "fault thp-bad-nonce"), 1);
	ck_assert_int_eq(sim_process_count(&sim, "allocated"), 2);
}
END_TEST

START_TEST(allocation_never_for_us)
{
	static const char *const fault[] = { "--fault", "thp-bad-nonce", NULL };

	start(fault);
	assert_not_found("the Trezor did not answer the THP handshake in time: the Trezor did "
			 "not allocate a THP channel", 4000);
}
END_TEST

START_TEST(handshake_never_ends)
{
	static const char *const fault[] = { "--fault", "thp-endless-handshake", "--fault-for",
					     "1", NULL };

	start(fault);
	assert_not_found("the Trezor did not answer the THP handshake in time", 4000);
	assert_found_again();
}
END_TEST

START_TEST(handshake_answer_garbled)
{
	static const char *const fault[] = { "--fault", "thp-bad-crc", "--fault-for", "1", NULL };

	start(fault);
	assert_not_found("the Trezor did not answer the THP handshake in time", 4000);
	assert_found_again();
}
END_TEST

START_TEST(handshake_answer_elsewhere)
{
	static const char *const fault[] = { "--fault", "thp-wrong-channel", "--fault-for", "1",
					     NULL };

	start(fault);
	assert_not_found("the Trezor did not answer the THP handshake in time", 4000);
	assert_found_again();
}
END_TEST

START_TEST(state_that_does_not_decrypt)
{
	static const char *const fault[] = { "--fault", "thp-bad-tag", "--fault-after", "1",
					     "--fault-for", "1", NULL };

	start(fault);
	assert_not_found("the Trezor broke the THP handshake: its state does not decrypt", 3000);
	assert_found_again();
}
END_TEST

/* ---- the transport ----------------------------------------------------------------- */

START_TEST(never_acknowledged)
{
	static const char *const fault[] = { "--fault", "thp-no-ack", NULL };

	start(fault);
	/* Sent 0, 250, 750 and 1500 ms in: the next is due after the reply's 2 s. */
	assert_not_found("the Trezor did not acknowledge a THP message (sent 4 times)", 3000);
}
END_TEST

START_TEST(always_busy)
{
	static const char *const fault[] = { "--fault", "thp-busy", NULL };

	start(fault);
	/* For as long as the module waits for a reply here (2 s; 5 s at most). */
	assert_not_found("the Trezor stayed busy with another program's channel for 2 s", 3000);
}
END_TEST

START_TEST(channel_unknown)
{
	static const char *const fault[] = { "--fault", "thp-unallocated", "--fault-for", "1",
					     NULL };

	start(fault);
	assert_not_found("the Trezor does not know the THP channel any more (restarted?)", 3000);
	assert_found_again();
}
END_TEST

START_TEST(features_that_do_not_decrypt)
{
	static const char *const fault[] = { "--fault", "thp-bad-tag", "--fault-after", "3",
					     "--fault-for", "1", NULL };

	start(fault);
	assert_not_found("the Trezor sent a THP message that does not decrypt (a bad tag)", 3000);
	assert_found_again();
}
END_TEST

START_TEST(features_never_whole)
{
	static const char *const fault[] = { "--fault", "thp-bad-crc", "--fault-after", "3",
					     "--fault-for", "1", NULL };

	start(fault);
	assert_not_found("the Trezor did not answer GetFeatures in time", 4000);
	assert_found_again();
}
END_TEST

/* A signature meets the fault: the exact CKR and line; the next one is the vector. */
START_TEST(signature_that_does_not_decrypt)
{
	static const char *const fault[] = { "--fault", "thp-bad-tag", "--fault-after", "8",
					     "--fault-for", "1", NULL };
	CK_BYTE signature[64] = { 0 };
	int64_t started;

	start(fault);
	ck_assert_uint_eq(tokens(), 1);
	started = clock_monotonic_ms();
	stderr_capture(&capture);
	ck_assert_uint_eq(sign(signature), CKR_DEVICE_ERROR);
	ck_assert_str_eq(stderr_captured(&capture), "trezor-pkcs11: the Trezor sent a THP message "
			 "that does not decrypt (a bad tag)\n");
	ck_assert_int_le(clock_monotonic_ms() - started, 3000);
	assert_signs();         /* on a new channel */
	ck_assert_int_eq(sim_process_count(&sim, "THP handshake"), 2);
}
END_TEST

/* ---- pairing ---------------------------------------------------------------------------- */

START_TEST(pairing_secret_that_fits_nothing)
{
	static const char *const args[] = { "--model", "Safe 7", "--fault", "thp-bad-secret",
					    "--fault-for", "1", NULL };

	module_environment(&sim, args);
	use_fake_pinentry();
	p11 = module_load(&library);
	ck_assert_uint_eq(p11->C_Initialize(NULL), CKR_OK);
	assert_not_found("the Trezor's pairing secret does not match its commitment and code: "
			 "the device on the other end is not the one that showed the code; "
			 "nothing was paired", 4000);
	/* Nothing was kept: the next look pairs, with the device's true secret. */
	assert_found_again();
	ck_assert_int_eq(sim_process_count(&sim, "pairing code:"), 2);
}
END_TEST

static Suite *thp_hostile_suite(void)
{
	Suite *suite = suite_create("thp hostile");
	TCase *tc = tcase_create("faults");

	tcase_add_checked_fixture(tc, NULL, stop);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, allocation_for_another_host);
	tcase_add_test(tc, allocation_never_for_us);
	tcase_add_test(tc, handshake_never_ends);
	tcase_add_test(tc, handshake_answer_garbled);
	tcase_add_test(tc, handshake_answer_elsewhere);
	tcase_add_test(tc, state_that_does_not_decrypt);
	tcase_add_test(tc, never_acknowledged);
	tcase_add_test(tc, always_busy);
	tcase_add_test(tc, channel_unknown);
	tcase_add_test(tc, features_that_do_not_decrypt);
	tcase_add_test(tc, features_never_whole);
	tcase_add_test(tc, signature_that_does_not_decrypt);
	tcase_add_test(tc, pairing_secret_that_fits_nothing);
	suite_add_tcase(suite, tc);
	return suite;
}

int main(void)
{
	return run_suite(thp_hostile_suite());
}

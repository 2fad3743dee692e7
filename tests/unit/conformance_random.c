/*
 * Conformance, random number generation (PKCS#11 v2.40 section 5.15): a
 * Trezor token has no CKF_RNG, and for such a token C_SeedRandom and
 * C_GenerateRandom answer CKR_RANDOM_NO_RNG ("the specified token doesn't
 * have a random number generator", section 5.1.6), after the session and
 * the arguments are checked. See conformance.h.
 */
#include "config.h"

#include "conformance.h"

#include <string.h>

START_TEST(no_random_number_generator)
{
	CK_TOKEN_INFO token;
	CK_BYTE seed[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, out[16];
	CK_SESSION_HANDLE rw = open_session(CKF_SERIAL_SESSION | CKF_RW_SESSION);

	ck_assert_uint_eq(p11->C_GetTokenInfo(slot, &token), CKR_OK);
	ck_assert_uint_eq(token.flags & CKF_RNG, 0);
	ck_assert_uint_eq(p11->C_SeedRandom(NO_SUCH_SESSION, seed, sizeof(seed)),
			  CKR_SESSION_HANDLE_INVALID);
	ck_assert_uint_eq(p11->C_GenerateRandom(NO_SUCH_SESSION, out, sizeof(out)),
			  CKR_SESSION_HANDLE_INVALID);
	ck_assert_uint_eq(p11->C_SeedRandom(session, NULL, 1), CKR_ARGUMENTS_BAD);
	ck_assert_uint_eq(p11->C_GenerateRandom(session, NULL, 1), CKR_ARGUMENTS_BAD);
	memset(out, 0xaa, sizeof(out));
	ck_assert_uint_eq(p11->C_SeedRandom(session, seed, sizeof(seed)), CKR_RANDOM_NO_RNG);
	ck_assert_uint_eq(p11->C_SeedRandom(rw, seed, sizeof(seed)), CKR_RANDOM_NO_RNG);
	ck_assert_uint_eq(p11->C_GenerateRandom(session, out, sizeof(out)), CKR_RANDOM_NO_RNG);
	ck_assert_uint_eq(p11->C_GenerateRandom(rw, out, sizeof(out)), CKR_RANDOM_NO_RNG);
	ck_assert_uint_eq(p11->C_GenerateRandom(session, out, 0), CKR_RANDOM_NO_RNG);
	ck_assert_uint_eq(out[0], 0xaa);
	/* Nothing reached the device. */
	ck_assert_int_eq(sim_process_count(&sim, "<- GetPublicKey"), 0);
}
END_TEST

/* ---- the cases ------------------------------------------------------------------ */

void conformance_random_cases(Suite *suite)
{
	TCase *tc = conformance_area(suite, "C_SeedRandom, C_GenerateRandom", set_up_ready);

	tcase_add_test(tc, no_random_number_generator);
}

/*
 * Random numbers: a Trezor token has none to give (no CKF_RNG). v2.40
 * section 5.15 lets such a token answer C_SeedRandom and C_GenerateRandom
 * with CKR_RANDOM_NO_RNG, "the specified token doesn't have a random number
 * generator" (section 5.1.6); pkcs11test and `pkcs11-tool --test` expect
 * it. Session and arguments are checked first, as for any function with a
 * session (section 5.1.2). See api.h.
 */
#include "config.h"

#include "api.h"

#include "session.h"

CK_RV api_seed_random(CK_SESSION_HANDLE handle, CK_BYTE_PTR seed, CK_ULONG length)
{
	if (session_get(handle) == NULL)
		return CKR_SESSION_HANDLE_INVALID;
	if (seed == NULL && length > 0)
		return CKR_ARGUMENTS_BAD;
	return CKR_RANDOM_NO_RNG;
}

CK_RV api_generate_random(CK_SESSION_HANDLE handle, CK_BYTE_PTR out, CK_ULONG length)
{
	if (session_get(handle) == NULL)
		return CKR_SESSION_HANDLE_INVALID;
	if (out == NULL && length > 0)
		return CKR_ARGUMENTS_BAD;
	return CKR_RANDOM_NO_RNG;
}

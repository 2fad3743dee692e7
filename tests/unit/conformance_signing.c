/*
 * Conformance, signing (PKCS#11 v2.40 section 5.11, and CKM_ECDSA in the
 * current-mechanisms document): the sign operation, its length
 * conventions and how it ends. See conformance.h.
 */
#include "config.h"

#include "conformance.h"

#include <string.h>

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

/* ---- the cases ------------------------------------------------------------------ */

void conformance_signing_cases(Suite *suite)
{
	TCase *tc;

	tc = conformance_area(suite, "C_SignInit", set_up_ready);
	tcase_add_test(tc, sign_init_rules);

	tc = conformance_area(suite, "C_Sign", set_up_ready);
	tcase_add_test(tc, sign_lengths);
	tcase_add_test(tc, sign_arguments);
	tcase_add_test(tc, sign_refused_ends_operation);

	tc = conformance_area(suite, "C_SignUpdate, C_SignFinal", set_up_ready);
	tcase_add_test(tc, sign_final_lengths);
	tcase_add_test(tc, sign_update_rules);
	tcase_add_test(tc, ecdsa_in_parts);
}

/*
 * Conformance, object management (PKCS#11 v2.40 section 5.7): finding
 * objects, reading attributes, and the refused changes. See conformance.h.
 */
#include "config.h"

#include "conformance.h"

#include <string.h>

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
	CK_BBOOL on_token = CK_TRUE;
	CK_ATTRIBUTE token_object[] = { { CKA_LABEL, "x", 1 },
					{ CKA_TOKEN, &on_token, sizeof(on_token) } };

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
	/*
	 * The token is write-protected, and CKR_TOKEN_WRITE_PROTECTED "has
	 * higher priority than CKR_SESSION_READ_ONLY" (v2.40 section 5.1.6):
	 * no change is CKR_SESSION_READ_ONLY, whatever the session. A session
	 * object may be created in a read-only session (section 5.7,
	 * C_CreateObject), so there the token's protection is the one reason.
	 */
	ck_assert_uint_eq(p11->C_CreateObject(session, &label, 1, &made),
			  CKR_TOKEN_WRITE_PROTECTED);
	ck_assert_uint_eq(p11->C_CreateObject(session, token_object, 2, &made),
			  CKR_TOKEN_WRITE_PROTECTED);
	ck_assert_uint_eq(p11->C_CreateObject(rw, &label, 1, &made), CKR_TOKEN_WRITE_PROTECTED);
	ck_assert_uint_eq(p11->C_CreateObject(rw, token_object, 2, &made),
			  CKR_TOKEN_WRITE_PROTECTED);
	/* The keys say themselves that they cannot change (CKA_COPYABLE,
	 * CKA_DESTROYABLE, CKA_MODIFIABLE false): the same answer in both. */
	ck_assert_uint_eq(p11->C_CopyObject(session, ALICE_PUBLIC, NULL, 0, &made),
			  CKR_ACTION_PROHIBITED);
	ck_assert_uint_eq(p11->C_CopyObject(rw, ALICE_PUBLIC, NULL, 0, &made),
			  CKR_ACTION_PROHIBITED);
	ck_assert_uint_eq(p11->C_DestroyObject(session, ALICE_PUBLIC), CKR_ACTION_PROHIBITED);
	ck_assert_uint_eq(p11->C_DestroyObject(rw, ALICE_PUBLIC), CKR_ACTION_PROHIBITED);
	ck_assert_uint_eq(p11->C_SetAttributeValue(session, ALICE_PUBLIC, &label, 1),
			  CKR_ACTION_PROHIBITED);
	ck_assert_uint_eq(p11->C_SetAttributeValue(rw, ALICE_PUBLIC, &label, 1),
			  CKR_ACTION_PROHIBITED);
	ck_assert_uint_eq(made, CK_INVALID_HANDLE);
}
END_TEST

/* ---- the cases ------------------------------------------------------------------ */

void conformance_object_cases(Suite *suite)
{
	TCase *tc;

	tc = conformance_area(suite, "C_FindObjects", set_up_ready);
	tcase_add_test(tc, find_arguments);
	tcase_add_test(tc, find_operation);
	tcase_add_test(tc, find_templates);

	tc = conformance_area(suite, "C_GetAttributeValue", set_up_ready);
	tcase_add_test(tc, attribute_arguments);
	tcase_add_test(tc, attribute_lengths);
	tcase_add_test(tc, attribute_too_small);
	tcase_add_test(tc, attribute_sensitive);
	tcase_add_test(tc, attribute_type_invalid);
	tcase_add_test(tc, attribute_several);

	tc = conformance_area(suite, "C_GetObjectSize", set_up_ready);
	tcase_add_test(tc, object_size);

	tc = conformance_area(suite, "object changes", set_up_ready);
	tcase_add_test(tc, objects_cannot_change);
}

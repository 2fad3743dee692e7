/*
 * What the module's objects and mechanisms mean, through its function list:
 * the keys' attributes, finding a key by its point, and each signing
 * mechanism's treatment of its input. The rules of each function, argument
 * by argument, are test_pkcs11_conformance's.
 */
#include "config.h"

#include <check.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "clock.h"
#include "ec.h"
#include "helpers.h"
#include "pkcs11_types.h"

#define ALICE_PUBLIC 1
#define ALICE_PRIVATE 2
#define BOB_PUBLIC 3
#define BOB_PRIVATE 4
#define ALICE_POINT "04b9afc638371743324c09dc8136847a0478e9f26a3dfcc0b9923f4bcbdcf93fdb" \
		    "faefbe4fc8425d3abb485c25895f0ea467d64e589f03051a8a511e64194ca61c"

static struct sim_process sim;
static void *library;
static CK_FUNCTION_LIST *p11;
static CK_SLOT_ID slot;
static CK_SESSION_HANDLE session;

/* A simulator started with `args`, the module initialised, a session open. */
static void set_up_with(const char *const *args)
{
	module_environment(&sim, args);
	p11 = module_load(&library);
	ck_assert_int_eq(p11->C_Initialize(NULL), CKR_OK);
	session = module_open_session(p11, CKF_SERIAL_SESSION, &slot);
}

static void set_up(void)
{
	set_up_with(NULL);
}

static void tear_down(void)
{
	p11->C_Finalize(NULL);
	sim_process_stop(&sim);
}

/* ---- objects ------------------------------------------------------------------ */

/* Handles C_FindObjects returns for a template, fetched one at a time. */
static size_t find(CK_ATTRIBUTE *attributes, CK_ULONG length, CK_OBJECT_HANDLE *found)
{
	CK_ULONG got;
	size_t total = 0;

	ck_assert_int_eq(p11->C_FindObjectsInit(session, attributes, length), CKR_OK);
	do {
		ck_assert_int_eq(p11->C_FindObjects(session, found + total, 1, &got), CKR_OK);
		total += got;
	} while (got == 1 && total < 8);
	ck_assert_int_eq(p11->C_FindObjectsFinal(session), CKR_OK);
	return total;
}

/* Matching a point needs the keys: one GetPublicKey per identity, once. */
START_TEST(find_by_point)
{
	CK_BYTE point[67] = { 0x04, 0x41 };
	CK_OBJECT_HANDLE found[8];
	CK_ATTRIBUTE by_point[] = { { CKA_EC_POINT, point, sizeof(point) } };

	hex_to_bytes(ALICE_POINT, point + 2, 65);
	ck_assert_uint_eq(find(by_point, 1, found), 2);
	ck_assert_uint_eq(found[0], ALICE_PUBLIC);
	ck_assert_uint_eq(found[1], ALICE_PRIVATE);
	ck_assert_uint_eq(find(by_point, 1, found), 2);
	ck_assert_int_eq(sim_process_count(&sim, "<- GetPublicKey"), 2);
}
END_TEST

static void assert_flag(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type, CK_BBOOL expected)
{
	CK_BBOOL value = 0xaa;
	CK_ATTRIBUTE attribute = { type, &value, sizeof(value) };

	ck_assert_int_eq(p11->C_GetAttributeValue(session, object, &attribute, 1), CKR_OK);
	ck_assert_msg(value == expected, "attribute 0x%lx of object %lu", type, object);
}

START_TEST(key_attributes)
{
	static const CK_BYTE params[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01,
					  0x07 };
	CK_BYTE value[128], expected[128];
	CK_KEY_TYPE key_type;
	CK_ATTRIBUTE point = { CKA_EC_POINT, value, sizeof(value) };
	CK_ATTRIBUTE ec_params = { CKA_EC_PARAMS, value, sizeof(value) };
	CK_ATTRIBUTE type = { CKA_KEY_TYPE, &key_type, sizeof(key_type) };
	CK_ATTRIBUTE label = { CKA_LABEL, value, sizeof(value) };

	ck_assert_int_eq(p11->C_GetAttributeValue(session, ALICE_PUBLIC, &point, 1), CKR_OK);
	expected[0] = 0x04;
	expected[1] = 0x41;
	hex_to_bytes(ALICE_POINT, expected + 2, 65);
	ck_assert_uint_eq(point.ulValueLen, 67);
	ck_assert_mem_eq(value, expected, 67);
	ck_assert_int_eq(p11->C_GetAttributeValue(session, ALICE_PRIVATE, &ec_params, 1), CKR_OK);
	ck_assert_uint_eq(ec_params.ulValueLen, sizeof(params));
	ck_assert_mem_eq(value, params, sizeof(params));
	ck_assert_int_eq(p11->C_GetAttributeValue(session, BOB_PRIVATE, &type, 1), CKR_OK);
	ck_assert_uint_eq(key_type, CKK_EC);
	ck_assert_int_eq(p11->C_GetAttributeValue(session, BOB_PUBLIC, &label, 1), CKR_OK);
	ck_assert_uint_eq(label.ulValueLen, 20);
	ck_assert_mem_eq(value, "bob@example.org:2222", 20);

	assert_flag(ALICE_PRIVATE, CKA_SIGN, CK_TRUE);
	assert_flag(ALICE_PRIVATE, CKA_SENSITIVE, CK_TRUE);
	assert_flag(ALICE_PRIVATE, CKA_EXTRACTABLE, CK_FALSE);
	assert_flag(ALICE_PRIVATE, CKA_PRIVATE, CK_FALSE);
	assert_flag(ALICE_PRIVATE, CKA_ALWAYS_AUTHENTICATE, CK_FALSE);
	assert_flag(ALICE_PRIVATE, CKA_TOKEN, CK_TRUE);
	assert_flag(ALICE_PUBLIC, CKA_VERIFY, CK_TRUE);
	assert_flag(ALICE_PUBLIC, CKA_PRIVATE, CK_FALSE);
	assert_flag(ALICE_PUBLIC, CKA_MODIFIABLE, CK_FALSE);
	ck_assert_int_eq(sim_process_count(&sim, "<- GetPublicKey"), 1);
}
END_TEST

/* Sign `length` bytes with a mechanism in one C_Sign; r||s into signature. */
static void sign_once(CK_MECHANISM_TYPE type, const CK_BYTE *data, CK_ULONG length,
		      CK_BYTE signature[64])
{
	CK_MECHANISM mechanism = { type, NULL, 0 };
	CK_ULONG signature_length = 64;

	ck_assert_int_eq(p11->C_SignInit(session, &mechanism, ALICE_PRIVATE), CKR_OK);
	ck_assert_int_eq(p11->C_Sign(session, (CK_BYTE_PTR)data, length, signature,
				     &signature_length), CKR_OK);
	ck_assert_uint_eq(signature_length, 64);
}

static void assert_signs_digest(const CK_BYTE signature[64], const CK_BYTE digest[32])
{
	uint8_t point[65];

	hex_to_bytes(ALICE_POINT, point, sizeof(point));
	ck_assert(ec_p256_verify_digest(point, digest, signature));
}

START_TEST(ecdsa_input_lengths)
{
	CK_BYTE input[48], digest[32], signature[64];
	int i;

	for (i = 0; i < 48; i++)
		input[i] = (CK_BYTE)(i + 1);
	/* Longer than 32 bytes: the leftmost 32 are signed. */
	sign_once(CKM_ECDSA, input, 48, signature);
	assert_signs_digest(signature, input);
	/* Shorter: left-padded with zeros. */
	sign_once(CKM_ECDSA, input, 20, signature);
	memset(digest, 0, 12);
	memcpy(digest + 12, input, 20);
	assert_signs_digest(signature, digest);
	ck_assert_int_eq(sim_process_count(&sim, "<- SignIdentity"), 2);
}
END_TEST

START_TEST(hashing_mechanisms)
{
	static const CK_BYTE data[] = "the quick brown fox";
	CK_MECHANISM sha384 = { CKM_ECDSA_SHA384, NULL, 0 };
	CK_BYTE digest[64], signature[64];
	CK_ULONG length = 64;

	sign_once(CKM_ECDSA_SHA256, data, sizeof(data), signature);
	EVP_Digest(data, sizeof(data), digest, NULL, EVP_sha256(), NULL);
	assert_signs_digest(signature, digest);
	sign_once(CKM_ECDSA_SHA512, data, sizeof(data), signature);
	EVP_Digest(data, sizeof(data), digest, NULL, EVP_sha512(), NULL);
	assert_signs_digest(signature, digest);         /* leftmost 32 bytes */

	/* Multi-part: C_SignUpdate twice, then C_SignFinal. */
	ck_assert_int_eq(p11->C_SignInit(session, &sha384, ALICE_PRIVATE), CKR_OK);
	ck_assert_int_eq(p11->C_SignUpdate(session, (CK_BYTE_PTR)data, 4), CKR_OK);
	ck_assert_int_eq(p11->C_SignUpdate(session, (CK_BYTE_PTR)data + 4, sizeof(data) - 4),
			 CKR_OK);
	ck_assert_int_eq(p11->C_Sign(session, (CK_BYTE_PTR)data, 1, signature, &length),
			 CKR_OPERATION_ACTIVE);
	ck_assert_int_eq(p11->C_SignFinal(session, NULL, &length), CKR_OK);
	ck_assert_uint_eq(length, 64);
	ck_assert_int_eq(p11->C_SignFinal(session, signature, &length), CKR_OK);
	EVP_Digest(data, sizeof(data), digest, NULL, EVP_sha384(), NULL);
	assert_signs_digest(signature, digest);
	ck_assert_int_eq(sim_process_count(&sim, "<- SignIdentity"), 3);
}
END_TEST

START_TEST(zero_digest_refused_here)
{
	CK_MECHANISM ecdsa = { CKM_ECDSA, NULL, 0 };
	CK_BYTE zeros[32] = { 0 }, signature[64];
	CK_ULONG length = 64;

	ck_assert_int_eq(p11->C_SignInit(session, &ecdsa, ALICE_PRIVATE), CKR_OK);
	ck_assert_int_eq(p11->C_Sign(session, zeros, 32, signature, &length), CKR_DATA_INVALID);
	ck_assert_int_eq(sim_process_count(&sim, "<- SignIdentity"), 0);
	ck_assert_int_eq(p11->C_Sign(session, zeros, 32, signature, &length),
			 CKR_OPERATION_NOT_INITIALIZED);
}
END_TEST

static void *kill_simulator_soon(void *unused)
{
	struct timespec pause = { 0, 500 * 1000 * 1000 };

	(void)unused;
	nanosleep(&pause, NULL);
	sim_process_stop(&sim);
	return NULL;
}

START_TEST(device_gone_mid_signature)
{
	/* The person would take longer than the test may: the answer must not wait for them. */
	static const char *const slow[] = { "--confirm-delay", "600000", NULL };
	CK_MECHANISM ecdsa = { CKM_ECDSA, NULL, 0 };
	CK_BYTE digest[32] = { 1 }, signature[64];
	CK_ULONG length = 64, slots = 9;
	CK_TOKEN_INFO token;
	pthread_t killer;

	ck_assert_int_eq(p11->C_Finalize(NULL), CKR_OK);
	sim_process_stop(&sim);
	set_up_with(slow);
	ck_assert_int_eq(p11->C_SignInit(session, &ecdsa, ALICE_PRIVATE), CKR_OK);
	ck_assert_int_eq(pthread_create(&killer, NULL, kill_simulator_soon, NULL), 0);
	/* Noticed at the next liveness ping, a second after the last word. */
	ck_assert_int_eq(p11->C_Sign(session, digest, 32, signature, &length), CKR_DEVICE_REMOVED);
	pthread_join(killer, NULL);
	ck_assert_int_eq(p11->C_GetSlotList(CK_TRUE, NULL, &slots), CKR_OK);
	ck_assert_uint_eq(slots, 0);
	ck_assert_int_eq(p11->C_GetTokenInfo(slot, &token), CKR_TOKEN_NOT_PRESENT);
}
END_TEST

static Suite *api_suite(void)
{
	Suite *suite = suite_create("pkcs11 api");
	TCase *tc = tcase_create("api");

	tcase_add_checked_fixture(tc, set_up, tear_down);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, find_by_point);
	tcase_add_test(tc, key_attributes);
	tcase_add_test(tc, ecdsa_input_lengths);
	tcase_add_test(tc, hashing_mechanisms);
	tcase_add_test(tc, zero_digest_refused_here);
	tcase_add_test(tc, device_gone_mid_signature);
	suite_add_tcase(suite, tc);
	return suite;
}

int main(void)
{
	return run_suite(api_suite());
}

/*
 * The module's PKCS#11 semantics, through its function list: slots with and
 * without a device, sessions and login, object search and attributes, the
 * read-only refusals, and each signing mechanism's treatment of its input.
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
#define ALICE_ID "20160ed6a16f089058d1dd9ddbb3a4a3"
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
	CK_ULONG slots = 1;

	module_environment(&sim, args);
	p11 = module_load(&library);
	ck_assert_int_eq(p11->C_Initialize(NULL), CKR_OK);
	ck_assert_int_eq(p11->C_GetSlotList(CK_TRUE, &slot, &slots), CKR_OK);
	ck_assert_int_eq(p11->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &session),
			 CKR_OK);
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

/* ---- library, slots, tokens --------------------------------------------- */

static void assert_padded(const CK_UTF8CHAR *field, size_t size, const char *text)
{
	size_t i, length = strlen(text);

	ck_assert_mem_eq(field, text, length);
	for (i = length; i < size; i++)
		ck_assert_int_eq(field[i], ' ');
}

START_TEST(library_and_token_info)
{
	CK_INFO info;
	CK_SLOT_INFO slot_info;
	CK_TOKEN_INFO token;
	char description[128];

	ck_assert_int_eq(p11->C_GetInfo(&info), CKR_OK);
	ck_assert_int_eq(info.cryptokiVersion.major, 2);
	ck_assert_int_eq(info.cryptokiVersion.minor, 40);
	assert_padded(info.manufacturerID, 32, "trezor-pkcs11 project");
	assert_padded(info.libraryDescription, 32, "Trezor PKCS#11 module");
	ck_assert_int_eq(p11->version.major, 2);
	ck_assert_int_eq(p11->version.minor, 40);

	ck_assert_int_eq(p11->C_GetSlotInfo(slot, &slot_info), CKR_OK);
	snprintf(description, sizeof(description), "Trezor One at %s", sim.path);
	assert_padded(slot_info.slotDescription, 64, description);
	ck_assert_uint_eq(slot_info.flags, CKF_TOKEN_PRESENT | CKF_REMOVABLE_DEVICE | CKF_HW_SLOT);

	ck_assert_int_eq(p11->C_GetTokenInfo(slot, &token), CKR_OK);
	assert_padded(token.label, 32, "Simulated Trezor");
	assert_padded(token.manufacturerID, 32, "SatoshiLabs");
	assert_padded(token.model, 16, "Trezor One");
	assert_padded(token.serialNumber, 16, "58ACF278961FCEF6");
	ck_assert_uint_eq(token.flags, CKF_TOKEN_INITIALIZED | CKF_PROTECTED_AUTHENTICATION_PATH);
	ck_assert_uint_eq(token.ulSessionCount, 1);
	ck_assert_uint_eq(token.ulRwSessionCount, 0);
	ck_assert_int_eq(token.firmwareVersion.major, 1);
	ck_assert_int_eq(token.firmwareVersion.minor, 12);
	/* The slot id comes from the device id: the same in every process. */
	ck_assert_uint_eq(slot, 0x711f1fb);
}
END_TEST

START_TEST(slot_list_lengths)
{
	CK_SLOT_ID slots[2];
	CK_ULONG length = 0;

	ck_assert_int_eq(p11->C_GetSlotList(CK_FALSE, NULL, &length), CKR_OK);
	ck_assert_uint_eq(length, 1);
	length = 0;
	ck_assert_int_eq(p11->C_GetSlotList(CK_FALSE, slots, &length), CKR_BUFFER_TOO_SMALL);
	ck_assert_uint_eq(length, 1);
	length = 2;
	ck_assert_int_eq(p11->C_GetSlotList(CK_FALSE, slots, &length), CKR_OK);
	ck_assert_uint_eq(length, 1);
	ck_assert_uint_eq(slots[0], slot);
	/* Features were read once for all of this, without touching the session. */
	ck_assert_int_eq(sim_process_count(&sim, "<- GetFeatures"), 1);
	ck_assert_int_eq(sim_process_count(&sim, "<- Initialize"), 0);
}
END_TEST

START_TEST(no_device_gives_an_empty_slot)
{
	CK_SLOT_ID empty;
	CK_ULONG length = 1;
	CK_SLOT_INFO info;
	CK_TOKEN_INFO token;
	CK_SESSION_HANDLE none;
	char path[64];

	ck_assert_int_eq(p11->C_Finalize(NULL), CKR_OK);
	snprintf(path, sizeof(path), "%s", sim.path);
	sim_process_stop(&sim);                 /* nothing answers there now */
	setenv("TREZOR_PATH", path, 1);
	ck_assert_int_eq(p11->C_Initialize(NULL), CKR_OK);
	ck_assert_int_eq(p11->C_GetSlotList(CK_TRUE, NULL, &length), CKR_OK);
	ck_assert_uint_eq(length, 0);
	length = 1;
	ck_assert_int_eq(p11->C_GetSlotList(CK_FALSE, &empty, &length), CKR_OK);
	ck_assert_uint_eq(length, 1);
	ck_assert_int_eq(p11->C_GetSlotInfo(empty, &info), CKR_OK);
	ck_assert_uint_eq(info.flags, CKF_REMOVABLE_DEVICE | CKF_HW_SLOT);
	assert_padded(info.slotDescription, 64, "Trezor (no device attached)");
	ck_assert_int_eq(p11->C_GetTokenInfo(empty, &token), CKR_TOKEN_NOT_PRESENT);
	ck_assert_int_eq(p11->C_OpenSession(empty, CKF_SERIAL_SESSION, NULL, NULL, &none),
			 CKR_TOKEN_NOT_PRESENT);
	ck_assert_int_eq(p11->C_GetMechanismList(empty, NULL, &length), CKR_TOKEN_NOT_PRESENT);
}
END_TEST

/* ---- sessions and login --------------------------------------------------- */

START_TEST(sessions_and_login)
{
	CK_SESSION_HANDLE rw, none;
	CK_SESSION_INFO info;
	CK_UTF8CHAR pin[] = "123456", long_pin[51];

	ck_assert_int_eq(p11->C_OpenSession(slot, CKF_RW_SESSION, NULL, NULL, &none),
			 CKR_SESSION_PARALLEL_NOT_SUPPORTED);
	ck_assert_int_eq(p11->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL,
					    &rw), CKR_OK);
	ck_assert_int_eq(p11->C_GetSessionInfo(session, &info), CKR_OK);
	ck_assert_uint_eq(info.slotID, slot);
	ck_assert_uint_eq(info.state, CKS_RO_PUBLIC_SESSION);
	ck_assert_uint_eq(info.flags, CKF_SERIAL_SESSION);
	ck_assert_int_eq(p11->C_GetSessionInfo(rw, &info), CKR_OK);
	ck_assert_uint_eq(info.state, CKS_RW_PUBLIC_SESSION);

	memset(long_pin, '1', sizeof(long_pin));
	ck_assert_int_eq(p11->C_Login(session, CKU_SO, pin, 6), CKR_USER_TYPE_INVALID);
	ck_assert_int_eq(p11->C_Login(session, CKU_USER, long_pin, 51), CKR_PIN_LEN_RANGE);
	ck_assert_int_eq(p11->C_Login(session, CKU_CONTEXT_SPECIFIC, pin, 6),
			 CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_int_eq(p11->C_Logout(session), CKR_USER_NOT_LOGGED_IN);
	ck_assert_int_eq(p11->C_Login(session, CKU_USER, pin, 6), CKR_OK);
	ck_assert_int_eq(p11->C_Login(rw, CKU_USER, pin, 6), CKR_USER_ALREADY_LOGGED_IN);
	ck_assert_int_eq(p11->C_GetSessionInfo(rw, &info), CKR_OK);
	ck_assert_uint_eq(info.state, CKS_RW_USER_FUNCTIONS);
	ck_assert_int_eq(p11->C_Logout(rw), CKR_OK);
	ck_assert_int_eq(p11->C_GetSessionInfo(session, &info), CKR_OK);
	ck_assert_uint_eq(info.state, CKS_RO_PUBLIC_SESSION);
	/* A login ends with the token's last session. */
	ck_assert_int_eq(p11->C_Login(session, CKU_USER, NULL, 0), CKR_OK);
	ck_assert_int_eq(p11->C_CloseAllSessions(slot), CKR_OK);
	ck_assert_int_eq(p11->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &session), CKR_OK);
	ck_assert_int_eq(p11->C_GetSessionInfo(session, &info), CKR_OK);
	ck_assert_uint_eq(info.state, CKS_RO_PUBLIC_SESSION);
	ck_assert_int_eq(p11->C_GetSessionInfo(rw, &info), CKR_SESSION_HANDLE_INVALID);
}
END_TEST

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

START_TEST(find_templates)
{
	CK_OBJECT_CLASS private_class = CKO_PRIVATE_KEY, certificate = CKO_CERTIFICATE;
	CK_KEY_TYPE rsa = CKK_RSA, ec = CKK_EC;
	CK_BBOOL yes = CK_TRUE;
	CK_BYTE id[16], point[67] = { 0x04, 0x41 };
	CK_OBJECT_HANDLE found[8];
	CK_ATTRIBUTE by_class[] = { { CKA_CLASS, &private_class, sizeof(private_class) } };
	CK_ATTRIBUTE by_id[] = { { CKA_CLASS, &private_class, sizeof(private_class) },
				 { CKA_ID, id, sizeof(id) },
				 { CKA_SIGN, &yes, sizeof(yes) } };
	CK_ATTRIBUTE by_label[] = { { CKA_LABEL, "bob@example.org:2222", 20 } };
	CK_ATTRIBUTE by_point[] = { { CKA_EC_POINT, point, sizeof(point) } };
	CK_ATTRIBUTE rsa_keys[] = { { CKA_KEY_TYPE, &rsa, sizeof(rsa) } };
	CK_ATTRIBUTE ec_tokens[] = { { CKA_KEY_TYPE, &ec, sizeof(ec) }, { CKA_TOKEN, &yes, 1 } };
	CK_ATTRIBUTE certificates[] = { { CKA_CLASS, &certificate, sizeof(certificate) } };
	CK_ATTRIBUTE secret[] = { { CKA_VALUE, id, sizeof(id) } };

	hex_to_bytes(ALICE_ID, id, sizeof(id));
	hex_to_bytes(ALICE_POINT, point + 2, 65);
	ck_assert_uint_eq(find(NULL, 0, found), 4);
	ck_assert_uint_eq(find(by_class, 1, found), 2);
	ck_assert_uint_eq(found[0], ALICE_PRIVATE);
	ck_assert_uint_eq(found[1], BOB_PRIVATE);
	ck_assert_uint_eq(find(by_id, 3, found), 1);
	ck_assert_uint_eq(found[0], ALICE_PRIVATE);
	ck_assert_uint_eq(find(by_label, 1, found), 2);
	ck_assert_uint_eq(found[0], BOB_PUBLIC);
	ck_assert_uint_eq(find(rsa_keys, 1, found), 0);
	ck_assert_uint_eq(find(ec_tokens, 2, found), 4);
	ck_assert_uint_eq(find(certificates, 1, found), 0);
	ck_assert_uint_eq(find(secret, 1, found), 0);
	/* Matching a point needs the keys: one GetPublicKey per identity, once. */
	ck_assert_uint_eq(find(by_point, 1, found), 2);
	ck_assert_uint_eq(found[0], ALICE_PUBLIC);
	ck_assert_uint_eq(found[1], ALICE_PRIVATE);
	ck_assert_uint_eq(find(by_point, 1, found), 2);
	ck_assert_int_eq(sim_process_count(&sim, "<- GetPublicKey"), 2);
}
END_TEST

START_TEST(find_rules)
{
	CK_OBJECT_HANDLE found[4];
	CK_ULONG got;

	ck_assert_int_eq(p11->C_FindObjects(session, found, 4, &got), CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_int_eq(p11->C_FindObjectsFinal(session), CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_int_eq(p11->C_FindObjectsInit(session, NULL, 0), CKR_OK);
	ck_assert_int_eq(p11->C_FindObjectsInit(session, NULL, 0), CKR_OPERATION_ACTIVE);
	ck_assert_int_eq(p11->C_FindObjects(session, found, 3, &got), CKR_OK);
	ck_assert_uint_eq(got, 3);
	ck_assert_int_eq(p11->C_FindObjects(session, found, 3, &got), CKR_OK);
	ck_assert_uint_eq(got, 1);
	ck_assert_int_eq(p11->C_FindObjects(session, found, 3, &got), CKR_OK);
	ck_assert_uint_eq(got, 0);
	ck_assert_int_eq(p11->C_FindObjectsFinal(session), CKR_OK);
}
END_TEST

START_TEST(attribute_semantics)
{
	CK_OBJECT_CLASS class_value = 0;
	CK_BYTE label[4], id[16];
	CK_ATTRIBUTE attributes[] = {
		{ CKA_CLASS, &class_value, sizeof(class_value) },       /* fits */
		{ CKA_VALUE, id, sizeof(id) },                          /* sensitive */
		{ CKA_MODULUS, id, sizeof(id) },                        /* not an EC key's */
		{ CKA_LABEL, label, sizeof(label) },                    /* too small */
		{ CKA_ID, NULL, 0 },                                    /* length query */
	};
	CK_RV rv = p11->C_GetAttributeValue(session, ALICE_PRIVATE, attributes, 5);

	ck_assert(rv == CKR_ATTRIBUTE_SENSITIVE || rv == CKR_ATTRIBUTE_TYPE_INVALID ||
		  rv == CKR_BUFFER_TOO_SMALL);
	/* Every attribute of the template was processed. */
	ck_assert_uint_eq(class_value, CKO_PRIVATE_KEY);
	ck_assert_uint_eq(attributes[0].ulValueLen, sizeof(CK_OBJECT_CLASS));
	ck_assert_uint_eq(attributes[1].ulValueLen, CK_UNAVAILABLE_INFORMATION);
	ck_assert_uint_eq(attributes[2].ulValueLen, CK_UNAVAILABLE_INFORMATION);
	ck_assert_uint_eq(attributes[3].ulValueLen, CK_UNAVAILABLE_INFORMATION);
	ck_assert_uint_eq(attributes[4].ulValueLen, 16);
	/* Reading them needed no device. */
	ck_assert_int_eq(sim_process_count(&sim, "<- GetPublicKey"), 0);
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

START_TEST(read_only_objects)
{
	CK_SESSION_HANDLE rw;
	CK_OBJECT_HANDLE made;
	CK_ULONG size = 0;
	CK_ATTRIBUTE label = { CKA_LABEL, "x", 1 };

	ck_assert_int_eq(p11->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL,
					    &rw), CKR_OK);
	ck_assert_int_eq(p11->C_CreateObject(session, &label, 1, &made), CKR_SESSION_READ_ONLY);
	ck_assert_int_eq(p11->C_CreateObject(rw, &label, 1, &made), CKR_TOKEN_WRITE_PROTECTED);
	ck_assert_int_eq(p11->C_CopyObject(rw, ALICE_PUBLIC, NULL, 0, &made), CKR_ACTION_PROHIBITED);
	ck_assert_int_eq(p11->C_DestroyObject(session, ALICE_PUBLIC), CKR_SESSION_READ_ONLY);
	ck_assert_int_eq(p11->C_DestroyObject(rw, ALICE_PUBLIC), CKR_ACTION_PROHIBITED);
	ck_assert_int_eq(p11->C_SetAttributeValue(session, ALICE_PUBLIC, &label, 1),
			 CKR_SESSION_READ_ONLY);
	ck_assert_int_eq(p11->C_SetAttributeValue(rw, ALICE_PUBLIC, &label, 1),
			 CKR_ACTION_PROHIBITED);
	ck_assert_int_eq(p11->C_GetObjectSize(rw, ALICE_PUBLIC, &size), CKR_OK);
	ck_assert_uint_eq(size, CK_UNAVAILABLE_INFORMATION);
	ck_assert_int_eq(p11->C_GenerateKeyPair(rw, NULL, NULL, 0, NULL, 0, &made, &made),
			 CKR_FUNCTION_NOT_SUPPORTED);
}
END_TEST

/* ---- mechanisms and their input ----------------------------------------------- */

START_TEST(mechanism_list_and_info)
{
	CK_MECHANISM_TYPE list[4];
	CK_ULONG length = 0;
	CK_MECHANISM_INFO info;

	ck_assert_int_eq(p11->C_GetMechanismList(slot, NULL, &length), CKR_OK);
	ck_assert_uint_eq(length, 4);
	length = 3;
	ck_assert_int_eq(p11->C_GetMechanismList(slot, list, &length), CKR_BUFFER_TOO_SMALL);
	ck_assert_uint_eq(length, 4);
	ck_assert_int_eq(p11->C_GetMechanismList(slot, list, &length), CKR_OK);
	ck_assert_uint_eq(list[0], CKM_ECDSA);
	ck_assert_uint_eq(list[1], CKM_ECDSA_SHA256);
	ck_assert_uint_eq(list[2], CKM_ECDSA_SHA384);
	ck_assert_uint_eq(list[3], CKM_ECDSA_SHA512);
	ck_assert_int_eq(p11->C_GetMechanismInfo(slot, CKM_ECDSA_SHA256, &info), CKR_OK);
	ck_assert_uint_eq(info.ulMinKeySize, 256);
	ck_assert_uint_eq(info.ulMaxKeySize, 256);
	ck_assert_uint_eq(info.flags, CKF_HW | CKF_SIGN | CKF_EC_F_P | CKF_EC_NAMEDCURVE |
					      CKF_EC_UNCOMPRESS);
	ck_assert_int_eq(p11->C_GetMechanismInfo(slot, CKM_RSA_PKCS, &info), CKR_MECHANISM_INVALID);
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
	static const char *const slow[] = { "--confirm-delay", "5000", NULL };
	CK_MECHANISM ecdsa = { CKM_ECDSA, NULL, 0 };
	CK_BYTE digest[32] = { 1 }, signature[64];
	CK_ULONG length = 64, slots = 9;
	CK_TOKEN_INFO token;
	pthread_t killer;
	int64_t started;

	ck_assert_int_eq(p11->C_Finalize(NULL), CKR_OK);
	sim_process_stop(&sim);
	set_up_with(slow);
	ck_assert_int_eq(p11->C_SignInit(session, &ecdsa, ALICE_PRIVATE), CKR_OK);
	ck_assert_int_eq(pthread_create(&killer, NULL, kill_simulator_soon, NULL), 0);
	started = clock_monotonic_ms();
	ck_assert_int_eq(p11->C_Sign(session, digest, 32, signature, &length), CKR_DEVICE_REMOVED);
	/* Noticed at the next liveness ping, a second after the last word. */
	ck_assert_int_lt(clock_monotonic_ms() - started, 2500);
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
	tcase_add_test(tc, library_and_token_info);
	tcase_add_test(tc, slot_list_lengths);
	tcase_add_test(tc, no_device_gives_an_empty_slot);
	tcase_add_test(tc, sessions_and_login);
	tcase_add_test(tc, find_templates);
	tcase_add_test(tc, find_rules);
	tcase_add_test(tc, attribute_semantics);
	tcase_add_test(tc, key_attributes);
	tcase_add_test(tc, read_only_objects);
	tcase_add_test(tc, mechanism_list_and_info);
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

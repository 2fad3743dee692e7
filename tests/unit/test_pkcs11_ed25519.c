/*
 * Ed25519 identities through the module's function list: the objects of a
 * line "alice@example.com ed25519" (trezor-agent's ssh:// key) beside the
 * P-256 key of the same identity, CKM_EDDSA over the whole message, its
 * limits (said without the device), and the keys a broken device sends.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ed25519.h"
#include "helpers.h"
#include "pkcs11_types.h"

#define ED_PUBLIC 1
#define ED_PRIVATE 2
#define P256_PUBLIC 3
#define P256_PRIVATE 4
/* ssh://alice@example.com's Ed25519 key on "all" x 12 (THP.md; tests/integration
 * derives it independently), and its CKA_ID: SHA-256(00000000 || the URI). */
#define ED_KEY "f2fba6502fd61a64bae9eedded1b2d876d7a9d0dc7769f8ef40a138364038d14"
#define ED_ID "48074c50cb627e9a01485c49aca089b2"
#define ED_LABEL "<ssh://alice@example.com|ed25519>"

/* CK_EDDSA_PARAMS of PKCS#11 3.0, which p11-kit 0.24's header lacks. */
struct eddsa_params {
	CK_BBOOL ph_flag;
	CK_ULONG context_length;
	CK_BYTE_PTR context;
};

static struct sim_process sim;
static void *library;
static CK_FUNCTION_LIST *p11;
static CK_SLOT_ID slot;
static CK_SESSION_HANDLE session;
static struct stderr_capture capture;

/* The identities: alice's Ed25519 key, then her P-256 key. */
static void write_identities(void)
{
	static const char lines[] = "alice@example.com ed25519\nalice@example.com\n";
	FILE *file = fopen(sim.identities_path, "w");

	ck_assert_ptr_nonnull(file);
	ck_assert_int_ge(fputs(lines, file), 0);
	ck_assert_int_eq(fclose(file), 0);
}

static void start(const char *const *args)
{
	module_environment(&sim, args);
	write_identities();
	p11 = module_load(&library);
	ck_assert_uint_eq(p11->C_Initialize(NULL), CKR_OK);
	session = module_open_session(p11, CKF_SERIAL_SESSION, &slot);
}

static void set_up(void)
{
	start(NULL);
}

static void tear_down(void)
{
	if (p11 != NULL)
		p11->C_Finalize(NULL);
	p11 = NULL;
	sim_process_stop(&sim);
}

/* start() again, with a simulator of these options. */
static void restart_with(const char *const *args)
{
	tear_down();
	start(args);
}

/* ---- objects ------------------------------------------------------------------ */

static void assert_bytes(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type, const CK_BYTE *expected,
			 CK_ULONG length)
{
	CK_BYTE value[128];
	CK_ATTRIBUTE attribute = { type, value, sizeof(value) };

	ck_assert_uint_eq(p11->C_GetAttributeValue(session, object, &attribute, 1), CKR_OK);
	ck_assert_uint_eq(attribute.ulValueLen, length);
	ck_assert_mem_eq(value, expected, length);
}

static void assert_number(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type, CK_ULONG expected)
{
	CK_ULONG value = 0;
	CK_ATTRIBUTE attribute = { type, &value, sizeof(value) };

	ck_assert_uint_eq(p11->C_GetAttributeValue(session, object, &attribute, 1), CKR_OK);
	ck_assert_uint_eq(value, expected);
}

START_TEST(ed25519_objects)
{
	static const CK_BYTE oid[] = { 0x06, 0x03, 0x2b, 0x65, 0x70 };
	static const CK_BYTE spki[] = { 0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70,
					0x03, 0x21, 0x00 };
	static const CK_MECHANISM_TYPE eddsa[] = { CKM_EDDSA };
	static const CK_MECHANISM_TYPE ecdsa[] = { CKM_ECDSA, CKM_ECDSA_SHA256, CKM_ECDSA_SHA384,
						   CKM_ECDSA_SHA512 };
	CK_BYTE point[34] = { 0x04, 0x20 }, info[44], id[16];
	CK_OBJECT_HANDLE object;

	hex_to_bytes(ED_KEY, point + 2, 32);
	memcpy(info, spki, sizeof(spki));
	hex_to_bytes(ED_KEY, info + sizeof(spki), 32);
	hex_to_bytes(ED_ID, id, sizeof(id));
	for (object = ED_PUBLIC; object <= ED_PRIVATE; object++) {
		assert_number(object, CKA_KEY_TYPE, CKK_EC_EDWARDS);
		assert_bytes(object, CKA_EC_PARAMS, oid, sizeof(oid));
		assert_bytes(object, CKA_EC_POINT, point, sizeof(point));
		assert_bytes(object, CKA_PUBLIC_KEY_INFO, info, sizeof(info));
		assert_bytes(object, CKA_LABEL, (const CK_BYTE *)ED_LABEL, strlen(ED_LABEL));
		assert_bytes(object, CKA_ID, id, sizeof(id));
		assert_bytes(object, CKA_ALLOWED_MECHANISMS, (const CK_BYTE *)eddsa, sizeof(eddsa));
	}
	assert_number(ED_PRIVATE, CKA_CLASS, CKO_PRIVATE_KEY);
	assert_number(P256_PUBLIC, CKA_KEY_TYPE, CKK_EC);
	assert_bytes(P256_PRIVATE, CKA_ALLOWED_MECHANISMS, (const CK_BYTE *)ecdsa, sizeof(ecdsa));
	assert_bytes(P256_PUBLIC, CKA_LABEL, (const CK_BYTE *)"alice@example.com", 17);
	/* One GetPublicKey for the Ed25519 key, with the firmware's curve name. */
	ck_assert_int_eq(sim_process_count(&sim, "<- GetPublicKey"), 1);
}
END_TEST

/* ssh finds the keys by CKA_CLASS and CKA_KEY_TYPE, then the private one by CKA_ID. */
START_TEST(find_by_key_type)
{
	CK_OBJECT_CLASS private_key = CKO_PRIVATE_KEY;
	CK_KEY_TYPE edwards = CKK_EC_EDWARDS;
	CK_BYTE id[16];
	CK_ATTRIBUTE by_type[] = { { CKA_KEY_TYPE, &edwards, sizeof(edwards) } };
	CK_ATTRIBUTE by_id[] = { { CKA_CLASS, &private_key, sizeof(private_key) },
				 { CKA_ID, id, sizeof(id) } };
	CK_OBJECT_HANDLE found[4];
	CK_ULONG count;

	hex_to_bytes(ED_ID, id, sizeof(id));
	ck_assert_uint_eq(p11->C_FindObjectsInit(session, by_type, 1), CKR_OK);
	ck_assert_uint_eq(p11->C_FindObjects(session, found, 4, &count), CKR_OK);
	ck_assert_uint_eq(p11->C_FindObjectsFinal(session), CKR_OK);
	ck_assert_uint_eq(count, 2);
	ck_assert_uint_eq(found[0], ED_PUBLIC);
	ck_assert_uint_eq(found[1], ED_PRIVATE);
	ck_assert_uint_eq(p11->C_FindObjectsInit(session, by_id, 2), CKR_OK);
	ck_assert_uint_eq(p11->C_FindObjects(session, found, 4, &count), CKR_OK);
	ck_assert_uint_eq(p11->C_FindObjectsFinal(session), CKR_OK);
	ck_assert_uint_eq(count, 1);
	ck_assert_uint_eq(found[0], ED_PRIVATE);
	ck_assert_int_eq(sim_process_count(&sim, "<- GetPublicKey"), 0);
}
END_TEST

/* ---- signing --------------------------------------------------------------------- */

static void assert_valid(const CK_BYTE *message, size_t length, const CK_BYTE signature[64])
{
	uint8_t key[32];

	hex_to_bytes(ED_KEY, key, sizeof(key));
	ck_assert(ed25519_verify(key, message, length, signature));
}

static CK_RV sign(const CK_BYTE *message, CK_ULONG length, CK_BYTE signature[72],
		  CK_ULONG *signature_length)
{
	CK_MECHANISM eddsa = { CKM_EDDSA, NULL, 0 };

	*signature_length = 72;
	ck_assert_uint_eq(p11->C_SignInit(session, &eddsa, ED_PRIVATE), CKR_OK);
	return p11->C_Sign(session, (CK_BYTE_PTR)message, length, signature, signature_length);
}

/*
 * The whole message goes to the device, as trezor-agent sends it; the
 * answer is 64 bytes, valid for the listed key. Multi-part gives the same
 * signature (Ed25519 is deterministic); so does nothing at all, signed.
 */
START_TEST(eddsa_signs_the_whole_message)
{
	CK_MECHANISM eddsa = { CKM_EDDSA, NULL, 0 };
	CK_BYTE message[300], signature[72], again[72];
	CK_ULONG length;
	int i;

	for (i = 0; i < 300; i++)
		message[i] = (CK_BYTE)(i * 7);
	ck_assert_uint_eq(sign(message, sizeof(message), signature, &length), CKR_OK);
	ck_assert_uint_eq(length, 64);
	assert_valid(message, sizeof(message), signature);

	ck_assert_uint_eq(p11->C_SignInit(session, &eddsa, ED_PRIVATE), CKR_OK);
	ck_assert_uint_eq(p11->C_SignUpdate(session, message, 100), CKR_OK);
	ck_assert_uint_eq(p11->C_SignUpdate(session, message + 100, 200), CKR_OK);
	length = 0;
	ck_assert_uint_eq(p11->C_SignFinal(session, NULL, &length), CKR_OK);
	ck_assert_uint_eq(length, 64);
	length = 72;
	ck_assert_uint_eq(p11->C_SignFinal(session, again, &length), CKR_OK);
	ck_assert_mem_eq(again, signature, 64);

	ck_assert_uint_eq(sign(message, 0, signature, &length), CKR_OK);
	assert_valid(message, 0, signature);
	ck_assert_int_eq(sim_process_count(&sim, "<- SignIdentity"), 3);
}
END_TEST

/* A length query and a short buffer are answered here: nobody confirms twice. */
START_TEST(eddsa_lengths_without_the_device)
{
	CK_MECHANISM eddsa = { CKM_EDDSA, NULL, 0 };
	CK_BYTE message[] = "SSHSIG", signature[64];
	CK_ULONG length = 0;

	ck_assert_uint_eq(p11->C_SignInit(session, &eddsa, ED_PRIVATE), CKR_OK);
	ck_assert_uint_eq(p11->C_Sign(session, message, 6, NULL, &length), CKR_OK);
	ck_assert_uint_eq(length, 64);
	length = 63;
	ck_assert_uint_eq(p11->C_Sign(session, message, 6, signature, &length),
			  CKR_BUFFER_TOO_SMALL);
	ck_assert_uint_eq(length, 64);
	ck_assert_int_eq(sim_process_count(&sim, "<- SignIdentity"), 0);
	ck_assert_uint_eq(p11->C_Sign(session, message, 6, signature, &length), CKR_OK);
	assert_valid(message, 6, signature);
	ck_assert_int_eq(sim_process_count(&sim, "<- SignIdentity"), 1);
}
END_TEST

/*
 * A Trezor One takes at most 512 bytes (256 before firmware 1.12.1): a
 * longer message is CKR_DATA_LEN_RANGE with one line, the device untouched,
 * and the operation over, in one part or several.
 */
START_TEST(eddsa_message_limits)
{
	static const char *const old[] = { "--firmware-version", "1.12.0", NULL };
	static const char line[] = "trezor-pkcs11: a Trezor signs at most 512 bytes with an "
				   "Ed25519 key; this is longer\n";
	CK_MECHANISM eddsa = { CKM_EDDSA, NULL, 0 };
	CK_BYTE message[600] = { 0 }, signature[72];
	CK_ULONG length;

	ck_assert_uint_eq(sign(message, 512, signature, &length), CKR_OK);
	assert_valid(message, 512, signature);
	stderr_capture(&capture);
	ck_assert_uint_eq(sign(message, 513, signature, &length), CKR_DATA_LEN_RANGE);
	ck_assert_str_eq(stderr_captured(&capture), line);
	ck_assert_uint_eq(p11->C_Sign(session, message, 1, signature, &length),
			  CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_uint_eq(p11->C_SignInit(session, &eddsa, ED_PRIVATE), CKR_OK);
	ck_assert_uint_eq(p11->C_SignUpdate(session, message, 300), CKR_OK);
	stderr_capture(&capture);
	ck_assert_uint_eq(p11->C_SignUpdate(session, message, 213), CKR_DATA_LEN_RANGE);
	ck_assert_str_eq(stderr_captured(&capture), line);
	ck_assert_uint_eq(p11->C_SignFinal(session, signature, &length),
			  CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_int_eq(sim_process_count(&sim, "<- SignIdentity"), 1);

	restart_with(old);
	ck_assert_uint_eq(sign(message, 256, signature, &length), CKR_OK);
	stderr_capture(&capture);
	ck_assert_uint_eq(sign(message, 257, signature, &length), CKR_DATA_LEN_RANGE);
	ck_assert_str_eq(stderr_captured(&capture), "trezor-pkcs11: a Trezor signs at most 256 "
			 "bytes with an Ed25519 key; this is longer\n");
	ck_assert_int_eq(sim_process_count(&sim, "<- SignIdentity"), 1);
}
END_TEST

/* Each key signs with its own mechanisms; Ed25519ctx and Ed25519ph are not Trezor's. */
START_TEST(mechanism_and_key_must_agree)
{
	struct eddsa_params context = { CK_FALSE, 0, NULL };
	CK_MECHANISM eddsa = { CKM_EDDSA, NULL, 0 }, ecdsa = { CKM_ECDSA, NULL, 0 };
	CK_MECHANISM eddsa_ctx = { CKM_EDDSA, &context, sizeof(context) };

	ck_assert_uint_eq(p11->C_SignInit(session, &ecdsa, ED_PRIVATE), CKR_KEY_TYPE_INCONSISTENT);
	ck_assert_uint_eq(p11->C_SignInit(session, &eddsa, P256_PRIVATE),
			  CKR_KEY_TYPE_INCONSISTENT);
	ck_assert_uint_eq(p11->C_SignInit(session, &eddsa_ctx, ED_PRIVATE),
			  CKR_MECHANISM_PARAM_INVALID);
	ck_assert_uint_eq(p11->C_SignInit(session, &eddsa, ED_PUBLIC),
			  CKR_KEY_FUNCTION_NOT_PERMITTED);
	ck_assert_uint_eq(p11->C_SignInit(session, &eddsa, ED_PRIVATE), CKR_OK);
}
END_TEST

/* ---- a device that is not to be trusted ------------------------------------------- */

/* The key a device gives must not be of small order; one line says so. */
START_TEST(small_order_key_refused)
{
	static const char *const args[] = { "--fault", "off-curve", "--fault-for", "1", NULL };
	CK_BYTE value[64];
	CK_ATTRIBUTE point = { CKA_EC_POINT, value, sizeof(value) };

	restart_with(args);
	stderr_capture(&capture);
	ck_assert_uint_eq(p11->C_GetAttributeValue(session, ED_PUBLIC, &point, 1),
			  CKR_DEVICE_ERROR);
	ck_assert_str_eq(stderr_captured(&capture), "trezor-pkcs11: the Trezor sent an Ed25519 "
			 "key of small order, which no seed gives\n");
	point.ulValueLen = sizeof(value);
	ck_assert_uint_eq(p11->C_GetAttributeValue(session, ED_PUBLIC, &point, 1), CKR_OK);
	ck_assert_uint_eq(point.ulValueLen, 34);
}
END_TEST

/* A signature that does not verify is never handed out. */
START_TEST(bad_signatures_refused)
{
	static const char *const args[] = { "--fault", "sig-r-zero", "--fault-for", "1", NULL };
	static const char *const short_args[] = { "--fault", "sig-length", "--fault-for", "1",
						  NULL };
	CK_BYTE message[] = "message", signature[72];
	CK_ULONG length;

	restart_with(args);
	memset(signature, 0xa5, sizeof(signature));
	stderr_capture(&capture);
	ck_assert_uint_eq(sign(message, 7, signature, &length), CKR_DEVICE_ERROR);
	ck_assert_str_eq(stderr_captured(&capture), "trezor-pkcs11: the Trezor's signature does "
			 "not verify; it was discarded\n");
	ck_assert_uint_eq(signature[0], 0xa5);
	restart_with(short_args);
	stderr_capture(&capture);
	ck_assert_uint_eq(sign(message, 7, signature, &length), CKR_DEVICE_ERROR);
	ck_assert_str_eq(stderr_captured(&capture), "trezor-pkcs11: the Trezor sent a 64-byte "
			 "signature, not 65 bytes 00||signature\n");
}
END_TEST

static Suite *ed25519_suite(void)
{
	Suite *suite = suite_create("pkcs11 ed25519");
	TCase *tc = tcase_create("ed25519");

	tcase_add_checked_fixture(tc, set_up, tear_down);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, ed25519_objects);
	tcase_add_test(tc, find_by_key_type);
	tcase_add_test(tc, eddsa_signs_the_whole_message);
	tcase_add_test(tc, eddsa_lengths_without_the_device);
	tcase_add_test(tc, eddsa_message_limits);
	tcase_add_test(tc, mechanism_and_key_must_agree);
	tcase_add_test(tc, small_order_key_refused);
	tcase_add_test(tc, bad_signatures_refused);
	suite_add_tcase(suite, tc);
	return suite;
}

int main(void)
{
	return run_suite(ed25519_suite());
}

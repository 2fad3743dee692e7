/*
 * The module against broken and hostile devices: the simulator's fault
 * modes (trezor-sim --fault), met through the PKCS#11 calls a program makes.
 * For each fault: the exact CKR of the call that meets it, the one line the
 * module writes on stderr, a signature buffer left untouched, and then the
 * same call working again once the fault is gone, on the same session,
 * with the firmware's own signature (HACKING 5.6) checked by
 * OpenSSL against alice's key.
 */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <pthread.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ec.h"
#include "helpers.h"
#include "pkcs11_types.h"

#define ALICE_PUBLIC 1
#define ALICE_PRIVATE 2
#define ALICE_POINT "04b9afc638371743324c09dc8136847a0478e9f26a3dfcc0b9923f4bcbdcf93fdb" \
		    "faefbe4fc8425d3abb485c25895f0ea467d64e589f03051a8a511e64194ca61c"
/* gpg://alice@example.com's signature of the 32 bytes a0 .. bf */
#define ALICE_SIGNATURE "9a9c40ff057fc0378f6b607df35052c781990063783f7b4efbe979ee565e6a94" \
			"2cffe25bdfde710d9c3486f2b647007614df2af87d18847e1c64464ed4d1ef03"
#define UNTOUCHED 0xa5          /* what the caller's buffers hold before a call */

static struct sim_process sim;
static void *library;
static CK_FUNCTION_LIST *p11;
static CK_SLOT_ID slot;
static CK_SESSION_HANDLE session;
static struct stderr_capture capture;

/* A simulator with `args`, the module initialised, its token found, a session. */
static void start(const char *const *args)
{
	module_environment(&sim, args);
	p11 = module_load(&library);
	ck_assert_uint_eq(p11->C_Initialize(NULL), CKR_OK);
	session = module_open_session(p11, CKF_SERIAL_SESSION, &slot);
}

static void stop(void)
{
	if (p11 != NULL)
		p11->C_Finalize(NULL);
	p11 = NULL;
	sim_process_stop(&sim);
	unsetenv("TREZOR_PKCS11_CONFIRM_TIMEOUT");
}

/* ---- the calls that meet the faults --------------------------------------- */

/* C_GetAttributeValue(CKA_EC_POINT) of alice's public key, into point[67]. */
static CK_RV read_point(CK_BYTE point[67], CK_ULONG *length)
{
	CK_ATTRIBUTE attribute = { CKA_EC_POINT, point, 67 };
	CK_RV rv;

	memset(point, UNTOUCHED, 67);
	rv = p11->C_GetAttributeValue(session, ALICE_PUBLIC, &attribute, 1);
	*length = attribute.ulValueLen;
	return rv;
}

/* C_Sign(CKM_ECDSA) of the 32 bytes a0 .. bf with alice's key, into signature[72]. */
static CK_RV sign(CK_BYTE signature[72], CK_ULONG *length)
{
	CK_MECHANISM ecdsa = { CKM_ECDSA, NULL, 0 };
	CK_BYTE digest[32];
	int i;

	for (i = 0; i < 32; i++)
		digest[i] = (CK_BYTE)(0xa0 + i);
	memset(signature, UNTOUCHED, 72);
	*length = 72;
	ck_assert_uint_eq(p11->C_SignInit(session, &ecdsa, ALICE_PRIVATE), CKR_OK);
	return p11->C_Sign(session, digest, 32, signature, length);
}

static void assert_untouched(const CK_BYTE *buffer, size_t length)
{
	size_t i;

	for (i = 0; i < length; i++)
		ck_assert_msg(buffer[i] == UNTOUCHED, "byte %zu of the buffer was written", i);
}

/* read_point must fail with `expected` and exactly `line` on stderr. */
static void assert_read_fails(CK_RV expected, const char *line)
{
	CK_BYTE point[67];
	CK_ULONG length;
	CK_RV rv;

	stderr_capture(&capture);
	rv = read_point(point, &length);
	ck_assert_str_eq(stderr_captured(&capture), line);
	ck_assert_uint_eq(rv, expected);
	assert_untouched(point, sizeof(point));
}

/* sign must fail with `expected` and exactly `line`; the buffer stays as it was. */
static void assert_sign_fails(CK_RV expected, const char *line)
{
	CK_BYTE signature[72];
	CK_ULONG length;
	CK_RV rv;

	stderr_capture(&capture);
	rv = sign(signature, &length);
	ck_assert_str_eq(stderr_captured(&capture), line);
	ck_assert_uint_eq(rv, expected);
	assert_untouched(signature, sizeof(signature));
	ck_assert_uint_eq(length, 72);
}

/* The fault is gone: alice's point, and not a word on stderr. */
static void assert_read_works(void)
{
	CK_BYTE point[67], expected[67] = { 0x04, 0x41 };
	CK_ULONG length;
	CK_RV rv;

	stderr_capture(&capture);
	rv = read_point(point, &length);
	ck_assert_str_eq(stderr_captured(&capture), "");
	ck_assert_uint_eq(rv, CKR_OK);
	hex_to_bytes(ALICE_POINT, expected + 2, 65);
	ck_assert_uint_eq(length, 67);
	ck_assert_mem_eq(point, expected, 67);
}

/*
 * The fault is gone: the firmware's signature, valid for alice's key, and
 * not a word. In a new session: in the one whose signature just failed the
 * module would say that the program asks again (api_sign.c).
 */
static void assert_sign_works(void)
{
	CK_BYTE signature[72], expected[64], digest[32];
	uint8_t alice[EC_UNCOMPRESSED_SIZE];
	CK_ULONG length;
	CK_RV rv;
	int i;

	ck_assert_uint_eq(p11->C_CloseSession(session), CKR_OK);
	session = module_open_session(p11, CKF_SERIAL_SESSION, &slot);
	stderr_capture(&capture);
	rv = sign(signature, &length);
	ck_assert_str_eq(stderr_captured(&capture), "");
	ck_assert_uint_eq(rv, CKR_OK);
	ck_assert_uint_eq(length, 64);
	hex_to_bytes(ALICE_SIGNATURE, expected, sizeof(expected));
	ck_assert_mem_eq(signature, expected, 64);
	assert_untouched(signature + 64, 8);
	for (i = 0; i < 32; i++)
		digest[i] = (CK_BYTE)(0xa0 + i);
	hex_to_bytes(ALICE_POINT, alice, sizeof(alice));
	ck_assert(ec_p256_verify_digest(alice, digest, signature));
}

/* ---- framing ------------------------------------------------------------------ */

START_TEST(garbage_instead_of_a_message)
{
	static const char *const args[] = { "--fault", "garbage", "--fault-after", "1",
					    "--fault-for", "1", NULL };

	start(args);
	assert_read_fails(CKR_DEVICE_ERROR, "trezor-pkcs11: the device sent garbage: report does "
			  "not start with the codec v1 magic\n");
	assert_read_works();
}
END_TEST

START_TEST(bad_magic_in_the_middle)
{
	static const char *const args[] = { "--fault", "bad-magic", "--fault-after", "1",
					    "--fault-for", "1", NULL };

	start(args);
	assert_read_fails(CKR_DEVICE_ERROR, "trezor-pkcs11: the device sent garbage: report in "
			  "the middle of a message does not start with \"?\"\n");
	/* The rest of the spoilt message is still on its way: skipped. */
	assert_read_works();
	ck_assert_int_eq(sim_process_count(&sim, "fault bad-magic"), 1);
}
END_TEST

START_TEST(huge_length_declared)
{
	static const char *const args[] = { "--fault", "huge-length", "--fault-after", "1",
					    "--fault-for", "1", NULL };

	start(args);
	assert_read_fails(CKR_DEVICE_ERROR, "trezor-pkcs11: the device sent garbage: declared "
			  "message length is larger than 64 KiB\n");
	assert_read_works();
}
END_TEST

START_TEST(huge_length_at_the_first_look)
{
	static const char *const args[] = { "--fault", "huge-length", "--fault-for", "1", NULL };
	CK_ULONG slots = 1;
	char expected[256];

	module_environment(&sim, args);
	p11 = module_load(&library);
	ck_assert_uint_eq(p11->C_Initialize(NULL), CKR_OK);
	/* A listing never fails for a device: no token, and one line why. */
	stderr_capture(&capture);
	ck_assert_uint_eq(p11->C_GetSlotList(CK_TRUE, &slot, &slots), CKR_OK);
	snprintf(expected, sizeof(expected), "trezor-pkcs11: %s: the device sent garbage: "
		 "declared message length is larger than 64 KiB\n", sim.path);
	ck_assert_str_eq(stderr_captured(&capture), expected);
	ck_assert_uint_eq(slots, 0);
	/* The next listing looks again and finds it. */
	slots = 1;
	stderr_capture(&capture);
	ck_assert_uint_eq(p11->C_GetSlotList(CK_TRUE, &slot, &slots), CKR_OK);
	ck_assert_str_eq(stderr_captured(&capture), "");
	ck_assert_uint_eq(slots, 1);
	ck_assert_uint_eq(p11->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &session),
			  CKR_OK);
	assert_sign_works();
}
END_TEST

START_TEST(silence)
{
	/* Answers: Features to GetFeatures and to Initialize; then silence. */
	static const char *const args[] = { "--fault", "silence", "--fault-after", "2",
					    "--fault-for", "1", NULL };

	/* No wait for the device is longer than a person's. */
	setenv("TREZOR_PKCS11_CONFIRM_TIMEOUT", "1", 1);
	start(args);
	assert_read_fails(CKR_DEVICE_ERROR,
			  "trezor-pkcs11: the Trezor did not answer GetPublicKey in time\n");
	assert_read_works();
}
END_TEST

START_TEST(silence_at_the_button)
{
	/* Answers: Features twice (GetFeatures, Initialize), PublicKey,
	 * ButtonRequest; then the SignedIdentity and the answer to the module's
	 * Cancel are not sent. */
	static const char *const args[] = { "--fault", "silence", "--fault-after", "4",
					    "--fault-for", "2", NULL };

	setenv("TREZOR_PKCS11_CONFIRM_TIMEOUT", "1", 1);
	start(args);
	assert_sign_fails(CKR_DEVICE_ERROR, "trezor-pkcs11: the Trezor stopped answering: nothing "
			  "came back for SignIdentity within 1 s, nor for the Cancel sent then\n");
	assert_sign_works();
	ck_assert_int_eq(sim_process_count(&sim, "fault silence"), 2);
}
END_TEST

START_TEST(disconnect_in_the_middle)
{
	static const char *const args[] = { "--fault", "disconnect", "--fault-after", "1", NULL };
	CK_TOKEN_INFO token;
	char expected[256];

	start(args);
	snprintf(expected, sizeof(expected), "trezor-pkcs11: the Trezor went away (the device at "
		 "%s stopped answering)\n", sim.path);
	assert_read_fails(CKR_DEVICE_REMOVED, expected);
	ck_assert_uint_eq(p11->C_GetTokenInfo(slot, &token), CKR_TOKEN_NOT_PRESENT);
	/* Plugged in again: the same slot and session work. */
	sim_process_restart(&sim, NULL);
	assert_read_works();
	assert_sign_works();
}
END_TEST

/* ---- messages ------------------------------------------------------------------- */

START_TEST(wrong_type_for_a_public_key)
{
	static const char *const args[] = { "--fault", "wrong-type", "--fault-for", "1", NULL };

	start(args);
	assert_read_fails(CKR_DEVICE_ERROR,
			  "trezor-pkcs11: the Trezor answered GetPublicKey with Success\n");
	assert_read_works();
}
END_TEST

START_TEST(wrong_type_for_a_signature)
{
	static const char *const args[] = { "--fault", "wrong-type", "--fault-after", "1",
					    "--fault-for", "1", NULL };

	start(args);
	assert_read_works();
	assert_sign_fails(CKR_DEVICE_ERROR,
			  "trezor-pkcs11: the Trezor answered SignIdentity with PublicKey\n");
	assert_sign_works();
}
END_TEST

START_TEST(public_key_off_the_curve)
{
	static const char *const args[] = { "--fault", "off-curve", "--fault-for", "1", NULL };

	start(args);
	assert_read_fails(CKR_DEVICE_ERROR, "trezor-pkcs11: the Trezor sent a public key that is "
			  "not a P-256 point\n");
	assert_read_works();
}
END_TEST

/* C_FindObjectsInit with alice's point: the search needs every key. */
static CK_RV find_by_point(void)
{
	CK_BYTE point[67] = { 0x04, 0x41 };
	CK_ATTRIBUTE template[] = { { CKA_EC_POINT, point, sizeof(point) } };

	hex_to_bytes(ALICE_POINT, point + 2, 65);
	return p11->C_FindObjectsInit(session, template, 1);
}

START_TEST(search_meets_a_key_off_the_curve)
{
	static const char *const args[] = { "--fault", "off-curve", "--fault-for", "1", NULL };
	CK_OBJECT_HANDLE found[4];
	CK_ULONG count;
	CK_RV rv;

	start(args);
	stderr_capture(&capture);
	rv = find_by_point();
	ck_assert_str_eq(stderr_captured(&capture), "trezor-pkcs11: the Trezor sent a public key "
			 "that is not a P-256 point\n");
	ck_assert_uint_eq(rv, CKR_DEVICE_ERROR);
	ck_assert_uint_eq(p11->C_FindObjects(session, found, 4, &count),
			  CKR_OPERATION_NOT_INITIALIZED);
	/* Once the fault is gone: alice's public and private key. */
	stderr_capture(&capture);
	rv = find_by_point();
	ck_assert_str_eq(stderr_captured(&capture), "");
	ck_assert_uint_eq(rv, CKR_OK);
	ck_assert_uint_eq(p11->C_FindObjects(session, found, 4, &count), CKR_OK);
	ck_assert_uint_eq(count, 2);
	ck_assert_uint_eq(found[0], ALICE_PUBLIC);
	ck_assert_uint_eq(found[1], ALICE_PRIVATE);
	ck_assert_uint_eq(p11->C_FindObjectsFinal(session), CKR_OK);
}
END_TEST

START_TEST(signer_off_the_curve)
{
	static const char *const args[] = { "--fault", "off-curve", "--fault-after", "1",
					    "--fault-for", "1", NULL };

	start(args);
	assert_read_works();
	assert_sign_fails(CKR_DEVICE_ERROR, "trezor-pkcs11: the Trezor sent a public key that is "
			  "not a P-256 point\n");
	assert_sign_works();
}
END_TEST

START_TEST(endless_button_requests)
{
	static const char *const args[] = { "--fault", "endless-buttons", "--fault-for", "1",
					    NULL };

	start(args);
	assert_sign_fails(CKR_DEVICE_ERROR, "trezor-pkcs11: the Trezor keeps asking instead of "
			  "answering SignIdentity\n");
	ck_assert_int_eq(sim_process_count(&sim, "<- ButtonAck"), 16);
	assert_sign_works();
}
END_TEST

START_TEST(long_failure_text)
{
	static const char *const args[] = { "--fault", "long-failure", "--fault-for", "1", NULL };

	start(args);
	/* One line with at most 120 bytes of the device's 5 KB: control
	 * characters, C1 controls and bytes that are not UTF-8 become "?"; "..."
	 * says that it was cut. */
	assert_read_fails(CKR_DEVICE_ERROR, "trezor-pkcs11: the Trezor reports failure 99: "
			  "Firmware panic:??at fsm.c:42???[2J?]0;owned? ?31m ?0m ? caf\xc3\xa9?"
			  "frame 0000: pc 0x08001000?frame 0001: pc 0x08001004?frame ...\n");
	assert_read_works();
}
END_TEST

/* ---- signatures ------------------------------------------------------------------ */

/* A signature fault on the first signature only: refused, then signed. */
static void signature_fault(const char *mode, const char *line)
{
	const char *args[] = { "--fault", mode, "--fault-for", "1", NULL };

	start(args);
	assert_sign_fails(CKR_DEVICE_ERROR, line);
	assert_sign_works();
}

START_TEST(signature_of_the_wrong_length)
{
	signature_fault("sig-length", "trezor-pkcs11: the Trezor sent a 64-byte signature, not 65 "
			"bytes 00||r||s\n");
}
END_TEST

START_TEST(signature_r_zero)
{
	signature_fault("sig-r-zero", "trezor-pkcs11: the Trezor sent a signature whose r is not "
			"between 1 and n-1; it was discarded\n");
}
END_TEST

START_TEST(signature_s_zero)
{
	signature_fault("sig-s-zero", "trezor-pkcs11: the Trezor sent a signature whose s is not "
			"between 1 and n-1; it was discarded\n");
}
END_TEST

START_TEST(signature_r_not_below_n)
{
	signature_fault("sig-r-high", "trezor-pkcs11: the Trezor sent a signature whose r is not "
			"between 1 and n-1; it was discarded\n");
}
END_TEST

START_TEST(signature_s_not_below_n)
{
	signature_fault("sig-s-high", "trezor-pkcs11: the Trezor sent a signature whose s is not "
			"between 1 and n-1; it was discarded\n");
}
END_TEST

START_TEST(signature_by_another_key)
{
	signature_fault("sig-other-key", "trezor-pkcs11: the Trezor's signature does not verify; "
			"it was discarded\n");
}
END_TEST

START_TEST(signed_naming_another_key)
{
	static const char *const args[] = { "--fault", "other-key", "--fault-for", "1", NULL };

	start(args);
	assert_sign_fails(CKR_DEVICE_ERROR, "trezor-pkcs11: the Trezor signed with another key "
			  "than its own key for this identity; the signature was discarded\n");
	/* The device's word for the key was asked, and the listed key kept. */
	ck_assert_int_eq(sim_process_count(&sim, "<- GetPublicKey"), 2);
	assert_read_works();
	assert_sign_works();
}
END_TEST

/* ---- a Bridge that hangs ---------------------------------------------------------- */

/*
 * A TCP listener on loopback that never accepts, its queue filled: a
 * further connect() hangs in SYN_SENT (the kernel drops the SYNs) until TCP
 * gives up, two minutes later. Returns its port; fds[] are closed by the caller.
 */
static int never_accepting(int fds[4])
{
	struct sockaddr_in address = { .sin_family = AF_INET };
	socklen_t length = sizeof(address);
	int i;

	address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fds[0] = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_eq(bind(fds[0], (struct sockaddr *)&address, sizeof(address)), 0);
	ck_assert_int_eq(listen(fds[0], 0), 0);
	ck_assert_int_eq(getsockname(fds[0], (struct sockaddr *)&address, &length), 0);
	for (i = 1; i < 4; i++) {
		fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		connect(fds[i], (struct sockaddr *)&address, sizeof(address));
	}
	return ntohs(address.sin_port);
}

/*
 * TREZOR_PATH names a Bridge device and Bridge takes no connection: the
 * module gives up when its wait for Bridge ends (5 s), says so in one line,
 * and lists no token; it used to wait the two minutes of TCP.
 */
START_TEST(bridge_never_accepts)
{
	CK_SLOT_ID slots[2];
	CK_ULONG count = 2;
	char bridge[64], expected[256];
	int fds[4], port, i;

	port = never_accepting(fds);
	snprintf(bridge, sizeof(bridge), "127.0.0.1:%d", port);
	setenv("TREZOR_PKCS11_BRIDGE", bridge, 1);
	setenv("TREZOR_PATH", "bridge:1", 1);
	p11 = module_load(&library);
	ck_assert_uint_eq(p11->C_Initialize(NULL), CKR_OK);
	stderr_capture(&capture);
	ck_assert_uint_eq(p11->C_GetSlotList(CK_TRUE, slots, &count), CKR_OK);
	snprintf(expected, sizeof(expected), "trezor-pkcs11: Bridge: 127.0.0.1:%d does not take a "
		 "connection within 5 s\n", port);
	ck_assert_str_eq(stderr_captured(&capture), expected);
	ck_assert_uint_eq(count, 0);
	for (i = 0; i < 4; i++)
		close(fds[i]);
	unsetenv("TREZOR_PKCS11_BRIDGE");
	unsetenv("TREZOR_PATH");
}
END_TEST

/* Answer one HTTP request on `listener` with a 400 and this body, then close. */
static void *answer_once(void *argument)
{
	static const char body[] = "no device\x1b[2J\r\ntrezor-pkcs11: a forged line";
	int *listener = argument, fd = accept(*listener, NULL, NULL);
	char request[1024], answer[256];
	int length;

	if (fd < 0)
		return NULL;
	if (recv(fd, request, sizeof(request), 0) > 0) {
		length = snprintf(answer, sizeof(answer), "HTTP/1.1 400 Bad Request\r\n"
				  "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
				  sizeof(body) - 1, body);
		send(fd, answer, (size_t)length, MSG_NOSIGNAL);
	}
	close(fd);
	return NULL;
}

/*
 * What Bridge says reaches a person's terminal: escape sequences and line
 * breaks of its own making are not passed on (a "?" each), as for device text.
 */
START_TEST(bridge_text_is_cleaned)
{
	struct sockaddr_in address = { .sin_family = AF_INET };
	socklen_t length = sizeof(address);
	CK_ULONG count = 0;
	char bridge[64], expected[256];
	pthread_t thread;
	int listener;

	address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	listener = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_eq(bind(listener, (struct sockaddr *)&address, sizeof(address)), 0);
	ck_assert_int_eq(listen(listener, 1), 0);
	ck_assert_int_eq(getsockname(listener, (struct sockaddr *)&address, &length), 0);
	ck_assert_int_eq(pthread_create(&thread, NULL, answer_once, &listener), 0);
	snprintf(bridge, sizeof(bridge), "127.0.0.1:%d", ntohs(address.sin_port));
	setenv("TREZOR_PKCS11_BRIDGE", bridge, 1);
	setenv("TREZOR_PATH", "bridge:1", 1);
	p11 = module_load(&library);
	ck_assert_uint_eq(p11->C_Initialize(NULL), CKR_OK);
	stderr_capture(&capture);
	ck_assert_uint_eq(p11->C_GetSlotList(CK_TRUE, NULL, &count), CKR_OK);
	snprintf(expected, sizeof(expected), "trezor-pkcs11: Bridge refused /acquire/1/null "
		 "(HTTP 400): no device?[2J??trezor-pkcs11: a forged line\n");
	ck_assert_str_eq(stderr_captured(&capture), expected);
	pthread_join(thread, NULL);
	close(listener);
	unsetenv("TREZOR_PKCS11_BRIDGE");
	unsetenv("TREZOR_PATH");
}
END_TEST

static Suite *hostile_suite(void)
{
	Suite *suite = suite_create("pkcs11 hostile");
	TCase *framing = tcase_create("framing");
	TCase *messages = tcase_create("messages");
	TCase *signatures = tcase_create("signatures");
	TCase *bridge = tcase_create("bridge");

	tcase_add_checked_fixture(framing, NULL, stop);
	tcase_set_timeout(framing, 30);
	tcase_add_test(framing, garbage_instead_of_a_message);
	tcase_add_test(framing, bad_magic_in_the_middle);
	tcase_add_test(framing, huge_length_declared);
	tcase_add_test(framing, huge_length_at_the_first_look);
	tcase_add_test(framing, silence);
	tcase_add_test(framing, silence_at_the_button);
	tcase_add_test(framing, disconnect_in_the_middle);
	tcase_add_checked_fixture(messages, NULL, stop);
	tcase_set_timeout(messages, 30);
	tcase_add_test(messages, wrong_type_for_a_public_key);
	tcase_add_test(messages, wrong_type_for_a_signature);
	tcase_add_test(messages, public_key_off_the_curve);
	tcase_add_test(messages, search_meets_a_key_off_the_curve);
	tcase_add_test(messages, signer_off_the_curve);
	tcase_add_test(messages, endless_button_requests);
	tcase_add_test(messages, long_failure_text);
	tcase_add_checked_fixture(signatures, NULL, stop);
	tcase_set_timeout(signatures, 30);
	tcase_add_test(signatures, signature_of_the_wrong_length);
	tcase_add_test(signatures, signature_r_zero);
	tcase_add_test(signatures, signature_s_zero);
	tcase_add_test(signatures, signature_r_not_below_n);
	tcase_add_test(signatures, signature_s_not_below_n);
	tcase_add_test(signatures, signature_by_another_key);
	tcase_add_test(signatures, signed_naming_another_key);
	suite_add_tcase(suite, framing);
	suite_add_tcase(suite, messages);
	tcase_add_checked_fixture(bridge, NULL, stop);
	tcase_set_timeout(bridge, 30);
	tcase_add_test(bridge, bridge_never_accepts);
	tcase_add_test(bridge, bridge_text_is_cleaned);
	suite_add_tcase(suite, signatures);
	suite_add_tcase(suite, bridge);
	return suite;
}

int main(void)
{
	return run_suite(hostile_suite());
}

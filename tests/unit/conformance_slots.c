/*
 * Conformance, slot and token management (PKCS#11 v2.40 section 5.5):
 * slots, tokens, mechanisms, slot events. See conformance.h.
 */
#include "config.h"

#include "conformance.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* ---- C_GetSlotList ---------------------------------------------------------------- */

START_TEST(slot_list_lengths)
{
	CK_SLOT_ID slots[3] = { 7, 7, 7 };
	CK_ULONG length = 0;

	ck_assert_uint_eq(p11->C_GetSlotList(CK_TRUE, NULL, NULL), CKR_ARGUMENTS_BAD);
	ck_assert_uint_eq(p11->C_GetSlotList(CK_TRUE, slots, NULL), CKR_ARGUMENTS_BAD);
	ck_assert_uint_eq(p11->C_GetSlotList(CK_FALSE, NULL, &length), CKR_OK);
	ck_assert_uint_eq(length, 1);
	length = 0;
	ck_assert_uint_eq(p11->C_GetSlotList(CK_FALSE, slots, &length), CKR_BUFFER_TOO_SMALL);
	ck_assert_uint_eq(length, 1);
	ck_assert_uint_eq(slots[0], 7);
	length = 1;
	ck_assert_uint_eq(p11->C_GetSlotList(CK_TRUE, slots, &length), CKR_OK);
	ck_assert_uint_eq(length, 1);
	ck_assert_uint_eq(slots[0], SIMULATOR_SLOT);
	length = 3;
	ck_assert_uint_eq(p11->C_GetSlotList(CK_FALSE, slots, &length), CKR_OK);
	ck_assert_uint_eq(length, 1);
	ck_assert_uint_eq(slots[0], SIMULATOR_SLOT);
	ck_assert_uint_eq(slots[1], 7);
	/* Features were read once for all of this, without touching the session. */
	ck_assert_int_eq(sim_process_count(&sim, "<- GetFeatures"), 1);
	ck_assert_int_eq(sim_process_count(&sim, "<- Initialize"), 0);
}
END_TEST

/* No device: no slot with a token, and one empty slot among all slots. */
START_TEST(slot_list_without_device)
{
	CK_SLOT_ID empty = 7;
	CK_ULONG length = 1;

	initialize_without_device();
	ck_assert_uint_eq(p11->C_GetSlotList(CK_TRUE, NULL, &length), CKR_OK);
	ck_assert_uint_eq(length, 0);
	ck_assert_uint_eq(p11->C_GetSlotList(CK_TRUE, &empty, &length), CKR_OK);
	ck_assert_uint_eq(length, 0);
	ck_assert_uint_eq(p11->C_GetSlotList(CK_FALSE, &empty, &length), CKR_BUFFER_TOO_SMALL);
	ck_assert_uint_eq(length, 1);
	ck_assert_uint_eq(p11->C_GetSlotList(CK_FALSE, &empty, &length), CKR_OK);
	ck_assert_uint_eq(length, 1);
	ck_assert_uint_eq(empty, EMPTY_SLOT);
}
END_TEST

/* ---- C_GetSlotInfo ---------------------------------------------------------------- */

START_TEST(slot_info)
{
	CK_SLOT_INFO info;
	char description[128];

	ck_assert_uint_eq(p11->C_GetSlotInfo(slot, NULL), CKR_ARGUMENTS_BAD);
	ck_assert_uint_eq(p11->C_GetSlotInfo(NO_SUCH_SLOT, &info), CKR_SLOT_ID_INVALID);
	ck_assert_uint_eq(p11->C_GetSlotInfo(EMPTY_SLOT, &info), CKR_SLOT_ID_INVALID);
	memset(&info, 0xaa, sizeof(info));
	ck_assert_uint_eq(p11->C_GetSlotInfo(slot, &info), CKR_OK);
	snprintf(description, sizeof(description), "Trezor One at %s", sim.path);
	assert_text_field(info.slotDescription, sizeof(info.slotDescription), description);
	assert_text_field(info.manufacturerID, sizeof(info.manufacturerID), "SatoshiLabs");
	ck_assert_uint_eq(info.flags, CKF_TOKEN_PRESENT | CKF_REMOVABLE_DEVICE | CKF_HW_SLOT);
	ck_assert_uint_eq(info.hardwareVersion.major, 0);
	ck_assert_uint_eq(info.hardwareVersion.minor, 0);
	ck_assert_uint_eq(info.firmwareVersion.major, 1);
	ck_assert_uint_eq(info.firmwareVersion.minor, 14);
}
END_TEST

START_TEST(slot_info_without_token)
{
	CK_SLOT_INFO info;

	initialize_without_device();
	ck_assert_uint_eq(p11->C_GetSlotInfo(EMPTY_SLOT, &info), CKR_OK);
	assert_text_field(info.slotDescription, sizeof(info.slotDescription),
			  "Trezor (no device attached)");
	assert_text_field(info.manufacturerID, sizeof(info.manufacturerID), "SatoshiLabs");
	ck_assert_uint_eq(info.flags, CKF_REMOVABLE_DEVICE | CKF_HW_SLOT);
	ck_assert_uint_eq(info.firmwareVersion.major, 0);
	ck_assert_uint_eq(p11->C_GetSlotInfo(SIMULATOR_SLOT, &info), CKR_SLOT_ID_INVALID);
}
END_TEST

/* ---- C_GetTokenInfo ---------------------------------------------------------------- */

START_TEST(token_info)
{
	CK_TOKEN_INFO token;

	ck_assert_uint_eq(p11->C_GetTokenInfo(slot, NULL), CKR_ARGUMENTS_BAD);
	ck_assert_uint_eq(p11->C_GetTokenInfo(NO_SUCH_SLOT, &token), CKR_SLOT_ID_INVALID);
	open_session(CKF_SERIAL_SESSION | CKF_RW_SESSION);
	memset(&token, 0xaa, sizeof(token));
	ck_assert_uint_eq(p11->C_GetTokenInfo(slot, &token), CKR_OK);
	assert_text_field(token.label, sizeof(token.label), "Simulated Trezor");
	assert_text_field(token.manufacturerID, sizeof(token.manufacturerID), "SatoshiLabs");
	assert_text_field(token.model, sizeof(token.model), "Trezor One");
	assert_text_field(token.serialNumber, sizeof(token.serialNumber), "58ACF278961FCEF6");
	/* No clock on the token: utcTime is blank. */
	assert_text_field(token.utcTime, sizeof(token.utcTime), "");
	/*
	 * No CKF_LOGIN_REQUIRED: the device asks for what it needs when it signs;
	 * the PIN, if any, goes to the device's own pad or pinentry, not through
	 * the caller (CKF_PROTECTED_AUTHENTICATION_PATH). Write-protected: no
	 * object can be made or changed. No RNG, no clock, no dual-function
	 * operations, no PIN of the user's set through the module.
	 */
	ck_assert_uint_eq(token.flags, CKF_TOKEN_INITIALIZED | CKF_PROTECTED_AUTHENTICATION_PATH |
				       CKF_WRITE_PROTECTED);
	ck_assert_uint_eq(token.ulMaxSessionCount, CK_EFFECTIVELY_INFINITE);
	ck_assert_uint_eq(token.ulSessionCount, 2);
	ck_assert_uint_eq(token.ulMaxRwSessionCount, CK_EFFECTIVELY_INFINITE);
	ck_assert_uint_eq(token.ulRwSessionCount, 1);
	ck_assert_uint_eq(token.ulMaxPinLen, 50);
	ck_assert_uint_eq(token.ulMinPinLen, 1);
	/* The device says nothing of its memory. */
	ck_assert_uint_eq(token.ulTotalPublicMemory, CK_UNAVAILABLE_INFORMATION);
	ck_assert_uint_eq(token.ulFreePublicMemory, CK_UNAVAILABLE_INFORMATION);
	ck_assert_uint_eq(token.ulTotalPrivateMemory, CK_UNAVAILABLE_INFORMATION);
	ck_assert_uint_eq(token.ulFreePrivateMemory, CK_UNAVAILABLE_INFORMATION);
	ck_assert_uint_eq(token.hardwareVersion.major, 1);
	ck_assert_uint_eq(token.hardwareVersion.minor, 0);
	ck_assert_uint_eq(token.firmwareVersion.major, 1);
	ck_assert_uint_eq(token.firmwareVersion.minor, 14);
	ck_assert_uint_eq(p11->C_CloseAllSessions(slot), CKR_OK);
	ck_assert_uint_eq(p11->C_GetTokenInfo(slot, &token), CKR_OK);
	ck_assert_uint_eq(token.ulSessionCount, 0);
	ck_assert_uint_eq(token.ulRwSessionCount, 0);
}
END_TEST

/* A device with a PIN: its user PIN is initialised. */
START_TEST(token_info_with_pin)
{
	static const char *const locked[] = { "--pin", "1234", NULL };
	CK_TOKEN_INFO token;

	restart_with(locked);
	ck_assert_uint_eq(p11->C_GetTokenInfo(slot, &token), CKR_OK);
	ck_assert_uint_eq(token.flags, CKF_TOKEN_INITIALIZED | CKF_PROTECTED_AUTHENTICATION_PATH |
				       CKF_WRITE_PROTECTED | CKF_USER_PIN_INITIALIZED);
}
END_TEST

/*
 * The device's texts are not trusted to be UTF-8: what is not becomes '?',
 * and a character that does not fit is left out whole.
 */
START_TEST(token_texts_from_the_device)
{
	static const char *const odd[] = {
		"--label", "\xff" "Caf\xc3\xa9 \xed\xa0\x80!" "\xc0\xaf" "\xf4\x90\x80\x80",
		"--device-id", "0123456789ABCDE\xc3\xa9", NULL
	};
	CK_TOKEN_INFO token;

	restart_with(odd);
	ck_assert_uint_eq(p11->C_GetTokenInfo(slot, &token), CKR_OK);
	assert_text_field(token.label, sizeof(token.label), "?Caf\xc3\xa9 ???" "!??????");
	assert_text_field(token.serialNumber, sizeof(token.serialNumber), "0123456789ABCDE");
}
END_TEST

START_TEST(token_info_without_token)
{
	CK_TOKEN_INFO token;

	initialize_without_device();
	ck_assert_uint_eq(p11->C_GetTokenInfo(EMPTY_SLOT, &token), CKR_TOKEN_NOT_PRESENT);
	ck_assert_uint_eq(p11->C_GetTokenInfo(EMPTY_SLOT, NULL), CKR_ARGUMENTS_BAD);
}
END_TEST

/* ---- C_GetMechanismList ---------------------------------------------------------- */

START_TEST(mechanism_list)
{
	CK_MECHANISM_TYPE list[6] = { 7, 7, 7, 7, 7, 7 };
	CK_ULONG length = 0;

	ck_assert_uint_eq(p11->C_GetMechanismList(slot, NULL, NULL), CKR_ARGUMENTS_BAD);
	ck_assert_uint_eq(p11->C_GetMechanismList(slot, list, NULL), CKR_ARGUMENTS_BAD);
	ck_assert_uint_eq(p11->C_GetMechanismList(NO_SUCH_SLOT, NULL, &length),
			  CKR_SLOT_ID_INVALID);
	ck_assert_uint_eq(p11->C_GetMechanismList(slot, NULL, &length), CKR_OK);
	ck_assert_uint_eq(length, 5);
	length = 4;
	ck_assert_uint_eq(p11->C_GetMechanismList(slot, list, &length), CKR_BUFFER_TOO_SMALL);
	ck_assert_uint_eq(length, 5);
	ck_assert_uint_eq(list[0], 7);
	ck_assert_uint_eq(p11->C_GetMechanismList(slot, list, &length), CKR_OK);
	ck_assert_uint_eq(length, 5);
	ck_assert_uint_eq(list[0], CKM_ECDSA);
	ck_assert_uint_eq(list[1], CKM_ECDSA_SHA256);
	ck_assert_uint_eq(list[2], CKM_ECDSA_SHA384);
	ck_assert_uint_eq(list[3], CKM_ECDSA_SHA512);
	ck_assert_uint_eq(list[4], CKM_EDDSA);
	length = 6;
	ck_assert_uint_eq(p11->C_GetMechanismList(slot, list, &length), CKR_OK);
	ck_assert_uint_eq(length, 5);
	ck_assert_uint_eq(list[5], 7);
}
END_TEST

START_TEST(mechanism_list_without_token)
{
	CK_ULONG length = 0;

	initialize_without_device();
	ck_assert_uint_eq(p11->C_GetMechanismList(EMPTY_SLOT, NULL, &length),
			  CKR_TOKEN_NOT_PRESENT);
}
END_TEST

/* ---- C_GetMechanismInfo ---------------------------------------------------------- */

/*
 * Every mechanism: 256-bit curves, so 256 bits (the field size, as the
 * current-mechanisms document measures EC keys); signing in hardware; for
 * the ECDSA ones (P-256) a prime field, a named curve (CKA_EC_PARAMS holds
 * the OID) and uncompressed points (CKA_EC_POINT); CKM_EDDSA has no such
 * choices to state. Nothing to verify, encrypt or generate.
 */
START_TEST(mechanism_info)
{
	static const CK_MECHANISM_TYPE ours[] = { CKM_ECDSA, CKM_ECDSA_SHA256, CKM_ECDSA_SHA384,
						  CKM_ECDSA_SHA512 };
	static const CK_MECHANISM_TYPE others[] = { CKM_RSA_PKCS, CKM_ECDSA_SHA1,
						    CKM_ECDSA_SHA224, CKM_EC_KEY_PAIR_GEN,
						    CKM_ECDH1_DERIVE, CKM_SHA256,
						    CKM_VENDOR_DEFINED | CKM_ECDSA };
	CK_MECHANISM_INFO info;
	size_t i;

	ck_assert_uint_eq(p11->C_GetMechanismInfo(slot, CKM_ECDSA, NULL), CKR_ARGUMENTS_BAD);
	ck_assert_uint_eq(p11->C_GetMechanismInfo(NO_SUCH_SLOT, CKM_ECDSA, &info),
			  CKR_SLOT_ID_INVALID);
	for (i = 0; i < sizeof(ours) / sizeof(ours[0]); i++) {
		memset(&info, 0xaa, sizeof(info));
		ck_assert_uint_eq(p11->C_GetMechanismInfo(slot, ours[i], &info), CKR_OK);
		ck_assert_uint_eq(info.ulMinKeySize, 256);
		ck_assert_uint_eq(info.ulMaxKeySize, 256);
		ck_assert_uint_eq(info.flags, CKF_HW | CKF_SIGN | CKF_EC_F_P | CKF_EC_NAMEDCURVE |
					      CKF_EC_UNCOMPRESS);
	}
	memset(&info, 0xaa, sizeof(info));
	ck_assert_uint_eq(p11->C_GetMechanismInfo(slot, CKM_EDDSA, &info), CKR_OK);
	ck_assert_uint_eq(info.ulMinKeySize, 256);
	ck_assert_uint_eq(info.ulMaxKeySize, 256);
	ck_assert_uint_eq(info.flags, CKF_HW | CKF_SIGN);
	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		ck_assert_uint_eq(p11->C_GetMechanismInfo(slot, others[i], &info),
				  CKR_MECHANISM_INVALID);
}
END_TEST

START_TEST(mechanism_info_without_token)
{
	CK_MECHANISM_INFO info;

	initialize_without_device();
	ck_assert_uint_eq(p11->C_GetMechanismInfo(EMPTY_SLOT, CKM_ECDSA, &info),
			  CKR_TOKEN_NOT_PRESENT);
}
END_TEST

/* ---- C_WaitForSlotEvent ------------------------------------------------------------ */

START_TEST(wait_for_slot_event_rules)
{
	CK_SLOT_ID changed = 7;
	char reserved_text[] = "reserved";

	ck_assert_uint_eq(p11->C_WaitForSlotEvent(CKF_DONT_BLOCK, NULL, NULL), CKR_ARGUMENTS_BAD);
	ck_assert_uint_eq(p11->C_WaitForSlotEvent(CKF_DONT_BLOCK, &changed, reserved_text),
			  CKR_ARGUMENTS_BAD);
	/* The device was there from the start: no event. */
	ck_assert_uint_eq(p11->C_WaitForSlotEvent(CKF_DONT_BLOCK, &changed, NULL), CKR_NO_EVENT);
	ck_assert_uint_eq(changed, 7);
}
END_TEST

/* The slots with a token, as C_GetSlotList(CK_TRUE) lists them: how many. */
static CK_ULONG tokens_listed(CK_SLOT_ID *first)
{
	CK_SLOT_ID listed[4] = { 0 };
	CK_ULONG count = 4;

	ck_assert_uint_eq(p11->C_GetSlotList(CK_TRUE, listed, &count), CKR_OK);
	*first = listed[0];
	return count;
}

/*
 * A UDP device (the emulator, here the simulator) says nothing when it
 * goes: it stops answering. Its token is removed then, and back in the
 * same slot when the device answers again on the same port; the sessions
 * opened before work again. A blocking C_WaitForSlotEvent reports each.
 */
START_TEST(wait_for_udp_device_blocking)
{
	CK_SLOT_ID changed = 7, listed;
	CK_SLOT_INFO info;
	CK_BYTE signature[SIGNATURE_SIZE];
	CK_ULONG length = sizeof(signature);

	sim_process_kill(&sim);
	ck_assert_uint_eq(p11->C_WaitForSlotEvent(0, &changed, NULL), CKR_OK);
	ck_assert_uint_eq(changed, slot);
	ck_assert_uint_eq(p11->C_GetSlotInfo(slot, &info), CKR_OK);
	ck_assert_uint_eq(info.flags & CKF_TOKEN_PRESENT, 0);
	ck_assert_uint_eq(tokens_listed(&listed), 0);
	ck_assert_uint_eq(p11->C_SignInit(session, &ecdsa, ALICE_PRIVATE), CKR_DEVICE_REMOVED);

	sim_process_restart(&sim, NULL);
	changed = 7;
	ck_assert_uint_eq(p11->C_WaitForSlotEvent(0, &changed, NULL), CKR_OK);
	ck_assert_uint_eq(changed, slot);
	ck_assert_uint_eq(tokens_listed(&listed), 1);
	ck_assert_uint_eq(listed, slot);
	ck_assert_uint_eq(p11->C_SignInit(session, &ecdsa, ALICE_PRIVATE), CKR_OK);
	ck_assert_uint_eq(p11->C_Sign(session, data_in, 32, signature, &length), CKR_OK);
}
END_TEST

/*
 * The same with listings and CKF_DONT_BLOCK: the first listing after the
 * device went drops its token (a closed port refuses the ping at once),
 * the first after it came back lists it again, and each change is one
 * event, told once.
 */
START_TEST(wait_for_udp_device_not_blocking)
{
	CK_SLOT_ID changed = 7, listed;

	ck_assert_uint_eq(p11->C_WaitForSlotEvent(CKF_DONT_BLOCK, &changed, NULL), CKR_NO_EVENT);
	ck_assert_uint_eq(tokens_listed(&listed), 1);
	sim_process_kill(&sim);
	/* A device heard from a moment ago is not pinged (transport_udp.c):
	 * the listing sees it gone once it has been quiet a while. */
	while (tokens_listed(&listed) != 0)
		usleep(50 * 1000);
	ck_assert_uint_eq(p11->C_WaitForSlotEvent(CKF_DONT_BLOCK, &changed, NULL), CKR_OK);
	ck_assert_uint_eq(changed, slot);
	changed = 7;
	ck_assert_uint_eq(p11->C_WaitForSlotEvent(CKF_DONT_BLOCK, &changed, NULL), CKR_NO_EVENT);
	ck_assert_uint_eq(changed, 7);

	sim_process_restart(&sim, NULL);
	ck_assert_uint_eq(p11->C_WaitForSlotEvent(CKF_DONT_BLOCK, &changed, NULL), CKR_OK);
	ck_assert_uint_eq(changed, slot);
	ck_assert_uint_eq(tokens_listed(&listed), 1);
	ck_assert_uint_eq(listed, slot);
	changed = 7;
	ck_assert_uint_eq(p11->C_WaitForSlotEvent(CKF_DONT_BLOCK, &changed, NULL), CKR_NO_EVENT);
}
END_TEST

/*
 * While the device answers, a listing waits for nothing from it: the ping
 * it sends is answered by the time of the next one, and no message
 * reaches the device.
 */
START_TEST(listing_a_udp_device_costs_no_message)
{
	CK_SLOT_ID listed;
	int i;

	for (i = 0; i < 20; i++)
		ck_assert_uint_eq(tokens_listed(&listed), 1);
	ck_assert_int_eq(sim_process_count(&sim, "<- "), 1);   /* discovery's GetFeatures */
}
END_TEST

/* ---- the cases ------------------------------------------------------------------ */

void conformance_slot_cases(Suite *suite)
{
	TCase *tc;

	tc = conformance_area(suite, "C_GetSlotList", set_up_ready);
	tcase_add_test(tc, slot_list_lengths);
	tcase_add_test(tc, slot_list_without_device);

	tc = conformance_area(suite, "C_GetSlotInfo", set_up_ready);
	tcase_add_test(tc, slot_info);
	tcase_add_test(tc, slot_info_without_token);

	tc = conformance_area(suite, "C_GetTokenInfo", set_up_ready);
	tcase_add_test(tc, token_info);
	tcase_add_test(tc, token_info_with_pin);
	tcase_add_test(tc, token_texts_from_the_device);
	tcase_add_test(tc, token_info_without_token);

	tc = conformance_area(suite, "C_GetMechanismList", set_up_ready);
	tcase_add_test(tc, mechanism_list);
	tcase_add_test(tc, mechanism_list_without_token);

	tc = conformance_area(suite, "C_GetMechanismInfo", set_up_ready);
	tcase_add_test(tc, mechanism_info);
	tcase_add_test(tc, mechanism_info_without_token);

	tc = conformance_area(suite, "C_WaitForSlotEvent", set_up_ready);
	tcase_add_test(tc, wait_for_slot_event_rules);
	tcase_add_test(tc, wait_for_udp_device_blocking);
	tcase_add_test(tc, wait_for_udp_device_not_blocking);
	tcase_add_test(tc, listing_a_udp_device_costs_no_message);
}

/*
 * The simulator's sessions, locking and seeds (HACKING 5.8 and 5.9): no
 * session at power-on, Initialize's rules, ten sessions with
 * least-recently-used eviction, EndSession, LockDevice, a restart, the
 * passphrase and the hidden wallet, the seed's derivation time, Features.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "messages.h"
#include "sim_driver.h"
#include "sim_thp.h"
#include "trezor.pb-c.h"

#define INVALID_SESSION TZ__FAILURE_TYPE__Failure_InvalidSession

/* The session id of the Features that answer Initialize. */
static void initialize_into(const uint8_t *id, size_t length, uint8_t out[32])
{
	Tz__Features *features = initialize(id, length);

	ck_assert(features->has_session_id);
	ck_assert_uint_eq(features->session_id.len, 32);
	memcpy(out, features->session_id.data, 32);
	protobuf_c_message_free_unpacked(&features->base, NULL);
}

START_TEST(no_session_at_power_on)
{
	static const enum sim_model models[] = { SIM_MODEL_ONE, SIM_MODEL_T, SIM_MODEL_SAFE_5 };
	static const uint32_t bitcoin[5] = { 0x8000002cu, 0x80000000u, 0x80000000u, 0, 0 };
	size_t i;

	for (i = 0; i < 3; i++) {
		start_device(MNEMONIC_ALL, models[i]);
		request_public_key(gpg_alice_path, 5, "nist256p1");
		assert_failure(INVALID_SESSION, "Invalid session");
		request_address(NULL, bitcoin, 5, false);
		assert_failure(INVALID_SESSION, "Invalid session");
		/* GetFeatures starts none. */
		get_features();
		assert_only(MSG_FEATURES);
		request_public_key(gpg_alice_path, 5, "nist256p1");
		assert_failure(INVALID_SESSION, "Invalid session");
		ck_assert_int_eq(device.sessions.started, 0);
		stop_device();
	}
}
END_TEST

/* A Trezor One checks the session only after the person has pressed. */
START_TEST(sign_identity_invalid_session_after_button)
{
	start_device(MNEMONIC_ALL, SIM_MODEL_ONE);
	sign_alice();                           /* its ProtectCall came and was pressed */
	assert_failure(INVALID_SESSION, "Invalid session");
	stop_device();
	/* A core model checks it before the confirmation. */
	start_device(MNEMONIC_ALL, SIM_MODEL_SAFE_5);
	request_signature_on("gpg", "nist256p1", (const uint8_t *)"0123456789abcdef"
		"0123456789abcdef", 32);
	assert_failure(INVALID_SESSION, "Invalid session");
	stop_device();
}
END_TEST

/* Locked, a core model asks for its PIN before it checks the session. */
START_TEST(core_invalid_session_after_pin)
{
	start_protected(SIM_MODEL_SAFE_5, "1234", false, NULL);
	lock_device();
	assert_success(NULL);
	request_public_key(gpg_alice_path, 5, "nist256p1");
	assert_button(TZ__BUTTON_REQUEST_TYPE__ButtonRequest_PinEntry, "pin_device", 1);
	press_button();
	assert_failure(INVALID_SESSION, "Invalid session");
	ck_assert(device.protect.unlocked);
	stop_device();
}
END_TEST

START_TEST(initialize_starts_new_session)
{
	uint8_t first[32], second[32];

	start_device(MNEMONIC_ALL, SIM_MODEL_ONE);
	initialize_into(NULL, 0, first);
	initialize_into(NULL, 0, second);
	ck_assert_int_ne(memcmp(first, second, 32), 0);
	ck_assert_int_eq(device.sessions.started, 2);
	ck_assert_int_eq(sim_sessions_open(&device.sessions), 2);
	stop_device();
}
END_TEST

START_TEST(initialize_known_id_resumes)
{
	uint8_t first[32], resumed[32];

	start_device(MNEMONIC_ALL, SIM_MODEL_ONE);
	initialize_into(NULL, 0, first);
	initialize_into(first, 32, resumed);
	ck_assert_mem_eq(resumed, first, 32);
	ck_assert_int_eq(device.sessions.started, 1);
	stop_device();
}
END_TEST

START_TEST(initialize_unknown_id_starts_new_session)
{
	uint8_t unknown[32], got[32];

	memset(unknown, 0x42, sizeof(unknown));
	start_device(MNEMONIC_ALL, SIM_MODEL_SAFE_3);
	initialize_into(unknown, 32, got);
	ck_assert_int_ne(memcmp(unknown, got, 32), 0);
	ck_assert_int_eq(device.sessions.started, 1);
	stop_device();
}
END_TEST

/* A Trezor One's nanopb has 32 bytes for it; a core model just starts a new one. */
START_TEST(session_id_over_32_bytes)
{
	Tz__Initialize request = TZ__INITIALIZE__INIT;
	uint8_t long_id[33] = { 0 }, got[32];

	request.has_session_id = true;
	request.session_id.data = long_id;
	request.session_id.len = sizeof(long_id);
	start_device(MNEMONIC_ALL, SIM_MODEL_ONE);
	send_request(MSG_INITIALIZE, &request.base);
	assert_failure(DATA_ERROR, "bytes overflow");
	ck_assert_int_eq(device.sessions.started, 0);
	stop_device();
	start_device(MNEMONIC_ALL, SIM_MODEL_T);
	initialize_into(long_id, sizeof(long_id), got);
	ck_assert_int_eq(device.sessions.started, 1);
	stop_device();
}
END_TEST

/* A Trezor One compares a shorter id zero-padded; a core model only 32-byte ids. */
START_TEST(short_session_id_compared_padded)
{
	uint8_t id[32];

	start_device(MNEMONIC_ALL, SIM_MODEL_ONE);
	initialize_ok();
	/* Make the session's id end in zeros, as a shorter id padded would. */
	memset(device.sessions.slots[device.sessions.active].id + 16, 0, 16);
	memcpy(id, device.sessions.slots[device.sessions.active].id, 32);
	initialize_into(id, 16, id);
	ck_assert_int_eq(device.sessions.started, 1);           /* resumed */
	stop_device();
	start_device(MNEMONIC_ALL, SIM_MODEL_SAFE_5);
	initialize_ok();
	memset(device.sessions.slots[device.sessions.active].id + 16, 0, 16);
	memcpy(id, device.sessions.slots[device.sessions.active].id, 32);
	initialize_into(id, 16, id);
	ck_assert_int_eq(device.sessions.started, 2);           /* a new one */
	stop_device();
}
END_TEST

/* Ten sessions; the eleventh takes the least recently used one's place. */
START_TEST(eleventh_session_evicts_least_recent)
{
	uint8_t ids[11][32], got[32];
	int i;

	start_device(MNEMONIC_ALL, SIM_MODEL_ONE);
	for (i = 0; i < 10; i++)
		initialize_into(NULL, 0, ids[i]);
	ck_assert_int_eq(sim_sessions_open(&device.sessions), 10);
	initialize_into(ids[0], 32, got);               /* the first is used again */
	ck_assert_mem_eq(got, ids[0], 32);
	initialize_into(NULL, 0, ids[10]);              /* so the second goes */
	ck_assert_int_eq(sim_sessions_open(&device.sessions), 10);
	for (i = 0; i <= 10; i++) {                     /* the rest stay */
		if (i == 1)
			continue;
		initialize_into(ids[i], 32, got);
		ck_assert_mem_eq(got, ids[i], 32);
	}
	ck_assert_int_eq(device.sessions.started, 11);
	initialize_into(ids[1], 32, got);               /* unknown now: a new session */
	ck_assert_int_ne(memcmp(got, ids[1], 32), 0);
	ck_assert_int_eq(device.sessions.started, 12);
	stop_device();
}
END_TEST

/* Each session has its own seed; resuming asks no passphrase again. */
START_TEST(resumed_session_asks_no_passphrase)
{
	uint8_t first[32], second[32];

	start_protected(SIM_MODEL_ONE, NULL, true, NULL);
	initialize_into(NULL, 0, first);
	request_public_key(gpg_alice_path, 5, "nist256p1");
	assert_only(MSG_PASSPHRASE_REQUEST);
	send_passphrase("", false);
	assert_public_key(GPG_VECTOR_KEY);
	initialize_into(NULL, 0, second);               /* a new session asks again */
	request_public_key(gpg_alice_path, 5, "nist256p1");
	assert_only(MSG_PASSPHRASE_REQUEST);
	send_passphrase("TREZOR", false);
	assert_button_request(BUTTON_OTHER);            /* the hidden wallet */
	press_button();
	assert_button_request(BUTTON_OTHER);
	press_button();
	assert_public_key(TREZOR_WALLET_KEY);
	initialize_into(first, 32, first);              /* resumed: its own wallet, no question */
	request_public_key(gpg_alice_path, 5, "nist256p1");
	assert_public_key(GPG_VECTOR_KEY);
	initialize_into(second, 32, second);
	request_public_key(gpg_alice_path, 5, "nist256p1");
	assert_public_key(TREZOR_WALLET_KEY);
	ck_assert_int_eq(device.sessions.derived, 2);
	stop_device();
}
END_TEST

START_TEST(get_features_carries_no_session_id)
{
	Tz__Features *features;

	start_session(MNEMONIC_ALL, SIM_MODEL_ONE);
	get_features();
	features = features_reply();
	ck_assert(!features->has_session_id);
	protobuf_c_message_free_unpacked(&features->base, NULL);
	stop_device();
}
END_TEST

START_TEST(end_session_ends_current)
{
	uint8_t kept[32], ended[32], got[32];

	start_session(MNEMONIC_ALL, SIM_MODEL_ONE);
	initialize_into(NULL, 0, kept);
	initialize_into(NULL, 0, ended);
	end_session();
	assert_success("Session ended");
	request_public_key(gpg_alice_path, 5, "nist256p1");
	assert_failure(INVALID_SESSION, "Invalid session");
	initialize_into(ended, 32, got);                /* gone */
	ck_assert_int_ne(memcmp(got, ended, 32), 0);
	initialize_into(kept, 32, got);                 /* the others stay */
	ck_assert_mem_eq(got, kept, 32);
	stop_device();
	start_session(MNEMONIC_ALL, SIM_MODEL_SAFE_5);
	end_session();
	assert_success(NULL);                           /* a core model: Success() */
	request_public_key(gpg_alice_path, 5, "nist256p1");
	assert_failure(INVALID_SESSION, "Invalid session");
	stop_device();
}
END_TEST

START_TEST(restart_drops_sessions_and_locks)
{
	start_protected(SIM_MODEL_ONE, "1234", false, NULL);
	initialize_ok();
	device.protect.unlocked = true;
	sim_device_restart(&device);
	ck_assert(!device.protect.unlocked);
	ck_assert_int_eq(sim_sessions_open(&device.sessions), 0);
	request_public_key(gpg_alice_path, 5, "nist256p1");
	assert_only(MSG_PIN_MATRIX_REQUEST);
	stop_device();
	/* A Trezor One without a PIN unlocks itself at power-on. */
	start_session(MNEMONIC_ALL, SIM_MODEL_ONE);
	sim_device_restart(&device);
	ck_assert(device.protect.unlocked);
	request_public_key(gpg_alice_path, 5, "nist256p1");
	assert_failure(INVALID_SESSION, "Invalid session");
	stop_device();
}
END_TEST

/* A restart also ends a question out: its Ack is then a message like any other. */
START_TEST(restart_drops_pending_prompt)
{
	uint8_t challenge[32];

	gpg_challenge(challenge);
	start_session(MNEMONIC_ALL, SIM_MODEL_ONE);
	request_signature("gpg", "alice", "example.com", 0, challenge, sizeof(challenge));
	assert_button_request(BUTTON_PROTECT_CALL);
	sim_device_restart(&device);
	ck_assert(!sim_flow_busy(&device));
	press_button();
	assert_failure(TZ__FAILURE_TYPE__Failure_UnexpectedMessage, "Unknown message");
	stop_device();
}
END_TEST

/* LockDevice: a Trezor One locks even without a PIN; the session's seed stays. */
START_TEST(lock_device_keeps_session_seed)
{
	Tz__Features *features;
	char positions[10];

	start_protected(SIM_MODEL_ONE, NULL, true, NULL);
	initialize_ok();
	request_public_key(gpg_alice_path, 5, "nist256p1");
	send_passphrase("", false);
	assert_public_key(GPG_VECTOR_KEY);
	lock_device();
	assert_success("Session cleared");
	get_features();
	features = features_reply();
	ck_assert(!features->unlocked);
	protobuf_c_message_free_unpacked(&features->base, NULL);
	request_public_key(gpg_alice_path, 5, "nist256p1");
	assert_public_key(GPG_VECTOR_KEY);              /* no PIN to ask, no passphrase again */
	stop_device();
	/* With a PIN: the matrix, then the key without a PassphraseRequest. */
	start_protected(SIM_MODEL_ONE, "1234", true, NULL);
	initialize_ok();
	request_public_key(gpg_alice_path, 5, "nist256p1");
	positions_for("1234", positions);
	send_pin(positions);
	send_passphrase("", false);
	assert_public_key(GPG_VECTOR_KEY);
	lock_device();
	assert_success("Session cleared");
	request_public_key(gpg_alice_path, 5, "nist256p1");
	assert_only(MSG_PIN_MATRIX_REQUEST);
	positions_for("1234", positions);
	send_pin(positions);
	assert_public_key(GPG_VECTOR_KEY);
	ck_assert_int_eq(device.sessions.derived, 1);
	stop_device();
}
END_TEST

/*
 * A core model with a PIN asks for it on its screen at power-on, before it
 * opens its USB interface: the person types it and it answers unlocked; a
 * wrong one leaves it at its lock screen, answering nothing.
 */
START_TEST(core_pin_typed_at_power_on)
{
	Tz__Features *features;

	start_protected(SIM_MODEL_T, "1234", false, NULL);
	get_features();
	features = features_reply();
	ck_assert(features->pin_protection && features->unlocked);
	protobuf_c_message_free_unpacked(&features->base, NULL);
	sim_device_restart(&device);                    /* a power cycle: typed again */
	ck_assert(device.protect.unlocked);
	stop_device();
	start_protected(SIM_MODEL_T, "1234", false, NULL);
	device.options.device_pin = "9999";
	sim_device_restart(&device);
	ck_assert(!sim_device_listens(&device));
	get_features();
	assert_nothing();
	send_raw(MSG_INITIALIZE, NULL, 0);
	assert_nothing();
	stop_device();
}
END_TEST

/*
 * After the auto-lock delay with nothing to do the device locks itself: a
 * Trezor One even without a PIN, a core model only with one.
 */
START_TEST(auto_lock_after_idle)
{
	struct sim_options options = sim_test_options(MNEMONIC_ALL, SIM_MODEL_ONE);
	Tz__GetFeatures request = TZ__GET_FEATURES__INIT;
	Tz__Features *features;
	static const enum sim_model models[] = { SIM_MODEL_ONE, SIM_MODEL_SAFE_5 };
	static const char *const pins[] = { NULL, "1234" };
	size_t m, p;

	options.auto_lock_delay_ms = 1000;
	for (m = 0; m < 2; m++) {
		for (p = 0; p < 2; p++) {
			options.model = models[m];
			options.pin = pins[p];
			start_with(&options);
			send_at(MSG_GET_FEATURES, &request.base, 999);
			features = features_reply();
			ck_assert(features->unlocked == (p == 0 || m == 1));   /* at 999 ms */
			protobuf_c_message_free_unpacked(&features->base, NULL);
			send_at(MSG_GET_FEATURES, &request.base, 3000);
			features = features_reply();
			/* A core model's GetFeatures at 999 touched its idle timer. */
			ck_assert(features->unlocked == (m == 1 && p == 0));
			/* Both families report the delay only while unlocked. */
			ck_assert(features->has_auto_lock_delay_ms == features->unlocked);
			if (features->unlocked)
				ck_assert_uint_eq(features->auto_lock_delay_ms, 1000);
			protobuf_c_message_free_unpacked(&features->base, NULL);
			stop_device();
		}
	}
}
END_TEST

/* A core model: Success() and locked with a PIN, nothing to lock without one. */
START_TEST(core_lock_device)
{
	Tz__Features *features;

	start_session(MNEMONIC_ALL, SIM_MODEL_SAFE_5);
	lock_device();
	assert_success(NULL);
	ck_assert(device.protect.unlocked);
	stop_device();
	start_protected(SIM_MODEL_SAFE_5, "1234", true, NULL);
	initialize_ok();
	request_public_key(gpg_alice_path, 5, "nist256p1");
	send_passphrase("", false);                     /* unlocked at power-on */
	assert_public_key(GPG_VECTOR_KEY);
	lock_device();
	assert_success(NULL);
	get_features();
	features = features_reply();
	ck_assert(!features->unlocked);
	protobuf_c_message_free_unpacked(&features->base, NULL);
	request_public_key(gpg_alice_path, 5, "nist256p1");
	assert_button(TZ__BUTTON_REQUEST_TYPE__ButtonRequest_PinEntry, "pin_device", 1);
	press_button();
	assert_public_key(GPG_VECTOR_KEY);              /* the seed stayed */
	stop_device();
}
END_TEST

/* --seed-delay: a new session's first key waits for PBKDF2; a resumed one does not. */
START_TEST(seed_delay_only_for_new_session)
{
	struct sim_options options = sim_test_options(MNEMONIC_ALL, SIM_MODEL_ONE);
	uint8_t first[32];

	options.seed_delay_ms = 500;
	start_with(&options);
	initialize_into(NULL, 0, first);
	request_public_key(gpg_alice_path, 5, "nist256p1");
	assert_nothing();
	ck_assert_int_eq(sim_device_next_event(&device), 500);
	sim_device_tick(&device, 499);
	assert_nothing();
	sim_device_tick(&device, 500);
	assert_public_key(GPG_VECTOR_KEY);
	request_public_key(gpg_alice_path, 5, "nist256p1");
	assert_public_key(GPG_VECTOR_KEY);              /* cached: at once */
	initialize_ok();                                /* a new session derives again */
	request_public_key(gpg_alice_path, 5, "nist256p1");
	assert_nothing();
	ck_assert_int_eq(sim_device_next_event(&device), 1000);
	sim_device_tick(&device, 1000);
	assert_public_key(GPG_VECTOR_KEY);
	initialize_into(first, 32, first);              /* resumed: no derivation */
	request_public_key(gpg_alice_path, 5, "nist256p1");
	assert_public_key(GPG_VECTOR_KEY);
	ck_assert_int_eq(device.sessions.derived, 2);
	stop_device();
}
END_TEST

/* After a non-empty passphrase: "Access hidden wallet?", then the passphrase shown. */
START_TEST(hidden_wallet_two_confirmations)
{
	uint8_t challenge[32];

	gpg_challenge(challenge);
	start_protected(SIM_MODEL_ONE, NULL, true, NULL);
	initialize_ok();
	request_signature("gpg", "alice", "example.com", 0, challenge, sizeof(challenge));
	assert_button_request(BUTTON_PROTECT_CALL);
	press_button();
	assert_only(MSG_PASSPHRASE_REQUEST);
	send_passphrase("TREZOR", false);
	assert_button_request(BUTTON_OTHER);
	press_button();
	assert_button_request(BUTTON_OTHER);
	press_button();
	{
		Tz__SignedIdentity *answer = (Tz__SignedIdentity *)only_reply(
			MSG_SIGNED_IDENTITY, &tz__signed_identity__descriptor);

		assert_bytes(&answer->public_key, TREZOR_WALLET_KEY);
		protobuf_c_message_free_unpacked(&answer->base, NULL);
	}
	stop_device();
}
END_TEST

START_TEST(hidden_wallet_on_get_public_key)
{
	start_protected(SIM_MODEL_ONE, NULL, true, NULL);
	initialize_ok();
	request_public_key(gpg_alice_path, 5, "nist256p1");
	assert_only(MSG_PASSPHRASE_REQUEST);
	send_passphrase("TREZOR", false);
	assert_button_request(BUTTON_OTHER);
	press_button();
	assert_button_request(BUTTON_OTHER);
	press_button();
	assert_public_key(TREZOR_WALLET_KEY);
	stop_device();
}
END_TEST

/* Refusing either confirmation, or Cancel: ActionCancelled "Passphrase dismissed". */
START_TEST(hidden_wallet_refused)
{
	struct sim_options options = sim_test_options(MNEMONIC_ALL, SIM_MODEL_ONE);

	options.passphrase_protection = true;
	options.decline_after = 1;
	start_with(&options);
	initialize_ok();
	request_public_key(gpg_alice_path, 5, "nist256p1");
	send_passphrase("TREZOR", false);
	press_button();                                 /* yes */
	assert_button_request(BUTTON_OTHER);
	press_button();                                 /* no */
	assert_failure(ACTION_CANCELLED, "Passphrase dismissed");
	request_public_key(gpg_alice_path, 5, "nist256p1");
	assert_only(MSG_PASSPHRASE_REQUEST);            /* nothing was kept */
	send_passphrase("TREZOR", false);
	assert_button_request(BUTTON_OTHER);
	cancel();
	assert_failure(ACTION_CANCELLED, "Passphrase dismissed");
	stop_device();
}
END_TEST

/* The empty passphrase is the standard wallet: no confirmation. */
START_TEST(empty_passphrase_no_confirmation)
{
	start_protected(SIM_MODEL_SAFE_5, NULL, true, NULL);
	initialize_ok();
	request_public_key(gpg_alice_path, 5, "nist256p1");
	assert_only(MSG_PASSPHRASE_REQUEST);
	send_passphrase("", false);
	assert_public_key(GPG_VECTOR_KEY);
	stop_device();
}
END_TEST

/* A core model shows a host passphrase: "passphrase_host1", then "passphrase_host2". */
START_TEST(core_host_passphrase_confirmations)
{
	struct sim_options options = sim_test_options(MNEMONIC_ALL, SIM_MODEL_T);

	options.passphrase_protection = true;
	start_with(&options);
	initialize_ok();
	request_public_key(gpg_alice_path, 5, "nist256p1");
	send_passphrase("TREZOR", false);
	assert_button(BUTTON_OTHER, "passphrase_host1", 1);
	press_button();
	assert_button(BUTTON_OTHER, "passphrase_host2", 1);
	press_button();
	assert_public_key(TREZOR_WALLET_KEY);
	stop_device();
	options.decline = true;
	start_with(&options);
	initialize_ok();
	request_public_key(gpg_alice_path, 5, "nist256p1");
	send_passphrase("TREZOR", false);
	press_button();
	assert_failure(ACTION_CANCELLED, "Cancelled");
	stop_device();
}
END_TEST

/* on_device: ButtonRequest 19 "passphrase_device", the person types, nothing shown. */
START_TEST(core_passphrase_on_device)
{
	start_protected(SIM_MODEL_T, NULL, true, "on the device");
	initialize_ok();
	request_public_key(gpg_alice_path, 5, "nist256p1");
	assert_only(MSG_PASSPHRASE_REQUEST);
	send_passphrase(NULL, true);
	assert_button(TZ__BUTTON_REQUEST_TYPE__ButtonRequest_PassphraseEntry,
		      "passphrase_device", 1);
	press_button();
	assert_public_key(DEVICE_WALLET_KEY);
	stop_device();
}
END_TEST

/* A core model takes a long passphrase, shows it, then refuses it. */
START_TEST(core_passphrase_over_50_bytes)
{
	char passphrase[61];

	memset(passphrase, 'p', 60);
	passphrase[60] = '\0';
	start_protected(SIM_MODEL_SAFE_3, NULL, true, NULL);
	initialize_ok();
	request_public_key(gpg_alice_path, 5, "nist256p1");
	send_passphrase(passphrase, false);
	assert_button(BUTTON_OTHER, "passphrase_host1", 1);
	press_button();
	assert_button(BUTTON_OTHER, "passphrase_host2", 1);
	press_button();
	assert_failure(DATA_ERROR, "Maximum passphrase length is 50 bytes");
	stop_device();
}
END_TEST

/* A Trezor One with its firmware's Features (1.14.2, as the emulator builds it). */
START_TEST(features_trezor_one_1_14_2)
{
	static const Tz__Capability expected[] = { 1, 2, 5, 7, 10, 12, 14 };
	Tz__Features *features;
	size_t i;

	start_device(MNEMONIC_ALL, SIM_MODEL_ONE);
	get_features();
	features = features_reply();
	ck_assert_str_eq(features->vendor, "trezor.io");
	ck_assert_uint_eq(features->major_version, 1);
	ck_assert_uint_eq(features->minor_version, 14);
	ck_assert_uint_eq(features->patch_version, 2);
	ck_assert_str_eq(features->model, "1");
	ck_assert_ptr_null(features->internal_model);
	ck_assert_str_eq(features->device_id, "58ACF278961FCEF660089D82");
	ck_assert_str_eq(features->label, "Test");
	ck_assert_str_eq(features->language, "en-US");
	ck_assert_str_eq(features->fw_vendor, "EMULATOR");
	ck_assert_uint_eq(features->revision.len, 20);
	ck_assert_uint_eq(features->bootloader_hash.len, 32);
	ck_assert(features->has_passphrase_protection && !features->passphrase_protection);
	ck_assert(features->initialized && features->unlocked && !features->bootloader_mode);
	ck_assert(features->has_imported && features->imported);
	ck_assert(features->has_backup_availability && features->backup_availability == 0);
	ck_assert(features->has_unfinished_backup && features->has_no_backup);
	ck_assert(features->has_safety_checks && features->safety_checks == 0);
	ck_assert(features->has_busy && !features->busy);
	ck_assert(features->has_auto_lock_delay_ms);
	ck_assert_uint_eq(features->auto_lock_delay_ms, 600000);
	ck_assert(!features->has_session_id);
	ck_assert_uint_eq(features->n_capabilities, sizeof(expected) / sizeof(expected[0]));
	for (i = 0; i < features->n_capabilities; i++)
		ck_assert_int_eq(features->capabilities[i], expected[i]);
	protobuf_c_message_free_unpacked(&features->base, NULL);
	stop_device();
}
END_TEST

START_TEST(features_core_models)
{
	static const struct {
		enum sim_model model;
		const char *name, *internal;
		size_t capabilities;
		Tz__Capability last;
	} expected[] = {
		{ SIM_MODEL_T, "T", "T2T1", 20, TZ__CAPABILITY__Capability_Brightness },
		{ SIM_MODEL_SAFE_3, "Safe 3", "T2B1", 17,
		  TZ__CAPABILITY__Capability_Translations },
		{ SIM_MODEL_SAFE_5, "Safe 5", "T3T1", 19, TZ__CAPABILITY__Capability_Brightness },
	};
	Tz__Features *features;
	size_t i, k;
	bool passphrase_entry;

	for (i = 0; i < 3; i++) {
		start_session(MNEMONIC_ALL, expected[i].model);
		get_features();
		features = features_reply();
		ck_assert_str_eq(features->model, expected[i].name);
		ck_assert_str_eq(features->internal_model, expected[i].internal);
		ck_assert_uint_eq(features->major_version, 2);
		ck_assert_uint_eq(features->minor_version, 12);
		ck_assert_uint_eq(features->patch_version, 5);
		ck_assert_uint_eq(features->n_capabilities, expected[i].capabilities);
		ck_assert_int_eq(features->capabilities[features->n_capabilities - 1],
				 expected[i].last);
		for (k = 0, passphrase_entry = false; k < features->n_capabilities; k++)
			passphrase_entry |= features->capabilities[k] ==
					    TZ__CAPABILITY__Capability_PassphraseEntry;
		ck_assert(passphrase_entry);
		ck_assert(features->has_passphrase_protection);
		ck_assert(!features->has_bootloader_hash);      /* the Trezor One's only */
		protobuf_c_message_free_unpacked(&features->base, NULL);
		stop_device();
	}
}
END_TEST

/* While locked a core model leaves its private fields out, passphrase_protection too. */
START_TEST(core_locked_features_hide_private_fields)
{
	Tz__Features *features;

	start_protected(SIM_MODEL_SAFE_5, "1234", true, NULL);
	lock_device();
	get_features();
	features = features_reply();
	ck_assert(features->has_unlocked && !features->unlocked);
	ck_assert(features->has_pin_protection && features->pin_protection);
	ck_assert(!features->has_passphrase_protection);
	ck_assert(!features->has_backup_availability && !features->has_safety_checks);
	ck_assert(!features->has_auto_lock_delay_ms && !features->has_wipe_code_protection);
	protobuf_c_message_free_unpacked(&features->base, NULL);
	device.protect.unlocked = true;
	get_features();
	features = features_reply();
	ck_assert(features->has_passphrase_protection && features->passphrase_protection);
	ck_assert(features->has_safety_checks && features->has_auto_lock_delay_ms);
	protobuf_c_message_free_unpacked(&features->base, NULL);
	stop_device();
}
END_TEST

/* --firmware-version replaces the model's version in Features. */
START_TEST(firmware_version_switch)
{
	struct sim_options options = sim_test_options(MNEMONIC_ALL, SIM_MODEL_ONE);
	Tz__Features *features;

	options.version[0] = 1;
	options.version[1] = 12;
	options.version[2] = 1;
	start_with(&options);
	get_features();
	features = features_reply();
	ck_assert_uint_eq(features->major_version, 1);
	ck_assert_uint_eq(features->minor_version, 12);
	ck_assert_uint_eq(features->patch_version, 1);
	protobuf_c_message_free_unpacked(&features->base, NULL);
	stop_device();
}
END_TEST

/* Without a seed: Features say so; key requests fail NotInitialized (each family's text). */
START_TEST(uninitialized_device)
{
	struct sim_options options = sim_test_options(MNEMONIC_ALL, SIM_MODEL_ONE);
	Tz__Features *features;

	options.uninitialized = true;
	start_with(&options);
	features = initialize(NULL, 0);
	ck_assert(features->has_initialized && !features->initialized);
	protobuf_c_message_free_unpacked(&features->base, NULL);
	request_signature_on("gpg", "nist256p1", (const uint8_t *)"x", 1);
	assert_failure(TZ__FAILURE_TYPE__Failure_NotInitialized, "Device not initialized");
	stop_device();
	options.model = SIM_MODEL_T;
	start_with(&options);
	initialize_ok();
	request_public_key(gpg_alice_path, 5, "nist256p1");
	assert_failure(TZ__FAILURE_TYPE__Failure_NotInitialized, "Device is not initialized");
	stop_device();
}
END_TEST

/* In bootloader mode: Features, and UnexpectedMessage for the rest. */
START_TEST(bootloader_mode)
{
	struct sim_options options = sim_test_options(MNEMONIC_ALL, SIM_MODEL_ONE);
	Tz__Features *features;

	options.bootloader = true;
	start_with(&options);
	features = initialize(NULL, 0);
	ck_assert(features->bootloader_mode && !features->initialized);
	ck_assert(!features->has_session_id);
	protobuf_c_message_free_unpacked(&features->base, NULL);
	request_public_key(gpg_alice_path, 5, "nist256p1");
	assert_failure(TZ__FAILURE_TYPE__Failure_UnexpectedMessage, "Unexpected message");
	stop_device();
}
END_TEST

/*
 * A Safe 7 answers a codec v1 message's first report with the fixed
 * Failure InvalidProtocol frame (device.rs CODEC_V1_RESPONSE), zero-padded,
 * and its continuations with nothing.
 */
START_TEST(safe_7_refuses_v1)
{
	static const uint8_t answer[11] = { '?', '#', '#', 0, 3, 0, 0, 0, 2, 0x08, 0x11 };
	uint8_t packet[SIM_THP_PACKET], zeros[SIM_THP_PACKET] = { 0 };

	start_device(MNEMONIC_ALL, SIM_MODEL_SAFE_7);
	get_features();
	ck_assert_uint_eq(device.outbox_count, 0);
	ck_assert(sim_thp_take_packet(&device, packet));
	ck_assert_mem_eq(packet, answer, sizeof(answer));
	ck_assert_mem_eq(packet + sizeof(answer), zeros, sizeof(packet) - sizeof(answer));
	ck_assert(!sim_thp_take_packet(&device, packet));
	request_public_key(gpg_alice_path, 5, "nist256p1");     /* two reports */
	ck_assert(sim_thp_take_packet(&device, packet));
	ck_assert_mem_eq(packet, answer, sizeof(answer));
	ck_assert(!sim_thp_take_packet(&device, packet));
	stop_device();
}
END_TEST

static Suite *sessions_suite(void)
{
	Suite *suite = suite_create("sim sessions");
	TCase *sessions = tcase_create("sessions");
	TCase *locking = tcase_create("locking");
	TCase *passphrase = tcase_create("passphrase");
	TCase *features = tcase_create("features");

	tcase_add_test(sessions, no_session_at_power_on);
	tcase_add_test(sessions, sign_identity_invalid_session_after_button);
	tcase_add_test(sessions, core_invalid_session_after_pin);
	tcase_add_test(sessions, initialize_starts_new_session);
	tcase_add_test(sessions, initialize_known_id_resumes);
	tcase_add_test(sessions, initialize_unknown_id_starts_new_session);
	tcase_add_test(sessions, session_id_over_32_bytes);
	tcase_add_test(sessions, short_session_id_compared_padded);
	tcase_add_test(sessions, eleventh_session_evicts_least_recent);
	tcase_add_test(sessions, resumed_session_asks_no_passphrase);
	tcase_add_test(sessions, get_features_carries_no_session_id);
	tcase_add_test(sessions, end_session_ends_current);
	tcase_add_test(sessions, seed_delay_only_for_new_session);
	tcase_add_test(locking, restart_drops_sessions_and_locks);
	tcase_add_test(locking, restart_drops_pending_prompt);
	tcase_add_test(locking, lock_device_keeps_session_seed);
	tcase_add_test(locking, core_lock_device);
	tcase_add_test(locking, core_pin_typed_at_power_on);
	tcase_add_test(locking, auto_lock_after_idle);
	tcase_add_test(passphrase, hidden_wallet_two_confirmations);
	tcase_add_test(passphrase, hidden_wallet_on_get_public_key);
	tcase_add_test(passphrase, hidden_wallet_refused);
	tcase_add_test(passphrase, empty_passphrase_no_confirmation);
	tcase_add_test(passphrase, core_host_passphrase_confirmations);
	tcase_add_test(passphrase, core_passphrase_on_device);
	tcase_add_test(passphrase, core_passphrase_over_50_bytes);
	tcase_add_test(features, features_trezor_one_1_14_2);
	tcase_add_test(features, features_core_models);
	tcase_add_test(features, core_locked_features_hide_private_fields);
	tcase_add_test(features, firmware_version_switch);
	tcase_add_test(features, uninitialized_device);
	tcase_add_test(features, bootloader_mode);
	tcase_add_test(features, safe_7_refuses_v1);
	suite_add_tcase(suite, sessions);
	suite_add_tcase(suite, locking);
	suite_add_tcase(suite, passphrase);
	suite_add_tcase(suite, features);
	return suite;
}

int main(void)
{
	return run_suite(sessions_suite());
}

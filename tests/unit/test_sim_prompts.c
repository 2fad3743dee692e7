/*
 * The simulator's questions (HACKING 5.8 and 5.9): the order of
 * PIN, button, passphrase and confirmation per family; what each family
 * does with other messages while a question is out; the answers to bad
 * input, nanopb's decode texts on a Trezor One; reports without magic or
 * too large; the debug link.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "messages.h"
#include "sim_driver.h"
#include "trezor.pb-c.h"
#include "wire.h"

#define UNEXPECTED TZ__FAILURE_TYPE__Failure_UnexpectedMessage
#define PIN_CANCELLED TZ__FAILURE_TYPE__Failure_PinCancelled
#define PIN_ENTRY TZ__BUTTON_REQUEST_TYPE__ButtonRequest_PinEntry

/* ---- a tiny protobuf writer, for payloads protobuf-c would not make ---------------- */

struct payload {
	uint8_t data[1024];
	size_t length;
};

static void put_varint(struct payload *p, uint64_t value)
{
	do {
		ck_assert_uint_lt(p->length, sizeof(p->data));
		p->data[p->length++] = (uint8_t)((value & 0x7f) | (value > 0x7f ? 0x80 : 0));
		value >>= 7;
	} while (value > 0);
}

static void put_field(struct payload *p, unsigned number, unsigned wire_type)
{
	put_varint(p, number << 3 | wire_type);
}

static void put_bytes(struct payload *p, unsigned number, const void *bytes, size_t length)
{
	put_field(p, number, 2);
	put_varint(p, length);
	ck_assert_uint_le(p->length + length, sizeof(p->data));
	memcpy(p->data + p->length, bytes, length);
	p->length += length;
}

static void put_string(struct payload *p, unsigned number, const char *text)
{
	put_bytes(p, number, text, strlen(text));
}

/* A SignIdentity whose identity (field 1) is the given payload. */
static void sign_identity_with(const struct payload *identity, const uint8_t *challenge,
			       size_t challenge_len)
{
	struct payload p = { .length = 0 };

	put_bytes(&p, 1, identity->data, identity->length);
	put_bytes(&p, 2, challenge, challenge_len);
	put_string(&p, 4, "nist256p1");
	send_raw(MSG_SIGN_IDENTITY, p.data, p.length);
}

static void alice_identity(struct payload *identity, const char *user)
{
	identity->length = 0;
	put_string(identity, 1, "gpg");
	put_string(identity, 2, user);
	put_string(identity, 3, "example.com");
}

static struct sim_options debuglink_options(enum sim_model model, bool buttons)
{
	struct sim_options options = sim_test_options(MNEMONIC_ALL, model);

	options.debuglink = true;
	options.buttons = buttons ? SIM_BUTTONS_DEBUGLINK : SIM_BUTTONS_PERSON;
	options.matrix_seed = 3;
	options.matrix_seed_set = true;
	return options;
}

/* ---- order of questions ------------------------------------------------------------ */

/* A Trezor One's SignIdentity: PIN, the button, the passphrase and its hidden wallet. */
START_TEST(t1_order_pin_button_passphrase)
{
	uint8_t challenge[32];
	char positions[10];

	gpg_challenge(challenge);
	start_protected(SIM_MODEL_ONE, "1234", true, NULL);
	initialize_ok();
	request_signature("gpg", "alice", "example.com", 0, challenge, sizeof(challenge));
	assert_only(MSG_PIN_MATRIX_REQUEST);
	positions_for("1234", positions);
	send_pin(positions);
	assert_button_request(BUTTON_PROTECT_CALL);
	press_button();
	assert_only(MSG_PASSPHRASE_REQUEST);
	send_passphrase("TREZOR", false);
	assert_button_request(BUTTON_OTHER);
	press_button();
	assert_button_request(BUTTON_OTHER);
	press_button();
	assert_only(MSG_SIGNED_IDENTITY);
	stop_device();
}
END_TEST

/* GetPublicKey asks no button: PIN, then the passphrase. */
START_TEST(t1_order_get_public_key)
{
	char positions[10];

	start_protected(SIM_MODEL_ONE, "1234", true, NULL);
	initialize_ok();
	request_public_key(gpg_alice_path, 5, "nist256p1");
	assert_only(MSG_PIN_MATRIX_REQUEST);
	positions_for("1234", positions);
	send_pin(positions);
	assert_only(MSG_PASSPHRASE_REQUEST);
	send_passphrase("", false);
	assert_public_key(GPG_VECTOR_KEY);
	stop_device();
}
END_TEST

/* A core model: PIN on its screen, passphrase, its confirmations, then the request's. */
START_TEST(core_order_pin_passphrase_confirm)
{
	uint8_t challenge[32];

	gpg_challenge(challenge);
	start_protected(SIM_MODEL_SAFE_5, "1234", true, NULL);
	initialize_ok();
	lock_device();                                  /* unlocked since power-on */
	assert_success(NULL);
	request_signature("gpg", "alice", "example.com", 0, challenge, sizeof(challenge));
	assert_button(PIN_ENTRY, "pin_device", 1);
	press_button();
	assert_only(MSG_PASSPHRASE_REQUEST);
	send_passphrase("TREZOR", false);
	assert_button(BUTTON_OTHER, "passphrase_host1", 1);
	press_button();
	assert_button(BUTTON_OTHER, "passphrase_host2", 1);
	press_button();
	assert_button(BUTTON_OTHER, "sign_identity", 2);
	press_button();
	assert_only(MSG_SIGNED_IDENTITY);
	stop_device();
}
END_TEST

/* ---- while a question is out ---------------------------------------------------------- */

/* A Trezor One reads only Acks, Cancel and Initialize: anything else, no answer at all. */
START_TEST(t1_prompt_ignores_other_requests)
{
	uint8_t challenge[32];
	char positions[10];

	gpg_challenge(challenge);
	start_protected(SIM_MODEL_ONE, "1234", true, NULL);
	initialize_ok();
	request_public_key(gpg_alice_path, 5, "nist256p1");
	assert_only(MSG_PIN_MATRIX_REQUEST);
	get_features();
	assert_nothing();
	request_signature("gpg", "alice", "example.com", 0, challenge, sizeof(challenge));
	assert_nothing();
	positions_for("1234", positions);
	send_pin(positions);
	assert_only(MSG_PASSPHRASE_REQUEST);            /* the first request went on */
	lock_device();
	assert_nothing();
	request_public_key(gpg_alice_path, 5, "nist256p1");
	assert_nothing();
	send_passphrase("", false);
	assert_public_key(GPG_VECTOR_KEY);
	request_signature("gpg", "alice", "example.com", 0, challenge, sizeof(challenge));
	assert_button_request(BUTTON_PROTECT_CALL);
	get_features();
	assert_nothing();
	press_button();
	assert_signed(GPG_VECTOR_KEY, GPG_VECTOR_SIGNATURE);
	stop_device();
}
END_TEST

/* Initialize during a question ends it and starts a new session, even with the current id. */
START_TEST(t1_initialize_during_prompt_new_session)
{
	Tz__Features *features;
	uint8_t current[32], challenge[32];

	gpg_challenge(challenge);
	start_device(MNEMONIC_ALL, SIM_MODEL_ONE);
	features = initialize(NULL, 0);
	memcpy(current, features->session_id.data, 32);
	protobuf_c_message_free_unpacked(&features->base, NULL);
	request_signature("gpg", "alice", "example.com", 0, challenge, sizeof(challenge));
	assert_button_request(BUTTON_PROTECT_CALL);
	features = initialize(current, 32);
	ck_assert_uint_eq(features->session_id.len, 32);
	ck_assert_int_ne(memcmp(features->session_id.data, current, 32), 0);
	protobuf_c_message_free_unpacked(&features->base, NULL);
	ck_assert_int_eq(device.sessions.started, 2);
	ck_assert(!sim_flow_busy(&device));
	press_button();
	assert_failure(UNEXPECTED, "Unknown message");  /* nothing is pending now */
	stop_device();
}
END_TEST

/* Cancel: PinCancelled at the matrix, ActionCancelled at a button or a passphrase. */
START_TEST(t1_cancel_per_prompt)
{
	uint8_t challenge[32];
	char positions[10];

	gpg_challenge(challenge);
	start_protected(SIM_MODEL_ONE, "1234", true, NULL);
	initialize_ok();
	request_signature("gpg", "alice", "example.com", 0, challenge, sizeof(challenge));
	assert_only(MSG_PIN_MATRIX_REQUEST);
	cancel();
	assert_failure(PIN_CANCELLED, "PIN cancelled");
	ck_assert_str_eq(device.protect.matrix, "XXXXXXXXX");
	request_signature("gpg", "alice", "example.com", 0, challenge, sizeof(challenge));
	positions_for("1234", positions);
	send_pin(positions);
	assert_button_request(BUTTON_PROTECT_CALL);
	cancel();
	assert_failure(ACTION_CANCELLED, "Action cancelled by user");
	request_signature("gpg", "alice", "example.com", 0, challenge, sizeof(challenge));
	press_button();
	assert_only(MSG_PASSPHRASE_REQUEST);
	cancel();
	assert_failure(ACTION_CANCELLED, "Action cancelled by user");
	stop_device();
}
END_TEST

/* Between questions a Trezor One answers Cancel with ActionCancelled too. */
START_TEST(t1_cancel_with_nothing_pending)
{
	start_device(MNEMONIC_ALL, SIM_MODEL_ONE);
	cancel();
	assert_failure(ACTION_CANCELLED, "Action cancelled by user");
	stop_device();
}
END_TEST

/* A core model: a new request ends the question without a reply and is answered itself. */
START_TEST(core_new_request_cancels_prompt)
{
	uint8_t challenge[32];

	gpg_challenge(challenge);
	start_protected(SIM_MODEL_SAFE_5, NULL, true, NULL);
	initialize_ok();
	request_signature("gpg", "alice", "example.com", 0, challenge, sizeof(challenge));
	assert_only(MSG_PASSPHRASE_REQUEST);
	get_features();
	assert_only(MSG_FEATURES);
	ck_assert(!sim_flow_busy(&device));
	send_passphrase("", false);                     /* nothing awaits it now */
	assert_failure(UNEXPECTED, "Unexpected message");
	request_public_key(gpg_alice_path, 5, "nist256p1");
	send_passphrase("", false);
	assert_public_key(GPG_VECTOR_KEY);
	request_signature("gpg", "alice", "example.com", 0, challenge, sizeof(challenge));
	assert_button(BUTTON_OTHER, "sign_identity", 2);
	request_public_key(gpg_alice_path, 5, "nist256p1");
	assert_public_key(GPG_VECTOR_KEY);
	stop_device();
}
END_TEST

/* A core model: Cancel is Failure ActionCancelled "Cancelled", with or without a question. */
START_TEST(core_cancel_answers_cancelled)
{
	uint8_t challenge[32];

	gpg_challenge(challenge);
	start_session(MNEMONIC_ALL, SIM_MODEL_T);
	request_signature("gpg", "alice", "example.com", 0, challenge, sizeof(challenge));
	assert_button(BUTTON_OTHER, "sign_identity", 2);
	cancel();
	assert_failure(ACTION_CANCELLED, "Cancelled");
	cancel();
	assert_failure(ACTION_CANCELLED, "Cancelled");
	stop_device();
}
END_TEST

/*
 * A Trezor One's slot holds one message, which a prompt that does not want
 * it leaves there: a ButtonAck during the PIN matrix is overwritten by the
 * PinMatrixAck, so the button still waits for its own.
 */
START_TEST(t1_slot_holds_one_message)
{
	uint8_t challenge[32];
	char positions[10];

	gpg_challenge(challenge);
	start_protected(SIM_MODEL_ONE, "1234", false, NULL);
	initialize_ok();
	request_signature("gpg", "alice", "example.com", 0, challenge, sizeof(challenge));
	assert_only(MSG_PIN_MATRIX_REQUEST);
	press_button();                                 /* the matrix does not take it */
	assert_nothing();
	positions_for("1234", positions);
	send_pin(positions);
	assert_button_request(BUTTON_PROTECT_CALL);
	press_button();
	assert_signed(GPG_VECTOR_KEY, GPG_VECTOR_SIGNATURE);
	stop_device();
}
END_TEST

/* An Ack that comes while the seed derives waits in the slot for the next button. */
START_TEST(t1_ack_in_the_slot_answers_next_button)
{
	struct sim_options options = sim_test_options(MNEMONIC_ALL, SIM_MODEL_ONE);
	Tz__GetPublicKey request = TZ__GET_PUBLIC_KEY__INIT;

	options.seed_delay_ms = 100;
	start_with(&options);
	initialize_ok();
	request.n_address_n = 5;
	request.address_n = (uint32_t *)gpg_alice_path;
	request.ecdsa_curve_name = (char *)"nist256p1";
	request.has_show_display = request.show_display = true;
	send_request(MSG_GET_PUBLIC_KEY, &request.base);
	assert_nothing();
	press_button();
	assert_nothing();
	sim_device_tick(&device, 100);
	/* The first page's ButtonRequest is answered by it; the second waits. */
	ck_assert_uint_eq(device.outbox_count, 2);
	ck_assert_uint_eq(device.outbox[0].type, MSG_BUTTON_REQUEST);
	ck_assert_uint_eq(device.outbox[1].type, MSG_BUTTON_REQUEST);
	press_button();
	assert_public_key(GPG_VECTOR_KEY);
	stop_device();
}
END_TEST

/* While the device computes it reads nothing: a Cancel is answered after the answer. */
START_TEST(cancel_while_computing_comes_after)
{
	struct sim_options options = sim_test_options(MNEMONIC_ALL, SIM_MODEL_ONE);
	Tz__Failure *failure;
	size_t i;

	options.sign_delay_ms = 100;
	for (i = 0; i < 2; i++) {
		options.model = i == 0 ? SIM_MODEL_ONE : SIM_MODEL_SAFE_5;
		start_with(&options);
		initialize_ok();
		request_signature_on("gpg", "nist256p1", (const uint8_t *)"0123456789abcdef"
			"0123456789abcdef", 32);
		press_button();
		assert_nothing();
		cancel();
		assert_nothing();
		sim_device_tick(&device, 100);
		ck_assert_uint_eq(device.outbox_count, 2);
		ck_assert_uint_eq(device.outbox[0].type, MSG_SIGNED_IDENTITY);
		ck_assert_uint_eq(device.outbox[1].type, MSG_FAILURE);
		failure = tz__failure__unpack(NULL, device.outbox[1].length,
					      device.outbox[1].payload);
		ck_assert_int_eq(failure->code, ACTION_CANCELLED);
		ck_assert_str_eq(failure->message, i == 0 ? "Action cancelled by user" : "Cancelled");
		tz__failure__free_unpacked(failure, NULL);
		stop_device();
	}
}
END_TEST

/*
 * A Trezor One deriving a seed ("Waking up") reads tiny messages but acts on
 * none: a Cancel then waits in the slot and cancels the next question.
 */
START_TEST(t1_cancel_while_waking_up_cancels_next_prompt)
{
	struct sim_options options = sim_test_options(MNEMONIC_ALL, SIM_MODEL_ONE);
	uint8_t challenge[32];

	gpg_challenge(challenge);
	options.seed_delay_ms = 100;
	start_with(&options);
	initialize_ok();
	request_public_key(gpg_alice_path, 5, "nist256p1");
	assert_nothing();
	cancel();
	get_features();
	assert_nothing();
	sim_device_tick(&device, 100);
	assert_public_key(GPG_VECTOR_KEY);
	request_signature("gpg", "alice", "example.com", 0, challenge, sizeof(challenge));
	ck_assert_uint_eq(device.outbox_count, 2);
	ck_assert_uint_eq(device.outbox[0].type, MSG_BUTTON_REQUEST);
	ck_assert_uint_eq(device.outbox[1].type, MSG_FAILURE);
	stop_device();
}
END_TEST

/* ---- bad input ----------------------------------------------------------------------- */

/* An Ack over 50 characters: "string overflow", and the question stays out. */
START_TEST(ack_over_50_chars_string_overflow)
{
	char long_text[52], positions[10];

	memset(long_text, '1', 51);
	long_text[51] = '\0';
	start_protected(SIM_MODEL_ONE, "1234", true, NULL);
	initialize_ok();
	request_public_key(gpg_alice_path, 5, "nist256p1");
	assert_only(MSG_PIN_MATRIX_REQUEST);
	send_pin(long_text);
	assert_failure(DATA_ERROR, "string overflow");
	positions_for("1234", positions);               /* the same matrix, still shown */
	send_pin(positions);
	assert_only(MSG_PASSPHRASE_REQUEST);
	memset(long_text, 'p', 51);
	send_passphrase(long_text, false);
	assert_failure(DATA_ERROR, "string overflow");
	send_passphrase("", false);
	assert_public_key(GPG_VECTOR_KEY);
	stop_device();
}
END_TEST

/* An Ack that does not fit the one report a Trezor One reads: "Message too big". */
START_TEST(tiny_ack_over_one_report)
{
	char long_text[61];

	memset(long_text, 'p', 60);
	long_text[60] = '\0';
	start_protected(SIM_MODEL_ONE, NULL, true, NULL);
	initialize_ok();
	request_public_key(gpg_alice_path, 5, "nist256p1");
	send_passphrase(long_text, false);
	assert_failure(DATA_ERROR, "Message too big");
	send_passphrase("", false);
	assert_public_key(GPG_VECTOR_KEY);
	stop_device();
}
END_TEST

START_TEST(pin_not_positions_pin_cancelled)
{
	start_protected(SIM_MODEL_ONE, "1234", false, NULL);
	initialize_ok();
	request_public_key(gpg_alice_path, 5, "nist256p1");
	send_pin("12a4");
	assert_failure(PIN_CANCELLED, "PIN cancelled");
	request_public_key(gpg_alice_path, 5, "nist256p1");
	send_pin("1230");
	assert_failure(PIN_CANCELLED, "PIN cancelled");
	stop_device();
}
END_TEST

START_TEST(wrong_pin_pin_invalid)
{
	char positions[10];

	start_protected(SIM_MODEL_ONE, "1234", false, NULL);
	initialize_ok();
	request_public_key(gpg_alice_path, 5, "nist256p1");
	positions_for("1243", positions);
	send_pin(positions);
	assert_failure(TZ__FAILURE_TYPE__Failure_PinInvalid, "PIN invalid");
	ck_assert(!device.protect.unlocked);
	request_public_key(gpg_alice_path, 5, "nist256p1");
	send_pin("");                                   /* nothing typed: a wrong PIN too */
	assert_failure(TZ__FAILURE_TYPE__Failure_PinInvalid, "PIN invalid");
	stop_device();
}
END_TEST

/*
 * A core model asks again after a wrong PIN. The simulated person types
 * --device-pin once; told it is wrong, they cancel (PinCancelled, as the
 * firmware's PIN layout raises it).
 */
START_TEST(core_wrong_pin_asked_again)
{
	struct sim_options options = debuglink_options(SIM_MODEL_SAFE_5, true);

	start_protected(SIM_MODEL_SAFE_5, "1234", false, NULL);
	device.options.device_pin = "9999";
	initialize_ok();
	lock_device();                                  /* unlocked since power-on */
	assert_success(NULL);
	request_public_key(gpg_alice_path, 5, "nist256p1");
	assert_button(PIN_ENTRY, "pin_device", 1);
	press_button();
	assert_button(PIN_ENTRY, "pin_device", 1);
	press_button();
	assert_failure(PIN_CANCELLED, "PIN entry cancelled");
	ck_assert(!device.protect.unlocked);
	stop_device();
	/* Over the debug link: wrong, then right. */
	options.pin = "1234";
	start_with(&options);
	initialize_ok();
	lock_device();
	request_public_key(gpg_alice_path, 5, "nist256p1");
	press_button();
	decide(true, "1111");
	assert_button(PIN_ENTRY, "pin_device", 1);
	press_button();
	decide(true, "1234");
	assert_public_key(GPG_VECTOR_KEY);
	stop_device();
}
END_TEST

START_TEST(passphrase_ack_without_fields)
{
	start_protected(SIM_MODEL_ONE, NULL, true, NULL);
	initialize_ok();
	request_public_key(gpg_alice_path, 5, "nist256p1");
	send_passphrase(NULL, false);
	assert_failure(DATA_ERROR, "No passphrase provided. Use empty string to set an empty "
				   "passphrase.");
	stop_device();
	start_protected(SIM_MODEL_T, NULL, true, NULL);
	initialize_ok();
	request_public_key(gpg_alice_path, 5, "nist256p1");
	send_passphrase(NULL, false);
	assert_failure(DATA_ERROR, "Passphrase not provided and on_device is False. Use empty "
				   "string to set an empty passphrase.");
	stop_device();
}
END_TEST

START_TEST(passphrase_on_device_per_family)
{
	start_protected(SIM_MODEL_ONE, NULL, true, NULL);
	initialize_ok();
	request_public_key(gpg_alice_path, 5, "nist256p1");
	send_passphrase(NULL, true);
	assert_failure(DATA_ERROR, "This firmware is incapable of passphrase entry on the "
				   "device.");
	stop_device();
	start_protected(SIM_MODEL_SAFE_5, NULL, true, NULL);
	initialize_ok();
	request_public_key(gpg_alice_path, 5, "nist256p1");
	send_passphrase("both", true);
	assert_failure(DATA_ERROR, "Passphrase provided when it should not be");
	stop_device();
}
END_TEST

/* Unknown types, and Acks with nothing pending. */
START_TEST(unknown_message_per_family)
{
	static const uint16_t acks[] = { MSG_BUTTON_ACK, MSG_PIN_MATRIX_ACK, MSG_PASSPHRASE_ACK,
					 MSG_DEBUG_LINK_DECISION, 999 };
	size_t i, m;

	for (m = 0; m < 2; m++) {
		start_session(MNEMONIC_ALL, m == 0 ? SIM_MODEL_ONE : SIM_MODEL_SAFE_3);
		for (i = 0; i < sizeof(acks) / sizeof(acks[0]); i++) {
			send_raw(acks[i], NULL, 0);
			assert_failure(UNEXPECTED, m == 0 ? "Unknown message"
							  : "Unexpected message");
		}
		stop_device();
	}
}
END_TEST

/* A Trezor One answers a header declaring over 16 KiB at once, from the first report. */
START_TEST(message_too_big)
{
	uint8_t report[WIRE_REPORT_SIZE] = "?##";

	start_session(MNEMONIC_ALL, SIM_MODEL_ONE);
	report[4] = MSG_SIGN_IDENTITY;
	report[7] = 0x40;
	report[8] = 0x01;                               /* 16385 bytes */
	send_report(report);
	assert_failure(DATA_ERROR, "Message too big");
	report[8] = 0x00;                               /* 16384: read on */
	send_report(report);
	assert_nothing();
	ck_assert(device.main_reader.reading);
	stop_device();
}
END_TEST

/*
 * A Trezor One drops a report without the magic; a following report without
 * '?' drops the message, silently.
 */
START_TEST(t1_drops_reports_without_magic)
{
	uint8_t report[WIRE_REPORT_SIZE] = "garbage";
	struct payload p = { .length = 0 };

	start_session(MNEMONIC_ALL, SIM_MODEL_ONE);
	send_report(report);
	assert_nothing();
	put_string(&p, 1, "a message of two reports, since it is longer than fifty-five bytes");
	wire_encode_report(MSG_PING, p.data, p.length, 0, report);
	send_report(report);
	wire_encode_report(MSG_PING, p.data, p.length, 1, report);
	report[0] = '!';
	send_report(report);
	assert_nothing();
	ck_assert(!device.main_reader.reading);
	stop_device();
}
END_TEST

/* A core model: Failure 99 "Invalid magic" (a production build: "Firmware error"). */
START_TEST(core_invalid_magic)
{
	struct sim_options options = debuglink_options(SIM_MODEL_SAFE_5, false);
	uint8_t report[WIRE_REPORT_SIZE] = "garbage";
	struct payload p = { .length = 0 };

	start_with(&options);
	send_report(report);
	assert_failure(TZ__FAILURE_TYPE__Failure_FirmwareError, "Invalid magic");
	put_string(&p, 1, "a message of two reports, since it is longer than fifty-five bytes");
	wire_encode_report(MSG_PING, p.data, p.length, 0, report);
	send_report(report);
	assert_nothing();
	wire_encode_report(MSG_PING, p.data, p.length, 1, report);
	report[0] = '!';
	send_report(report);
	assert_failure(TZ__FAILURE_TYPE__Failure_FirmwareError, "Invalid magic");
	stop_device();
	start_device(MNEMONIC_ALL, SIM_MODEL_SAFE_5);
	memcpy(report, "garbage", 8);
	send_report(report);
	assert_failure(TZ__FAILURE_TYPE__Failure_FirmwareError, "Firmware error");
	stop_device();
}
END_TEST

/* After a header declaring 0xFFFFFFFF bytes a core model drops every report with '?'. */
START_TEST(core_huge_length_drops_following_reports)
{
	uint8_t report[WIRE_REPORT_SIZE] = "?##";
	int i;

	start_device(MNEMONIC_ALL, SIM_MODEL_T);
	report[4] = MSG_PING;
	memset(report + 5, 0xff, 4);
	send_report(report);
	assert_nothing();
	for (i = 0; i < 100; i++) {
		wire_encode_report(MSG_PING, NULL, 0, 0, report);
		send_report(report);
		assert_nothing();
	}
	ck_assert(device.main_reader.discarding);
	stop_device();
}
END_TEST

/* ---- nanopb's texts on a Trezor One --------------------------------------------------- */

START_TEST(nanopb_end_of_stream)
{
	struct payload p = { .length = 0 };

	start_session(MNEMONIC_ALL, SIM_MODEL_ONE);
	put_field(&p, 2, 2);                            /* ecdsa_curve_name: 9 bytes promised */
	put_varint(&p, 9);
	memcpy(p.data + p.length, "nist", 4);
	p.length += 4;
	send_raw(MSG_GET_PUBLIC_KEY, p.data, p.length);
	assert_failure(DATA_ERROR, "end-of-stream");
	stop_device();
}
END_TEST

START_TEST(nanopb_wrong_wire_type)
{
	struct payload p = { .length = 0 };

	start_session(MNEMONIC_ALL, SIM_MODEL_ONE);
	put_field(&p, 3, 5);                            /* show_display as a fixed32 */
	memset(p.data + p.length, 0, 4);
	p.length += 4;
	send_raw(MSG_GET_PUBLIC_KEY, p.data, p.length);
	assert_failure(DATA_ERROR, "wrong wire type");
	stop_device();
}
END_TEST

/* address_n deeper than 8, unpacked or packed; a core model derives it. */
START_TEST(nanopb_array_overflow)
{
	static const uint32_t deep[9] = { 0x80000001u, 0x80000002u, 0x80000003u, 0x80000004u,
					  0x80000005u, 0x80000006u, 0x80000007u, 0x80000008u,
					  0x80000009u };
	struct payload p = { .length = 0 }, packed = { .length = 0 };
	int i;

	start_session(MNEMONIC_ALL, SIM_MODEL_ONE);
	request_public_key(deep, 9, "nist256p1");
	assert_failure(DATA_ERROR, "array overflow");
	request_public_key(deep, 8, "nist256p1");
	assert_only(MSG_PUBLIC_KEY);
	for (i = 0; i < 9; i++)
		put_varint(&packed, deep[i]);
	put_bytes(&p, 1, packed.data, packed.length);
	send_raw(MSG_GET_PUBLIC_KEY, p.data, p.length);
	assert_failure(DATA_ERROR, "array overflow");
	stop_device();
	start_session(MNEMONIC_ALL, SIM_MODEL_SAFE_5);
	request_public_key(deep, 9, "nist256p1");
	assert_only(MSG_PUBLIC_KEY);
	stop_device();
}
END_TEST

/* challenge_hidden over 512 bytes (a core model signs it). */
START_TEST(nanopb_bytes_overflow)
{
	uint8_t challenge[513];
	struct payload identity;

	memset(challenge, 7, sizeof(challenge));
	alice_identity(&identity, "alice");
	start_session(MNEMONIC_ALL, SIM_MODEL_ONE);
	sign_identity_with(&identity, challenge, 513);
	assert_failure(DATA_ERROR, "bytes overflow");
	sign_identity_with(&identity, challenge, 512);
	assert_button_request(BUTTON_PROTECT_CALL);
	stop_device();
	start_session(MNEMONIC_ALL, SIM_MODEL_T);
	request_signature_on("ssh", "nist256p1", challenge, 513);
	press_button();
	assert_only(MSG_SIGNED_IDENTITY);
	stop_device();
}
END_TEST

/* A user over 63 characters (a core model takes it). */
START_TEST(nanopb_string_overflow)
{
	char user[65];
	uint8_t challenge[32];
	struct payload identity;

	gpg_challenge(challenge);
	memset(user, 'u', 64);
	user[64] = '\0';
	alice_identity(&identity, user);
	start_session(MNEMONIC_ALL, SIM_MODEL_ONE);
	sign_identity_with(&identity, challenge, 32);
	assert_failure(DATA_ERROR, "string overflow");
	user[63] = '\0';
	alice_identity(&identity, user);
	sign_identity_with(&identity, challenge, 32);
	assert_button_request(BUTTON_PROTECT_CALL);
	stop_device();
	user[63] = 'u';
	alice_identity(&identity, user);
	start_session(MNEMONIC_ALL, SIM_MODEL_SAFE_3);
	sign_identity_with(&identity, challenge, 32);
	assert_button(BUTTON_OTHER, "sign_identity", 2);
	stop_device();
}
END_TEST

START_TEST(nanopb_missing_required_field)
{
	struct payload p = { .length = 0 };

	start_session(MNEMONIC_ALL, SIM_MODEL_ONE);
	put_bytes(&p, 2, "challenge", 9);               /* no identity */
	send_raw(MSG_SIGN_IDENTITY, p.data, p.length);
	assert_failure(DATA_ERROR, "missing required field");
	stop_device();
}
END_TEST

START_TEST(nanopb_invalid_utf8)
{
	struct payload identity;
	uint8_t challenge[32];

	gpg_challenge(challenge);
	alice_identity(&identity, "caf\xc3");
	start_session(MNEMONIC_ALL, SIM_MODEL_ONE);
	sign_identity_with(&identity, challenge, 32);
	assert_failure(DATA_ERROR, "invalid utf8");
	stop_device();
}
END_TEST

/* A bool of more than 32 bits, a uint32 of more than 32, a tag of more than 5 bytes. */
START_TEST(nanopb_varint_limits)
{
	struct payload p = { .length = 0 };
	static const uint8_t long_tag[] = { 0x88, 0x80, 0x80, 0x80, 0x80, 0x01 };

	start_session(MNEMONIC_ALL, SIM_MODEL_ONE);
	put_field(&p, 3, 0);
	put_varint(&p, 1ull << 40);
	send_raw(MSG_GET_PUBLIC_KEY, p.data, p.length);
	assert_failure(DATA_ERROR, "varint overflow");
	p.length = 0;
	put_field(&p, 1, 0);
	put_varint(&p, 1ull << 33);
	send_raw(MSG_GET_PUBLIC_KEY, p.data, p.length);
	assert_failure(DATA_ERROR, "integer too large");
	send_raw(MSG_GET_PUBLIC_KEY, long_tag, sizeof(long_tag));
	assert_failure(DATA_ERROR, "varint overflow");
	p.length = 0;
	put_field(&p, 0, 0);
	put_varint(&p, 1);
	send_raw(MSG_GET_PUBLIC_KEY, p.data, p.length);
	assert_failure(DATA_ERROR, "zero tag");
	stop_device();
}
END_TEST

/* ---- the debug link ------------------------------------------------------------------ */

static Tz__DebugLinkState *debuglink_state(void)
{
	Tz__DebugLinkGetState request = TZ__DEBUG_LINK_GET_STATE__INIT;

	send_debug(MSG_DEBUG_LINK_GET_STATE, &request.base);
	ck_assert(device.outbox[0].debug);
	return (Tz__DebugLinkState *)only_reply(MSG_DEBUG_LINK_STATE,
						&tz__debug_link_state__descriptor);
}

/* --buttons debuglink: a ButtonRequest waits for the Ack and a DebugLinkDecision. */
START_TEST(debuglink_decision)
{
	struct sim_options options = debuglink_options(SIM_MODEL_ONE, true);
	uint8_t challenge[32];
	size_t i;

	gpg_challenge(challenge);
	for (i = 0; i < 2; i++) {
		options.model = i == 0 ? SIM_MODEL_ONE : SIM_MODEL_SAFE_5;
		start_with(&options);
		initialize_ok();
		request_signature("gpg", "alice", "example.com", 0, challenge, sizeof(challenge));
		assert_only(MSG_BUTTON_REQUEST);
		press_button();
		assert_nothing();
		ck_assert_int_eq(sim_device_next_event(&device), -1);  /* nobody presses */
		decide(true, NULL);
		assert_signed(GPG_VECTOR_KEY, GPG_VECTOR_SIGNATURE);
		/* No, and the decision may come before the Ack. */
		request_signature("gpg", "alice", "example.com", 0, challenge, sizeof(challenge));
		decide(false, NULL);
		assert_nothing();
		press_button();
		assert_failure(ACTION_CANCELLED, i == 0 ? "Action cancelled by user" : "Cancelled");
		stop_device();
	}
}
END_TEST

/* DebugLinkState.matrix: the digit at each keypad position, as pinmatrix_get() keeps it. */
START_TEST(debuglink_matrix)
{
	struct sim_options options = debuglink_options(SIM_MODEL_ONE, false);
	Tz__DebugLinkState *state;
	char positions[10];
	size_t i;

	options.pin = "1234";
	start_with(&options);
	initialize_ok();
	state = debuglink_state();
	ck_assert_str_eq(state->matrix, "XXXXXXXXX");
	ck_assert_str_eq(state->pin, "1234");
	protobuf_c_message_free_unpacked(&state->base, NULL);
	request_public_key(gpg_alice_path, 5, "nist256p1");
	assert_only(MSG_PIN_MATRIX_REQUEST);
	state = debuglink_state();                      /* read during the prompt */
	ck_assert_uint_eq(strlen(state->matrix), 9);
	/* trezorlib's encode_pin: each digit's position is its index + 1. */
	for (i = 0; i < 4; i++)
		positions[i] = (char)('1' + (strchr(state->matrix, "1234"[i]) - state->matrix));
	positions[4] = '\0';
	protobuf_c_message_free_unpacked(&state->base, NULL);
	send_pin(positions);
	assert_public_key(GPG_VECTOR_KEY);
	state = debuglink_state();
	ck_assert_str_eq(state->matrix, "XXXXXXXXX");
	protobuf_c_message_free_unpacked(&state->base, NULL);
	stop_device();
}
END_TEST

/* A core model's state: no matrix (trezorlib takes that for core), the mnemonic. */
START_TEST(debuglink_state_core)
{
	struct sim_options options = debuglink_options(SIM_MODEL_T, false);
	Tz__DebugLinkState *state;

	options.passphrase_protection = true;
	start_with(&options);
	state = debuglink_state();
	ck_assert_ptr_null(state->matrix);
	ck_assert_uint_eq(state->mnemonic_secret.len, strlen(MNEMONIC_ALL));
	ck_assert_mem_eq(state->mnemonic_secret.data, MNEMONIC_ALL, strlen(MNEMONIC_ALL));
	ck_assert(state->has_passphrase_protection && state->passphrase_protection);
	protobuf_c_message_free_unpacked(&state->base, NULL);
	stop_device();
}
END_TEST

/* A DebugLinkDecision with no prompt: a Trezor One's map has no entry for it. */
START_TEST(t1_debuglink_decision_without_prompt)
{
	struct sim_options options = debuglink_options(SIM_MODEL_ONE, true);

	start_with(&options);
	decide(true, NULL);
	assert_failure(UNEXPECTED, "Unknown message");
	ck_assert(!device.outbox[0].debug);             /* on the main interface */
	stop_device();
}
END_TEST

/* On a core model the person types the passphrase over the debug link. */
START_TEST(core_passphrase_typed_over_debuglink)
{
	struct sim_options options = debuglink_options(SIM_MODEL_T, true);

	options.passphrase_protection = true;
	start_with(&options);
	initialize_ok();
	request_public_key(gpg_alice_path, 5, "nist256p1");
	send_passphrase(NULL, true);
	assert_button(TZ__BUTTON_REQUEST_TYPE__ButtonRequest_PassphraseEntry,
		      "passphrase_device", 1);
	press_button();
	assert_nothing();
	decide(true, "on the device");
	assert_public_key(DEVICE_WALLET_KEY);
	stop_device();
}
END_TEST

static Suite *prompts_suite(void)
{
	Suite *suite = suite_create("sim prompts");
	TCase *order = tcase_create("order");
	TCase *pending = tcase_create("pending");
	TCase *bad = tcase_create("bad input");
	TCase *nanopb = tcase_create("nanopb");
	TCase *debuglink = tcase_create("debuglink");

	tcase_add_test(order, t1_order_pin_button_passphrase);
	tcase_add_test(order, t1_order_get_public_key);
	tcase_add_test(order, core_order_pin_passphrase_confirm);
	tcase_add_test(pending, t1_prompt_ignores_other_requests);
	tcase_add_test(pending, t1_initialize_during_prompt_new_session);
	tcase_add_test(pending, t1_cancel_per_prompt);
	tcase_add_test(pending, t1_cancel_with_nothing_pending);
	tcase_add_test(pending, core_new_request_cancels_prompt);
	tcase_add_test(pending, core_cancel_answers_cancelled);
	tcase_add_test(pending, t1_slot_holds_one_message);
	tcase_add_test(pending, t1_ack_in_the_slot_answers_next_button);
	tcase_add_test(pending, cancel_while_computing_comes_after);
	tcase_add_test(pending, t1_cancel_while_waking_up_cancels_next_prompt);
	tcase_add_test(bad, ack_over_50_chars_string_overflow);
	tcase_add_test(bad, tiny_ack_over_one_report);
	tcase_add_test(bad, pin_not_positions_pin_cancelled);
	tcase_add_test(bad, wrong_pin_pin_invalid);
	tcase_add_test(bad, core_wrong_pin_asked_again);
	tcase_add_test(bad, passphrase_ack_without_fields);
	tcase_add_test(bad, passphrase_on_device_per_family);
	tcase_add_test(bad, unknown_message_per_family);
	tcase_add_test(bad, message_too_big);
	tcase_add_test(bad, t1_drops_reports_without_magic);
	tcase_add_test(bad, core_invalid_magic);
	tcase_add_test(bad, core_huge_length_drops_following_reports);
	tcase_add_test(nanopb, nanopb_end_of_stream);
	tcase_add_test(nanopb, nanopb_wrong_wire_type);
	tcase_add_test(nanopb, nanopb_array_overflow);
	tcase_add_test(nanopb, nanopb_bytes_overflow);
	tcase_add_test(nanopb, nanopb_string_overflow);
	tcase_add_test(nanopb, nanopb_missing_required_field);
	tcase_add_test(nanopb, nanopb_invalid_utf8);
	tcase_add_test(nanopb, nanopb_varint_limits);
	tcase_add_test(debuglink, debuglink_decision);
	tcase_add_test(debuglink, debuglink_matrix);
	tcase_add_test(debuglink, debuglink_state_core);
	tcase_add_test(debuglink, t1_debuglink_decision_without_prompt);
	tcase_add_test(debuglink, core_passphrase_typed_over_debuglink);
	suite_add_tcase(suite, order);
	suite_add_tcase(suite, pending);
	suite_add_tcase(suite, bad);
	suite_add_tcase(suite, nanopb);
	suite_add_tcase(suite, debuglink);
	return suite;
}

int main(void)
{
	return run_suite(prompts_suite());
}

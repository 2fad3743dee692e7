/*
 * The simulator against the firmware vectors of PROTOCOL.md section 6, byte
 * for byte: first its state machine driven directly, then the trezor-sim
 * binary over UDP through the module's codec and transport (never through
 * the module's device logic, so the two stay independent).
 */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ec.h"
#include "helpers.h"
#include "messages.h"
#include "sim_device.h"
#include "transport.h"
#include "trezor.pb-c.h"

#define MNEMONIC_ALL "all all all all all all all all all all all all"
#define MNEMONIC_ALCOHOL "alcohol woman abuse must during monitor noble actual mixed trade " \
			 "anger aisle"

/* PROTOCOL.md section 6 */
#define SSH_VECTOR_CHALLENGE "cd8552569d6e4509266ef137584d1e62c7579b5b8ed69bbafa4b864c6521e7c2"
#define SSH_VECTOR_KEY "0373f21a3da3d0e96fc2189f81dd826658c3d76b2d55bd1da349bc6c3573b13ae4"
#define SSH_VECTOR_SIGNATURE "005122cebabb852cdd32103b602662afa88e54c0c0c1b38d7099c64dcd49efe9" \
			     "08288114e66ed2d8c82f23a70b769a4db723173ec53840c08aafb840d3f09a18d3"
#define GPG_VECTOR_KEY "02b9afc638371743324c09dc8136847a0478e9f26a3dfcc0b9923f4bcbdcf93fdb"
#define GPG_VECTOR_SIGNATURE "009a9c40ff057fc0378f6b607df35052c781990063783f7b4efbe979ee565e6a" \
			     "942cffe25bdfde710d9c3486f2b647007614df2af87d18847e1c64464ed4d1ef03"
#define SSH_ALICE_KEY "0369b2c77f97a1cd81e520ed4b56d55239890776bd5674ad00ad4ddcb3b3287be2"

static const uint32_t gpg_alice_path[5] = {
	0x80000000u | 13, 0x80000000u | 1443763744u, 0x80000000u | 268988321u,
	0x80000000u | 501076312u, 0x80000000u | 597996507u,
};

static struct sim_device device;

static void start_device(const char *mnemonic, enum sim_model model, bool decline)
{
	struct sim_options options = { .mnemonic = mnemonic, .label = "Test", .model = model,
				       .decline = decline, .decline_after = -1 };

	ck_assert(sim_device_init(&device, &options));
}

/* Hand the device one request; its replies wait in the outbox. */
static void send_request(uint16_t type, const ProtobufCMessage *message)
{
	struct wire_message request = { .type = type };
	uint8_t buffer[2048];

	request.length = (uint32_t)protobuf_c_message_get_packed_size(message);
	ck_assert_uint_le(request.length, sizeof(buffer));
	protobuf_c_message_pack(message, buffer);
	request.payload = request.length > 0 ? buffer : NULL;
	sim_device_clear_outbox(&device);
	sim_device_handle(&device, &request, 0);
}

/* The outbox must hold exactly one reply of this type; returns it unpacked. */
static ProtobufCMessage *only_reply(uint16_t type, const ProtobufCMessageDescriptor *descriptor)
{
	ProtobufCMessage *message;

	ck_assert_uint_eq(device.outbox_count, 1);
	ck_assert_uint_eq(device.outbox[0].type, type);
	message = protobuf_c_message_unpack(descriptor, NULL, device.outbox[0].length,
					    device.outbox[0].payload);
	ck_assert_ptr_nonnull(message);
	return message;
}

static void assert_failure(Tz__FailureType code, const char *text)
{
	Tz__Failure *failure = (Tz__Failure *)only_reply(MSG_FAILURE, &tz__failure__descriptor);

	ck_assert_int_eq(failure->code, code);
	ck_assert_str_eq(failure->message, text);
	protobuf_c_message_free_unpacked(&failure->base, NULL);
}

static void assert_button_request(Tz__ButtonRequestType code)
{
	Tz__ButtonRequest *request = (Tz__ButtonRequest *)only_reply(MSG_BUTTON_REQUEST,
								     &tz__button_request__descriptor);

	ck_assert_int_eq(request->code, code);
	protobuf_c_message_free_unpacked(&request->base, NULL);
}

static void press_button(void)
{
	Tz__ButtonAck ack = TZ__BUTTON_ACK__INIT;

	send_request(MSG_BUTTON_ACK, &ack.base);
}

static void assert_bytes(const ProtobufCBinaryData *data, const char *hex)
{
	char actual[300];

	ck_assert_uint_lt(data->len * 2, sizeof(actual));
	bytes_to_hex(data->data, data->len, actual);
	ck_assert_str_eq(actual, hex);
}

/* SignIdentity for proto://user@host, curve nist256p1. */
static void request_signature(const char *proto, const char *user, const char *host,
			      uint32_t index, const uint8_t *challenge, size_t challenge_len)
{
	Tz__SignIdentity request = TZ__SIGN_IDENTITY__INIT;
	Tz__IdentityType identity = TZ__IDENTITY_TYPE__INIT;

	identity.proto = (char *)proto;
	identity.user = (char *)user;
	identity.host = (char *)host;
	identity.has_index = true;
	identity.index = index;
	request.identity = &identity;
	request.has_challenge_hidden = true;
	request.challenge_hidden.data = (uint8_t *)challenge;
	request.challenge_hidden.len = challenge_len;
	request.challenge_visual = (char *)"test";
	request.ecdsa_curve_name = (char *)"nist256p1";
	send_request(MSG_SIGN_IDENTITY, &request.base);
}

static void assert_signed(const char *key_hex, const char *signature_hex)
{
	Tz__SignedIdentity *answer = (Tz__SignedIdentity *)only_reply(
		MSG_SIGNED_IDENTITY, &tz__signed_identity__descriptor);

	assert_bytes(&answer->public_key, key_hex);
	assert_bytes(&answer->signature, signature_hex);
	protobuf_c_message_free_unpacked(&answer->base, NULL);
}

static void gpg_challenge(uint8_t challenge[32])
{
	int i;

	for (i = 0; i < 32; i++)
		challenge[i] = (uint8_t)(0xa0 + i);
}

START_TEST(firmware_ssh_vector)
{
	uint8_t challenge[32];

	hex_to_bytes(SSH_VECTOR_CHALLENGE, challenge, sizeof(challenge));
	start_device(MNEMONIC_ALCOHOL, SIM_MODEL_ONE, false);
	request_signature("ssh", "satoshi", "bitcoin.org", 47, challenge, sizeof(challenge));
	assert_button_request(TZ__BUTTON_REQUEST_TYPE__ButtonRequest_ProtectCall);
	press_button();
	assert_signed(SSH_VECTOR_KEY, SSH_VECTOR_SIGNATURE);
	sim_device_free(&device);
}
END_TEST

START_TEST(emulator_gpg_vector)
{
	uint8_t challenge[32];

	gpg_challenge(challenge);
	start_device(MNEMONIC_ALL, SIM_MODEL_ONE, false);
	request_signature("gpg", "alice", "example.com", 0, challenge, sizeof(challenge));
	assert_button_request(TZ__BUTTON_REQUEST_TYPE__ButtonRequest_ProtectCall);
	press_button();
	assert_signed(GPG_VECTOR_KEY, GPG_VECTOR_SIGNATURE);
	sim_device_free(&device);
}
END_TEST

static void request_public_key(const uint32_t *path, size_t depth, const char *curve)
{
	Tz__GetPublicKey request = TZ__GET_PUBLIC_KEY__INIT;

	request.n_address_n = depth;
	request.address_n = (uint32_t *)path;
	request.ecdsa_curve_name = (char *)curve;
	send_request(MSG_GET_PUBLIC_KEY, &request.base);
}

START_TEST(public_key_of_gpg_identity)
{
	Tz__PublicKey *answer;

	start_device(MNEMONIC_ALL, SIM_MODEL_ONE, false);
	request_public_key(gpg_alice_path, 5, "nist256p1");
	answer = (Tz__PublicKey *)only_reply(MSG_PUBLIC_KEY, &tz__public_key__descriptor);
	assert_bytes(&answer->node->public_key, GPG_VECTOR_KEY);
	ck_assert_uint_eq(answer->node->depth, 5);
	ck_assert_uint_eq(answer->node->child_num, gpg_alice_path[4]);
	/* Computed independently (Python, from the SLIP-0010 and BIP-32 texts). */
	ck_assert_str_eq(answer->xpub, "xpub6GPT6K2pBshChTLnZFrbpegL27xM6nDsh1WPV3JExyyYFFpyxquf5u"
				       "QtKeUw2MZ8GMDw2Rp6zN4yBxkeGu7NcSAjpyvKzV34Qbx6pVG7zB7");
	protobuf_c_message_free_unpacked(&answer->base, NULL);
	sim_device_free(&device);
}
END_TEST

START_TEST(ssh_proto_gives_another_key)
{
	uint8_t challenge[32];

	gpg_challenge(challenge);
	start_device(MNEMONIC_ALL, SIM_MODEL_ONE, false);
	request_signature("ssh", "alice", "example.com", 0, challenge, sizeof(challenge));
	press_button();
	{
		Tz__SignedIdentity *answer = (Tz__SignedIdentity *)only_reply(
			MSG_SIGNED_IDENTITY, &tz__signed_identity__descriptor);

		assert_bytes(&answer->public_key, SSH_ALICE_KEY);
		protobuf_c_message_free_unpacked(&answer->base, NULL);
	}
	sim_device_free(&device);
}
END_TEST

START_TEST(gpg_needs_32_bytes)
{
	uint8_t challenge[33] = { 1 };

	start_device(MNEMONIC_ALL, SIM_MODEL_ONE, false);
	request_signature("gpg", "alice", "example.com", 0, challenge, 31);
	press_button();
	assert_failure(TZ__FAILURE_TYPE__Failure_ProcessError, "Error signing identity");
	request_signature("gpg", "alice", "example.com", 0, challenge, 33);
	press_button();
	assert_failure(TZ__FAILURE_TYPE__Failure_ProcessError, "Error signing identity");
	sim_device_free(&device);
}
END_TEST

START_TEST(other_protos_fail)
{
	uint8_t challenge[32] = { 1 };

	start_device(MNEMONIC_ALL, SIM_MODEL_ONE, false);
	request_signature("https", "alice", "example.com", 0, challenge, sizeof(challenge));
	press_button();
	assert_failure(TZ__FAILURE_TYPE__Failure_ProcessError, "Error signing identity");
	sim_device_free(&device);
}
END_TEST

START_TEST(decline_cancels)
{
	uint8_t challenge[32] = { 1 };

	start_device(MNEMONIC_ALL, SIM_MODEL_ONE, true);
	request_signature("gpg", "alice", "example.com", 0, challenge, sizeof(challenge));
	assert_button_request(TZ__BUTTON_REQUEST_TYPE__ButtonRequest_ProtectCall);
	press_button();
	assert_failure(TZ__FAILURE_TYPE__Failure_ActionCancelled, "Action cancelled by user");
	sim_device_free(&device);
}
END_TEST

START_TEST(person_takes_time)
{
	struct sim_options options = { .mnemonic = MNEMONIC_ALL, .label = "Test",
				       .confirm_delay_ms = 1000, .decline_after = -1 };
	Tz__ButtonAck ack = TZ__BUTTON_ACK__INIT;
	struct wire_message message = { .type = MSG_BUTTON_ACK };
	uint8_t challenge[32];

	gpg_challenge(challenge);
	ck_assert(sim_device_init(&device, &options));
	request_signature("gpg", "alice", "example.com", 0, challenge, sizeof(challenge));
	assert_button_request(TZ__BUTTON_REQUEST_TYPE__ButtonRequest_ProtectCall);
	ck_assert_uint_eq(protobuf_c_message_get_packed_size(&ack.base), 0);
	sim_device_clear_outbox(&device);
	sim_device_handle(&device, &message, 5000);
	ck_assert_uint_eq(device.outbox_count, 0);
	ck_assert_int_eq(sim_device_next_event(&device), 6000);
	sim_device_tick(&device, 5999);
	ck_assert_uint_eq(device.outbox_count, 0);
	sim_device_tick(&device, 6000);
	assert_signed(GPG_VECTOR_KEY, GPG_VECTOR_SIGNATURE);
	ck_assert_int_eq(sim_device_next_event(&device), -1);
	sim_device_free(&device);
}
END_TEST

/* --sign-delay and --derive-delay: the answer comes when the work is done. */
START_TEST(device_takes_time_to_compute)
{
	struct sim_options options = { .mnemonic = MNEMONIC_ALL, .label = "Test",
				       .sign_delay_ms = 20, .derive_delay_ms = 7,
				       .decline_after = -1 };
	Tz__PublicKey *answer;
	uint8_t challenge[32];

	gpg_challenge(challenge);
	ck_assert(sim_device_init(&device, &options));
	request_public_key(gpg_alice_path, 5, "nist256p1");
	ck_assert_uint_eq(device.outbox_count, 0);
	ck_assert_int_eq(sim_device_next_event(&device), 7);
	sim_device_tick(&device, 6);
	ck_assert_uint_eq(device.outbox_count, 0);
	sim_device_tick(&device, 7);
	answer = (Tz__PublicKey *)only_reply(MSG_PUBLIC_KEY, &tz__public_key__descriptor);
	assert_bytes(&answer->node->public_key, GPG_VECTOR_KEY);
	protobuf_c_message_free_unpacked(&answer->base, NULL);
	ck_assert_int_eq(sim_device_next_event(&device), -1);

	/* The button first, then 20 ms of signing from the press. */
	request_signature("gpg", "alice", "example.com", 0, challenge, sizeof(challenge));
	assert_button_request(TZ__BUTTON_REQUEST_TYPE__ButtonRequest_ProtectCall);
	press_button();
	ck_assert_uint_eq(device.outbox_count, 0);
	ck_assert_int_eq(sim_device_next_event(&device), 20);
	sim_device_tick(&device, 19);
	ck_assert_uint_eq(device.outbox_count, 0);
	sim_device_tick(&device, 20);
	assert_signed(GPG_VECTOR_KEY, GPG_VECTOR_SIGNATURE);
	sim_device_free(&device);
}
END_TEST

/* A Cancel while the device computes ends the operation with a Failure. */
START_TEST(cancel_during_work)
{
	struct sim_options options = { .mnemonic = MNEMONIC_ALL, .label = "Test",
				       .derive_delay_ms = 50, .decline_after = -1 };
	Tz__Cancel cancel = TZ__CANCEL__INIT;

	ck_assert(sim_device_init(&device, &options));
	request_public_key(gpg_alice_path, 5, "nist256p1");
	ck_assert_uint_eq(device.outbox_count, 0);
	send_request(MSG_CANCEL, &cancel.base);
	assert_failure(TZ__FAILURE_TYPE__Failure_ActionCancelled, "Action cancelled by user");
	ck_assert_int_eq(sim_device_next_event(&device), -1);
	sim_device_tick(&device, 100);
	ck_assert_uint_eq(device.outbox_count, 1);
	sim_device_free(&device);
}
END_TEST

START_TEST(core_models_ask_with_other)
{
	static const enum sim_model core[] = { SIM_MODEL_T, SIM_MODEL_SAFE_3, SIM_MODEL_SAFE_5 };
	uint8_t challenge[32];
	size_t i;

	gpg_challenge(challenge);
	for (i = 0; i < 3; i++) {
		start_device(MNEMONIC_ALL, core[i], false);
		request_signature("gpg", "alice", "example.com", 0, challenge, sizeof(challenge));
		assert_button_request(TZ__BUTTON_REQUEST_TYPE__ButtonRequest_Other);
		press_button();
		assert_signed(GPG_VECTOR_KEY, GPG_VECTOR_SIGNATURE);
		sim_device_free(&device);
	}
}
END_TEST

static Tz__Features *initialize(const uint8_t *session_id, size_t length)
{
	Tz__Initialize request = TZ__INITIALIZE__INIT;

	if (session_id != NULL) {
		request.has_session_id = true;
		request.session_id.data = (uint8_t *)session_id;
		request.session_id.len = length;
	}
	send_request(MSG_INITIALIZE, &request.base);
	return (Tz__Features *)only_reply(MSG_FEATURES, &tz__features__descriptor);
}

START_TEST(features_per_model)
{
	static const struct {
		enum sim_model model;
		const char *name, *internal;
		uint32_t major;
		size_t capabilities;
	} expected[] = {
		{ SIM_MODEL_ONE, "1", "T1B1", 1, 1 },
		{ SIM_MODEL_T, "T", "T2T1", 2, 2 },
		{ SIM_MODEL_SAFE_3, "Safe 3", "T2B1", 2, 2 },
		{ SIM_MODEL_SAFE_5, "Safe 5", "T3T1", 2, 2 },
	};
	size_t i;

	for (i = 0; i < 4; i++) {
		Tz__Features *features;

		start_device(MNEMONIC_ALL, expected[i].model, false);
		features = initialize(NULL, 0);
		ck_assert_str_eq(features->vendor, "trezor.io");
		ck_assert_str_eq(features->model, expected[i].name);
		ck_assert_str_eq(features->internal_model, expected[i].internal);
		ck_assert_uint_eq(features->major_version, expected[i].major);
		ck_assert_str_eq(features->label, "Test");
		/* From SHA-256 of the mnemonic. */
		ck_assert_str_eq(features->device_id, "58ACF278961FCEF660089D82");
		ck_assert(features->initialized && features->unlocked && !features->bootloader_mode);
		ck_assert_uint_eq(features->n_capabilities, expected[i].capabilities);
		ck_assert_uint_eq(features->session_id.len, 32);
		protobuf_c_message_free_unpacked(&features->base, NULL);
		sim_device_free(&device);
	}
}
END_TEST

START_TEST(initialize_resumes_session)
{
	Tz__Features *first, *resumed, *fresh;

	start_device(MNEMONIC_ALL, SIM_MODEL_ONE, false);
	first = initialize(NULL, 0);
	resumed = initialize(first->session_id.data, first->session_id.len);
	ck_assert_mem_eq(resumed->session_id.data, first->session_id.data, 32);
	fresh = initialize(NULL, 0);
	ck_assert_int_ne(memcmp(fresh->session_id.data, first->session_id.data, 32), 0);
	protobuf_c_message_free_unpacked(&first->base, NULL);
	protobuf_c_message_free_unpacked(&resumed->base, NULL);
	protobuf_c_message_free_unpacked(&fresh->base, NULL);
	sim_device_free(&device);
}
END_TEST

START_TEST(small_requests)
{
	Tz__Ping ping = TZ__PING__INIT;
	Tz__Success *success;
	Tz__Cancel cancel = TZ__CANCEL__INIT;
	Tz__EndSession end = TZ__END_SESSION__INIT;
	struct wire_message unknown = { .type = 999 };

	start_device(MNEMONIC_ALL, SIM_MODEL_ONE, false);
	ping.message = (char *)"hello";
	send_request(MSG_PING, &ping.base);
	success = (Tz__Success *)only_reply(MSG_SUCCESS, &tz__success__descriptor);
	ck_assert_str_eq(success->message, "hello");
	protobuf_c_message_free_unpacked(&success->base, NULL);

	ping.has_button_protection = true;
	ping.button_protection = true;
	send_request(MSG_PING, &ping.base);
	assert_button_request(TZ__BUTTON_REQUEST_TYPE__ButtonRequest_ProtectCall);
	/* Cancel while the button waits; then an unexpected ButtonAck. */
	send_request(MSG_CANCEL, &cancel.base);
	assert_failure(TZ__FAILURE_TYPE__Failure_ActionCancelled, "Action cancelled by user");
	press_button();
	assert_failure(TZ__FAILURE_TYPE__Failure_UnexpectedMessage, "Unexpected message");

	send_request(MSG_END_SESSION, &end.base);
	success = (Tz__Success *)only_reply(MSG_SUCCESS, &tz__success__descriptor);
	protobuf_c_message_free_unpacked(&success->base, NULL);

	sim_device_clear_outbox(&device);
	sim_device_handle(&device, &unknown, 0);
	assert_failure(TZ__FAILURE_TYPE__Failure_UnexpectedMessage, "Unexpected message");
	request_public_key(gpg_alice_path, 5, "ed448");
	assert_failure(TZ__FAILURE_TYPE__Failure_DataError, "Unsupported curve");
	sim_device_free(&device);
}
END_TEST

/* ---- PIN, passphrase, sessions ------------------------------------------- */

/* Compressed forms of alice's gpg key in two passphrase wallets (an
 * independent derivation). */
#define TREZOR_WALLET_KEY "034ac59667fe5422afb24bd3e5822d93de17f03f81be2e5531f850e3259f15d68e"
#define DEVICE_WALLET_KEY "0351f2eb7ba93f98fbb187f6c00aae773acd5333176e7975928dc78df0c5f43009"

static void start_protected(enum sim_model model, const char *pin, bool passphrase,
			    const char *device_passphrase)
{
	struct sim_options options = { .mnemonic = MNEMONIC_ALL, .label = "Test", .model = model,
				       .pin = pin, .matrix_seed = 7, .matrix_seed_set = true,
				       .passphrase_protection = passphrase,
				       .device_passphrase = device_passphrase,
				       .decline_after = -1 };

	ck_assert(sim_device_init(&device, &options));
}

/* Positions (keypad 7 8 9 / 4 5 6 / 1 2 3) that spell `pin` in the matrix shown. */
static void positions_for(const char *pin, char *positions)
{
	static const char cell_position[] = "789456123";
	size_t i;
	int cell;

	for (i = 0; pin[i] != '\0'; i++) {
		for (cell = 0; cell < 9 && device.protect.matrix[cell] != pin[i]; cell++)
			;
		ck_assert_int_lt(cell, 9);
		positions[i] = cell_position[cell];
	}
	positions[i] = '\0';
}

static void send_pin(const char *positions)
{
	Tz__PinMatrixAck ack = TZ__PIN_MATRIX_ACK__INIT;

	ack.pin = (char *)positions;
	send_request(MSG_PIN_MATRIX_ACK, &ack.base);
}

static void send_passphrase(const char *passphrase, bool on_device)
{
	Tz__PassphraseAck ack = TZ__PASSPHRASE_ACK__INIT;

	ack.passphrase = (char *)passphrase;
	ack.has_on_device = on_device;
	ack.on_device = on_device;
	send_request(MSG_PASSPHRASE_ACK, &ack.base);
}

static void assert_only(uint16_t type)
{
	ck_assert_uint_eq(device.outbox_count, 1);
	ck_assert_uint_eq(device.outbox[0].type, type);
}

static void assert_public_key(const char *hex)
{
	Tz__PublicKey *answer = (Tz__PublicKey *)only_reply(MSG_PUBLIC_KEY,
							     &tz__public_key__descriptor);

	assert_bytes(&answer->node->public_key, hex);
	protobuf_c_message_free_unpacked(&answer->base, NULL);
}

START_TEST(trezor_one_pin_matrix)
{
	uint8_t challenge[32];
	char positions[10];

	gpg_challenge(challenge);
	start_protected(SIM_MODEL_ONE, "1234", false, NULL);
	request_signature("gpg", "alice", "example.com", 0, challenge, sizeof(challenge));
	assert_button_request(TZ__BUTTON_REQUEST_TYPE__ButtonRequest_ProtectCall);
	press_button();
	assert_only(MSG_PIN_MATRIX_REQUEST);
	positions_for("1243", positions);
	send_pin(positions);
	assert_failure(TZ__FAILURE_TYPE__Failure_PinInvalid, "Invalid PIN");
	request_signature("gpg", "alice", "example.com", 0, challenge, sizeof(challenge));
	press_button();
	assert_only(MSG_PIN_MATRIX_REQUEST);
	positions_for("1234", positions);
	send_pin(positions);
	assert_signed(GPG_VECTOR_KEY, GPG_VECTOR_SIGNATURE);
	/* Unlocked now: no matrix for the next request. */
	request_public_key(gpg_alice_path, 5, "nist256p1");
	assert_public_key(GPG_VECTOR_KEY);
	sim_device_free(&device);
}
END_TEST

START_TEST(pin_matrix_cancelled)
{
	Tz__Cancel cancel = TZ__CANCEL__INIT;

	start_protected(SIM_MODEL_ONE, "1234", false, NULL);
	request_public_key(gpg_alice_path, 5, "nist256p1");
	assert_only(MSG_PIN_MATRIX_REQUEST);
	send_request(MSG_CANCEL, &cancel.base);
	assert_failure(TZ__FAILURE_TYPE__Failure_PinCancelled, "PIN cancelled");
	sim_device_free(&device);
}
END_TEST

START_TEST(core_pin_on_the_device)
{
	start_protected(SIM_MODEL_SAFE_5, "1234", false, NULL);
	request_public_key(gpg_alice_path, 5, "nist256p1");
	assert_button_request(TZ__BUTTON_REQUEST_TYPE__ButtonRequest_PinEntry);
	press_button();
	assert_public_key(GPG_VECTOR_KEY);
	sim_device_free(&device);

	/* The person types another PIN. */
	start_protected(SIM_MODEL_SAFE_5, "1234", false, NULL);
	device.options.device_pin = "9999";
	request_public_key(gpg_alice_path, 5, "nist256p1");
	press_button();
	assert_failure(TZ__FAILURE_TYPE__Failure_PinInvalid, "Invalid PIN");
	sim_device_free(&device);
}
END_TEST

START_TEST(host_passphrase_and_sessions)
{
	Tz__Features *features;
	uint8_t session[32];

	start_protected(SIM_MODEL_ONE, NULL, true, NULL);
	features = initialize(NULL, 0);
	ck_assert(features->passphrase_protection);
	memcpy(session, features->session_id.data, 32);
	protobuf_c_message_free_unpacked(&features->base, NULL);
	request_public_key(gpg_alice_path, 5, "nist256p1");
	assert_only(MSG_PASSPHRASE_REQUEST);
	send_passphrase("TREZOR", false);
	assert_public_key(TREZOR_WALLET_KEY);
	/* Asked once per session. */
	request_public_key(gpg_alice_path, 5, "nist256p1");
	assert_public_key(TREZOR_WALLET_KEY);
	features = initialize(session, 32);             /* resumed: still known */
	protobuf_c_message_free_unpacked(&features->base, NULL);
	request_public_key(gpg_alice_path, 5, "nist256p1");
	assert_public_key(TREZOR_WALLET_KEY);
	features = initialize(NULL, 0);                 /* a new session: asked again */
	protobuf_c_message_free_unpacked(&features->base, NULL);
	request_public_key(gpg_alice_path, 5, "nist256p1");
	assert_only(MSG_PASSPHRASE_REQUEST);
	send_passphrase("", false);                     /* the standard wallet */
	assert_public_key(GPG_VECTOR_KEY);
	/* A Trezor One cannot take it on its screen. */
	features = initialize(NULL, 0);
	protobuf_c_message_free_unpacked(&features->base, NULL);
	request_public_key(gpg_alice_path, 5, "nist256p1");
	send_passphrase(NULL, true);
	assert_failure(TZ__FAILURE_TYPE__Failure_DataError,
		       "Passphrase provided when it should not be");
	sim_device_free(&device);
}
END_TEST

START_TEST(core_passphrase_on_the_device)
{
	start_protected(SIM_MODEL_T, NULL, true, "on the device");
	request_public_key(gpg_alice_path, 5, "nist256p1");
	assert_only(MSG_PASSPHRASE_REQUEST);
	send_passphrase(NULL, true);
	assert_button_request(TZ__BUTTON_REQUEST_TYPE__ButtonRequest_PassphraseEntry);
	press_button();
	assert_public_key(DEVICE_WALLET_KEY);
	sim_device_free(&device);
}
END_TEST

START_TEST(lock_device_relocks)
{
	Tz__LockDevice lock = TZ__LOCK_DEVICE__INIT;
	Tz__Success *success;
	char positions[10];

	start_protected(SIM_MODEL_ONE, "1234", false, NULL);
	request_public_key(gpg_alice_path, 5, "nist256p1");
	positions_for("1234", positions);
	send_pin(positions);
	assert_public_key(GPG_VECTOR_KEY);
	send_request(MSG_LOCK_DEVICE, &lock.base);
	success = (Tz__Success *)only_reply(MSG_SUCCESS, &tz__success__descriptor);
	protobuf_c_message_free_unpacked(&success->base, NULL);
	request_public_key(gpg_alice_path, 5, "nist256p1");
	assert_only(MSG_PIN_MATRIX_REQUEST);
	sim_device_free(&device);
}
END_TEST

START_TEST(decline_after_confirmations)
{
	uint8_t challenge[32];

	gpg_challenge(challenge);
	start_protected(SIM_MODEL_ONE, NULL, false, NULL);
	device.options.decline_after = 1;
	request_signature("gpg", "alice", "example.com", 0, challenge, sizeof(challenge));
	press_button();
	assert_signed(GPG_VECTOR_KEY, GPG_VECTOR_SIGNATURE);
	request_signature("gpg", "alice", "example.com", 0, challenge, sizeof(challenge));
	press_button();
	assert_failure(TZ__FAILURE_TYPE__Failure_ActionCancelled, "Action cancelled by user");
	sim_device_free(&device);
}
END_TEST

/* ---- faults ---------------------------------------------------------------- */

#define GPG_VECTOR_R "9a9c40ff057fc0378f6b607df35052c781990063783f7b4efbe979ee565e6a94"
#define GPG_VECTOR_S "2cffe25bdfde710d9c3486f2b647007614df2af87d18847e1c64464ed4d1ef03"
#define ZERO_32 "0000000000000000000000000000000000000000000000000000000000000000"
#define GROUP_ORDER "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"

static void start_faulty(enum sim_fault_mode fault, int after, int count)
{
	struct sim_options options = { .mnemonic = MNEMONIC_ALL, .label = "Test",
				       .model = SIM_MODEL_ONE, .decline_after = -1,
				       .fault = fault, .fault_after = after, .fault_for = count };

	ck_assert(sim_device_init(&device, &options));
}

/* alice's gpg signature of the 0xa0..0xbf challenge, confirmed. */
static void sign_alice(void)
{
	uint8_t challenge[32];

	gpg_challenge(challenge);
	request_signature("gpg", "alice", "example.com", 0, challenge, sizeof(challenge));
	assert_button_request(TZ__BUTTON_REQUEST_TYPE__ButtonRequest_ProtectCall);
	press_button();
}

/* The uncompressed point of a 33-byte key, which must be on P-256. */
static void decompress_key(const ProtobufCBinaryData *key, uint8_t point[EC_UNCOMPRESSED_SIZE])
{
	ck_assert_uint_eq(key->len, EC_COMPRESSED_SIZE);
	ck_assert(ec_p256_decompress(key->data, point));
}

START_TEST(fault_occasions)
{
	struct sim_fault off_curve = { .mode = SIM_FAULT_OFF_CURVE, .after = 1, .count = 2 };
	struct sim_fault bad_magic = { .mode = SIM_FAULT_BAD_MAGIC };
	struct sim_fault silence = { .mode = SIM_FAULT_SILENCE, .count = 1 };
	struct sim_fault none = { .mode = SIM_FAULT_NONE };
	enum sim_fault_mode mode;

	/* Answers are not off-curve's business: not even counted. */
	ck_assert(!sim_fault_strikes(&off_curve, SIM_OCCASION_ANSWER));
	ck_assert(!sim_fault_strikes(&off_curve, SIM_OCCASION_LONG_ANSWER));
	ck_assert(!sim_fault_strikes(&off_curve, SIM_OCCASION_GET_PUBLIC_KEY));
	ck_assert(sim_fault_strikes(&off_curve, SIM_OCCASION_SIGN_IDENTITY));
	ck_assert(sim_fault_strikes(&off_curve, SIM_OCCASION_GET_PUBLIC_KEY));
	ck_assert(!sim_fault_strikes(&off_curve, SIM_OCCASION_GET_PUBLIC_KEY));
	ck_assert_int_eq(off_curve.seen, 4);
	/* bad-magic needs a second report to spoil; --fault-for 0 means all. */
	ck_assert(!sim_fault_strikes(&bad_magic, SIM_OCCASION_ANSWER));
	ck_assert(sim_fault_strikes(&bad_magic, SIM_OCCASION_LONG_ANSWER));
	ck_assert(sim_fault_strikes(&bad_magic, SIM_OCCASION_LONG_ANSWER));
	ck_assert_int_eq(bad_magic.seen, 2);
	ck_assert(sim_fault_strikes(&silence, SIM_OCCASION_ANSWER));
	ck_assert(!sim_fault_strikes(&silence, SIM_OCCASION_LONG_ANSWER));
	ck_assert(!sim_fault_strikes(&none, SIM_OCCASION_SIGN_IDENTITY));

	ck_assert(sim_fault_from_name("sig-r-high", &mode));
	ck_assert_int_eq(mode, SIM_FAULT_SIG_R_HIGH);
	ck_assert_str_eq(sim_fault_name(SIM_FAULT_ENDLESS_BUTTONS), "endless-buttons");
	ck_assert(!sim_fault_from_name("sig", &mode));
	ck_assert_str_eq(sim_fault_names(),
			 "garbage, bad-magic, huge-length, silence, disconnect, wrong-type, "
			 "off-curve, long-failure, sig-length, sig-r-zero, sig-s-zero, sig-r-high, "
			 "sig-s-high, sig-other-key, other-key, endless-buttons");
}
END_TEST

/* Report `index` of a 150-byte message (three reports) under a framing fault. */
static enum sim_report_action spoilt_report(enum sim_fault_mode mode, size_t index,
					    uint8_t report[WIRE_REPORT_SIZE])
{
	uint8_t payload[150];
	size_t i;

	for (i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)i;
	return sim_fault_report(mode, true, MSG_FEATURES, payload, sizeof(payload), index, report);
}

/* What the module's codec makes of reports 0 .. count-1. */
static enum wire_status read_reports(enum sim_fault_mode mode, size_t count)
{
	uint8_t report[WIRE_REPORT_SIZE];
	struct wire_reader reader;
	enum wire_status status = WIRE_MORE;
	size_t i;

	wire_reader_init(&reader);
	for (i = 0; i < count && status == WIRE_MORE; i++) {
		ck_assert_int_eq(spoilt_report(mode, i, report), SIM_REPORT_SEND);
		status = wire_reader_feed(&reader, report, sizeof(report));
	}
	wire_reader_reset(&reader);
	return status;
}

START_TEST(framing_faults)
{
	uint8_t report[WIRE_REPORT_SIZE], healthy[WIRE_REPORT_SIZE];
	uint8_t garbage[WIRE_REPORT_SIZE] = "";
	const uint8_t one[1] = { 0x42 };
	uint8_t payload[150] = { 1, 2, 3 };
	size_t i;

	/* Healthy answers of a faulty device are untouched. */
	for (i = 0; i < sizeof(payload) / WIRE_NEXT_CHUNK + 1; i++) {
		ck_assert_int_eq(sim_fault_report(SIM_FAULT_BAD_MAGIC, false, MSG_FEATURES,
						  payload, sizeof(payload), i, report),
				 SIM_REPORT_SEND);
		wire_encode_report(MSG_FEATURES, payload, sizeof(payload), i, healthy);
		ck_assert_mem_eq(report, healthy, sizeof(report));
	}
	memcpy(garbage, "this is not codec v1", 20);
	ck_assert_int_eq(spoilt_report(SIM_FAULT_GARBAGE, 0, report), SIM_REPORT_SEND);
	ck_assert_mem_eq(report, garbage, sizeof(report));
	ck_assert_int_eq(spoilt_report(SIM_FAULT_GARBAGE, 1, report), SIM_REPORT_DROP);
	ck_assert_int_eq(spoilt_report(SIM_FAULT_GARBAGE, 2, report), SIM_REPORT_DROP);
	ck_assert_int_eq(read_reports(SIM_FAULT_GARBAGE, 1), WIRE_ERR_MAGIC);

	ck_assert_int_eq(spoilt_report(SIM_FAULT_BAD_MAGIC, 1, report), SIM_REPORT_SEND);
	ck_assert_int_eq(report[0], '!');
	ck_assert_int_eq(report[1], 55);        /* the payload goes on where it was */
	ck_assert_int_eq(read_reports(SIM_FAULT_BAD_MAGIC, 3), WIRE_ERR_NEXT_MAGIC);

	ck_assert_int_eq(spoilt_report(SIM_FAULT_HUGE_LENGTH, 0, report), SIM_REPORT_SEND);
	ck_assert_mem_eq(report, "?##\x00\x11\xff\xff\xff\xff", 9);
	ck_assert_int_eq(spoilt_report(SIM_FAULT_HUGE_LENGTH, 2, report), SIM_REPORT_SEND);
	ck_assert_int_eq(read_reports(SIM_FAULT_HUGE_LENGTH, 3), WIRE_ERR_TOO_LONG);

	for (i = 0; i < 3; i++)
		ck_assert_int_eq(spoilt_report(SIM_FAULT_SILENCE, i, report), SIM_REPORT_DROP);

	ck_assert_int_eq(spoilt_report(SIM_FAULT_DISCONNECT, 0, report),
			 SIM_REPORT_SEND_THEN_VANISH);
	ck_assert_mem_eq(report, "?##\x00\x11\x00\x00\x00\x96", 9);
	/* A message of one report is not a disconnect's to cut. */
	ck_assert_int_eq(sim_fault_report(SIM_FAULT_DISCONNECT, true, MSG_SUCCESS, one, 1, 0,
					  report), SIM_REPORT_SEND);
}
END_TEST

START_TEST(wrong_type_replies)
{
	Tz__Success *success;
	Tz__PublicKey *key;

	start_faulty(SIM_FAULT_WRONG_TYPE, 0, 0);
	request_public_key(gpg_alice_path, 5, "nist256p1");
	success = (Tz__Success *)only_reply(MSG_SUCCESS, &tz__success__descriptor);
	ck_assert_str_eq(success->message, "a Success where a PublicKey belongs");
	protobuf_c_message_free_unpacked(&success->base, NULL);
	sign_alice();
	key = (Tz__PublicKey *)only_reply(MSG_PUBLIC_KEY, &tz__public_key__descriptor);
	assert_bytes(&key->node->public_key, GPG_VECTOR_KEY);
	protobuf_c_message_free_unpacked(&key->base, NULL);
	sim_device_free(&device);
}
END_TEST

START_TEST(off_curve_keys_for_a_while)
{
	uint8_t point[EC_UNCOMPRESSED_SIZE], healthy[EC_COMPRESSED_SIZE];
	Tz__PublicKey *answer;
	Tz__SignedIdentity *signed_identity;

	/* Served well once, spoilt twice, then healthy again. */
	start_faulty(SIM_FAULT_OFF_CURVE, 1, 2);
	request_public_key(gpg_alice_path, 5, "nist256p1");
	assert_public_key(GPG_VECTOR_KEY);
	request_public_key(gpg_alice_path, 5, "nist256p1");
	answer = (Tz__PublicKey *)only_reply(MSG_PUBLIC_KEY, &tz__public_key__descriptor);
	ck_assert_uint_eq(answer->node->public_key.len, EC_COMPRESSED_SIZE);
	ck_assert(!ec_p256_decompress(answer->node->public_key.data, point));
	/* Only its x changed, in the last byte. */
	hex_to_bytes(GPG_VECTOR_KEY, healthy, sizeof(healthy));
	ck_assert_mem_eq(answer->node->public_key.data, healthy, 32);
	ck_assert_int_ne(answer->node->public_key.data[32], healthy[32]);
	protobuf_c_message_free_unpacked(&answer->base, NULL);

	sign_alice();
	signed_identity = (Tz__SignedIdentity *)only_reply(MSG_SIGNED_IDENTITY,
							   &tz__signed_identity__descriptor);
	ck_assert_uint_eq(signed_identity->public_key.len, EC_COMPRESSED_SIZE);
	ck_assert(!ec_p256_decompress(signed_identity->public_key.data, point));
	assert_bytes(&signed_identity->signature, GPG_VECTOR_SIGNATURE);
	protobuf_c_message_free_unpacked(&signed_identity->base, NULL);

	sign_alice();
	assert_signed(GPG_VECTOR_KEY, GPG_VECTOR_SIGNATURE);
	request_public_key(gpg_alice_path, 5, "nist256p1");
	assert_public_key(GPG_VECTOR_KEY);
	ck_assert_int_eq(device.fault.seen, 5);
	sim_device_free(&device);
}
END_TEST

START_TEST(signature_faults)
{
	static const struct {
		enum sim_fault_mode mode;
		const char *signature;
	} cases[] = {
		{ SIM_FAULT_SIG_LENGTH, GPG_VECTOR_R GPG_VECTOR_S },
		{ SIM_FAULT_SIG_R_ZERO, "00" ZERO_32 GPG_VECTOR_S },
		{ SIM_FAULT_SIG_S_ZERO, "00" GPG_VECTOR_R ZERO_32 },
		{ SIM_FAULT_SIG_R_HIGH, "00" GROUP_ORDER GPG_VECTOR_S },
		{ SIM_FAULT_SIG_S_HIGH, "00" GPG_VECTOR_R GROUP_ORDER },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		start_faulty(cases[i].mode, 0, 1);
		/* Keys are not a signature fault's business. */
		request_public_key(gpg_alice_path, 5, "nist256p1");
		assert_public_key(GPG_VECTOR_KEY);
		sign_alice();
		assert_signed(GPG_VECTOR_KEY, cases[i].signature);
		sign_alice();
		assert_signed(GPG_VECTOR_KEY, GPG_VECTOR_SIGNATURE);
		sim_device_free(&device);
	}
}
END_TEST

/* The key of alice's sibling path, which the other-key faults sign with. */
static void sibling_key(uint8_t point[EC_UNCOMPRESSED_SIZE])
{
	uint32_t path[5];
	struct sim_node node;
	uint8_t seed[SIM_SEED_SIZE];

	memcpy(path, gpg_alice_path, sizeof(path));
	path[4] ^= 1;
	ck_assert(sim_bip39_seed(MNEMONIC_ALL, "", seed));
	ck_assert(sim_slip10_derive(SIM_CURVE_NIST256P1, seed, sizeof(seed), path, 5, &node));
	ck_assert(ec_p256_decompress(node.public_key, point));
}

START_TEST(signed_by_another_key)
{
	uint8_t alice[EC_UNCOMPRESSED_SIZE], sibling[EC_UNCOMPRESSED_SIZE];
	uint8_t named[EC_UNCOMPRESSED_SIZE];
	uint8_t digest[32];
	Tz__SignedIdentity *answer;

	gpg_challenge(digest);
	sibling_key(sibling);
	/* sig-other-key: public_key says alice, the signature is the sibling's. */
	start_faulty(SIM_FAULT_SIG_OTHER_KEY, 0, 0);
	sign_alice();
	answer = (Tz__SignedIdentity *)only_reply(MSG_SIGNED_IDENTITY,
						  &tz__signed_identity__descriptor);
	assert_bytes(&answer->public_key, GPG_VECTOR_KEY);
	decompress_key(&answer->public_key, alice);
	ck_assert_uint_eq(answer->signature.len, 65);
	ck_assert_uint_eq(answer->signature.data[0], 0x00);
	ck_assert(!ec_p256_verify_digest(alice, digest, answer->signature.data + 1));
	ck_assert(ec_p256_verify_digest(sibling, digest, answer->signature.data + 1));
	protobuf_c_message_free_unpacked(&answer->base, NULL);
	sim_device_free(&device);

	/* other-key: a good signature by the sibling, and public_key names it. */
	start_faulty(SIM_FAULT_OTHER_KEY, 0, 0);
	sign_alice();
	answer = (Tz__SignedIdentity *)only_reply(MSG_SIGNED_IDENTITY,
						  &tz__signed_identity__descriptor);
	decompress_key(&answer->public_key, named);
	ck_assert_mem_eq(named, sibling, sizeof(named));
	ck_assert(ec_p256_verify_digest(sibling, digest, answer->signature.data + 1));
	protobuf_c_message_free_unpacked(&answer->base, NULL);
	request_public_key(gpg_alice_path, 5, "nist256p1");
	assert_public_key(GPG_VECTOR_KEY);      /* asked directly, it tells the truth */
	sim_device_free(&device);
}
END_TEST

START_TEST(endless_buttons_until_cancelled)
{
	Tz__Cancel cancel = TZ__CANCEL__INIT;
	int i;

	start_faulty(SIM_FAULT_ENDLESS_BUTTONS, 0, 1);
	sign_alice();
	for (i = 0; i < 40; i++) {
		assert_button_request(TZ__BUTTON_REQUEST_TYPE__ButtonRequest_ProtectCall);
		press_button();
	}
	send_request(MSG_CANCEL, &cancel.base);
	assert_failure(TZ__FAILURE_TYPE__Failure_ActionCancelled, "Action cancelled by user");
	sign_alice();
	assert_signed(GPG_VECTOR_KEY, GPG_VECTOR_SIGNATURE);
	sim_device_free(&device);
}
END_TEST

START_TEST(long_failure_text)
{
	const char *text = sim_fault_long_text();

	ck_assert_uint_ge(strlen(text), 5000);
	ck_assert_ptr_nonnull(strchr(text, '\n'));
	ck_assert_ptr_nonnull(strchr(text, '\r'));
	ck_assert_ptr_nonnull(strchr(text, '\x1b'));
	ck_assert_ptr_nonnull(strchr(text, '\x9b'));
	start_faulty(SIM_FAULT_LONG_FAILURE, 0, 1);
	request_public_key(gpg_alice_path, 5, "nist256p1");
	assert_failure(TZ__FAILURE_TYPE__Failure_FirmwareError, text);
	ck_assert_uint_gt(device.outbox[0].length, 5000);
	sign_alice();
	assert_signed(GPG_VECTOR_KEY, GPG_VECTOR_SIGNATURE);
	sim_device_free(&device);
}
END_TEST

/* ---- the binary over UDP -------------------------------------------------- */

static struct sim_process process;

static void start_process(void)
{
	static const char *const args[] = { "--mnemonic", MNEMONIC_ALL, NULL };

	sim_process_start(&process, args);
}

static void stop_process(void)
{
	sim_process_stop(&process);
}

static int udp_socket_to(int port)
{
	struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&address, sizeof(address)), 0);
	return fd;
}

static ssize_t receive_within(int fd, uint8_t *buffer, size_t size, int timeout_ms)
{
	struct pollfd waiting = { .fd = fd, .events = POLLIN };

	if (poll(&waiting, 1, timeout_ms) != 1)
		return -1;
	return recv(fd, buffer, size, 0);
}

START_TEST(binary_answers_ping)
{
	int fd = udp_socket_to(process.port);
	uint8_t buffer[16];

	ck_assert_int_eq(send(fd, "PINGPING", 8, 0), 8);
	ck_assert_int_eq(receive_within(fd, buffer, sizeof(buffer), 2000), 8);
	ck_assert_mem_eq(buffer, "PONGPONG", 8);
	close(fd);
}
END_TEST

START_TEST(binary_signs_gpg_vector)
{
	struct transport *transport;
	struct wire_message reply;
	Tz__SignIdentity request = TZ__SIGN_IDENTITY__INIT;
	Tz__IdentityType identity = TZ__IDENTITY_TYPE__INIT;
	Tz__ButtonAck ack = TZ__BUTTON_ACK__INIT;
	Tz__SignedIdentity *answer;
	uint8_t challenge[32], payload[256];
	char error[256];
	size_t length;

	ck_assert_int_eq(transport_open(process.path, 1000, &transport, error, sizeof(error)),
			 TRANSPORT_OK);
	gpg_challenge(challenge);
	identity.proto = (char *)"gpg";
	identity.user = (char *)"alice";
	identity.host = (char *)"example.com";
	request.identity = &identity;
	request.has_challenge_hidden = true;
	request.challenge_hidden.data = challenge;
	request.challenge_hidden.len = 32;
	request.ecdsa_curve_name = (char *)"nist256p1";
	length = protobuf_c_message_pack(&request.base, payload);
	ck_assert_int_eq(transport_send_message(transport, MSG_SIGN_IDENTITY, payload, length),
			 TRANSPORT_OK);
	ck_assert_int_eq(transport_receive_message(transport, &reply, 2000), TRANSPORT_OK);
	ck_assert_uint_eq(reply.type, MSG_BUTTON_REQUEST);
	wire_message_free(&reply);
	length = protobuf_c_message_pack(&ack.base, payload);
	ck_assert_int_eq(transport_send_message(transport, MSG_BUTTON_ACK, payload, length),
			 TRANSPORT_OK);
	ck_assert_int_eq(transport_receive_message(transport, &reply, 2000), TRANSPORT_OK);
	ck_assert_uint_eq(reply.type, MSG_SIGNED_IDENTITY);
	answer = tz__signed_identity__unpack(NULL, reply.length, reply.payload);
	ck_assert_ptr_nonnull(answer);
	assert_bytes(&answer->public_key, GPG_VECTOR_KEY);
	assert_bytes(&answer->signature, GPG_VECTOR_SIGNATURE);
	tz__signed_identity__free_unpacked(answer, NULL);
	wire_message_free(&reply);
	transport_close(transport);
	ck_assert_int_eq(sim_process_count(&process, "trezor-sim: <- SignIdentity"), 1);
	ck_assert_int_eq(sim_process_count(&process, "trezor-sim: -> SignedIdentity"), 1);
}
END_TEST

START_TEST(binary_answers_last_writer)
{
	uint8_t report[WIRE_REPORT_SIZE], buffer[128];
	int first = udp_socket_to(process.port), second = udp_socket_to(process.port);

	/* Ping without a message: a one-report Success back. */
	wire_encode_report(MSG_PING, NULL, 0, 0, report);
	ck_assert_int_eq(send(first, report, sizeof(report), 0), WIRE_REPORT_SIZE);
	ck_assert_int_eq(receive_within(first, buffer, sizeof(buffer), 2000), WIRE_REPORT_SIZE);
	ck_assert_int_eq(send(second, report, sizeof(report), 0), WIRE_REPORT_SIZE);
	ck_assert_int_eq(receive_within(second, buffer, sizeof(buffer), 2000), WIRE_REPORT_SIZE);
	ck_assert_mem_eq(buffer, "?##\x00\x02", 5);
	ck_assert_int_eq(receive_within(first, buffer, sizeof(buffer), 100), -1);
	close(first);
	close(second);
}
END_TEST

/* ---- the binary's faults over UDP ------------------------------------------ */

/* A one-report request to the process; its first answering report, if any comes. */
static ssize_t exchange(int fd, uint16_t type, uint8_t *buffer, size_t size)
{
	uint8_t report[WIRE_REPORT_SIZE];

	wire_encode_report(type, NULL, 0, 0, report);
	ck_assert_int_eq(send(fd, report, sizeof(report), 0), WIRE_REPORT_SIZE);
	return receive_within(fd, buffer, size, 1000);
}

START_TEST(binary_silence_still_pongs)
{
	static const char *const args[] = { "--fault", "silence", NULL };
	uint8_t buffer[128];
	int fd;

	sim_process_start(&process, args);
	fd = udp_socket_to(process.port);
	ck_assert_int_eq(exchange(fd, MSG_PING, buffer, sizeof(buffer)), -1);
	ck_assert_int_eq(send(fd, "PINGPING", 8, 0), 8);
	ck_assert_int_eq(receive_within(fd, buffer, sizeof(buffer), 2000), 8);
	ck_assert_mem_eq(buffer, "PONGPONG", 8);
	close(fd);
	ck_assert_int_eq(sim_process_count(&process, "trezor-sim: <- Ping"), 1);
	ck_assert_int_eq(sim_process_count(&process, "trezor-sim: fault silence"), 1);
}
END_TEST

START_TEST(binary_disconnect_vanishes)
{
	static const char *const args[] = { "--fault", "disconnect", NULL };
	uint8_t buffer[128];
	int fd;

	sim_process_start(&process, args);
	fd = udp_socket_to(process.port);
	/* Features take several reports: the first comes, then nothing. */
	ck_assert_int_eq(exchange(fd, MSG_GET_FEATURES, buffer, sizeof(buffer)), WIRE_REPORT_SIZE);
	ck_assert_mem_eq(buffer, "?##\x00\x11", 5);
	ck_assert_int_eq(receive_within(fd, buffer, sizeof(buffer), 300), -1);
	ck_assert_int_eq(send(fd, "PINGPING", 8, 0), 8);
	ck_assert_int_eq(receive_within(fd, buffer, sizeof(buffer), 300), -1);
	ck_assert_int_eq(exchange(fd, MSG_GET_FEATURES, buffer, sizeof(buffer)), -1);
	close(fd);
	ck_assert_int_eq(sim_process_count(&process, "trezor-sim: <- GetFeatures"), 1);
}
END_TEST

START_TEST(binary_fault_for_heals)
{
	static const char *const args[] = { "--fault", "garbage", "--fault-after", "1",
					    "--fault-for", "1", NULL };
	uint8_t buffer[128];
	int fd;

	sim_process_start(&process, args);
	fd = udp_socket_to(process.port);
	ck_assert_int_eq(exchange(fd, MSG_PING, buffer, sizeof(buffer)), WIRE_REPORT_SIZE);
	ck_assert_mem_eq(buffer, "?##\x00\x02", 5);
	ck_assert_int_eq(exchange(fd, MSG_PING, buffer, sizeof(buffer)), WIRE_REPORT_SIZE);
	ck_assert_mem_eq(buffer, "this is not codec v1", 20);
	ck_assert_int_eq(exchange(fd, MSG_PING, buffer, sizeof(buffer)), WIRE_REPORT_SIZE);
	ck_assert_mem_eq(buffer, "?##\x00\x02", 5);
	close(fd);
	ck_assert_int_eq(sim_process_count(&process, "trezor-sim: fault garbage"), 1);
}
END_TEST

static Suite *sim_suite(void)
{
	Suite *suite = suite_create("sim");
	TCase *machine = tcase_create("state machine");
	TCase *faults = tcase_create("faults");
	TCase *binary = tcase_create("binary");
	TCase *faulty_binary = tcase_create("faulty binary");

	tcase_add_test(machine, firmware_ssh_vector);
	tcase_add_test(machine, emulator_gpg_vector);
	tcase_add_test(machine, public_key_of_gpg_identity);
	tcase_add_test(machine, ssh_proto_gives_another_key);
	tcase_add_test(machine, gpg_needs_32_bytes);
	tcase_add_test(machine, other_protos_fail);
	tcase_add_test(machine, decline_cancels);
	tcase_add_test(machine, person_takes_time);
	tcase_add_test(machine, device_takes_time_to_compute);
	tcase_add_test(machine, cancel_during_work);
	tcase_add_test(machine, core_models_ask_with_other);
	tcase_add_test(machine, features_per_model);
	tcase_add_test(machine, initialize_resumes_session);
	tcase_add_test(machine, small_requests);
	tcase_add_test(machine, trezor_one_pin_matrix);
	tcase_add_test(machine, pin_matrix_cancelled);
	tcase_add_test(machine, core_pin_on_the_device);
	tcase_add_test(machine, host_passphrase_and_sessions);
	tcase_add_test(machine, core_passphrase_on_the_device);
	tcase_add_test(machine, lock_device_relocks);
	tcase_add_test(machine, decline_after_confirmations);
	tcase_add_test(faults, fault_occasions);
	tcase_add_test(faults, framing_faults);
	tcase_add_test(faults, wrong_type_replies);
	tcase_add_test(faults, off_curve_keys_for_a_while);
	tcase_add_test(faults, signature_faults);
	tcase_add_test(faults, signed_by_another_key);
	tcase_add_test(faults, endless_buttons_until_cancelled);
	tcase_add_test(faults, long_failure_text);
	tcase_add_checked_fixture(binary, start_process, stop_process);
	tcase_add_test(binary, binary_answers_ping);
	tcase_add_test(binary, binary_signs_gpg_vector);
	tcase_add_test(binary, binary_answers_last_writer);
	suite_add_tcase(suite, machine);
	suite_add_tcase(suite, faults);
	tcase_add_checked_fixture(faulty_binary, NULL, stop_process);
	tcase_add_test(faulty_binary, binary_silence_still_pongs);
	tcase_add_test(faulty_binary, binary_disconnect_vanishes);
	tcase_add_test(faulty_binary, binary_fault_for_heals);
	suite_add_tcase(suite, binary);
	suite_add_tcase(suite, faulty_binary);
	return suite;
}

int main(void)
{
	return run_suite(sim_suite());
}

/* Driving the simulator's state machine in tests. See sim_driver.h. */
#include "config.h"

#include "sim_driver.h"

#include <check.h>
#include <string.h>

#include "helpers.h"
#include "messages.h"

struct sim_device device;

const uint32_t gpg_alice_path[5] = {
	0x80000000u | 13, 0x80000000u | 1443763744u, 0x80000000u | 268988321u,
	0x80000000u | 501076312u, 0x80000000u | 597996507u,
};

struct sim_options sim_test_options(const char *mnemonic, enum sim_model model)
{
	struct sim_options options = { .mnemonic = mnemonic, .label = "Test", .model = model,
				       .decline_after = -1 };

	return options;
}

void start_with(const struct sim_options *options)
{
	ck_assert(sim_device_init(&device, options));
}

void start_device(const char *mnemonic, enum sim_model model)
{
	struct sim_options options = sim_test_options(mnemonic, model);

	start_with(&options);
}

void start_session(const char *mnemonic, enum sim_model model)
{
	start_device(mnemonic, model);
	initialize_ok();
}

void stop_device(void)
{
	sim_device_free(&device);
}

void start_protected(enum sim_model model, const char *pin, bool passphrase,
		     const char *device_passphrase)
{
	struct sim_options options = sim_test_options(MNEMONIC_ALL, model);

	options.pin = pin;
	options.matrix_seed = 7;
	options.matrix_seed_set = true;
	options.passphrase_protection = passphrase;
	options.device_passphrase = device_passphrase;
	start_with(&options);
}

/* ---- sending ----------------------------------------------------------------- */

static void send_packed(bool debug, uint16_t type, const uint8_t *payload, size_t length,
			int64_t now)
{
	struct wire_message request = { .type = type, .length = (uint32_t)length };

	request.payload = length > 0 ? (uint8_t *)payload : NULL;
	sim_device_clear_outbox(&device);
	if (debug)
		sim_device_handle_debug(&device, &request, now);
	else
		sim_device_handle(&device, &request, now);
}

static void send_on(bool debug, uint16_t type, const ProtobufCMessage *message, int64_t now)
{
	uint8_t buffer[4096];
	size_t length = protobuf_c_message_get_packed_size(message);

	ck_assert_uint_le(length, sizeof(buffer));
	protobuf_c_message_pack(message, buffer);
	send_packed(debug, type, buffer, length, now);
}

void send_at(uint16_t type, const ProtobufCMessage *message, int64_t now)
{
	send_on(false, type, message, now);
}

void send_request(uint16_t type, const ProtobufCMessage *message)
{
	send_on(false, type, message, device.now_ms);
}

void send_debug(uint16_t type, const ProtobufCMessage *message)
{
	send_on(true, type, message, device.now_ms);
}

void send_raw(uint16_t type, const uint8_t *payload, size_t length)
{
	send_packed(false, type, payload, length, device.now_ms);
}

void send_report(const uint8_t report[64])
{
	sim_device_clear_outbox(&device);
	sim_device_receive(&device, false, report, device.now_ms);
}

/* ---- replies ------------------------------------------------------------------ */

ProtobufCMessage *only_reply(uint16_t type, const ProtobufCMessageDescriptor *descriptor)
{
	ProtobufCMessage *message;

	ck_assert_uint_eq(device.outbox_count, 1);
	ck_assert_uint_eq(device.outbox[0].type, type);
	message = protobuf_c_message_unpack(descriptor, NULL, device.outbox[0].length,
					    device.outbox[0].payload);
	ck_assert_ptr_nonnull(message);
	return message;
}

void assert_only(uint16_t type)
{
	ck_assert_uint_eq(device.outbox_count, 1);
	ck_assert_uint_eq(device.outbox[0].type, type);
}

void assert_nothing(void)
{
	ck_assert_uint_eq(device.outbox_count, 0);
}

void assert_failure(Tz__FailureType code, const char *text)
{
	Tz__Failure *failure = (Tz__Failure *)only_reply(MSG_FAILURE, &tz__failure__descriptor);

	ck_assert(failure->has_code);
	ck_assert_int_eq(failure->code, code);
	ck_assert_ptr_nonnull(failure->message);
	ck_assert_str_eq(failure->message, text);
	protobuf_c_message_free_unpacked(&failure->base, NULL);
}

void assert_failure_without_text(Tz__FailureType code)
{
	Tz__Failure *failure = (Tz__Failure *)only_reply(MSG_FAILURE, &tz__failure__descriptor);

	ck_assert_int_eq(failure->code, code);
	ck_assert_ptr_null(failure->message);
	protobuf_c_message_free_unpacked(&failure->base, NULL);
}

void assert_success(const char *text)
{
	Tz__Success *success = (Tz__Success *)only_reply(MSG_SUCCESS, &tz__success__descriptor);

	if (text == NULL)
		ck_assert_ptr_null(success->message);
	else
		ck_assert_str_eq(success->message, text);
	protobuf_c_message_free_unpacked(&success->base, NULL);
}

void assert_button(Tz__ButtonRequestType code, const char *name, uint32_t pages)
{
	Tz__ButtonRequest *request = (Tz__ButtonRequest *)only_reply(
		MSG_BUTTON_REQUEST, &tz__button_request__descriptor);

	ck_assert(request->has_code);
	ck_assert_int_eq(request->code, code);
	if (name == NULL)
		ck_assert_ptr_null(request->name);
	else
		ck_assert_str_eq(request->name, name);
	ck_assert(request->has_pages == (pages > 0));
	ck_assert_uint_eq(request->pages, pages);
	protobuf_c_message_free_unpacked(&request->base, NULL);
}

void assert_button_request(Tz__ButtonRequestType code)
{
	assert_button(code, NULL, 0);
}

void assert_bytes(const ProtobufCBinaryData *data, const char *hex)
{
	char actual[300];

	ck_assert_uint_lt(data->len * 2, sizeof(actual));
	bytes_to_hex(data->data, data->len, actual);
	ck_assert_str_eq(actual, hex);
}

void assert_public_key(const char *hex)
{
	Tz__PublicKey *answer = (Tz__PublicKey *)only_reply(MSG_PUBLIC_KEY,
							     &tz__public_key__descriptor);

	assert_bytes(&answer->node->public_key, hex);
	protobuf_c_message_free_unpacked(&answer->base, NULL);
}

void assert_signed(const char *key_hex, const char *signature_hex)
{
	Tz__SignedIdentity *answer = (Tz__SignedIdentity *)only_reply(
		MSG_SIGNED_IDENTITY, &tz__signed_identity__descriptor);

	assert_bytes(&answer->public_key, key_hex);
	assert_bytes(&answer->signature, signature_hex);
	protobuf_c_message_free_unpacked(&answer->base, NULL);
}

Tz__Features *features_reply(void)
{
	return (Tz__Features *)only_reply(MSG_FEATURES, &tz__features__descriptor);
}

/* ---- requests ------------------------------------------------------------------ */

Tz__Features *initialize(const uint8_t *session_id, size_t length)
{
	Tz__Initialize request = TZ__INITIALIZE__INIT;

	if (session_id != NULL) {
		request.has_session_id = true;
		request.session_id.data = (uint8_t *)session_id;
		request.session_id.len = length;
	}
	send_request(MSG_INITIALIZE, &request.base);
	return features_reply();
}

void initialize_ok(void)
{
	Tz__Features *features = initialize(NULL, 0);

	ck_assert_uint_eq(features->session_id.len, 32);
	protobuf_c_message_free_unpacked(&features->base, NULL);
}

void get_features(void)
{
	Tz__GetFeatures request = TZ__GET_FEATURES__INIT;

	send_request(MSG_GET_FEATURES, &request.base);
}

void press_button(void)
{
	Tz__ButtonAck ack = TZ__BUTTON_ACK__INIT;

	send_request(MSG_BUTTON_ACK, &ack.base);
}

void cancel(void)
{
	Tz__Cancel request = TZ__CANCEL__INIT;

	send_request(MSG_CANCEL, &request.base);
}

void lock_device(void)
{
	Tz__LockDevice request = TZ__LOCK_DEVICE__INIT;

	send_request(MSG_LOCK_DEVICE, &request.base);
}

void end_session(void)
{
	Tz__EndSession request = TZ__END_SESSION__INIT;

	send_request(MSG_END_SESSION, &request.base);
}

void send_pin(const char *positions)
{
	Tz__PinMatrixAck ack = TZ__PIN_MATRIX_ACK__INIT;

	ack.pin = (char *)positions;
	send_request(MSG_PIN_MATRIX_ACK, &ack.base);
}

void send_passphrase(const char *passphrase, bool on_device)
{
	Tz__PassphraseAck ack = TZ__PASSPHRASE_ACK__INIT;

	ack.passphrase = (char *)passphrase;
	ack.has_on_device = on_device;
	ack.on_device = on_device;
	send_request(MSG_PASSPHRASE_ACK, &ack.base);
}

void request_public_key(const uint32_t *path, size_t depth, const char *curve)
{
	Tz__GetPublicKey request = TZ__GET_PUBLIC_KEY__INIT;

	request.n_address_n = depth;
	request.address_n = (uint32_t *)path;
	request.ecdsa_curve_name = (char *)curve;
	send_request(MSG_GET_PUBLIC_KEY, &request.base);
}

void request_signature(const char *proto, const char *user, const char *host, uint32_t index,
		       const uint8_t *challenge, size_t challenge_len)
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

void request_signature_on(const char *proto, const char *curve, const uint8_t *challenge,
			  size_t challenge_len)
{
	Tz__SignIdentity request = TZ__SIGN_IDENTITY__INIT;
	Tz__IdentityType identity = TZ__IDENTITY_TYPE__INIT;

	identity.proto = (char *)proto;
	identity.user = (char *)"alice";
	identity.host = (char *)"example.com";
	request.identity = &identity;
	request.has_challenge_hidden = true;
	request.challenge_hidden.data = (uint8_t *)challenge;
	request.challenge_hidden.len = challenge_len;
	request.challenge_visual = (char *)"test";
	request.ecdsa_curve_name = (char *)curve;
	send_request(MSG_SIGN_IDENTITY, &request.base);
}

void request_address(const char *coin, const uint32_t *path, size_t depth, bool show)
{
	Tz__GetAddress request = TZ__GET_ADDRESS__INIT;

	request.coin_name = (char *)coin;
	request.n_address_n = depth;
	request.address_n = (uint32_t *)path;
	request.has_show_display = show;
	request.show_display = show;
	send_request(MSG_GET_ADDRESS, &request.base);
}

void decide(bool yes, const char *input)
{
	Tz__DebugLinkDecision decision = TZ__DEBUG_LINK_DECISION__INIT;

	decision.has_button = true;
	decision.button = yes ? TZ__DEBUG_BUTTON__DebugButton_YES : TZ__DEBUG_BUTTON__DebugButton_NO;
	decision.input = (char *)input;
	send_debug(MSG_DEBUG_LINK_DECISION, &decision.base);
}

void gpg_challenge(uint8_t challenge[32])
{
	int i;

	for (i = 0; i < 32; i++)
		challenge[i] = (uint8_t)(0xa0 + i);
}

void sign_alice(void)
{
	uint8_t challenge[32];

	gpg_challenge(challenge);
	request_signature("gpg", "alice", "example.com", 0, challenge, sizeof(challenge));
	assert_button_request(BUTTON_PROTECT_CALL);
	press_button();
}

void positions_for(const char *pin, char *positions)
{
	size_t i;
	int position;

	for (i = 0; pin[i] != '\0'; i++) {
		for (position = 0; position < 9 && device.protect.matrix[position] != pin[i];
		     position++)
			;
		ck_assert_int_lt(position, 9);
		positions[i] = (char)('1' + position);
	}
	positions[i] = '\0';
}

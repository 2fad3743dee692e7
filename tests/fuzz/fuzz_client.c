/*
 * Fuzz target: the device client (module/trezor.c, module/trezor_call.c)
 * through its real conversations, with a "device" whose every reply comes
 * from the input.
 *
 * The seam is the transport interface itself (transport.h): this file
 * implements its three operations in memory and hands the transport to
 * trezor_device_new(), so the module carries no code for it. What the host
 * sends is reassembled and checked; what it reads is taken from the input.
 *
 * Input:
 *   byte 0   the person: bits 0-1 the PIN answer (no prompt, "1234", refused,
 *            nobody to ask); bits 2-3 the passphrase answer (no prompt,
 *            "secret", typed on the device, refused); bit 4 a button
 *            callback; bits 5-7 N > 0: the host's Nth report fails to send
 *   byte 1   the conversations, in this order, one bit each: Initialize,
 *            GetFeatures, GetPublicKey, SignIdentity, Cancel (none: all);
 *            bit 5: GetPublicKey and SignIdentity for the Ed25519 identity
 *            ssh://alice@example.com (a 40-byte message), not gpg:// P-256
 *   then one record per read of the host, until the input ends (then every
 *   read times out):
 *     kind % 11   0-7: a message of type reply_types[kind]: length (BE16),
 *                      payload (what is left of the input if shorter)
 *                 8:   a message of any type: type (BE16), length, payload
 *                 9:   one raw report, the next 64 bytes as they are
 *                 10:  the read fails with transport status (next byte % 6)
 *
 * Checks: every conversation ends, after at most CONVERSATION_SENDS_MAX
 * messages from the host (the module's own caps must stop a device that
 * keeps asking); everything the host sends is a well-formed request it
 * means to send; an error is one line and never empty; a success keeps the
 * promises of trezor.h (a key on P-256 or an Ed25519 key of large order, a
 * signature that verifies, features of a usable device).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "curve.h"
#include "ec.h"
#include "ed25519.h"
#include "fuzz.h"
#include "fuzz_formats.h"
#include "messages.h"
#include "transport.h"
#include "trezor.h"
#include "trezor.pb-c.h"
#include "wire.h"

/* Reads served per input: more than any conversation needs, and a bound on
 * the run whatever the module does. */
#define RECORDS_MAX 300
/* A request, 16 answered interposed requests and a Cancel, twice (GetFeatures
 * falls back to Initialize): a conversation that sends more does not end. */
#define CONVERSATION_SENDS_MAX 40

#define PIN_GIVEN "1234"
#define PASSPHRASE_GIVEN "secret"

/* The message type of each record kind below CLIENT_ANY_TYPE (fuzz_formats.h). */
static const uint16_t reply_types[CLIENT_ANY_TYPE] = {
	[CLIENT_SUCCESS] = MSG_SUCCESS,
	[CLIENT_FAILURE] = MSG_FAILURE,
	[CLIENT_PUBLIC_KEY] = MSG_PUBLIC_KEY,
	[CLIENT_FEATURES] = MSG_FEATURES,
	[CLIENT_PIN_MATRIX_REQUEST] = MSG_PIN_MATRIX_REQUEST,
	[CLIENT_BUTTON_REQUEST] = MSG_BUTTON_REQUEST,
	[CLIENT_PASSPHRASE_REQUEST] = MSG_PASSPHRASE_REQUEST,
	[CLIENT_SIGNED_IDENTITY] = MSG_SIGNED_IDENTITY,
};

static const enum transport_status read_failures[] = {
	TRANSPORT_TIMEOUT, TRANSPORT_GONE, TRANSPORT_BAD_DATA, TRANSPORT_ERROR,
	TRANSPORT_CANCELLED, TRANSPORT_BUSY,
};

/* gpg://alice@example.com on the "all all ..." seed, and the digest it signs
 * in HACKING 5.6 (the seeds carry the device's real answer). */
static const char alice_key_hex[] =
	"04b9afc638371743324c09dc8136847a0478e9f26a3dfcc0b9923f4bcbdcf93fdb"
	"faefbe4fc8425d3abb485c25895f0ea467d64e589f03051a8a511e64194ca61c";
/* ssh://alice@example.com's Ed25519 key on the same seed (THP.md). */
static const char alice_ed25519_hex[] =
	"f2fba6502fd61a64bae9eedded1b2d876d7a9d0dc7769f8ef40a138364038d14";

struct fake_device {
	struct transport base;
	struct fuzz_input input;
	unsigned records;               /* reads served from the input */
	/* The reply being served, one report per read. */
	uint16_t type;
	const uint8_t *payload;
	size_t length, next_report, reports;
	/* What the host sends. */
	struct wire_reader host;
	unsigned host_reports, failing_report;
	unsigned sends;                 /* messages in the current conversation */
};

/* ---- the host's side: everything it sends must be a request it means ------ */

static void check_request(const struct wire_message *message)
{
	const ProtobufCMessageDescriptor *descriptor = NULL;
	ProtobufCMessage *unpacked;

	switch (message->type) {
	case MSG_INITIALIZE: descriptor = &tz__initialize__descriptor; break;
	case MSG_GET_FEATURES: descriptor = &tz__get_features__descriptor; break;
	case MSG_GET_PUBLIC_KEY: descriptor = &tz__get_public_key__descriptor; break;
	case MSG_SIGN_IDENTITY: descriptor = &tz__sign_identity__descriptor; break;
	case MSG_BUTTON_ACK: descriptor = &tz__button_ack__descriptor; break;
	case MSG_PIN_MATRIX_ACK: descriptor = &tz__pin_matrix_ack__descriptor; break;
	case MSG_PASSPHRASE_ACK: descriptor = &tz__passphrase_ack__descriptor; break;
	case MSG_CANCEL: descriptor = &tz__cancel__descriptor; break;
	/* After a spoilt answer the client gets back in step with a Ping. */
	case MSG_PING: descriptor = &tz__ping__descriptor; break;
	default: fuzz_fail(__FILE__, __LINE__, "the host sent message type %u", message->type);
	}
	unpacked = protobuf_c_message_unpack(descriptor, NULL, message->length, message->payload);
	FUZZ_CHECK(unpacked != NULL);
	if (message->type == MSG_PIN_MATRIX_ACK)
		FUZZ_CHECK(strcmp(((Tz__PinMatrixAck *)unpacked)->pin, PIN_GIVEN) == 0);
	if (message->type == MSG_PASSPHRASE_ACK) {
		Tz__PassphraseAck *ack = (Tz__PassphraseAck *)unpacked;

		FUZZ_CHECK((ack->passphrase != NULL) != (ack->has_on_device && ack->on_device));
		FUZZ_CHECK(ack->passphrase == NULL ||
			   strcmp(ack->passphrase, PASSPHRASE_GIVEN) == 0);
	}
	protobuf_c_message_free_unpacked(unpacked, NULL);
}

static enum transport_status fake_write(struct transport *transport,
					const uint8_t report[WIRE_REPORT_SIZE])
{
	struct fake_device *fake = (struct fake_device *)transport;
	struct wire_message message;
	enum wire_status status;

	if (++fake->host_reports == fake->failing_report) {
		wire_reader_reset(&fake->host);       /* that message never arrives */
		transport_set_error(transport, "the device went away while the host wrote");
		return TRANSPORT_GONE;
	}
	status = wire_reader_feed(&fake->host, report, WIRE_REPORT_SIZE);
	FUZZ_CHECK(status == WIRE_MORE || status == WIRE_COMPLETE);
	if (status == WIRE_COMPLETE) {
		wire_reader_take(&fake->host, &message);
		check_request(&message);
		wire_message_free(&message);
		fake->sends++;
		FUZZ_CHECK(fake->sends <= CONVERSATION_SENDS_MAX);
	}
	return TRANSPORT_OK;
}

/* ---- the device's side: replies from the input --------------------------- */

static void serve_message(struct fake_device *fake, uint16_t type)
{
	size_t wanted = fuzz_take_u16(&fake->input);

	fake->type = type;
	fake->length = fuzz_take_bytes(&fake->input, wanted, &fake->payload);
	fake->reports = wire_report_count(fake->length);
	fake->next_report = 0;
}

static enum transport_status fake_read(struct transport *transport,
				       uint8_t report[WIRE_REPORT_SIZE], int timeout_ms)
{
	struct fake_device *fake = (struct fake_device *)transport;
	const uint8_t *bytes;
	size_t kind, length;

	FUZZ_CHECK(timeout_ms >= 0);
	if (fake->next_report < fake->reports) {
		wire_encode_report(fake->type, fake->payload, fake->length, fake->next_report++,
				   report);
		return TRANSPORT_OK;
	}
	if (fake->input.size == 0 || fake->records == RECORDS_MAX) {
		transport_set_error(transport, "the input has no more replies");
		return TRANSPORT_TIMEOUT;
	}
	fake->records++;
	kind = fuzz_take_byte(&fake->input) % CLIENT_RECORD_KINDS;
	if (kind < CLIENT_ANY_TYPE) {
		serve_message(fake, reply_types[kind]);
	} else if (kind == CLIENT_ANY_TYPE) {
		serve_message(fake, fuzz_take_u16(&fake->input));
	} else if (kind == CLIENT_RAW_REPORT) {
		length = fuzz_take_bytes(&fake->input, WIRE_REPORT_SIZE, &bytes);
		memset(report, 0, WIRE_REPORT_SIZE);
		memcpy(report, bytes, length);
		return TRANSPORT_OK;
	} else {
		transport_set_error(transport, "the input failed this read");
		return read_failures[fuzz_take_byte(&fake->input) %
				     (sizeof(read_failures) / sizeof(read_failures[0]))];
	}
	return fake_read(transport, report, timeout_ms);
}

static void fake_close(struct transport *transport)
{
	struct fake_device *fake = (struct fake_device *)transport;

	wire_reader_reset(&fake->host);
}

static const struct transport_ops fake_ops = {
	.write_report = fake_write, .read_report = fake_read, .close = fake_close,
	.forget = fake_close,
};

/* ---- the person: answers chosen by the input ------------------------------ */

struct person {
	unsigned pin, passphrase;
	unsigned buttons;
};

static void on_button(void *context, enum trezor_wait wait)
{
	(void)wait;
	((struct person *)context)->buttons++;
}

static enum trezor_status on_pin(void *context, char pin[TREZOR_PIN_MAX + 1], char *error,
				 size_t error_size)
{
	switch (((struct person *)context)->pin) {
	case 1:
		snprintf(pin, TREZOR_PIN_MAX + 1, "%s", PIN_GIVEN);
		return TREZOR_OK;
	case 2:
		snprintf(error, error_size, "the person refused to give the PIN");
		return TREZOR_ERR_CANCELLED;
	default:
		snprintf(error, error_size, "nobody can give the PIN");
		return TREZOR_ERR_NEEDS_INPUT;
	}
}

static enum trezor_status on_passphrase(void *context, bool device_can,
					char passphrase[TREZOR_PASSPHRASE_MAX + 1],
					bool *on_device, char *error, size_t error_size)
{
	switch (((struct person *)context)->passphrase) {
	case 1:
		snprintf(passphrase, TREZOR_PASSPHRASE_MAX + 1, "%s", PASSPHRASE_GIVEN);
		return TREZOR_OK;
	case 2:
		*on_device = device_can;
		if (!device_can)
			snprintf(passphrase, TREZOR_PASSPHRASE_MAX + 1, "%s", PASSPHRASE_GIVEN);
		return TREZOR_OK;
	default:
		snprintf(error, error_size, "the person refused to give the passphrase");
		return TREZOR_ERR_CANCELLED;
	}
}

/* ---- the conversations ------------------------------------------------------ */

static void check_text(const char *text, size_t size)
{
	FUZZ_CHECK(fuzz_is_one_line(text, size));
}

/* Whatever Features said, what the module kept is within its bounds. */
static void check_features(const struct trezor_features *features)
{
	check_text(features->vendor, sizeof(features->vendor));
	check_text(features->device_id, sizeof(features->device_id));
	check_text(features->label, sizeof(features->label));
	check_text(features->model, sizeof(features->model));
	check_text(features->internal_model, sizeof(features->internal_model));
	FUZZ_CHECK(features->session_id_len <= sizeof(features->session_id));
}

static void check_ending(struct trezor_device *device, enum trezor_status status)
{
	FUZZ_CHECK(strcmp(trezor_status_name(status), "unknown") != 0);
	check_text(device->error, sizeof(device->error));
	if (status != TREZOR_OK)
		FUZZ_CHECK(device->error[0] != '\0');
	check_features(&device->features);
}

static void check_usable(const struct trezor_device *device, enum trezor_status status)
{
	if (status == TREZOR_OK)
		FUZZ_CHECK(device->features.initialized && !device->features.bootloader_mode);
}

static void alice(enum key_curve curve, struct identity *identity, uint8_t key[KEY_POINT_MAX])
{
	const char *hex = curve == KEY_CURVE_ED25519 ? alice_ed25519_hex : alice_key_hex;
	char error[256];
	unsigned value;
	size_t i;

	FUZZ_CHECK(identity_parse("alice@example.com", identity, error, sizeof(error)));
	snprintf(identity->proto, sizeof(identity->proto), curve == KEY_CURVE_ED25519 ? "ssh" : "gpg");
	for (i = 0; i < curve_key_size(curve); i++) {
		FUZZ_CHECK(sscanf(hex + 2 * i, "%2x", &value) == 1);
		key[i] = (uint8_t)value;
	}
}

/* A key from the device keeps trezor.h's promise for its curve. */
static void check_key(enum key_curve curve, const uint8_t key[KEY_POINT_MAX])
{
	uint8_t compressed[EC_COMPRESSED_SIZE];

	if (curve == KEY_CURVE_ED25519)
		FUZZ_CHECK(ed25519_key_usable(key));
	else
		FUZZ_CHECK(key[0] == 0x04 && ec_p256_compress(key, compressed));
}

static bool signature_valid(enum key_curve curve, const uint8_t key[KEY_POINT_MAX],
			    const uint8_t *message, size_t length, const uint8_t *signature)
{
	if (curve == KEY_CURVE_ED25519)
		return ed25519_verify(key, message, length, signature);
	return ec_p256_verify_digest(key, message, signature);
}

static enum trezor_status talk(struct trezor_device *device, unsigned which,
			       enum key_curve curve)
{
	struct identity identity;
	uint8_t expected[KEY_POINT_MAX], key[KEY_POINT_MAX];
	uint8_t message[40], signature[KEY_SIGNATURE_SIZE];
	size_t length = curve == KEY_CURVE_ED25519 ? sizeof(message) : EC_DIGEST_SIZE;
	enum trezor_status status = TREZOR_OK;
	size_t i;

	alice(curve, &identity, expected);
	for (i = 0; i < sizeof(message); i++)
		message[i] = (uint8_t)(0xa0 + i);
	switch (which) {
	case CLIENT_INITIALIZE:
		status = trezor_initialize(device);
		check_usable(device, status);
		break;
	case CLIENT_GET_FEATURES:
		status = trezor_get_features(device);
		check_usable(device, status);
		break;
	case CLIENT_GET_PUBLIC_KEY:
		status = trezor_get_public_key(device, &identity, curve, key);
		if (status == TREZOR_OK)
			check_key(curve, key);
		break;
	case CLIENT_SIGN:
		status = trezor_sign_identity(device, &identity, curve, expected, message, length,
					      "fuzz", signature);
		if (status == TREZOR_OK)
			FUZZ_CHECK(signature_valid(curve, expected, message, length, signature));
		if (status == TREZOR_ERR_KEY_MISMATCH)
			check_key(curve, trezor_mismatched_key(device));
		break;
	case CLIENT_CANCEL:
		status = trezor_cancel(device);
		break;
	}
	return status;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fake_device fake;
	struct person person;
	struct trezor_prompts prompts = { .context = &person };
	struct trezor_device *device;
	uint8_t choice, conversations;
	enum key_curve curve;
	unsigned which;

	memset(&fake, 0, sizeof(fake));
	memset(&person, 0, sizeof(person));
	fake.base.ops = &fake_ops;
	snprintf(fake.base.path, sizeof(fake.base.path), "fuzz:input");
	fake.input.data = data;
	fake.input.size = size;
	wire_reader_init(&fake.host);

	choice = fuzz_take_byte(&fake.input);
	person.pin = choice & 3;
	person.passphrase = (choice >> 2) & 3;
	prompts.pin = person.pin != 0 ? on_pin : NULL;
	prompts.passphrase = person.passphrase != 0 ? on_passphrase : NULL;
	prompts.button = choice & CLIENT_BUTTON_CALLBACK ? on_button : NULL;
	fake.failing_report = choice >> 5;
	conversations = fuzz_take_byte(&fake.input);
	curve = conversations & CLIENT_ED25519 ? KEY_CURVE_ED25519 : KEY_CURVE_NIST256P1;
	conversations &= CLIENT_ALL;
	if (conversations == 0)
		conversations = CLIENT_ALL;

	device = trezor_device_new(&fake.base);
	FUZZ_CHECK(device != NULL);
	device->prompts = &prompts;
	for (which = CLIENT_INITIALIZE; which <= CLIENT_CANCEL; which <<= 1) {
		if (!(conversations & which))
			continue;
		fake.sends = 0;
		check_ending(device, talk(device, which, curve));
	}
	trezor_close(device);
	fuzz_check_stdout();
	return 0;
}

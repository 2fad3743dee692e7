/*
 * The simulator's fault modes (sim_fault.h), first on its state machine,
 * then through the trezor-sim binary over UDP (the module's codec and
 * transport, never its device logic), with the binary's own behaviour:
 * PINGPING, the last writer, SIGUSR1, the debug link's socket.
 */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ec.h"
#include "helpers.h"
#include "messages.h"
#include "sim_driver.h"
#include "sim_thp.h"
#include "transport.h"
#include "trezor.pb-c.h"

/* ---- faults ---------------------------------------------------------------- */

#define GPG_VECTOR_R "9a9c40ff057fc0378f6b607df35052c781990063783f7b4efbe979ee565e6a94"
#define GPG_VECTOR_S "2cffe25bdfde710d9c3486f2b647007614df2af87d18847e1c64464ed4d1ef03"
#define ZERO_32 "0000000000000000000000000000000000000000000000000000000000000000"
#define GROUP_ORDER "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"

/* A Trezor One with this fault, a session open (Features spoil no key request). */
static void start_faulty(enum sim_fault_mode fault, int after, int count)
{
	struct sim_options options = sim_test_options(MNEMONIC_ALL, SIM_MODEL_ONE);

	options.fault = fault;
	options.fault_after = after;
	options.fault_for = count;
	start_with(&options);
	initialize_ok();
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
			 "sig-s-high, sig-other-key, other-key, endless-buttons, thp-bad-crc, "
			 "thp-bad-tag, thp-wrong-channel, thp-no-ack, thp-busy, thp-unallocated, "
			 "thp-bad-nonce, thp-endless-handshake, thp-bad-secret");
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
	int i;

	start_faulty(SIM_FAULT_ENDLESS_BUTTONS, 0, 1);
	sign_alice();
	for (i = 0; i < 40; i++) {
		assert_button_request(TZ__BUTTON_REQUEST_TYPE__ButtonRequest_ProtectCall);
		press_button();
	}
	cancel();
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

/* ---- any input ---------------------------------------------------------------- */

/* A small LCG: the same "random" reports on every run. */
static uint32_t next_random(uint32_t *state)
{
	*state = *state * 1103515245u + 12345u;
	return *state >> 8;
}

/* A report that is mostly a valid start: a known type, a length, random bytes. */
static void random_report(uint32_t *state, uint8_t report[WIRE_REPORT_SIZE])
{
	static const uint16_t types[] = { 0, 1, 11, 17, 19, 20, 24, 26, 27, 29, 42, 53, 55, 61,
					  83, 100, 101, 999 };
	uint32_t shape = next_random(state) % 8;
	size_t i;

	for (i = 0; i < WIRE_REPORT_SIZE; i++)
		report[i] = (uint8_t)next_random(state);
	if (shape < 6) {
		uint32_t length = shape < 4 ? next_random(state) % 80 : next_random(state);
		uint16_t type = types[next_random(state) % (sizeof(types) / sizeof(types[0]))];

		memcpy(report, "?##", 3);
		report[3] = (uint8_t)(type >> 8);
		report[4] = (uint8_t)type;
		report[5] = (uint8_t)(length >> 24);
		report[6] = (uint8_t)(length >> 16);
		report[7] = (uint8_t)(length >> 8);
		report[8] = (uint8_t)length;
	} else if (shape == 6) {
		report[0] = '?';                /* a following report */
	}
}

/*
 * Every model, with every question possible (PIN, passphrase, the debug
 * link, the person saying no now and then), takes thousands of random and
 * half-valid reports on both interfaces without failing (the sanitizer build
 * checks memory), and answers a plain request afterwards.
 */
START_TEST(survives_random_reports)
{
	static const enum sim_model models[] = { SIM_MODEL_ONE, SIM_MODEL_T, SIM_MODEL_SAFE_5,
						 SIM_MODEL_SAFE_7 };
	struct sim_options options = sim_test_options(MNEMONIC_ALL, SIM_MODEL_ONE);
	uint8_t report[WIRE_REPORT_SIZE], packet[SIM_THP_PACKET];
	uint32_t state = 20260101;
	size_t m;
	int i;

	options.pin = "1234";
	options.passphrase_protection = true;
	options.debuglink = true;
	options.decline_after = 3;
	options.matrix_seed_set = true;
	for (m = 0; m < sizeof(models) / sizeof(models[0]); m++) {
		options.model = models[m];
		start_with(&options);
		for (i = 0; i < 20000; i++) {
			random_report(&state, report);
			sim_device_clear_outbox(&device);
			sim_device_receive(&device, next_random(&state) % 4 == 0, report, i);
			while (sim_thp_take_packet(&device, packet))
				;               /* a Safe 7's THP packets */
			if (i % 997 == 0)
				device.protect.unlocked = true;         /* reach past the PIN */
		}
		sim_device_restart(&device);
		get_features();
		if (models[m] == SIM_MODEL_SAFE_7) {
			/* Codec v1 gets THP's one answer to it. */
			ck_assert(sim_thp_take_packet(&device, packet));
			ck_assert_mem_eq(packet, "?##\x00\x03\x00\x00\x00\x02\x08\x11", 11);
		} else {
			ck_assert_uint_eq(device.outbox_count, 1);
		}
		stop_device();
	}
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

/* A request through the module's transport; its reply must be of this type. */
static void call(struct transport *transport, uint16_t type, const ProtobufCMessage *message,
		 uint16_t reply_type, struct wire_message *reply)
{
	uint8_t payload[256];
	size_t length = protobuf_c_message_pack(message, payload);

	ck_assert_int_eq(transport_send_message(transport, type, payload, length), TRANSPORT_OK);
	ck_assert_int_eq(transport_receive_message(transport, reply, 2000), TRANSPORT_OK);
	ck_assert_uint_eq(reply->type, reply_type);
}

static void call_and_free(struct transport *transport, uint16_t type,
			  const ProtobufCMessage *message, uint16_t reply_type)
{
	struct wire_message reply;

	call(transport, type, message, reply_type, &reply);
	wire_message_free(&reply);
}

static struct transport *open_transport(const char *path)
{
	struct transport *transport;
	char error[256];

	ck_assert_int_eq(transport_open(path, 1000, &transport, error, sizeof(error)),
			 TRANSPORT_OK);
	return transport;
}

/* alice's gpg SignIdentity, pressed; the reply's type must be reply_type. */
static void sign_alice_over(struct transport *transport, uint16_t reply_type,
			    struct wire_message *reply)
{
	Tz__SignIdentity request = TZ__SIGN_IDENTITY__INIT;
	Tz__IdentityType identity = TZ__IDENTITY_TYPE__INIT;
	Tz__ButtonAck ack = TZ__BUTTON_ACK__INIT;
	uint8_t challenge[32];

	gpg_challenge(challenge);
	identity.proto = (char *)"gpg";
	identity.user = (char *)"alice";
	identity.host = (char *)"example.com";
	request.identity = &identity;
	request.has_challenge_hidden = true;
	request.challenge_hidden.data = challenge;
	request.challenge_hidden.len = 32;
	request.ecdsa_curve_name = (char *)"nist256p1";
	call_and_free(transport, MSG_SIGN_IDENTITY, &request.base, MSG_BUTTON_REQUEST);
	call(transport, MSG_BUTTON_ACK, &ack.base, reply_type, reply);
}

START_TEST(binary_signs_gpg_vector)
{
	struct transport *transport = open_transport(process.path);
	Tz__Initialize initialize_request = TZ__INITIALIZE__INIT;
	Tz__SignedIdentity *answer;
	struct wire_message reply;

	call_and_free(transport, MSG_INITIALIZE, &initialize_request.base, MSG_FEATURES);
	sign_alice_over(transport, MSG_SIGNED_IDENTITY, &reply);
	answer = tz__signed_identity__unpack(NULL, reply.length, reply.payload);
	ck_assert_ptr_nonnull(answer);
	assert_bytes(&answer->public_key, GPG_VECTOR_KEY);
	assert_bytes(&answer->signature, GPG_VECTOR_SIGNATURE);
	tz__signed_identity__free_unpacked(answer, NULL);
	wire_message_free(&reply);
	transport_close(transport);
	ck_assert_int_eq(sim_process_count(&process, "trezor-sim: <- SignIdentity"), 1);
	ck_assert_int_eq(sim_process_count(&process, "trezor-sim: -> SignedIdentity"), 1);
	ck_assert_int_eq(sim_process_count(&process, "trezor-sim: session started (1 open)"), 1);
	ck_assert_int_eq(sim_process_count(&process, "trezor-sim: seed derived"), 1);
}
END_TEST

/* SIGUSR1 is a power cycle: the session is gone, and so InvalidSession after the button. */
START_TEST(binary_restart_drops_sessions)
{
	struct transport *transport = open_transport(process.path);
	Tz__Initialize initialize_request = TZ__INITIALIZE__INIT;
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	struct wire_message reply;
	Tz__Failure *failure;
	int tries;

	call_and_free(transport, MSG_INITIALIZE, &initialize_request.base, MSG_FEATURES);
	ck_assert_int_eq(kill(process.pid, SIGUSR1), 0);
	for (tries = 0; tries < 250 && sim_process_count(&process, "trezor-sim: restarted") == 0;
	     tries++)
		nanosleep(&pause, NULL);
	ck_assert_int_eq(sim_process_count(&process, "trezor-sim: restarted"), 1);
	sign_alice_over(transport, MSG_FAILURE, &reply);
	failure = tz__failure__unpack(NULL, reply.length, reply.payload);
	ck_assert_ptr_nonnull(failure);
	ck_assert_int_eq(failure->code, TZ__FAILURE_TYPE__Failure_InvalidSession);
	ck_assert_str_eq(failure->message, "Invalid session");
	tz__failure__free_unpacked(failure, NULL);
	wire_message_free(&reply);
	transport_close(transport);
}
END_TEST

/* The emulator takes datagrams of 63 and 65 bytes as reports; others are ignored. */
START_TEST(binary_takes_odd_datagrams)
{
	uint8_t report[WIRE_REPORT_SIZE + 1] = { 0 }, buffer[128];
	int fd = udp_socket_to(process.port);

	wire_encode_report(MSG_PING, NULL, 0, 0, report);
	ck_assert_int_eq(send(fd, report, 65, 0), 65);
	ck_assert_int_eq(receive_within(fd, buffer, sizeof(buffer), 2000), WIRE_REPORT_SIZE);
	ck_assert_mem_eq(buffer, "?##\x00\x02", 5);
	ck_assert_int_eq(send(fd, report, 63, 0), 63);
	ck_assert_int_eq(receive_within(fd, buffer, sizeof(buffer), 2000), WIRE_REPORT_SIZE);
	ck_assert_mem_eq(buffer, "?##\x00\x02", 5);
	ck_assert_int_eq(send(fd, report, 20, 0), 20);
	ck_assert_int_eq(receive_within(fd, buffer, sizeof(buffer), 200), -1);
	close(fd);
	ck_assert_int_eq(sim_process_count(&process, "trezor-sim: <- Ping"), 2);
	ck_assert_int_eq(sim_process_count(&process, "ignored a 20-byte datagram"), 1);
}
END_TEST

/* --debuglink: the debug link on the next port, named on stderr. */
START_TEST(binary_debuglink_port)
{
	static const char *const args[] = { "--debuglink", NULL };
	Tz__DebugLinkGetState request = TZ__DEBUG_LINK_GET_STATE__INIT;
	Tz__DebugLinkState *state;
	struct transport *debug;
	struct wire_message reply;
	char path[64], line[64];

	sim_process_start(&process, args);
	snprintf(line, sizeof(line), "debuglink on 127.0.0.1:%d", process.port + 1);
	ck_assert_int_eq(sim_process_count(&process, line), 1);
	snprintf(path, sizeof(path), "udp:127.0.0.1:%d", process.port + 1);
	debug = open_transport(path);
	call(debug, MSG_DEBUG_LINK_GET_STATE, &request.base, MSG_DEBUG_LINK_STATE, &reply);
	state = tz__debug_link_state__unpack(NULL, reply.length, reply.payload);
	ck_assert_ptr_nonnull(state);
	ck_assert_str_eq(state->matrix, "XXXXXXXXX");
	tz__debug_link_state__free_unpacked(state, NULL);
	wire_message_free(&reply);
	transport_close(debug);
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

static Suite *faults_suite(void)
{
	Suite *suite = suite_create("sim faults");
	TCase *faults = tcase_create("faults");
	TCase *binary = tcase_create("binary");
	TCase *faulty_binary = tcase_create("faulty binary");

	tcase_add_test(faults, fault_occasions);
	tcase_add_test(faults, framing_faults);
	tcase_add_test(faults, wrong_type_replies);
	tcase_add_test(faults, off_curve_keys_for_a_while);
	tcase_add_test(faults, signature_faults);
	tcase_add_test(faults, signed_by_another_key);
	tcase_add_test(faults, endless_buttons_until_cancelled);
	tcase_add_test(faults, long_failure_text);
	tcase_add_test(faults, survives_random_reports);
	tcase_add_checked_fixture(binary, start_process, stop_process);
	tcase_add_test(binary, binary_answers_ping);
	tcase_add_test(binary, binary_signs_gpg_vector);
	tcase_add_test(binary, binary_answers_last_writer);
	tcase_add_test(binary, binary_restart_drops_sessions);
	tcase_add_test(binary, binary_takes_odd_datagrams);
	tcase_add_checked_fixture(faulty_binary, NULL, stop_process);
	tcase_add_test(faulty_binary, binary_silence_still_pongs);
	tcase_add_test(faulty_binary, binary_disconnect_vanishes);
	tcase_add_test(faulty_binary, binary_fault_for_heals);
	tcase_add_test(faulty_binary, binary_debuglink_port);
	suite_add_tcase(suite, faults);
	suite_add_tcase(suite, binary);
	suite_add_tcase(suite, faulty_binary);
	return suite;
}

int main(void)
{
	return run_suite(faults_suite());
}

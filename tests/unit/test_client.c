/*
 * The device client (module/trezor.c) against the simulator binary, and
 * against small hostile devices played by a thread of this test: garbage,
 * silence, a Safe 7, bootloader mode, endless button requests.
 */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "helpers.h"
#include "messages.h"
#include "text.h"
#include "trezor.h"
#include "trezor.pb-c.h"
#include "trezor_call.h"

#define GPG_ALICE_KEY "04b9afc638371743324c09dc8136847a0478e9f26a3dfcc0b9923f4bcbdcf93fdb" \
		      "faefbe4fc8425d3abb485c25895f0ea467d64e589f03051a8a511e64194ca61c"
#define GPG_ALICE_SIGNATURE "9a9c40ff057fc0378f6b607df35052c781990063783f7b4efbe979ee565e6a94" \
			    "2cffe25bdfde710d9c3486f2b647007614df2af87d18847e1c64464ed4d1ef03"
#define SSH_ALICE_KEY_COMPRESSED "0369b2c77f97a1cd81e520ed4b56d55239890776bd5674ad00ad4ddcb3b3287be2"

static struct sim_process sim;
static struct trezor_device *device;

/* Button presses seen, and what to do to the simulator at the first one. */
static int buttons_seen;
static enum trezor_wait last_wait;
static int signal_at_button;

static void on_button(void *context, enum trezor_wait wait)
{
	(void)context;
	buttons_seen++;
	last_wait = wait;
	if (signal_at_button != 0) {
		kill(sim.pid, signal_at_button);
		if (signal_at_button == SIGKILL) {
			waitpid(sim.pid, NULL, 0);
			sim.pid = 0;
		}
	}
}

static const struct trezor_prompts prompts = { .button = on_button };

static void open_device(const char *path)
{
	char error[256] = "";

	ck_assert_msg(trezor_open(path, &device, error, sizeof(error)) == TREZOR_OK, "%s", error);
	device->prompts = &prompts;
	buttons_seen = 0;
	signal_at_button = 0;
}

/* A simulator and a device open on it, with a session: a host starts with Initialize. */
static void start_sim(const char *const *args)
{
	sim_process_start(&sim, args);
	open_device(sim.path);
	ck_assert_int_eq(trezor_initialize(device), TREZOR_OK);
}

static void stop_all(void)
{
	trezor_close(device);
	device = NULL;
	if (sim.pid > 0 && signal_at_button == SIGSTOP)
		kill(sim.pid, SIGCONT);
	sim_process_stop(&sim);
}

static void parse(const char *text, const char *proto, struct identity *id)
{
	char error[256];

	ck_assert(identity_parse(text, id, error, sizeof(error)));
	snprintf(id->proto, sizeof(id->proto), "%s", proto);
}

static void alice_key(uint8_t key[EC_UNCOMPRESSED_SIZE])
{
	hex_to_bytes(GPG_ALICE_KEY, key, EC_UNCOMPRESSED_SIZE);
}

static void gpg_challenge(uint8_t digest[32])
{
	int i;

	for (i = 0; i < 32; i++)
		digest[i] = (uint8_t)(0xa0 + i);
}

START_TEST(reads_features)
{
	static const char *const args[] = { "--model", "T", "--label", "Work Trezor",
					    "--device-id", "0123456789ABCDEF01234567", NULL };
	const struct trezor_features *features;

	start_sim(args);
	ck_assert_int_eq(trezor_initialize(device), TREZOR_OK);
	features = &device->features;
	ck_assert_str_eq(features->vendor, "trezor.io");
	ck_assert_uint_eq(features->major_version, 2);
	ck_assert_uint_eq(features->minor_version, 12);
	ck_assert_uint_eq(features->patch_version, 5);
	ck_assert_str_eq(features->label, "Work Trezor");
	ck_assert_str_eq(features->device_id, "0123456789ABCDEF01234567");
	ck_assert_str_eq(features->model, "T");
	ck_assert_str_eq(features->internal_model, "T2T1");
	ck_assert(features->passphrase_entry);
	ck_assert(features->initialized && features->unlocked && !features->bootloader_mode);
	ck_assert(!features->pin_protection && !features->passphrase_protection);
	ck_assert_uint_eq(features->session_id_len, 32);
}
END_TEST

START_TEST(public_key_of_alice)
{
	struct identity id;
	uint8_t key[EC_UNCOMPRESSED_SIZE], expected[EC_UNCOMPRESSED_SIZE];

	start_sim(NULL);
	parse("alice@example.com", "gpg", &id);
	ck_assert_int_eq(trezor_get_public_key(device, &id, KEY_CURVE_NIST256P1, key), TREZOR_OK);
	alice_key(expected);
	ck_assert_mem_eq(key, expected, sizeof(key));
	ck_assert_int_eq(buttons_seen, 0);      /* silent on the device */
	ck_assert_int_eq(sim_process_count(&sim, "<- GetPublicKey"), 1);
}
END_TEST

START_TEST(signs_and_openssl_verifies)
{
	struct identity id;
	uint8_t key[EC_UNCOMPRESSED_SIZE], digest[32], signature[64], expected[64];

	start_sim(NULL);
	parse("alice@example.com", "gpg", &id);
	alice_key(key);
	gpg_challenge(digest);
	ck_assert_int_eq(trezor_sign_identity(device, &id, KEY_CURVE_NIST256P1, key, digest, sizeof(digest), "ssh: alice@example.com",
					      signature), TREZOR_OK);
	hex_to_bytes(GPG_ALICE_SIGNATURE, expected, sizeof(expected));
	ck_assert_mem_eq(signature, expected, sizeof(signature));
	ck_assert(ec_p256_verify_digest(key, digest, signature));
	ck_assert_int_eq(buttons_seen, 1);
	ck_assert_int_eq(last_wait, TREZOR_WAIT_CONFIRM);      /* ButtonRequest ProtectCall */
}
END_TEST

/* A core model asks with ButtonRequest Other: a confirmation all the same. */
START_TEST(core_model_button_code)
{
	static const char *const args[] = { "--model", "Safe 5", NULL };
	struct identity id;
	uint8_t key[EC_UNCOMPRESSED_SIZE], digest[32], signature[64];

	start_sim(args);
	parse("alice@example.com", "gpg", &id);
	alice_key(key);
	gpg_challenge(digest);
	ck_assert_int_eq(trezor_sign_identity(device, &id, KEY_CURVE_NIST256P1, key, digest, sizeof(digest), NULL, signature),
			 TREZOR_OK);
	ck_assert_int_eq(last_wait, TREZOR_WAIT_CONFIRM);
}
END_TEST

START_TEST(refusal_is_cancelled)
{
	static const char *const args[] = { "--decline", NULL };
	struct identity id;
	uint8_t key[EC_UNCOMPRESSED_SIZE], digest[32], signature[64];

	start_sim(args);
	parse("alice@example.com", "gpg", &id);
	alice_key(key);
	gpg_challenge(digest);
	memset(signature, 0x55, sizeof(signature));
	ck_assert_int_eq(trezor_sign_identity(device, &id, KEY_CURVE_NIST256P1, key, digest, sizeof(digest), NULL, signature),
			 TREZOR_ERR_CANCELLED);
	ck_assert_str_eq(device->error, "cancelled on the Trezor: Action cancelled by user");
	ck_assert_uint_eq(device->failure_code, TZ__FAILURE_TYPE__Failure_ActionCancelled);
	ck_assert_uint_eq(signature[0], 0x55);
	/* The device is ready for the next request. */
	ck_assert_int_eq(trezor_initialize(device), TREZOR_OK);
}
END_TEST

START_TEST(only_gpg_identities_sign)
{
	struct identity id;
	uint8_t key[EC_UNCOMPRESSED_SIZE], digest[32] = { 1 }, signature[64];

	start_sim(NULL);
	parse("alice@example.com", "ssh", &id);
	alice_key(key);
	ck_assert_int_eq(trezor_sign_identity(device, &id, KEY_CURVE_NIST256P1, key, digest, sizeof(digest), NULL, signature),
			 TREZOR_ERR_ARGUMENT);
	ck_assert_str_eq(device->error, "only gpg:// identities sign a 32-byte digest");
	ck_assert_int_eq(sim_process_count(&sim, "<- SignIdentity"), 0);
}
END_TEST

START_TEST(other_key_is_a_mismatch)
{
	struct identity id;
	uint8_t compressed[33], other[EC_UNCOMPRESSED_SIZE], digest[32], signature[64];

	start_sim(NULL);
	parse("alice@example.com", "gpg", &id);
	hex_to_bytes(SSH_ALICE_KEY_COMPRESSED, compressed, sizeof(compressed));
	ck_assert(ec_p256_decompress(compressed, other));
	gpg_challenge(digest);
	memset(signature, 0x55, sizeof(signature));
	ck_assert_int_eq(trezor_sign_identity(device, &id, KEY_CURVE_NIST256P1, other, digest, sizeof(digest), NULL, signature),
			 TREZOR_ERR_KEY_MISMATCH);
	ck_assert_str_eq(device->error, "the Trezor signed with another key than the one listed "
					"(another seed or passphrase?)");
	ck_assert_uint_eq(signature[0], 0x55);
	/* The key to learn is the device's answer to GetPublicKey. */
	alice_key(other);
	ck_assert_mem_eq(trezor_mismatched_key(device), other, EC_UNCOMPRESSED_SIZE);
	ck_assert_int_eq(sim_process_count(&sim, "<- GetPublicKey"), 1);
}
END_TEST

START_TEST(back_in_step_after_a_spoilt_answer)
{
	/* The first answer of several reports (Initialize's Features) is spared. */
	static const char *const spoilt[] = { "--fault", "bad-magic", "--fault-after", "1",
					      "--fault-for", "1", NULL };
	struct identity id;
	uint8_t key[EC_UNCOMPRESSED_SIZE], expected[EC_UNCOMPRESSED_SIZE];

	start_sim(spoilt);
	parse("alice@example.com", "gpg", &id);
	ck_assert_int_eq(trezor_get_public_key(device, &id, KEY_CURVE_NIST256P1, key), TREZOR_ERR_PROTOCOL);
	ck_assert_str_eq(device->error, "the device sent garbage: report in the middle of a "
					"message does not start with \"?\"");
	ck_assert(device->out_of_step);
	/* The rest of the spoilt PublicKey is still on its way: Cancel, a Ping,
	 * and all before its echo is dropped; then the request. */
	ck_assert_int_eq(trezor_get_public_key(device, &id, KEY_CURVE_NIST256P1, key), TREZOR_OK);
	alice_key(expected);
	ck_assert_mem_eq(key, expected, sizeof(key));
	ck_assert(!device->out_of_step);
	ck_assert_int_eq(sim_process_count(&sim, "<- Cancel"), 1);
	ck_assert_int_eq(sim_process_count(&sim, "<- Ping"), 1);
	ck_assert_int_eq(sim_process_count(&sim, "<- GetPublicKey"), 2);
	/* In step, nothing more is sent. */
	ck_assert_int_eq(trezor_get_public_key(device, &id, KEY_CURVE_NIST256P1, key), TREZOR_OK);
	ck_assert_int_eq(sim_process_count(&sim, "<- Ping"), 1);
}
END_TEST

START_TEST(signer_contradicting_itself)
{
	static const char *const lying[] = { "--fault", "other-key", NULL };
	struct identity id;
	uint8_t key[EC_UNCOMPRESSED_SIZE], digest[32], signature[64], untouched[64];
	size_t i;

	start_sim(lying);
	parse("alice@example.com", "gpg", &id);
	alice_key(key);
	gpg_challenge(digest);
	memset(signature, 0x55, sizeof(signature));
	memset(untouched, 0x55, sizeof(untouched));
	/* The SignedIdentity names another key; GetPublicKey names alice's. */
	ck_assert_int_eq(trezor_sign_identity(device, &id, KEY_CURVE_NIST256P1, key, digest, sizeof(digest), NULL, signature),
			 TREZOR_ERR_PROTOCOL);
	ck_assert_str_eq(device->error, "the Trezor signed with another key than its own key for "
					"this identity; the signature was discarded");
	ck_assert_mem_eq(signature, untouched, sizeof(signature));
	ck_assert_int_eq(sim_process_count(&sim, "<- GetPublicKey"), 1);
	for (i = 0; i < EC_UNCOMPRESSED_SIZE; i++)
		ck_assert_uint_eq(trezor_mismatched_key(device)[i], 0);
}
END_TEST

START_TEST(killed_mid_conversation)
{
	struct identity id;
	uint8_t key[EC_UNCOMPRESSED_SIZE], digest[32], signature[64];

	start_sim(NULL);
	parse("alice@example.com", "gpg", &id);
	alice_key(key);
	gpg_challenge(digest);
	signal_at_button = SIGKILL;
	/* Waiting for the person instead would outlast the test's time limit. */
	ck_assert_int_eq(trezor_sign_identity(device, &id, KEY_CURVE_NIST256P1, key, digest, sizeof(digest), NULL, signature),
			 TREZOR_ERR_GONE);
	ck_assert_msg(strncmp(device->error, "the Trezor went away (nothing answers at udp:", 45) == 0,
		      "%s", device->error);
}
END_TEST

START_TEST(frozen_mid_conversation)
{
	struct identity id;
	uint8_t key[EC_UNCOMPRESSED_SIZE], digest[32], signature[64];
	int64_t started, elapsed;
	char expected[128];

	start_sim(NULL);
	parse("alice@example.com", "gpg", &id);
	alice_key(key);
	gpg_challenge(digest);
	signal_at_button = SIGSTOP;
	started = clock_monotonic_ms();
	ck_assert_int_eq(trezor_sign_identity(device, &id, KEY_CURVE_NIST256P1, key, digest, sizeof(digest), NULL, signature),
			 TREZOR_ERR_GONE);
	elapsed = clock_monotonic_ms() - started;
	/* Not before one second of silence and five of unanswered ping. */
	ck_assert_int_ge(elapsed, 5900);
	snprintf(expected, sizeof(expected),
		 "the Trezor went away (the device at %s stopped answering)", sim.path);
	ck_assert_str_eq(device->error, expected);
}
END_TEST

START_TEST(nothing_listening)
{
	char path[64], error[256];
	struct trezor_device *none = NULL;

	sim_process_start(&sim, NULL);
	snprintf(path, sizeof(path), "%s", sim.path);
	sim_process_stop(&sim);
	ck_assert_int_eq(trezor_open(path, &none, error, sizeof(error)), TREZOR_ERR_GONE);
	ck_assert_ptr_null(none);
	ck_assert_str_eq(error + strlen("nothing answers at "), path);
	ck_assert_int_eq(trezor_open("usb:1", &none, error, sizeof(error)), TREZOR_ERR_TRANSPORT);
	ck_assert_str_eq(error, "unknown device path \"usb:1\" (expected webusb:BUS:ADDR, "
				"hid:BUS:ADDR, udp:HOST:PORT or bridge:PATH)");
	ck_assert_int_eq(trezor_open("udp:127.0.0.1:99999", &none, error, sizeof(error)),
			 TREZOR_ERR_TRANSPORT);
	ck_assert_str_eq(error, "bad UDP device path \"udp:127.0.0.1:99999\" "
				"(expected udp:HOST:PORT)");
}
END_TEST

START_TEST(cancel_is_acknowledged)
{
	start_sim(NULL);
	ck_assert_int_eq(trezor_cancel(device), TREZOR_OK);
	ck_assert_int_eq(sim_process_count(&sim, "<- Cancel"), 1);
}
END_TEST

/* ---- hostile devices played by a thread ----------------------------------- */

enum fake_mode {
	FAKE_GARBAGE,
	FAKE_SILENT,
	FAKE_SAFE7,
	FAKE_BOOTLOADER,
	FAKE_NOT_INITIALIZED,
	FAKE_ENDLESS_BUTTON,
	FAKE_WRONG_TYPE,
	FAKE_BAD_POINT,
	FAKE_LONG_FAILURE,
};

static struct {
	int fd;
	int port;
	enum fake_mode mode;
	atomic_bool stop;
	pthread_t thread;
} fake;

static void fake_send(const struct sockaddr_in *to, uint16_t type, const ProtobufCMessage *message)
{
	uint8_t payload[512], report[WIRE_REPORT_SIZE];
	size_t length = protobuf_c_message_pack(message, payload), i;

	for (i = 0; i < wire_report_count(length); i++) {
		wire_encode_report(type, payload, length, i, report);
		sendto(fake.fd, report, sizeof(report), 0, (const struct sockaddr *)to, sizeof(*to));
	}
}

static void fake_features(const struct sockaddr_in *to, bool bootloader, bool initialized)
{
	Tz__Features features = TZ__FEATURES__INIT;

	features.major_version = 1;
	features.minor_version = 8;
	features.has_bootloader_mode = bootloader;
	features.bootloader_mode = bootloader;
	features.has_initialized = true;
	features.initialized = initialized;
	fake_send(to, MSG_FEATURES, &features.base);
}

static void fake_answer(const struct sockaddr_in *to)
{
	static const uint8_t safe7[11] = { '?', '#', '#', 0x00, 0x03, 0, 0, 0, 0x02, 0x08, 0x11 };
	uint8_t report[WIRE_REPORT_SIZE] = { 0 }, point[33];
	Tz__ButtonRequest button = TZ__BUTTON_REQUEST__INIT;
	Tz__Success success = TZ__SUCCESS__INIT;
	Tz__HDNodeType node = TZ__HDNODE_TYPE__INIT;
	Tz__PublicKey public_key = TZ__PUBLIC_KEY__INIT;
	Tz__Failure failure = TZ__FAILURE__INIT;
	char long_text[400];

	switch (fake.mode) {
	case FAKE_GARBAGE:
		memcpy(report, "garbage garbage garbage", 23);
		sendto(fake.fd, report, sizeof(report), 0, (const struct sockaddr *)to, sizeof(*to));
		break;
	case FAKE_SILENT:
		break;
	case FAKE_SAFE7:
		memcpy(report, safe7, sizeof(safe7));
		sendto(fake.fd, report, sizeof(report), 0, (const struct sockaddr *)to, sizeof(*to));
		break;
	case FAKE_BOOTLOADER:
		fake_features(to, true, false);
		break;
	case FAKE_NOT_INITIALIZED:
		fake_features(to, false, false);
		break;
	case FAKE_ENDLESS_BUTTON:
		fake_send(to, MSG_BUTTON_REQUEST, &button.base);
		break;
	case FAKE_WRONG_TYPE:
		fake_send(to, MSG_SUCCESS, &success.base);
		break;
	case FAKE_BAD_POINT:
		memset(point, 0xff, sizeof(point));
		point[0] = 0x02;
		node.chain_code.data = point;
		node.chain_code.len = 32;
		node.public_key.data = point;
		node.public_key.len = sizeof(point);
		public_key.node = &node;
		public_key.xpub = (char *)"xpub";
		fake_send(to, MSG_PUBLIC_KEY, &public_key.base);
		break;
	case FAKE_LONG_FAILURE:
		memset(long_text, 'x', sizeof(long_text) - 1);
		long_text[sizeof(long_text) - 1] = '\0';
		long_text[3] = '\n';
		failure.has_code = true;
		failure.code = TZ__FAILURE_TYPE__Failure_DataError;
		failure.message = long_text;
		fake_send(to, MSG_FAILURE, &failure.base);
		break;
	}
}

static void *fake_serve(void *unused)
{
	struct pollfd waiting = { .fd = fake.fd, .events = POLLIN };
	struct wire_reader reader;
	struct wire_message message;
	struct sockaddr_in from;
	socklen_t from_len;
	uint8_t data[128];
	ssize_t length;

	(void)unused;
	wire_reader_init(&reader);
	while (!atomic_load(&fake.stop)) {
		if (poll(&waiting, 1, 50) != 1)
			continue;
		from_len = sizeof(from);
		length = recvfrom(fake.fd, data, sizeof(data), 0, (struct sockaddr *)&from, &from_len);
		if (length == 8 && memcmp(data, "PINGPING", 8) == 0) {
			sendto(fake.fd, "PONGPONG", 8, 0, (struct sockaddr *)&from, from_len);
		} else if (length == WIRE_REPORT_SIZE &&
			   wire_reader_feed(&reader, data, WIRE_REPORT_SIZE) == WIRE_COMPLETE) {
			wire_reader_take(&reader, &message);
			wire_message_free(&message);
			fake_answer(&from);
		}
	}
	wire_reader_reset(&reader);
	return NULL;
}

static void start_fake(enum fake_mode mode)
{
	struct sockaddr_in address = { .sin_family = AF_INET };
	socklen_t length = sizeof(address);
	char path[64];

	address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fake.fd = socket(AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_ge(fake.fd, 0);
	ck_assert_int_eq(bind(fake.fd, (struct sockaddr *)&address, sizeof(address)), 0);
	ck_assert_int_eq(getsockname(fake.fd, (struct sockaddr *)&address, &length), 0);
	fake.port = ntohs(address.sin_port);
	fake.mode = mode;
	atomic_store(&fake.stop, false);
	ck_assert_int_eq(pthread_create(&fake.thread, NULL, fake_serve, NULL), 0);
	snprintf(path, sizeof(path), "udp:127.0.0.1:%d", fake.port);
	open_device(path);
}

static void stop_fake(void)
{
	trezor_close(device);
	device = NULL;
	atomic_store(&fake.stop, true);
	pthread_join(fake.thread, NULL);
	close(fake.fd);
}

START_TEST(garbage_is_a_protocol_error)
{
	start_fake(FAKE_GARBAGE);
	ck_assert_int_eq(trezor_initialize(device), TREZOR_ERR_PROTOCOL);
	ck_assert_str_eq(device->error,
			 "the device sent garbage: report does not start with the codec v1 magic");
	stop_fake();
}
END_TEST

START_TEST(silence_times_out)
{
	int64_t started;

	start_fake(FAKE_SILENT);
	device->reply_timeout_ms = 400;
	started = clock_monotonic_ms();
	ck_assert_int_eq(trezor_initialize(device), TREZOR_ERR_TIMEOUT);
	ck_assert_int_ge(clock_monotonic_ms() - started, 400);      /* not before its time */
	ck_assert_str_eq(device->error, "the Trezor did not answer Initialize in time");
	stop_fake();
}
END_TEST

/*
 * A device that answers codec v1 with Failure InvalidProtocol is spoken to
 * in THP from then on; this one speaks no THP either: a timeout, in time.
 */
START_TEST(safe7_needs_thp)
{
	int64_t started;

	start_fake(FAKE_SAFE7);
	trezor_set_confirm_timeout(device, 1500);
	started = clock_monotonic_ms();
	ck_assert_int_eq(trezor_initialize(device), TREZOR_ERR_TIMEOUT);
	ck_assert_int_lt(clock_monotonic_ms() - started, 4000);
	ck_assert_ptr_nonnull(device->transport->thp);
	ck_assert_str_eq(device->error, "the Trezor did not answer the THP handshake in time: the "
					"Trezor did not allocate a THP channel");
	stop_fake();
}
END_TEST

START_TEST(bootloader_mode)
{
	start_fake(FAKE_BOOTLOADER);
	ck_assert_int_eq(trezor_initialize(device), TREZOR_ERR_BOOTLOADER);
	ck_assert(device->features.bootloader_mode);
	ck_assert_str_eq(device->error, "the Trezor is in bootloader mode: unplug it and plug it "
					"in again without touching it");
	stop_fake();
}
END_TEST

START_TEST(not_initialized)
{
	start_fake(FAKE_NOT_INITIALIZED);
	ck_assert_int_eq(trezor_initialize(device), TREZOR_ERR_NOT_INITIALIZED);
	ck_assert_str_eq(device->error, "the Trezor has no seed yet: set it up in Trezor Suite first");
	stop_fake();
}
END_TEST

START_TEST(endless_button_requests)
{
	start_fake(FAKE_ENDLESS_BUTTON);
	ck_assert_int_eq(trezor_initialize(device), TREZOR_ERR_PROTOCOL);
	ck_assert_str_eq(device->error, "the Trezor keeps asking instead of answering Initialize");
	ck_assert_int_eq(buttons_seen, 16);
	stop_fake();
}
END_TEST

START_TEST(wrong_reply_type)
{
	start_fake(FAKE_WRONG_TYPE);
	ck_assert_int_eq(trezor_initialize(device), TREZOR_ERR_PROTOCOL);
	ck_assert_str_eq(device->error, "the Trezor answered Initialize with Success");
	stop_fake();
}
END_TEST

START_TEST(public_key_off_the_curve)
{
	struct identity id;
	uint8_t key[EC_UNCOMPRESSED_SIZE];

	start_fake(FAKE_BAD_POINT);
	parse("alice@example.com", "gpg", &id);
	ck_assert_int_eq(trezor_get_public_key(device, &id, KEY_CURVE_NIST256P1, key), TREZOR_ERR_PROTOCOL);
	ck_assert_str_eq(device->error, "the Trezor sent a public key that is not a P-256 point");
	stop_fake();
}
END_TEST

START_TEST(long_failure_message_is_cut)
{
	char expected[256], xs[117];

	start_fake(FAKE_LONG_FAILURE);
	ck_assert_int_eq(trezor_initialize(device), TREZOR_ERR_FAILURE);
	/* 120 characters of the device's text, its newline made harmless, "..." for the rest. */
	memset(xs, 'x', 116);
	xs[116] = '\0';
	snprintf(expected, sizeof(expected), "the Trezor reports failure 3: xxx?%s...", xs);
	ck_assert_str_eq(device->error, expected);
	stop_fake();
}
END_TEST

START_TEST(person_time_caps_every_wait)
{
	struct trezor_device *quiet = trezor_device_new(NULL);

	ck_assert_ptr_nonnull(quiet);
	ck_assert_int_eq(quiet->reply_timeout_ms, TREZOR_REPLY_TIMEOUT_MS);
	trezor_set_confirm_timeout(quiet, 1000);
	ck_assert_int_eq(quiet->confirm_timeout_ms, 1000);
	ck_assert_int_eq(quiet->reply_timeout_ms, 1000);
	trezor_set_confirm_timeout(quiet, 120000);
	ck_assert_int_eq(quiet->confirm_timeout_ms, 120000);
	ck_assert_int_eq(quiet->reply_timeout_ms, TREZOR_REPLY_TIMEOUT_MS);
	trezor_close(quiet);
}
END_TEST

/* text_copy_shown into `size` bytes: the text, and whether all of it fit. */
static void assert_copied(size_t size, const char *text, const char *expected, bool whole)
{
	char buffer[64];

	ck_assert_uint_le(size, sizeof(buffer));
	ck_assert(text_copy_shown(buffer, size, text) == whole);
	ck_assert_str_eq(buffer, expected);
}

START_TEST(device_text_made_safe)
{
	assert_copied(64, "Simulated Trezor", "Simulated Trezor", true);
	assert_copied(64, NULL, "", true);
	assert_copied(64, "a\nb\tc\x7f\x1b[2J", "a?b?c??[2J", true);
	/* C1 controls, as UTF-8 or as a raw byte (0x9b is CSI: ESC [). */
	assert_copied(64, "\xc2\x9b" "31m \x9b" "0m \xc2\x85", "?31m ?0m ?", true);
	/* Not UTF-8: an overlong "/", a surrogate, a sequence cut short, 0xff. */
	assert_copied(64, "\xc0\xaf \xed\xa0\x80 \xff ab\xe2\x82", "?? ??? ? ab??", true);
	/* The line and paragraph separators, a right-to-left override. */
	assert_copied(64, "a\xe2\x80\xa8" "b\xe2\x80\xa9" "c\xe2\x80\xae" "d", "a?b?c?d", true);
	/* Real UTF-8 stays, and is cut between characters only. */
	assert_copied(64, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91",
		      "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91", true);
	assert_copied(5, "abcd", "abcd", true);
	assert_copied(5, "abc\xc3\xa9", "abc", false);
	assert_copied(5, "abcde", "abcd", false);
	assert_copied(1, "a", "", false);
}
END_TEST

static Suite *client_suite(void)
{
	Suite *suite = suite_create("client");
	TCase *simulated = tcase_create("simulator");
	TCase *hostile = tcase_create("hostile");

	tcase_add_checked_fixture(simulated, NULL, stop_all);
	tcase_set_timeout(simulated, 30);
	tcase_add_test(simulated, reads_features);
	tcase_add_test(simulated, public_key_of_alice);
	tcase_add_test(simulated, signs_and_openssl_verifies);
	tcase_add_test(simulated, core_model_button_code);
	tcase_add_test(simulated, refusal_is_cancelled);
	tcase_add_test(simulated, only_gpg_identities_sign);
	tcase_add_test(simulated, other_key_is_a_mismatch);
	tcase_add_test(simulated, signer_contradicting_itself);
	tcase_add_test(simulated, back_in_step_after_a_spoilt_answer);
	tcase_add_test(simulated, killed_mid_conversation);
	tcase_add_test(simulated, frozen_mid_conversation);
	tcase_add_test(simulated, nothing_listening);
	tcase_add_test(simulated, cancel_is_acknowledged);
	tcase_add_test(hostile, garbage_is_a_protocol_error);
	tcase_add_test(hostile, silence_times_out);
	tcase_add_test(hostile, safe7_needs_thp);
	tcase_add_test(hostile, bootloader_mode);
	tcase_add_test(hostile, not_initialized);
	tcase_add_test(hostile, endless_button_requests);
	tcase_add_test(hostile, wrong_reply_type);
	tcase_add_test(hostile, public_key_off_the_curve);
	tcase_add_test(hostile, long_failure_message_is_cut);
	tcase_add_test(hostile, device_text_made_safe);
	tcase_add_test(hostile, person_time_caps_every_wait);
	suite_add_tcase(suite, simulated);
	suite_add_tcase(suite, hostile);
	return suite;
}

int main(void)
{
	return run_suite(client_suite());
}

/*
 * Writes the seed corpora of the fuzz targets:
 *
 *     make tests/fuzz/make-seeds
 *     tests/fuzz/make-seeds DIR      writes DIR/wire/..., DIR/client/..., ...
 *
 * The seeds committed under tests/fuzz/corpus came from it. Each is a small
 * input in its target's format (the target's header comment, fuzz_formats.h)
 * that takes the target down one path a real device, file or caller takes:
 * good conversations, refusals, PIN and passphrase, faults.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_formats.h"
#include "messages.h"
#include "pkcs11_types.h"
#include "trezor.pb-c.h"
#include "wire.h"

#define SEED_MAX 8192

struct seed {
	uint8_t bytes[SEED_MAX];
	size_t length;
};

static const char *out_dir;

static void die(const char *what)
{
	fprintf(stderr, "make-seeds: %s: %s\n", what, strerror(errno));
	exit(EXIT_FAILURE);
}

static void put(struct seed *seed, const void *bytes, size_t length)
{
	if (seed->length + length > SEED_MAX) {
		fprintf(stderr, "make-seeds: a seed outgrew %d bytes\n", SEED_MAX);
		exit(EXIT_FAILURE);
	}
	memcpy(seed->bytes + seed->length, bytes, length);
	seed->length += length;
}

static void put_byte(struct seed *seed, uint8_t byte)
{
	put(seed, &byte, 1);
}

static void put_u16(struct seed *seed, uint16_t number)
{
	put_byte(seed, (uint8_t)(number >> 8));
	put_byte(seed, (uint8_t)number);
}

static void put_u32(struct seed *seed, uint32_t number)
{
	put_u16(seed, (uint16_t)(number >> 16));
	put_u16(seed, (uint16_t)number);
}

static void put_text(struct seed *seed, const char *text)
{
	put(seed, text, strlen(text));
}

static void hex(const char *text, uint8_t *out, size_t length)
{
	size_t i;
	unsigned byte;

	for (i = 0; i < length; i++) {
		if (sscanf(text + 2 * i, "%2x", &byte) != 1) {
			fprintf(stderr, "make-seeds: bad hex\n");
			exit(EXIT_FAILURE);
		}
		out[i] = (uint8_t)byte;
	}
}

static void save(const char *target, const char *name, const struct seed *seed)
{
	char path[1024];
	FILE *file;

	snprintf(path, sizeof(path), "%s/%s", out_dir, target);
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		die(path);
	snprintf(path, sizeof(path), "%s/%s/%s", out_dir, target, name);
	file = fopen(path, "wb");
	if (file == NULL || fwrite(seed->bytes, 1, seed->length, file) != seed->length ||
	    fclose(file) != 0)
		die(path);
}

static void save_text(const char *target, const char *name, const char *text)
{
	struct seed seed = { .length = 0 };

	put_text(&seed, text);
	save(target, name, &seed);
}

/* ---- wire: reports as a device sends them -------------------------------------- */

static void put_message_reports(struct seed *seed, uint16_t type, const uint8_t *payload,
				size_t length)
{
	uint8_t report[WIRE_REPORT_SIZE];
	size_t i;

	for (i = 0; i < wire_report_count(length); i++) {
		wire_encode_report(type, payload, length, i, report);
		put(seed, report, sizeof(report));
	}
}

static void wire_seeds(void)
{
	static const uint8_t safe7[] = { '?', '#', '#', 0x00, 0x03, 0, 0, 0, 2, 0x08, 0x11 };
	uint8_t payload[300];
	struct seed seed = { .length = 0 };
	size_t i;

	for (i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)i;
	put_message_reports(&seed, MSG_FEATURES, payload, 40);
	save("wire", "one-report", &seed);

	seed.length = 0;
	put_message_reports(&seed, MSG_SIGNED_IDENTITY, payload, 150);
	save("wire", "three-reports", &seed);

	seed.length = 0;
	put_message_reports(&seed, MSG_BUTTON_REQUEST, NULL, 0);
	put_message_reports(&seed, MSG_PUBLIC_KEY, payload, 55);
	put_message_reports(&seed, MSG_FAILURE, payload, 56);
	save("wire", "three-messages", &seed);

	/* Stale bytes in the padding, as core firmware may leave them. */
	seed.length = 0;
	put_message_reports(&seed, MSG_SUCCESS, payload, 60);
	memset(seed.bytes + 64 + 6, 0xee, 58);
	save("wire", "stale-padding", &seed);

	/* The last report cut short: the message stays incomplete. */
	seed.length = 0;
	put_message_reports(&seed, MSG_FEATURES, payload, 200);
	seed.length -= 40;
	save("wire", "cut-short", &seed);

	seed.length = 0;
	put(&seed, safe7, sizeof(safe7));
	save("wire", "safe7-invalid-protocol", &seed);

	seed.length = 0;
	put_message_reports(&seed, MSG_FEATURES, payload, 10);
	seed.bytes[0] = '!';
	put_message_reports(&seed, MSG_SUCCESS, payload, 70);
	seed.bytes[seed.length - 64] = '#';
	save("wire", "bad-magic", &seed);

	seed.length = 0;
	put_text(&seed, "?##");
	put_u16(&seed, MSG_FEATURES);
	put_u32(&seed, WIRE_MAX_PAYLOAD + 1);
	save("wire", "declared-too-long", &seed);

	seed.length = 0;
	put(&seed, "?##\0\x11\0", 6);
	save("wire", "short-header", &seed);
}

/* ---- identity and identities_file: text ----------------------------------------- */

static void identity_seeds(void)
{
	static const char *const seeds[][2] = {
		{ "user-host", "alice@example.com" },
		{ "port", "bob@example.org:2222" },
		{ "ipv6", "git@[2001:db8::1]:22/repo" },
		{ "proto", "ssh://user@host" },
		{ "slip13-vector", "https://satoshi@bitcoin.org/login" },
		{ "host-only", "example.com" },
		{ "at-in-user", "a@b@c/d@e" },
		{ "port-limit", "u@h:65535/p" },
		{ "port-zero", "h:0" },
		{ "port-missing", "h:" },
		{ "bracket-open", "[::1" },
		{ "user-missing", "@host" },
		{ "space", "a b" },
		{ "proto-empty", "://h" },
		{ "proto-bad", "Sh!://h" },
		{ "utf8", "j\xc3\xb6rg@m\xc3\xbcnchen.de/\xe2\x82\xac" },
	};
	char long_text[400];
	size_t i;

	for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		save_text("identity", seeds[i][0], seeds[i][1]);
	memset(long_text, 'u', 63);
	long_text[63] = '@';
	memset(long_text + 64, 'h', 63);
	long_text[127] = '/';
	memset(long_text + 128, 'p', 254);
	long_text[382] = '\0';
	save_text("identity", "longest-parts", long_text);
	long_text[64 + 63] = 'h';
	long_text[128] = '\0';
	save_text("identity", "host-too-long", long_text);
}

static void identities_file_seeds(void)
{
	char text[2400], *end;
	int i;

	save_text("identities_file", "example",
		  "# personal\n"
		  "alice@example.com\n"
		  "git@github.com   # code\n"
		  "\n"
		  "alice@[2001:db8::1]:2222\n"
		  "backup@nas.lan/nightly\n");
	save_text("identities_file", "mixed",
		  "\t ssh://alice@example.com\r\n"
		  "gpg://alice@example.com\n"
		  "alice@example.com\n"
		  "https://bad.example\n"
		  "two words here\n"
		  "h:99999\n"
		  "#only a comment");
	/* A label cut at 255 bytes inside a UTF-8 sequence, and a line too long. */
	end = text;
	end += sprintf(end, "u@h/");
	for (i = 0; i < 126; i++)
		end += sprintf(end, "\xc3\xa9");
	end += sprintf(end, "\n");
	for (i = 0; i < 1030; i++)
		*end++ = 'x';
	sprintf(end, "\nlast@line");
	save_text("identities_file", "long-lines", text);
}

/* ---- cache_files: a session file (first byte even) or a key cache (odd) --------- */

static void save_cache_file(const char *name, uint8_t which, const char *text)
{
	struct seed seed = { .length = 0 };

	put_byte(&seed, which);
	put_text(&seed, text);
	save("cache_files", name, &seed);
}

static void cache_files_seeds(void)
{
	save_cache_file("sessions", 0,
			"trezor-pkcs11 sessions 1\n"
			"passphrase-protection yes\n"
			"any 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n"
			"standard 0a0b\n");
	save_cache_file("sessions-cut", 2, "trezor-pkcs11 sessions 1\npassphrase-protection");
	save_cache_file("keys", 1,
			"trezor-pkcs11 keys 1\n"
			"device 0123456789ABCDEF01234567\n"
			"20160ed6a16f089058d1dd9ddbb3a4a3 "
			"04b9afc638371743324c09dc8136847a0478e9f26a3dfcc0b9923f4bcbdcf93fdb"
			"faefbe4fc8425d3abb485c25895f0ea467d64e589f03051a8a511e64194ca61c\n");
}

/* ---- client: a device's replies --------------------------------------------------- */

static void put_record(struct seed *seed, enum client_record kind, const ProtobufCMessage *message)
{
	uint8_t packed[1024];
	size_t length = protobuf_c_message_get_packed_size(message);

	if (length > sizeof(packed)) {
		fprintf(stderr, "make-seeds: a reply outgrew %zu bytes\n", sizeof(packed));
		exit(EXIT_FAILURE);
	}
	protobuf_c_message_pack(message, packed);
	put_byte(seed, (uint8_t)kind);
	put_u16(seed, (uint16_t)length);
	put(seed, packed, length);
}

static void put_features(struct seed *seed, const char *model, bool passphrase_entry,
			 bool bootloader)
{
	static uint8_t session[32] = { 0x5e, 0x55, 0x10, 0x17 };
	Tz__Capability capabilities[] = { TZ__CAPABILITY__Capability_Crypto,
					  TZ__CAPABILITY__Capability_PassphraseEntry };
	Tz__Features features = TZ__FEATURES__INIT;

	features.vendor = (char *)"trezor.io";
	features.major_version = model[0] == '1' ? 1 : 2;
	features.minor_version = 12;
	features.patch_version = 1;
	features.device_id = (char *)"0123456789ABCDEF01234567";
	features.label = (char *)"My Trezor";
	features.model = (char *)model;
	features.has_initialized = true;
	features.initialized = true;
	features.has_bootloader_mode = bootloader;
	features.bootloader_mode = bootloader;
	features.has_session_id = true;
	features.session_id.data = session;
	features.session_id.len = sizeof(session);
	features.n_capabilities = passphrase_entry ? 2 : 1;
	features.capabilities = capabilities;
	put_record(seed, CLIENT_FEATURES, &features.base);
}

/* gpg://alice@example.com's key, as a device sends it (compressed). */
static void alice_compressed(uint8_t key[33])
{
	hex("02b9afc638371743324c09dc8136847a0478e9f26a3dfcc0b9923f4bcbdcf93fdb", key, 33);
}

static void put_public_key(struct seed *seed)
{
	static uint8_t chain[32];
	uint8_t key[33];
	Tz__HDNodeType node = TZ__HDNODE_TYPE__INIT;
	Tz__PublicKey reply = TZ__PUBLIC_KEY__INIT;

	alice_compressed(key);
	node.depth = 5;
	node.child_num = 0x80000000u | 597996507u;
	node.chain_code.data = chain;
	node.chain_code.len = sizeof(chain);
	node.public_key.data = key;
	node.public_key.len = sizeof(key);
	reply.node = &node;
	reply.xpub = (char *)"xpub";
	put_record(seed, CLIENT_PUBLIC_KEY, &reply.base);
}

/* The firmware's own SignedIdentity for the digest a0..bf (HACKING 5.6),
 * or one made with another key. */
static void put_signed_identity(struct seed *seed, bool other_key)
{
	uint8_t key[33], signature[65];
	Tz__SignedIdentity reply = TZ__SIGNED_IDENTITY__INIT;

	alice_compressed(key);
	if (other_key)
		hex("0369b2c77f97a1cd81e520ed4b56d55239890776bd5674ad00ad4ddcb3b3287be2", key, 33);
	hex("009a9c40ff057fc0378f6b607df35052c781990063783f7b4efbe979ee565e6a94"
	    "2cffe25bdfde710d9c3486f2b647007614df2af87d18847e1c64464ed4d1ef03", signature, 65);
	reply.public_key.data = key;
	reply.public_key.len = sizeof(key);
	reply.signature.data = signature;
	reply.signature.len = sizeof(signature);
	put_record(seed, CLIENT_SIGNED_IDENTITY, &reply.base);
}

static void put_failure(struct seed *seed, Tz__FailureType code, const char *text)
{
	Tz__Failure failure = TZ__FAILURE__INIT;

	failure.has_code = true;
	failure.code = code;
	failure.message = (char *)text;
	put_record(seed, CLIENT_FAILURE, &failure.base);
}

static void put_button(struct seed *seed, Tz__ButtonRequestType code)
{
	Tz__ButtonRequest request = TZ__BUTTON_REQUEST__INIT;

	request.has_code = true;
	request.code = code;
	put_record(seed, CLIENT_BUTTON_REQUEST, &request.base);
}

static void put_pin_request(struct seed *seed)
{
	Tz__PinMatrixRequest request = TZ__PIN_MATRIX_REQUEST__INIT;

	request.has_type = true;
	request.type = TZ__PIN_MATRIX_REQUEST_TYPE__PinMatrixRequestType_Current;
	put_record(seed, CLIENT_PIN_MATRIX_REQUEST, &request.base);
}

static void put_passphrase_request(struct seed *seed)
{
	Tz__PassphraseRequest request = TZ__PASSPHRASE_REQUEST__INIT;

	put_record(seed, CLIENT_PASSPHRASE_REQUEST, &request.base);
}

static void put_success(struct seed *seed)
{
	Tz__Success success = TZ__SUCCESS__INIT;

	put_record(seed, CLIENT_SUCCESS, &success.base);
}

static void start_client(struct seed *seed, uint8_t person, uint8_t conversations)
{
	seed->length = 0;
	put_byte(seed, person);
	put_byte(seed, conversations);
}

static void client_good_seeds(void)
{
	struct seed seed;

	/* Every conversation as a Trezor One answers it. */
	start_client(&seed, CLIENT_BUTTON_CALLBACK, CLIENT_ALL);
	put_features(&seed, "1", false, false);
	put_features(&seed, "1", false, false);
	put_public_key(&seed);
	put_button(&seed, TZ__BUTTON_REQUEST_TYPE__ButtonRequest_ProtectCall);
	put_signed_identity(&seed, false);
	put_failure(&seed, TZ__FAILURE_TYPE__Failure_ActionCancelled, "Cancelled");
	save("client", "all-conversations", &seed);

	/* A PIN matrix before the key. */
	start_client(&seed, CLIENT_PIN(1), CLIENT_GET_PUBLIC_KEY);
	put_pin_request(&seed);
	put_public_key(&seed);
	save("client", "pin-then-key", &seed);

	/* A wrong PIN, and a PIN nobody can give. */
	start_client(&seed, CLIENT_PIN(1), CLIENT_GET_PUBLIC_KEY | CLIENT_SIGN);
	put_pin_request(&seed);
	put_failure(&seed, TZ__FAILURE_TYPE__Failure_PinInvalid, "PIN invalid");
	put_pin_request(&seed);
	save("client", "pin-invalid", &seed);

	/* The passphrase typed on a core device, then the signature. */
	start_client(&seed, CLIENT_PASSPHRASE(2) | CLIENT_BUTTON_CALLBACK,
		     CLIENT_INITIALIZE | CLIENT_SIGN);
	put_features(&seed, "T", true, false);
	put_passphrase_request(&seed);
	put_button(&seed, TZ__BUTTON_REQUEST_TYPE__ButtonRequest_PassphraseEntry);
	put_button(&seed, TZ__BUTTON_REQUEST_TYPE__ButtonRequest_Other);
	put_signed_identity(&seed, false);
	save("client", "passphrase-on-device", &seed);

	/* The passphrase from the host, then a refusal. */
	start_client(&seed, CLIENT_PASSPHRASE(1), CLIENT_GET_PUBLIC_KEY | CLIENT_SIGN);
	put_passphrase_request(&seed);
	put_public_key(&seed);
	put_button(&seed, TZ__BUTTON_REQUEST_TYPE__ButtonRequest_Other);
	put_failure(&seed, TZ__FAILURE_TYPE__Failure_ActionCancelled, "Action cancelled by user");
	save("client", "passphrase-then-refusal", &seed);
}

static void client_fault_seeds(void)
{
	static const uint8_t safe7[] = { '?', '#', '#', 0x00, 0x03, 0, 0, 0, 2, 0x08, 0x11 };
	struct seed seed;
	int i;

	/* Signed with another key than the one listed. */
	start_client(&seed, 0, CLIENT_SIGN);
	put_button(&seed, TZ__BUTTON_REQUEST_TYPE__ButtonRequest_Other);
	put_signed_identity(&seed, true);
	save("client", "key-mismatch", &seed);

	/* Asks for the button forever (the module's cap must end it). */
	start_client(&seed, 0, CLIENT_SIGN);
	for (i = 0; i < 20; i++)
		put_button(&seed, TZ__BUTTON_REQUEST_TYPE__ButtonRequest_Other);
	save("client", "endless-buttons", &seed);

	/* Firmware without GetFeatures, then bootloader mode. */
	start_client(&seed, 0, CLIENT_GET_FEATURES);
	put_failure(&seed, TZ__FAILURE_TYPE__Failure_UnexpectedMessage, "Unexpected message");
	put_features(&seed, "1", false, true);
	save("client", "old-firmware-bootloader", &seed);

	/* A Safe 7's answer to every v1 report. */
	start_client(&seed, 0, CLIENT_INITIALIZE);
	put_byte(&seed, CLIENT_RAW_REPORT);
	put(&seed, safe7, sizeof(safe7));
	for (i = (int)sizeof(safe7); i < WIRE_REPORT_SIZE; i++)
		put_byte(&seed, 0);
	save("client", "safe7", &seed);

	/* A Failure whose text holds control characters, then silence. */
	start_client(&seed, 0, CLIENT_INITIALIZE | CLIENT_GET_PUBLIC_KEY);
	put_failure(&seed, TZ__FAILURE_TYPE__Failure_FirmwareError, "bad\nline\x1b[31m");
	put_byte(&seed, CLIENT_READ_FAILS);
	put_byte(&seed, 0);
	save("client", "failure-text", &seed);

	/* An unknown message type, then the device goes away; a send fails. */
	start_client(&seed, CLIENT_FAILING_REPORT(3), CLIENT_ALL);
	put_byte(&seed, CLIENT_ANY_TYPE);
	put_u16(&seed, 999);
	put_u16(&seed, 3);
	put_text(&seed, "abc");
	put_byte(&seed, CLIENT_READ_FAILS);
	put_byte(&seed, 1);
	put_success(&seed);
	save("client", "unknown-type-gone", &seed);
}

/* ---- pkcs11: templates -------------------------------------------------------------- */

static void put_attribute(struct seed *seed, CK_ATTRIBUTE_TYPE type, const void *bytes,
			  uint8_t length)
{
	put_byte(seed, PKCS11_RAW_TYPE);
	put_u32(seed, (uint32_t)type);
	put_byte(seed, 0);
	put_byte(seed, length);
	put(seed, bytes, length);
}

static void put_null_attribute(struct seed *seed, CK_ATTRIBUTE_TYPE type, uint8_t length)
{
	put_byte(seed, PKCS11_RAW_TYPE);
	put_u32(seed, (uint32_t)type);
	put_byte(seed, PKCS11_NULL_VALUE | length);
}

static void put_ulong_attribute(struct seed *seed, CK_ATTRIBUTE_TYPE type, CK_ULONG number)
{
	put_attribute(seed, type, &number, sizeof(number));
}

static void pkcs11_seeds(void)
{
	static const char alice[] = "alice@example.com";
	static const uint8_t zeros[67];
	uint8_t alice_id[16], params[10];
	CK_BBOOL yes = CK_TRUE;
	struct seed seed = { .length = 0 };

	hex("20160ed6a16f089058d1dd9ddbb3a4a3", alice_id, sizeof(alice_id));
	hex("06082a8648ce3d030107", params, sizeof(params));

	/* Every object, then an empty template read from two of them. */
	put_byte(&seed, PKCS11_SEARCH | PKCS11_READ | PKCS11_ROOM(3));
	put_byte(&seed, 0);
	put_byte(&seed, 2);
	put_byte(&seed, 1);
	put_byte(&seed, 8);
	save("pkcs11", "find-all", &seed);

	/* What ssh looks for: the private key by class and id, then sign. */
	seed.length = 0;
	put_byte(&seed, PKCS11_SEARCH | PKCS11_ROOM(1));
	put_byte(&seed, 3);
	put_ulong_attribute(&seed, CKA_CLASS, CKO_PRIVATE_KEY);
	put_attribute(&seed, CKA_ID, alice_id, sizeof(alice_id));
	put_attribute(&seed, CKA_SIGN, &yes, sizeof(yes));
	put_byte(&seed, 0);
	save("pkcs11", "find-private-by-id", &seed);

	/* By label and curve. */
	seed.length = 0;
	put_byte(&seed, PKCS11_SEARCH | PKCS11_ROOM(8));
	put_byte(&seed, 2);
	put_attribute(&seed, CKA_LABEL, alice, sizeof(alice) - 1);
	put_attribute(&seed, CKA_EC_PARAMS, params, sizeof(params));
	put_byte(&seed, 0);
	save("pkcs11", "find-by-label", &seed);

	/* Lengths first, then values, of the public key and of the private key. */
	seed.length = 0;
	put_byte(&seed, PKCS11_READ);
	put_byte(&seed, 5);
	put_null_attribute(&seed, CKA_LABEL, 0);
	put_attribute(&seed, CKA_EC_POINT, zeros, sizeof(zeros));
	put_null_attribute(&seed, CKA_VALUE, 0);
	put_attribute(&seed, CKA_PUBLIC_KEY_INFO, params, 10);  /* too small */
	put_ulong_attribute(&seed, CKA_CLASS, 0);
	put_byte(&seed, 2);
	put_byte(&seed, 1);
	put_byte(&seed, 2);
	save("pkcs11", "read-public-and-private", &seed);

	/* Handles that name nothing, and a closed session. */
	seed.length = 0;
	put_byte(&seed, PKCS11_READ);
	put_byte(&seed, 1);
	put_null_attribute(&seed, CKA_ID, 0);
	put_byte(&seed, 3);
	put_byte(&seed, 0);
	put_byte(&seed, 9);
	put_byte(&seed, PKCS11_RAW_HANDLE);
	put_u32(&seed, 0xffffffffu);
	put_u32(&seed, 0xfffffffeu);
	save("pkcs11", "invalid-handles", &seed);

	seed.length = 0;
	put_byte(&seed, PKCS11_READ | PKCS11_BAD_SESSION | PKCS11_NULL_WHEN_EMPTY);
	put_byte(&seed, 0);
	put_byte(&seed, 1);
	put_byte(&seed, 1);
	save("pkcs11", "closed-session", &seed);

	/* A NULL empty template, searched and read. */
	seed.length = 0;
	put_byte(&seed, PKCS11_SEARCH | PKCS11_READ | PKCS11_NULL_WHEN_EMPTY);
	put_byte(&seed, 0);
	put_byte(&seed, 1);
	put_byte(&seed, 4);
	save("pkcs11", "null-template", &seed);
}

/* ---- thp: a line between the host and the simulator's Safe 7 --------------------- */

/* Actions on the line (fuzz_thp.c): 0 passes, 4 drops, 5 flips, 6 repeats or replaces, 7 frames. */
static void thp_seeds(void)
{
	static const uint8_t foreign[] = { 0x04, 0x77, 0x77, 0x00, 0x08, 'a', 'b', 'c', 'd' };
	static const uint8_t answer[] = { 'n', 'o', 'n', 'c', 'e', '1', '2', '3', 0x12, 0x34 };
	struct seed seed = { .length = 0 };
	size_t i;

	put_byte(&seed, 0);                     /* everything passes */
	save("thp", "clean", &seed);

	seed.length = 0;
	put_byte(&seed, THP_FUZZ_LOCKED);       /* DEVICE_LOCKED */
	save("thp", "locked", &seed);

	seed.length = 0;
	put_byte(&seed, THP_FUZZ_LOCKED | THP_FUZZ_UNLOCK);     /* the PIN pad, then on */
	save("thp", "unlocked", &seed);

	/* The first packets each way lost: the host asks again, the device resends. */
	seed.length = 0;
	put_byte(&seed, 0);
	for (i = 0; i < 6; i++)
		put_byte(&seed, 4);
	save("thp", "lost", &seed);

	/* A bit flipped in every packet, both ways, at the CRC's place or the payload. */
	seed.length = 0;
	put_byte(&seed, 0);
	for (i = 0; i < 40; i++) {
		put_byte(&seed, 5);
		put_byte(&seed, (uint8_t)(i % 2 ? 12 : 40));
		put_byte(&seed, 0x10);
	}
	save("thp", "flipped", &seed);

	/* Every host packet twice: duplicates the device must ACK and drop. */
	seed.length = 0;
	put_byte(&seed, 0);
	for (i = 0; i < 40; i++)
		put_byte(&seed, (uint8_t)(i % 2 ? 6 : 0));
	save("thp", "repeated", &seed);

	/* Good-CRC messages on the host's channel: an ACK, a handshake reply, errors. */
	seed.length = 0;
	put_byte(&seed, 0);
	put_byte(&seed, 0);                     /* the allocation request passes */
	put_byte(&seed, 0);                     /* the allocation answer comes */
	put_byte(&seed, 0);                     /* the handshake request passes */
	put_byte(&seed, 7);                     /* a handshake reply of nonsense */
	put_byte(&seed, 0x01);
	put_byte(&seed, 0);
	put_byte(&seed, 40);
	for (i = 0; i < 40; i++)
		put_byte(&seed, (uint8_t)(i * 13));
	put_byte(&seed, 7);                     /* TRANSPORT_ERROR: busy */
	put_byte(&seed, 0x42);
	put_byte(&seed, 0);
	put_byte(&seed, 1);
	put_byte(&seed, 1);
	put_byte(&seed, 7);                     /* TRANSPORT_ERROR: unallocated */
	put_byte(&seed, 0x42);
	put_byte(&seed, 0);
	put_byte(&seed, 1);
	put_byte(&seed, 2);
	save("thp", "framed", &seed);

	/* A raw packet from another channel, and an allocation answer for another host. */

	seed.length = 0;
	put_byte(&seed, 0);
	put_byte(&seed, 0);
	put_byte(&seed, 6);
	put(&seed, foreign, sizeof(foreign));
	for (i = sizeof(foreign); i < 64; i++)
		put_byte(&seed, 0);
	put_byte(&seed, 7);
	put_byte(&seed, 0x41);
	put_byte(&seed, 1);
	put_byte(&seed, sizeof(answer));
	put(&seed, answer, sizeof(answer));
	save("thp", "foreign", &seed);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: make-seeds DIR\n");
		return EXIT_FAILURE;
	}
	out_dir = argv[1];
	if (mkdir(out_dir, 0755) != 0 && errno != EEXIST)
		die(out_dir);
	wire_seeds();
	identity_seeds();
	identities_file_seeds();
	cache_files_seeds();
	client_good_seeds();
	client_fault_seeds();
	pkcs11_seeds();
	thp_seeds();
	return EXIT_SUCCESS;
}

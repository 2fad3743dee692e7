/*
 * The simulator's keys and signatures against the firmware vectors of
 * HACKING 5.6, byte for byte: SignIdentity for every curve and
 * proto, GetPublicKey, GetAddress, Ping, GetECDHSessionKey, as each
 * firmware family answers them. Sessions: test_sim_sessions.c; questions
 * and bad input: test_sim_prompts.c; faults and the binary:
 * test_sim_faults.c.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "ec.h"
#include "helpers.h"
#include "messages.h"
#include "sim_bitcoin.h"
#include "sim_driver.h"
#include "sim_sign.h"
#include "trezor.pb-c.h"

#define SSH_ED25519_VECTOR_KEY "000fac2a491e0f5b871dc48288a4cae551bac5cb0ed19df0764d6e721ec5fade18"
#define SSH_ED25519_VECTOR_SIGNATURE \
	"00f05e5085e666429de397c70a081932654369619c0bd2a6579ea6c1ef2af112ef" \
	"79998d6c862a16b932d44b1ac1b83c8cbcd0fbda228274fde9e0d0ca6e9cb709"

static const enum sim_model core_models[] = { SIM_MODEL_T, SIM_MODEL_SAFE_3, SIM_MODEL_SAFE_5 };

#define FIRMWARE_ERROR TZ__FAILURE_TYPE__Failure_FirmwareError

START_TEST(firmware_ssh_vector)
{
	uint8_t challenge[32];

	hex_to_bytes(SSH_VECTOR_CHALLENGE, challenge, sizeof(challenge));
	start_session(MNEMONIC_ALCOHOL, SIM_MODEL_ONE);
	request_signature("ssh", "satoshi", "bitcoin.org", 47, challenge, sizeof(challenge));
	assert_button_request(BUTTON_PROTECT_CALL);
	press_button();
	assert_signed(SSH_VECTOR_KEY, SSH_VECTOR_SIGNATURE);
	stop_device();
}
END_TEST

START_TEST(emulator_gpg_vector)
{
	start_session(MNEMONIC_ALL, SIM_MODEL_ONE);
	sign_alice();
	assert_signed(GPG_VECTOR_KEY, GPG_VECTOR_SIGNATURE);
	stop_device();
}
END_TEST

START_TEST(public_key_of_gpg_identity)
{
	Tz__PublicKey *answer;
	uint8_t seed[SIM_SEED_SIZE];
	struct sim_node master;

	start_session(MNEMONIC_ALL, SIM_MODEL_ONE);
	request_public_key(gpg_alice_path, 5, "nist256p1");
	answer = (Tz__PublicKey *)only_reply(MSG_PUBLIC_KEY, &tz__public_key__descriptor);
	assert_bytes(&answer->node->public_key, GPG_VECTOR_KEY);
	ck_assert_uint_eq(answer->node->depth, 5);
	ck_assert_uint_eq(answer->node->child_num, gpg_alice_path[4]);
	/* Computed independently (Python, from the SLIP-0010 and BIP-32 texts). */
	ck_assert_str_eq(answer->xpub, "xpub6GPT6K2pBshChTLnZFrbpegL27xM6nDsh1WPV3JExyyYFFpyxquf5u"
				       "QtKeUw2MZ8GMDw2Rp6zN4yBxkeGu7NcSAjpyvKzV34Qbx6pVG7zB7");
	/* root_fingerprint: the master node's, as the firmware reports it. */
	ck_assert(sim_bip39_seed(MNEMONIC_ALL, "", seed));
	ck_assert(sim_slip10_master(SIM_CURVE_NIST256P1, seed, sizeof(seed), &master));
	ck_assert(answer->has_root_fingerprint);
	ck_assert_uint_eq(answer->root_fingerprint, sim_key_fingerprint(master.public_key));
	protobuf_c_message_free_unpacked(&answer->base, NULL);
	stop_device();
}
END_TEST

START_TEST(ssh_proto_gives_another_key)
{
	uint8_t challenge[32];
	Tz__SignedIdentity *answer;

	gpg_challenge(challenge);
	start_session(MNEMONIC_ALL, SIM_MODEL_ONE);
	request_signature("ssh", "alice", "example.com", 0, challenge, sizeof(challenge));
	press_button();
	answer = (Tz__SignedIdentity *)only_reply(MSG_SIGNED_IDENTITY,
						  &tz__signed_identity__descriptor);
	assert_bytes(&answer->public_key, SSH_ALICE_KEY);
	ck_assert_ptr_null(answer->address);            /* not secp256k1 */
	protobuf_c_message_free_unpacked(&answer->base, NULL);
	stop_device();
}
END_TEST

/* A Trezor One: ProcessError after the button; a core model: Failure 99 after showing. */
START_TEST(gpg_challenge_not_32_bytes)
{
	uint8_t challenge[33] = { 1 };
	struct sim_options options = sim_test_options(MNEMONIC_ALL, SIM_MODEL_SAFE_5);
	size_t i;

	start_session(MNEMONIC_ALL, SIM_MODEL_ONE);
	request_signature("gpg", "alice", "example.com", 0, challenge, 31);
	press_button();
	assert_failure(TZ__FAILURE_TYPE__Failure_ProcessError, "Error signing identity");
	request_signature("gpg", "alice", "example.com", 0, challenge, 33);
	assert_button_request(BUTTON_PROTECT_CALL);
	press_button();
	assert_failure(TZ__FAILURE_TYPE__Failure_ProcessError, "Error signing identity");
	stop_device();
	for (i = 0; i < 2; i++) {
		options.debuglink = i == 1;             /* a debug build names the error */
		start_with(&options);
		initialize_ok();
		request_signature("gpg", "alice", "example.com", 0, challenge, 33);
		assert_button(BUTTON_OTHER, "sign_identity", 2);
		press_button();
		assert_failure(FIRMWARE_ERROR, i == 1 ? "Invalid length of digest"
						      : "Firmware error");
		stop_device();
	}
}
END_TEST

/* The key and address of ssh://alice@example.com on secp256k1, computed here. */
static void secp256k1_alice(uint8_t public_key[33], char address[SIM_ADDRESS_MAX])
{
	uint8_t seed[SIM_SEED_SIZE];
	uint32_t path[5];
	struct sim_node node;

	ck_assert(sim_bip39_seed(MNEMONIC_ALL, "", seed));
	sim_slip13_path("ssh", "alice", "example.com", NULL, NULL, 0, path);
	ck_assert(sim_slip10_derive(SIM_CURVE_SECP256K1, seed, sizeof(seed), path, 5, &node));
	memcpy(public_key, node.public_key, 33);
	ck_assert(sim_p2pkh_address(0x00, node.public_key, address, SIM_ADDRESS_MAX));
}

/* A secp256k1 identity also gets its Bitcoin address (P2PKH of the key). */
START_TEST(secp256k1_sign_identity_address)
{
	uint8_t challenge[32], public_key[33], point[65], digest[32];
	char address[SIM_ADDRESS_MAX];
	Tz__SignedIdentity *answer;

	secp256k1_alice(public_key, address);
	gpg_challenge(challenge);
	start_session(MNEMONIC_ALL, SIM_MODEL_ONE);
	request_signature_on("ssh", "secp256k1", challenge, sizeof(challenge));
	press_button();
	answer = (Tz__SignedIdentity *)only_reply(MSG_SIGNED_IDENTITY,
						  &tz__signed_identity__descriptor);
	ck_assert_mem_eq(answer->public_key.data, public_key, 33);
	ck_assert_str_eq(answer->address, address);
	ck_assert_int_eq(address[0], '1');
	/* 00 || r || s over SHA-256(challenge), recoverable to the key. */
	ck_assert_uint_eq(answer->signature.len, 65);
	ck_assert_uint_eq(answer->signature.data[0], 0);
	EVP_Digest(challenge, sizeof(challenge), digest, NULL, EVP_sha256(), NULL);
	ck_assert(ecdsa_recover(false, digest, answer->signature.data + 1, 0, point) ||
		  ecdsa_recover(false, digest, answer->signature.data + 1, 1, point));
	protobuf_c_message_free_unpacked(&answer->base, NULL);
	stop_device();
}
END_TEST

/*
 * Other protos: a Bitcoin message signature of SHA-256(hidden) ||
 * SHA-256(visual), its header 31 + recovery id; checked by recovering the
 * identity's key with OpenSSL.
 */
START_TEST(https_proto_bitcoin_message_signature)
{
	uint8_t challenge[32], message[64], digest[32], recovered[33], key[33];
	uint8_t seed[SIM_SEED_SIZE];
	uint32_t path[5];
	struct sim_node node;
	Tz__SignedIdentity *answer;

	gpg_challenge(challenge);
	ck_assert(sim_bip39_seed(MNEMONIC_ALL, "", seed));
	sim_slip13_path("https", "alice", "example.com", NULL, NULL, 0, path);
	ck_assert(sim_slip10_derive(SIM_CURVE_NIST256P1, seed, sizeof(seed), path, 5, &node));
	memcpy(key, node.public_key, 33);
	EVP_Digest(challenge, sizeof(challenge), message, NULL, EVP_sha256(), NULL);
	EVP_Digest("test", 4, message + 32, NULL, EVP_sha256(), NULL);
	sim_message_digest(message, sizeof(message), digest);

	start_session(MNEMONIC_ALL, SIM_MODEL_ONE);
	request_signature("https", "alice", "example.com", 0, challenge, sizeof(challenge));
	press_button();
	answer = (Tz__SignedIdentity *)only_reply(MSG_SIGNED_IDENTITY,
						  &tz__signed_identity__descriptor);
	ck_assert_mem_eq(answer->public_key.data, key, 33);
	ck_assert_uint_eq(answer->signature.len, 65);
	ck_assert_uint_ge(answer->signature.data[0], 31);
	ck_assert_uint_le(answer->signature.data[0], 34);
	ck_assert(ecdsa_recover(true, digest, answer->signature.data + 1,
				answer->signature.data[0] - 31, recovered));
	ck_assert_mem_eq(recovered, key, 33);
	protobuf_c_message_free_unpacked(&answer->base, NULL);
	stop_device();
}
END_TEST

START_TEST(ed25519_public_key)
{
	static const uint32_t path[2] = { 0x80000000u | 10018, 0x80000000u };
	uint8_t seed[SIM_SEED_SIZE];
	struct sim_node node;
	Tz__PublicKey *answer;

	ck_assert(sim_bip39_seed(MNEMONIC_ALL, "", seed));
	ck_assert(sim_slip10_derive(SIM_CURVE_ED25519, seed, sizeof(seed), path, 2, &node));
	start_session(MNEMONIC_ALL, SIM_MODEL_ONE);
	request_public_key(path, 2, "ed25519");
	answer = (Tz__PublicKey *)only_reply(MSG_PUBLIC_KEY, &tz__public_key__descriptor);
	ck_assert_uint_eq(answer->node->public_key.len, 33);
	ck_assert_uint_eq(answer->node->public_key.data[0], 0x00);
	ck_assert_mem_eq(answer->node->public_key.data, node.public_key, 33);
	protobuf_c_message_free_unpacked(&answer->base, NULL);
	stop_device();
}
END_TEST

/* HACKING 5.6: the firmware's ed25519 ssh signature, over the challenge itself. */
START_TEST(ed25519_sign_ssh_vector)
{
	Tz__SignIdentity request = TZ__SIGN_IDENTITY__INIT;
	Tz__IdentityType identity = TZ__IDENTITY_TYPE__INIT;
	uint8_t challenge[32];
	size_t i;

	hex_to_bytes(SSH_VECTOR_CHALLENGE, challenge, sizeof(challenge));
	identity.proto = (char *)"ssh";
	identity.user = (char *)"satoshi";
	identity.host = (char *)"bitcoin.org";
	identity.has_index = true;
	identity.index = 47;
	request.identity = &identity;
	request.has_challenge_hidden = true;
	request.challenge_hidden.data = challenge;
	request.challenge_hidden.len = sizeof(challenge);
	request.ecdsa_curve_name = (char *)"ed25519";
	for (i = 0; i < 2; i++) {
		start_session(MNEMONIC_ALCOHOL, i == 0 ? SIM_MODEL_ONE : SIM_MODEL_SAFE_5);
		send_request(MSG_SIGN_IDENTITY, &request.base);
		assert_only(MSG_BUTTON_REQUEST);
		press_button();
		assert_signed(SSH_ED25519_VECTOR_KEY, SSH_ED25519_VECTOR_SIGNATURE);
		stop_device();
	}
}
END_TEST

/* gpg and signify sign challenge_hidden as it is with ed25519 (any length). */
START_TEST(ed25519_gpg_and_signify_sign_as_is)
{
	static const char *const protos[] = { "gpg", "signify" };
	uint8_t challenge[45], expected[64];
	uint8_t seed[SIM_SEED_SIZE];
	uint32_t path[5];
	struct sim_node node;
	Tz__SignedIdentity *answer;
	size_t i;

	memset(challenge, 0x5a, sizeof(challenge));
	ck_assert(sim_bip39_seed(MNEMONIC_ALL, "", seed));
	for (i = 0; i < 2; i++) {
		sim_slip13_path(protos[i], "alice", "example.com", NULL, NULL, 0, path);
		ck_assert(sim_slip10_derive(SIM_CURVE_ED25519, seed, sizeof(seed), path, 5, &node));
		ck_assert(sim_ed25519_sign(node.private_key, challenge, sizeof(challenge),
					   expected));
		start_session(MNEMONIC_ALL, SIM_MODEL_ONE);
		request_signature_on(protos[i], "ed25519", challenge, sizeof(challenge));
		press_button();
		answer = (Tz__SignedIdentity *)only_reply(MSG_SIGNED_IDENTITY,
							  &tz__signed_identity__descriptor);
		ck_assert_uint_eq(answer->signature.len, 65);
		ck_assert_uint_eq(answer->signature.data[0], 0x00);
		ck_assert_mem_eq(answer->signature.data + 1, expected, 64);
		ck_assert_mem_eq(answer->public_key.data, node.public_key, 33);
		protobuf_c_message_free_unpacked(&answer->base, NULL);
		stop_device();
	}
}
END_TEST

/* signify needs ed25519: a Trezor One fails the signing, a core model names the curve. */
START_TEST(signify_needs_ed25519)
{
	uint8_t challenge[32] = { 7 };

	start_session(MNEMONIC_ALL, SIM_MODEL_ONE);
	request_signature_on("signify", "nist256p1", challenge, sizeof(challenge));
	press_button();
	assert_failure(TZ__FAILURE_TYPE__Failure_ProcessError, "Error signing identity");
	stop_device();
	start_session(MNEMONIC_ALL, SIM_MODEL_T);
	request_signature_on("signify", "nist256p1", challenge, sizeof(challenge));
	press_button();
	assert_failure(DATA_ERROR, "Unsupported curve");
	stop_device();
}
END_TEST

/* ed25519 has no non-hardened children: each family says so its own way. */
START_TEST(ed25519_non_hardened_path)
{
	static const uint32_t path[2] = { 0x80000000u | 44, 0 };

	start_session(MNEMONIC_ALL, SIM_MODEL_ONE);
	request_public_key(path, 2, "ed25519");
	assert_failure(TZ__FAILURE_TYPE__Failure_ProcessError, "Failed to derive private key");
	stop_device();
	start_session(MNEMONIC_ALL, SIM_MODEL_SAFE_3);
	request_public_key(path, 2, "ed25519");
	assert_failure(DATA_ERROR, "Non-hardened paths unsupported on Ed25519");
	stop_device();
}
END_TEST

/* A Trezor One: NotInitialized "Unsupported curve", for SignIdentity after the button. */
START_TEST(t1_unknown_curve)
{
	uint8_t challenge[32] = { 1 };

	start_session(MNEMONIC_ALL, SIM_MODEL_ONE);
	request_public_key(gpg_alice_path, 5, "ed448");
	assert_failure(TZ__FAILURE_TYPE__Failure_NotInitialized, "Unsupported curve");
	request_public_key(gpg_alice_path, 5, "");     /* the empty name is no curve either */
	assert_failure(TZ__FAILURE_TYPE__Failure_NotInitialized, "Unsupported curve");
	request_signature_on("gpg", "ed448", challenge, sizeof(challenge));
	assert_button_request(BUTTON_PROTECT_CALL);
	press_button();
	assert_failure(TZ__FAILURE_TYPE__Failure_NotInitialized, "Unsupported curve");
	stop_device();
}
END_TEST

/* A core model: Failure 99 "Failed to derive the root node" (after the button); "" is secp256k1. */
START_TEST(core_unknown_curve)
{
	struct sim_options options = sim_test_options(MNEMONIC_ALL, SIM_MODEL_SAFE_5);
	uint8_t challenge[32] = { 1 }, public_key[33];
	char address[SIM_ADDRESS_MAX];

	options.debuglink = true;
	start_with(&options);
	initialize_ok();
	request_public_key(gpg_alice_path, 5, "ed448");
	assert_failure(FIRMWARE_ERROR, "Failed to derive the root node");
	request_signature_on("gpg", "ed448", challenge, sizeof(challenge));
	assert_button(BUTTON_OTHER, "sign_identity", 2);
	press_button();
	assert_failure(FIRMWARE_ERROR, "Failed to derive the root node");
	request_signature_on("ssh", "", challenge, sizeof(challenge));
	press_button();
	secp256k1_alice(public_key, address);
	{
		Tz__SignedIdentity *answer = (Tz__SignedIdentity *)only_reply(
			MSG_SIGNED_IDENTITY, &tz__signed_identity__descriptor);

		ck_assert_mem_eq(answer->public_key.data, public_key, 33);
		ck_assert_str_eq(answer->address, address);
		protobuf_c_message_free_unpacked(&answer->base, NULL);
	}
	stop_device();
	start_session(MNEMONIC_ALL, SIM_MODEL_SAFE_5);       /* a production build */
	request_public_key(gpg_alice_path, 5, "ed448");
	assert_failure(FIRMWARE_ERROR, "Firmware error");
	stop_device();
}
END_TEST

static const uint32_t bitcoin_first[5] = { 0x8000002cu, 0x80000000u, 0x80000000u, 0, 0 };

/* m/44'/0'/0'/0/0 of the all x12 seed: 1JAd7X... (checked independently in test_crypto). */
START_TEST(get_address_bitcoin)
{
	Tz__Address *answer;
	size_t i;

	for (i = 0; i < 2; i++) {
		start_session(MNEMONIC_ALL, i == 0 ? SIM_MODEL_ONE : SIM_MODEL_T);
		request_address(i == 0 ? NULL : "Bitcoin", bitcoin_first, 5, false);
		answer = (Tz__Address *)only_reply(MSG_ADDRESS, &tz__address__descriptor);
		ck_assert_str_eq(answer->address, "1JAd7XCBzGudGpJQSDSfpmJhiygtLQWaGL");
		protobuf_c_message_free_unpacked(&answer->base, NULL);
		stop_device();
	}
}
END_TEST

/* trezor-agent unlocks with Testnet's m/44'/1'/0'/0/0 (checked in trezorlib.sh). */
START_TEST(get_address_testnet)
{
	static const uint32_t path[5] = { 0x8000002cu, 0x80000001u, 0x80000000u, 0, 0 };
	Tz__Address *answer;

	start_session(MNEMONIC_ALL, SIM_MODEL_ONE);
	request_address("Testnet", path, 5, false);
	answer = (Tz__Address *)only_reply(MSG_ADDRESS, &tz__address__descriptor);
	ck_assert_str_eq(answer->address, "mvbu1Gdy8SUjTenqerxUaZyYjmveZvt33q");
	protobuf_c_message_free_unpacked(&answer->base, NULL);
	request_address("Litecoin", path, 5, false);
	assert_failure(DATA_ERROR, "Invalid coin name");
	stop_device();
	start_session(MNEMONIC_ALL, SIM_MODEL_SAFE_3);
	request_address("Litecoin", path, 5, false);
	assert_failure(DATA_ERROR, "Unsupported coin type");
	stop_device();
}
END_TEST

/*
 * A path of no known pattern is forbidden (safety checks Strict): a Trezor
 * One checks before the seed, a core model's keychain after it.
 */
START_TEST(get_address_forbidden_path)
{
	start_device(MNEMONIC_ALL, SIM_MODEL_ONE);      /* no session: the path comes first */
	request_address(NULL, gpg_alice_path, 5, false);
	assert_failure(DATA_ERROR, "Forbidden key path");
	stop_device();
	start_device(MNEMONIC_ALL, SIM_MODEL_SAFE_5);
	request_address(NULL, gpg_alice_path, 5, false);
	assert_failure(TZ__FAILURE_TYPE__Failure_InvalidSession, "Invalid session");
	initialize_ok();
	request_address(NULL, gpg_alice_path, 5, false);
	assert_failure(DATA_ERROR, "Forbidden key path");
	stop_device();
}
END_TEST

/* show_display: a Trezor One shows the address until it is confirmed; a core model once. */
START_TEST(get_address_shown)
{
	struct sim_options options = sim_test_options(MNEMONIC_ALL, SIM_MODEL_ONE);

	options.decline_after = 0;                      /* the person says no at first */
	start_with(&options);
	initialize_ok();
	request_address(NULL, bitcoin_first, 5, true);
	assert_button_request(TZ__BUTTON_REQUEST_TYPE__ButtonRequest_Address);
	press_button();                                 /* no: the QR code, asked again */
	assert_button_request(TZ__BUTTON_REQUEST_TYPE__ButtonRequest_Address);
	device.options.decline_after = -1;
	press_button();
	assert_only(MSG_ADDRESS);
	stop_device();
	start_session(MNEMONIC_ALL, SIM_MODEL_SAFE_5);
	request_address(NULL, bitcoin_first, 5, true);
	assert_button(TZ__BUTTON_REQUEST_TYPE__ButtonRequest_Address, "show_address", 1);
	press_button();
	assert_only(MSG_ADDRESS);
	stop_device();
}
END_TEST

/* A Trezor One shows an xpub on two pages, each a ButtonRequest PublicKey (11). */
START_TEST(get_public_key_show_display)
{
	Tz__GetPublicKey request = TZ__GET_PUBLIC_KEY__INIT;

	request.n_address_n = 5;
	request.address_n = (uint32_t *)gpg_alice_path;
	request.ecdsa_curve_name = (char *)"nist256p1";
	request.has_show_display = true;
	request.show_display = true;
	start_session(MNEMONIC_ALL, SIM_MODEL_ONE);
	send_request(MSG_GET_PUBLIC_KEY, &request.base);
	assert_button_request(TZ__BUTTON_REQUEST_TYPE__ButtonRequest_PublicKey);
	press_button();
	assert_button_request(TZ__BUTTON_REQUEST_TYPE__ButtonRequest_PublicKey);
	press_button();
	assert_public_key(GPG_VECTOR_KEY);
	stop_device();
	/* A core model warns of a path that is no account, then shows the xpub. */
	start_session(MNEMONIC_ALL, SIM_MODEL_T);
	send_request(MSG_GET_PUBLIC_KEY, &request.base);
	assert_button(TZ__BUTTON_REQUEST_TYPE__ButtonRequest_UnknownDerivationPath,
		      "path_warning", 1);
	press_button();
	assert_button(TZ__BUTTON_REQUEST_TYPE__ButtonRequest_PublicKey, "show_xpub", 1);
	press_button();
	assert_public_key(GPG_VECTOR_KEY);
	stop_device();
}
END_TEST

/* xpub versions by script type (SLIP-0132), plain with ignore_xpub_magic. */
START_TEST(get_public_key_script_types)
{
	static const uint32_t account[3] = { 0x80000054u, 0x80000000u, 0x80000000u };
	static const struct { int script; bool plain; const char *prefix; } cases[] = {
		{ 0, false, "xpub" }, { 3, false, "zpub" }, { 4, false, "ypub" },
		{ 3, true, "xpub" }, { 5, false, "xpub" },
	};
	Tz__GetPublicKey request = TZ__GET_PUBLIC_KEY__INIT;
	Tz__PublicKey *answer;
	size_t i;

	request.n_address_n = 3;
	request.address_n = (uint32_t *)account;
	start_session(MNEMONIC_ALL, SIM_MODEL_ONE);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		request.has_script_type = true;
		request.script_type = (Tz__InputScriptType)cases[i].script;
		request.has_ignore_xpub_magic = true;
		request.ignore_xpub_magic = cases[i].plain;
		send_request(MSG_GET_PUBLIC_KEY, &request.base);
		answer = (Tz__PublicKey *)only_reply(MSG_PUBLIC_KEY, &tz__public_key__descriptor);
		ck_assert_int_eq(strncmp(answer->xpub, cases[i].prefix, 4), 0);
		protobuf_c_message_free_unpacked(&answer->base, NULL);
	}
	request.script_type = TZ__INPUT_SCRIPT_TYPE__EXTERNAL;
	send_request(MSG_GET_PUBLIC_KEY, &request.base);
	assert_failure(DATA_ERROR, "Invalid combination of coin and script_type");
	stop_device();
}
END_TEST

/* Ping: no session needed; button_protection asks ProtectCall (a core model: "ping"). */
START_TEST(ping_per_firmware)
{
	Tz__Ping ping = TZ__PING__INIT;

	start_device(MNEMONIC_ALL, SIM_MODEL_ONE);
	ping.message = (char *)"hello";
	send_request(MSG_PING, &ping.base);
	assert_success("hello");
	ping.message = NULL;
	send_request(MSG_PING, &ping.base);
	assert_success(NULL);                   /* a Trezor One copies only a message given */
	ping.has_button_protection = ping.button_protection = true;
	send_request(MSG_PING, &ping.base);
	assert_button_request(BUTTON_PROTECT_CALL);
	press_button();
	assert_success(NULL);
	stop_device();
	start_device(MNEMONIC_ALL, SIM_MODEL_SAFE_5);
	send_request(MSG_PING, &ping.base);
	assert_button(BUTTON_PROTECT_CALL, "ping", 1);
	press_button();
	assert_success("");                     /* a core model's default message */
	stop_device();
}
END_TEST

/* GetECDHSessionKey: 04 || X || Y of our key times the peer's, and the m/17' key. */
START_TEST(ecdh_session_key)
{
	Tz__GetECDHSessionKey request = TZ__GET_ECDHSESSION_KEY__INIT;
	Tz__IdentityType identity = TZ__IDENTITY_TYPE__INIT;
	Tz__ECDHSessionKey *answer;
	uint8_t seed[SIM_SEED_SIZE], peer[33], expected[65];
	uint32_t path[5];
	struct sim_node node;
	size_t i;

	hex_to_bytes(GPG_VECTOR_KEY, peer, sizeof(peer));
	ck_assert(sim_bip39_seed(MNEMONIC_ALL, "", seed));
	sim_slip13_path("gpg", "alice", "example.com", NULL, NULL, 0, path);
	path[0] = 0x80000000u | 17;
	ck_assert(sim_slip10_derive(SIM_CURVE_NIST256P1, seed, sizeof(seed), path, 5, &node));
	ck_assert(sim_ecdh(SIM_CURVE_NIST256P1, node.private_key, peer, sizeof(peer), expected));
	identity.proto = (char *)"gpg";
	identity.user = (char *)"alice";
	identity.host = (char *)"example.com";
	request.identity = &identity;
	request.has_peer_public_key = true;
	request.peer_public_key.data = peer;
	request.peer_public_key.len = sizeof(peer);
	request.ecdsa_curve_name = (char *)"nist256p1";
	for (i = 0; i < 2; i++) {
		start_session(MNEMONIC_ALL, i == 0 ? SIM_MODEL_ONE : SIM_MODEL_SAFE_5);
		send_request(MSG_GET_ECDH_SESSION_KEY, &request.base);
		if (i == 0)
			assert_button_request(BUTTON_PROTECT_CALL);
		else
			assert_button(BUTTON_OTHER, "confirm_address", 1);
		press_button();
		answer = (Tz__ECDHSessionKey *)only_reply(MSG_ECDH_SESSION_KEY,
							  &tz__ecdhsession_key__descriptor);
		ck_assert_uint_eq(answer->session_key.len, 65);
		ck_assert_mem_eq(answer->session_key.data, expected, 65);
		ck_assert_mem_eq(answer->public_key.data, node.public_key, 33);
		protobuf_c_message_free_unpacked(&answer->base, NULL);
		stop_device();
	}
	/* A peer key that is no point. */
	start_session(MNEMONIC_ALL, SIM_MODEL_ONE);
	peer[1] ^= 0xff;
	while (ec_p256_decompress(peer, expected))
		peer[32]++;
	send_request(MSG_GET_ECDH_SESSION_KEY, &request.base);
	press_button();
	assert_failure(TZ__FAILURE_TYPE__Failure_ProcessError, "Error getting ECDH session key");
	stop_device();
}
END_TEST

START_TEST(decline_cancels)
{
	struct sim_options options = sim_test_options(MNEMONIC_ALL, SIM_MODEL_ONE);
	size_t i;

	options.decline = true;
	start_with(&options);
	initialize_ok();
	sign_alice();
	assert_failure(ACTION_CANCELLED, "Action cancelled by user");
	stop_device();
	for (i = 0; i < 3; i++) {
		options.model = core_models[i];
		start_with(&options);
		initialize_ok();
		request_signature_on("gpg", "nist256p1", (const uint8_t *)"0123456789abcdef"
			"0123456789abcdef", 32);
		assert_button(BUTTON_OTHER, "sign_identity", 2);
		press_button();
		assert_failure(ACTION_CANCELLED, "Cancelled");
		stop_device();
	}
}
END_TEST

START_TEST(decline_after_confirmations)
{
	struct sim_options options = sim_test_options(MNEMONIC_ALL, SIM_MODEL_ONE);

	options.decline_after = 1;
	start_with(&options);
	initialize_ok();
	sign_alice();
	assert_signed(GPG_VECTOR_KEY, GPG_VECTOR_SIGNATURE);
	sign_alice();
	assert_failure(ACTION_CANCELLED, "Action cancelled by user");
	stop_device();
}
END_TEST

/* Core models confirm SignIdentity with ButtonRequest Other "sign_identity", 2 pages. */
START_TEST(core_sign_identity_button)
{
	uint8_t challenge[32];
	size_t i;

	gpg_challenge(challenge);
	for (i = 0; i < 3; i++) {
		start_session(MNEMONIC_ALL, core_models[i]);
		request_signature("gpg", "alice", "example.com", 0, challenge, sizeof(challenge));
		assert_button(BUTTON_OTHER, "sign_identity", 2);
		press_button();
		assert_signed(GPG_VECTOR_KEY, GPG_VECTOR_SIGNATURE);
		stop_device();
	}
}
END_TEST

START_TEST(person_takes_time)
{
	struct sim_options options = sim_test_options(MNEMONIC_ALL, SIM_MODEL_ONE);
	Tz__ButtonAck ack = TZ__BUTTON_ACK__INIT;
	uint8_t challenge[32];

	gpg_challenge(challenge);
	options.confirm_delay_ms = 1000;
	start_with(&options);
	initialize_ok();
	request_signature("gpg", "alice", "example.com", 0, challenge, sizeof(challenge));
	assert_button_request(BUTTON_PROTECT_CALL);
	send_at(MSG_BUTTON_ACK, &ack.base, 5000);
	assert_nothing();
	ck_assert_int_eq(sim_device_next_event(&device), 6000);
	sim_device_tick(&device, 5999);
	assert_nothing();
	sim_device_tick(&device, 6000);
	assert_signed(GPG_VECTOR_KEY, GPG_VECTOR_SIGNATURE);
	ck_assert_int_eq(sim_device_next_event(&device), -1);
	stop_device();
}
END_TEST

/* --sign-delay and --derive-delay: the answer comes when the work is done. */
START_TEST(device_takes_time_to_compute)
{
	struct sim_options options = sim_test_options(MNEMONIC_ALL, SIM_MODEL_ONE);

	options.sign_delay_ms = 20;
	options.derive_delay_ms = 7;
	start_with(&options);
	initialize_ok();
	request_public_key(gpg_alice_path, 5, "nist256p1");
	assert_nothing();
	ck_assert_int_eq(sim_device_next_event(&device), 7);
	sim_device_tick(&device, 6);
	assert_nothing();
	sim_device_tick(&device, 7);
	assert_public_key(GPG_VECTOR_KEY);
	ck_assert_int_eq(sim_device_next_event(&device), -1);

	/* The button first, then 20 ms of signing from the press. */
	sign_alice();
	assert_nothing();
	ck_assert_int_eq(sim_device_next_event(&device), 27);
	sim_device_clear_outbox(&device);
	sim_device_tick(&device, 26);
	assert_nothing();
	sim_device_tick(&device, 27);
	assert_signed(GPG_VECTOR_KEY, GPG_VECTOR_SIGNATURE);
	stop_device();
}
END_TEST

static Suite *sim_suite(void)
{
	Suite *suite = suite_create("sim");
	TCase *vectors = tcase_create("vectors");
	TCase *curves = tcase_create("curves and protos");
	TCase *requests = tcase_create("requests");
	TCase *person = tcase_create("person");

	tcase_add_test(vectors, firmware_ssh_vector);
	tcase_add_test(vectors, emulator_gpg_vector);
	tcase_add_test(vectors, public_key_of_gpg_identity);
	tcase_add_test(vectors, ssh_proto_gives_another_key);
	tcase_add_test(curves, gpg_challenge_not_32_bytes);
	tcase_add_test(curves, secp256k1_sign_identity_address);
	tcase_add_test(curves, https_proto_bitcoin_message_signature);
	tcase_add_test(curves, ed25519_public_key);
	tcase_add_test(curves, ed25519_sign_ssh_vector);
	tcase_add_test(curves, ed25519_gpg_and_signify_sign_as_is);
	tcase_add_test(curves, signify_needs_ed25519);
	tcase_add_test(curves, ed25519_non_hardened_path);
	tcase_add_test(curves, t1_unknown_curve);
	tcase_add_test(curves, core_unknown_curve);
	tcase_add_test(requests, get_address_bitcoin);
	tcase_add_test(requests, get_address_testnet);
	tcase_add_test(requests, get_address_forbidden_path);
	tcase_add_test(requests, get_address_shown);
	tcase_add_test(requests, get_public_key_show_display);
	tcase_add_test(requests, get_public_key_script_types);
	tcase_add_test(requests, ping_per_firmware);
	tcase_add_test(requests, ecdh_session_key);
	tcase_add_test(person, decline_cancels);
	tcase_add_test(person, decline_after_confirmations);
	tcase_add_test(person, core_sign_identity_button);
	tcase_add_test(person, person_takes_time);
	tcase_add_test(person, device_takes_time_to_compute);
	suite_add_tcase(suite, vectors);
	suite_add_tcase(suite, curves);
	suite_add_tcase(suite, requests);
	suite_add_tcase(suite, person);
	return suite;
}

int main(void)
{
	return run_suite(sim_suite());
}

/* proto/trezor.proto as protobuf-c compiles it: the bytes a Trezor expects. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "trezor.pb-c.h"

/* Pack into a fresh buffer. */
static uint8_t *pack(const ProtobufCMessage *message, size_t *length)
{
	uint8_t *bytes;

	*length = protobuf_c_message_get_packed_size(message);
	bytes = malloc(*length + 1);
	ck_assert_ptr_nonnull(bytes);
	ck_assert_uint_eq(protobuf_c_message_pack(message, bytes), *length);
	return bytes;
}

static void assert_packs_to(const ProtobufCMessage *message, const char *hex)
{
	uint8_t expected[512];
	size_t expected_length = hex_to_bytes(hex, expected, sizeof(expected)), length;
	uint8_t *bytes = pack(message, &length);

	ck_assert_uint_eq(length, expected_length);
	ck_assert_mem_eq(bytes, expected, length);
	free(bytes);
}

/* pack -> unpack -> pack gives the same bytes, and returns the unpacked copy. */
static ProtobufCMessage *round_trip(const ProtobufCMessage *message)
{
	size_t length, again_length;
	uint8_t *bytes = pack(message, &length), *again;
	ProtobufCMessage *copy = protobuf_c_message_unpack(message->descriptor, NULL, length, bytes);

	ck_assert_ptr_nonnull(copy);
	again = pack(copy, &again_length);
	ck_assert_uint_eq(again_length, length);
	ck_assert_mem_eq(again, bytes, length);
	free(again);
	free(bytes);
	return copy;
}

static ProtobufCMessage *unpack_hex(const ProtobufCMessageDescriptor *descriptor, const char *hex)
{
	uint8_t bytes[512];
	size_t length = hex_to_bytes(hex, bytes, sizeof(bytes));

	return protobuf_c_message_unpack(descriptor, NULL, length, bytes);
}

START_TEST(address_n_goes_out_unpacked)
{
	Tz__GetPublicKey request = TZ__GET_PUBLIC_KEY__INIT;
	uint32_t path[3] = { 0x8000000d, 1, 2 };

	request.n_address_n = 3;
	request.address_n = path;
	request.ecdsa_curve_name = (char *)"nist256p1";
	/* One tag (08) per element, never the packed form (0a LEN ...). */
	assert_packs_to(&request.base, "088d80808008" "0801" "0802" "12096e6973743235367031");
}
END_TEST

START_TEST(sign_identity_bytes)
{
	Tz__SignIdentity request = TZ__SIGN_IDENTITY__INIT;
	Tz__IdentityType identity = TZ__IDENTITY_TYPE__INIT;
	uint8_t challenge[2] = { 0x01, 0x02 };

	identity.proto = (char *)"gpg";
	identity.host = (char *)"h";
	identity.has_index = true;
	identity.index = 0;
	request.identity = &identity;
	request.has_challenge_hidden = true;
	request.challenge_hidden.data = challenge;
	request.challenge_hidden.len = 2;
	request.ecdsa_curve_name = (char *)"nist256p1";
	assert_packs_to(&request.base,
			"0a0a" "0a03677067" "1a0168" "3000"   /* identity {proto, host, index} */
			"12020102"                            /* challenge_hidden */
			"22096e6973743235367031");            /* ecdsa_curve_name */
}
END_TEST

START_TEST(features_skips_unknown_fields)
{
	/* vendor, versions 1.12.1, an unknown bytes field 9, unknown varint 99,
	 * unknown fixed32 98 and fixed64 97, model "T", capability 17. */
	Tz__Features *features = (Tz__Features *)unpack_hex(&tz__features__descriptor,
		"0a097472657a6f722e696f" "1001" "180c" "2001"
		"4a02aabb" "980601" "9506deadbeef" "89060102030405060708"
		"aa010154" "f00111");

	ck_assert_ptr_nonnull(features);
	ck_assert_str_eq(features->vendor, "trezor.io");
	ck_assert_uint_eq(features->major_version, 1);
	ck_assert_uint_eq(features->minor_version, 12);
	ck_assert_uint_eq(features->patch_version, 1);
	ck_assert_str_eq(features->model, "T");
	ck_assert_uint_eq(features->n_capabilities, 1);
	ck_assert_int_eq(features->capabilities[0], TZ__CAPABILITY__Capability_PassphraseEntry);
	ck_assert(!features->has_bootloader_mode);
	protobuf_c_message_free_unpacked(&features->base, NULL);
}
END_TEST

START_TEST(features_packed_capabilities)
{
	Tz__Features *features = (Tz__Features *)unpack_hex(&tz__features__descriptor,
		"1002" "1808" "2001" "f201020511");

	ck_assert_ptr_nonnull(features);
	ck_assert_uint_eq(features->n_capabilities, 2);
	ck_assert_int_eq(features->capabilities[0], TZ__CAPABILITY__Capability_Crypto);
	ck_assert_int_eq(features->capabilities[1], TZ__CAPABILITY__Capability_PassphraseEntry);
	protobuf_c_message_free_unpacked(&features->base, NULL);
}
END_TEST

START_TEST(features_without_versions_refused)
{
	ck_assert_ptr_null(unpack_hex(&tz__features__descriptor, "0a097472657a6f722e696f"));
}
END_TEST

START_TEST(failure_with_unknown_code)
{
	/* code 1234, message "x": a newer firmware's code still decodes. */
	Tz__Failure *failure = (Tz__Failure *)unpack_hex(&tz__failure__descriptor,
							  "08d209" "120178");

	ck_assert_ptr_nonnull(failure);
	ck_assert(failure->has_code);
	ck_assert_int_eq(failure->code, 1234);
	ck_assert_str_eq(failure->message, "x");
	protobuf_c_message_free_unpacked(&failure->base, NULL);
}
END_TEST

START_TEST(safe7_reply_is_invalid_protocol)
{
	/* The fixed Safe 7 answer: ?## 0003 00000002 08 11 */
	Tz__Failure *failure = (Tz__Failure *)unpack_hex(&tz__failure__descriptor, "0811");

	ck_assert_ptr_nonnull(failure);
	ck_assert_int_eq(failure->code, TZ__FAILURE_TYPE__Failure_InvalidProtocol);
	protobuf_c_message_free_unpacked(&failure->base, NULL);
}
END_TEST

START_TEST(public_key_needs_its_node)
{
	ck_assert_ptr_null(unpack_hex(&tz__public_key__descriptor, "1203787075"));
}
END_TEST

/* Every message we use survives pack -> unpack -> pack. */
START_TEST(every_message_round_trips)
{
	uint8_t session[4] = { 1, 2, 3, 4 }, point[33] = { 0x02 }, sig[65] = { 0 };
	uint32_t path[2] = { 0x8000000d, 7 };
	Tz__Capability capabilities[2] = { TZ__CAPABILITY__Capability_Crypto,
					   TZ__CAPABILITY__Capability_PassphraseEntry };
	Tz__Initialize initialize = TZ__INITIALIZE__INIT;
	Tz__Ping ping = TZ__PING__INIT;
	Tz__Success success = TZ__SUCCESS__INIT;
	Tz__Failure failure = TZ__FAILURE__INIT;
	Tz__GetPublicKey get_public_key = TZ__GET_PUBLIC_KEY__INIT;
	Tz__HDNodeType node = TZ__HDNODE_TYPE__INIT;
	Tz__PublicKey public_key = TZ__PUBLIC_KEY__INIT;
	Tz__Features features = TZ__FEATURES__INIT;
	Tz__PinMatrixRequest pin_request = TZ__PIN_MATRIX_REQUEST__INIT;
	Tz__PinMatrixAck pin_ack = TZ__PIN_MATRIX_ACK__INIT;
	Tz__Cancel cancel = TZ__CANCEL__INIT;
	Tz__LockDevice lock = TZ__LOCK_DEVICE__INIT;
	Tz__ButtonRequest button_request = TZ__BUTTON_REQUEST__INIT;
	Tz__ButtonAck button_ack = TZ__BUTTON_ACK__INIT;
	Tz__PassphraseRequest passphrase_request = TZ__PASSPHRASE_REQUEST__INIT;
	Tz__PassphraseAck passphrase_ack = TZ__PASSPHRASE_ACK__INIT;
	Tz__IdentityType identity = TZ__IDENTITY_TYPE__INIT;
	Tz__SignIdentity sign_identity = TZ__SIGN_IDENTITY__INIT;
	Tz__SignedIdentity signed_identity = TZ__SIGNED_IDENTITY__INIT;
	Tz__GetFeatures get_features = TZ__GET_FEATURES__INIT;
	Tz__GetECDHSessionKey get_ecdh = TZ__GET_ECDHSESSION_KEY__INIT;
	Tz__ECDHSessionKey ecdh = TZ__ECDHSESSION_KEY__INIT;
	Tz__EndSession end_session = TZ__END_SESSION__INIT;
	Tz__DebugLinkDecision decision = TZ__DEBUG_LINK_DECISION__INIT;
	ProtobufCMessage *copy;

	initialize.has_session_id = true;
	initialize.session_id.data = session;
	initialize.session_id.len = sizeof(session);
	ping.message = (char *)"hello";
	ping.has_button_protection = true;
	ping.button_protection = true;
	success.message = (char *)"ok";
	failure.has_code = true;
	failure.code = TZ__FAILURE_TYPE__Failure_ActionCancelled;
	failure.message = (char *)"Action cancelled by user";
	get_public_key.n_address_n = 2;
	get_public_key.address_n = path;
	get_public_key.ecdsa_curve_name = (char *)"nist256p1";
	get_public_key.has_show_display = true;
	node.depth = 5;
	node.fingerprint = 0x11223344;
	node.child_num = 0x80000001;
	node.chain_code.data = sig;
	node.chain_code.len = 32;
	node.public_key.data = point;
	node.public_key.len = sizeof(point);
	public_key.node = &node;
	public_key.xpub = (char *)"xpub";
	features.vendor = (char *)"trezor.io";
	features.major_version = 2;
	features.minor_version = 8;
	features.patch_version = 1;
	features.device_id = (char *)"0123456789ABCDEF01234567";
	features.label = (char *)"My Trezor";
	features.model = (char *)"Safe 5";
	features.internal_model = (char *)"T3T1";
	features.n_capabilities = 2;
	features.capabilities = capabilities;
	features.has_session_id = true;
	features.session_id.data = session;
	features.session_id.len = sizeof(session);
	features.has_unlocked = true;
	features.unlocked = true;
	pin_request.has_type = true;
	pin_request.type = TZ__PIN_MATRIX_REQUEST_TYPE__PinMatrixRequestType_Current;
	pin_ack.pin = (char *)"1357";
	button_request.has_code = true;
	button_request.code = TZ__BUTTON_REQUEST_TYPE__ButtonRequest_ProtectCall;
	passphrase_ack.passphrase = (char *)"secret";
	passphrase_ack.has_on_device = true;
	identity.proto = (char *)"gpg";
	identity.user = (char *)"alice";
	identity.host = (char *)"example.com";
	identity.port = (char *)"22";
	identity.path = (char *)"/x";
	identity.has_index = true;
	identity.index = 3;
	sign_identity.identity = &identity;
	sign_identity.has_challenge_hidden = true;
	sign_identity.challenge_hidden.data = sig;
	sign_identity.challenge_hidden.len = 32;
	sign_identity.challenge_visual = (char *)"ssh";
	sign_identity.ecdsa_curve_name = (char *)"nist256p1";
	signed_identity.public_key.data = point;
	signed_identity.public_key.len = sizeof(point);
	signed_identity.signature.data = sig;
	signed_identity.signature.len = sizeof(sig);
	get_ecdh.identity = &identity;
	get_ecdh.has_peer_public_key = true;
	get_ecdh.peer_public_key.data = point;
	get_ecdh.peer_public_key.len = sizeof(point);
	ecdh.has_session_key = true;
	ecdh.session_key.data = sig;
	ecdh.session_key.len = sizeof(sig);
	decision.has_button = true;
	decision.button = TZ__DEBUG_BUTTON__DebugButton_YES;

	const ProtobufCMessage *all[] = {
		&initialize.base, &ping.base, &success.base, &failure.base,
		&get_public_key.base, &public_key.base, &features.base, &pin_request.base,
		&pin_ack.base, &cancel.base, &lock.base, &button_request.base, &button_ack.base,
		&passphrase_request.base, &passphrase_ack.base, &sign_identity.base,
		&signed_identity.base, &get_features.base, &get_ecdh.base, &ecdh.base,
		&end_session.base, &decision.base,
	};
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		copy = round_trip(all[i]);
		protobuf_c_message_free_unpacked(copy, NULL);
	}

	/* And the fields come back as they went. */
	copy = round_trip(&sign_identity.base);
	ck_assert_str_eq(((Tz__SignIdentity *)copy)->identity->user, "alice");
	ck_assert_uint_eq(((Tz__SignIdentity *)copy)->identity->index, 3);
	protobuf_c_message_free_unpacked(copy, NULL);
	copy = round_trip(&features.base);
	ck_assert_str_eq(((Tz__Features *)copy)->model, "Safe 5");
	ck_assert_uint_eq(((Tz__Features *)copy)->session_id.len, 4);
	protobuf_c_message_free_unpacked(copy, NULL);
}
END_TEST

static Suite *proto_suite(void)
{
	Suite *suite = suite_create("proto");
	TCase *tc = tcase_create("messages");

	tcase_add_test(tc, address_n_goes_out_unpacked);
	tcase_add_test(tc, sign_identity_bytes);
	tcase_add_test(tc, features_skips_unknown_fields);
	tcase_add_test(tc, features_packed_capabilities);
	tcase_add_test(tc, features_without_versions_refused);
	tcase_add_test(tc, failure_with_unknown_code);
	tcase_add_test(tc, safe7_reply_is_invalid_protocol);
	tcase_add_test(tc, public_key_needs_its_node);
	tcase_add_test(tc, every_message_round_trips);
	suite_add_tcase(suite, tc);
	return suite;
}

int main(void)
{
	return run_suite(proto_suite());
}

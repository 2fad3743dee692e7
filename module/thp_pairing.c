/* Pairing by code entry, and the credentials it brings. See thp_pairing.h. */
#include "config.h"

#include "thp_pairing.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "log.h"
#include "messages.h"
#include "thp.h"
#include "thp_connect.h"
#include "trezor.pb-c.h"
#include "trezor_call.h"

#define CHALLENGE_SIZE 16               /* the specification's HP2; the firmware takes any */
#define SECRET_MAX 64

/* What pairing learns on its way, all wiped at the end. */
struct pairing {
	uint8_t commitment[THP_HASH_SIZE];
	uint8_t challenge[CHALLENGE_SIZE];
	uint8_t trezor_cpace[THP_KEY_SIZE];
	char code[TREZOR_CODE_SIZE + 1];
	uint8_t secret[SECRET_MAX];
	size_t secret_length;
};

static struct thp_link *link_of(struct trezor_device *device)
{
	return device->transport->thp;
}

/* A reply's bytes field of exactly `size` bytes, copied to out. */
static enum trezor_status take_bytes(struct trezor_device *device, const ProtobufCBinaryData *field,
				     size_t size, uint8_t *out, const char *what)
{
	if (field->len != size)
		return trezor_fail(device, TREZOR_ERR_PROTOCOL, "the Trezor sent a %s of %zu bytes, "
				   "not %zu", what, field->len, size);
	memcpy(out, field->data, size);
	return TREZOR_OK;
}

/* HP0, HP1: the person allows pairing on the device; code entry is chosen. */
static enum trezor_status request_pairing(struct trezor_device *device, struct pairing *p)
{
	Tz__ThpPairingRequest request = TZ__THP_PAIRING_REQUEST__INIT;
	Tz__ThpSelectMethod select = TZ__THP_SELECT_METHOD__INIT;
	char host[256];
	ProtobufCMessage *reply;
	enum trezor_status status;

	thp_connect_host_name(host, sizeof(host));
	request.host_name = host;
	request.app_name = (char *)THP_APP_NAME;
	status = trezor_exchange(device, MSG_THP_PAIRING_REQUEST, &request.base,
				 MSG_THP_PAIRING_REQUEST_APPROVED,
				 &tz__thp_pairing_request_approved__descriptor, &reply);
	if (status == TREZOR_ERR_CANCELLED)
		return trezor_fail(device, status, "pairing was refused on the Trezor");
	if (status != TREZOR_OK)
		return status;
	protobuf_c_message_free_unpacked(reply, NULL);
	if (!link_of(device)->properties.code_entry)
		return trezor_fail(device, TREZOR_ERR_PROTOCOL, "the Trezor offers no pairing by "
				   "code entry, the one trezor-pkcs11 knows");
	select.selected_pairing_method = TZ__THP_PAIRING_METHOD__ThpPairingMethod_CodeEntry;
	status = trezor_exchange(device, MSG_THP_SELECT_METHOD, &select.base,
				 MSG_THP_CODE_ENTRY_COMMITMENT,
				 &tz__thp_code_entry_commitment__descriptor, &reply);
	if (status != TREZOR_OK)
		return status;
	status = take_bytes(device, &((Tz__ThpCodeEntryCommitment *)reply)->commitment,
			    THP_HASH_SIZE, p->commitment, "commitment");
	protobuf_c_message_free_unpacked(reply, NULL);
	return status;
}

/* HP2, HP3a: our challenge; the device's CPace key, and the code on its screen. */
static enum trezor_status exchange_challenge(struct trezor_device *device, struct pairing *p)
{
	Tz__ThpCodeEntryChallenge challenge = TZ__THP_CODE_ENTRY_CHALLENGE__INIT;
	ProtobufCMessage *reply;
	enum trezor_status status;

	if (!thp_random(p->challenge, sizeof(p->challenge)))
		return trezor_fail(device, TREZOR_ERR_NO_MEMORY, "no random numbers");
	challenge.challenge.data = p->challenge;
	challenge.challenge.len = sizeof(p->challenge);
	status = trezor_exchange(device, MSG_THP_CODE_ENTRY_CHALLENGE, &challenge.base,
				 MSG_THP_CODE_ENTRY_CPACE_TREZOR,
				 &tz__thp_code_entry_cpace_trezor__descriptor, &reply);
	if (status != TREZOR_OK)
		return status;
	status = take_bytes(device, &((Tz__ThpCodeEntryCpaceTrezor *)reply)->cpace_trezor_public_key,
			    THP_KEY_SIZE, p->trezor_cpace, "CPace key");
	protobuf_c_message_free_unpacked(reply, NULL);
	return status;
}

/* Six digits, spaces allowed between them ("123 456", as the device shows it). */
static bool normalise_code(const char *typed, char code[TREZOR_CODE_SIZE + 1])
{
	size_t n = 0, i;

	for (i = 0; typed[i] != '\0'; i++) {
		if (typed[i] == ' ')
			continue;
		if (typed[i] < '0' || typed[i] > '9' || n == TREZOR_CODE_SIZE)
			return false;
		code[n++] = typed[i];
	}
	code[n] = '\0';
	return n == TREZOR_CODE_SIZE;
}

/* The person types the code; on no answer the device is told to stop. */
static enum trezor_status ask_code(struct trezor_device *device, struct pairing *p)
{
	char error[TREZOR_ERROR_MAX] = "", typed[TREZOR_CODE_TYPED_MAX + 1] = "";
	enum trezor_status status = TREZOR_ERR_NEEDS_INPUT;
	Tz__Cancel cancel = TZ__CANCEL__INIT;
	uint8_t packed[8];

	if (device->prompts != NULL && device->prompts->pairing_code != NULL)
		status = device->prompts->pairing_code(device->prompts->context, typed, error,
						       sizeof(error));
	else
		snprintf(error, sizeof(error), "the Trezor shows a code to pair it with this "
			 "computer, and nobody can be asked to type it: run trezor-pkcs11 pair");
	if (status == TREZOR_OK && normalise_code(typed, p->code)) {
		explicit_bzero(typed, sizeof(typed));
		return TREZOR_OK;
	}
	explicit_bzero(typed, sizeof(typed));
	if (status == TREZOR_OK) {
		status = TREZOR_ERR_WRONG_CODE;
		snprintf(error, sizeof(error), "the code must be the six digits the Trezor shows; "
			 "nothing was paired");
	}
	/* The device's code screen closes the channel on Cancel, without a word. */
	transport_send_message(device->transport, MSG_CANCEL, packed,
			       protobuf_c_message_pack(&cancel.base, packed));
	thp_link_close(link_of(device));
	return trezor_fail(device, status, "%s", error);
}

/* HP4, HP5: CPace with the code; the device reveals its secret only for the right one. */
static enum trezor_status prove_code(struct trezor_device *device, struct pairing *p)
{
	Tz__ThpCodeEntryCpaceHostTag tag = TZ__THP_CODE_ENTRY_CPACE_HOST_TAG__INIT;
	uint8_t generator[THP_KEY_SIZE], private_key[THP_KEY_SIZE], public_key[THP_KEY_SIZE];
	uint8_t shared[THP_KEY_SIZE], digest[THP_HASH_SIZE];
	struct thp_chunk chunk = { shared, sizeof(shared) };
	const ProtobufCBinaryData *secret;
	ProtobufCMessage *reply;
	enum trezor_status status = TREZOR_ERR_PROTOCOL;

	if (thp_cpace_generator((const uint8_t *)p->code, TREZOR_CODE_SIZE,
				link_of(device)->keys.handshake_hash, THP_HASH_SIZE, NULL, 0,
				generator) &&
	    thp_random(private_key, sizeof(private_key)) &&
	    thp_x25519(private_key, generator, public_key) &&
	    thp_x25519(private_key, p->trezor_cpace, shared)) {
		thp_sha256(&chunk, 1, digest);
		status = TREZOR_OK;
	}
	explicit_bzero(private_key, sizeof(private_key));
	explicit_bzero(shared, sizeof(shared));
	explicit_bzero(generator, sizeof(generator));
	if (status != TREZOR_OK)
		return trezor_fail(device, status, "the Trezor's CPace key is a low-order point: "
				   "refused");
	tag.cpace_host_public_key.data = public_key;
	tag.cpace_host_public_key.len = sizeof(public_key);
	tag.tag.data = digest;
	tag.tag.len = sizeof(digest);
	status = trezor_exchange(device, MSG_THP_CODE_ENTRY_CPACE_HOST_TAG, &tag.base,
				 MSG_THP_CODE_ENTRY_SECRET, &tz__thp_code_entry_secret__descriptor,
				 &reply);
	if (status == TREZOR_ERR_FAILURE &&
	    device->failure_code == TZ__FAILURE_TYPE__Failure_DataError)
		return trezor_fail(device, TREZOR_ERR_WRONG_CODE, "the code typed is not the one "
				   "the Trezor showed: nothing was paired (try again)");
	if (status != TREZOR_OK)
		return status;
	secret = &((Tz__ThpCodeEntrySecret *)reply)->secret;
	p->secret_length = secret->len <= SECRET_MAX ? secret->len : 0;
	memcpy(p->secret, secret->data, p->secret_length);
	protobuf_c_message_free_unpacked(reply, NULL);
	return TREZOR_OK;
}

/* SHA-256(0x02 || handshake hash || secret || challenge), big-endian, mod 10^6. */
static void code_from(const uint8_t handshake_hash[THP_HASH_SIZE], const struct pairing *p,
		      char code[TREZOR_CODE_SIZE + 1])
{
	static const uint8_t code_entry = TZ__THP_PAIRING_METHOD__ThpPairingMethod_CodeEntry;
	struct thp_chunk chunks[4] = { { &code_entry, 1 }, { handshake_hash, THP_HASH_SIZE },
				       { p->secret, p->secret_length },
				       { p->challenge, sizeof(p->challenge) } };
	uint8_t digest[THP_HASH_SIZE];
	uint64_t value = 0;
	size_t i;

	thp_sha256(chunks, 4, digest);
	for (i = 0; i < sizeof(digest); i++)
		value = (value * 256 + digest[i]) % 1000000;
	snprintf(code, TREZOR_CODE_SIZE + 1, "%06u", (unsigned)value);
}

/* The commitment and the code must follow from the secret: else a man in the middle. */
static enum trezor_status check_secret(struct trezor_device *device, struct pairing *p)
{
	struct thp_chunk chunk = { p->secret, p->secret_length };
	uint8_t digest[THP_HASH_SIZE];
	char code[TREZOR_CODE_SIZE + 1];

	thp_sha256(&chunk, 1, digest);
	code_from(link_of(device)->keys.handshake_hash, p, code);
	if (p->secret_length == 0 || CRYPTO_memcmp(digest, p->commitment, sizeof(digest)) != 0 ||
	    strcmp(code, p->code) != 0) {
		thp_link_close(link_of(device));
		return trezor_fail(device, TREZOR_ERR_PROTOCOL, "the Trezor's pairing secret does "
				   "not match its commitment and code: the device on the other end "
				   "is not the one that showed the code; nothing was paired");
	}
	return TREZOR_OK;
}

/*
 * ThpCredentialRequest: a credential for our key (autoconnect as asked,
 * upgrading `held` when given), checked to come from the device of the
 * handshake, and kept.
 */
static enum trezor_status get_credential(struct trezor_device *device,
					 const struct thp_credentials *credentials, bool autoconnect,
					 const struct thp_stored *held)
{
	struct thp_link *link = link_of(device);
	Tz__ThpCredentialRequest request = TZ__THP_CREDENTIAL_REQUEST__INIT;
	const Tz__ThpCredentialResponse *response;
	struct thp_stored entry;
	ProtobufCMessage *reply;
	enum trezor_status status;

	request.host_static_public_key.data = (uint8_t *)credentials->host_public;
	request.host_static_public_key.len = THP_KEY_SIZE;
	request.has_autoconnect = true;
	request.autoconnect = autoconnect;
	if (held != NULL) {
		request.has_credential = true;
		request.credential.data = (uint8_t *)held->device.credential;
		request.credential.len = held->device.credential_length;
	}
	status = trezor_exchange(device, MSG_THP_CREDENTIAL_REQUEST, &request.base,
				 MSG_THP_CREDENTIAL_RESPONSE, &tz__thp_credential_response__descriptor,
				 &reply);
	if (status != TREZOR_OK)
		return status;
	response = (const Tz__ThpCredentialResponse *)reply;
	memset(&entry, 0, sizeof(entry));
	if (response->trezor_static_public_key.len != THP_KEY_SIZE || response->credential.len == 0 ||
	    response->credential.len > THP_CREDENTIAL_MAX ||
	    !thp_static_key_matches(response->trezor_static_public_key.data,
				    link->keys.trezor_ephemeral, link->keys.trezor_masked_static)) {
		protobuf_c_message_free_unpacked(reply, NULL);
		return trezor_fail(device, TREZOR_ERR_PROTOCOL, "the Trezor issued a credential for "
				   "another static key than the one it showed: refused");
	}
	memcpy(entry.device.trezor_static, response->trezor_static_public_key.data, THP_KEY_SIZE);
	memcpy(entry.device.credential, response->credential.data, response->credential.len);
	entry.device.credential_length = response->credential.len;
	protobuf_c_message_free_unpacked(reply, NULL);
	entry.autoconnect = autoconnect;
	snprintf(entry.device_id, sizeof(entry.device_id), "%s", device->features.device_id);
	memcpy(link->trezor_static, entry.device.trezor_static, THP_KEY_SIZE);
	link->static_known = true;
	if (!thp_credentials_keep(credentials, &entry))
		log_error("the THP credential could not be kept under ${XDG_DATA_HOME:-~/.local/share}"
			  "/trezor-pkcs11: the next program pairs again");
	device->features.pairing = autoconnect ? TREZOR_PAIRING_AUTOCONNECT : TREZOR_PAIRING_CONFIRM;
	explicit_bzero(&entry, sizeof(entry));
	return TREZOR_OK;
}

static enum trezor_status end_pairing(struct trezor_device *device)
{
	Tz__ThpEndRequest request = TZ__THP_END_REQUEST__INIT;
	ProtobufCMessage *reply;
	enum trezor_status status;

	status = trezor_exchange(device, MSG_THP_END_REQUEST, &request.base, MSG_THP_END_RESPONSE,
				 &tz__thp_end_response__descriptor, &reply);
	if (status != TREZOR_OK)
		return status;
	protobuf_c_message_free_unpacked(reply, NULL);
	link_of(device)->phase = THP_PHASE_OPEN;
	return TREZOR_OK;
}

enum trezor_status thp_pair(struct trezor_device *device,
			    const struct thp_credentials *credentials)
{
	struct pairing p;
	enum trezor_status status;

	memset(&p, 0, sizeof(p));
	log_debug("THP: pairing with the Trezor by code entry");
	status = request_pairing(device, &p);
	if (status == TREZOR_OK)
		status = exchange_challenge(device, &p);
	if (status == TREZOR_OK)
		status = ask_code(device, &p);
	if (status == TREZOR_OK)
		status = prove_code(device, &p);
	if (status == TREZOR_OK)
		status = check_secret(device, &p);
	if (status == TREZOR_OK)
		status = get_credential(device, credentials, false, NULL);
	if (status == TREZOR_OK)
		status = end_pairing(device);
	explicit_bzero(&p, sizeof(p));
	if (status != TREZOR_OK) {
		thp_link_close(link_of(device));
		return status;
	}
	if (device->offer_autoconnect && thp_change_autoconnect(device, true) == TREZOR_ERR_CANCELLED)
		log_notice("The Trezor will ask to allow trezor-pkcs11 when it connects after a "
			   "restart (trezor-pkcs11 pair offers to skip that)");
	return TREZOR_OK;
}

enum trezor_status thp_change_autoconnect(struct trezor_device *device, bool autoconnect)
{
	struct thp_link *link = link_of(device);
	struct thp_credentials credentials;
	const struct thp_stored *held = NULL;
	char error[TREZOR_ERROR_MAX];
	enum trezor_status status;
	size_t i;

	if (link == NULL || link->phase != THP_PHASE_OPEN || !link->static_known)
		return trezor_fail(device, TREZOR_ERR_ARGUMENT, "the Trezor is not connected by THP");
	if (!thp_credentials_load(&credentials, error, sizeof(error)))
		return trezor_fail(device, TREZOR_ERR_TRANSPORT, "%s", error);
	for (i = 0; i < credentials.count; i++)
		if (memcmp(credentials.stored[i].device.trezor_static, link->trezor_static,
			   THP_KEY_SIZE) == 0)
			held = &credentials.stored[i];
	if (held == NULL)
		status = trezor_fail(device, TREZOR_ERR_ARGUMENT, "no credential is kept for this "
				     "Trezor");
	else
		status = get_credential(device, &credentials, autoconnect, held);
	thp_credentials_wipe(&credentials);
	return status;
}

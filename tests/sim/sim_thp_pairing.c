/*
 * The device's pairing and credential phases (specification, "Pairing
 * phase", states TP0 to TP3, and "Credential phase", TC1; the firmware's
 * core/src/apps/thp/pairing.py), and the application's ThpCredentialRequest
 * (core/src/apps/base.py), which upgrades a credential to autoconnect.
 *
 * The person's questions are the core machine's (sim_flow.c), so --decline,
 * --decline-after, --confirm-delay and the debug link act on them as on any
 * other: "Allow {app} on {host} to pair?" (thp_pairing_request), "...to
 * connect?" (thp_connection_request, on the first message of a channel whose
 * credential is not autoconnect, unless it replaces one of the host's),
 * "...to connect automatically?" (thp_autoconnect_credential_request).
 * The code the device shows goes to stderr: "pairing code: NNNNNN".
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "messages.h"
#include "sim_device.h"
#include "sim_flow.h"
#include "sim_session.h"
#include "sim_thp.h"
#include "trezor.pb-c.h"

#define CODE_ENTRY TZ__THP_PAIRING_METHOD__ThpPairingMethod_CodeEntry

static void failure(struct sim_device *device, Tz__FailureType code, const char *text)
{
	sim_device_fail(device, code, text);
}

static void answer(struct sim_device *device, uint16_t type, const ProtobufCMessage *message)
{
	sim_device_send(device, type, message);
}

/* The code shown: SHA-256(CodeEntry || handshake hash || secret || challenge) mod 10^6. */
static void show_code(struct sim_device *device, struct sim_thp_channel *channel)
{
	static const uint8_t method = CODE_ENTRY;
	struct thp_chunk parts[4] = { { &method, 1 }, { channel->handshake_hash, 32 },
				      { channel->secret, sizeof(channel->secret) },
				      { channel->challenge, channel->challenge_length } };
	uint8_t digest[32];
	unsigned value = 0;
	size_t i;

	thp_sha256(parts, 4, digest);
	for (i = 0; i < sizeof(digest); i++)
		value = (unsigned)((value * 256u + digest[i]) % 1000000u);
	snprintf(channel->code, sizeof(channel->code), "%06u", value);
	(void)device;
	fprintf(stderr, "pairing code: %s\n", channel->code);
	fflush(stderr);
}

/* ---- TP0: the pairing request, asked of the person ---------------------------------- */

static void pairing_request(struct sim_device *device, struct sim_thp_channel *channel,
			    const uint8_t *payload, size_t length)
{
	Tz__ThpPairingRequest *request = tz__thp_pairing_request__unpack(NULL, length, payload);

	if (request == NULL) {
		failure(device, TZ__FAILURE_TYPE__Failure_DataError, "Failed to decode message");
		return;
	}
	if (request->host_name == NULL || request->host_name[0] == '\0')
		failure(device, TZ__FAILURE_TYPE__Failure_DataError, "Missing host_name.");
	else if (request->app_name == NULL || request->app_name[0] == '\0')
		failure(device, TZ__FAILURE_TYPE__Failure_DataError, "Missing app_name.");
	if (request->host_name == NULL || request->host_name[0] == '\0' ||
	    request->app_name == NULL || request->app_name[0] == '\0') {
		tz__thp_pairing_request__free_unpacked(request, NULL);
		return;
	}
	snprintf(channel->host.host_name, sizeof(channel->host.host_name), "%s",
		 request->host_name);
	snprintf(channel->host.app_name, sizeof(channel->host.app_name), "%s", request->app_name);
	sim_flow_start(device, SIM_REQUEST_THP_PAIRING, &request->base);
}

/* ---- TP1 to TP3: code entry --------------------------------------------------------------- */

static void select_method(struct sim_device *device, struct sim_thp_channel *channel,
			  const uint8_t *payload, size_t length)
{
	Tz__ThpSelectMethod *request = tz__thp_select_method__unpack(NULL, length, payload);
	Tz__ThpCodeEntryCommitment commitment = TZ__THP_CODE_ENTRY_COMMITMENT__INIT;
	Tz__ThpPairingPreparationsFinished finished = TZ__THP_PAIRING_PREPARATIONS_FINISHED__INIT;
	struct thp_chunk secret = { channel->secret, sizeof(channel->secret) };
	uint8_t hash[32];

	if (request == NULL || request->selected_pairing_method != CODE_ENTRY) {
		failure(device, TZ__FAILURE_TYPE__Failure_DataError,
			"Selected pairing method is not supported");
	} else if (channel->code_entry_chosen) {
		/* Chosen again: the same code, shown again. */
		channel->phase = SIM_THP_TP3;
		fprintf(stderr, "pairing code: %s\n", channel->code);
		answer(device, MSG_THP_PAIRING_PREPARATIONS_FINISHED, &finished.base);
	} else {
		channel->code_entry_chosen = true;
		thp_random(channel->secret, sizeof(channel->secret));
		thp_sha256(&secret, 1, hash);
		commitment.commitment.data = hash;
		commitment.commitment.len = sizeof(hash);
		channel->phase = SIM_THP_TP2;
		answer(device, MSG_THP_CODE_ENTRY_COMMITMENT, &commitment.base);
	}
	if (request != NULL)
		tz__thp_select_method__free_unpacked(request, NULL);
}

static void challenge(struct sim_device *device, struct sim_thp_channel *channel,
		      const uint8_t *payload, size_t length)
{
	Tz__ThpCodeEntryChallenge *request = tz__thp_code_entry_challenge__unpack(NULL, length,
										 payload);
	Tz__ThpCodeEntryCpaceTrezor cpace = TZ__THP_CODE_ENTRY_CPACE_TREZOR__INIT;
	uint8_t generator[32];

	if (request == NULL || request->challenge.len > sizeof(channel->challenge)) {
		failure(device, TZ__FAILURE_TYPE__Failure_DataError, "Invalid message");
		if (request != NULL)
			tz__thp_code_entry_challenge__free_unpacked(request, NULL);
		return;
	}
	memcpy(channel->challenge, request->challenge.data, request->challenge.len);
	channel->challenge_length = request->challenge.len;
	tz__thp_code_entry_challenge__free_unpacked(request, NULL);
	show_code(device, channel);
	if (!thp_cpace_generator((const uint8_t *)channel->code, THP_CODE_DIGITS,
				 channel->handshake_hash, 32, NULL, 0, generator) ||
	    !thp_random(channel->cpace_private, 32) ||
	    !thp_x25519(channel->cpace_private, generator, channel->cpace_public)) {
		failure(device, TZ__FAILURE_TYPE__Failure_FirmwareError, "CPace failed");
		return;
	}
	cpace.cpace_trezor_public_key.data = channel->cpace_public;
	cpace.cpace_trezor_public_key.len = 32;
	channel->phase = SIM_THP_TP3;
	answer(device, MSG_THP_CODE_ENTRY_CPACE_TREZOR, &cpace.base);
}

/* TP3: the host's CPace key and tag; the right code reveals the secret. */
static void host_tag(struct sim_device *device, struct sim_thp_channel *channel,
		     const uint8_t *payload, size_t length)
{
	Tz__ThpCodeEntryCpaceHostTag *request = tz__thp_code_entry_cpace_host_tag__unpack(
		NULL, length, payload);
	Tz__ThpCodeEntrySecret reveal = TZ__THP_CODE_ENTRY_SECRET__INIT;
	static const uint8_t zeros[32];
	uint8_t shared[32], expected[32], other[16];
	struct thp_chunk part = { shared, sizeof(shared) };
	const char *problem = NULL;

	if (request == NULL || request->cpace_host_public_key.len != 32)
		problem = "CPACE host public key must be 32 bytes long";
	else if (memcmp(request->cpace_host_public_key.data, zeros, 32) == 0 ||
		 !thp_x25519(channel->cpace_private, request->cpace_host_public_key.data, shared))
		problem = "Invalid CPACE host public key";
	if (problem == NULL) {
		thp_sha256(&part, 1, expected);
		if (request->tag.len != 32 || CRYPTO_memcmp(expected, request->tag.data, 32) != 0)
			problem = "Unexpected Code Entry Tag";
	}
	if (request != NULL)
		tz__thp_code_entry_cpace_host_tag__free_unpacked(request, NULL);
	OPENSSL_cleanse(shared, sizeof(shared));
	if (problem != NULL) {
		channel->phase = SIM_THP_STUCK;   /* the firmware's pairing context is gone */
		failure(device, TZ__FAILURE_TYPE__Failure_DataError, problem);
		return;
	}
	reveal.secret.data = channel->secret;
	reveal.secret.len = sizeof(channel->secret);
	if (sim_fault_strikes(&device->fault, SIM_OCCASION_THP_PAIRING)) {
		sim_device_log(device, "fault %s", sim_fault_name(device->fault.mode));
		thp_random(other, sizeof(other));       /* a man in the middle's secret */
		reveal.secret.data = other;
	}
	channel->phase = SIM_THP_TC1;
	channel->connection_allowed = true;     /* just paired: no question to connect */
	device->thp->pairings++;
	answer(device, MSG_THP_CODE_ENTRY_SECRET, &reveal.base);
}

/* ---- TC1: credentials and the end ------------------------------------------------------------ */

/*
 * The channel's credential phase is over: it replaces an open one of the
 * same host key, whose sessions it takes over. The answer into *out.
 */
static void end_request(struct sim_device *device, struct sim_thp_channel *channel,
			struct sim_outgoing *out)
{
	Tz__ThpEndResponse end = TZ__THP_END_RESPONSE__INIT;
	size_t i;

	for (i = 0; i < SIM_THP_CHANNELS; i++) {
		struct sim_thp_channel *other = &device->thp->channels[i];

		if (other != channel && other->phase == SIM_THP_OPEN &&
		    memcmp(other->host_static, channel->host_static, 32) == 0) {
			sim_session_thp_migrate(device, other->id, channel->id);
			sim_thp_close(device, other, "closed (replaced by a new channel of its host)");
		}
	}
	channel->phase = SIM_THP_OPEN;
	sim_device_log(device, "THP channel %04x open", channel->id);
	sim_outgoing_pack(out, MSG_THP_END_RESPONSE, &end.base);
}

/* Does this TC1 message need the person first (the connection, autoconnect)? */
static bool asks(const struct sim_thp_channel *channel, uint16_t type, const uint8_t *payload,
		 size_t length)
{
	Tz__ThpCredentialRequest *request;
	bool autoconnect;

	if (!channel->connection_allowed)
		return true;
	if (type != MSG_THP_CREDENTIAL_REQUEST)
		return false;
	request = tz__thp_credential_request__unpack(NULL, length, payload);
	autoconnect = request != NULL && request->has_autoconnect && request->autoconnect;
	if (request != NULL)
		tz__thp_credential_request__free_unpacked(request, NULL);
	return autoconnect && channel->credential_valid;
}

static void credential_phase(struct sim_device *device, struct sim_thp_channel *channel,
			     uint16_t type, const uint8_t *payload, size_t length)
{
	const ProtobufCMessageDescriptor *descriptor = type == MSG_THP_END_REQUEST ?
		&tz__thp_end_request__descriptor : &tz__thp_credential_request__descriptor;
	ProtobufCMessage *request;

	if (type != MSG_THP_END_REQUEST && type != MSG_THP_CREDENTIAL_REQUEST) {
		failure(device, TZ__FAILURE_TYPE__Failure_UnexpectedMessage, "Unexpected message");
		return;
	}
	if (asks(channel, type, payload, length)) {
		request = protobuf_c_message_unpack(descriptor, NULL, length, payload);
		if (request == NULL)
			failure(device, TZ__FAILURE_TYPE__Failure_DataError, "Failed to decode message");
		else
			sim_flow_start(device, SIM_REQUEST_THP_CREDENTIAL, request);
		return;
	}
	if (type == MSG_THP_END_REQUEST) {
		struct sim_outgoing out = { 0 };

		end_request(device, channel, &out);
		sim_device_send_outgoing(device, &out);
	} else {
		sim_thp_credential_request(device, channel, type, payload, length);
	}
}

/* ---- the entry points -------------------------------------------------------------------------- */

/* Is the type one of the pairing context's (ThpMessageType)? */
static bool pairing_type(uint16_t type)
{
	return type == MSG_CANCEL || type == MSG_BUTTON_REQUEST || type == MSG_BUTTON_ACK ||
	       (type >= MSG_THP_PAIRING_REQUEST && type <= 1041);
}

void sim_thp_pairing_message(struct sim_device *device, struct sim_thp_channel *channel,
			     uint16_t type, const uint8_t *payload, size_t length)
{
	const char *name = message_type_name(type);

	sim_device_log(device, "<- %s", name != NULL ? name : "?");
	device->thp->session = 0;
	if (sim_flow_asks(device) && (int)type == sim_flow_awaited(device)) {
		sim_flow_take_ack(device, NULL);
		return;
	}
	if (sim_flow_busy(device))
		sim_flow_abort(device);
	if (!pairing_type(type)) {
		failure(device, TZ__FAILURE_TYPE__Failure_UnexpectedMessage,
			"Message unrecognized in pairing context");
		return;
	}
	if (type == MSG_CANCEL && channel->phase == SIM_THP_TP3) {
		sim_thp_close(device, channel, "closed (pairing cancelled by the host)");
		return;
	}
	if (type == MSG_CANCEL) {
		failure(device, TZ__FAILURE_TYPE__Failure_ActionCancelled, "Cancelled");
		return;
	}
	if (channel->phase == SIM_THP_TP0 && type == MSG_THP_PAIRING_REQUEST)
		pairing_request(device, channel, payload, length);
	else if ((channel->phase == SIM_THP_TP1 || channel->phase == SIM_THP_TP3) &&
		 type == MSG_THP_SELECT_METHOD)
		select_method(device, channel, payload, length);
	else if (channel->phase == SIM_THP_TP2 && type == MSG_THP_CODE_ENTRY_CHALLENGE)
		challenge(device, channel, payload, length);
	else if (channel->phase == SIM_THP_TP3 && type == MSG_THP_CODE_ENTRY_CPACE_HOST_TAG)
		host_tag(device, channel, payload, length);
	else if (channel->phase == SIM_THP_TC1)
		credential_phase(device, channel, type, payload, length);
	else
		failure(device, TZ__FAILURE_TYPE__Failure_UnexpectedMessage, "Unexpected message");
}

/* A credential for the host key the request names, with this metadata. */
static bool issue(struct sim_device *device, const Tz__ThpCredentialRequest *request,
		  const struct sim_thp_host *host, struct sim_outgoing *out)
{
	Tz__ThpCredentialResponse response = TZ__THP_CREDENTIAL_RESPONSE__INIT;
	uint8_t credential[128];
	size_t length = 0;

	if (request->host_static_public_key.len == 32)
		length = sim_thp_issue_credential(device, request->host_static_public_key.data, host,
						  credential);
	if (length == 0)
		return false;
	response.trezor_static_public_key.data = device->thp->static_public;
	response.trezor_static_public_key.len = 32;
	response.credential.data = credential;
	response.credential.len = length;
	sim_device_log(device, "THP credential issued (%s)",
		       host->autoconnect ? "autoconnect" : "confirm");
	return sim_outgoing_pack(out, MSG_THP_CREDENTIAL_RESPONSE, &response.base);
}

/* What a credential request is answered with: its problem, or NULL and *host. */
static const char *credential_problem(struct sim_device *device,
				      const struct sim_thp_channel *channel,
				      const Tz__ThpCredentialRequest *request,
				      struct sim_thp_host *host)
{
	bool autoconnect = request->has_autoconnect && request->autoconnect;

	if (channel->phase == SIM_THP_OPEN) {
		/* The application's handler: it upgrades a credential the host holds. */
		if (request->host_static_public_key.len != 32)
			return "Credential request must contain a host static public_key.";
		if (!request->has_credential)
			return "Credential request must contain a previously issued pairing "
			       "credential.";
		if (!sim_thp_check_credential(device, request->host_static_public_key.data,
					      request->credential.data, request->credential.len,
					      host))
			return "Credential request contains an invalid pairing credential.";
	} else {
		if (autoconnect && !channel->credential_valid)
			return "Cannot ask for autoconnect credential after pairing";
		*host = channel->host;
	}
	host->autoconnect = autoconnect;
	return NULL;
}

void sim_thp_credential_request(struct sim_device *device, struct sim_thp_channel *channel,
				uint16_t type, const uint8_t *payload, size_t length)
{
	Tz__ThpCredentialRequest *request = tz__thp_credential_request__unpack(NULL, length,
									      payload);
	struct sim_outgoing out = { 0 };
	struct sim_thp_host host;
	const char *problem;

	(void)type;
	if (request == NULL) {
		failure(device, TZ__FAILURE_TYPE__Failure_DataError, "Failed to decode message");
		return;
	}
	problem = credential_problem(device, channel, request, &host);
	if (problem != NULL) {
		failure(device, TZ__FAILURE_TYPE__Failure_DataError, problem);
		tz__thp_credential_request__free_unpacked(request, NULL);
		return;
	}
	if (host.autoconnect) {         /* the person is asked first */
		sim_flow_start(device, SIM_REQUEST_THP_CREDENTIAL, &request->base);
		return;
	}
	if (issue(device, request, &host, &out))
		sim_device_send_outgoing(device, &out);
	else
		failure(device, TZ__FAILURE_TYPE__Failure_DataError, "Credential too long");
	tz__thp_credential_request__free_unpacked(request, NULL);
}

/* ---- the questions' steps (sim_requests.c runs them) ----------------------------------- */

/* A THP question (logged "THP question: NAME" with -v, for tests to count). */
static enum sim_result question(struct sim_device *device, const char *name)
{
	sim_device_log(device, "THP question: %s", name);
	return sim_flow_ask(device, SIM_SCREEN_CONFIRM, TZ__BUTTON_REQUEST_TYPE__ButtonRequest_Other,
			    name, 1);
}

enum sim_result sim_thp_pairing_confirm(struct sim_device *device)
{
	struct sim_operation *op = &device->operation;
	struct sim_thp_channel *channel = sim_thp_channel(device, device->thp->active);
	const Tz__ThpCredentialRequest *request;

	if (channel == NULL)
		return sim_flow_fail(device, TZ__FAILURE_TYPE__Failure_FirmwareError, "No channel");
	if (op->kind == SIM_REQUEST_THP_PAIRING)
		return op->stage == 0 ? question(device, "thp_pairing_request") : SIM_DONE;
	if (op->stage == 0 && channel->phase == SIM_THP_TC1 && !channel->connection_allowed)
		return question(device, "thp_connection_request");
	if (op->stage == 0)
		op->stage = 1;  /* no connection question: on to the next */
	channel->connection_allowed = true;
	request = op->request->descriptor == &tz__thp_credential_request__descriptor ?
		(const Tz__ThpCredentialRequest *)op->request : NULL;
	if (op->stage == 1 && request != NULL && request->has_autoconnect && request->autoconnect)
		return question(device, "thp_autoconnect_credential_request");
	return SIM_DONE;
}

enum sim_result sim_thp_pairing_compute(struct sim_device *device)
{
	struct sim_operation *op = &device->operation;
	struct sim_thp_channel *channel = sim_thp_channel(device, device->thp->active);
	Tz__ThpPairingRequestApproved approved = TZ__THP_PAIRING_REQUEST_APPROVED__INIT;
	struct sim_thp_host host;
	const char *problem;

	if (channel == NULL)
		return sim_flow_fail(device, TZ__FAILURE_TYPE__Failure_FirmwareError, "No channel");
	if (op->kind == SIM_REQUEST_THP_PAIRING) {
		channel->phase = SIM_THP_TP1;
		sim_outgoing_pack(&op->answer, MSG_THP_PAIRING_REQUEST_APPROVED, &approved.base);
		return SIM_DONE;
	}
	if (op->request->descriptor == &tz__thp_end_request__descriptor) {
		end_request(device, channel, &op->answer);
		return SIM_DONE;
	}
	problem = credential_problem(device, channel, (const Tz__ThpCredentialRequest *)op->request,
				     &host);
	if (problem != NULL)
		return sim_flow_fail(device, TZ__FAILURE_TYPE__Failure_DataError, problem);
	if (!issue(device, (const Tz__ThpCredentialRequest *)op->request, &host, &op->answer))
		return sim_flow_fail(device, TZ__FAILURE_TYPE__Failure_DataError,
				     "Credential too long");
	return SIM_DONE;
}

/*
 * The simulated Trezor's behaviour, message by message, as the firmware
 * does it (PROTOCOL.md sections 2 to 5). See sim_device.h.
 */
#include "config.h"

#include "sim_device.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "messages.h"
#include "sim_sign.h"
#include "trezor.pb-c.h"

/* Field limits of the Trezor One's SignIdentity (PROTOCOL.md section 5). */
#define LIMIT_PROTO 8
#define LIMIT_USER 63
#define LIMIT_HOST 63
#define LIMIT_PORT 5
#define LIMIT_PATH 255
#define LIMIT_CHALLENGE_HIDDEN 512
#define LIMIT_CHALLENGE_VISUAL 255
#define LIMIT_ADDRESS_N 8

struct model_info {
	const char *name;               /* Features.model */
	const char *internal_model;
	uint32_t version[3];
	bool core;                      /* Model T and the Safes */
};

static const struct model_info models[] = {
	[SIM_MODEL_ONE] = { "1", "T1B1", { 1, 12, 1 }, false },
	[SIM_MODEL_T] = { "T", "T2T1", { 2, 8, 1 }, true },
	[SIM_MODEL_SAFE_3] = { "Safe 3", "T2B1", { 2, 8, 1 }, true },
	[SIM_MODEL_SAFE_5] = { "Safe 5", "T3T1", { 2, 8, 1 }, true },
	[SIM_MODEL_SAFE_7] = { "Safe 7", "T3W1", { 2, 9, 0 }, true },
};

bool sim_model_from_name(const char *name, enum sim_model *model)
{
	size_t i;

	for (i = 0; i < sizeof(models) / sizeof(models[0]); i++) {
		if (strcmp(name, models[i].name) == 0) {
			*model = (enum sim_model)i;
			return true;
		}
	}
	return false;
}

static const struct model_info *model_of(const struct sim_device *device)
{
	return &models[device->options.model];
}

static void log_message(const struct sim_device *device, const char *direction, uint16_t type)
{
	const char *name = message_type_name(type);

	if (device->options.verbose > 0)
		fprintf(stderr, "trezor-sim: %s %s\n", direction, name != NULL ? name : "?");
}

/* ---- outgoing messages ---------------------------------------------------- */

static void reply(struct sim_device *device, uint16_t type, const ProtobufCMessage *message)
{
	struct sim_outgoing *out;

	if (device->outbox_count == SIM_OUTBOX_MAX) {
		fprintf(stderr, "trezor-sim: outbox full, dropping a reply\n");
		return;
	}
	out = &device->outbox[device->outbox_count];
	out->type = type;
	out->length = protobuf_c_message_get_packed_size(message);
	out->payload = malloc(out->length > 0 ? out->length : 1);
	if (out->payload == NULL) {
		fprintf(stderr, "trezor-sim: out of memory\n");
		return;
	}
	protobuf_c_message_pack(message, out->payload);
	device->outbox_count++;
	log_message(device, "->", type);
}

static void reply_failure(struct sim_device *device, Tz__FailureType code, const char *text)
{
	Tz__Failure failure = TZ__FAILURE__INIT;

	failure.has_code = true;
	failure.code = code;
	failure.message = (char *)text;
	reply(device, MSG_FAILURE, &failure.base);
}

static void reply_success(struct sim_device *device, const char *text)
{
	Tz__Success success = TZ__SUCCESS__INIT;

	success.message = (char *)text;
	reply(device, MSG_SUCCESS, &success.base);
}

void sim_device_send(struct sim_device *device, uint16_t type, const ProtobufCMessage *message)
{
	reply(device, type, message);
}

void sim_device_clear_outbox(struct sim_device *device)
{
	size_t i;

	for (i = 0; i < device->outbox_count; i++)
		free(device->outbox[i].payload);
	memset(device->outbox, 0, sizeof(device->outbox));
	device->outbox_count = 0;
}

/* ---- set-up ----------------------------------------------------------------- */

/* Like a real device id: 24 upper-case hex digits, here from the mnemonic. */
static void derive_device_id(const char *mnemonic, char out[SIM_DEVICE_ID_SIZE + 1])
{
	uint8_t hash[32];
	int i;

	EVP_Digest(mnemonic, strlen(mnemonic), hash, NULL, EVP_sha256(), NULL);
	for (i = 0; i < SIM_DEVICE_ID_SIZE / 2; i++)
		snprintf(out + 2 * i, 3, "%02X", hash[i]);
}

bool sim_device_init(struct sim_device *device, const struct sim_options *options)
{
	memset(device, 0, sizeof(*device));
	device->options = *options;
	if (options->device_id != NULL)
		snprintf(device->device_id, sizeof(device->device_id), "%s", options->device_id);
	else
		derive_device_id(options->mnemonic, device->device_id);
	device->fault.mode = options->fault;
	device->fault.after = options->fault_after;
	device->fault.count = options->fault_for;
	sim_protect_init(device);
	return sim_bip39_seed(options->mnemonic, "", device->seed);
}

static void drop_pending(struct sim_device *device)
{
	if (device->pending.request != NULL)
		protobuf_c_message_free_unpacked(device->pending.request, NULL);
	memset(&device->pending, 0, sizeof(device->pending));
}

void sim_device_free(struct sim_device *device)
{
	drop_pending(device);
	sim_device_clear_outbox(device);
	sim_protect_forget_passphrase(device);
	OPENSSL_cleanse(device->seed, sizeof(device->seed));
}

/* ---- Features ------------------------------------------------------------- */

static void reply_features(struct sim_device *device)
{
	const struct model_info *model = model_of(device);
	Tz__Features features = TZ__FEATURES__INIT;
	Tz__Capability capabilities[2] = { TZ__CAPABILITY__Capability_Crypto,
					   TZ__CAPABILITY__Capability_PassphraseEntry };

	features.vendor = (char *)"trezor.io";
	features.major_version = model->version[0];
	features.minor_version = model->version[1];
	features.patch_version = model->version[2];
	features.has_bootloader_mode = true;
	features.bootloader_mode = device->options.bootloader;
	features.device_id = device->device_id;
	features.has_pin_protection = true;
	features.pin_protection = device->options.pin != NULL;
	features.has_passphrase_protection = true;
	features.passphrase_protection = device->options.passphrase_protection;
	features.label = (char *)device->options.label;
	features.has_initialized = true;
	features.initialized = !device->options.uninitialized && !device->options.bootloader;
	features.has_unlocked = true;
	features.unlocked = device->protect.unlocked;
	features.model = (char *)model->name;
	features.internal_model = (char *)model->internal_model;
	features.capabilities = capabilities;
	/* Only the core models let a person type the passphrase on the device. */
	features.n_capabilities = model->core ? 2 : 1;
	if (device->has_session) {
		features.has_session_id = true;
		features.session_id.data = device->session_id;
		features.session_id.len = sizeof(device->session_id);
	}
	reply(device, MSG_FEATURES, &features.base);
}

static void handle_initialize(struct sim_device *device, const Tz__Initialize *request)
{
	bool resume = device->has_session && request->has_session_id &&
		      request->session_id.len == sizeof(device->session_id) &&
		      memcmp(request->session_id.data, device->session_id,
			     sizeof(device->session_id)) == 0;

	drop_pending(device);
	if (!resume) {
		/* A new session: its wallet is chosen afresh. */
		RAND_bytes(device->session_id, sizeof(device->session_id));
		device->has_session = true;
		sim_protect_forget_passphrase(device);
	}
	reply_features(device);
}

/* ---- keys ----------------------------------------------------------------- */

static bool curve_of(const char *name, enum sim_curve *curve)
{
	/* The firmware's default curve is secp256k1. */
	return sim_curve_from_name(name != NULL ? name : "secp256k1", curve);
}

/* The fault mode when it spoils the operation at hand. */
static enum sim_fault_mode spoiling(const struct sim_device *device)
{
	return device->pending.spoilt ? device->fault.mode : SIM_FAULT_NONE;
}

void sim_device_send_node(struct sim_device *device, const struct sim_node *node)
{
	Tz__PublicKey answer = TZ__PUBLIC_KEY__INIT;
	Tz__HDNodeType node_message = TZ__HDNODE_TYPE__INIT;
	char xpub[SIM_XPUB_MAX];

	if (!sim_node_xpub(node, 0x0488b21e, xpub, sizeof(xpub))) {
		reply_failure(device, TZ__FAILURE_TYPE__Failure_ProcessError, "Failed to derive key");
		return;
	}
	node_message.depth = node->depth;
	node_message.fingerprint = node->fingerprint;
	node_message.child_num = node->child_num;
	node_message.chain_code.data = (uint8_t *)node->chain_code;
	node_message.chain_code.len = sizeof(node->chain_code);
	node_message.public_key.data = (uint8_t *)node->public_key;
	node_message.public_key.len = sizeof(node->public_key);
	answer.node = &node_message;
	answer.xpub = xpub;
	reply(device, MSG_PUBLIC_KEY, &answer.base);
}

static void reply_public_key(struct sim_device *device, const Tz__GetPublicKey *request)
{
	enum sim_fault_mode fault = spoiling(device);
	struct sim_node node;
	enum sim_curve curve;

	if (!curve_of(request->ecdsa_curve_name, &curve)) {
		reply_failure(device, TZ__FAILURE_TYPE__Failure_DataError, "Unsupported curve");
		return;
	}
	if (!sim_slip10_derive(curve, sim_protect_seed(device), SIM_SEED_SIZE, request->address_n,
			       request->n_address_n, &node)) {
		reply_failure(device, TZ__FAILURE_TYPE__Failure_ProcessError, "Failed to derive key");
		return;
	}
	if (!sim_fault_replace_answer(device, fault, MSG_PUBLIC_KEY, &node)) {
		sim_fault_spoil_key(fault, node.public_key);
		sim_device_send_node(device, &node);
	}
	OPENSSL_cleanse(&node, sizeof(node));
}

/* ---- SignIdentity ------------------------------------------------------- */

static bool too_long(const char *text, size_t limit)
{
	return text != NULL && strlen(text) > limit;
}

static bool sign_identity_fits(const Tz__SignIdentity *request)
{
	const Tz__IdentityType *id = request->identity;

	return !too_long(id->proto, LIMIT_PROTO) && !too_long(id->user, LIMIT_USER) &&
	       !too_long(id->host, LIMIT_HOST) && !too_long(id->port, LIMIT_PORT) &&
	       !too_long(id->path, LIMIT_PATH) &&
	       request->challenge_hidden.len <= LIMIT_CHALLENGE_HIDDEN &&
	       !too_long(request->challenge_visual, LIMIT_CHALLENGE_VISUAL);
}

static bool proto_is(const Tz__IdentityType *id, const char *proto)
{
	return id->proto != NULL && strcmp(id->proto, proto) == 0;
}

/*
 * What the device signs: ssh signs SHA-256 of the challenge, gpg takes the
 * challenge as the digest and needs exactly 32 bytes.
 */
static bool digest_to_sign(const Tz__SignIdentity *request, uint8_t digest[32])
{
	const ProtobufCBinaryData *challenge = &request->challenge_hidden;

	if (proto_is(request->identity, "ssh"))
		return EVP_Digest(challenge->data, challenge->len, digest, NULL, EVP_sha256(),
				  NULL) == 1;
	/* Other protos would sign a Bitcoin message: not simulated. */
	if (!proto_is(request->identity, "gpg") || challenge->len != 32)
		return false;
	memcpy(digest, challenge->data, 32);
	return true;
}

/*
 * The identity's node, and the one that signs: the same, unless a fault
 * signs with another key.
 */
static bool derive_signer(struct sim_device *device, enum sim_curve curve, uint32_t path[5],
			  struct sim_node *node, struct sim_node *signer)
{
	const uint8_t *seed = sim_protect_seed(device);

	if (!sim_slip10_derive(curve, seed, SIM_SEED_SIZE, path, 5, node))
		return false;
	*signer = *node;
	if (sim_fault_signs_with_other_key(spoiling(device), path))
		return sim_slip10_derive(curve, seed, SIM_SEED_SIZE, path, 5, signer);
	return true;
}

static void sign_identity(struct sim_device *device, const Tz__SignIdentity *request)
{
	const Tz__IdentityType *id = request->identity;
	Tz__SignedIdentity answer = TZ__SIGNED_IDENTITY__INIT;
	enum sim_fault_mode fault = spoiling(device);
	uint32_t path[5];
	uint8_t digest[32], signature[65];
	size_t signature_length = sizeof(signature);
	struct sim_node node, signer;
	enum sim_curve curve;

	if (!curve_of(request->ecdsa_curve_name, &curve)) {
		reply_failure(device, TZ__FAILURE_TYPE__Failure_DataError, "Unsupported curve");
		return;
	}
	sim_slip13_path(id->proto, id->user, id->host, id->port, id->path,
			id->has_index ? id->index : 0, path);
	signature[0] = 0x00;
	if (!derive_signer(device, curve, path, &node, &signer) ||
	    !digest_to_sign(request, digest) ||
	    !sim_ecdsa_sign_digest(curve, signer.private_key, digest, signature + 1)) {
		OPENSSL_cleanse(&node, sizeof(node));
		OPENSSL_cleanse(&signer, sizeof(signer));
		reply_failure(device, TZ__FAILURE_TYPE__Failure_ProcessError,
			      "Error signing identity");
		return;
	}
	if (!sim_fault_replace_answer(device, fault, MSG_SIGNED_IDENTITY, &node)) {
		if (fault == SIM_FAULT_OTHER_KEY)
			memcpy(node.public_key, signer.public_key, sizeof(node.public_key));
		sim_fault_spoil_key(fault, node.public_key);
		sim_fault_spoil_signature(fault, signature, &signature_length);
		answer.public_key.data = node.public_key;
		answer.public_key.len = sizeof(node.public_key);
		answer.signature.data = signature;
		answer.signature.len = signature_length;
		reply(device, MSG_SIGNED_IDENTITY, &answer.base);
	}
	OPENSSL_cleanse(&node, sizeof(node));
	OPENSSL_cleanse(&signer, sizeof(signer));
}

/* ---- operations that wait for a person ------------------------------------ */

static const Tz__ButtonRequestType task_codes[] = {
	[SIM_TASK_CONFIRM] = TZ__BUTTON_REQUEST_TYPE__ButtonRequest_Other,
	[SIM_TASK_ENTER_PIN] = TZ__BUTTON_REQUEST_TYPE__ButtonRequest_PinEntry,
	[SIM_TASK_ENTER_PASSPHRASE] = TZ__BUTTON_REQUEST_TYPE__ButtonRequest_PassphraseEntry,
};

static void request_button(struct sim_device *device, enum sim_task task)
{
	Tz__ButtonRequest request = TZ__BUTTON_REQUEST__INIT;

	request.has_code = true;
	request.code = task_codes[task];
	/* A Trezor One asks to confirm with ProtectCall. */
	if (task == SIM_TASK_CONFIRM && !model_of(device)->core)
		request.code = TZ__BUTTON_REQUEST_TYPE__ButtonRequest_ProtectCall;
	device->pending.task = task;
	device->pending.waiting = SIM_WAIT_BUTTON_ACK;
	reply(device, MSG_BUTTON_REQUEST, &request.base);
}

static void request_pin(struct sim_device *device)
{
	Tz__PinMatrixRequest request = TZ__PIN_MATRIX_REQUEST__INIT;

	request.has_type = true;
	request.type = TZ__PIN_MATRIX_REQUEST_TYPE__PinMatrixRequestType_Current;
	sim_protect_scramble(device);
	device->pending.waiting = SIM_WAIT_PIN;
	reply(device, MSG_PIN_MATRIX_REQUEST, &request.base);
}

static void request_passphrase(struct sim_device *device)
{
	Tz__PassphraseRequest request = TZ__PASSPHRASE_REQUEST__INIT;

	device->pending.waiting = SIM_WAIT_PASSPHRASE;
	reply(device, MSG_PASSPHRASE_REQUEST, &request.base);
}

static void carry_out(struct sim_device *device)
{
	struct sim_pending *pending = &device->pending;

	switch (pending->kind) {
	case SIM_PENDING_SIGN_IDENTITY:
		sign_identity(device, (Tz__SignIdentity *)pending->request);
		break;
	case SIM_PENDING_PING:
		reply_success(device, ((Tz__Ping *)pending->request)->message);
		break;
	case SIM_PENDING_PUBLIC_KEY:
		reply_public_key(device, (Tz__GetPublicKey *)pending->request);
		break;
	case SIM_PENDING_NONE:
		break;
	}
}

static void finish_pending(struct sim_device *device)
{
	carry_out(device);
	drop_pending(device);
}

/* How long the device computes before it answers (--sign-delay, --derive-delay). */
static int work_delay(const struct sim_device *device)
{
	switch (device->pending.kind) {
	case SIM_PENDING_SIGN_IDENTITY: return device->options.sign_delay_ms;
	case SIM_PENDING_PUBLIC_KEY: return device->options.derive_delay_ms;
	default: return 0;
	}
}

static void start_work(struct sim_device *device)
{
	device->pending.waiting = SIM_WAIT_WORK;
	device->pending.decision_at_ms = device->now_ms + work_delay(device);
	if (device->pending.decision_at_ms == 0)
		device->pending.decision_at_ms = 1;
}

/*
 * Ask for the next thing the operation needs, or carry it out. A Trezor One
 * asks for the button first, then the PIN, then the passphrase; the core
 * models unlock and choose the wallet first, then ask to confirm.
 */
static void advance_pending(struct sim_device *device)
{
	struct sim_pending *pending = &device->pending;
	bool core = model_of(device)->core;
	bool keys = pending->kind != SIM_PENDING_PING;
	bool confirm = pending->needs_confirmation && !pending->confirmed;

	pending->waiting = SIM_WAIT_NOTHING;
	if (!core && confirm)
		request_button(device, SIM_TASK_CONFIRM);
	else if (keys && sim_protect_needs_pin(device) && core)
		request_button(device, SIM_TASK_ENTER_PIN);
	else if (keys && sim_protect_needs_pin(device))
		request_pin(device);
	else if (keys && sim_protect_needs_passphrase(device))
		request_passphrase(device);
	else if (confirm)
		request_button(device, SIM_TASK_CONFIRM);
	else if (work_delay(device) > 0)
		start_work(device);
	else
		finish_pending(device);
}

static void start_pending(struct sim_device *device, enum sim_pending_kind kind,
			  ProtobufCMessage *request, bool needs_confirmation)
{
	drop_pending(device);
	device->pending.kind = kind;
	device->pending.request = request;
	device->pending.needs_confirmation = needs_confirmation;
	if (kind == SIM_PENDING_SIGN_IDENTITY)
		device->pending.spoilt = sim_fault_strikes(&device->fault,
							   SIM_OCCASION_SIGN_IDENTITY);
	else if (kind == SIM_PENDING_PUBLIC_KEY)
		device->pending.spoilt = sim_fault_strikes(&device->fault,
							   SIM_OCCASION_GET_PUBLIC_KEY);
	if (device->pending.spoilt && device->options.verbose > 0)
		fprintf(stderr, "trezor-sim: fault %s\n", sim_fault_name(device->fault.mode));
	advance_pending(device);
}

static void fail_pending(struct sim_device *device, Tz__FailureType code, const char *text)
{
	drop_pending(device);
	reply_failure(device, code, text);
}

static bool refuses(struct sim_device *device)
{
	int limit = device->options.decline_after;

	return device->options.decline || (limit >= 0 && device->protect.confirmations >= limit);
}

/* The person has done what the device asked on its screen. */
static void decide(struct sim_device *device)
{
	struct sim_pending *pending = &device->pending;
	const char *typed;

	pending->decision_at_ms = 0;
	switch (pending->task) {
	case SIM_TASK_CONFIRM:
		if (refuses(device)) {
			fail_pending(device, TZ__FAILURE_TYPE__Failure_ActionCancelled,
				     "Action cancelled by user");
			return;
		}
		if (spoiling(device) == SIM_FAULT_ENDLESS_BUTTONS) {
			request_button(device, SIM_TASK_CONFIRM);      /* and again, and again */
			return;
		}
		device->protect.confirmations++;
		pending->confirmed = true;
		break;
	case SIM_TASK_ENTER_PIN:
		typed = device->options.device_pin != NULL ? device->options.device_pin
							   : device->options.pin;
		if (strcmp(typed, device->options.pin) != 0) {
			fail_pending(device, TZ__FAILURE_TYPE__Failure_PinInvalid, "Invalid PIN");
			return;
		}
		device->protect.unlocked = true;
		break;
	case SIM_TASK_ENTER_PASSPHRASE:
		typed = device->options.device_passphrase;
		sim_protect_set_passphrase(device, typed != NULL ? typed : "");
		break;
	}
	advance_pending(device);
}

static void handle_button_ack(struct sim_device *device, int64_t now_ms)
{
	struct sim_pending *pending = &device->pending;

	if (pending->waiting != SIM_WAIT_BUTTON_ACK) {
		fail_pending(device, TZ__FAILURE_TYPE__Failure_UnexpectedMessage,
			     "Unexpected message");
		return;
	}
	if (device->options.confirm_delay_ms > 0) {
		/* Time for a person to look at the screen; never 0, which means "none". */
		pending->waiting = SIM_WAIT_PERSON;
		pending->decision_at_ms = now_ms + device->options.confirm_delay_ms;
		if (pending->decision_at_ms == 0)
			pending->decision_at_ms = 1;
		return;
	}
	decide(device);
}

static void handle_pin(struct sim_device *device, const Tz__PinMatrixAck *ack)
{
	if (device->pending.waiting != SIM_WAIT_PIN) {
		fail_pending(device, TZ__FAILURE_TYPE__Failure_UnexpectedMessage,
			     "Unexpected message");
		return;
	}
	if (!sim_protect_pin_matches(device, ack->pin)) {
		fail_pending(device, TZ__FAILURE_TYPE__Failure_PinInvalid, "Invalid PIN");
		return;
	}
	device->protect.unlocked = true;
	advance_pending(device);
}

static void handle_passphrase(struct sim_device *device, const Tz__PassphraseAck *ack)
{
	bool on_device = ack->has_on_device && ack->on_device;

	if (device->pending.waiting != SIM_WAIT_PASSPHRASE) {
		fail_pending(device, TZ__FAILURE_TYPE__Failure_UnexpectedMessage,
			     "Unexpected message");
	} else if (on_device && (!model_of(device)->core || ack->passphrase != NULL)) {
		fail_pending(device, TZ__FAILURE_TYPE__Failure_DataError,
			     "Passphrase provided when it should not be");
	} else if (on_device) {
		request_button(device, SIM_TASK_ENTER_PASSPHRASE);
	} else if (!sim_protect_set_passphrase(device, ack->passphrase != NULL ? ack->passphrase
										: "")) {
		fail_pending(device, TZ__FAILURE_TYPE__Failure_DataError, "Passphrase too long");
	} else {
		advance_pending(device);
	}
}

int64_t sim_device_next_event(const struct sim_device *device)
{
	enum sim_wait waiting = device->pending.waiting;

	return waiting == SIM_WAIT_PERSON || waiting == SIM_WAIT_WORK ?
		       device->pending.decision_at_ms : -1;
}

void sim_device_tick(struct sim_device *device, int64_t now_ms)
{
	struct sim_pending *pending = &device->pending;

	device->now_ms = now_ms;
	if (now_ms < pending->decision_at_ms)
		return;
	if (pending->waiting == SIM_WAIT_PERSON)
		decide(device);
	else if (pending->waiting == SIM_WAIT_WORK)
		finish_pending(device);
}

/* ---- dispatch ------------------------------------------------------------- */

static const ProtobufCMessageDescriptor *descriptor_of(uint16_t type)
{
	switch (type) {
	case MSG_INITIALIZE: return &tz__initialize__descriptor;
	case MSG_PING: return &tz__ping__descriptor;
	case MSG_GET_PUBLIC_KEY: return &tz__get_public_key__descriptor;
	case MSG_SIGN_IDENTITY: return &tz__sign_identity__descriptor;
	case MSG_CANCEL: return &tz__cancel__descriptor;
	case MSG_BUTTON_ACK: return &tz__button_ack__descriptor;
	case MSG_PIN_MATRIX_ACK: return &tz__pin_matrix_ack__descriptor;
	case MSG_PASSPHRASE_ACK: return &tz__passphrase_ack__descriptor;
	case MSG_LOCK_DEVICE: return &tz__lock_device__descriptor;
	case MSG_GET_FEATURES: return &tz__get_features__descriptor;
	case MSG_END_SESSION: return &tz__end_session__descriptor;
	default: return NULL;
	}
}

/* Requests that start an operation; ownership of `request` passes on. */
static void handle_operation(struct sim_device *device, uint16_t type, ProtobufCMessage *request)
{
	if (type == MSG_SIGN_IDENTITY && !sign_identity_fits((Tz__SignIdentity *)request)) {
		reply_failure(device, TZ__FAILURE_TYPE__Failure_DataError, "Identity field too long");
		protobuf_c_message_free_unpacked(request, NULL);
	} else if (type == MSG_SIGN_IDENTITY) {
		start_pending(device, SIM_PENDING_SIGN_IDENTITY, request, true);
	} else if (type == MSG_PING) {
		start_pending(device, SIM_PENDING_PING, request,
			      ((Tz__Ping *)request)->button_protection);
	} else if (((Tz__GetPublicKey *)request)->n_address_n > LIMIT_ADDRESS_N) {
		reply_failure(device, TZ__FAILURE_TYPE__Failure_DataError, "Path too long");
		protobuf_c_message_free_unpacked(request, NULL);
	} else {
		start_pending(device, SIM_PENDING_PUBLIC_KEY, request,
			      ((Tz__GetPublicKey *)request)->show_display);
	}
}

static void dispatch(struct sim_device *device, uint16_t type, ProtobufCMessage *request,
		     int64_t now_ms)
{
	switch (type) {
	case MSG_INITIALIZE:
		handle_initialize(device, (Tz__Initialize *)request);
		break;
	case MSG_GET_FEATURES:
		reply_features(device);
		break;
	case MSG_CANCEL:
		/* A Trezor One cancelled at its PIN matrix says PinCancelled. */
		if (device->pending.waiting == SIM_WAIT_PIN)
			fail_pending(device, TZ__FAILURE_TYPE__Failure_PinCancelled, "PIN cancelled");
		else
			fail_pending(device, TZ__FAILURE_TYPE__Failure_ActionCancelled,
				     "Action cancelled by user");
		break;
	case MSG_BUTTON_ACK:
		handle_button_ack(device, now_ms);
		break;
	case MSG_PIN_MATRIX_ACK:
		handle_pin(device, (Tz__PinMatrixAck *)request);
		break;
	case MSG_PASSPHRASE_ACK:
		handle_passphrase(device, (Tz__PassphraseAck *)request);
		break;
	case MSG_LOCK_DEVICE:
		drop_pending(device);
		sim_protect_lock(device);
		reply_success(device, "Session cleared");
		break;
	case MSG_END_SESSION:
		drop_pending(device);
		device->has_session = false;
		reply_success(device, "Session ended");
		break;
	default:
		handle_operation(device, type, request);
		return;         /* it took ownership of request */
	}
	protobuf_c_message_free_unpacked(request, NULL);
}

/*
 * Devices that cannot serve requests: a Safe 7 answers every v1 message
 * with the fixed Failure InvalidProtocol; a device in bootloader mode or
 * without a seed answers Features only. True when the request was handled.
 */
static bool refuse_unusable(struct sim_device *device, uint16_t type)
{
	Tz__Failure failure = TZ__FAILURE__INIT;
	bool features = type == MSG_INITIALIZE || type == MSG_GET_FEATURES;

	if (device->options.model == SIM_MODEL_SAFE_7) {
		failure.has_code = true;
		failure.code = TZ__FAILURE_TYPE__Failure_InvalidProtocol;
		reply(device, MSG_FAILURE, &failure.base);
		return true;
	}
	if (device->options.bootloader && !features) {
		reply_failure(device, TZ__FAILURE_TYPE__Failure_UnexpectedMessage,
			      "Unexpected message");
		return true;
	}
	if (device->options.uninitialized && !features && type != MSG_CANCEL &&
	    type != MSG_PING && type != MSG_LOCK_DEVICE) {
		reply_failure(device, TZ__FAILURE_TYPE__Failure_NotInitialized,
			      "Device not initialized");
		return true;
	}
	return false;
}

void sim_device_handle(struct sim_device *device, const struct wire_message *message,
		       int64_t now_ms)
{
	const ProtobufCMessageDescriptor *descriptor = descriptor_of(message->type);
	ProtobufCMessage *request;
	bool busy = device->pending.kind != SIM_PENDING_NONE;

	device->now_ms = now_ms;
	log_message(device, "<-", message->type);
	if (refuse_unusable(device, message->type))
		return;
	if (descriptor == NULL) {
		drop_pending(device);
		reply_failure(device, TZ__FAILURE_TYPE__Failure_UnexpectedMessage,
			      "Unexpected message");
		return;
	}
	/* While an operation waits for a person (or for its work), only these may come in. */
	if (busy && message->type != MSG_BUTTON_ACK && message->type != MSG_CANCEL &&
	    message->type != MSG_INITIALIZE && message->type != MSG_PIN_MATRIX_ACK &&
	    message->type != MSG_PASSPHRASE_ACK) {
		drop_pending(device);
		reply_failure(device, TZ__FAILURE_TYPE__Failure_UnexpectedMessage,
			      "Unexpected message");
		return;
	}
	request = protobuf_c_message_unpack(descriptor, NULL, message->length, message->payload);
	if (request == NULL) {
		drop_pending(device);
		reply_failure(device, TZ__FAILURE_TYPE__Failure_DataError, "Failed to decode message");
		return;
	}
	dispatch(device, message->type, request, now_ms);
}

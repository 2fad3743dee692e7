/*
 * The steps of requests, the questions and the person. See sim_flow.h.
 *
 * run() is the one driver: it performs the plan's steps until one waits,
 * and while one waits it settles what can be settled at once (a message
 * already in the Trezor One's slot, a person or a work time that is due).
 * The handlers of events (an Ack, a decision) only change the operation;
 * the entry points (start, a message, a decision, time passing) call run().
 */
#include "config.h"

#include "sim_flow.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "messages.h"
#include "sim_debuglink.h"
#include "sim_device.h"
#include "sim_features.h"
#include "sim_requests.h"
#include "sim_seed.h"
#include "trezor.pb-c.h"

bool sim_outgoing_pack(struct sim_outgoing *out, uint16_t type, const ProtobufCMessage *message)
{
	size_t length = protobuf_c_message_get_packed_size(message);

	out->type = type;
	out->length = length;
	out->payload = malloc(length > 0 ? length : 1);
	if (out->payload == NULL) {
		out->length = 0;
		return false;
	}
	protobuf_c_message_pack(message, out->payload);
	return true;
}

void sim_outgoing_free(struct sim_outgoing *out)
{
	if (out->payload != NULL)
		OPENSSL_cleanse(out->payload, out->length);
	free(out->payload);
	memset(out, 0, sizeof(*out));
}

static struct sim_operation *op_of(struct sim_device *device)
{
	return &device->operation;
}

static void end_operation(struct sim_device *device)
{
	struct sim_operation *op = op_of(device);

	/* A matrix that goes away unanswered is hidden, as pinmatrix_done(0) does. */
	if (op->waiting == SIM_WAIT_PIN)
		memcpy(device->protect.matrix, SIM_MATRIX_HIDDEN, sizeof(device->protect.matrix));

	if (op->request != NULL)
		protobuf_c_message_free_unpacked(op->request, NULL);
	sim_outgoing_free(&op->answer);
	OPENSSL_cleanse(op, sizeof(*op));
	device->idle_since_ms = device->now_ms; /* back on the home screen */
}

bool sim_flow_busy(const struct sim_device *device)
{
	return device->operation.kind != SIM_REQUEST_NONE;
}

static bool question_out(enum sim_wait waiting)
{
	return waiting == SIM_WAIT_BUTTON_ACK || waiting == SIM_WAIT_PERSON ||
	       waiting == SIM_WAIT_PIN || waiting == SIM_WAIT_PASSPHRASE;
}

bool sim_flow_reads_tiny(const struct sim_device *device)
{
	enum sim_wait waiting = device->operation.waiting;

	return !sim_device_is_core(device) &&
	       (question_out(waiting) || waiting == SIM_WAIT_WAKING_UP);
}

bool sim_flow_reads_nothing(const struct sim_device *device)
{
	enum sim_wait waiting = device->operation.waiting;

	return waiting == SIM_WAIT_WORK ||
	       (waiting == SIM_WAIT_WAKING_UP && sim_device_is_core(device));
}

bool sim_flow_asks(const struct sim_device *device)
{
	return sim_device_is_core(device) && question_out(device->operation.waiting);
}

void sim_flow_abort(struct sim_device *device)
{
	end_operation(device);
}

enum sim_result sim_flow_fail(struct sim_device *device, int code, const char *text)
{
	end_operation(device);
	sim_device_fail(device, code, text);
	return SIM_ENDED;
}

/* ---- questions -------------------------------------------------------------- */

enum sim_result sim_flow_ask(struct sim_device *device, enum sim_screen screen, uint32_t code,
			     const char *name, uint32_t pages)
{
	struct sim_operation *op = op_of(device);
	Tz__ButtonRequest request = TZ__BUTTON_REQUEST__INIT;
	bool core = sim_device_is_core(device);

	op->question.screen = screen;
	op->question.code = code;
	op->question.name = core ? name : NULL;
	op->question.pages = core ? pages : 0;
	op->acked = op->decided = op->has_typed = false;
	op->waiting = SIM_WAIT_BUTTON_ACK;
	request.has_code = true;
	request.code = (Tz__ButtonRequestType)code;
	/* The core layouts name themselves and count their pages; a Trezor One does not. */
	request.has_pages = core;
	request.pages = pages;
	request.name = (char *)op->question.name;
	sim_device_send(device, MSG_BUTTON_REQUEST, &request.base);
	return SIM_WAITS;
}

/* The person (--decline, --decline-after) refuses this confirmation? */
static bool refuses(const struct sim_device *device)
{
	int limit = device->options.decline_after;

	return device->options.decline || (limit >= 0 && device->confirmations >= limit);
}

/* What a refusal answers: each family has its own texts. */
static enum sim_result refused(struct sim_device *device, enum sim_screen screen)
{
	const char *text = NULL;        /* a Trezor One's default: "Action cancelled by user" */

	if (sim_device_is_core(device))
		text = "Cancelled";
	else if (screen == SIM_SCREEN_HIDDEN_WALLET)
		text = "Passphrase dismissed";
	return sim_flow_fail(device, TZ__FAILURE_TYPE__Failure_ActionCancelled, text);
}

/* The endless-buttons fault asks SignIdentity's confirmation again and again. */
static bool endless(const struct sim_device *device)
{
	const struct sim_operation *op = &device->operation;

	return op->spoilt && device->fault.mode == SIM_FAULT_ENDLESS_BUTTONS &&
	       op->kind == SIM_REQUEST_SIGN_IDENTITY && op->plan[op->step] == SIM_STEP_CONFIRM;
}

/* The person's answer to the ButtonRequest out: a button, or text typed and yes. */
static void resolve(struct sim_device *device, bool yes, const char *typed)
{
	struct sim_operation *op = op_of(device);
	enum sim_screen screen = op->question.screen;

	op->waiting = SIM_WAIT_NOTHING;
	switch (screen) {
	case SIM_SCREEN_CONFIRM:
	case SIM_SCREEN_HIDDEN_WALLET:
	case SIM_SCREEN_PAGE:
		if (!yes && screen != SIM_SCREEN_PAGE) {
			refused(device, screen);
			return;
		}
		if (yes) {
			device->confirmations++;
			if (!endless(device))
				op->stage++;
		}
		break;                  /* a refused page is shown again */
	case SIM_SCREEN_PIN_ENTRY:
		if (!yes) {
			sim_flow_fail(device, TZ__FAILURE_TYPE__Failure_PinCancelled,
				      "PIN entry cancelled");
			return;
		}
		if (sim_protect_check_pin(device, typed)) {
			device->protect.unlocked = true;
			op->stage++;
		} else {
			op->attempts++; /* asked again, "wrong PIN" on the screen */
		}
		break;
	case SIM_SCREEN_PASSPHRASE_ENTRY:
		if (!yes) {
			sim_flow_fail(device, TZ__FAILURE_TYPE__Failure_ActionCancelled,
				      "Passphrase entry cancelled");
			return;
		}
		sim_seed_typed(device, typed != NULL ? typed : "");
		break;
	}
}

/* The simulated person, with no debug link to wait for. */
static void person_decides(struct sim_device *device)
{
	const struct sim_operation *op = &device->operation;
	const char *passphrase = device->options.device_passphrase;

	switch (op->question.screen) {
	case SIM_SCREEN_PIN_ENTRY:
		/* Types the PIN once; told it is wrong, gives up. */
		resolve(device, op->attempts == 0, sim_protect_typed_pin(device));
		break;
	case SIM_SCREEN_PASSPHRASE_ENTRY:
		resolve(device, true, passphrase != NULL ? passphrase : "");
		break;
	default:
		resolve(device, !refuses(device), NULL);
		break;
	}
}

/* The ButtonAck came: a decision already taken stands, else the person looks. */
static void acked(struct sim_device *device)
{
	struct sim_operation *op = op_of(device);

	if (op->waiting != SIM_WAIT_BUTTON_ACK)
		return;                 /* a second Ack changes nothing */
	op->acked = true;
	if (op->decided) {
		resolve(device, op->decision, op->has_typed ? op->typed : NULL);
		return;
	}
	op->waiting = SIM_WAIT_PERSON;
	op->due_ms = device->options.buttons == SIM_BUTTONS_DEBUGLINK ?
			     -1 : device->now_ms + device->options.confirm_delay_ms;
}

/* A decision from the debug link (from the Trezor One's slot, or a core's debug link). */
static void decided(struct sim_device *device, bool yes, const char *typed)
{
	struct sim_operation *op = op_of(device);

	if (op->waiting == SIM_WAIT_PERSON) {
		resolve(device, yes, typed);
	} else if (op->waiting == SIM_WAIT_BUTTON_ACK) {
		/* The device acts once both the Ack and the decision are in. */
		op->decided = true;
		op->decision = yes;
		op->has_typed = typed != NULL;
		snprintf(op->typed, sizeof(op->typed), "%s", typed != NULL ? typed : "");
	}
}

static void run(struct sim_device *device);

/* A DebugLinkDecision: its button, or its text typed (and yes). */
static void decide_from(struct sim_device *device, const Tz__DebugLinkDecision *decision)
{
	bool yes = !decision->has_button || decision->button != TZ__DEBUG_BUTTON__DebugButton_NO;

	decided(device, yes, decision->input);
}

void sim_flow_decide(struct sim_device *device, const Tz__DebugLinkDecision *decision)
{
	decide_from(device, decision);
	run(device);
}

/* ---- the Trezor One's PIN matrix ---------------------------------------------- */

static void pin_ack(struct sim_device *device, const Tz__PinMatrixAck *ack)
{
	switch (sim_protect_check_positions(device, ack->pin)) {
	case SIM_PIN_NOT_POSITIONS:
		sim_flow_fail(device, TZ__FAILURE_TYPE__Failure_PinCancelled, NULL);
		return;
	case SIM_PIN_WRONG:
		sim_flow_fail(device, TZ__FAILURE_TYPE__Failure_PinInvalid, NULL);
		return;
	case SIM_PIN_RIGHT:
		device->protect.unlocked = true;
		op_of(device)->stage++;
		op_of(device)->waiting = SIM_WAIT_NOTHING;
		return;
	}
}

/* SIM_STEP_UNLOCK: the matrix on a Trezor One, the PIN screen on a core model. */
static enum sim_result unlock_step(struct sim_device *device)
{
	struct sim_operation *op = op_of(device);
	Tz__PinMatrixRequest request = TZ__PIN_MATRIX_REQUEST__INIT;

	if (op->stage > 0 || device->protect.unlocked)
		return SIM_DONE;
	if (sim_device_is_core(device))
		return sim_flow_ask(device, SIM_SCREEN_PIN_ENTRY,
				    TZ__BUTTON_REQUEST_TYPE__ButtonRequest_PinEntry, "pin_device", 1);
	if (device->options.pin == NULL) {
		device->protect.unlocked = true;        /* locked, but with the empty PIN */
		return SIM_DONE;
	}
	request.has_type = true;
	request.type = TZ__PIN_MATRIX_REQUEST_TYPE__PinMatrixRequestType_Current;
	sim_protect_scramble(device);
	op->waiting = SIM_WAIT_PIN;
	sim_device_send(device, MSG_PIN_MATRIX_REQUEST, &request.base);
	return SIM_WAITS;
}

/* ---- the Trezor One's slot --------------------------------------------------- */

/* The text a Trezor One's Cancel gives the question out. */
static void cancelled(struct sim_device *device)
{
	const struct sim_operation *op = &device->operation;

	if (op->waiting == SIM_WAIT_PIN)
		sim_flow_fail(device, TZ__FAILURE_TYPE__Failure_PinCancelled, NULL);
	else if (op->waiting == SIM_WAIT_PASSPHRASE)
		sim_flow_fail(device, TZ__FAILURE_TYPE__Failure_ActionCancelled, NULL);
	else
		refused(device, op->question.screen);
}

/* Initialize during a question: the request ends and a new session starts. */
static void initialized(struct sim_device *device)
{
	end_operation(device);
	sim_session_start(device, NULL, 0);
	sim_features_send(device, true);
}

/*
 * Does the question out take the message in the slot? Each of the firmware's
 * prompt loops looks only for its own Ack, Cancel and Initialize (and the
 * debug link's); what it does not take stays for a later one.
 */
static bool takes(enum sim_wait waiting, uint16_t type)
{
	switch (type) {
	case MSG_CANCEL:
	case MSG_INITIALIZE:
	case MSG_DEBUG_LINK_GET_STATE:
		return question_out(waiting);
	case MSG_BUTTON_ACK:
	case MSG_DEBUG_LINK_DECISION:
		return waiting == SIM_WAIT_BUTTON_ACK || waiting == SIM_WAIT_PERSON;
	case MSG_PIN_MATRIX_ACK:
		return waiting == SIM_WAIT_PIN;
	case MSG_PASSPHRASE_ACK:
		return waiting == SIM_WAIT_PASSPHRASE;
	default:
		return false;
	}
}

/* Take the slot's message if the question wants it; true when taken. */
static bool take_tiny(struct sim_device *device)
{
	struct sim_tiny *tiny = &device->tiny;
	ProtobufCMessage *message = tiny->message;
	uint16_t type = tiny->type;

	if (message == NULL || !takes(device->operation.waiting, type))
		return false;
	tiny->message = NULL;           /* the slot is empty again */
	switch (type) {
	case MSG_CANCEL: cancelled(device); break;
	case MSG_INITIALIZE: initialized(device); break;
	case MSG_DEBUG_LINK_GET_STATE: sim_debuglink_send_state(device); break;
	case MSG_BUTTON_ACK: acked(device); break;
	case MSG_DEBUG_LINK_DECISION:
		decide_from(device, (const Tz__DebugLinkDecision *)message);
		break;
	case MSG_PIN_MATRIX_ACK: pin_ack(device, (const Tz__PinMatrixAck *)message); break;
	case MSG_PASSPHRASE_ACK:
		sim_seed_passphrase_ack(device, (const Tz__PassphraseAck *)message);
		break;
	}
	protobuf_c_message_free_unpacked(message, NULL);
	return true;
}

void sim_flow_poll_tiny(struct sim_device *device)
{
	run(device);
}

int sim_flow_awaited(const struct sim_device *device)
{
	switch (device->operation.waiting) {
	case SIM_WAIT_BUTTON_ACK: return MSG_BUTTON_ACK;
	case SIM_WAIT_PASSPHRASE: return MSG_PASSPHRASE_ACK;
	case SIM_WAIT_PIN: return MSG_PIN_MATRIX_ACK;
	default: return -1;
	}
}

void sim_flow_take_ack(struct sim_device *device, const ProtobufCMessage *message)
{
	switch (sim_flow_awaited(device)) {
	case MSG_BUTTON_ACK:
		acked(device);
		break;
	case MSG_PASSPHRASE_ACK:
		sim_seed_passphrase_ack(device, (const Tz__PassphraseAck *)message);
		break;
	case MSG_PIN_MATRIX_ACK:
		pin_ack(device, (const Tz__PinMatrixAck *)message);
		break;
	}
	run(device);
}

/* ---- running the plan --------------------------------------------------------- */

static int work_delay(const struct sim_device *device)
{
	switch (device->operation.kind) {
	case SIM_REQUEST_SIGN_IDENTITY:
	case SIM_REQUEST_ECDH:
		return device->options.sign_delay_ms;
	case SIM_REQUEST_GET_PUBLIC_KEY:
	case SIM_REQUEST_GET_ADDRESS:
		return device->options.derive_delay_ms;
	default:
		return 0;
	}
}

/* SIM_STEP_COMPUTE: the answer is made, then the device takes its time. */
static enum sim_result compute_step(struct sim_device *device)
{
	struct sim_operation *op = op_of(device);
	enum sim_result result;

	if (op->stage > 0)
		return SIM_DONE;
	result = sim_request_compute(device);
	if (result != SIM_DONE)
		return result;
	op->stage = 1;
	if (work_delay(device) == 0)
		return SIM_DONE;
	op->waiting = SIM_WAIT_WORK;
	op->due_ms = device->now_ms + work_delay(device);
	return SIM_WAITS;
}

static enum sim_result reply_step(struct sim_device *device)
{
	struct sim_operation *op = op_of(device);
	struct sim_outgoing answer = op->answer;

	memset(&op->answer, 0, sizeof(op->answer));
	end_operation(device);
	sim_device_send_outgoing(device, &answer);
	return SIM_ENDED;
}

static enum sim_result perform(struct sim_device *device, enum sim_step step)
{
	switch (step) {
	case SIM_STEP_INITIALIZED:
		if (!device->options.uninitialized)
			return SIM_DONE;
		return sim_flow_fail(device, TZ__FAILURE_TYPE__Failure_NotInitialized,
				     sim_device_is_core(device) ? "Device is not initialized"
								: NULL);
	case SIM_STEP_UNLOCK: return unlock_step(device);
	case SIM_STEP_CHECK: return sim_request_check(device);
	case SIM_STEP_SEED: return sim_seed_step(device);
	case SIM_STEP_PATH: return sim_request_path(device);
	case SIM_STEP_CONFIRM: return sim_request_confirm(device);
	case SIM_STEP_COMPUTE: return compute_step(device);
	case SIM_STEP_REPLY: return reply_step(device);
	default: end_operation(device); return SIM_ENDED;
	}
}

/* Settle a wait that can be settled now; true when something changed. */
static bool settle(struct sim_device *device)
{
	struct sim_operation *op = op_of(device);
	bool due = op->due_ms >= 0 && device->now_ms >= op->due_ms;

	if (!sim_device_is_core(device) && take_tiny(device))
		return true;
	if (op->waiting == SIM_WAIT_PERSON && due) {
		person_decides(device);
		return true;
	}
	if ((op->waiting == SIM_WAIT_WORK || op->waiting == SIM_WAIT_WAKING_UP) && due) {
		op->waiting = SIM_WAIT_NOTHING;
		return true;
	}
	return false;
}

static void run(struct sim_device *device)
{
	struct sim_operation *op = op_of(device);
	enum sim_result result;

	while (sim_flow_busy(device)) {
		if (op->waiting != SIM_WAIT_NOTHING) {
			if (!settle(device))
				return;
			continue;
		}
		result = perform(device, op->plan[op->step]);
		if (result == SIM_DONE) {
			op->step++;
			op->stage = 0;
		} else if (result == SIM_WAITS && op->waiting == SIM_WAIT_NOTHING) {
			return;         /* nothing to wait for: a step's mistake, not a loop */
		}
	}
}

void sim_flow_start(struct sim_device *device, enum sim_request kind, ProtobufCMessage *request)
{
	struct sim_operation *op = op_of(device);

	end_operation(device);
	op->kind = kind;
	op->request = request;
	op->plan = sim_request_plan(device, kind, request);
	if (kind == SIM_REQUEST_SIGN_IDENTITY)
		op->spoilt = sim_fault_strikes(&device->fault, SIM_OCCASION_SIGN_IDENTITY);
	else if (kind == SIM_REQUEST_GET_PUBLIC_KEY)
		op->spoilt = sim_fault_strikes(&device->fault, SIM_OCCASION_GET_PUBLIC_KEY);
	if (op->spoilt)
		sim_device_log(device, "fault %s", sim_fault_name(device->fault.mode));
	run(device);
}

int64_t sim_flow_next_event(const struct sim_device *device)
{
	const struct sim_operation *op = &device->operation;

	switch (op->waiting) {
	case SIM_WAIT_PERSON:
	case SIM_WAIT_WORK:
	case SIM_WAIT_WAKING_UP:
		return op->due_ms;
	default:
		return -1;
	}
}

void sim_flow_tick(struct sim_device *device)
{
	run(device);
}

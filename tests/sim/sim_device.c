/*
 * The simulated Trezor's face: reports in, replies out, and the requests a
 * firmware answers at once (Initialize, GetFeatures, Cancel, LockDevice,
 * EndSession). See sim_device.h.
 */
#include "config.h"

#include "sim_device.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "messages.h"
#include "sim_debuglink.h"
#include "sim_decode.h"
#include "sim_features.h"
#include "sim_thp.h"
#include "trezor.pb-c.h"

bool sim_device_is_core(const struct sim_device *device)
{
	return device->options.model != SIM_MODEL_ONE;
}

void sim_device_log(const struct sim_device *device, const char *format, ...)
{
	va_list arguments;

	if (device->options.verbose <= 0)
		return;
	va_start(arguments, format);
	fputs("trezor-sim: ", stderr);
	vfprintf(stderr, format, arguments);
	fputc('\n', stderr);
	va_end(arguments);
}

/* ---- outgoing messages ---------------------------------------------------- */

void sim_device_send_outgoing(struct sim_device *device, struct sim_outgoing *out)
{
	const char *name = message_type_name(out->type);

	if (device->outbox_count == SIM_OUTBOX_MAX) {
		fprintf(stderr, "trezor-sim: outbox full, dropping a reply\n");
		sim_outgoing_free(out);
		return;
	}
	device->outbox[device->outbox_count++] = *out;
	memset(out, 0, sizeof(*out));
	sim_device_log(device, "-> %s", name != NULL ? name : "?");
}

static void send_on(struct sim_device *device, bool debug, uint16_t type,
		    const ProtobufCMessage *message)
{
	struct sim_outgoing out = { 0 };

	if (!sim_outgoing_pack(&out, type, message)) {
		fprintf(stderr, "trezor-sim: out of memory\n");
		return;
	}
	out.debug = debug;
	sim_device_send_outgoing(device, &out);
}

void sim_device_send(struct sim_device *device, uint16_t type, const ProtobufCMessage *message)
{
	send_on(device, false, type, message);
}

void sim_device_send_debug(struct sim_device *device, uint16_t type,
			   const ProtobufCMessage *message)
{
	send_on(device, true, type, message);
}

/* The Trezor One's texts for a Failure sent without one (fsm_sendFailure). */
static const char *default_text(int code)
{
	switch (code) {
	case TZ__FAILURE_TYPE__Failure_UnexpectedMessage: return "Unexpected message";
	case TZ__FAILURE_TYPE__Failure_ButtonExpected: return "Button expected";
	case TZ__FAILURE_TYPE__Failure_DataError: return "Data error";
	case TZ__FAILURE_TYPE__Failure_ActionCancelled: return "Action cancelled by user";
	case TZ__FAILURE_TYPE__Failure_PinExpected: return "PIN expected";
	case TZ__FAILURE_TYPE__Failure_PinCancelled: return "PIN cancelled";
	case TZ__FAILURE_TYPE__Failure_PinInvalid: return "PIN invalid";
	case TZ__FAILURE_TYPE__Failure_ProcessError: return "Process error";
	case TZ__FAILURE_TYPE__Failure_NotInitialized: return "Device not initialized";
	case TZ__FAILURE_TYPE__Failure_PinMismatch: return "PIN mismatch";
	case TZ__FAILURE_TYPE__Failure_InvalidSession: return "Invalid session";
	case TZ__FAILURE_TYPE__Failure_Busy: return "Device is busy";
	case TZ__FAILURE_TYPE__Failure_InvalidProtocol: return "Invalid protocol";
	case TZ__FAILURE_TYPE__Failure_FirmwareError: return "Firmware error";
	default: return NULL;
	}
}

void sim_device_fail(struct sim_device *device, int code, const char *text)
{
	Tz__Failure failure = TZ__FAILURE__INIT;

	failure.has_code = true;
	failure.code = (Tz__FailureType)code;
	failure.message = (char *)(text != NULL ? text : default_text(code));
	sim_device_send(device, MSG_FAILURE, &failure.base);
}

const char *sim_device_firmware_error(const struct sim_device *device, const char *text)
{
	return device->options.debuglink ? text : "Firmware error";
}

static void send_success(struct sim_device *device, const char *text)
{
	Tz__Success success = TZ__SUCCESS__INIT;

	success.message = (char *)text;
	sim_device_send(device, MSG_SUCCESS, &success.base);
}

void sim_device_clear_outbox(struct sim_device *device)
{
	size_t i;

	for (i = 0; i < device->outbox_count; i++)
		sim_outgoing_free(&device->outbox[i]);
	device->outbox_count = 0;
}

/* ---- life ------------------------------------------------------------------ */

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
	if (options->mnemonic == NULL || options->label == NULL)
		return false;
	if (options->device_id != NULL)
		snprintf(device->device_id, sizeof(device->device_id), "%s", options->device_id);
	else
		derive_device_id(options->mnemonic, device->device_id);
	device->fault.mode = options->fault;
	device->fault.after = options->fault_after;
	device->fault.count = options->fault_for;
	sim_sessions_clear(&device->sessions);
	sim_protect_init(device);
	if (options->model == SIM_MODEL_SAFE_7 && !sim_thp_init(device))
		return false;
	return true;
}

void sim_device_start_clock(struct sim_device *device, int64_t now_ms)
{
	device->now_ms = now_ms;
	device->idle_since_ms = now_ms;
}

/* Everything the firmware holds in RAM goes; the storage (PIN, seed) stays. */
static void power_off(struct sim_device *device)
{
	sim_flow_abort(device);
	sim_tiny_clear(&device->tiny);
	sim_reader_reset(&device->main_reader);
	sim_reader_reset(&device->debug_reader);
	memset(&device->inbox, 0, sizeof(device->inbox));
	sim_thp_reset(device);
	sim_sessions_clear(&device->sessions);
}

void sim_device_free(struct sim_device *device)
{
	power_off(device);
	sim_device_clear_outbox(device);
	if (device->thp != NULL)
		OPENSSL_cleanse(device->thp, sizeof(*device->thp));
	free(device->thp);
	device->thp = NULL;
}

void sim_device_restart(struct sim_device *device)
{
	power_off(device);
	sim_device_clear_outbox(device);
	device->idle_since_ms = device->now_ms;
	sim_protect_init(device);
	sim_device_log(device, "restarted");
}

/* ---- requests ------------------------------------------------------------- */

const ProtobufCMessageDescriptor *sim_device_descriptor(uint16_t type)
{
	switch (type) {
	case MSG_INITIALIZE: return &tz__initialize__descriptor;
	case MSG_PING: return &tz__ping__descriptor;
	case MSG_GET_PUBLIC_KEY: return &tz__get_public_key__descriptor;
	case MSG_PIN_MATRIX_ACK: return &tz__pin_matrix_ack__descriptor;
	case MSG_CANCEL: return &tz__cancel__descriptor;
	case MSG_LOCK_DEVICE: return &tz__lock_device__descriptor;
	case MSG_BUTTON_ACK: return &tz__button_ack__descriptor;
	case MSG_GET_ADDRESS: return &tz__get_address__descriptor;
	case MSG_PASSPHRASE_ACK: return &tz__passphrase_ack__descriptor;
	case MSG_SIGN_IDENTITY: return &tz__sign_identity__descriptor;
	case MSG_GET_FEATURES: return &tz__get_features__descriptor;
	case MSG_GET_ECDH_SESSION_KEY: return &tz__get_ecdhsession_key__descriptor;
	case MSG_END_SESSION: return &tz__end_session__descriptor;
	case MSG_DEBUG_LINK_DECISION: return &tz__debug_link_decision__descriptor;
	case MSG_DEBUG_LINK_GET_STATE: return &tz__debug_link_get_state__descriptor;
	case MSG_THP_CREATE_NEW_SESSION: return &tz__thp_create_new_session__descriptor;
	default: return NULL;
	}
}

static ProtobufCMessage *unpack(uint16_t type, const uint8_t *payload, size_t length)
{
	const ProtobufCMessageDescriptor *descriptor = sim_device_descriptor(type);

	return descriptor != NULL ? protobuf_c_message_unpack(descriptor, NULL, length, payload)
				  : NULL;
}

/* The requests that take steps; SIM_REQUEST_NONE for the rest. */
static enum sim_request request_kind(uint16_t type)
{
	switch (type) {
	case MSG_SIGN_IDENTITY: return SIM_REQUEST_SIGN_IDENTITY;
	case MSG_GET_PUBLIC_KEY: return SIM_REQUEST_GET_PUBLIC_KEY;
	case MSG_GET_ADDRESS: return SIM_REQUEST_GET_ADDRESS;
	case MSG_PING: return SIM_REQUEST_PING;
	case MSG_GET_ECDH_SESSION_KEY: return SIM_REQUEST_ECDH;
	default: return SIM_REQUEST_NONE;
	}
}

static void initialize(struct sim_device *device, const Tz__Initialize *request)
{
	sim_flow_abort(device);
	sim_session_start(device, request->has_session_id ? request->session_id.data : NULL,
			  request->session_id.len);
	sim_features_send(device, true);
}

/* A request (decoded, owned) as both families serve it between questions. */
static void serve(struct sim_device *device, uint16_t type, ProtobufCMessage *request)
{
	bool core = sim_device_is_core(device);

	switch (type) {
	case MSG_INITIALIZE:
		initialize(device, (const Tz__Initialize *)request);
		break;
	case MSG_GET_FEATURES:
		sim_features_send(device, false);
		break;
	case MSG_CANCEL:
		sim_device_fail(device, TZ__FAILURE_TYPE__Failure_ActionCancelled,
				core ? "Cancelled" : NULL);
		break;
	case MSG_LOCK_DEVICE:
		sim_protect_lock(device);
		send_success(device, core ? NULL : "Session cleared");
		break;
	case MSG_END_SESSION:
		sim_session_end(device);
		send_success(device, core ? NULL : "Session ended");
		break;
	case MSG_THP_CREATE_NEW_SESSION:
		/* Made (or replaced) at once; its seed follows the PIN and passphrase. */
		sim_session_thp_create(device, device->thp->active, device->thp->session);
		sim_flow_start(device, SIM_REQUEST_THP_SESSION, request);
		return;
	default:
		sim_flow_start(device, request_kind(type), request);
		return;         /* the request is the operation's now */
	}
	protobuf_c_message_free_unpacked(request, NULL);
}

/* A Trezor One between questions: nanopb's checks first, then the request. */
static void dispatch_one(struct sim_device *device, bool debug, uint16_t type,
			 const uint8_t *payload, size_t length)
{
	const char *error = sim_decode_check(type, payload, length);
	ProtobufCMessage *request = error == NULL ? unpack(type, payload, length) : NULL;

	if (request == NULL) {
		sim_device_fail(device, TZ__FAILURE_TYPE__Failure_DataError,
				error != NULL ? error : "Data error");
		return;
	}
	if (debug) {            /* the reader let only DebugLinkGetState through */
		sim_debuglink_send_state(device);
		protobuf_c_message_free_unpacked(request, NULL);
		return;
	}
	serve(device, type, request);
}

/*
 * The types a core model has handlers for (and the simulator serves); over
 * THP, ThpCreateNewSession takes Initialize's place (apps/base.py boot).
 */
static bool core_serves(const struct sim_device *device, uint16_t type)
{
	if (device->thp != NULL && (type == MSG_INITIALIZE || type == MSG_THP_CREATE_NEW_SESSION))
		return type == MSG_THP_CREATE_NEW_SESSION;
	return type == MSG_INITIALIZE || type == MSG_GET_FEATURES || type == MSG_CANCEL ||
	       type == MSG_LOCK_DEVICE || type == MSG_END_SESSION ||
	       request_kind(type) != SIM_REQUEST_NONE;
}

static void dispatch_core_debug(struct sim_device *device, uint16_t type, const uint8_t *payload,
				size_t length)
{
	ProtobufCMessage *request = unpack(type, payload, length);
	Tz__Failure failure = TZ__FAILURE__INIT;

	if (request != NULL && type == MSG_DEBUG_LINK_DECISION) {
		sim_flow_decide(device, (const Tz__DebugLinkDecision *)request);
	} else if (request != NULL && type == MSG_DEBUG_LINK_GET_STATE) {
		sim_debuglink_send_state(device);
	} else {
		failure.has_code = true;
		failure.code = TZ__FAILURE_TYPE__Failure_UnexpectedMessage;
		failure.message = (char *)"Unexpected message";
		sim_device_send_debug(device, MSG_FAILURE, &failure.base);
	}
	if (request != NULL)
		protobuf_c_message_free_unpacked(request, NULL);
}

/*
 * A core model: the Ack a question awaits continues it; any other message
 * ends the request without a reply and is served itself.
 */
static void dispatch_core(struct sim_device *device, uint16_t type, const uint8_t *payload,
			  size_t length)
{
	ProtobufCMessage *request;

	if (sim_flow_asks(device) && (int)type == sim_flow_awaited(device)) {
		request = unpack(type, payload, length);
		if (request == NULL) {
			sim_flow_abort(device);
			sim_device_fail(device, TZ__FAILURE_TYPE__Failure_DataError,
					"Failed to decode message");
			return;
		}
		sim_flow_take_ack(device, request);
		protobuf_c_message_free_unpacked(request, NULL);
		return;
	}
	if (sim_flow_asks(device))
		sim_flow_abort(device);
	if (!core_serves(device, type)) {
		sim_device_fail(device, TZ__FAILURE_TYPE__Failure_UnexpectedMessage,
				"Unexpected message");
		return;
	}
	request = unpack(type, payload, length);
	if (request == NULL) {
		sim_device_fail(device, TZ__FAILURE_TYPE__Failure_DataError,
				"Failed to decode message");
		return;
	}
	serve(device, type, request);
}

/* A device in bootloader mode serves Features only. True if refused. */
static bool refuse_unusable(struct sim_device *device, uint16_t type)
{
	if (!device->options.bootloader)
		return false;
	if (type == MSG_INITIALIZE || type == MSG_GET_FEATURES)
		sim_features_send(device, false);
	else
		sim_device_fail(device, TZ__FAILURE_TYPE__Failure_UnexpectedMessage,
				"Unexpected message");
	return true;
}

void sim_device_dispatch(struct sim_device *device, bool debug, uint16_t type,
			 const uint8_t *payload, size_t length)
{
	const char *name = message_type_name(type);

	sim_device_log(device, "<- %s", name != NULL ? name : "?");
	if (sim_device_is_core(device))
		device->idle_since_ms = device->now_ms; /* every message touches its idle timer */
	if (refuse_unusable(device, type))
		return;
	if (!sim_device_is_core(device))
		dispatch_one(device, debug, type, payload, length);
	else if (debug)
		dispatch_core_debug(device, type, payload, length);
	else
		dispatch_core(device, type, payload, length);
}

/* ---- time and reports --------------------------------------------------------- */

/* Reports that waited while the device read nothing, as long as it reads. */
static void drain(struct sim_device *device)
{
	uint8_t report[WIRE_REPORT_SIZE];
	bool debug;

	while (!sim_flow_reads_nothing(device) && sim_inbox_pop(&device->inbox, &debug, report))
		sim_reader_feed(device, debug, report);
}

void sim_device_tick(struct sim_device *device, int64_t now_ms)
{
	device->now_ms = now_ms;
	sim_flow_tick(device);
	sim_thp_tick(device);
	drain(device);
}

int sim_device_auto_lock_delay(const struct sim_device *device)
{
	return device->options.auto_lock_delay_ms > 0 ? device->options.auto_lock_delay_ms
						       : 10 * 60 * 1000;
}

/*
 * The firmware locks itself after the auto-lock delay with nothing to do
 * (legacy trezor.c, core lock_manager): a Trezor One locks its storage even
 * without a PIN, a core model only with one.
 */
static void auto_lock(struct sim_device *device)
{
	if (sim_flow_busy(device) || !device->protect.unlocked ||
	    device->now_ms - device->idle_since_ms < sim_device_auto_lock_delay(device))
		return;
	device->idle_since_ms = device->now_ms;
	if (sim_device_is_core(device) && device->options.pin == NULL)
		return;
	sim_protect_lock(device);
	sim_device_log(device, "locked after %d ms of nothing to do",
		       sim_device_auto_lock_delay(device));
}

bool sim_device_listens(const struct sim_device *device)
{
	return !device->protect.at_lock_screen;
}

void sim_device_receive(struct sim_device *device, bool debug, const uint8_t *report,
			int64_t now_ms)
{
	if (!sim_device_listens(device))
		return;         /* its USB interface is not open yet */
	sim_device_tick(device, now_ms);
	auto_lock(device);
	if (device->thp != NULL && !debug) {
		sim_thp_receive(device, report);        /* THP reads each packet as it comes */
		return;
	}
	/* Behind the reports already waiting, or waiting itself while the device works. */
	if (sim_flow_reads_nothing(device) || device->inbox.count > 0) {
		if (!sim_inbox_push(&device->inbox, debug, report))
			fprintf(stderr, "trezor-sim: inbox full, dropping a report\n");
		return;
	}
	sim_reader_feed(device, debug, report);
	drain(device);
}

static void handle_on(struct sim_device *device, bool debug, const struct wire_message *message,
		      int64_t now_ms)
{
	uint8_t report[WIRE_REPORT_SIZE];
	size_t i, count = wire_report_count(message->length);

	for (i = 0; i < count; i++) {
		wire_encode_report(message->type, message->payload, message->length, i, report);
		sim_device_receive(device, debug, report, now_ms);
	}
}

void sim_device_handle(struct sim_device *device, const struct wire_message *request,
		       int64_t now_ms)
{
	handle_on(device, false, request, now_ms);
}

void sim_device_handle_debug(struct sim_device *device, const struct wire_message *request,
			     int64_t now_ms)
{
	handle_on(device, true, request, now_ms);
}

int64_t sim_device_next_event(const struct sim_device *device)
{
	int64_t flow = sim_flow_next_event(device), thp = sim_thp_next_event(device);

	if (flow < 0 || (thp >= 0 && thp < flow))
		return thp;
	return flow;
}

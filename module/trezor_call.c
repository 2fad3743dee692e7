/*
 * One request, its interposed requests, and its reply. See trezor_call.h.
 */
#include "config.h"

#include "trezor_call.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "messages.h"
#include "text.h"
#include "thp_connect.h"
#include "trezor.pb-c.h"

/* A device may interpose a few requests (button, PIN, passphrase, a second
 * button); one that never stops is hostile. */
#define MAX_INTERPOSED_REQUESTS 16
#define CANCEL_REPLY_TIMEOUT_MS 2000
/* Longest device message we repeat to a person. */
#define DEVICE_MESSAGE_MAX 120

enum trezor_status trezor_fail(struct trezor_device *device, enum trezor_status status,
			       const char *format, ...)
{
	va_list args;

	va_start(args, format);
	vsnprintf(device->error, sizeof(device->error), format, args);
	va_end(args);
	return status;
}

static const char *type_name(unsigned type)
{
	const char *name = message_type_name(type);

	return name != NULL ? name : "an unknown message";
}

static enum trezor_status from_transport(struct trezor_device *device,
					 enum transport_status status, const char *doing)
{
	switch (status) {
	case TRANSPORT_OK:
		return TREZOR_OK;
	case TRANSPORT_TIMEOUT:
		return trezor_fail(device, TREZOR_ERR_TIMEOUT, "the Trezor did not answer %s in time",
				   doing);
	case TRANSPORT_GONE:
		return trezor_fail(device, TREZOR_ERR_GONE, "the Trezor went away (%s)",
				   device->transport->error);
	case TRANSPORT_BAD_DATA:
		return trezor_fail(device, TREZOR_ERR_PROTOCOL, "%s", device->transport->error);
	case TRANSPORT_CANCELLED:
		return trezor_fail(device, TREZOR_ERR_ABORTED, "the wait for the Trezor was cancelled");
	case TRANSPORT_RESET:
		return trezor_fail(device, TREZOR_ERR_RESET, "%s", device->transport->error);
	case TRANSPORT_ERROR:
	case TRANSPORT_BUSY:
		break;
	}
	return trezor_fail(device, TREZOR_ERR_TRANSPORT, "%s", device->transport->error);
}

/* Every request the module sends fits here; packing needs no allocation. */
#define SMALL_REQUEST_SIZE 1024

static enum trezor_status send_message(struct trezor_device *device, uint16_t type,
				       const ProtobufCMessage *message)
{
	size_t length = protobuf_c_message_get_packed_size(message);
	uint8_t small[SMALL_REQUEST_SIZE], *payload = small;
	enum transport_status status;

	if (length > WIRE_MAX_PAYLOAD)
		return trezor_fail(device, TREZOR_ERR_ARGUMENT, "%s would be too large to send",
				   type_name(type));
	if (length > sizeof(small))
		payload = malloc(length);
	if (payload == NULL)
		return trezor_fail(device, TREZOR_ERR_NO_MEMORY, "out of memory");
	protobuf_c_message_pack(message, payload);
	/* The size of a PIN or passphrase answer would tell its length. */
	if (type == MSG_PIN_MATRIX_ACK || type == MSG_PASSPHRASE_ACK)
		log_debug("-> %s", type_name(type));
	else
		log_debug("-> %s (%zu bytes)", type_name(type), length);
	status = transport_send_message(device->transport, type, payload, length);
	explicit_bzero(payload, length);        /* a PinMatrixAck or PassphraseAck is secret */
	if (payload != small)
		free(payload);
	return from_transport(device, status, type_name(type));
}

static enum trezor_status unpack(struct trezor_device *device,
				 const ProtobufCMessageDescriptor *descriptor,
				 const struct wire_message *message, ProtobufCMessage **out)
{
	*out = protobuf_c_message_unpack(descriptor, NULL, message->length, message->payload);
	if (*out == NULL)
		return trezor_fail(device, TREZOR_ERR_PROTOCOL, "the Trezor sent a malformed %s",
				   type_name(message->type));
	return TREZOR_OK;
}

static enum trezor_status failure_status(struct trezor_device *device,
					 const struct wire_message *message)
{
	ProtobufCMessage *unpacked;
	Tz__Failure *failure;
	char text[DEVICE_MESSAGE_MAX + 4];
	enum trezor_status status = unpack(device, &tz__failure__descriptor, message, &unpacked);

	if (status != TREZOR_OK)
		return status;
	failure = (Tz__Failure *)unpacked;
	device->failure_code = failure->has_code ? (uint32_t)failure->code : 0;
	if (!text_copy_shown(text, DEVICE_MESSAGE_MAX + 1, failure->message))
		strcat(text, "...");            /* room was kept for it */
	protobuf_c_message_free_unpacked(unpacked, NULL);

	switch (device->failure_code) {
	case TZ__FAILURE_TYPE__Failure_ActionCancelled:
	case TZ__FAILURE_TYPE__Failure_PinCancelled:
		return trezor_fail(device, TREZOR_ERR_CANCELLED, "cancelled on the Trezor%s%s",
				   text[0] ? ": " : "", text);
	case TZ__FAILURE_TYPE__Failure_PinInvalid:
		return trezor_fail(device, TREZOR_ERR_PIN_INVALID, "wrong PIN%s%s",
				   text[0] ? ": " : "", text);
	case TZ__FAILURE_TYPE__Failure_NotInitialized:
		return trezor_fail(device, TREZOR_ERR_NOT_INITIALIZED,
				   "the Trezor has no seed yet: set it up in Trezor Suite first");
	case TZ__FAILURE_TYPE__Failure_InvalidSession:
		thp_connect_session_lost(device);
		return trezor_fail(device, TREZOR_ERR_INVALID_SESSION,
				   "the Trezor has no session for this program (it restarted?)");
	case TZ__FAILURE_TYPE__Failure_InvalidProtocol:
		return trezor_fail(device, TREZOR_ERR_NEEDS_THP,
				   "this Trezor (a Safe 7?) speaks only the newer Trezor Host "
				   "Protocol (THP)");
	default:
		return trezor_fail(device, TREZOR_ERR_FAILURE, "the Trezor reports failure %u%s%s",
				   device->failure_code, text[0] ? ": " : "", text);
	}
}

/*
 * Tell the device to stop, and swallow its answer (Failure ActionCancelled).
 * False when nothing at all came back.
 */
static bool cancel_quietly(struct trezor_device *device)
{
	struct wire_message reply;
	Tz__Cancel cancel = TZ__CANCEL__INIT;
	char saved[TREZOR_ERROR_MAX];
	enum transport_status received = TRANSPORT_ERROR;

	memcpy(saved, device->error, sizeof(saved));
	if (send_message(device, MSG_CANCEL, &cancel.base) == TREZOR_OK)
		received = transport_receive_message(device->transport, &reply,
						     CANCEL_REPLY_TIMEOUT_MS);
	if (received == TRANSPORT_OK)
		wire_message_free(&reply);
	memcpy(device->error, saved, sizeof(saved));
	return received == TRANSPORT_OK || received == TRANSPORT_BAD_DATA;
}

/*
 * What a ButtonRequest waits for. Core firmware names its requests; a
 * Trezor One does not, and asks to confirm a hidden wallet with code Other
 * right after a passphrase (HACKING 5.3 and 5.8).
 */
static enum trezor_wait classify_button(const struct trezor_device *device,
					const Tz__ButtonRequest *request)
{
	uint32_t code = request->has_code ? (uint32_t)request->code : 0;

	/* THP's dialogs, named by the firmware (core/src/trezor/wire/thp/ui.py). */
	if (request->name != NULL && strcmp(request->name, "thp_pairing_request") == 0)
		return TREZOR_WAIT_PAIRING;
	if (request->name != NULL && strcmp(request->name, "thp_connection_request") == 0)
		return TREZOR_WAIT_CONNECTION;
	if (request->name != NULL &&
	    strcmp(request->name, "thp_autoconnect_credential_request") == 0)
		return TREZOR_WAIT_AUTOCONNECT;
	if (code == TZ__BUTTON_REQUEST_TYPE__ButtonRequest_PinEntry)
		return TREZOR_WAIT_PIN;
	if (code == TZ__BUTTON_REQUEST_TYPE__ButtonRequest_PassphraseEntry)
		return TREZOR_WAIT_PASSPHRASE;
	if (request->name != NULL)
		return strncmp(request->name, "passphrase_host", 15) == 0 ?
			       TREZOR_WAIT_HIDDEN_WALLET : TREZOR_WAIT_CONFIRM;
	if (code == TZ__BUTTON_REQUEST_TYPE__ButtonRequest_Other && device->passphrase_given)
		return TREZOR_WAIT_HIDDEN_WALLET;
	return TREZOR_WAIT_CONFIRM;
}

static enum trezor_status answer_button(struct trezor_device *device,
					const struct wire_message *message)
{
	ProtobufCMessage *unpacked;
	Tz__ButtonAck ack = TZ__BUTTON_ACK__INIT;
	enum trezor_wait wait;
	enum trezor_status status = unpack(device, &tz__button_request__descriptor, message,
					   &unpacked);

	if (status != TREZOR_OK)
		return status;
	wait = classify_button(device, (Tz__ButtonRequest *)unpacked);
	protobuf_c_message_free_unpacked(unpacked, NULL);
	if (wait == TREZOR_WAIT_CONFIRM)
		device->asked |= TREZOR_ASKED_CONFIRM;
	else if (wait == TREZOR_WAIT_PIN)
		device->asked |= TREZOR_ASKED_PIN;
	else if (wait == TREZOR_WAIT_PASSPHRASE)
		device->asked |= TREZOR_ASKED_PASSPHRASE;
	if (device->prompts != NULL && device->prompts->button != NULL)
		device->prompts->button(device->prompts->context, wait);
	return send_message(device, MSG_BUTTON_ACK, &ack.base);
}

/* The PIN or passphrase could not be had: tell the device to stop. */
static enum trezor_status give_up_input(struct trezor_device *device, enum trezor_status status,
					const char *error)
{
	char saved[TREZOR_ERROR_MAX];

	snprintf(saved, sizeof(saved), "%s", error);
	cancel_quietly(device);
	return trezor_fail(device, status, "%s", saved);
}

static enum trezor_status answer_pin(struct trezor_device *device)
{
	Tz__PinMatrixAck ack = TZ__PIN_MATRIX_ACK__INIT;
	char pin[TREZOR_PIN_MAX + 1] = "", error[TREZOR_ERROR_MAX] = "";
	enum trezor_status status = TREZOR_ERR_NEEDS_INPUT;

	if (device->prompts != NULL && device->prompts->pin != NULL)
		status = device->prompts->pin(device->prompts->context, pin, error, sizeof(error));
	else
		snprintf(error, sizeof(error), "the Trezor asks for its PIN, and nobody can be asked");
	if (status != TREZOR_OK) {
		explicit_bzero(pin, sizeof(pin));
		return give_up_input(device, status, error);
	}
	ack.pin = pin;
	device->asked |= TREZOR_ASKED_PIN;
	status = send_message(device, MSG_PIN_MATRIX_ACK, &ack.base);
	explicit_bzero(pin, sizeof(pin));
	return status;
}

static enum trezor_status answer_passphrase(struct trezor_device *device)
{
	Tz__PassphraseAck ack = TZ__PASSPHRASE_ACK__INIT;
	char passphrase[TREZOR_PASSPHRASE_MAX + 1] = "", error[TREZOR_ERROR_MAX] = "";
	bool on_device = false;
	enum trezor_status status = TREZOR_ERR_NEEDS_INPUT;

	if (device->prompts != NULL && device->prompts->passphrase != NULL)
		status = device->prompts->passphrase(device->prompts->context,
						     device->features.passphrase_entry, passphrase,
						     &on_device, error, sizeof(error));
	else
		snprintf(error, sizeof(error),
			 "the Trezor asks for its passphrase, and nobody can be asked");
	if (status != TREZOR_OK) {
		explicit_bzero(passphrase, sizeof(passphrase));
		return give_up_input(device, status, error);
	}
	if (on_device) {
		ack.has_on_device = true;
		ack.on_device = true;
	} else {
		ack.passphrase = passphrase;
		/* A Trezor One now asks to confirm the hidden wallet, unnamed. */
		device->passphrase_given = passphrase[0] != '\0';
	}
	device->asked |= TREZOR_ASKED_PASSPHRASE;
	status = send_message(device, MSG_PASSPHRASE_ACK, &ack.base);
	explicit_bzero(passphrase, sizeof(passphrase));
	return status;
}

/*
 * Answer an interposed request. *waits_for_person is set when the next reply
 * may depend on a person (so it gets the longer timeout): after a button, and
 * after a PIN (a Trezor One makes you wait after a wrong one) or passphrase
 * (deriving the wallet's seed takes the device a moment).
 */
static enum trezor_status answer_interposed(struct trezor_device *device,
					    const struct wire_message *message,
					    bool *waits_for_person)
{
	*waits_for_person = true;
	switch (message->type) {
	case MSG_BUTTON_REQUEST:
		return answer_button(device, message);
	case MSG_PIN_MATRIX_REQUEST:
		return answer_pin(device);
	case MSG_PASSPHRASE_REQUEST:
		return answer_passphrase(device);
	default:        /* trezor_call only passes the three types above */
		return trezor_fail(device, TREZOR_ERR_PROTOCOL, "unexpected %s",
				   type_name(message->type));
	}
}

static enum trezor_status receive(struct trezor_device *device, struct wire_message *message,
				  bool waits_for_person, uint16_t request_type)
{
	int timeout = waits_for_person ? device->confirm_timeout_ms : device->reply_timeout_ms;
	enum transport_status status;

	status = transport_receive_message(device->transport, message, timeout);
	if (status == TRANSPORT_CANCELLED) {
		/* We are shutting down: tell the device to drop its prompt too. */
		Tz__Cancel cancel = TZ__CANCEL__INIT;

		send_message(device, MSG_CANCEL, &cancel.base);
	}
	if (status == TRANSPORT_TIMEOUT && waits_for_person) {
		/* A person may not have pressed; a device that ignores Cancel is broken. */
		if (!cancel_quietly(device))
			return trezor_fail(device, TREZOR_ERR_TIMEOUT,
					   "the Trezor stopped answering: nothing came back for "
					   "%s within %d s, nor for the Cancel sent then",
					   type_name(request_type), timeout / 1000);
		return trezor_fail(device, TREZOR_ERR_NOT_CONFIRMED,
				   "nobody answered the Trezor within %d s; the request was cancelled",
				   timeout / 1000);
	}
	if (status == TRANSPORT_OK)
		log_debug("<- %s (%u bytes)", type_name(message->type), message->length);
	return from_transport(device, status, type_name(request_type));
}

/* Is this the Success that echoes our Ping? */
static bool is_echo(const struct wire_message *message, const char *word)
{
	Tz__Success *success;
	bool echo;

	if (message->type != MSG_SUCCESS)
		return false;
	success = tz__success__unpack(NULL, message->length, message->payload);
	echo = success != NULL && success->message != NULL && strcmp(success->message, word) == 0;
	if (success != NULL)
		tz__success__free_unpacked(success, NULL);
	return echo;
}

/* Drop everything until the Success with `word` comes. */
static enum trezor_status skip_to_echo(struct trezor_device *device, const char *word)
{
	int64_t deadline = clock_monotonic_ms() + device->reply_timeout_ms;
	struct wire_message message;
	enum transport_status received;
	bool echo;

	for (;;) {
		/* A device that keeps talking is stopped by the clock, not by silence. */
		if (clock_remaining_ms(deadline) == 0)
			received = TRANSPORT_TIMEOUT;
		else
			received = transport_receive_message(device->transport, &message,
							     clock_remaining_ms(deadline));
		if (received == TRANSPORT_BAD_DATA)
			continue;               /* what is left of a spoilt message */
		if (received == TRANSPORT_TIMEOUT)
			return trezor_fail(device, TREZOR_ERR_TIMEOUT,
					   "the Trezor still does not answer properly (a Ping "
					   "went unanswered): unplug it and plug it in again");
		if (received != TRANSPORT_OK)
			return from_transport(device, received, "Ping");
		echo = is_echo(&message, word);
		wire_message_free(&message);
		if (echo)
			return TREZOR_OK;
	}
}

/*
 * Get back in step after an answer that went wrong (garbage, a reply of the
 * wrong type, a timeout): the rest of a spoilt message may still be on its
 * way, and the device may still be busy with the request, waiting for a
 * ButtonAck say. A Cancel ends what it does; then a Ping with a word of our
 * own, and all that comes before its echo is dropped. The next reply read
 * is the answer to the next request.
 */
static enum trezor_status resynchronise(struct trezor_device *device)
{
	Tz__Ping ping = TZ__PING__INIT;
	char word[48];
	enum trezor_status status;

	log_debug("getting back in step with the Trezor");
	cancel_quietly(device);
	snprintf(word, sizeof(word), "trezor-pkcs11 in step again %u", ++device->resyncs);
	ping.message = word;
	status = send_message(device, MSG_PING, &ping.base);
	if (status == TREZOR_OK)
		status = skip_to_echo(device, word);
	if (status == TREZOR_OK)
		device->out_of_step = false;
	return status;
}

/* After these, replies may still be on their way or the device still busy. */
static bool leaves_out_of_step(enum trezor_status status)
{
	return status == TREZOR_ERR_TIMEOUT || status == TREZOR_ERR_PROTOCOL ||
	       status == TREZOR_ERR_TRANSPORT;
}

static bool is_interposed(uint16_t type)
{
	return type == MSG_BUTTON_REQUEST || type == MSG_PIN_MATRIX_REQUEST ||
	       type == MSG_PASSPHRASE_REQUEST;
}

/* The exchange of trezor_exchange; *delivered: the request reached the device. */
static enum trezor_status exchange(struct trezor_device *device, uint16_t type,
				   const ProtobufCMessage *request, uint16_t expected,
				   const ProtobufCMessageDescriptor *descriptor,
				   ProtobufCMessage **reply, bool *delivered)
{
	struct wire_message message;
	bool waits_for_person = false;
	enum trezor_status status;
	int round;

	*reply = NULL;
	*delivered = false;
	device->error[0] = '\0';
	device->failure_code = 0;
	device->asked = 0;
	device->passphrase_given = false;
	status = device->out_of_step ? resynchronise(device) : TREZOR_OK;
	if (status == TREZOR_OK)
		status = send_message(device, type, request);
	*delivered = status == TREZOR_OK;
	for (round = 0; status == TREZOR_OK; round++) {
		status = receive(device, &message, waits_for_person, type);
		if (status != TREZOR_OK)
			break;
		if (message.type == expected) {
			status = unpack(device, descriptor, &message, reply);
		} else if (message.type == MSG_FAILURE) {
			status = failure_status(device, &message);
		} else if (!is_interposed(message.type)) {
			status = trezor_fail(device, TREZOR_ERR_PROTOCOL,
					     "the Trezor answered %s with %s", type_name(type),
					     type_name(message.type));
		} else if (round >= MAX_INTERPOSED_REQUESTS) {
			cancel_quietly(device);
			status = trezor_fail(device, TREZOR_ERR_PROTOCOL,
					     "the Trezor keeps asking instead of answering %s",
					     type_name(type));
		} else {
			status = answer_interposed(device, &message, &waits_for_person);
			wire_message_free(&message);
			continue;
		}
		wire_message_free(&message);
		break;
	}
	if (leaves_out_of_step(status))
		device->out_of_step = true;
	return status;
}

enum trezor_status trezor_exchange(struct trezor_device *device, uint16_t type,
				   const ProtobufCMessage *request, uint16_t expected,
				   const ProtobufCMessageDescriptor *descriptor,
				   ProtobufCMessage **reply)
{
	bool delivered;

	return exchange(device, type, request, expected, descriptor, reply, &delivered);
}

/* Over THP, the channel is open before anything is sent (thp_connect.h). */
static enum trezor_status ready(struct trezor_device *device)
{
	return device->transport->thp != NULL ? thp_connect(device) : TREZOR_OK;
}

/*
 * Over codec v1, a device that answers Failure InvalidProtocol speaks only
 * THP: from then on it is spoken to in THP (as trezorlib's probe decides).
 * Over THP, a channel the device dropped before the request reached it (a
 * restart, an eviction) is opened again and the request sent once more;
 * dropped after that, the request fails and the next one reconnects.
 */
enum trezor_status trezor_call(struct trezor_device *device, uint16_t type,
			       const ProtobufCMessage *request, uint16_t expected,
			       const ProtobufCMessageDescriptor *descriptor,
			       ProtobufCMessage **reply)
{
	enum trezor_status status = ready(device);
	bool delivered = false;

	*reply = NULL;
	if (status == TREZOR_OK)
		status = exchange(device, type, request, expected, descriptor, reply, &delivered);
	if (status == TREZOR_ERR_NEEDS_THP && device->transport->thp == NULL) {
		if (!transport_enable_thp(device->transport))
			return trezor_fail(device, TREZOR_ERR_NEEDS_THP, "%s",
					   device->transport->error);
		log_debug("the Trezor answers codec v1 with InvalidProtocol: speaking THP to it");
		delivered = false;
		status = TREZOR_ERR_RESET;
	}
	if (status == TREZOR_ERR_RESET && !delivered) {
		status = ready(device);
		if (status == TREZOR_OK)
			status = exchange(device, type, request, expected, descriptor, reply,
					  &delivered);
	}
	return status;
}

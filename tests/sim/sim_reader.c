/* Reports -> messages by each family's rules. See sim_reader.h. */
#include "config.h"

#include "sim_reader.h"

#include <stdlib.h>
#include <string.h>

#include "messages.h"
#include "sim_decode.h"
#include "sim_device.h"
#include "trezor.pb-c.h"

/* The Trezor One reads a tiny message from the one report (msg_read_tiny). */
#define TINY_MAX (WIRE_REPORT_SIZE - WIRE_HEADER_SIZE)

void sim_reader_reset(struct sim_reader *reader)
{
	free(reader->payload);
	memset(reader, 0, sizeof(*reader));
}

void sim_tiny_clear(struct sim_tiny *tiny)
{
	if (tiny->message != NULL)
		protobuf_c_message_free_unpacked(tiny->message, NULL);
	memset(tiny, 0, sizeof(*tiny));
}

static bool first_report(const uint8_t *report)
{
	return report[0] == '?' && report[1] == '#' && report[2] == '#';
}

static uint16_t header_type(const uint8_t *report)
{
	return (uint16_t)(report[3] << 8 | report[4]);
}

static uint32_t header_length(const uint8_t *report)
{
	return (uint32_t)report[5] << 24 | (uint32_t)report[6] << 16 | (uint32_t)report[7] << 8 |
	       report[8];
}

static void log_received(const struct sim_device *device, uint16_t type)
{
	const char *name = message_type_name(type);

	sim_device_log(device, "<- %s", name != NULL ? name : "?");
}

/* The messages a Trezor One's map lists for an interface (and the simulator serves). */
static bool one_knows(const struct sim_device *device, bool debug, uint16_t type)
{
	if (debug)
		return type == MSG_DEBUG_LINK_GET_STATE;
	switch (type) {
	case MSG_INITIALIZE:
	case MSG_PING:
	case MSG_GET_PUBLIC_KEY:
	case MSG_GET_ADDRESS:
	case MSG_CANCEL:
	case MSG_LOCK_DEVICE:
	case MSG_GET_FEATURES:
	case MSG_SIGN_IDENTITY:
	case MSG_GET_ECDH_SESSION_KEY:
	case MSG_END_SESSION:
		return true;
	default:
		(void)device;
		return false;
	}
}

/* The messages a Trezor One's prompts read. */
static bool tiny_type(const struct sim_device *device, uint16_t type)
{
	switch (type) {
	case MSG_PIN_MATRIX_ACK:
	case MSG_BUTTON_ACK:
	case MSG_PASSPHRASE_ACK:
	case MSG_CANCEL:
	case MSG_INITIALIZE:
		return true;
	case MSG_DEBUG_LINK_DECISION:
	case MSG_DEBUG_LINK_GET_STATE:
		return device->options.debuglink;
	default:
		return false;
	}
}

/* Start a message from its first report; false when there is no room. */
static bool start(struct sim_reader *reader, const uint8_t *report, bool keep)
{
	sim_reader_reset(reader);
	reader->reading = true;
	reader->type = header_type(report);
	reader->length = header_length(report);
	reader->discarding = !keep;
	if (keep) {
		reader->payload = malloc(reader->length > 0 ? reader->length : 1);
		if (reader->payload == NULL) {
			sim_reader_reset(reader);
			return false;
		}
	}
	return true;
}

/* Append a report's payload bytes; true when the message is complete. */
static bool append(struct sim_reader *reader, const uint8_t *data, size_t available)
{
	size_t wanted = reader->length - reader->received;
	size_t count = available < wanted ? available : wanted;

	if (!reader->discarding && count > 0)
		memcpy(reader->payload + reader->received, data, count);
	reader->received += (uint32_t)count;
	return reader->received >= reader->length;
}

static void complete(struct sim_device *device, bool debug, struct sim_reader *reader)
{
	uint8_t *payload = reader->payload;
	uint16_t type = reader->type;
	uint32_t length = reader->length;

	reader->payload = NULL;
	sim_reader_reset(reader);
	sim_device_dispatch(device, debug, type, payload, length);
	free(payload);
}

/* A Trezor One between requests (msg_read_common). */
static void read_one(struct sim_device *device, bool debug, struct sim_reader *reader,
		     const uint8_t *report)
{
	if (!reader->reading) {
		if (!first_report(report))
			return;         /* not a message's start: dropped */
		if (!one_knows(device, debug, header_type(report))) {
			log_received(device, header_type(report));
			sim_device_fail(device, TZ__FAILURE_TYPE__Failure_UnexpectedMessage,
					"Unknown message");
			return;
		}
		if (header_length(report) > SIM_T1_MESSAGE_MAX) {
			log_received(device, header_type(report));
			sim_device_fail(device, TZ__FAILURE_TYPE__Failure_DataError,
					"Message too big");
			return;
		}
		if (start(reader, report, true) &&
		    append(reader, report + WIRE_HEADER_SIZE, WIRE_FIRST_CHUNK))
			complete(device, debug, reader);
		return;
	}
	if (report[0] != '?') {
		sim_reader_reset(reader);       /* the message is dropped, silently */
		return;
	}
	if (append(reader, report + 1, WIRE_NEXT_CHUNK))
		complete(device, debug, reader);
}

/* A Trezor One with a question out: each report on its own, into the slot. */
static void read_tiny(struct sim_device *device, const uint8_t *report)
{
	uint16_t type = header_type(report);
	uint32_t length = header_length(report);
	const ProtobufCMessageDescriptor *descriptor = sim_device_descriptor(type);
	ProtobufCMessage *message;
	const char *error;

	if (!first_report(report))
		return;
	if (!tiny_type(device, type) || descriptor == NULL) {
		sim_device_log(device, "ignored %s (a question is out)",
			       message_type_name(type) != NULL ? message_type_name(type) : "?");
		return;
	}
	log_received(device, type);
	sim_tiny_clear(&device->tiny);
	if (length > TINY_MAX) {
		sim_device_fail(device, TZ__FAILURE_TYPE__Failure_DataError, "Message too big");
		return;
	}
	error = sim_decode_check(type, report + WIRE_HEADER_SIZE, length);
	message = error == NULL ? protobuf_c_message_unpack(descriptor, NULL, length,
							    report + WIRE_HEADER_SIZE) : NULL;
	if (message == NULL) {
		sim_device_fail(device, TZ__FAILURE_TYPE__Failure_DataError,
				error != NULL ? error : "Data error");
		return;
	}
	device->tiny.type = type;
	device->tiny.message = message;
	sim_flow_poll_tiny(device);
}

/* A core model (codec_v1.read_message): errors are answered on the same interface. */
static void core_error(struct sim_device *device, bool debug, const char *text)
{
	Tz__Failure failure = TZ__FAILURE__INIT;

	failure.has_code = true;
	failure.code = TZ__FAILURE_TYPE__Failure_FirmwareError;
	failure.message = (char *)sim_device_firmware_error(device, text);
	if (debug)
		sim_device_send_debug(device, MSG_FAILURE, &failure.base);
	else
		sim_device_send(device, MSG_FAILURE, &failure.base);
}

static void read_core(struct sim_device *device, bool debug, struct sim_reader *reader,
		      const uint8_t *report)
{
	bool done;

	if (!reader->reading) {
		if (!first_report(report)) {
			core_error(device, debug, "Invalid magic");
			return;
		}
		/* A message larger than the heap is read, and thrown away. */
		if (!start(reader, report, header_length(report) <= SIM_CORE_MESSAGE_MAX))
			return;
		done = append(reader, report + WIRE_HEADER_SIZE, WIRE_FIRST_CHUNK);
	} else if (report[0] != '?') {
		sim_reader_reset(reader);
		core_error(device, debug, "Invalid magic");
		return;
	} else {
		done = append(reader, report + 1, WIRE_NEXT_CHUNK);
	}
	if (done && reader->discarding) {
		sim_reader_reset(reader);
		core_error(device, debug, "Message too large");
	} else if (done) {
		complete(device, debug, reader);
	}
}

void sim_reader_feed(struct sim_device *device, bool debug, const uint8_t *report)
{
	struct sim_reader *reader = debug ? &device->debug_reader : &device->main_reader;

	if (sim_device_is_core(device))
		read_core(device, debug, reader, report);
	else if (sim_flow_reads_tiny(device))
		read_tiny(device, report);
	else
		read_one(device, debug, reader, report);
}

bool sim_inbox_push(struct sim_inbox *inbox, bool debug, const uint8_t *report)
{
	size_t slot;

	if (inbox->count == SIM_INBOX_MAX) {
		inbox->dropped++;
		return false;
	}
	slot = (inbox->first + inbox->count) % SIM_INBOX_MAX;
	memcpy(inbox->reports[slot], report, WIRE_REPORT_SIZE);
	inbox->debug[slot] = debug;
	inbox->count++;
	return true;
}

bool sim_inbox_pop(struct sim_inbox *inbox, bool *debug, uint8_t report[WIRE_REPORT_SIZE])
{
	if (inbox->count == 0)
		return false;
	memcpy(report, inbox->reports[inbox->first], WIRE_REPORT_SIZE);
	*debug = inbox->debug[inbox->first];
	inbox->first = (inbox->first + 1) % SIM_INBOX_MAX;
	inbox->count--;
	return true;
}

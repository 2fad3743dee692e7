/*
 * Bridge backend: the device is reached through Trezor Bridge, for when
 * Trezor Suite or Bridge itself holds the USB device. Bridge carries whole
 * messages, so this backend reassembles the reports it is given into a
 * message (wire.c), sends it with /call, and hands the answer back as
 * reports. A message written while a /call still waits (a Cancel) goes
 * out with /post; the pending /call then brings the device's answer.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge.h"
#include "transport.h"

/* Bridge listens on this machine: taking a message takes it no time, and a
 * Bridge that does not within this long is hung (as a USB write, transport_usb.c). */
#define BRIDGE_SEND_TIMEOUT_MS 2000

struct bridge_transport {
	struct transport base;
	char session[BRIDGE_SESSION_MAX];
	struct wire_reader outgoing;            /* reports of the message being written */
	struct http_exchange call;              /* the /call waiting for its answer */
	bool calling;
	struct wire_message answer;             /* handed back as reports */
	size_t answer_reports, answer_next;
};

static struct bridge_transport *bridge_of(struct transport *transport)
{
	return (struct bridge_transport *)transport;
}

/* A whole message was written: /call it, or /post it beside a pending call. */
static enum transport_status send_message(struct bridge_transport *bridge,
					  const struct wire_message *message)
{
	struct http_exchange posted;
	enum http_result result;

	if (!bridge->calling) {
		if (!bridge_begin_message(&bridge->call, "call", bridge->session, message,
					  BRIDGE_SEND_TIMEOUT_MS, bridge->base.cancel)) {
			transport_set_error(&bridge->base, "Bridge: %s", bridge->call.error);
			http_end(&bridge->call);
			return TRANSPORT_GONE;
		}
		bridge->calling = true;
		return TRANSPORT_OK;
	}
	if (!bridge_begin_message(&posted, "post", bridge->session, message,
				  BRIDGE_SEND_TIMEOUT_MS, bridge->base.cancel)) {
		transport_set_error(&bridge->base, "Bridge: %s", posted.error);
		http_end(&posted);
		return TRANSPORT_GONE;
	}
	result = http_wait(&posted, 5000, bridge->base.cancel);
	http_end(&posted);
	return result == HTTP_DONE ? TRANSPORT_OK : TRANSPORT_ERROR;
}

static enum transport_status bridge_write_report(struct transport *transport,
						 const uint8_t report[WIRE_REPORT_SIZE])
{
	struct bridge_transport *bridge = bridge_of(transport);
	struct wire_message message;
	enum wire_status fed = wire_reader_feed(&bridge->outgoing, report, WIRE_REPORT_SIZE);
	enum transport_status status;

	if (fed == WIRE_MORE)
		return TRANSPORT_OK;
	if (fed != WIRE_COMPLETE) {
		transport_set_error(transport, "cannot send through Bridge: %s",
				    wire_status_text(fed));
		return TRANSPORT_ERROR;
	}
	wire_reader_take(&bridge->outgoing, &message);
	status = send_message(bridge, &message);
	wire_message_free(&message);
	return status;
}

/* The /call is answered: keep the device's message to hand out as reports. */
static enum transport_status take_answer(struct bridge_transport *bridge)
{
	struct http_exchange *call = &bridge->call;
	enum transport_status status = TRANSPORT_OK;
	char text[BRIDGE_TEXT_MAX + 4];

	if (call->status != 200) {
		/* Bridge answers 400 when the device or the session went away. */
		bridge_text_shown(call->body, text);
		transport_set_error(&bridge->base, "Bridge: %s", text);
		status = TRANSPORT_GONE;
	} else if (!bridge_decode_message(call->body, call->body_length, &bridge->answer)) {
		transport_set_error(&bridge->base, "Bridge passed on a malformed message");
		status = TRANSPORT_BAD_DATA;
	} else {
		bridge->answer_reports = wire_report_count(bridge->answer.length);
		bridge->answer_next = 0;
	}
	http_end(call);
	bridge->calling = false;
	return status;
}

static enum transport_status bridge_read_report(struct transport *transport,
						uint8_t report[WIRE_REPORT_SIZE], int timeout_ms)
{
	struct bridge_transport *bridge = bridge_of(transport);
	enum transport_status status;
	enum http_result result;

	if (bridge->answer_next == bridge->answer_reports && bridge->calling) {
		result = http_wait(&bridge->call, timeout_ms, transport->cancel);
		if (result == HTTP_WAITING) {
			transport_set_error(transport, "no answer from %s in time", transport->path);
			return TRANSPORT_TIMEOUT;
		}
		if (result == HTTP_CANCELLED) {
			transport_set_error(transport, "cancelled");
			return TRANSPORT_CANCELLED;
		}
		if (result == HTTP_FAILED) {
			transport_set_error(transport, "Bridge: %s", bridge->call.error);
			http_end(&bridge->call);
			bridge->calling = false;
			return TRANSPORT_GONE;
		}
		wire_message_free(&bridge->answer);
		status = take_answer(bridge);
		if (status != TRANSPORT_OK)
			return status;
	}
	if (bridge->answer_next == bridge->answer_reports) {
		transport_set_error(transport, "nothing was asked of %s", transport->path);
		return TRANSPORT_TIMEOUT;
	}
	wire_encode_report(bridge->answer.type, bridge->answer.payload, bridge->answer.length,
			   bridge->answer_next++, report);
	return TRANSPORT_OK;
}

static void bridge_close(struct transport *transport)
{
	struct bridge_transport *bridge = bridge_of(transport);

	if (bridge->calling)
		http_end(&bridge->call);
	bridge_release(bridge->session);
	wire_reader_reset(&bridge->outgoing);
	wire_message_free(&bridge->answer);
	free(bridge);
}

/*
 * In a forked child: the Bridge session is the parent's; releasing it would
 * take the device from under the parent. Our copy of a pending call's
 * socket is closed (the parent's copy keeps the connection), nothing sent.
 */
static void bridge_forget(struct transport *transport)
{
	struct bridge_transport *bridge = bridge_of(transport);

	if (bridge->calling)
		http_end(&bridge->call);
	wire_reader_reset(&bridge->outgoing);
	wire_message_free(&bridge->answer);
	free(bridge);
}

static const struct transport_ops bridge_ops = {
	.write_report = bridge_write_report,
	.read_report = bridge_read_report,
	.close = bridge_close,
	.forget = bridge_forget,
};

enum transport_status transport_bridge_open(const char *device, struct transport **out,
					    char *error, size_t error_size)
{
	struct bridge_transport *bridge;

	*out = NULL;
	bridge = calloc(1, sizeof(*bridge));
	if (bridge == NULL) {
		snprintf(error, error_size, "out of memory");
		return TRANSPORT_ERROR;
	}
	if (!bridge_acquire(device, bridge->session, error, error_size)) {
		free(bridge);
		return TRANSPORT_GONE;
	}
	bridge->base.ops = &bridge_ops;
	bridge->call.fd = -1;
	wire_reader_init(&bridge->outgoing);
	snprintf(bridge->base.path, sizeof(bridge->base.path), "bridge:%s", device);
	*out = &bridge->base;
	return TRANSPORT_OK;
}

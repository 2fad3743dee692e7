/*
 * Device paths and the message layer shared by every backend. See transport.h.
 */
#include "config.h"

#include "transport.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "shared_lock.h"
#include "thp.h"

/* How long sending a message may take over THP: its ACK, or retransmissions. */
#define TRANSPORT_THP_SEND_MS 15000

/* "udp" and "udp:...", but not "udpx" */
static int path_has_scheme(const char *path, const char *scheme)
{
	size_t n = strlen(scheme);

	return strncmp(path, scheme, n) == 0 && (path[n] == '\0' || path[n] == ':');
}

enum transport_status transport_open(const char *path, int probe_timeout_ms,
				     struct transport **out,
				     char *error, size_t error_size)
{
	*out = NULL;
	if (strlen(path) >= TRANSPORT_PATH_MAX) {
		snprintf(error, error_size, "device path is longer than %d characters",
			 TRANSPORT_PATH_MAX - 1);
		return TRANSPORT_ERROR;
	}
	if (path_has_scheme(path, "udp"))
		return transport_udp_open(path[3] == ':' ? path + 4 : "", probe_timeout_ms,
					  out, error, error_size);
	if (path_has_scheme(path, "webusb"))
		return transport_usb_open(false, path[6] == ':' ? path + 7 : "", out, error,
					  error_size);
	if (path_has_scheme(path, "hid"))
		return transport_usb_open(true, path[3] == ':' ? path + 4 : "", out, error,
					  error_size);
	if (strncmp(path, "bridge:", 7) == 0 && path[7] != '\0')
		return transport_bridge_open(path + 7, out, error, error_size);
	snprintf(error, error_size, "unknown device path \"%s\" (expected webusb:BUS:ADDR, "
		 "hid:BUS:ADDR, udp:HOST:PORT or bridge:PATH)", path);
	return TRANSPORT_ERROR;
}

void transport_close(struct transport *transport)
{
	if (transport == NULL)
		return;
	thp_link_free(transport->thp);
	transport->thp = NULL;
	transport->ops->close(transport);
}

bool transport_enable_thp(struct transport *transport)
{
	if (transport->thp != NULL)
		return true;
	if (!transport->thp_capable) {
		transport_set_error(transport, "the Trezor at %s speaks only the Trezor Host "
				    "Protocol (THP), which Trezor Bridge does not carry for "
				    "trezor-pkcs11: connect it by USB without Bridge", transport->path);
		return false;
	}
	transport->thp = thp_link_new(transport);
	if (transport->thp == NULL) {
		transport_set_error(transport, "out of memory");
		return false;
	}
	return true;
}

static enum transport_status from_thp(enum thp_status status)
{
	switch (status) {
	case THP_OK: return TRANSPORT_OK;
	case THP_TIMEOUT:
	case THP_NO_ACK:
		return TRANSPORT_TIMEOUT;
	case THP_GONE: return TRANSPORT_GONE;
	case THP_CANCELLED: return TRANSPORT_CANCELLED;
	case THP_CLOSED: return TRANSPORT_RESET;
	case THP_BUSY: return TRANSPORT_BUSY;
	case THP_PROTOCOL: return TRANSPORT_BAD_DATA;
	default: return TRANSPORT_ERROR;
	}
}

enum transport_status transport_begin(struct transport *transport, int wait_ms)
{
	if (transport->shared == NULL)
		return TRANSPORT_OK;
	switch (shared_lock_take(transport->shared, wait_ms, transport->cancel)) {
	case SHARED_LOCK_TAKEN:
		return TRANSPORT_OK;
	case SHARED_LOCK_CANCELLED:
		transport_set_error(transport, "cancelled");
		return TRANSPORT_CANCELLED;
	case SHARED_LOCK_BUSY:
		break;
	}
	transport_set_error(transport, "the Trezor at %s is busy with another program (still "
			    "after %d s)", transport->path, (wait_ms + 999) / 1000);
	return TRANSPORT_BUSY;
}

void transport_end(struct transport *transport)
{
	if (transport->shared != NULL)
		shared_lock_give(transport->shared);
}

bool transport_session_is_active(struct transport *transport, const uint8_t *id,
				 size_t length)
{
	return transport->shared == NULL || shared_lock_session_is(transport->shared, id, length);
}

void transport_note_session(struct transport *transport, const uint8_t *id, size_t length)
{
	if (transport->shared != NULL)
		shared_lock_note_session(transport->shared, id, length);
}

void transport_forget(struct transport *transport)
{
	if (transport == NULL)
		return;
	thp_link_free(transport->thp);  /* the parent's keys: nothing to tell the device */
	transport->thp = NULL;
	transport->ops->forget(transport);
}

enum transport_status transport_check_alive(struct transport *transport)
{
	if (transport->ops->check_alive == NULL)
		return TRANSPORT_OK;
	return transport->ops->check_alive(transport);
}

void transport_set_error(struct transport *transport, const char *format, ...)
{
	va_list args;

	va_start(args, format);
	vsnprintf(transport->error, sizeof(transport->error), format, args);
	va_end(args);
}

enum transport_status transport_send_message(struct transport *transport, uint16_t type,
					     const uint8_t *payload, size_t length)
{
	uint8_t report[WIRE_REPORT_SIZE];
	size_t count, i;
	enum transport_status status = TRANSPORT_OK;

	if (length > WIRE_MAX_PAYLOAD) {
		transport_set_error(transport, "message of %zu bytes is larger than 64 KiB", length);
		return TRANSPORT_ERROR;
	}
	if (transport->thp != NULL)
		return from_thp(thp_link_send(transport->thp, type, payload, length,
					      TRANSPORT_THP_SEND_MS));
	count = wire_report_count(length);
	for (i = 0; i < count && status == TRANSPORT_OK; i++) {
		wire_encode_report(type, payload, length, i, report);
		status = transport->ops->write_report(transport, report);
	}
	explicit_bzero(report, sizeof(report));         /* a PinMatrixAck, say */
	return status;
}

/*
 * A THP packet's first byte (a data message, an ACK, the broadcast channel's
 * messages, a continuation), which no codec v1 report starts with.
 */
static bool looks_like_thp(const uint8_t report[WIRE_REPORT_SIZE])
{
	uint8_t c = report[0];

	return (c & 0xE7) <= 0x04 || (c & 0xF7) == 0x20 || (c >= 0x40 && c <= 0x44) || c == 0x80;
}

enum transport_status transport_receive_message(struct transport *transport,
						struct wire_message *message,
						int timeout_ms)
{
	int64_t deadline = clock_monotonic_ms() + timeout_ms;
	uint8_t report[WIRE_REPORT_SIZE];
	struct wire_reader reader;
	enum transport_status status;
	enum wire_status decoded;

	memset(message, 0, sizeof(*message));
	if (transport->thp != NULL)
		return from_thp(thp_link_receive(transport->thp, message, timeout_ms));
	wire_reader_init(&reader);
	for (;;) {
		status = transport->ops->read_report(transport, report,
						     clock_remaining_ms(deadline));
		if (status != TRANSPORT_OK) {
			if (status == TRANSPORT_TIMEOUT && reader.started)
				transport_set_error(transport,
						    "the device stopped in the middle of a message");
			wire_reader_reset(&reader);
			return status;
		}
		decoded = wire_reader_feed(&reader, report, sizeof(report));
		if (decoded == WIRE_COMPLETE) {
			wire_reader_take(&reader, message);
			transport->v1_heard = true;
			return TRANSPORT_OK;
		}
		/*
		 * Until it answered in codec v1, a device may be a Safe 7 still
		 * repeating a THP message of an earlier program's channel: its
		 * packets are skipped, as trezorlib's probe skips them.
		 */
		if (decoded == WIRE_ERR_MAGIC && !transport->v1_heard && transport->thp_capable &&
		    looks_like_thp(report))
			continue;
		if (decoded != WIRE_MORE) {
			transport_set_error(transport, "the device sent garbage: %s",
					    wire_status_text(decoded));
			return TRANSPORT_BAD_DATA;
		}
	}
}

/* A THP channel, host side: allocation and the alternating bit. See thp_channel.h. */
#include "config.h"

#include "thp_channel.h"

#include <string.h>

#include "clock.h"
#include "log.h"
#include "thp_crypto.h"
#include "transport.h"

#define NONCE_SIZE 8
#define ALLOCATION_WAIT_MS 1000
#define RETRANSMIT_STEP_MS 250
#define RETRANSMIT_MAX_MS 1000
#define RETRANSMISSIONS_MAX 10
#define BUSY_BACKOFF_MS 500
#define BUSY_FOR_MS 5000
#define MIN_CHANNEL_ID 0x0001u
#define MAX_CHANNEL_ID 0xFFEFu

void thp_channel_init(struct thp_channel *channel, struct transport *transport)
{
	memset(channel, 0, sizeof(*channel));
	channel->transport = transport;
	thp_reader_init(&channel->reader, 0, false);
}

void thp_channel_reset(struct thp_channel *channel)
{
	struct transport *transport = channel->transport;

	explicit_bzero(channel, sizeof(*channel));
	thp_channel_init(channel, transport);
}

const char *thp_status_name(enum thp_status status)
{
	switch (status) {
	case THP_OK: return "ok";
	case THP_TIMEOUT: return "timeout";
	case THP_GONE: return "device gone";
	case THP_CANCELLED: return "cancelled";
	case THP_IO: return "transport error";
	case THP_CLOSED: return "channel closed";
	case THP_NO_ACK: return "no ACK";
	case THP_LOCKED: return "device locked";
	case THP_BUSY: return "busy";
	case THP_PROTOCOL: return "protocol error";
	case THP_NO_MEMORY: return "out of memory";
	}
	return "unknown";
}

/* ---- packets in and out ------------------------------------------------------------ */

static enum thp_status from_transport(enum transport_status status)
{
	switch (status) {
	case TRANSPORT_OK: return THP_OK;
	case TRANSPORT_TIMEOUT: return THP_TIMEOUT;
	case TRANSPORT_GONE: return THP_GONE;
	case TRANSPORT_CANCELLED: return THP_CANCELLED;
	default: return THP_IO;
	}
}

static enum thp_status write_message(struct thp_channel *channel, uint8_t control,
				     uint16_t id, const uint8_t *payload, size_t length)
{
	uint8_t packet[THP_PACKET_SIZE];
	size_t count = thp_packet_count(length), i;
	enum transport_status status = TRANSPORT_OK;

	for (i = 0; i < count && status == TRANSPORT_OK; i++) {
		thp_packet_encode(control, id, payload, length, i, packet);
		status = channel->transport->ops->write_report(channel->transport, packet);
	}
	explicit_bzero(packet, sizeof(packet));
	return from_transport(status);
}

static void send_ack(struct thp_channel *channel, uint8_t bit)
{
	/* Lost or not, it is sent once: a device that misses it sends its message again. */
	write_message(channel, (uint8_t)(THP_ACK | (bit ? THP_ACK_BIT : 0)), channel->id, NULL, 0);
}

/*
 * Read packets until a whole message for us is there or the deadline
 * passes. Damaged and foreign messages are dropped here.
 */
static enum thp_status read_message(struct thp_channel *channel, int64_t deadline,
				    struct thp_message *message)
{
	uint8_t packet[THP_PACKET_SIZE];
	enum transport_status got;
	enum thp_read_status read;

	for (;;) {
		got = channel->transport->ops->read_report(channel->transport, packet,
							   clock_remaining_ms(deadline));
		if (got == TRANSPORT_TIMEOUT) {
			channel->reader.started = false;        /* the rest never came */
			channel->transport->error[0] = '\0';    /* the caller says what was late */
		}
		if (got != TRANSPORT_OK)
			return from_transport(got);
		read = thp_reader_feed(&channel->reader, packet);
		if (read == THP_READ_COMPLETE) {
			thp_reader_take(&channel->reader, message);
			return THP_OK;
		}
		if (read == THP_READ_BAD_CRC || read == THP_READ_TOO_LONG)
			log_debug("THP: dropped a message from the Trezor (%s)",
				  read == THP_READ_BAD_CRC ? "bad CRC" : "too long");
		if (clock_remaining_ms(deadline) == 0)
			return THP_TIMEOUT;
	}
}

/* ---- allocation ------------------------------------------------------------------------ */

/* The answer to our request: nonce, channel id, device properties. */
static bool take_allocation(struct thp_channel *channel, const struct thp_message *message,
			    const uint8_t nonce[NONCE_SIZE], enum thp_status *status)
{
	uint16_t id;

	if (message->control != THP_ALLOCATION_RESPONSE || message->length < NONCE_SIZE + 2 ||
	    memcmp(message->payload, nonce, NONCE_SIZE) != 0)
		return false;           /* another host's, or a stale one */
	id = (uint16_t)(message->payload[8] << 8 | message->payload[9]);
	if (id < MIN_CHANNEL_ID || id > MAX_CHANNEL_ID ||
	    message->length - 10 > THP_PROPERTIES_MAX) {
		transport_set_error(channel->transport, "the Trezor allocated a channel it may not "
				    "(id %04x, %zu bytes of properties)", id, message->length - 10);
		*status = THP_PROTOCOL;
		return true;
	}
	channel->id = id;
	channel->properties_length = message->length - 10;
	memcpy(channel->properties, message->payload + 10, channel->properties_length);
	*status = THP_OK;
	return true;
}

enum thp_status thp_channel_allocate(struct thp_channel *channel, int timeout_ms)
{
	int64_t deadline = clock_monotonic_ms() + timeout_ms, wait;
	uint8_t nonce[NONCE_SIZE];
	struct thp_message message;
	enum thp_status status = THP_TIMEOUT;

	thp_channel_reset(channel);
	thp_reader_init(&channel->reader, THP_BROADCAST_CHANNEL, true);
	if (!thp_random(nonce, sizeof(nonce)))
		return THP_NO_MEMORY;
	while (clock_remaining_ms(deadline) > 0) {
		status = write_message(channel, THP_ALLOCATION_REQUEST, THP_BROADCAST_CHANNEL,
				       nonce, sizeof(nonce));
		wait = clock_monotonic_ms() + ALLOCATION_WAIT_MS;
		if (wait > deadline)
			wait = deadline;
		while (status == THP_OK) {
			status = read_message(channel, wait, &message);
			if (status == THP_OK && take_allocation(channel, &message, nonce, &status))
				break;
		}
		if (status != THP_TIMEOUT)
			break;
	}
	if (status == THP_OK) {
		thp_reader_init(&channel->reader, channel->id, false);
		return THP_OK;
	}
	if (status == THP_TIMEOUT)
		transport_set_error(channel->transport, "the Trezor did not allocate a THP channel");
	channel->id = 0;
	return status;
}

/* ---- sending with the alternating bit ------------------------------------------------ */

static enum thp_status closed(struct thp_channel *channel, const char *why)
{
	channel->closed = true;
	transport_set_error(channel->transport, "%s", why);
	return THP_CLOSED;
}

/* A TRANSPORT_ERROR for our channel: what it means for the message in flight. */
static enum thp_status transport_error(struct thp_channel *channel,
				       const struct thp_message *message)
{
	uint8_t code = message->length > 0 ? message->payload[0] : 0;

	switch (code) {
	case THP_ERROR_BUSY:
		return THP_BUSY;
	case THP_ERROR_UNALLOCATED_CHANNEL:
		return closed(channel, "the Trezor does not know the THP channel any more "
			      "(restarted?)");
	case THP_ERROR_DECRYPTION_FAILED:
		return closed(channel, "the Trezor could not decrypt a message: it closed the "
			      "THP channel");
	case THP_ERROR_DEVICE_LOCKED:
		transport_set_error(channel->transport, "the Trezor is locked");
		return THP_LOCKED;
	default:
		transport_set_error(channel->transport, "the Trezor sent an unknown THP transport "
				    "error %u", code);
		return THP_PROTOCOL;
	}
}

/* A device message while we wait for our ACK: duplicates are ACKed, a new one held. */
static void data_while_sending(struct thp_channel *channel, const struct thp_message *message,
			       bool *delivered)
{
	uint8_t seq = (message->control & THP_SEQ_BIT) ? 1 : 0;

	if (seq != channel->receive_bit) {
		send_ack(channel, seq);         /* our ACK of it was lost */
		return;
	}
	/* It answers ours, so ours arrived; it is handed out by the next receive. */
	channel->held = true;
	channel->held_control = message->control;
	channel->held_length = message->length;
	memcpy(channel->held_payload, message->payload, message->length);
	*delivered = true;
}

/* Wait for the ACK of the message with sequence bit `bit` until `until`. */
static enum thp_status await_ack(struct thp_channel *channel, uint8_t bit, int64_t until)
{
	struct thp_message message;
	enum thp_status status;
	bool delivered = false;

	while (!delivered) {
		status = read_message(channel, until, &message);
		if (status != THP_OK)
			return status;
		if (message.channel != channel->id)
			continue;
		if (thp_is_ack(message.control)) {
			delivered = ((message.control & THP_ACK_BIT) ? 1 : 0) == bit;
		} else if (message.control == THP_TRANSPORT_ERROR) {
			return transport_error(channel, &message);
		} else if (thp_is_data(message.control)) {
			data_while_sending(channel, &message, &delivered);
		}
	}
	return THP_OK;
}

static int retransmit_after_ms(unsigned attempt)
{
	int wait = RETRANSMIT_STEP_MS * (int)(attempt + 1);

	return wait < RETRANSMIT_MAX_MS ? wait : RETRANSMIT_MAX_MS;
}

static int busy_backoff_ms(void)
{
	uint16_t random = 0;

	thp_random(&random, sizeof(random));
	return random % (BUSY_BACKOFF_MS + 1);
}

/*
 * One wait after sending: for the ACK until the retransmission is due
 * (THP_TIMEOUT: send again), or, after TRANSPORT_BUSY, for a random
 * back-off (THP_BUSY: the device dropped the message, send it again).
 */
static enum thp_status wait_turn(struct thp_channel *channel, int64_t deadline)
{
	int64_t until = clock_monotonic_ms() + retransmit_after_ms(channel->retransmissions);
	enum thp_status status = await_ack(channel, channel->send_bit,
					   until < deadline ? until : deadline);

	if (status != THP_BUSY)
		return status;
	channel->busy++;
	until = clock_monotonic_ms() + busy_backoff_ms();
	status = await_ack(channel, channel->send_bit, until < deadline ? until : deadline);
	return status == THP_TIMEOUT ? THP_BUSY : status;       /* else an ACK after all */
}

/* The message is given up: say why, and the channel with it. */
static enum thp_status give_up(struct thp_channel *channel, enum thp_status status,
			       int64_t started, unsigned sent)
{
	int seconds = (int)((clock_monotonic_ms() - started + 500) / 1000);

	channel->closed = true;
	if (status == THP_BUSY)
		transport_set_error(channel->transport, "the Trezor stayed busy with another "
				    "program's channel for %d s", seconds);
	else
		transport_set_error(channel->transport, "the Trezor did not acknowledge a THP "
				    "message (sent %u times)", sent);
	return status == THP_BUSY ? THP_BUSY : THP_NO_ACK;
}

enum thp_status thp_channel_send(struct thp_channel *channel, uint8_t kind,
				 const uint8_t *payload, size_t length, int timeout_ms)
{
	int64_t started = clock_monotonic_ms(), deadline = started + timeout_ms;
	uint8_t control = (uint8_t)(kind | (channel->send_bit ? THP_SEQ_BIT : 0));
	enum thp_status status;
	unsigned sent = 0;

	if (channel->id == 0 || channel->closed)
		return closed(channel, "the THP channel is closed");
	if (length > THP_PAYLOAD_MAX) {
		transport_set_error(channel->transport, "a THP message of %zu bytes is too long",
				    length);
		return THP_PROTOCOL;
	}
	channel->retransmissions = channel->busy = 0;
	for (;;) {
		status = write_message(channel, control, channel->id, payload, length);
		sent++;
		if (status == THP_OK)
			status = wait_turn(channel, deadline);
		if (status == THP_OK) {
			channel->send_bit ^= 1;
			return THP_OK;
		}
		if (status == THP_BUSY && (clock_remaining_ms(deadline) == 0 ||
					   clock_monotonic_ms() - started >= BUSY_FOR_MS))
			return give_up(channel, THP_BUSY, started, sent);
		if (status == THP_TIMEOUT && (clock_remaining_ms(deadline) == 0 ||
					      ++channel->retransmissions > RETRANSMISSIONS_MAX))
			return give_up(channel, THP_TIMEOUT, started, sent);
		if (status != THP_TIMEOUT && status != THP_BUSY)
			return status;
	}
}

/* ---- receiving ------------------------------------------------------------------------- */

static enum thp_status hand_out(struct thp_channel *channel, uint8_t control,
				const uint8_t *payload, size_t length, struct thp_data *data)
{
	send_ack(channel, channel->receive_bit);
	channel->receive_bit ^= 1;
	data->kind = control & THP_DATA_MASK;
	data->payload = payload;
	data->length = length;
	return THP_OK;
}

enum thp_status thp_channel_receive(struct thp_channel *channel, struct thp_data *data,
				    int timeout_ms)
{
	int64_t deadline = clock_monotonic_ms() + timeout_ms;
	struct thp_message message;
	enum thp_status status;
	uint8_t seq;

	if (channel->held) {
		channel->held = false;
		return hand_out(channel, channel->held_control, channel->held_payload,
				channel->held_length, data);
	}
	if (channel->id == 0 || channel->closed)
		return closed(channel, "the THP channel is closed");
	for (;;) {
		status = read_message(channel, deadline, &message);
		if (status != THP_OK)
			return status;
		if (message.channel != channel->id)
			continue;
		if (message.control == THP_TRANSPORT_ERROR) {
			status = transport_error(channel, &message);
			if (status != THP_BUSY)     /* busy: a late answer to what we sent */
				return status;
			continue;
		}
		if (!thp_is_data(message.control))
			continue;               /* a late ACK */
		seq = (message.control & THP_SEQ_BIT) ? 1 : 0;
		if (seq == channel->receive_bit)
			return hand_out(channel, message.control, message.payload, message.length,
					data);
		send_ack(channel, seq);         /* a repeat: our ACK was lost */
	}
}

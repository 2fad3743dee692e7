/*
 * The simulated Safe 7's THP transport: the broadcast channel, the channel
 * table, the alternating bit, transport errors, the active channel, the
 * faults (the encrypted messages: sim_thp_app.c). See sim_thp.h.
 */
#include "config.h"

#include "sim_thp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "sim_device.h"
#include "sim_flow.h"
#include "sim_session.h"
#include "trezor.pb-c.h"

#define BROADCAST 0xFFFFu
#define NONCE_SIZE 8
#define TAG_SIZE 16
#define PREEMPT_AFTER_MS 1000           /* interface_context.py _PREEMPT_TIMEOUT_MS */
#define RETRANSMIT_FIRST_MS 200
#define RETRANSMIT_STEP_MS 100
#define RETRANSMIT_MAX_MS 3500
#define RETRANSMISSIONS_MAX 50          /* the specification's MAX_RETRANSMISSION_COUNT */

/* The firmware's fixed answer to a codec v1 message (device.rs CODEC_V1_RESPONSE). */
static const uint8_t codec_v1_answer[] = { '?', '#', '#', 0x00, 0x03, 0x00, 0x00, 0x00,
					   0x02, 0x08, 0x11 };

static struct sim_thp *thp_of(struct sim_device *device)
{
	return device->thp;
}

static void log_thp(const struct sim_device *device, const char *what, uint16_t id)
{
	sim_device_log(device, "THP channel %04x %s", id, what);
}

/* ---- packets out -------------------------------------------------------------------- */

static void put_packet(struct sim_device *device, const uint8_t packet[SIM_THP_PACKET])
{
	struct sim_thp *thp = thp_of(device);

	if (thp->packet_count == SIM_THP_PACKETS_OUT) {
		fprintf(stderr, "trezor-sim: THP packet queue full, dropping a packet\n");
		return;
	}
	memcpy(thp->packets[(thp->first_packet + thp->packet_count++) % SIM_THP_PACKETS_OUT],
	       packet, SIM_THP_PACKET);
}

bool sim_thp_take_packet(struct sim_device *device, uint8_t packet[SIM_THP_PACKET])
{
	struct sim_thp *thp = thp_of(device);

	if (thp == NULL || thp->packet_count == 0)
		return false;
	memcpy(packet, thp->packets[thp->first_packet], SIM_THP_PACKET);
	thp->first_packet = (thp->first_packet + 1) % SIM_THP_PACKETS_OUT;
	thp->packet_count--;
	return true;
}

/* A message of one packet (ACK, error, allocation, pong), never retransmitted. */
static void put_single(struct sim_device *device, uint8_t control, uint16_t channel,
		       const uint8_t *payload, size_t length)
{
	uint8_t packet[SIM_THP_PACKET];

	sim_thp_wire_packet(control, channel, payload, length, 0, packet);
	put_packet(device, packet);
}

void sim_thp_send_error(struct sim_device *device, uint16_t channel, uint8_t code)
{
	put_single(device, 0x42, channel, &code, 1);
}

static void send_ack(struct sim_device *device, uint16_t channel, uint8_t bit)
{
	put_single(device, (uint8_t)(0x20 | (bit ? 0x08 : 0)), channel, NULL, 0);
}

/* ---- channels ----------------------------------------------------------------------- */

struct sim_thp_channel *sim_thp_channel(struct sim_device *device, uint16_t id)
{
	struct sim_thp *thp = thp_of(device);
	size_t i;

	for (i = 0; id != 0 && i < SIM_THP_CHANNELS; i++)
		if (thp->channels[i].phase != SIM_THP_FREE && thp->channels[i].id == id)
			return &thp->channels[i];
	return NULL;
}

static void free_message(struct sim_thp_message *message)
{
	if (message->payload != NULL)
		OPENSSL_cleanse(message->payload, message->length);
	free(message->payload);
	memset(message, 0, sizeof(*message));
}

void sim_thp_close(struct sim_device *device, struct sim_thp_channel *channel, const char *why)
{
	struct sim_thp *thp = thp_of(device);
	size_t i;

	log_thp(device, why, channel->id);
	if (thp->active == channel->id) {
		sim_flow_abort(device);         /* its workflow ends with it */
		thp->active = 0;
	}
	if (channel->phase == SIM_THP_OPEN)
		sim_session_thp_close_channel(device, channel->id);
	free_message(&channel->sending);
	for (i = 0; i < channel->queued; i++)
		free_message(&channel->queue[i]);
	OPENSSL_cleanse(channel, sizeof(*channel));
}

/* A free slot, else the least recently used channel, which is closed (as the firmware does). */
static struct sim_thp_channel *new_channel(struct sim_device *device)
{
	struct sim_thp *thp = thp_of(device);
	struct sim_thp_channel *oldest = &thp->channels[0];
	size_t i;

	for (i = 0; i < SIM_THP_CHANNELS; i++) {
		if (thp->channels[i].phase == SIM_THP_FREE)
			return &thp->channels[i];
		if (thp->channels[i].last_use < oldest->last_use)
			oldest = &thp->channels[i];
	}
	sim_thp_close(device, oldest, "closed (evicted, least recently used)");
	return oldest;
}

/* The next id from a counter with a random start, 0x0001 to 0xFFEF, not in use. */
static uint16_t next_id(struct sim_device *device)
{
	struct sim_thp *thp = thp_of(device);
	uint16_t id;

	do {
		id = thp->next_id++;
	} while (id < 0x0001 || id > 0xFFEF || sim_thp_channel(device, id) != NULL);
	return id;
}

static void allocate(struct sim_device *device, const uint8_t nonce[NONCE_SIZE])
{
	struct sim_thp *thp = thp_of(device);
	struct sim_thp_channel *channel = new_channel(device);
	uint8_t answer[NONCE_SIZE + 2 + SIM_THP_PROPERTIES_MAX];

	memset(channel, 0, sizeof(*channel));
	channel->id = next_id(device);
	channel->phase = SIM_THP_TH1;
	channel->last_use = ++thp->use_counter;
	thp->allocated++;
	memcpy(answer, nonce, NONCE_SIZE);
	if (sim_fault_strikes(&device->fault, SIM_OCCASION_THP_ALLOCATION)) {
		sim_device_log(device, "fault %s", sim_fault_name(device->fault.mode));
		answer[0] ^= 0xff;              /* an answer to somebody else */
	}
	answer[NONCE_SIZE] = (uint8_t)(channel->id >> 8);
	answer[NONCE_SIZE + 1] = (uint8_t)channel->id;
	memcpy(answer + NONCE_SIZE + 2, thp->properties, thp->properties_length);
	put_single(device, 0x41, BROADCAST, answer, NONCE_SIZE + 2 + thp->properties_length);
	log_thp(device, "allocated", channel->id);
}

/* ---- data messages out: the alternating bit ------------------------------------------- */

/* The packets of the message in flight, as a device with the fault mode sends them. */
static void transmit(struct sim_device *device, struct sim_thp_channel *channel, bool first)
{
	struct sim_thp_message *message = &channel->sending;
	uint8_t control = (uint8_t)(message->kind | (channel->send_bit ? 0x10 : 0)), packet[64];
	uint16_t id = channel->id;
	size_t i, count = sim_thp_wire_count(message->length);
	bool spoilt;

	if (first && sim_fault_strikes(&device->fault, SIM_OCCASION_THP_MESSAGE)) {
		message->spoilt = true;
		sim_device_log(device, "fault %s", sim_fault_name(device->fault.mode));
		if (device->fault.mode == SIM_FAULT_THP_BAD_TAG && message->kind != 0x01 &&
		    message->length >= TAG_SIZE)
			message->payload[message->length - 1] ^= 0x01;
	}
	spoilt = message->spoilt;
	/* With piggybacking its ACK bit acknowledges the host's last message. */
	if (channel->piggybacking && !(channel->receive_bit & 1))
		control |= 0x08;
	if (spoilt && device->fault.mode == SIM_FAULT_THP_WRONG_CHANNEL)
		id ^= 0x0101;
	for (i = 0; i < count; i++) {
		sim_thp_wire_packet(control, id, message->payload, message->length, i, packet);
		if (spoilt && device->fault.mode == SIM_FAULT_THP_BAD_CRC && i == count - 1)
			packet[(message->length + 4 + 5) <= 64 ? message->length + 5 : 3] ^= 0x55;
		put_packet(device, packet);
	}
	if (first)      /* the firmware's last write: a message, not its repetitions */
		channel->last_write_ms = device->now_ms;
}

static void start_sending(struct sim_device *device, struct sim_thp_channel *channel)
{
	channel->awaiting_ack = true;
	channel->retries = 0;
	channel->retransmit_ms = device->now_ms + RETRANSMIT_FIRST_MS;
	transmit(device, channel, true);
}

void sim_thp_send(struct sim_device *device, struct sim_thp_channel *channel, uint8_t kind,
		  const uint8_t *payload, size_t length)
{
	struct sim_thp_message message = { .kind = kind, .length = length };

	message.payload = malloc(length > 0 ? length : 1);
	if (message.payload == NULL) {
		fprintf(stderr, "trezor-sim: out of memory\n");
		return;
	}
	if (length > 0)
		memcpy(message.payload, payload, length);
	if (!channel->awaiting_ack) {
		channel->sending = message;
		start_sending(device, channel);
	} else if (channel->queued < SIM_THP_QUEUE) {
		channel->queue[channel->queued++] = message;
	} else {
		fprintf(stderr, "trezor-sim: THP send queue full, dropping a message\n");
		free_message(&message);
	}
}

/* The message in flight was received: the next one goes. */
static void delivered(struct sim_device *device, struct sim_thp_channel *channel)
{
	free_message(&channel->sending);
	channel->awaiting_ack = false;
	channel->send_bit ^= 1;
	if (channel->queued == 0)
		return;
	channel->sending = channel->queue[0];
	memmove(&channel->queue[0], &channel->queue[1],
		(channel->queued - 1) * sizeof(channel->queue[0]));
	channel->queued--;
	start_sending(device, channel);
}

/* ---- data messages in --------------------------------------------------------------------- */

/* Another channel's workflow is under way and wrote within the last second: busy. */
static bool busy_elsewhere(struct sim_device *device, uint16_t id)
{
	struct sim_thp *thp = thp_of(device);
	struct sim_thp_channel *active = sim_thp_channel(device, thp->active);

	if (active == NULL || thp->active == id)
		return false;
	if (device->now_ms - active->last_write_ms < PREEMPT_AFTER_MS)
		return true;
	sim_device_log(device, "THP channel %04x preempts channel %04x", id, thp->active);
	sim_flow_abort(device);
	thp->active = 0;
	return false;
}

/* Does the host's fault mode spoil what comes in (no ACK, busy, unallocated)? */
static bool refuse_incoming(struct sim_device *device, struct sim_thp_channel *channel)
{
	enum sim_fault_mode mode = device->fault.mode;

	if ((mode != SIM_FAULT_THP_NO_ACK && mode != SIM_FAULT_THP_BUSY &&
	     mode != SIM_FAULT_THP_UNALLOCATED) ||
	    !sim_fault_strikes(&device->fault, SIM_OCCASION_THP_RECEIVED))
		return false;
	sim_device_log(device, "fault %s", sim_fault_name(mode));
	if (mode == SIM_FAULT_THP_BUSY)
		sim_thp_send_error(device, channel->id, 1);
	else if (mode == SIM_FAULT_THP_UNALLOCATED)
		sim_thp_send_error(device, channel->id, 2);
	return true;
}

/* A whole data message with a good CRC. */
static void take_message(struct sim_device *device, struct sim_thp_channel *channel)
{
	uint8_t control = channel->control, kind = control & 0xE7, seq = (control & 0x10) ? 1 : 0;
	size_t length = channel->length - 4;

	if (seq != channel->receive_bit) {
		send_ack(device, channel->id, seq);     /* our ACK of it was lost: again */
		return;
	}
	if (channel->piggybacking && channel->awaiting_ack &&
	    ((control & 0x08) ? 1 : 0) == channel->send_bit)
		delivered(device, channel);
	if (channel->awaiting_ack && !channel->piggybacking)
		return;                 /* half duplex (protocol 2.0): dropped, sent again later */
	if (kind == 0x04 && busy_elsewhere(device, channel->id)) {
		sim_thp_send_error(device, channel->id, 1);     /* TRANSPORT_BUSY */
		return;
	}
	if (refuse_incoming(device, channel))
		return;
	channel->last_use = ++thp_of(device)->use_counter;
	send_ack(device, channel->id, seq);
	channel->receive_bit ^= 1;
	if (kind == 0x04 && channel->phase >= SIM_THP_TP0)
		sim_thp_encrypted(device, channel, channel->buffer, length);
	else if (kind == 0x00 || kind == 0x02)
		sim_thp_handshake_message(device, channel, control, channel->buffer, length);
	else
		sim_thp_close(device, channel, "closed (a message out of place)");
}

static void take_ack(struct sim_device *device, struct sim_thp_channel *channel,
		     const uint8_t packet[SIM_THP_PACKET])
{
	uint16_t length = (uint16_t)(packet[3] << 8 | packet[4]);

	if (length != 4 || !sim_thp_wire_crc_ok(packet, packet + 5, 4))
		return;
	if (channel->awaiting_ack && ((packet[0] & 0x08) ? 1 : 0) == channel->send_bit)
		delivered(device, channel);
}

/* Collect a message's packets; a new initiation packet drops one half read. */
static void reassemble(struct sim_device *device, struct sim_thp_channel *channel,
		       const uint8_t packet[SIM_THP_PACKET])
{
	uint8_t header[5];
	size_t take, offset;

	if (packet[0] & 0x80) {
		if (!channel->reading)
			return;
		offset = 3;
	} else {
		channel->reading = false;
		channel->length = (size_t)(packet[3] << 8 | packet[4]);
		if (channel->length < 4 || channel->length > SIM_THP_RECEIVE_MAX)
			return;         /* more than the device's buffer: not read at all */
		channel->control = packet[0];
		channel->received = 0;
		channel->reading = true;
		offset = 5;
	}
	take = channel->length - channel->received;
	if (take > SIM_THP_PACKET - offset)
		take = SIM_THP_PACKET - offset;
	memcpy(channel->buffer + channel->received, packet + offset, take);
	channel->received += take;
	if (channel->received < channel->length)
		return;
	channel->reading = false;
	header[0] = channel->control;
	header[1] = (uint8_t)(channel->id >> 8);
	header[2] = (uint8_t)channel->id;
	header[3] = (uint8_t)(channel->length >> 8);
	header[4] = (uint8_t)channel->length;
	if (sim_thp_wire_crc_ok(header, channel->buffer, channel->length))
		take_message(device, channel);
}

/* The broadcast channel: allocation and ping (one packet each, CRC checked). */
static void broadcast(struct sim_device *device, const uint8_t packet[SIM_THP_PACKET])
{
	uint16_t length = (uint16_t)(packet[3] << 8 | packet[4]);

	if (length != NONCE_SIZE + 4 || !sim_thp_wire_crc_ok(packet, packet + 5, length))
		return;
	if (packet[0] == 0x40)
		allocate(device, packet + 5);
	else if (packet[0] == 0x43)
		put_single(device, 0x44, BROADCAST, packet + 5, NONCE_SIZE);
}

void sim_thp_receive(struct sim_device *device, const uint8_t packet[SIM_THP_PACKET])
{
	uint16_t id = (uint16_t)(packet[1] << 8 | packet[2]);
	struct sim_thp_channel *channel;
	uint8_t answer[SIM_THP_PACKET] = { 0 };

	if (packet[0] == 0x3F) {        /* codec v1: its first report gets the fixed answer */
		if (packet[1] == '#' && packet[2] == '#') {
			memcpy(answer, codec_v1_answer, sizeof(codec_v1_answer));
			put_packet(device, answer);
		}
		return;
	}
	if (id == BROADCAST) {
		if (!(packet[0] & 0x80))
			broadcast(device, packet);
		return;
	}
	channel = sim_thp_channel(device, id);
	if (channel == NULL) {
		if (!(packet[0] & 0x80) && (packet[0] & 0xE7) <= 0x04)
			sim_thp_send_error(device, id, 2);      /* UNALLOCATED_CHANNEL */
		return;
	}
	if ((packet[0] & 0xF7) == 0x20)
		take_ack(device, channel, packet);
	else if ((packet[0] & 0x80) || (packet[0] & 0xE7) <= 0x04)
		reassemble(device, channel, packet);
}

/* ---- time -------------------------------------------------------------------------------- */

static void retransmit(struct sim_device *device, struct sim_thp_channel *channel)
{
	int wait;

	if (!channel->awaiting_ack || device->now_ms < channel->retransmit_ms)
		return;
	if (++channel->retries > RETRANSMISSIONS_MAX) {
		sim_thp_close(device, channel, "closed (no ACK after every retransmission)");
		return;
	}
	wait = RETRANSMIT_FIRST_MS + RETRANSMIT_STEP_MS * channel->retries;
	channel->retransmit_ms = device->now_ms + (wait < RETRANSMIT_MAX_MS ? wait : RETRANSMIT_MAX_MS);
	transmit(device, channel, false);
}

void sim_thp_tick(struct sim_device *device)
{
	struct sim_thp *thp = thp_of(device);
	struct sim_thp_channel *channel;
	size_t i;

	if (thp == NULL)
		return;
	for (i = 0; i < SIM_THP_CHANNELS; i++) {
		channel = &thp->channels[i];
		if (channel->phase == SIM_THP_UNLOCKING && device->now_ms >= channel->unlock_due_ms)
			sim_thp_handshake_unlocked(device, channel);
		if (channel->phase != SIM_THP_FREE)
			retransmit(device, channel);
	}
	if (thp->deferred && !sim_flow_reads_nothing(device)) {
		thp->deferred = false;
		channel = sim_thp_channel(device, thp->deferred_channel);
		if (channel != NULL && channel->phase == SIM_THP_OPEN)
			sim_thp_application(device, channel, thp->deferred_session,
					    thp->deferred_type, thp->deferred_payload,
					    thp->deferred_length);
		free(thp->deferred_payload);
		thp->deferred_payload = NULL;
	}
}

int64_t sim_thp_next_event(const struct sim_device *device)
{
	const struct sim_thp *thp = device->thp;
	int64_t next = -1, due;
	size_t i;

	if (thp == NULL)
		return -1;
	for (i = 0; i < SIM_THP_CHANNELS; i++) {
		const struct sim_thp_channel *channel = &thp->channels[i];

		due = channel->phase == SIM_THP_UNLOCKING ? channel->unlock_due_ms
			: channel->awaiting_ack ? channel->retransmit_ms : -1;
		if (due >= 0 && (next < 0 || due < next))
			next = due;
	}
	return next;
}

/* ---- life ---------------------------------------------------------------------------------- */

static bool encode_properties(struct sim_thp *thp)
{
	Tz__ThpDeviceProperties properties = TZ__THP_DEVICE_PROPERTIES__INIT;
	Tz__ThpPairingMethod methods[] = { TZ__THP_PAIRING_METHOD__ThpPairingMethod_CodeEntry };

	properties.internal_model = (char *)"T3W1";
	properties.has_model_variant = true;
	properties.protocol_version_major = 2;
	properties.protocol_version_minor = 1;
	properties.n_pairing_methods = 1;
	properties.pairing_methods = methods;
	thp->properties_length = protobuf_c_message_get_packed_size(&properties.base);
	if (thp->properties_length > SIM_THP_PROPERTIES_MAX)
		return false;
	protobuf_c_message_pack(&properties.base, thp->properties);
	return true;
}

bool sim_thp_init(struct sim_device *device)
{
	struct sim_thp *thp = calloc(1, sizeof(*thp));

	if (thp == NULL)
		return false;
	device->thp = thp;
	if (!encode_properties(thp) || !thp_random(&thp->next_id, sizeof(thp->next_id)))
		return false;
	sim_thp_secret_derive(device);
	return true;
}

void sim_thp_reset(struct sim_device *device)
{
	struct sim_thp *thp = thp_of(device);
	size_t i;

	if (thp == NULL)
		return;
	for (i = 0; i < SIM_THP_CHANNELS; i++)
		if (thp->channels[i].phase != SIM_THP_FREE)
			sim_thp_close(device, &thp->channels[i], "closed (power off)");
	free(thp->deferred_payload);
	thp->deferred_payload = NULL;
	thp->deferred = false;
	thp->active = 0;
	thp->packet_count = 0;
}

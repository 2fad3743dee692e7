/* THP framing, host side. See thp_packet.h. */
#include "config.h"

#include "thp_packet.h"

#include <string.h>

#include "thp_crypto.h"

#define FIRST_ROOM (THP_PACKET_SIZE - THP_INIT_HEADER)          /* 59 */
#define NEXT_ROOM (THP_PACKET_SIZE - THP_CONT_HEADER)           /* 61 */

bool thp_is_data(uint8_t control)
{
	uint8_t kind = control & THP_DATA_MASK;

	return kind <= THP_ENCRYPTED;   /* 0x00 to 0x04 */
}

bool thp_is_ack(uint8_t control)
{
	return (control & THP_ACK_MASK) == THP_ACK;
}

size_t thp_packet_count(size_t payload_length)
{
	size_t total = payload_length + THP_CRC_SIZE;

	if (total <= FIRST_ROOM)
		return 1;
	return 1 + (total - FIRST_ROOM + NEXT_ROOM - 1) / NEXT_ROOM;
}

static uint32_t message_crc(uint8_t control, uint16_t channel, uint16_t length,
			    const uint8_t *payload, size_t payload_length)
{
	uint8_t header[THP_INIT_HEADER] = { control, (uint8_t)(channel >> 8), (uint8_t)channel,
					    (uint8_t)(length >> 8), (uint8_t)length };

	return thp_crc32(thp_crc32(0, header, sizeof(header)), payload, payload_length);
}

/* Byte `offset` of payload || CRC (big-endian). */
static uint8_t framed_byte(const uint8_t *payload, size_t payload_length, uint32_t crc,
			   size_t offset)
{
	if (offset < payload_length)
		return payload[offset];
	return (uint8_t)(crc >> (8 * (3 - (offset - payload_length))));
}

void thp_packet_encode(uint8_t control, uint16_t channel, const uint8_t *payload,
		       size_t payload_length, size_t index, uint8_t packet[THP_PACKET_SIZE])
{
	size_t total = payload_length + THP_CRC_SIZE, offset, room, i;
	uint16_t length = (uint16_t)total;
	uint32_t crc = message_crc(control, channel, length, payload, payload_length);
	uint8_t *data;

	memset(packet, 0, THP_PACKET_SIZE);
	packet[1] = (uint8_t)(channel >> 8);
	packet[2] = (uint8_t)channel;
	if (index == 0) {
		packet[0] = control;
		packet[3] = (uint8_t)(length >> 8);
		packet[4] = (uint8_t)length;
		data = packet + THP_INIT_HEADER;
		offset = 0;
		room = FIRST_ROOM;
	} else {
		packet[0] = THP_CONTINUATION;
		data = packet + THP_CONT_HEADER;
		offset = FIRST_ROOM + (index - 1) * NEXT_ROOM;
		room = NEXT_ROOM;
	}
	for (i = 0; i < room && offset + i < total; i++)
		data[i] = framed_byte(payload, payload_length, crc, offset + i);
}

void thp_reader_init(struct thp_reader *reader, uint16_t channel, bool broadcast)
{
	/* Not thp_reader_clear: that keeps the fields a new reader has yet to get. */
	explicit_bzero(reader, sizeof(*reader));
	reader->channel = channel;
	reader->broadcast = broadcast;
}

void thp_reader_clear(struct thp_reader *reader)
{
	uint16_t channel = reader->channel;
	bool broadcast = reader->broadcast;

	explicit_bzero(reader, sizeof(*reader));
	reader->channel = channel;
	reader->broadcast = broadcast;
}

static bool wanted(const struct thp_reader *reader, uint16_t channel)
{
	return channel == reader->channel ||
	       (reader->broadcast && channel == THP_BROADCAST_CHANNEL);
}

static void append(struct thp_reader *reader, const uint8_t *data, size_t available)
{
	size_t take = reader->length - reader->received;

	if (take > available)
		take = available;
	memcpy(reader->buffer + reader->received, data, take);
	reader->received += take;
}

static enum thp_read_status start(struct thp_reader *reader, const uint8_t *packet)
{
	uint16_t channel = (uint16_t)(packet[1] << 8 | packet[2]);
	size_t length = (size_t)(packet[3] << 8 | packet[4]);

	if (packet[0] == THP_CODEC_V1 || !wanted(reader, channel))
		return packet[0] == THP_CODEC_V1 ? THP_READ_MALFORMED : THP_READ_IGNORED;
	reader->started = false;        /* a new message replaces one half read */
	if (length < THP_CRC_SIZE)
		return THP_READ_MALFORMED;
	if (length > sizeof(reader->buffer))
		return THP_READ_TOO_LONG;
	reader->started = true;
	reader->control = packet[0];
	reader->from = channel;
	reader->length = length;
	reader->received = 0;
	append(reader, packet + THP_INIT_HEADER, FIRST_ROOM);
	return THP_READ_MORE;
}

static enum thp_read_status finish(struct thp_reader *reader)
{
	size_t payload = reader->length - THP_CRC_SIZE;
	const uint8_t *tail = reader->buffer + payload;
	uint32_t declared = (uint32_t)tail[0] << 24 | (uint32_t)tail[1] << 16 |
			    (uint32_t)tail[2] << 8 | tail[3];

	if (message_crc(reader->control, reader->from, (uint16_t)reader->length, reader->buffer,
			payload) != declared) {
		reader->started = false;
		return THP_READ_BAD_CRC;
	}
	return THP_READ_COMPLETE;
}

enum thp_read_status thp_reader_feed(struct thp_reader *reader,
				     const uint8_t packet[THP_PACKET_SIZE])
{
	enum thp_read_status status;

	if (packet[0] & THP_CONTINUATION) {
		if (!reader->started || (uint16_t)(packet[1] << 8 | packet[2]) != reader->from)
			return THP_READ_IGNORED;
		append(reader, packet + THP_CONT_HEADER, NEXT_ROOM);
	} else {
		status = start(reader, packet);
		if (status != THP_READ_MORE)
			return status;
	}
	return reader->received == reader->length ? finish(reader) : THP_READ_MORE;
}

void thp_reader_take(struct thp_reader *reader, struct thp_message *message)
{
	message->control = reader->control;
	message->channel = reader->from;
	message->payload = reader->buffer;
	message->length = reader->length - THP_CRC_SIZE;
	reader->started = false;
}

/*
 * THP packets, device side (specification, "Transport packet structure"
 * and "Error detection layer"): the initiation packet's header is the
 * control byte, the channel and the length of payload + CRC (big-endian);
 * continuation packets carry 0x80 and the channel; the CRC-32 covers the
 * initiation header and the payload and follows the payload, big-endian.
 */
#include "config.h"

#include "sim_thp.h"

#include <string.h>

#define INIT_HEADER 5
#define CONT_HEADER 3
#define CRC_SIZE 4

size_t sim_thp_wire_count(size_t length)
{
	size_t framed = length + CRC_SIZE, first = SIM_THP_PACKET - INIT_HEADER,
	       next = SIM_THP_PACKET - CONT_HEADER;

	return framed <= first ? 1 : 1 + (framed - first + next - 1) / next;
}

/* The header, then payload and CRC as one run of bytes to cut into packets. */
static void frame(uint8_t control, uint16_t channel, const uint8_t *payload, size_t length,
		  uint8_t header[INIT_HEADER], uint8_t crc[CRC_SIZE])
{
	uint32_t value;

	header[0] = control;
	header[1] = (uint8_t)(channel >> 8);
	header[2] = (uint8_t)channel;
	header[3] = (uint8_t)((length + CRC_SIZE) >> 8);
	header[4] = (uint8_t)(length + CRC_SIZE);
	value = thp_crc32(thp_crc32(0, header, INIT_HEADER), payload, length);
	crc[0] = (uint8_t)(value >> 24);
	crc[1] = (uint8_t)(value >> 16);
	crc[2] = (uint8_t)(value >> 8);
	crc[3] = (uint8_t)value;
}

void sim_thp_wire_packet(uint8_t control, uint16_t channel, const uint8_t *payload,
			 size_t length, size_t index, uint8_t packet[SIM_THP_PACKET])
{
	uint8_t header[INIT_HEADER], crc[CRC_SIZE];
	size_t start, room, at, i;
	uint8_t *out;

	frame(control, channel, payload, length, header, crc);
	memset(packet, 0, SIM_THP_PACKET);
	if (index == 0) {
		memcpy(packet, header, INIT_HEADER);
		out = packet + INIT_HEADER;
		start = 0;
		room = SIM_THP_PACKET - INIT_HEADER;
	} else {
		packet[0] = 0x80;
		packet[1] = header[1];
		packet[2] = header[2];
		out = packet + CONT_HEADER;
		start = (SIM_THP_PACKET - INIT_HEADER) + (index - 1) * (SIM_THP_PACKET - CONT_HEADER);
		room = SIM_THP_PACKET - CONT_HEADER;
	}
	for (i = 0; i < room; i++) {
		at = start + i;
		if (at < length)
			out[i] = payload[at];
		else if (at < length + CRC_SIZE)
			out[i] = crc[at - length];
		else
			break;
	}
}

bool sim_thp_wire_crc_ok(const uint8_t *header, const uint8_t *payload_and_crc,
			 size_t length_with_crc)
{
	size_t length;
	const uint8_t *tail;
	uint32_t value;

	if (length_with_crc < CRC_SIZE)
		return false;
	length = length_with_crc - CRC_SIZE;
	tail = payload_and_crc + length;
	value = thp_crc32(thp_crc32(0, header, INIT_HEADER), payload_and_crc, length);
	return tail[0] == (uint8_t)(value >> 24) &&
	       tail[1] == (uint8_t)(value >> 16) && tail[2] == (uint8_t)(value >> 8) &&
	       tail[3] == (uint8_t)value;
}

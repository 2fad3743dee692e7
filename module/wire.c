/* Codec v1: Trezor messages <-> 64-byte reports. See wire.h. */
#include "config.h"

#include "wire.h"

#include <stdlib.h>
#include <string.h>

size_t wire_report_count(size_t length)
{
	if (length <= WIRE_FIRST_CHUNK)
		return 1;
	return 1 + (length - WIRE_FIRST_CHUNK + WIRE_NEXT_CHUNK - 1) / WIRE_NEXT_CHUNK;
}

void wire_encode_report(uint16_t type, const uint8_t *payload, size_t length,
			size_t index, uint8_t report[WIRE_REPORT_SIZE])
{
	size_t offset, chunk, room;
	uint8_t *data;

	memset(report, 0, WIRE_REPORT_SIZE);
	report[0] = '?';
	if (index == 0) {
		report[1] = '#';
		report[2] = '#';
		report[3] = (uint8_t)(type >> 8);
		report[4] = (uint8_t)type;
		report[5] = (uint8_t)(length >> 24);
		report[6] = (uint8_t)(length >> 16);
		report[7] = (uint8_t)(length >> 8);
		report[8] = (uint8_t)length;
		offset = 0;
		data = report + WIRE_HEADER_SIZE;
		room = WIRE_FIRST_CHUNK;
	} else {
		offset = WIRE_FIRST_CHUNK + (index - 1) * WIRE_NEXT_CHUNK;
		data = report + 1;
		room = WIRE_NEXT_CHUNK;
	}
	if (offset >= length)
		return;
	chunk = length - offset < room ? length - offset : room;
	memcpy(data, payload + offset, chunk);
}

void wire_reader_init(struct wire_reader *reader)
{
	memset(reader, 0, sizeof(*reader));
}

void wire_reader_reset(struct wire_reader *reader)
{
	wire_message_free(&reader->message);
	wire_reader_init(reader);
}

/* Copy what this report carries, never more than arrived or than is left. */
static void append_payload(struct wire_reader *reader, const uint8_t *data, size_t available)
{
	uint32_t left = reader->message.length - reader->received;
	size_t take = available < left ? available : left;

	if (take == 0)
		return;
	memcpy(reader->message.payload + reader->received, data, take);
	reader->received += (uint32_t)take;
}

static enum wire_status start_message(struct wire_reader *reader,
				      const uint8_t *report, size_t report_len)
{
	uint32_t length;

	if (report_len < WIRE_HEADER_SIZE)
		return WIRE_ERR_SHORT;
	if (report[0] != '?' || report[1] != '#' || report[2] != '#')
		return WIRE_ERR_MAGIC;
	length = (uint32_t)report[5] << 24 | (uint32_t)report[6] << 16 |
		 (uint32_t)report[7] << 8 | report[8];
	if (length > WIRE_MAX_PAYLOAD)
		return WIRE_ERR_TOO_LONG;

	reader->started = true;
	reader->message.type = (uint16_t)(report[3] << 8 | report[4]);
	reader->message.length = length;
	if (length > 0) {
		reader->message.payload = malloc(length);
		if (reader->message.payload == NULL)
			return WIRE_ERR_NO_MEMORY;
	}
	append_payload(reader, report + WIRE_HEADER_SIZE, report_len - WIRE_HEADER_SIZE);
	return WIRE_MORE;
}

enum wire_status wire_reader_feed(struct wire_reader *reader,
				  const uint8_t *report, size_t report_len)
{
	enum wire_status status = WIRE_MORE;

	if (report_len > WIRE_REPORT_SIZE)
		report_len = WIRE_REPORT_SIZE;
	if (!reader->started) {
		status = start_message(reader, report, report_len);
	} else if (report_len < 1) {
		status = WIRE_ERR_SHORT;
	} else if (report[0] != '?') {
		status = WIRE_ERR_NEXT_MAGIC;
	} else {
		append_payload(reader, report + 1, report_len - 1);
	}
	if (status != WIRE_MORE) {
		wire_reader_reset(reader);
		return status;
	}
	return reader->received == reader->message.length ? WIRE_COMPLETE : WIRE_MORE;
}

void wire_reader_take(struct wire_reader *reader, struct wire_message *out)
{
	*out = reader->message;
	wire_reader_init(reader);
}

/* A message may carry a PIN or a passphrase: wiped before it is freed. */
void wire_message_free(struct wire_message *message)
{
	if (message->payload != NULL)
		explicit_bzero(message->payload, message->length);
	free(message->payload);
	memset(message, 0, sizeof(*message));
}

const char *wire_status_text(enum wire_status status)
{
	switch (status) {
	case WIRE_MORE: return "message incomplete";
	case WIRE_COMPLETE: return "message complete";
	case WIRE_ERR_MAGIC: return "report does not start with the codec v1 magic";
	case WIRE_ERR_NEXT_MAGIC:
		return "report in the middle of a message does not start with \"?\"";
	case WIRE_ERR_TOO_LONG: return "declared message length is larger than 64 KiB";
	case WIRE_ERR_SHORT: return "report too short for its header";
	case WIRE_ERR_NO_MEMORY: return "out of memory";
	}
	return "unknown codec error";
}

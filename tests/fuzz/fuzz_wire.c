/*
 * Fuzz target: report reassembly (module/wire.c).
 *
 * The input is cut into 64-byte reports, the last one possibly shorter, and
 * fed to one wire_reader as a device's reports would be. Whatever the reader
 * returns must be consistent:
 *   - a completed message has its declared type and length, the length is
 *     within WIRE_MAX_PAYLOAD, the payload is exactly the data bytes of the
 *     reports since the message began (padding never counts), and encoding
 *     the message again gives reports that reassemble to the same message;
 *   - after an error the reader is empty again.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "wire.h"

static uint32_t read_be32(const uint8_t *bytes)
{
	return (uint32_t)bytes[0] << 24 | (uint32_t)bytes[1] << 16 | (uint32_t)bytes[2] << 8 |
	       bytes[3];
}

/*
 * What the payload must be: the data bytes of the reports from `first` on,
 * in this test's own reading of the framing (55 after the 9-byte header,
 * then 63 after each '?').
 */
static void expected_payload(const uint8_t *data, size_t size, size_t first, uint8_t *out,
			     size_t length)
{
	size_t offset = first * WIRE_REPORT_SIZE, copied = 0, skip = WIRE_HEADER_SIZE;

	while (copied < length) {
		size_t end = offset + WIRE_REPORT_SIZE < size ? offset + WIRE_REPORT_SIZE : size;
		size_t chunk;

		/* A reader that completes a message before its bytes arrived is wrong. */
		FUZZ_CHECK(offset + skip <= end);
		chunk = end - offset - skip;

		if (chunk > length - copied)
			chunk = length - copied;
		memcpy(out + copied, data + offset + skip, chunk);
		copied += chunk;
		offset += WIRE_REPORT_SIZE;
		skip = 1;
	}
}

/* Encode the message again and reassemble it in a fresh reader. */
static void check_round_trip(const struct wire_message *message)
{
	uint8_t report[WIRE_REPORT_SIZE];
	struct wire_reader reader;
	struct wire_message again;
	size_t count = wire_report_count(message->length), i;
	enum wire_status status = WIRE_MORE;

	wire_reader_init(&reader);
	for (i = 0; i < count; i++) {
		FUZZ_CHECK(status == WIRE_MORE);
		wire_encode_report(message->type, message->payload, message->length, i, report);
		status = wire_reader_feed(&reader, report, sizeof(report));
	}
	FUZZ_CHECK(status == WIRE_COMPLETE);
	wire_reader_take(&reader, &again);
	FUZZ_CHECK(again.type == message->type && again.length == message->length);
	FUZZ_CHECK(message->length == 0 ||
		   memcmp(again.payload, message->payload, message->length) == 0);
	wire_message_free(&again);
}

/* The reader handed out a message that began with report `first`. */
static void check_message(const uint8_t *data, size_t size, size_t first,
			  const struct wire_message *message)
{
	const uint8_t *header = data + first * WIRE_REPORT_SIZE;
	uint8_t *expected;

	FUZZ_CHECK(message->length <= WIRE_MAX_PAYLOAD);
	FUZZ_CHECK(message->type == (uint16_t)(header[3] << 8 | header[4]));
	FUZZ_CHECK(message->length == read_be32(header + 5));
	FUZZ_CHECK((message->payload == NULL) == (message->length == 0));
	if (message->length > 0) {
		expected = malloc(message->length);
		FUZZ_CHECK(expected != NULL);
		expected_payload(data, size, first, expected, message->length);
		FUZZ_CHECK(memcmp(message->payload, expected, message->length) == 0);
		free(expected);
	}
	check_round_trip(message);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wire_reader reader;
	struct wire_message message;
	size_t reports = (size + WIRE_REPORT_SIZE - 1) / WIRE_REPORT_SIZE, i, first = 0;
	enum wire_status status;

	wire_reader_init(&reader);
	for (i = 0; i < reports; i++) {
		size_t offset = i * WIRE_REPORT_SIZE;
		size_t left = size - offset;
		size_t length = left < WIRE_REPORT_SIZE ? left : WIRE_REPORT_SIZE;

		if (!reader.started)
			first = i;
		status = wire_reader_feed(&reader, data + offset, length);
		switch (status) {
		case WIRE_MORE:
			FUZZ_CHECK(reader.started);
			FUZZ_CHECK(reader.received < reader.message.length);
			break;
		case WIRE_COMPLETE:
			wire_reader_take(&reader, &message);
			FUZZ_CHECK(!reader.started && reader.message.payload == NULL);
			check_message(data, size, first, &message);
			wire_message_free(&message);
			break;
		case WIRE_ERR_MAGIC:
		case WIRE_ERR_NEXT_MAGIC:
		case WIRE_ERR_TOO_LONG:
		case WIRE_ERR_SHORT:
		case WIRE_ERR_NO_MEMORY:
			FUZZ_CHECK(!reader.started && reader.message.payload == NULL);
			FUZZ_CHECK(wire_status_text(status)[0] != '\0');
			break;
		default:
			fuzz_fail(__FILE__, __LINE__, "unknown status %d", (int)status);
		}
	}
	wire_reader_reset(&reader);
	fuzz_check_stdout();
	return 0;
}

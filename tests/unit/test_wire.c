/* Codec v1 and the message layer of transport.c. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "transport.h"
#include "wire.h"

/* Encode a message into freshly allocated reports. */
static uint8_t *encode(uint16_t type, const uint8_t *payload, size_t length, size_t *count)
{
	uint8_t *reports;
	size_t i;

	*count = wire_report_count(length);
	reports = malloc(*count * WIRE_REPORT_SIZE);
	ck_assert_ptr_nonnull(reports);
	for (i = 0; i < *count; i++)
		wire_encode_report(type, payload, length, i, reports + i * WIRE_REPORT_SIZE);
	return reports;
}

static uint8_t *pattern(size_t length)
{
	uint8_t *payload = malloc(length > 0 ? length : 1);
	size_t i;

	ck_assert_ptr_nonnull(payload);
	for (i = 0; i < length; i++)
		payload[i] = (uint8_t)(i * 7 + 3);
	return payload;
}

/* Encode `length` bytes, check the report count, decode and compare. */
static void round_trip(size_t length, size_t expected_reports)
{
	uint8_t *payload = pattern(length);
	size_t count, i;
	uint8_t *reports = encode(0x0035, payload, length, &count);
	struct wire_reader reader;
	struct wire_message message;
	enum wire_status status = WIRE_MORE;

	ck_assert_uint_eq(count, expected_reports);
	wire_reader_init(&reader);
	for (i = 0; i < count; i++) {
		ck_assert_int_eq(status, WIRE_MORE);
		status = wire_reader_feed(&reader, reports + i * WIRE_REPORT_SIZE, WIRE_REPORT_SIZE);
	}
	ck_assert_int_eq(status, WIRE_COMPLETE);
	wire_reader_take(&reader, &message);
	ck_assert_uint_eq(message.type, 0x0035);
	ck_assert_uint_eq(message.length, length);
	if (length > 0)
		ck_assert_mem_eq(message.payload, payload, length);
	else
		ck_assert_ptr_null(message.payload);
	wire_message_free(&message);
	free(reports);
	free(payload);
}

START_TEST(round_trip_boundaries)
{
	round_trip(0, 1);
	round_trip(1, 1);
	round_trip(55, 1);
	round_trip(56, 2);
	round_trip(118, 2);
	round_trip(119, 3);
	round_trip(181, 3);
	round_trip(182, 4);
}
END_TEST

START_TEST(round_trip_largest_message)
{
	/* 55 + 1040 * 63 = 65575 >= 65536: 1041 reports. */
	round_trip(WIRE_MAX_PAYLOAD, 1041);
}
END_TEST

START_TEST(first_report_layout)
{
	uint8_t payload[3] = { 0xaa, 0xbb, 0xcc };
	uint8_t report[WIRE_REPORT_SIZE], expected[WIRE_REPORT_SIZE] = {
		'?', '#', '#', 0x00, 0x35, 0x00, 0x00, 0x00, 0x03, 0xaa, 0xbb, 0xcc,
	};

	wire_encode_report(53, payload, sizeof(payload), 0, report);
	ck_assert_mem_eq(report, expected, WIRE_REPORT_SIZE);
}
END_TEST

START_TEST(continuation_report_layout)
{
	uint8_t *payload = pattern(60);
	uint8_t report[WIRE_REPORT_SIZE], expected[WIRE_REPORT_SIZE] = { '?' };

	memcpy(expected + 1, payload + 55, 5);
	wire_encode_report(53, payload, 60, 1, report);
	ck_assert_mem_eq(report, expected, WIRE_REPORT_SIZE);
	free(payload);
}
END_TEST

START_TEST(padding_is_ignored)
{
	/* Core firmware may leave stale bytes after the payload. */
	uint8_t report[WIRE_REPORT_SIZE];
	uint8_t payload[2] = { 0x08, 0x01 };
	struct wire_reader reader;
	struct wire_message message;

	wire_encode_report(2, payload, sizeof(payload), 0, report);
	memset(report + WIRE_HEADER_SIZE + 2, 0x5a, WIRE_REPORT_SIZE - WIRE_HEADER_SIZE - 2);
	wire_reader_init(&reader);
	ck_assert_int_eq(wire_reader_feed(&reader, report, sizeof(report)), WIRE_COMPLETE);
	wire_reader_take(&reader, &message);
	ck_assert_uint_eq(message.length, 2);
	ck_assert_mem_eq(message.payload, payload, 2);
	wire_message_free(&message);
}
END_TEST

START_TEST(wrong_magic_first_report)
{
	uint8_t report[WIRE_REPORT_SIZE];
	struct wire_reader reader;
	int byte;

	for (byte = 0; byte < 3; byte++) {
		wire_encode_report(2, NULL, 0, 0, report);
		report[byte] = 'X';
		wire_reader_init(&reader);
		ck_assert_int_eq(wire_reader_feed(&reader, report, sizeof(report)), WIRE_ERR_MAGIC);
		ck_assert(!reader.started);
	}
}
END_TEST

START_TEST(wrong_magic_mid_message)
{
	uint8_t *payload = pattern(100);
	size_t count;
	uint8_t *reports = encode(2, payload, 100, &count);
	struct wire_reader reader;

	reports[WIRE_REPORT_SIZE] = '#';
	wire_reader_init(&reader);
	ck_assert_int_eq(wire_reader_feed(&reader, reports, WIRE_REPORT_SIZE), WIRE_MORE);
	ck_assert_int_eq(wire_reader_feed(&reader, reports + WIRE_REPORT_SIZE, WIRE_REPORT_SIZE),
			 WIRE_ERR_NEXT_MAGIC);
	ck_assert_str_eq(wire_status_text(WIRE_ERR_NEXT_MAGIC),
			 "report in the middle of a message does not start with \"?\"");
	/* The reader is reset: a fresh message decodes. */
	ck_assert(!reader.started);
	ck_assert_ptr_null(reader.message.payload);
	free(reports);
	free(payload);
}
END_TEST

START_TEST(oversized_length_refused)
{
	uint8_t report[WIRE_REPORT_SIZE];
	struct wire_reader reader;
	static const uint32_t lengths[] = { WIRE_MAX_PAYLOAD + 1, 0x01000000, 0xffffffff };
	size_t i;

	for (i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
		wire_encode_report(2, NULL, 0, 0, report);
		report[5] = (uint8_t)(lengths[i] >> 24);
		report[6] = (uint8_t)(lengths[i] >> 16);
		report[7] = (uint8_t)(lengths[i] >> 8);
		report[8] = (uint8_t)lengths[i];
		wire_reader_init(&reader);
		ck_assert_int_eq(wire_reader_feed(&reader, report, sizeof(report)),
				 WIRE_ERR_TOO_LONG);
		ck_assert_ptr_null(reader.message.payload);
	}
}
END_TEST

START_TEST(short_reports)
{
	uint8_t report[WIRE_REPORT_SIZE];
	uint8_t *payload = pattern(100);
	struct wire_reader reader;

	/* A first report too short for its header. */
	wire_encode_report(2, payload, 100, 0, report);
	wire_reader_init(&reader);
	ck_assert_int_eq(wire_reader_feed(&reader, report, WIRE_HEADER_SIZE - 1), WIRE_ERR_SHORT);

	/* A first report carrying only 11 payload bytes: only those are read. */
	wire_reader_init(&reader);
	ck_assert_int_eq(wire_reader_feed(&reader, report, WIRE_HEADER_SIZE + 11), WIRE_MORE);
	ck_assert_uint_eq(reader.received, 11);
	ck_assert_mem_eq(reader.message.payload, payload, 11);

	/* An empty continuation. */
	ck_assert_int_eq(wire_reader_feed(&reader, report, 0), WIRE_ERR_SHORT);
	ck_assert(!reader.started);
	free(payload);
}
END_TEST

/* ---- the message layer over a scripted transport -------------------------- */

struct script_transport {
	struct transport base;
	uint8_t *reports;               /* to be read, in order */
	size_t count, next;
	uint8_t written[8][WIRE_REPORT_SIZE];
	size_t written_count;
};

static enum transport_status script_write(struct transport *t, const uint8_t *report)
{
	struct script_transport *s = (struct script_transport *)t;

	ck_assert_uint_lt(s->written_count, 8);
	memcpy(s->written[s->written_count++], report, WIRE_REPORT_SIZE);
	return TRANSPORT_OK;
}

static enum transport_status script_read(struct transport *t, uint8_t *report, int timeout_ms)
{
	struct script_transport *s = (struct script_transport *)t;

	(void)timeout_ms;
	if (s->next == s->count) {
		transport_set_error(t, "no answer");
		return TRANSPORT_TIMEOUT;
	}
	memcpy(report, s->reports + s->next++ * WIRE_REPORT_SIZE, WIRE_REPORT_SIZE);
	return TRANSPORT_OK;
}

static void script_close(struct transport *t)
{
	(void)t;
}

static const struct transport_ops script_ops = {
	.write_report = script_write, .read_report = script_read, .close = script_close,
	.forget = script_close,
};

START_TEST(send_message_writes_every_report)
{
	struct script_transport s = { .base.ops = &script_ops };
	uint8_t *payload = pattern(119);

	ck_assert_int_eq(transport_send_message(&s.base, 53, payload, 119), TRANSPORT_OK);
	ck_assert_uint_eq(s.written_count, 3);
	ck_assert_mem_eq(s.written[0] + WIRE_HEADER_SIZE, payload, 55);
	ck_assert_mem_eq(s.written[1] + 1, payload + 55, 63);
	ck_assert_mem_eq(s.written[2] + 1, payload + 118, 1);
	ck_assert_int_eq(transport_send_message(&s.base, 53, payload, WIRE_MAX_PAYLOAD + 1),
			 TRANSPORT_ERROR);
	ck_assert_str_eq(s.base.error, "message of 65537 bytes is larger than 64 KiB");
	free(payload);
}
END_TEST

START_TEST(receive_truncated_message)
{
	uint8_t *payload = pattern(200);
	struct script_transport s = { .base.ops = &script_ops };
	struct wire_message message;

	s.reports = encode(12, payload, 200, &s.count);
	s.count = 2;            /* the device stops after two of four reports */
	ck_assert_int_eq(transport_receive_message(&s.base, &message, 100), TRANSPORT_TIMEOUT);
	ck_assert_str_eq(s.base.error, "the device stopped in the middle of a message");
	ck_assert_ptr_null(message.payload);
	free(s.reports);
	free(payload);
}
END_TEST

START_TEST(receive_garbage)
{
	struct script_transport s = { .base.ops = &script_ops };
	struct wire_message message;

	s.reports = calloc(1, WIRE_REPORT_SIZE);
	memcpy(s.reports, "garbage", 7);
	s.count = 1;
	ck_assert_int_eq(transport_receive_message(&s.base, &message, 100), TRANSPORT_BAD_DATA);
	ck_assert_str_eq(s.base.error,
			 "the device sent garbage: report does not start with the codec v1 magic");
	free(s.reports);
}
END_TEST

START_TEST(receive_whole_message)
{
	uint8_t *payload = pattern(130);
	struct script_transport s = { .base.ops = &script_ops };
	struct wire_message message;

	s.reports = encode(12, payload, 130, &s.count);
	ck_assert_int_eq(transport_receive_message(&s.base, &message, 100), TRANSPORT_OK);
	ck_assert_uint_eq(message.type, 12);
	ck_assert_uint_eq(message.length, 130);
	ck_assert_mem_eq(message.payload, payload, 130);
	wire_message_free(&message);
	free(s.reports);
	free(payload);
}
END_TEST

static Suite *wire_suite(void)
{
	Suite *suite = suite_create("wire");
	TCase *codec = tcase_create("codec");
	TCase *messages = tcase_create("messages");

	tcase_add_test(codec, round_trip_boundaries);
	tcase_add_test(codec, round_trip_largest_message);
	tcase_add_test(codec, first_report_layout);
	tcase_add_test(codec, continuation_report_layout);
	tcase_add_test(codec, padding_is_ignored);
	tcase_add_test(codec, wrong_magic_first_report);
	tcase_add_test(codec, wrong_magic_mid_message);
	tcase_add_test(codec, oversized_length_refused);
	tcase_add_test(codec, short_reports);
	tcase_add_test(messages, send_message_writes_every_report);
	tcase_add_test(messages, receive_truncated_message);
	tcase_add_test(messages, receive_garbage);
	tcase_add_test(messages, receive_whole_message);
	suite_add_tcase(suite, codec);
	suite_add_tcase(suite, messages);
	return suite;
}

int main(void)
{
	return run_suite(wire_suite());
}

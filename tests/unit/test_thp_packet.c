/*
 * THP's packets: the module's framing (module/thp_packet.c) and the
 * simulator's (tests/sim/sim_thp_wire.c), written apart, against the
 * firmware's own vectors:
 *   whole packets     rust/trezor-thp/src/fragment.rs (taken there from
 *                     core's test_trezor.wire.thp.writer.py): an encrypted
 *                     message (0x04) on channel 0x1234 with no payload, with
 *                     0x07, with the bytes 0..255 (5 packets) and with 2048
 *                     bytes counting up (34 packets)
 *   whole messages    rust/trezor-thp/src/header.rs: allocation request,
 *                     ping, handshake requests, ACK, transport errors, an
 *                     empty encrypted message, each with its CRC
 *   CRC-32            rust/trezor-thp/src/crc32.rs's text vectors
 * and the reader's edge cases: a CRC that does not fit, a length shorter
 * than the CRC (fragment.rs's test_reassemble_shorter_than_checksum),
 * other channels, a continuation with nothing started, an initiation packet
 * replacing a message half read (the specification's "Transport packet
 * reassembly"), a length over the limit, codec v1.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "sim_thp.h"
#include "thp_crypto.h"
#include "thp_packet.h"

#define CHANNEL 0x1234

/* fragment.rs LONGER_PAYLOAD_EXPECTED: 0..255 */
static const char *const longer_payload[] = {
	"0412340104000102030405060708090a0b0c0d0e0f101112131415161718191a"
	"1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a",
	"8012343b3c3d3e3f404142434445464748494a4b4c4d4e4f5051525354555657"
	"58595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f7071727374757677",
	"80123478797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f9091929394"
	"95969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4",
	"801234b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1"
	"d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1",
	"801234f2f3f4f5f6f7f8f9fafbfcfdfeffc5ecc4ca0000000000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000",
};
/* fragment.rs EVEN_LONGER_PAYLOADS_EXPECTED: 2048 bytes, i & 0xff */
static const char *const even_longer_payload[] = {
	"0412340804000102030405060708090a0b0c0d0e0f101112131415161718191a"
	"1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a",
	"8012343b3c3d3e3f404142434445464748494a4b4c4d4e4f5051525354555657"
	"58595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f7071727374757677",
	"80123478797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f9091929394"
	"95969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4",
	"801234b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1"
	"d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1",
	"801234f2f3f4f5f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e"
	"0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e",
	"8012342f303132333435363738393a3b3c3d3e3f404142434445464748494a4b"
	"4c4d4e4f505152535455565758595a5b5c5d5e5f606162636465666768696a6b",
	"8012346c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788"
	"898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8",
	"801234a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5"
	"c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5",
	"801234e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff000102"
	"030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122",
	"801234232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
	"404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f",
	"801234606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c"
	"7d7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c",
	"8012349d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9"
	"babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9",
	"801234dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6"
	"f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f10111213141516",
	"8012341718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f30313233"
	"3435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f50515253",
	"8012345455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f70"
	"7172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f90",
	"8012349192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacad"
	"aeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccd",
	"801234cecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9ea"
	"ebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff000102030405060708090a",
	"8012340b0c0d0e0f101112131415161718191a1b1c1d1e1f2021222324252627"
	"28292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f4041424344454647",
	"80123448494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f6061626364"
	"65666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f8081828384",
	"80123485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1"
	"a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1",
	"801234c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcddde"
	"dfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfe",
	"801234ff000102030405060708090a0b0c0d0e0f101112131415161718191a1b"
	"1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b",
	"8012343c3d3e3f404142434445464748494a4b4c4d4e4f505152535455565758"
	"595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475767778",
	"801234797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f909192939495"
	"969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5",
	"801234b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2"
	"d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2",
	"801234f3f4f5f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f"
	"101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f",
	"801234303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c"
	"4d4e4f505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c",
	"8012346d6e6f707172737475767778797a7b7c7d7e7f80818283848586878889"
	"8a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9",
	"801234aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6"
	"c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6",
	"801234e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff00010203"
	"0405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223",
	"8012342425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f40"
	"4142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f60",
	"8012346162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d"
	"7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d",
	"8012349e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9ba"
	"bbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9da",
	"801234dbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7"
	"f8f9fafbfcfdfeff13fe4cae0000000000000000000000000000000000000000",
};

/* The firmware's payloads: nothing, 0x07, 0..255, 2048 bytes counting up. */
static size_t firmware_payload(int which, uint8_t *out)
{
	size_t length = which == 0 ? 0 : which == 1 ? 1 : which == 2 ? 256 : 2048, i;

	for (i = 0; i < length; i++)
		out[i] = which == 1 ? 0x07 : (uint8_t)i;
	return length;
}

static void expected_packets(int which, const char *const **packets, size_t *count)
{
	static const char *const empty_payload[] = {
		"0412340004edbd479c0000000000000000000000000000000000000000000000"
		"0000000000000000000000000000000000000000000000000000000000000000",
	};
	static const char *const short_payload[] = {
		"041234000507ac29294700000000000000000000000000000000000000000000"
		"0000000000000000000000000000000000000000000000000000000000000000",
	};

	switch (which) {
	case 0: *packets = empty_payload; *count = 1; break;
	case 1: *packets = short_payload; *count = 1; break;
	case 2:
		*packets = longer_payload;
		*count = sizeof(longer_payload) / sizeof(longer_payload[0]);
		break;
	default:
		*packets = even_longer_payload;
		*count = sizeof(even_longer_payload) / sizeof(even_longer_payload[0]);
	}
}

static void assert_packet(const uint8_t packet[THP_PACKET_SIZE], const char *expected,
			  const char *who, size_t index)
{
	char hex[2 * THP_PACKET_SIZE + 1];

	bytes_to_hex(packet, THP_PACKET_SIZE, hex);
	ck_assert_msg(strcmp(hex, expected) == 0, "%s packet %zu:\n%s\nexpected\n%s", who, index,
		      hex, expected);
}

/* Both encoders give the firmware's packets, byte for byte. */
START_TEST(test_firmware_packets)
{
	static uint8_t payload[2048];
	const char *const *packets;
	uint8_t packet[THP_PACKET_SIZE];
	size_t length = firmware_payload(_i, payload), count, i;

	expected_packets(_i, &packets, &count);
	ck_assert_uint_eq(thp_packet_count(length), count);
	ck_assert_uint_eq(sim_thp_wire_count(length), count);
	for (i = 0; i < count; i++) {
		thp_packet_encode(THP_ENCRYPTED, CHANNEL, payload, length, i, packet);
		assert_packet(packet, packets[i], "module", i);
		sim_thp_wire_packet(THP_ENCRYPTED, CHANNEL, payload, length, i, packet);
		assert_packet(packet, packets[i], "simulator", i);
	}
}
END_TEST

/* The module's reader takes the firmware's packets back to the payload. */
START_TEST(test_firmware_packets_read)
{
	static uint8_t payload[2048];
	const char *const *packets;
	uint8_t packet[THP_PACKET_SIZE];
	size_t length = firmware_payload(_i, payload), count, i;
	struct thp_reader reader;
	struct thp_message message;
	enum thp_read_status status = THP_READ_MORE;

	expected_packets(_i, &packets, &count);
	thp_reader_init(&reader, CHANNEL, false);
	for (i = 0; i < count; i++) {
		ck_assert_int_eq(status, THP_READ_MORE);
		ck_assert_uint_eq(hex_to_bytes(packets[i], packet, sizeof(packet)), THP_PACKET_SIZE);
		status = thp_reader_feed(&reader, packet);
	}
	ck_assert_int_eq(status, THP_READ_COMPLETE);
	thp_reader_take(&reader, &message);
	ck_assert_uint_eq(message.control, THP_ENCRYPTED);
	ck_assert_uint_eq(message.channel, CHANNEL);
	ck_assert_uint_eq(message.length, length);
	if (length > 0)
		ck_assert_mem_eq(message.payload, payload, length);
}
END_TEST

/* header.rs's whole messages: control, channel, payload, CRC. */
static const struct {
	const char *bytes;
	uint8_t control;
	uint16_t channel;
	const char *payload;
} messages[] = {
	{ "40ffff000caaaaaaaaaaaaaaaab67b3b6b", 0x40, 0xFFFF, "aaaaaaaaaaaaaaaa" },
	{ "43ffff000cbaaaaaaaaaaaaaaa770a668e", 0x43, 0xFFFF, "baaaaaaaaaaaaaaa" },
	{ "00000f000cbaaaaaaaaaaaaaaac8978de2", 0x00, 0x000F, "baaaaaaaaaaaaaaa" },
	{ "02000f000cff00ff00aaaaaaaa4cb96673", 0x02, 0x000F, "ff00ff00aaaaaaaa" },
	{ "201337000463061764", 0x20, 0x1337, "" },
	{ "041337000457479ea0", 0x04, 0x1337, "" },
	{ "4213370005022a97b2e7", 0x42, 0x1337, "02" },
	{ "42ffff000502744a5ed0", 0x42, 0xFFFF, "02" },
};

START_TEST(test_firmware_messages)
{
	uint8_t payload[16], expected[THP_PACKET_SIZE] = { 0 }, packet[THP_PACKET_SIZE];
	size_t length = hex_to_bytes(messages[_i].payload, payload, sizeof(payload));
	size_t size = hex_to_bytes(messages[_i].bytes, expected, sizeof(expected));
	struct thp_reader reader;
	struct thp_message message;

	ck_assert_uint_eq(thp_packet_count(length), 1);
	thp_packet_encode(messages[_i].control, messages[_i].channel, payload, length, 0, packet);
	ck_assert_mem_eq(packet, expected, THP_PACKET_SIZE);
	sim_thp_wire_packet(messages[_i].control, messages[_i].channel, payload, length, 0, packet);
	ck_assert_mem_eq(packet, expected, THP_PACKET_SIZE);
	ck_assert(sim_thp_wire_crc_ok(expected, expected + THP_INIT_HEADER, size - THP_INIT_HEADER));

	thp_reader_init(&reader, messages[_i].channel, false);
	ck_assert_int_eq(thp_reader_feed(&reader, expected), THP_READ_COMPLETE);
	thp_reader_take(&reader, &message);
	ck_assert_uint_eq(message.control, messages[_i].control);
	ck_assert_uint_eq(message.length, length);
	if (length > 0)
		ck_assert_mem_eq(message.payload, payload, length);
}
END_TEST

START_TEST(test_crc32_vectors)
{
	static const struct {
		const char *text;
		uint32_t crc;
	} vectors[] = {
		{ "", 0x00000000 },
		{ "a", 0xe8b7be43 },
		{ "abc", 0x352441c2 },
		{ "123456789", 0xcbf43926 },
		{ "message digest", 0x20159d7f },
		{ "abcdefghijklmnopqrstuvwxyz", 0x4c2750bd },
		{ "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 0x1fc2e6d2 },
		{ "1234567890123456789012345678901234567890"
		  "1234567890123456789012345678901234567890", 0x7ca94a72 },
		{ "various CRC algorithms input data", 0x9bd366ae },
	};
	static const uint8_t zeros[32];
	size_t i, length, split;

	ck_assert_uint_eq(thp_crc32(0, zeros, sizeof(zeros)), 0x190a55ad);
	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		length = strlen(vectors[i].text);
		ck_assert_uint_eq(thp_crc32(0, (const uint8_t *)vectors[i].text, length),
				  vectors[i].crc);
		/* In two pieces, as the header and the payload are. */
		split = length / 3;
		ck_assert_uint_eq(thp_crc32(thp_crc32(0, (const uint8_t *)vectors[i].text, split),
					    (const uint8_t *)vectors[i].text + split, length - split),
				  vectors[i].crc);
	}
}
END_TEST

/* ---- the reader's edge cases ------------------------------------------------------- */

static void packet_of(const char *hex, uint8_t packet[THP_PACKET_SIZE])
{
	memset(packet, 0, THP_PACKET_SIZE);
	hex_to_bytes(hex, packet, THP_PACKET_SIZE);
}

START_TEST(test_reader_refuses)
{
	struct thp_reader reader;
	uint8_t packet[THP_PACKET_SIZE];

	thp_reader_init(&reader, 0x1337, false);
	packet_of("041337000457479ea1", packet);                /* the CRC's last bit */
	ck_assert_int_eq(thp_reader_feed(&reader, packet), THP_READ_BAD_CRC);
	packet_of("04133700030000", packet);                    /* shorter than a CRC */
	ck_assert_int_eq(thp_reader_feed(&reader, packet), THP_READ_MALFORMED);
	packet_of("041338000457479ea0", packet);                /* another channel */
	ck_assert_int_eq(thp_reader_feed(&reader, packet), THP_READ_IGNORED);
	packet_of("42ffff000502744a5ed0", packet);              /* broadcast: not asked for */
	ck_assert_int_eq(thp_reader_feed(&reader, packet), THP_READ_IGNORED);
	packet_of("801337aabbcc", packet);                      /* continuation, nothing started */
	ck_assert_int_eq(thp_reader_feed(&reader, packet), THP_READ_IGNORED);
	packet_of("041337ffff", packet);                        /* 65535 bytes */
	ck_assert_int_eq(thp_reader_feed(&reader, packet), THP_READ_TOO_LONG);
	packet_of("3f23230000000000", packet);                  /* codec v1 */
	ck_assert_int_eq(thp_reader_feed(&reader, packet), THP_READ_MALFORMED);
	packet_of("041337000457479ea0", packet);                /* and a good one after all that */
	ck_assert_int_eq(thp_reader_feed(&reader, packet), THP_READ_COMPLETE);

	thp_reader_init(&reader, 0x1337, true);                 /* while allocating */
	packet_of("42ffff000502744a5ed0", packet);
	ck_assert_int_eq(thp_reader_feed(&reader, packet), THP_READ_COMPLETE);
}
END_TEST

/*
 * A new initiation packet drops the message half read; continuations of
 * another channel in between change nothing.
 */
START_TEST(test_reader_restarts)
{
	static const char *const *packets = longer_payload;
	uint8_t packet[THP_PACKET_SIZE], payload[256];
	struct thp_reader reader;
	struct thp_message message;
	size_t i;

	firmware_payload(2, payload);
	thp_reader_init(&reader, CHANNEL, false);
	hex_to_bytes(packets[0], packet, sizeof(packet));
	ck_assert_int_eq(thp_reader_feed(&reader, packet), THP_READ_MORE);
	hex_to_bytes(packets[1], packet, sizeof(packet));
	ck_assert_int_eq(thp_reader_feed(&reader, packet), THP_READ_MORE);
	for (i = 0; i < 5; i++) {
		hex_to_bytes(packets[i], packet, sizeof(packet));
		packet[1] = 0x43;                               /* channel 0x4334 */
		ck_assert_int_eq(thp_reader_feed(&reader, packet), THP_READ_IGNORED);
	}
	for (i = 0; i < 5; i++) {                               /* from the start again */
		hex_to_bytes(packets[i], packet, sizeof(packet));
		ck_assert_int_eq(thp_reader_feed(&reader, packet),
				 i < 4 ? THP_READ_MORE : THP_READ_COMPLETE);
	}
	thp_reader_take(&reader, &message);
	ck_assert_uint_eq(message.length, 256);
	ck_assert_mem_eq(message.payload, payload, 256);
	/* A continuation after the message was taken belongs to nothing. */
	ck_assert_int_eq(thp_reader_feed(&reader, packet), THP_READ_IGNORED);
}
END_TEST

/* The longest message the module sends, and one byte either side of a packet's room. */
START_TEST(test_round_trip_lengths)
{
	static const size_t lengths[] = { 0, 54, 55, 56, 115, 116, 117, 1000, THP_PAYLOAD_MAX };
	static uint8_t payload[THP_PAYLOAD_MAX];
	uint8_t packet[THP_PACKET_SIZE];
	struct thp_reader reader;
	struct thp_message message;
	size_t length = lengths[_i], count = thp_packet_count(length), i;
	enum thp_read_status status = THP_READ_MORE;

	for (i = 0; i < length; i++)
		payload[i] = (uint8_t)(i * 31 + 7);
	/* 59 bytes in the first packet, 61 in each after, the CRC's 4 included. */
	ck_assert_uint_eq(count, length + 4 <= 59 ? 1 : 1 + (length + 4 - 59 + 60) / 61);
	thp_reader_init(&reader, 0x0042, false);
	for (i = 0; i < count; i++) {
		ck_assert_int_eq(status, THP_READ_MORE);
		sim_thp_wire_packet(THP_ENCRYPTED | THP_SEQ_BIT, 0x0042, payload, length, i, packet);
		status = thp_reader_feed(&reader, packet);
	}
	ck_assert_int_eq(status, THP_READ_COMPLETE);
	thp_reader_take(&reader, &message);
	ck_assert_uint_eq(message.control, THP_ENCRYPTED | THP_SEQ_BIT);
	ck_assert_uint_eq(message.length, length);
	if (length > 0)
		ck_assert_mem_eq(message.payload, payload, length);
}
END_TEST

/* The control bytes of the specification's table, read by the masks. */
START_TEST(test_control_bytes)
{
	unsigned control;

	for (control = 0; control < 256; control++) {
		bool data = (control & 0x80) == 0 && (control & 0x40) == 0 && (control & 0x20) == 0 &&
			    (control & 0x07) <= 4;

		ck_assert_msg(thp_is_data((uint8_t)control) == data, "control %02x", control);
		ck_assert_msg(thp_is_ack((uint8_t)control) == (control == 0x20 || control == 0x28),
			      "control %02x", control);
	}
}
END_TEST

static Suite *thp_packet_suite(void)
{
	Suite *suite = suite_create("thp_packet");
	TCase *tc = tcase_create("packets");

	tcase_add_loop_test(tc, test_firmware_packets, 0, 4);
	tcase_add_loop_test(tc, test_firmware_packets_read, 0, 4);
	tcase_add_loop_test(tc, test_firmware_messages, 0, sizeof(messages) / sizeof(messages[0]));
	tcase_add_test(tc, test_crc32_vectors);
	tcase_add_test(tc, test_reader_refuses);
	tcase_add_test(tc, test_reader_restarts);
	tcase_add_loop_test(tc, test_round_trip_lengths, 0, 9);
	tcase_add_test(tc, test_control_bytes);
	suite_add_tcase(suite, tc);
	return suite;
}

int main(void)
{
	return run_suite(thp_packet_suite());
}

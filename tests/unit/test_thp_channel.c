/*
 * THP's channel layer, host side (module/thp_channel.c), against a device
 * played packet by packet: allocation on the broadcast channel (the request
 * as the specification frames it, another host's answer ignored, an answer
 * that never comes asked again after a second, a channel id the device may
 * not give), the alternating bit (sequence bits of our messages, the ACK
 * with the wrong bit, a device answer that stands for the ACK, duplicates
 * ACKed again and never handed out twice), retransmission (its times), and
 * the transport errors (busy, unallocated channel, decryption failed,
 * device locked). The device's packets are framed by the simulator's
 * encoder (tests/sim/sim_thp_wire.c), not the module's.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "helpers.h"
#include "sim_thp.h"
#include "thp_channel.h"
#include "transport.h"

#define CHANNEL 0x1234
#define PACKETS_MAX 64

/* A device played by a script: what it answers each packet the host writes. */
struct fake {
	struct transport transport;     /* first: the channel only sees this */
	uint8_t written[PACKETS_MAX][THP_PACKET_SIZE];
	int64_t written_at[PACKETS_MAX];
	size_t written_count;
	uint8_t queue[PACKETS_MAX][THP_PACKET_SIZE];
	size_t head, tail;
	void (*script)(struct fake *fake, const uint8_t *packet);
	unsigned seen;                  /* data messages the script saw */
	unsigned option;                /* what the script is to do, per test */
};

static struct fake fake;

/* The device sends a message (one packet: the tests keep them short). */
static void device_sends(struct fake *f, uint8_t control, uint16_t channel,
			 const uint8_t *payload, size_t length)
{
	ck_assert_uint_eq(sim_thp_wire_count(length), 1);
	ck_assert_uint_lt(f->tail, PACKETS_MAX);
	sim_thp_wire_packet(control, channel, payload, length, 0, f->queue[f->tail++]);
}

static void device_acks(struct fake *f, const uint8_t *packet)
{
	device_sends(f, (uint8_t)(0x20 | ((packet[0] & 0x10) ? 0x08 : 0)), CHANNEL, NULL, 0);
}

static void device_error(struct fake *f, uint8_t code)
{
	device_sends(f, 0x42, CHANNEL, &code, 1);
}

static enum transport_status fake_write(struct transport *transport,
					const uint8_t report[WIRE_REPORT_SIZE])
{
	struct fake *f = (struct fake *)transport;

	ck_assert_uint_lt(f->written_count, PACKETS_MAX);
	memcpy(f->written[f->written_count], report, THP_PACKET_SIZE);
	f->written_at[f->written_count++] = clock_monotonic_ms();
	if (f->script != NULL)
		f->script(f, report);
	return TRANSPORT_OK;
}

/* A queued packet at once; else the whole wait, as a silent device costs. */
static enum transport_status fake_read(struct transport *transport,
				       uint8_t report[WIRE_REPORT_SIZE], int timeout_ms)
{
	struct fake *f = (struct fake *)transport;
	struct timespec pause = { timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L };

	if (f->head < f->tail) {
		memcpy(report, f->queue[f->head++], THP_PACKET_SIZE);
		return TRANSPORT_OK;
	}
	nanosleep(&pause, NULL);
	return TRANSPORT_TIMEOUT;
}

static void fake_close(struct transport *transport)
{
	(void)transport;
}

static const struct transport_ops fake_ops = { fake_write, fake_read, fake_close, fake_close,
					       NULL };

static void setup(void)
{
	memset(&fake, 0, sizeof(fake));
	fake.transport.ops = &fake_ops;
	fake.transport.thp_capable = true;
	snprintf(fake.transport.path, sizeof(fake.transport.path), "fake");
}

static bool is_data(const uint8_t *packet)
{
	return (packet[0] & 0xE7) <= 0x04;
}

/* ---- allocation ------------------------------------------------------------------------ */

static const uint8_t properties[] = { 0x0a, 0x04, 'T', '3', 'W', '1', 0x10, 0x02 };

/* Answers an allocation request: option 1 first answers another host's nonce. */
static void allocating(struct fake *f, const uint8_t *packet)
{
	uint8_t answer[10 + sizeof(properties)];

	if (packet[0] != 0x40)
		return;
	memcpy(answer, packet + 5, 8);
	answer[8] = CHANNEL >> 8;
	answer[9] = CHANNEL & 0xff;
	memcpy(answer + 10, properties, sizeof(properties));
	if (f->option == 1) {
		answer[0] ^= 1;
		answer[9] = 0x99;
		device_sends(f, 0x41, 0xFFFF, answer, sizeof(answer));
		answer[0] ^= 1;
		answer[9] = CHANNEL & 0xff;
	}
	if (f->option == 2 && f->written_count == 1)
		return;                 /* the first request is lost */
	if (f->option == 3)
		answer[8] = answer[9] = 0xFF;   /* the broadcast channel itself */
	device_sends(f, 0x41, 0xFFFF, answer, sizeof(answer));
}

static void allocate(struct thp_channel *channel)
{
	fake.script = allocating;
	thp_channel_init(channel, &fake.transport);
	ck_assert_int_eq(thp_channel_allocate(channel, 2000), THP_OK);
	ck_assert_uint_eq(channel->id, CHANNEL);
	fake.written_count = 0;
	fake.head = fake.tail = 0;
}

START_TEST(test_allocation)
{
	struct thp_channel channel;

	fake.option = _i;                       /* 0: plain, 1: another host's answer first */
	thp_channel_init(&channel, &fake.transport);
	fake.script = allocating;
	ck_assert_int_eq(thp_channel_allocate(&channel, 2000), THP_OK);
	ck_assert_uint_eq(channel.id, CHANNEL);
	ck_assert_uint_eq(channel.properties_length, sizeof(properties));
	ck_assert_mem_eq(channel.properties, properties, sizeof(properties));
	ck_assert_uint_eq(channel.send_bit, 0);
	ck_assert_uint_eq(channel.receive_bit, 0);
	/* One request: 0x40 on 0xFFFF, 8 bytes of nonce and the CRC. */
	ck_assert_uint_eq(fake.written_count, 1);
	ck_assert_mem_eq(fake.written[0], "\x40\xff\xff\x00\x0c", 5);
	ck_assert(sim_thp_wire_crc_ok(fake.written[0], fake.written[0] + 5, 12));
}
END_TEST

/* The device does not repeat its answer: the host asks again after a second. */
START_TEST(test_allocation_asked_again)
{
	struct thp_channel channel;

	fake.option = 2;
	thp_channel_init(&channel, &fake.transport);
	fake.script = allocating;
	ck_assert_int_eq(thp_channel_allocate(&channel, 3000), THP_OK);
	ck_assert_uint_eq(fake.written_count, 2);
	ck_assert_int_ge(fake.written_at[1] - fake.written_at[0], 950);
	ck_assert_int_le(fake.written_at[1] - fake.written_at[0], 1300);
	/* A new nonce would be fine too; the firmware answers whatever it gets. */
	ck_assert_mem_eq(fake.written[1], "\x40\xff\xff\x00\x0c", 5);
}
END_TEST

START_TEST(test_allocation_refused)
{
	struct thp_channel channel;

	fake.option = 3;
	thp_channel_init(&channel, &fake.transport);
	fake.script = allocating;
	ck_assert_int_eq(thp_channel_allocate(&channel, 2000), THP_PROTOCOL);
	ck_assert_uint_eq(channel.id, 0);
	ck_assert_str_eq(fake.transport.error, "the Trezor allocated a channel it may not "
			 "(id ffff, 8 bytes of properties)");

	fake.option = 2;                        /* and a device that never answers */
	fake.script = NULL;
	fake.written_count = 0;
	ck_assert_int_eq(thp_channel_allocate(&channel, 1500), THP_TIMEOUT);
	ck_assert_uint_eq(fake.written_count, 2);
	ck_assert_str_eq(fake.transport.error, "the Trezor did not allocate a THP channel");
}
END_TEST

/* ---- the alternating bit ------------------------------------------------------------ */

/* ACKs every data message; option 1: the first ACK carries the wrong bit. */
static void acking(struct fake *f, const uint8_t *packet)
{
	uint8_t wrong[THP_PACKET_SIZE];

	if (!is_data(packet))
		return;
	if (f->option == 1 && f->seen++ == 0) {
		memcpy(wrong, packet, sizeof(wrong));
		wrong[0] ^= 0x10;
		device_acks(f, wrong);
		return;
	}
	device_acks(f, packet);
}

START_TEST(test_sequence_bits)
{
	static const uint8_t hello[] = { 0x00, 0x00, 0x37, 'h', 'i' };
	struct thp_channel channel;
	size_t i;

	allocate(&channel);
	fake.script = acking;
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(thp_channel_send(&channel, THP_ENCRYPTED, hello, sizeof(hello),
						  2000), THP_OK);
	ck_assert_uint_eq(fake.written_count, 3);
	ck_assert_uint_eq(fake.written[0][0], 0x04);
	ck_assert_uint_eq(fake.written[1][0], 0x14);
	ck_assert_uint_eq(fake.written[2][0], 0x04);
	ck_assert_uint_eq(fake.written[0][1] << 8 | fake.written[0][2], CHANNEL);
	ck_assert_uint_eq(channel.retransmissions, 0);
}
END_TEST

/* An ACK of the other bit is no ACK: the message goes again, 250 ms later. */
START_TEST(test_wrong_ack_bit)
{
	struct thp_channel channel;

	allocate(&channel);
	fake.script = acking;
	fake.option = 1;
	ck_assert_int_eq(thp_channel_send(&channel, THP_ENCRYPTED, (const uint8_t *)"abc", 3, 2000),
			 THP_OK);
	ck_assert_uint_eq(fake.written_count, 2);
	ck_assert_mem_eq(fake.written[0], fake.written[1], THP_PACKET_SIZE);
	ck_assert_int_ge(fake.written_at[1] - fake.written_at[0], 240);
	ck_assert_int_le(fake.written_at[1] - fake.written_at[0], 400);
	ck_assert_uint_eq(channel.retransmissions, 1);
	ck_assert_uint_eq(channel.send_bit, 1);
}
END_TEST

/* No ACK at all: sent again after 250 ms, then 500 more, until the caller's time is up. */
START_TEST(test_retransmission_times)
{
	struct thp_channel channel;

	allocate(&channel);
	fake.script = NULL;
	ck_assert_int_eq(thp_channel_send(&channel, THP_ENCRYPTED, (const uint8_t *)"abc", 3, 1300),
			 THP_NO_ACK);
	ck_assert_uint_eq(fake.written_count, 3);
	ck_assert_int_ge(fake.written_at[1] - fake.written_at[0], 240);
	ck_assert_int_le(fake.written_at[1] - fake.written_at[0], 400);
	ck_assert_int_ge(fake.written_at[2] - fake.written_at[1], 490);
	ck_assert_int_le(fake.written_at[2] - fake.written_at[1], 650);
	ck_assert_str_eq(fake.transport.error, "the Trezor did not acknowledge a THP message "
			 "(sent 3 times)");
	ck_assert(channel.closed);
	ck_assert_int_eq(thp_channel_send(&channel, THP_ENCRYPTED, (const uint8_t *)"abc", 3, 100),
			 THP_CLOSED);
}
END_TEST

/* The device's answer before its ACK (piggybacking's order): ours arrived. */
static void answering(struct fake *f, const uint8_t *packet)
{
	static const uint8_t answer[] = { 0x00, 0x00, 0x02, 0x08, 0x01 };

	if (!is_data(packet))
		return;
	if (f->seen++ == 0)
		device_sends(f, 0x04, CHANNEL, answer, sizeof(answer));
}

START_TEST(test_answer_stands_for_ack)
{
	struct thp_channel channel;
	struct thp_data data;

	allocate(&channel);
	fake.script = answering;
	ck_assert_int_eq(thp_channel_send(&channel, THP_ENCRYPTED, (const uint8_t *)"abc", 3, 2000),
			 THP_OK);
	ck_assert_uint_eq(fake.written_count, 1);       /* not sent again */
	ck_assert_int_eq(thp_channel_receive(&channel, &data, 1000), THP_OK);
	ck_assert_uint_eq(data.kind, THP_ENCRYPTED);
	ck_assert_uint_eq(data.length, 5);
	ck_assert_mem_eq(data.payload, "\x00\x00\x02\x08\x01", 5);
	/* ... and the host ACKs it, with its bit. */
	ck_assert_uint_eq(fake.written_count, 2);
	ck_assert_mem_eq(fake.written[1], "\x20\x12\x34\x00\x04", 5);
}
END_TEST

/* A repeat of a message already handed out is ACKed again and dropped. */
START_TEST(test_duplicates)
{
	struct thp_channel channel;
	struct thp_data data;

	allocate(&channel);
	fake.script = NULL;
	device_sends(&fake, 0x04, CHANNEL, (const uint8_t *)"one", 3);
	device_sends(&fake, 0x04, CHANNEL, (const uint8_t *)"one", 3);         /* our ACK was lost */
	device_sends(&fake, 0x04, 0x4321, (const uint8_t *)"not ours", 8);
	device_sends(&fake, 0x14, CHANNEL, (const uint8_t *)"two", 3);
	ck_assert_int_eq(thp_channel_receive(&channel, &data, 1000), THP_OK);
	ck_assert_mem_eq(data.payload, "one", 3);
	ck_assert_int_eq(thp_channel_receive(&channel, &data, 1000), THP_OK);
	ck_assert_uint_eq(data.length, 3);
	ck_assert_mem_eq(data.payload, "two", 3);
	ck_assert_uint_eq(fake.written_count, 3);
	ck_assert_uint_eq(fake.written[0][0], 0x20);
	ck_assert_uint_eq(fake.written[1][0], 0x20);
	ck_assert_uint_eq(fake.written[2][0], 0x28);
	ck_assert_int_eq(thp_channel_receive(&channel, &data, 300), THP_TIMEOUT);
}
END_TEST

/* A message whose CRC is wrong is not ACKed; its good repeat is. */
START_TEST(test_bad_crc_not_acked)
{
	struct thp_channel channel;
	struct thp_data data;

	allocate(&channel);
	fake.script = NULL;
	device_sends(&fake, 0x04, CHANNEL, (const uint8_t *)"one", 3);
	fake.queue[0][9] ^= 0x01;                       /* a bit of the CRC */
	device_sends(&fake, 0x04, CHANNEL, (const uint8_t *)"one", 3);
	ck_assert_int_eq(thp_channel_receive(&channel, &data, 1000), THP_OK);
	ck_assert_mem_eq(data.payload, "one", 3);
	ck_assert_uint_eq(fake.written_count, 1);
}
END_TEST

/* ---- transport errors ------------------------------------------------------------- */

/* Answers the first data message with the error in f->option, ACKs the rest. */
static void erring(struct fake *f, const uint8_t *packet)
{
	if (!is_data(packet))
		return;
	if (f->seen++ == 0)
		device_error(f, (uint8_t)f->option);
	else
		device_acks(f, packet);
}

START_TEST(test_transport_errors)
{
	static const struct {
		uint8_t code;
		enum thp_status status;
		const char *error;
		bool closed;
	} cases[] = {
		{ 2, THP_CLOSED, "the Trezor does not know the THP channel any more (restarted?)", true },
		{ 3, THP_CLOSED, "the Trezor could not decrypt a message: it closed the THP channel",
		  true },
		{ 5, THP_LOCKED, "the Trezor is locked", false },
		{ 9, THP_PROTOCOL, "the Trezor sent an unknown THP transport error 9", false },
	};
	struct thp_channel channel;

	allocate(&channel);
	fake.script = erring;
	fake.option = cases[_i].code;
	ck_assert_int_eq(thp_channel_send(&channel, THP_HANDSHAKE_INIT_REQUEST,
					  (const uint8_t *)"abc", 3, 2000), cases[_i].status);
	ck_assert_str_eq(fake.transport.error, cases[_i].error);
	ck_assert(channel.closed == cases[_i].closed);
	ck_assert_uint_eq(fake.written_count, 1);
}
END_TEST

/* TRANSPORT_BUSY: the same message again after a random back-off of at most 500 ms. */
START_TEST(test_busy_backs_off)
{
	struct thp_channel channel;

	allocate(&channel);
	fake.script = erring;
	fake.option = 1;
	ck_assert_int_eq(thp_channel_send(&channel, THP_ENCRYPTED, (const uint8_t *)"abc", 3, 3000),
			 THP_OK);
	ck_assert_uint_eq(channel.busy, 1);
	ck_assert_uint_eq(fake.written_count, 2);
	ck_assert_mem_eq(fake.written[0], fake.written[1], THP_PACKET_SIZE);
	ck_assert_int_le(fake.written_at[1] - fake.written_at[0], 650);
}
END_TEST

/* Busy for good: given up within the caller's time, and said so. */
static void always_busy(struct fake *f, const uint8_t *packet)
{
	if (is_data(packet))
		device_error(f, 1);
}

START_TEST(test_busy_for_good)
{
	struct thp_channel channel;
	int64_t started;

	allocate(&channel);
	fake.script = always_busy;
	started = clock_monotonic_ms();
	ck_assert_int_eq(thp_channel_send(&channel, THP_ENCRYPTED, (const uint8_t *)"abc", 3, 1500),
			 THP_BUSY);
	ck_assert_int_le(clock_monotonic_ms() - started, 1700);
	ck_assert_uint_ge(channel.busy, 2);
	ck_assert_str_eq(fake.transport.error, "the Trezor stayed busy with another program's "
			 "channel for 2 s");
}
END_TEST

static Suite *thp_channel_suite(void)
{
	Suite *suite = suite_create("thp_channel");
	TCase *tc = tcase_create("channel");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_allocation, 0, 2);
	tcase_add_test(tc, test_allocation_asked_again);
	tcase_add_test(tc, test_allocation_refused);
	tcase_add_test(tc, test_sequence_bits);
	tcase_add_test(tc, test_wrong_ack_bit);
	tcase_add_test(tc, test_retransmission_times);
	tcase_add_test(tc, test_answer_stands_for_ack);
	tcase_add_test(tc, test_duplicates);
	tcase_add_test(tc, test_bad_crc_not_acked);
	tcase_add_loop_test(tc, test_transport_errors, 0, 4);
	tcase_add_test(tc, test_busy_backs_off);
	tcase_add_test(tc, test_busy_for_good);
	suite_add_tcase(suite, tc);
	return suite;
}

int main(void)
{
	return run_suite(thp_channel_suite());
}

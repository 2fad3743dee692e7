/*
 * Fuzz target: THP's host side (module/thp.c, thp_channel.c,
 * thp_handshake.c, thp_packet.c) talking to the simulator's Safe 7
 * (tests/sim/sim_thp*.c, in this process) through a line the input
 * controls: it passes, drops, garbles, repeats or replaces the host's
 * packets, and drops, garbles or adds to the device's, up to messages
 * with a good CRC on the host's channel, so that the host's parsing past
 * the CRC is reached. Time is virtual: a wait with nothing to read moves
 * the clock on (this file defines clock.h's functions, so the module's and
 * the simulator's waits cost nothing).
 *
 * The host opens a channel (allocation and handshake, no credential) and,
 * in the pairing phase, sends ThpPairingRequest, ButtonAck and
 * ThpSelectMethod(CodeEntry), reading the answer to each.
 *
 * Input:
 *   byte 0   bit 0: the Trezor has a PIN (locked); bit 1: the host asks it to
 *            show its PIN pad (try_to_unlock)
 *   then one action per packet the host writes, and per read, in the order
 *   they happen (the input's end: every packet passes):
 *     host's packet, byte % 8: 0-3 passes, 4 dropped, 5 a byte flipped
 *       (offset, xor), 6 sent twice, 7 replaced by the next 64 bytes
 *     a read, byte % 8: 0-3 the device's next packet, 4 it is dropped,
 *       5 a byte of it flipped (offset, xor), 6 the next 64 bytes instead,
 *       7 a message with a good CRC: control byte, channel (0 ours,
 *       1 broadcast, else the next two bytes), length byte, payload
 *
 * Checks: every call ends, and ends soon once the device is gone (no wait
 * without a bound); a status is one of thp_channel.h's; an error is one
 * line; with nothing spoilt the whole exchange succeeds as the
 * specification says (a locked Trezor without try_to_unlock: THP_LOCKED).
 * ASan and UBSan watch the buffers.
 */
#include "config.h"

#include <limits.h>
#include <string.h>

#include "clock.h"
#include "fuzz.h"
#include "fuzz_formats.h"
#include "messages.h"
#include "sim_device.h"
#include "sim_thp.h"
#include "thp.h"
#include "transport.h"
#include "trezor.pb-c.h"

/* Calls of the transport per input; then the device counts as gone. */
#define CALLS_MAX 2000
/* Calls the host may still make after that (it must notice). */
#define CALLS_AFTER_GONE 100
#define QUEUE_MAX 256
#define TIMEOUT_MS 10000

/* ---- virtual time --------------------------------------------------------------------- */

static int64_t now_ms;

int64_t clock_monotonic_ms(void)
{
	return now_ms;
}

int clock_remaining_ms(int64_t deadline)
{
	if (deadline <= now_ms)
		return 0;
	return deadline - now_ms > INT_MAX ? INT_MAX : (int)(deadline - now_ms);
}

/* ---- the line between them ---------------------------------------------------------- */

static struct {
	struct transport transport;     /* first: the module sees only this */
	struct fuzz_input input;
	struct sim_device device;
	struct thp_link *link;
	uint8_t queue[QUEUE_MAX][THP_PACKET_SIZE];      /* the device's packets, in order */
	size_t head, tail;
	unsigned calls;
	bool spoilt;                    /* the input changed something */
} line;

/* What the device sent meanwhile, into the queue (dropped when it overflows). */
static void collect(void)
{
	uint8_t packet[THP_PACKET_SIZE];

	sim_device_tick(&line.device, now_ms);
	sim_thp_flush(&line.device);
	while (sim_thp_take_packet(&line.device, packet)) {
		if (line.tail - line.head < QUEUE_MAX)
			memcpy(line.queue[line.tail++ % QUEUE_MAX], packet, THP_PACKET_SIZE);
		else
			line.spoilt = true;
	}
	sim_device_clear_outbox(&line.device);
}

static bool gone(void)
{
	if (++line.calls > CALLS_MAX + CALLS_AFTER_GONE)
		fuzz_fail(__FILE__, __LINE__, "the host goes on calling a device that is gone");
	return line.calls > CALLS_MAX;
}

static void flip(uint8_t packet[THP_PACKET_SIZE])
{
	uint8_t offset = fuzz_take_byte(&line.input), mask = fuzz_take_byte(&line.input);

	packet[offset % THP_PACKET_SIZE] ^= (uint8_t)(mask | 1);
}

static void from_input(uint8_t packet[THP_PACKET_SIZE])
{
	const uint8_t *bytes;
	size_t taken = fuzz_take_bytes(&line.input, THP_PACKET_SIZE, &bytes);

	memset(packet, 0, THP_PACKET_SIZE);
	memcpy(packet, bytes, taken);
}

static void to_device(const uint8_t packet[THP_PACKET_SIZE])
{
	sim_device_receive(&line.device, false, packet, now_ms);
}

static enum transport_status line_write(struct transport *transport,
					const uint8_t report[WIRE_REPORT_SIZE])
{
	uint8_t packet[THP_PACKET_SIZE];
	uint8_t action = fuzz_take_byte(&line.input) % 8;

	(void)transport;
	if (gone())
		return TRANSPORT_GONE;
	memcpy(packet, report, THP_PACKET_SIZE);
	line.spoilt |= action >= 4;
	if (action == 4)
		return TRANSPORT_OK;
	if (action == 5)
		flip(packet);
	if (action == 7)
		from_input(packet);
	to_device(packet);
	if (action == 6)
		to_device(packet);
	return TRANSPORT_OK;
}

/* A message with a good CRC, as the input spells it. */
static void framed_from_input(uint8_t packet[THP_PACKET_SIZE])
{
	uint8_t control = fuzz_take_byte(&line.input), which = fuzz_take_byte(&line.input);
	uint16_t channel = which == 0 ? line.link->channel.id : which == 1 ? 0xFFFF
				      : fuzz_take_u16(&line.input);
	size_t wanted = fuzz_take_byte(&line.input) % (THP_PACKET_SIZE - THP_INIT_HEADER -
						       THP_CRC_SIZE + 1);
	const uint8_t *payload;
	size_t length = fuzz_take_bytes(&line.input, wanted, &payload);

	thp_packet_encode(control, channel, payload, length, 0, packet);
}

/* Nothing queued: the clock moves to the device's next event, or the whole wait. */
static bool wait_for_device(int timeout_ms)
{
	int64_t next = sim_device_next_event(&line.device), until = now_ms + timeout_ms;

	if (next >= 0 && next <= until) {
		if (next > now_ms)
			now_ms = next;
		collect();
		if (line.tail > line.head)
			return true;
	}
	now_ms = until;
	collect();
	return line.tail > line.head;
}

static enum transport_status line_read(struct transport *transport,
				       uint8_t report[WIRE_REPORT_SIZE], int timeout_ms)
{
	uint8_t action;

	(void)transport;
	if (gone())
		return TRANSPORT_GONE;
	collect();
	for (;;) {
		action = fuzz_take_byte(&line.input) % 8;
		line.spoilt |= action >= 4;
		if (action == 6) {
			from_input(report);
			return TRANSPORT_OK;
		}
		if (action == 7) {
			framed_from_input(report);
			return TRANSPORT_OK;
		}
		if (line.tail == line.head && !wait_for_device(timeout_ms))
			return TRANSPORT_TIMEOUT;
		memcpy(report, line.queue[line.head++ % QUEUE_MAX], THP_PACKET_SIZE);
		if (action != 4)
			break;
		/* Lost on the way: the wait goes on (the input's next action). */
	}
	if (action == 5)
		flip(report);
	return TRANSPORT_OK;
}

static void line_close(struct transport *transport)
{
	(void)transport;
}

static const struct transport_ops line_ops = { line_write, line_read, line_close, line_close,
					       NULL };

/* ---- the host's side ----------------------------------------------------------------- */

static void check_status(enum thp_status status)
{
	FUZZ_CHECK(status >= THP_OK && status <= THP_NO_MEMORY);
	FUZZ_CHECK(fuzz_is_one_line(line.transport.error, sizeof(line.transport.error)));
	FUZZ_CHECK(status != THP_OK || line.link->phase != THP_PHASE_CLOSED);
}

/* Send one pairing message and read the answer; its type, or 0. */
static uint16_t exchange(uint16_t type, const ProtobufCMessage *message, bool *ok)
{
	uint8_t payload[256];
	size_t length = message != NULL ? protobuf_c_message_pack(message, payload) : 0;
	struct wire_message answer;
	enum thp_status status;
	uint16_t answered = 0;

	if (!*ok)
		return 0;
	status = thp_link_send(line.link, type, payload, length, TIMEOUT_MS);
	check_status(status);
	if (status == THP_OK) {
		status = thp_link_receive(line.link, &answer, TIMEOUT_MS);
		check_status(status);
	}
	if (status == THP_OK) {
		answered = answer.type;
		wire_message_free(&answer);
	}
	*ok = status == THP_OK;
	return answered;
}

static void converse(bool locked, bool unlock)
{
	static const uint8_t host_private[THP_KEY_SIZE] = { 0x40, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	Tz__ThpPairingRequest request = TZ__THP_PAIRING_REQUEST__INIT;
	Tz__ThpSelectMethod method = TZ__THP_SELECT_METHOD__INIT;
	enum thp_status status;
	bool ok;
	uint16_t answers[3];

	status = thp_link_open(line.link, host_private, NULL, 0, unlock, TIMEOUT_MS, TIMEOUT_MS);
	check_status(status);
	if (!line.spoilt)
		FUZZ_CHECK(status == (locked && !unlock ? THP_LOCKED : THP_OK));
	ok = status == THP_OK;
	if (ok && !line.spoilt)
		FUZZ_CHECK(line.link->phase == THP_PHASE_PAIRING);
	request.host_name = "fuzz";
	request.app_name = "fuzz_thp";
	method.selected_pairing_method = TZ__THP_PAIRING_METHOD__ThpPairingMethod_CodeEntry;
	answers[0] = exchange(MSG_THP_PAIRING_REQUEST, &request.base, &ok);
	answers[1] = exchange(MSG_BUTTON_ACK, NULL, &ok);
	answers[2] = exchange(MSG_THP_SELECT_METHOD, &method.base, &ok);
	if (!line.spoilt && !(locked && !unlock)) {
		FUZZ_CHECK(ok);
		FUZZ_CHECK(answers[0] == MSG_BUTTON_REQUEST);
		FUZZ_CHECK(answers[1] == MSG_THP_PAIRING_REQUEST_APPROVED);
		FUZZ_CHECK(answers[2] == MSG_THP_CODE_ENTRY_COMMITMENT);
	}
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
	struct sim_options options = { .mnemonic = "all all all all all all all all all all all all",
				       .label = "Fuzz", .model = SIM_MODEL_SAFE_7,
				       .decline_after = -1 };
	uint8_t mode;

	memset(&line, 0, sizeof(line));
	line.input = (struct fuzz_input){ data, size };
	mode = fuzz_take_byte(&line.input);
	if (mode & THP_FUZZ_LOCKED) {
		/* Unlocked at power-on, then locked again after a millisecond of nothing. */
		options.pin = "1234";
		options.device_pin = "1234";
		options.auto_lock_delay_ms = 1;
	}
	now_ms = 1000000;
	if (!sim_device_init(&line.device, &options))
		fuzz_fail(__FILE__, __LINE__, "the simulator did not start");
	sim_device_start_clock(&line.device, now_ms);
	now_ms += 10;
	line.transport.ops = &line_ops;
	line.transport.thp_capable = true;
	memcpy(line.transport.path, "fuzz", 5);
	line.link = thp_link_new(&line.transport);
	FUZZ_CHECK(line.link != NULL);
	converse((mode & THP_FUZZ_LOCKED) != 0, (mode & THP_FUZZ_UNLOCK) != 0);
	thp_link_free(line.link);
	sim_device_free(&line.device);
	fuzz_check_stdout();
	return 0;
}

/* The simulator's fault modes. See sim_fault.h. */
#include "config.h"

#include "sim_fault.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "ec.h"
#include "messages.h"
#include "sim_flow.h"
#include "sim_requests.h"
#include "trezor.pb-c.h"

#define LONG_TEXT_MIN 5000

static const struct {
	const char *name;
	enum sim_fault_mode mode;
} modes[] = {
	{ "garbage", SIM_FAULT_GARBAGE },
	{ "bad-magic", SIM_FAULT_BAD_MAGIC },
	{ "huge-length", SIM_FAULT_HUGE_LENGTH },
	{ "silence", SIM_FAULT_SILENCE },
	{ "disconnect", SIM_FAULT_DISCONNECT },
	{ "wrong-type", SIM_FAULT_WRONG_TYPE },
	{ "off-curve", SIM_FAULT_OFF_CURVE },
	{ "long-failure", SIM_FAULT_LONG_FAILURE },
	{ "sig-length", SIM_FAULT_SIG_LENGTH },
	{ "sig-r-zero", SIM_FAULT_SIG_R_ZERO },
	{ "sig-s-zero", SIM_FAULT_SIG_S_ZERO },
	{ "sig-r-high", SIM_FAULT_SIG_R_HIGH },
	{ "sig-s-high", SIM_FAULT_SIG_S_HIGH },
	{ "sig-other-key", SIM_FAULT_SIG_OTHER_KEY },
	{ "other-key", SIM_FAULT_OTHER_KEY },
	{ "endless-buttons", SIM_FAULT_ENDLESS_BUTTONS },
	{ "thp-bad-crc", SIM_FAULT_THP_BAD_CRC },
	{ "thp-bad-tag", SIM_FAULT_THP_BAD_TAG },
	{ "thp-wrong-channel", SIM_FAULT_THP_WRONG_CHANNEL },
	{ "thp-no-ack", SIM_FAULT_THP_NO_ACK },
	{ "thp-busy", SIM_FAULT_THP_BUSY },
	{ "thp-unallocated", SIM_FAULT_THP_UNALLOCATED },
	{ "thp-bad-nonce", SIM_FAULT_THP_BAD_NONCE },
	{ "thp-endless-handshake", SIM_FAULT_THP_ENDLESS_HANDSHAKE },
	{ "thp-bad-secret", SIM_FAULT_THP_BAD_SECRET },
};

#define MODES_COUNT (sizeof(modes) / sizeof(modes[0]))

/* n, the order of the P-256 group. */
static const uint8_t group_order[32] = {
	0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84,
	0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
};

bool sim_fault_from_name(const char *name, enum sim_fault_mode *mode)
{
	size_t i;

	for (i = 0; i < MODES_COUNT; i++) {
		if (strcmp(name, modes[i].name) == 0) {
			*mode = modes[i].mode;
			return true;
		}
	}
	return false;
}

const char *sim_fault_name(enum sim_fault_mode mode)
{
	size_t i;

	for (i = 0; i < MODES_COUNT; i++)
		if (modes[i].mode == mode)
			return modes[i].name;
	return "none";
}

const char *sim_fault_names(void)
{
	static char names[512];
	size_t i, used = 0;

	if (names[0] != '\0')
		return names;
	for (i = 0; i < MODES_COUNT; i++)
		used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%s",
					 i > 0 ? ", " : "", modes[i].name);
	return names;
}

bool sim_fault_is_framing(enum sim_fault_mode mode)
{
	return mode == SIM_FAULT_GARBAGE || mode == SIM_FAULT_BAD_MAGIC ||
	       mode == SIM_FAULT_HUGE_LENGTH || mode == SIM_FAULT_SILENCE ||
	       mode == SIM_FAULT_DISCONNECT;
}

/* The occasions each mode counts and may spoil. */
static bool counts(enum sim_fault_mode mode, enum sim_occasion occasion)
{
	bool answer = occasion == SIM_OCCASION_ANSWER || occasion == SIM_OCCASION_LONG_ANSWER;
	bool key_request = occasion == SIM_OCCASION_GET_PUBLIC_KEY ||
			   occasion == SIM_OCCASION_SIGN_IDENTITY;

	switch (mode) {
	case SIM_FAULT_NONE:
		return false;
	case SIM_FAULT_GARBAGE:
	case SIM_FAULT_HUGE_LENGTH:
	case SIM_FAULT_SILENCE:
		return answer;
	case SIM_FAULT_BAD_MAGIC:       /* a second report to spoil, or a first to stop after */
	case SIM_FAULT_DISCONNECT:
		return occasion == SIM_OCCASION_LONG_ANSWER;
	case SIM_FAULT_WRONG_TYPE:
	case SIM_FAULT_OFF_CURVE:
	case SIM_FAULT_LONG_FAILURE:
		return key_request;
	case SIM_FAULT_THP_BAD_CRC:
	case SIM_FAULT_THP_BAD_TAG:
	case SIM_FAULT_THP_WRONG_CHANNEL:
		return occasion == SIM_OCCASION_THP_MESSAGE;
	case SIM_FAULT_THP_NO_ACK:
	case SIM_FAULT_THP_BUSY:
	case SIM_FAULT_THP_UNALLOCATED:
		return occasion == SIM_OCCASION_THP_RECEIVED;
	case SIM_FAULT_THP_BAD_NONCE:
		return occasion == SIM_OCCASION_THP_ALLOCATION;
	case SIM_FAULT_THP_ENDLESS_HANDSHAKE:
		return occasion == SIM_OCCASION_THP_HANDSHAKE;
	case SIM_FAULT_THP_BAD_SECRET:
		return occasion == SIM_OCCASION_THP_PAIRING;
	default:                        /* the signature faults and endless-buttons */
		return occasion == SIM_OCCASION_SIGN_IDENTITY;
	}
}

bool sim_fault_strikes(struct sim_fault *fault, enum sim_occasion occasion)
{
	if (!counts(fault->mode, occasion))
		return false;
	if (fault->seen < INT_MAX)
		fault->seen++;
	return fault->seen > fault->after &&
	       (fault->count == 0 || fault->seen - fault->after <= fault->count);
}

enum sim_report_action sim_fault_report(enum sim_fault_mode mode, bool spoilt, uint16_t type,
					const uint8_t *payload, size_t length, size_t index,
					uint8_t report[WIRE_REPORT_SIZE])
{
	wire_encode_report(type, payload, length, index, report);
	if (!spoilt)
		return SIM_REPORT_SEND;
	switch (mode) {
	case SIM_FAULT_GARBAGE:         /* one report stands for the whole message */
		if (index > 0)
			return SIM_REPORT_DROP;
		memset(report, 0, WIRE_REPORT_SIZE);
		memcpy(report, "this is not codec v1", 20);
		return SIM_REPORT_SEND;
	case SIM_FAULT_BAD_MAGIC:
		if (index == 1)
			report[0] = '!';
		return SIM_REPORT_SEND;
	case SIM_FAULT_HUGE_LENGTH:     /* the rest of the reports follow as they were */
		if (index == 0)
			memset(report + 5, 0xff, 4);
		return SIM_REPORT_SEND;
	case SIM_FAULT_SILENCE:
		return SIM_REPORT_DROP;
	case SIM_FAULT_DISCONNECT:
		return index == 0 && wire_report_count(length) > 1 ? SIM_REPORT_SEND_THEN_VANISH
								   : SIM_REPORT_SEND;
	default:
		return SIM_REPORT_SEND;
	}
}

bool sim_fault_replace_answer(enum sim_fault_mode mode, uint16_t expected,
			      const struct sim_node *node, struct sim_outgoing *answer)
{
	Tz__Success success = TZ__SUCCESS__INIT;
	Tz__Failure failure = TZ__FAILURE__INIT;

	switch (mode) {
	case SIM_FAULT_WRONG_TYPE:
		if (expected == MSG_PUBLIC_KEY) {
			success.message = (char *)"a Success where a PublicKey belongs";
			sim_outgoing_pack(answer, MSG_SUCCESS, &success.base);
		} else {
			sim_node_answer(node, 0x0488b21e, sim_key_fingerprint(node->public_key),
					answer);
		}
		return true;
	case SIM_FAULT_LONG_FAILURE:
		failure.has_code = true;
		failure.code = TZ__FAILURE_TYPE__Failure_FirmwareError;
		failure.message = (char *)sim_fault_long_text();
		sim_outgoing_pack(answer, MSG_FAILURE, &failure.base);
		return true;
	default:
		return false;
	}
}

void sim_fault_spoil_key(enum sim_fault_mode mode, uint8_t public_key[33])
{
	uint8_t point[EC_UNCOMPRESSED_SIZE];
	int tries;

	if (mode != SIM_FAULT_OFF_CURVE)
		return;
	/* 00 || an Ed25519 key: the identity point, of small order, which no seed gives. */
	if (public_key[0] == 0x00) {
		memset(public_key + 1, 0, 32);
		public_key[1] = 0x01;
		return;
	}
	/* About every other x has a point; the next x without one is near. */
	for (tries = 0; tries < 256 && ec_p256_decompress(public_key, point); tries++)
		public_key[32]++;
}

void sim_fault_spoil_signature(enum sim_fault_mode mode, uint8_t signature[65], size_t *length)
{
	uint8_t *r = signature + 1, *s = signature + 33;

	switch (mode) {
	case SIM_FAULT_SIG_LENGTH:      /* r || s without the 00 in front */
		memmove(signature, signature + 1, 64);
		*length = 64;
		break;
	case SIM_FAULT_SIG_R_ZERO: memset(r, 0, 32); break;
	case SIM_FAULT_SIG_S_ZERO: memset(s, 0, 32); break;
	case SIM_FAULT_SIG_R_HIGH: memcpy(r, group_order, 32); break;
	case SIM_FAULT_SIG_S_HIGH: memcpy(s, group_order, 32); break;
	default: break;
	}
}

bool sim_fault_signs_with_other_key(enum sim_fault_mode mode, uint32_t path[5])
{
	if (mode != SIM_FAULT_SIG_OTHER_KEY && mode != SIM_FAULT_OTHER_KEY)
		return false;
	path[4] ^= 1;                   /* a sibling: another valid key of the same seed */
	return true;
}

/*
 * Several KiB that a careless host would print as they are: newlines, a
 * carriage return, a tab, terminal escapes (clear the screen, set the
 * window title), C1 control characters both as UTF-8 and as a raw byte,
 * DEL, and a valid UTF-8 letter among them.
 */
const char *sim_fault_long_text(void)
{
	static char text[LONG_TEXT_MIN + 64];
	static const char start[] =
		"Firmware panic:\n\tat fsm.c:42\r\n\x1b[2J\x1b]0;owned\x07 \xc2\x9b" "31m"
		" \x9b" "0m \x7f caf\xc3\xa9\n";
	size_t used;
	int frame;

	if (text[0] != '\0')
		return text;
	used = (size_t)snprintf(text, sizeof(text), "%s", start);
	for (frame = 0; used < LONG_TEXT_MIN; frame++)
		used += (size_t)snprintf(text + used, sizeof(text) - used, "frame %04d: pc 0x%08x\n",
					 frame, 0x08001000u + 4u * (unsigned)frame);
	return text;
}

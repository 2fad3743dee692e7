/*
 * A broken or hostile Trezor on demand (trezor-sim --fault MODE): answers
 * that break the codec, replies of a type the request cannot have, public
 * keys off the curve, bad signatures, silence, a device that vanishes in the
 * middle of an answer, endless button requests, a Failure with a long text.
 *
 * Each mode spoils one kind of occasion only (sim_fault_strikes): the
 * framing faults spoil answers (what the device sends back for one message),
 * the others spoil the key requests they are about, so that Features stay
 * healthy and a device with a signature fault still lists its keys.
 * --fault-after N serves the first N occasions well; --fault-for N spoils N
 * occasions, then the device is healthy again. A test can so meet a fault
 * exactly once and then check that the next call works, on the same device
 * and with the same module state.
 */
#ifndef TREZOR_SIM_FAULT_H
#define TREZOR_SIM_FAULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_keys.h"
#include "wire.h"

struct sim_outgoing;

enum sim_fault_mode {
	SIM_FAULT_NONE,
	/* Framing: the answer's reports. */
	SIM_FAULT_GARBAGE,              /* one report without the codec's magic */
	SIM_FAULT_BAD_MAGIC,            /* the second report lacks its '?' */
	SIM_FAULT_HUGE_LENGTH,          /* the header declares 0xFFFFFFFF bytes */
	SIM_FAULT_SILENCE,              /* nothing is sent (PINGPING is still answered) */
	SIM_FAULT_DISCONNECT,           /* the first report, then nothing ever again */
	/* Messages: the reply to GetPublicKey or SignIdentity. */
	SIM_FAULT_WRONG_TYPE,           /* Success for PublicKey, PublicKey for SignedIdentity */
	SIM_FAULT_OFF_CURVE,            /* a public key that is not a P-256 point */
	SIM_FAULT_LONG_FAILURE,         /* a Failure with kilobytes of text and control bytes */
	/* SignedIdentity only. */
	SIM_FAULT_SIG_LENGTH,           /* 64 bytes, without the leading 00 */
	SIM_FAULT_SIG_R_ZERO,
	SIM_FAULT_SIG_S_ZERO,
	SIM_FAULT_SIG_R_HIGH,           /* r = n, the group order */
	SIM_FAULT_SIG_S_HIGH,           /* s = n */
	SIM_FAULT_SIG_OTHER_KEY,        /* signed by another key; public_key is the right one */
	SIM_FAULT_OTHER_KEY,            /* signed by another key, and public_key names it */
	SIM_FAULT_ENDLESS_BUTTONS,      /* a ButtonRequest after every ButtonAck */
	/* THP (Safe 7): the transport, the handshake, pairing. */
	SIM_FAULT_THP_BAD_CRC,          /* a message whose CRC is wrong, each time it is sent */
	SIM_FAULT_THP_BAD_TAG,          /* an encrypted message whose tag is wrong */
	SIM_FAULT_THP_WRONG_CHANNEL,    /* a message on another channel, each time it is sent */
	SIM_FAULT_THP_NO_ACK,           /* a host message neither ACKed nor read */
	SIM_FAULT_THP_BUSY,             /* TRANSPORT_BUSY for a host message */
	SIM_FAULT_THP_UNALLOCATED,      /* UNALLOCATED_CHANNEL for a host message */
	SIM_FAULT_THP_BAD_NONCE,        /* a channel allocated with somebody else's nonce */
	SIM_FAULT_THP_ENDLESS_HANDSHAKE,        /* the handshake's request ACKed, never answered */
	SIM_FAULT_THP_BAD_SECRET,       /* pairing reveals a secret that fits no commitment */
};

/* What a mode may spoil. */
enum sim_occasion {
	SIM_OCCASION_ANSWER,            /* an answer whose messages fit one report each */
	SIM_OCCASION_LONG_ANSWER,       /* an answer with a message of several reports */
	SIM_OCCASION_GET_PUBLIC_KEY,    /* a GetPublicKey the device carries out */
	SIM_OCCASION_SIGN_IDENTITY,     /* a SignIdentity the device carries out */
	SIM_OCCASION_THP_MESSAGE,       /* a THP data message the device sends */
	SIM_OCCASION_THP_RECEIVED,      /* a THP data message from the host */
	SIM_OCCASION_THP_ALLOCATION,    /* a channel allocation */
	SIM_OCCASION_THP_HANDSHAKE,     /* a handshake's initiation request */
	SIM_OCCASION_THP_PAIRING,       /* pairing's secret revealed */
};

struct sim_fault {
	enum sim_fault_mode mode;
	int after;                      /* occasions served well first */
	int count;                      /* occasions spoilt then; 0: all of them */
	int seen;                       /* occasions so far */
};

/* "bad-magic" -> SIM_FAULT_BAD_MAGIC; false for an unknown name. */
bool sim_fault_from_name(const char *name, enum sim_fault_mode *mode);

/* "bad-magic" for SIM_FAULT_BAD_MAGIC, for logs. */
const char *sim_fault_name(enum sim_fault_mode mode);

/* Every mode's name, separated by ", ", for usage messages. */
const char *sim_fault_names(void);

/* Is this mode about the answers' reports (sim_fault_report)? */
bool sim_fault_is_framing(enum sim_fault_mode mode);

/* Count an occasion the mode is about; true when this one is to be spoilt. */
bool sim_fault_strikes(struct sim_fault *fault, enum sim_occasion occasion);

enum sim_report_action {
	SIM_REPORT_SEND,
	SIM_REPORT_DROP,
	SIM_REPORT_SEND_THEN_VANISH,    /* send it, then answer nothing ever again */
};

/*
 * Report `index` of a message (type, payload, length) as a device with this
 * framing fault sends it, in a spoilt answer when `spoilt`.
 */
enum sim_report_action sim_fault_report(enum sim_fault_mode mode, bool spoilt, uint16_t type,
					const uint8_t *payload, size_t length, size_t index,
					uint8_t report[WIRE_REPORT_SIZE]);

/*
 * wrong-type and long-failure: put in *answer what comes instead of a
 * PublicKey or SignedIdentity (`expected`) for the identity's node, and
 * return true. False for every other mode: the caller answers.
 */
bool sim_fault_replace_answer(enum sim_fault_mode mode, uint16_t expected,
			      const struct sim_node *node, struct sim_outgoing *answer);

/* off-curve: turn a compressed point into an x with no point on P-256, and
 * 00 || an Ed25519 key into 00 || the identity point (of small order). */
void sim_fault_spoil_key(enum sim_fault_mode mode, uint8_t public_key[33]);

/* The signature faults on 00 || r || s; *length may become 64. */
void sim_fault_spoil_signature(enum sim_fault_mode mode, uint8_t signature[65], size_t *length);

/* sig-other-key and other-key sign with the key of this path instead. */
bool sim_fault_signs_with_other_key(enum sim_fault_mode mode, uint32_t path[5]);

/* The long Failure text of long-failure (static, several KiB). */
const char *sim_fault_long_text(void);

#endif

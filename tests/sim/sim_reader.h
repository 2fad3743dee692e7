/*
 * Reports -> messages, by each firmware family's reading rules.
 *
 * Trezor One (legacy/firmware/messages.c): a first report that lacks "?##"
 * is dropped; an unknown message type is answered "Unknown message" and a
 * length over its 16 KiB buffer "Message too big" at once, from the header;
 * a following report that lacks '?' drops the message silently. While a
 * question is out it reads "tiny": each report on its own, only the Acks,
 * Cancel, Initialize and the debug link's messages, which must fit the one
 * report; the decoded message waits in a single slot for the question.
 *
 * Core (core/src/trezor/wire/codec/codec_v1.py): any report without its
 * magic is answered with Failure FirmwareError "Invalid magic"; a message
 * larger than its heap is read and thrown away, report by report, then
 * answered "Message too large".
 *
 * While the device computes it reads nothing: reports wait in the inbox.
 */
#ifndef TREZOR_SIM_READER_H
#define TREZOR_SIM_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "wire.h"

struct sim_device;

/* The Trezor One's buffer for a message (MSG_IN_ENCODED_SIZE). */
#define SIM_T1_MESSAGE_MAX (16u * 1024u)

/*
 * The largest message a core model takes. The firmware allocates what the
 * header declares on its heap; the simulator's heap is the codec's limit.
 */
#define SIM_CORE_MESSAGE_MAX WIRE_MAX_PAYLOAD

/* Reports that came while the device read nothing (as a full USB or UDP buffer). */
#define SIM_INBOX_MAX 512

struct sim_reader {
	bool reading;                   /* a message's first report came */
	bool discarding;                /* core: too large, read and thrown away */
	uint16_t type;
	uint32_t length;                /* declared */
	uint32_t received;
	uint8_t *payload;               /* length bytes (not when discarding) */
};

/* The Trezor One's tiny slot: the last message read while a question was out. */
struct sim_tiny {
	uint16_t type;
	ProtobufCMessage *message;      /* NULL: the slot is empty */
};

struct sim_inbox {
	uint8_t reports[SIM_INBOX_MAX][WIRE_REPORT_SIZE];
	bool debug[SIM_INBOX_MAX];
	size_t first;
	size_t count;
	size_t dropped;
};

void sim_reader_reset(struct sim_reader *reader);

/* Read one report on an interface (the device decides what it reads now). */
void sim_reader_feed(struct sim_device *device, bool debug, const uint8_t *report);

/* Empty the tiny slot. */
void sim_tiny_clear(struct sim_tiny *tiny);

/* Keep a report for later; false when the inbox is full (it is dropped). */
bool sim_inbox_push(struct sim_inbox *inbox, bool debug, const uint8_t *report);

/* The oldest report kept; false when there is none. */
bool sim_inbox_pop(struct sim_inbox *inbox, bool *debug, uint8_t report[WIRE_REPORT_SIZE]);

#endif

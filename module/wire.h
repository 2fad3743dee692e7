/*
 * Codec v1: Trezor messages <-> 64-byte reports (HACKING 5.1).
 *
 * First report:      '?' '#' '#' type(BE16) length(BE32) payload[0..55)
 * Following reports: '?' payload[..63)
 *
 * Pure data transformation, no I/O: the module's transports and the
 * simulator both build on it.
 */
#ifndef TREZOR_PKCS11_WIRE_H
#define TREZOR_PKCS11_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WIRE_REPORT_SIZE 64
#define WIRE_HEADER_SIZE 9                      /* "?##", type, length */
#define WIRE_FIRST_CHUNK (WIRE_REPORT_SIZE - WIRE_HEADER_SIZE)   /* 55 */
#define WIRE_NEXT_CHUNK (WIRE_REPORT_SIZE - 1)                   /* 63 */

/*
 * The largest payload we send or accept. Our biggest real message is a
 * SignIdentity of a few hundred bytes; 64 KiB leaves room for any Features
 * a future firmware may send while refusing a hostile 4 GiB length before
 * anything is allocated.
 */
#define WIRE_MAX_PAYLOAD (64u * 1024u)

struct wire_message {
	uint16_t type;
	uint32_t length;
	uint8_t *payload;       /* malloc'd, length bytes; NULL when length is 0 */
};

/* How many reports a payload of this length needs (at least 1). */
size_t wire_report_count(size_t length);

/*
 * Fill report number `index` (0-based) of the message. Unused bytes are
 * zero. The caller guarantees length <= WIRE_MAX_PAYLOAD and
 * index < wire_report_count(length).
 */
void wire_encode_report(uint16_t type, const uint8_t *payload, size_t length,
			size_t index, uint8_t report[WIRE_REPORT_SIZE]);

enum wire_status {
	WIRE_MORE = 0,          /* the message needs further reports */
	WIRE_COMPLETE,          /* the message is whole: wire_reader_take() it */
	WIRE_ERR_MAGIC,         /* a message's first report does not start with ?## */
	WIRE_ERR_NEXT_MAGIC,    /* a following report does not start with ? */
	WIRE_ERR_TOO_LONG,      /* declared length above WIRE_MAX_PAYLOAD */
	WIRE_ERR_SHORT,         /* a report too short to hold its header */
	WIRE_ERR_NO_MEMORY,
};

/* Reassembles one message from reports. */
struct wire_reader {
	bool started;           /* the first report has been seen */
	uint32_t received;      /* payload bytes so far */
	struct wire_message message;
};

void wire_reader_init(struct wire_reader *reader);

/*
 * Feed one report of report_len bytes (at most WIRE_REPORT_SIZE are used).
 * Only the bytes that arrived are read, and only up to the declared length:
 * padding is ignored. After an error the reader is reset.
 */
enum wire_status wire_reader_feed(struct wire_reader *reader,
				  const uint8_t *report, size_t report_len);

/* Move the completed message out of the reader, which is left empty. */
void wire_reader_take(struct wire_reader *reader, struct wire_message *out);

/* Drop a partial message. */
void wire_reader_reset(struct wire_reader *reader);

void wire_message_free(struct wire_message *message);

/* "wrong magic", "declared length too large", ... */
const char *wire_status_text(enum wire_status status);

#endif

/*
 * THP's transport framing, host side (specification, "Transport layer"):
 * a message ("transport payload") travels as an initiation packet
 *
 *     control byte | channel id (BE16) | length (BE16) | payload ...
 *
 * and continuation packets 0x80 | channel id | payload ..., each packet 64
 * bytes on USB and UDP, the last one zero-padded. The length counts the
 * payload and the CRC-32 (big-endian) that follows it, computed over the
 * initiation packet's header and the payload.
 *
 * Pure data transformation, no I/O (thp_channel.c sends and reads).
 */
#ifndef TREZOR_PKCS11_THP_PACKET_H
#define TREZOR_PKCS11_THP_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define THP_PACKET_SIZE 64
#define THP_INIT_HEADER 5
#define THP_CONT_HEADER 3
#define THP_CRC_SIZE 4
#define THP_BROADCAST_CHANNEL 0xFFFFu

/*
 * The longest payload the host sends or accepts. The length field allows
 * 65535 - 4; a device's answers here are far smaller, so a hostile length
 * costs no more than this.
 */
#define THP_PAYLOAD_MAX 4096u

/* Control bytes, and the masks that read them (specification's table). */
#define THP_CONTINUATION 0x80
#define THP_ALLOCATION_REQUEST 0x40
#define THP_ALLOCATION_RESPONSE 0x41
#define THP_TRANSPORT_ERROR 0x42
#define THP_PING 0x43
#define THP_PONG 0x44
#define THP_CODEC_V1 0x3F
#define THP_ACK 0x20                    /* with the ACK bit: 0x28 */
#define THP_ACK_MASK 0xF7
#define THP_DATA_MASK 0xE7              /* the message kinds below, without sync bits */
#define THP_HANDSHAKE_INIT_REQUEST 0x00
#define THP_HANDSHAKE_INIT_RESPONSE 0x01
#define THP_HANDSHAKE_COMPLETION_REQUEST 0x02
#define THP_HANDSHAKE_COMPLETION_RESPONSE 0x03
#define THP_ENCRYPTED 0x04
#define THP_SEQ_BIT 0x10
#define THP_ACK_BIT 0x08

/* Transport error codes (TRANSPORT_ERROR's one-byte payload). */
enum thp_error_code {
	THP_ERROR_BUSY = 1,
	THP_ERROR_UNALLOCATED_CHANNEL = 2,
	THP_ERROR_DECRYPTION_FAILED = 3,
	THP_ERROR_DEVICE_LOCKED = 5,
};

/* Is the control byte one of the five data messages that carry sync bits? */
bool thp_is_data(uint8_t control);

/* Is it an ACK (0x20 or 0x28)? */
bool thp_is_ack(uint8_t control);

/* How many packets a payload of this length needs. */
size_t thp_packet_count(size_t payload_length);

/*
 * Packet number `index` of the message (control, channel, payload). The
 * caller keeps payload_length <= THP_PAYLOAD_MAX and index below the count.
 */
void thp_packet_encode(uint8_t control, uint16_t channel, const uint8_t *payload,
		       size_t payload_length, size_t index, uint8_t packet[THP_PACKET_SIZE]);

enum thp_read_status {
	THP_READ_MORE,                  /* nothing whole yet */
	THP_READ_COMPLETE,              /* a message: take it from the reader */
	THP_READ_IGNORED,               /* a packet not for us (another channel, stray) */
	THP_READ_BAD_CRC,               /* a whole message whose CRC is wrong: dropped */
	THP_READ_TOO_LONG,              /* a declared length over THP_PAYLOAD_MAX: dropped */
	THP_READ_MALFORMED,             /* a length too short for the CRC, or codec v1 */
};

/* Reassembles the messages of one channel (and, while allocating, the broadcast one). */
struct thp_reader {
	uint16_t channel;               /* ours; others are ignored */
	bool broadcast;                 /* also take the broadcast channel's messages */
	bool started;
	uint8_t control;
	uint16_t from;                  /* the channel of the message being read */
	size_t length;                  /* payload and CRC, as declared */
	size_t received;
	uint8_t buffer[THP_PAYLOAD_MAX + THP_CRC_SIZE];
};

void thp_reader_init(struct thp_reader *reader, uint16_t channel, bool broadcast);

/*
 * One packet of THP_PACKET_SIZE bytes. A new initiation packet on our
 * channel drops a message half read, as the specification says; a
 * continuation with nothing started, or for another channel, is ignored.
 */
enum thp_read_status thp_reader_feed(struct thp_reader *reader,
				     const uint8_t packet[THP_PACKET_SIZE]);

/* The message completed: its control byte, channel, payload (without CRC). */
struct thp_message {
	uint8_t control;
	uint16_t channel;
	const uint8_t *payload;         /* in the reader's buffer, valid until the next feed */
	size_t length;
};

void thp_reader_take(struct thp_reader *reader, struct thp_message *message);

/* Wipe what the reader holds (an encrypted message, but still). */
void thp_reader_clear(struct thp_reader *reader);

#endif

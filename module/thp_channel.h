/*
 * A THP channel, host side, over one transport's reports (transport.h):
 * allocation on the broadcast channel, and reliable delivery of messages by
 * the alternating bit protocol (specification, "Allocation layer" and
 * "Synchronization layer").
 *
 *   - Every data message (handshake and encrypted) carries a sequence bit
 *     that alternates per direction; the receiver ACKs each with that bit.
 *     A message whose bit is not the one expected is a duplicate: ACKed
 *     again and dropped, never handed on twice.
 *   - The host does not ask for ACK piggybacking (a 2.1 feature): it ACKs
 *     every device message at once, and the device ACKs each of the host's
 *     with a message of its own, which works with protocol 2.0 and 2.1 and
 *     never leaves the device waiting for an ACK while a person decides.
 *   - A message not ACKed is sent again after 250 ms, then 500, 750, up to
 *     1000 ms apart, 10 times; then the channel is given up. A device busy
 *     on another channel (TRANSPORT_BUSY) is sent the message again after a
 *     random back-off of up to 500 ms (MAX_BUSY_BACKOFF_MS), for 5 seconds
 *     (the firmware lets a new channel preempt one idle for a second).
 *   - UNALLOCATED_CHANNEL and DECRYPTION_FAILED close the channel: the
 *     device forgot it (restart, eviction) or refused it; a new one must be
 *     allocated. DEVICE_LOCKED answers a handshake on a locked device.
 *
 * Every wait is bounded by the caller's timeout; nothing a device sends
 * (garbage, other channels, endless duplicates) makes one longer.
 */
#ifndef TREZOR_PKCS11_THP_CHANNEL_H
#define TREZOR_PKCS11_THP_CHANNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "thp_packet.h"

#define THP_PROPERTIES_MAX 64           /* device properties: the firmware's limit */

struct transport;

enum thp_status {
	THP_OK = 0,
	THP_TIMEOUT,                    /* nothing (usable) came in time */
	THP_GONE,                       /* the transport says the device went away */
	THP_CANCELLED,                  /* the transport's cancel flag was raised */
	THP_IO,                         /* another transport failure */
	THP_CLOSED,                     /* the channel is gone: allocate a new one */
	THP_NO_ACK,                     /* a message never ACKed: the channel is given up */
	THP_LOCKED,                     /* DEVICE_LOCKED: the handshake needs the PIN */
	THP_BUSY,                       /* still TRANSPORT_BUSY after every back-off */
	THP_PROTOCOL,                   /* the device broke the protocol */
	THP_NO_MEMORY,
};

struct thp_channel {
	struct transport *transport;
	uint16_t id;                    /* 0: none allocated */
	bool closed;                    /* the device no longer knows it */
	uint8_t send_bit;               /* sequence bit of our next message */
	uint8_t receive_bit;            /* sequence bit of the device's next message */
	uint8_t properties[THP_PROPERTIES_MAX];     /* as received: the handshake's prologue */
	size_t properties_length;
	struct thp_reader reader;
	/* A device message that came while we waited for an ACK (it implies one). */
	bool held;
	uint8_t held_control;
	size_t held_length;
	uint8_t held_payload[THP_PAYLOAD_MAX];
	unsigned retransmissions;       /* of the last message sent, for tests and logs */
	unsigned busy;                  /* TRANSPORT_BUSY answers to it */
};

/* The message thp_channel_receive hands out: valid until the next call on the channel. */
struct thp_data {
	uint8_t kind;                   /* control byte & THP_DATA_MASK */
	const uint8_t *payload;
	size_t length;
};

/* Start with nothing allocated on this transport. */
void thp_channel_init(struct thp_channel *channel, struct transport *transport);

/* Forget the channel (its buffers are wiped); the transport stays. */
void thp_channel_reset(struct thp_channel *channel);

/*
 * Ask for a new channel: ChannelAllocationRequest with a random nonce,
 * asked again after a second without an answer (the device never repeats
 * its answer), answers with another nonce ignored. On THP_OK the id and
 * the device properties are set and the sequence bits start at 0.
 */
enum thp_status thp_channel_allocate(struct thp_channel *channel, int timeout_ms);

/*
 * Send one data message (kind: THP_HANDSHAKE_*_REQUEST or THP_ENCRYPTED)
 * and wait for its ACK.
 */
enum thp_status thp_channel_send(struct thp_channel *channel, uint8_t kind,
				 const uint8_t *payload, size_t length, int timeout_ms);

/* Wait for the device's next data message and ACK it. */
enum thp_status thp_channel_receive(struct thp_channel *channel, struct thp_data *data,
				    int timeout_ms);

/* "busy", "channel closed", ... for logs. */
const char *thp_status_name(enum thp_status status);

#endif

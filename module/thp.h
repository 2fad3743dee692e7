/*
 * The Trezor Host Protocol on one transport, host side: what transport.c
 * puts in place of codec v1 for a device that speaks only THP (a Safe 7),
 * behind the same "send a message, receive a message" face, so that the
 * device client sees the same (type, protobuf) messages either way.
 *
 * The layers, a file each:
 *   thp_packet.c       packets and CRC
 *   thp_channel.c      allocation, ACKs and sequence bits, transport errors
 *   thp_handshake.c    Noise XX, the masked device key, choosing a credential
 *   thp.c              this link: encryption of messages, session ids, phases
 *   thp_connect.c      the device client's part: opening the link, the
 *                      credential phase, reconnecting (thp_connect.h)
 *   thp_pairing.c      pairing by code entry, credentials issued
 *   thp_credentials.c  this user's static key and credentials, on disk
 *   thp_session.c      sessions (ThpCreateNewSession) for trezor.c
 *
 * Encrypted messages are session id (1) | message type (BE16) | protobuf,
 * AES-256-GCM with the keys of the handshake, the host's nonces from 0, the
 * device's from 1 (its completion response used 0). A message that does
 * not decrypt closes the channel, as the specification asks.
 */
#ifndef TREZOR_PKCS11_THP_H
#define TREZOR_PKCS11_THP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "thp_channel.h"
#include "thp_handshake.h"
#include "wire.h"

/* Where the link stands (the specification's channel states, as a host sees them). */
enum thp_phase {
	THP_PHASE_CLOSED,               /* no channel: open one */
	THP_PHASE_PAIRING,              /* handshake done, the device wants pairing */
	THP_PHASE_CREDENTIAL,           /* handshake done with a credential it accepted */
	THP_PHASE_OPEN,                 /* ThpEndResponse came: application messages */
};

/* What the allocation told of the device (ThpDeviceProperties). */
struct thp_properties {
	char internal_model[16];        /* "T3W1" */
	uint32_t version_major, version_minor;
	bool code_entry;                /* pairing by code entry is offered */
};

struct thp_link {
	struct transport *transport;
	struct thp_channel channel;
	struct thp_session_keys keys;
	struct thp_properties properties;
	enum thp_phase phase;
	uint8_t session;                /* the session id of the messages sent now */
	/* Sessions that may live on this channel: made here, or carried over
	 * from the channel it replaced (trezor_state PAIRED_AUTOCONNECT). */
	uint8_t sessions[256 / 8];
	bool carried;                   /* the device carried over another channel's sessions */
	unsigned opened;                /* channels opened so far (for tests and logs) */
	/* The device's static key, once known (a credential matched, or pairing told). */
	uint8_t trezor_static[THP_KEY_SIZE];
	bool static_known;
};

struct thp_link *thp_link_new(struct transport *transport);

/* Free the link, wiping its keys (no word to the device: it has no "close"). */
void thp_link_free(struct thp_link *link);

/*
 * Allocate a channel and run the handshake (thp_handshake.h); phase
 * becomes PAIRING or CREDENTIAL. Any channel held before is dropped; the
 * session id in use stays (the device may carry its session over).
 */
enum thp_status thp_link_open(struct thp_link *link, const uint8_t host_private[THP_KEY_SIZE],
			      const struct thp_candidate *candidates, size_t count,
			      bool try_to_unlock, int timeout_ms, int reply_timeout_ms);

/* Forget the channel (after a failure, or to start over). */
void thp_link_close(struct thp_link *link);

/* Encrypt and send one message in the current session. */
enum thp_status thp_link_send(struct thp_link *link, uint16_t type, const uint8_t *payload,
			      size_t length, int timeout_ms);

/*
 * Receive and decrypt the next message of the current session (the caller
 * frees it with wire_message_free). Once the channel is open, a message of
 * another session is dropped: nothing of ours asked for it (before, the
 * device answers in session 0 whatever the host sent).
 */
enum thp_status thp_link_receive(struct thp_link *link, struct wire_message *message,
				 int timeout_ms);

/* The session id of what is sent from now on (0: pairing and seedless requests). */
void thp_link_use_session(struct thp_link *link, uint8_t session);

/* Sessions on this channel: may `id` be there, note one made, note one gone. */
bool thp_link_session_may_live(const struct thp_link *link, uint8_t id);
void thp_link_session_made(struct thp_link *link, uint8_t id);
void thp_link_session_gone(struct thp_link *link, uint8_t id);

#endif

/*
 * The simulated Safe 7's Trezor Host Protocol, device side: an independent
 * reading of the specification (docs/common/thp/specification.md) and of
 * the firmware (rust/trezor-thp, core/src/trezor/wire/thp,
 * core/src/apps/thp), sharing only the primitives of module/thp_crypto.h
 * with the module's host side.
 *
 *   sim_thp_wire.c       packets in and out: headers, CRC-32, reassembly
 *   sim_thp.c            this face: the broadcast channel (allocation, ping,
 *                        the codec v1 probe's answer), the channel table,
 *                        the alternating bit and retransmission, transport
 *                        errors, the one active channel, the faults
 *   sim_thp_app.c        encrypted messages: the host's decrypted and handed
 *                        on, the core machine's replies encrypted
 *   sim_thp_handshake.c  the responder's Noise XX, states TH1 and TH2
 *   sim_thp_pairing.c    pairing by code entry (TP0 to TP3), the credential
 *                        phase (TC1) and the application's credential request
 *   sim_thp_secret.c     the device secret: static key, credential MAC key
 *
 * Inside an open channel the messages go to the simulator's core state
 * machine (sim_device.c, sim_flow.c), with the session each message names:
 * a session exists once ThpCreateNewSession made it on that channel.
 *
 * Lines on stderr, always (a device shows the code on its screen):
 *   pairing code: NNNNNN
 * and with -v, after "trezor-sim: ":
 *   THP channel XXXX allocated            THP handshake XXXX: paired|unpaired|...
 *   THP channel XXXX closed (why)         THP credential issued (autoconnect|confirm)
 */
#ifndef TREZOR_SIM_THP_H
#define TREZOR_SIM_THP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_flow.h"
#include "thp_crypto.h"

#define SIM_THP_PACKET 64
#define SIM_THP_CHANNELS 14             /* 4 in handshake and 10 open, in the firmware */
#define SIM_THP_RECEIVE_MAX 2048        /* a message the device takes, with its CRC */
#define SIM_THP_QUEUE 8                 /* messages waiting behind one not yet ACKed */
#define SIM_THP_PACKETS_OUT 512
#define SIM_THP_PROPERTIES_MAX 64
#define SIM_THP_NAME_MAX 64

struct sim_device;

enum sim_thp_phase {
	SIM_THP_FREE,
	SIM_THP_TH1,                    /* allocated: the initiation request is awaited */
	SIM_THP_UNLOCKING,              /* locked: the person is typing the PIN */
	SIM_THP_TH2,                    /* the completion request is awaited */
	SIM_THP_TP0,                    /* pairing: ThpPairingRequest */
	SIM_THP_TP1,                    /* approved: ThpSelectMethod */
	SIM_THP_TP2,                    /* code entry chosen: ThpCodeEntryChallenge */
	SIM_THP_TP3,                    /* the code shown: ThpCodeEntryCpaceHostTag */
	SIM_THP_STUCK,                  /* pairing failed: nothing more is understood */
	SIM_THP_TC1,                    /* paired: credentials, ThpEndRequest */
	SIM_THP_OPEN,                   /* application messages */
};

/* A data message of the device, as sent (kept until ACKed). */
struct sim_thp_message {
	uint8_t kind;                   /* control byte without sync bits */
	size_t length;
	uint8_t *payload;               /* malloc'd */
	bool spoilt;                    /* the fault mode spoils it, each time it is sent */
};

/* What a credential says of the host (ThpCredentialMetadata). */
struct sim_thp_host {
	char host_name[SIM_THP_NAME_MAX + 1];
	char app_name[SIM_THP_NAME_MAX + 1];
	bool autoconnect;
};

struct sim_thp_channel {
	uint16_t id;
	enum sim_thp_phase phase;
	uint32_t last_use;              /* for eviction: least recently used goes */
	int64_t last_write_ms;          /* the last message sent on it (preemption) */
	/* The alternating bit. */
	uint8_t send_bit, receive_bit;
	bool piggybacking;              /* the host asked for it (protocol 2.1) */
	bool awaiting_ack;
	struct sim_thp_message sending;
	int retries;
	int64_t retransmit_ms;
	struct sim_thp_message queue[SIM_THP_QUEUE];
	size_t queued;
	/* Reassembly. */
	bool reading;
	uint8_t control;
	size_t length, received;
	uint8_t buffer[SIM_THP_RECEIVE_MAX];
	/* The handshake (Noise's state, the specification's h, ck and k). */
	uint8_t h[THP_HASH_SIZE], ck[THP_HASH_SIZE], k[THP_KEY_SIZE];
	uint8_t ephemeral_private[THP_KEY_SIZE];
	uint8_t host_ephemeral[THP_KEY_SIZE];
	uint8_t try_to_unlock;          /* the initiation request's last byte */
	int64_t unlock_due_ms;          /* SIM_THP_UNLOCKING: when the person is done */
	bool stalled;                   /* the endless-handshake fault: nothing more comes */
	/* The channel's keys, once the handshake is over. */
	uint8_t key_request[THP_KEY_SIZE], key_response[THP_KEY_SIZE];
	uint64_t nonce_request, nonce_response;
	uint8_t handshake_hash[THP_HASH_SIZE];
	uint8_t host_static[THP_KEY_SIZE];
	uint8_t pairing_state;          /* what the completion response said */
	bool credential_valid;          /* the handshake presented a valid credential */
	struct sim_thp_host host;       /* from it, or from ThpPairingRequest */
	bool connection_allowed;        /* the person allowed it (TC1), or needs not */
	/* Pairing by code entry. */
	bool code_entry_chosen;
	uint8_t secret[16];
	uint8_t challenge[64];
	size_t challenge_length;
	char code[THP_CODE_DIGITS + 1];
	uint8_t cpace_private[THP_KEY_SIZE], cpace_public[THP_KEY_SIZE];
};

struct sim_thp {
	uint8_t static_private[THP_KEY_SIZE], static_public[THP_KEY_SIZE];
	uint8_t credential_key[THP_KEY_SIZE];
	uint8_t properties[SIM_THP_PROPERTIES_MAX];
	size_t properties_length;
	uint16_t next_id;
	uint32_t use_counter;
	struct sim_thp_channel channels[SIM_THP_CHANNELS];
	uint16_t active;                /* the channel whose messages are served; 0: none */
	uint8_t session;                /* the session of the message being served */
	/* A message that came while the device computed: served after. */
	uint16_t deferred_channel;
	uint8_t deferred_session;
	uint16_t deferred_type;
	uint8_t *deferred_payload;
	size_t deferred_length;
	bool deferred;
	/* Packets to send, in order. */
	uint8_t packets[SIM_THP_PACKETS_OUT][SIM_THP_PACKET];
	size_t first_packet, packet_count;
	/* For tests: what happened so far. */
	int allocated, pairings, handshakes;
};

/* Set up at power-on: the static key and the credential key from the device secret. */
bool sim_thp_init(struct sim_device *device);

/* Power off: every channel (and with them every session) is gone. */
void sim_thp_reset(struct sim_device *device);

/* A packet from the host. */
void sim_thp_receive(struct sim_device *device, const uint8_t packet[SIM_THP_PACKET]);

/* Move the replies the core machine made (the outbox) into the active channel. */
void sim_thp_flush(struct sim_device *device);

/* The next packet to send; false when there is none. */
bool sim_thp_take_packet(struct sim_device *device, uint8_t packet[SIM_THP_PACKET]);

/* Retransmissions, the person typing a PIN for a handshake, deferred messages. */
void sim_thp_tick(struct sim_device *device);
int64_t sim_thp_next_event(const struct sim_device *device);

/* ---- between the files ------------------------------------------------------------- */

struct sim_thp_channel *sim_thp_channel(struct sim_device *device, uint16_t id);

/* Queue a data message (kind: handshake response or encrypted) on a channel. */
void sim_thp_send(struct sim_device *device, struct sim_thp_channel *channel, uint8_t kind,
		  const uint8_t *payload, size_t length);

/* Queue a transport error on a channel (not ACKed, not retransmitted). */
void sim_thp_send_error(struct sim_device *device, uint16_t channel, uint8_t code);

/* Forget a channel (its sessions go too); `why` for the log. */
void sim_thp_close(struct sim_device *device, struct sim_thp_channel *channel, const char *why);

/* Encrypt (session, type, protobuf) and queue it on a channel. */
void sim_thp_send_application(struct sim_device *device, struct sim_thp_channel *channel,
			      uint8_t session, uint16_t type, const uint8_t *payload,
			      size_t length);

/* sim_thp_app.c: an encrypted message of the host, whole and ACKed. */
void sim_thp_encrypted(struct sim_device *device, struct sim_thp_channel *channel,
		       const uint8_t *cipher, size_t length);
/* An application message of an open channel, in its session (or deferred while busy). */
void sim_thp_application(struct sim_device *device, struct sim_thp_channel *channel,
			 uint8_t session, uint16_t type, const uint8_t *payload, size_t length);

/* sim_thp_wire.c: a packet with CRC, and the device's packet of a message. */
void sim_thp_wire_packet(uint8_t control, uint16_t channel, const uint8_t *payload,
			 size_t length, size_t index, uint8_t packet[SIM_THP_PACKET]);
size_t sim_thp_wire_count(size_t length);
bool sim_thp_wire_crc_ok(const uint8_t *header, const uint8_t *payload_and_crc,
			 size_t length_with_crc);

/* sim_thp_handshake.c */
void sim_thp_handshake_message(struct sim_device *device, struct sim_thp_channel *channel,
			       uint8_t kind, const uint8_t *payload, size_t length);
void sim_thp_handshake_unlocked(struct sim_device *device, struct sim_thp_channel *channel);

/* sim_thp_pairing.c: a message of the pairing or credential phase (decrypted). */
void sim_thp_pairing_message(struct sim_device *device, struct sim_thp_channel *channel,
			     uint16_t type, const uint8_t *payload, size_t length);
/* The application's ThpCredentialRequest (an open channel). */
void sim_thp_credential_request(struct sim_device *device, struct sim_thp_channel *channel,
				uint16_t type, const uint8_t *payload, size_t length);

/* The steps of SIM_REQUEST_THP_PAIRING and SIM_REQUEST_THP_CREDENTIAL (sim_flow.h). */
enum sim_result sim_thp_pairing_confirm(struct sim_device *device);
enum sim_result sim_thp_pairing_compute(struct sim_device *device);

/* sim_thp_secret.c */
void sim_thp_secret_derive(struct sim_device *device);
/* A credential for this host key and metadata, into out (at most 128 bytes); its length. */
size_t sim_thp_issue_credential(struct sim_device *device, const uint8_t host_static[32],
				const struct sim_thp_host *host, uint8_t out[128]);
/* Is the credential valid for this host key? Its metadata into *host. */
bool sim_thp_check_credential(struct sim_device *device, const uint8_t host_static[32],
			      const uint8_t *credential, size_t length, struct sim_thp_host *host);

#endif

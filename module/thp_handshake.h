/*
 * THP's handshake, host side: Noise_XX_25519_AESGCM_SHA256 with the host as
 * initiator (specification, "Handshake phase", states HH0 to HH3):
 *
 *   -> e, try_to_unlock             HandshakeInitiationRequest (33 bytes)
 *   <- e, ee, s, es                 HandshakeInitiationResponse (96 bytes)
 *   -> s, se, credential            HandshakeCompletionRequest
 *   <- trezor_state                 HandshakeCompletionResponse (17 bytes)
 *
 * The prologue is the device properties as the allocation brought them.
 * The device's static key in message 2 is masked with its ephemeral key
 * (X25519(SHA-256(static || ephemeral), static)), so the host recognises a
 * device it paired with by testing each stored static key against it, and
 * only then decides which credential to present. The host's static key is
 * the user's one key (thp_credentials.h) whether a credential matched or
 * not, so that the credential pairing issues is bound to it.
 */
#ifndef TREZOR_PKCS11_THP_HANDSHAKE_H
#define TREZOR_PKCS11_THP_HANDSHAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "thp_channel.h"
#include "thp_crypto.h"

#define THP_CREDENTIAL_MAX 128          /* the firmware's MAX_CREDENTIAL_LEN */

/* trezor_state, the completion response's one byte. */
enum thp_pairing_state {
	THP_STATE_UNPAIRED = 0,         /* pair (a credential presented was refused) */
	THP_STATE_PAIRED = 1,           /* the credential was accepted */
	THP_STATE_PAIRED_AUTOCONNECT = 2,       /* accepted, and it replaces a channel of ours */
};

/* A device the host paired with: its static key and the credential it issued. */
struct thp_candidate {
	uint8_t trezor_static[THP_KEY_SIZE];
	uint8_t credential[THP_CREDENTIAL_MAX];
	size_t credential_length;
};

/* What a completed handshake leaves: the keys of the encrypted transport. */
struct thp_session_keys {
	uint8_t key_request[THP_KEY_SIZE];      /* host -> device */
	uint8_t key_response[THP_KEY_SIZE];     /* device -> host */
	uint64_t nonce_request;                 /* 0 */
	uint64_t nonce_response;                /* 1: the completion response used 0 */
	uint8_t handshake_hash[THP_HASH_SIZE];  /* binds pairing to this channel */
	uint8_t trezor_ephemeral[THP_KEY_SIZE];
	uint8_t trezor_masked_static[THP_KEY_SIZE];
	enum thp_pairing_state state;
	int candidate;                          /* the credential presented, -1 for none */
};

/*
 * Run the handshake on an allocated channel. try_to_unlock asks a locked
 * device to show its PIN pad (then the initiation response waits for the
 * person: reply_timeout_ms covers that wait); without it a locked device
 * answers THP_LOCKED. On failure the channel is useless: allocate anew.
 */
enum thp_status thp_handshake(struct thp_channel *channel,
			      const uint8_t host_private[THP_KEY_SIZE],
			      const struct thp_candidate *candidates, size_t count,
			      bool try_to_unlock, int timeout_ms, int reply_timeout_ms,
			      struct thp_session_keys *keys);

/* Does this device static key explain the masked key seen with this ephemeral key? */
bool thp_static_key_matches(const uint8_t trezor_static[THP_KEY_SIZE],
			    const uint8_t trezor_ephemeral[THP_KEY_SIZE],
			    const uint8_t masked[THP_KEY_SIZE]);

#endif

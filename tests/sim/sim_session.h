/*
 * The firmware's sessions (legacy config.c session_*, core
 * storage/cache_codec.py): ten slots, each with a random 32-byte id and the
 * seed derived for it (from the mnemonic and the passphrase chosen in that
 * session). Initialize resumes the session whose id it names or starts a
 * new one in a free slot, else in the least recently used; EndSession ends
 * the current one; a restart ends all. At power-on there is none, and
 * anything that needs the seed fails with InvalidSession.
 *
 * -v logs, for tests to count:
 *   trezor-sim: session started (N open)
 *   trezor-sim: session resumed
 *   trezor-sim: session ended
 *   trezor-sim: seed derived
 */
#ifndef TREZOR_SIM_SESSION_H
#define TREZOR_SIM_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_keys.h"

#define SIM_SESSIONS 10
#define SIM_SESSION_ID_SIZE 32

struct sim_device;

struct sim_session {
	uint8_t id[SIM_SESSION_ID_SIZE];
	uint32_t last_use;              /* 0: the slot is free */
	bool seed_cached;
	uint8_t seed[SIM_SEED_SIZE];
};

struct sim_sessions {
	struct sim_session slots[SIM_SESSIONS];
	int active;                     /* index of the current session; -1: none */
	uint32_t use_counter;
	int started;                    /* sessions started so far (for tests) */
	int derived;                    /* seeds derived so far (for tests) */
};

/* No session at all (power-on, restart); seeds are wiped. */
void sim_sessions_clear(struct sim_sessions *sessions);

/*
 * Initialize: resume the session named by id (NULL: none), or start a new
 * one. A Trezor One compares the id zero-padded to 32 bytes, a core model
 * only an id of exactly 32 bytes. Returns the current session's id.
 */
const uint8_t *sim_session_start(struct sim_device *device, const uint8_t *id, size_t length);

/* EndSession: the current session is gone (no-op without one). */
void sim_session_end(struct sim_device *device);

/* The current session, or NULL. */
struct sim_session *sim_session_current(struct sim_device *device);

/* How many slots hold a session. */
int sim_sessions_open(const struct sim_sessions *sessions);

/*
 * THP (Safe 7): a session belongs to a channel and has the one-byte id the
 * host chose. Select the session a message names (none: a seedless one,
 * the current session is then NULL); make a new one there (a session of
 * that id is replaced; the least recently used slot is taken when none is
 * free); move a replaced channel's sessions to the new channel; drop a
 * closed channel's.
 */
void sim_session_thp_select(struct sim_device *device, uint16_t channel, uint8_t id);
void sim_session_thp_create(struct sim_device *device, uint16_t channel, uint8_t id);
void sim_session_thp_migrate(struct sim_device *device, uint16_t from, uint16_t to);
void sim_session_thp_close_channel(struct sim_device *device, uint16_t channel);

/* Derive the current session's seed from the mnemonic and this passphrase. */
bool sim_session_derive(struct sim_device *device, const char *passphrase);

#endif

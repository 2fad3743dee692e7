/* The simulator's sessions. See sim_session.h. */
#include "config.h"

#include "sim_session.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "sim_device.h"

static void clear_slot(struct sim_session *slot)
{
	OPENSSL_cleanse(slot, sizeof(*slot));
}

void sim_sessions_clear(struct sim_sessions *sessions)
{
	int i;

	for (i = 0; i < SIM_SESSIONS; i++)
		clear_slot(&sessions->slots[i]);
	sessions->active = -1;
}

int sim_sessions_open(const struct sim_sessions *sessions)
{
	int i, open = 0;

	for (i = 0; i < SIM_SESSIONS; i++)
		if (sessions->slots[i].last_use != 0)
			open++;
	return open;
}

/* The slot holding this id, or -1. */
static int find(const struct sim_sessions *sessions, const uint8_t id[SIM_SESSION_ID_SIZE])
{
	int i;

	for (i = 0; i < SIM_SESSIONS; i++)
		if (sessions->slots[i].last_use != 0 &&
		    memcmp(sessions->slots[i].id, id, SIM_SESSION_ID_SIZE) == 0)
			return i;
	return -1;
}

/* A free slot, else the least recently used one. */
static int least_recent(const struct sim_sessions *sessions)
{
	int i, best = 0;

	for (i = 0; i < SIM_SESSIONS; i++) {
		if (sessions->slots[i].last_use == 0)
			return i;
		if (sessions->slots[i].last_use < sessions->slots[best].last_use)
			best = i;
	}
	return best;
}

/*
 * The id to look for, as each family reads it: a Trezor One has a 32-byte
 * buffer that a shorter id leaves zero-padded; a core model looks only for
 * ids of exactly 32 bytes. False: look for none.
 */
static bool wanted_id(const struct sim_device *device, const uint8_t *id, size_t length,
		      uint8_t wanted[SIM_SESSION_ID_SIZE])
{
	if (id == NULL || length > SIM_SESSION_ID_SIZE)
		return false;
	if (sim_device_is_core(device) && length != SIM_SESSION_ID_SIZE)
		return false;
	memset(wanted, 0, SIM_SESSION_ID_SIZE);
	if (length > 0)
		memcpy(wanted, id, length);
	return true;
}

const uint8_t *sim_session_start(struct sim_device *device, const uint8_t *id, size_t length)
{
	struct sim_sessions *sessions = &device->sessions;
	uint8_t wanted[SIM_SESSION_ID_SIZE];
	int slot = -1;

	if (wanted_id(device, id, length, wanted))
		slot = find(sessions, wanted);
	if (slot >= 0) {
		sessions->slots[slot].last_use = ++sessions->use_counter;
		sessions->active = slot;
		sim_device_log(device, "session resumed");
		return sessions->slots[slot].id;
	}
	slot = least_recent(sessions);
	clear_slot(&sessions->slots[slot]);
	RAND_bytes(sessions->slots[slot].id, SIM_SESSION_ID_SIZE);
	sessions->slots[slot].last_use = ++sessions->use_counter;
	sessions->active = slot;
	sessions->started++;
	sim_device_log(device, "session started (%d open)", sim_sessions_open(sessions));
	return sessions->slots[slot].id;
}

void sim_session_end(struct sim_device *device)
{
	struct sim_sessions *sessions = &device->sessions;

	if (sessions->active < 0)
		return;
	clear_slot(&sessions->slots[sessions->active]);
	sessions->active = -1;
	sim_device_log(device, "session ended");
}

struct sim_session *sim_session_current(struct sim_device *device)
{
	return device->sessions.active >= 0 ? &device->sessions.slots[device->sessions.active]
					    : NULL;
}

bool sim_session_derive(struct sim_device *device, const char *passphrase)
{
	struct sim_session *session = sim_session_current(device);

	if (session == NULL || !sim_bip39_seed(device->options.mnemonic, passphrase, session->seed))
		return false;
	session->seed_cached = true;
	device->sessions.derived++;
	sim_device_log(device, "seed derived");
	return true;
}

/* ---- THP's sessions ------------------------------------------------------------------- */

/* A THP session's slot id: "THP", the channel, the session byte; zeros after. */
static void thp_id(uint16_t channel, uint8_t id, uint8_t out[SIM_SESSION_ID_SIZE])
{
	memset(out, 0, SIM_SESSION_ID_SIZE);
	memcpy(out, "THP", 3);
	out[3] = (uint8_t)(channel >> 8);
	out[4] = (uint8_t)channel;
	out[5] = id;
}

void sim_session_thp_select(struct sim_device *device, uint16_t channel, uint8_t id)
{
	struct sim_sessions *sessions = &device->sessions;
	uint8_t wanted[SIM_SESSION_ID_SIZE];
	int slot;

	thp_id(channel, id, wanted);
	slot = find(sessions, wanted);
	sessions->active = slot;
	if (slot >= 0)
		sessions->slots[slot].last_use = ++sessions->use_counter;
}

void sim_session_thp_create(struct sim_device *device, uint16_t channel, uint8_t id)
{
	struct sim_sessions *sessions = &device->sessions;
	uint8_t wanted[SIM_SESSION_ID_SIZE];
	int slot;

	thp_id(channel, id, wanted);
	slot = find(sessions, wanted);
	if (slot < 0)
		slot = least_recent(sessions);
	clear_slot(&sessions->slots[slot]);
	memcpy(sessions->slots[slot].id, wanted, SIM_SESSION_ID_SIZE);
	sessions->slots[slot].last_use = ++sessions->use_counter;
	sessions->active = slot;
	sessions->started++;
	sim_device_log(device, "session started (%d open)", sim_sessions_open(sessions));
}

void sim_session_thp_migrate(struct sim_device *device, uint16_t from, uint16_t to)
{
	struct sim_sessions *sessions = &device->sessions;
	uint8_t old[SIM_SESSION_ID_SIZE];
	int i;

	thp_id(from, 0, old);
	for (i = 0; i < SIM_SESSIONS; i++) {
		struct sim_session *slot = &sessions->slots[i];

		if (slot->last_use != 0 && memcmp(slot->id, old, 5) == 0) {
			slot->id[3] = (uint8_t)(to >> 8);
			slot->id[4] = (uint8_t)to;
			sim_device_log(device, "session moved to channel %04x", to);
		}
	}
}

void sim_session_thp_close_channel(struct sim_device *device, uint16_t channel)
{
	struct sim_sessions *sessions = &device->sessions;
	uint8_t old[SIM_SESSION_ID_SIZE];
	int i;

	thp_id(channel, 0, old);
	for (i = 0; i < SIM_SESSIONS; i++) {
		if (sessions->slots[i].last_use != 0 &&
		    memcmp(sessions->slots[i].id, old, 5) == 0) {
			clear_slot(&sessions->slots[i]);
			if (sessions->active == i)
				sessions->active = -1;
		}
	}
}

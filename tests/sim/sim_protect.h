/*
 * What guards the simulated Trezor's keys: its PIN (a scrambled matrix on a
 * Trezor One, typed on the screen of a core model), the passphrase that
 * selects a wallet (kept for the session), and how often the person has
 * confirmed so far.
 */
#ifndef TREZOR_SIM_PROTECT_H
#define TREZOR_SIM_PROTECT_H

#include <stdbool.h>
#include <stdint.h>

#include "sim_keys.h"

#define SIM_PASSPHRASE_MAX 50
#define SIM_PIN_MAX 50                  /* digits, as current firmware allows */

struct sim_device;

struct sim_protection {
	bool unlocked;
	char matrix[9];                 /* the digit shown in each cell, top row first */
	unsigned random_state;          /* for the matrix scramble */
	bool has_passphrase;            /* the session's wallet is chosen */
	uint8_t seed[SIM_SEED_SIZE];    /* that wallet's seed */
	int confirmations;              /* button confirmations given so far */
};

void sim_protect_init(struct sim_device *device);

/* A new matrix for a PinMatrixRequest (logged with -v, for tests to read). */
void sim_protect_scramble(struct sim_device *device);

/* Do these positions (keypad 7 8 9 / 4 5 6 / 1 2 3) spell the PIN? */
bool sim_protect_pin_matches(const struct sim_device *device, const char *positions);

/* Choose the session's wallet; false if the passphrase is too long. */
bool sim_protect_set_passphrase(struct sim_device *device, const char *passphrase);
void sim_protect_forget_passphrase(struct sim_device *device);

/* Lock (LockDevice): the PIN is needed again, and the passphrase. */
void sim_protect_lock(struct sim_device *device);

/* The seed that keys come from now. */
const uint8_t *sim_protect_seed(const struct sim_device *device);

bool sim_protect_needs_pin(const struct sim_device *device);
bool sim_protect_needs_passphrase(const struct sim_device *device);

#endif

/*
 * What guards the simulated Trezor's keys: its PIN and whether the storage
 * is unlocked. A Trezor One asks for the PIN through a scrambled matrix
 * (legacy/firmware/pinmatrix.c, protect.c); a core model asks the person to
 * type it on its screen, at power-on before it opens its USB interface
 * (core/src/boot.py, main.py), and after a LockDevice when a request needs
 * it. The passphrase and the seed belong to the session (sim_session.h).
 */
#ifndef TREZOR_SIM_PROTECT_H
#define TREZOR_SIM_PROTECT_H

#include <stdbool.h>

#define SIM_PASSPHRASE_MAX 50           /* bytes, as the firmware allows */
#define SIM_PIN_MAX 50                  /* digits, as current firmware allows */
#define SIM_MATRIX_HIDDEN "XXXXXXXXX"

struct sim_device;

struct sim_protection {
	bool unlocked;
	/*
	 * A core model whose person typed a wrong PIN at power-on: it stays at
	 * its lock screen, asking again, and its USB interface is closed, so
	 * nothing it is sent is answered.
	 */
	bool at_lock_screen;
	/*
	 * The PIN matrix as the firmware keeps it (pinmatrix_get): the digit
	 * shown at each keypad position 1 to 9 (keypad 7 8 9 / 4 5 6 / 1 2 3),
	 * SIM_MATRIX_HIDDEN when no matrix is shown.
	 */
	char matrix[10];
	unsigned random_state;          /* for the scramble */
};

/*
 * Power-on: a Trezor One is locked if it has a PIN (without one it unlocks
 * itself); a core model with a PIN asks for it on its screen before
 * anything else, and the person types --device-pin (else --pin): the right
 * one unlocks it, a wrong one leaves it at its lock screen.
 */
void sim_protect_init(struct sim_device *device);

/* LockDevice: a Trezor One locks its storage even without a PIN; a core model only with one. */
void sim_protect_lock(struct sim_device *device);

/* A new matrix for a PinMatrixRequest (logged with -v, top row first, for tests to read). */
void sim_protect_scramble(struct sim_device *device);

enum sim_pin_check {
	SIM_PIN_RIGHT,
	SIM_PIN_WRONG,
	SIM_PIN_NOT_POSITIONS,          /* a character other than 1 to 9 */
};

/* Do these matrix positions spell the PIN? The matrix is hidden afterwards. */
enum sim_pin_check sim_protect_check_positions(struct sim_device *device, const char *positions);

/* Is this the PIN (typed on a core model's screen)? */
bool sim_protect_check_pin(const struct sim_device *device, const char *pin);

/* What the person types on a core model's PIN screen (--device-pin, else --pin). */
const char *sim_protect_typed_pin(const struct sim_device *device);

#endif

/* PIN, passphrase and session wallet of the simulator. See sim_protect.h. */
#include "config.h"

#include "sim_protect.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "sim_device.h"

/* Which keypad position each matrix cell is, top row first. */
static const char cell_position[9] = { '7', '8', '9', '4', '5', '6', '1', '2', '3' };

void sim_protect_init(struct sim_device *device)
{
	struct sim_protection *protect = &device->protect;

	memset(protect, 0, sizeof(*protect));
	protect->unlocked = device->options.pin == NULL;
	protect->random_state = device->options.matrix_seed_set ? device->options.matrix_seed
							       : (unsigned)time(NULL);
	memcpy(protect->matrix, "123456789", 9);
}

/* A small LCG: reproducible from --matrix-seed, which is all a test needs. */
static unsigned next_random(struct sim_protection *protect)
{
	protect->random_state = protect->random_state * 1103515245u + 12345u;
	return (protect->random_state >> 16) & 0x7fff;
}

void sim_protect_scramble(struct sim_device *device)
{
	struct sim_protection *protect = &device->protect;
	int i, j;
	char swap;

	memcpy(protect->matrix, "123456789", 9);
	for (i = 8; i > 0; i--) {
		j = (int)(next_random(protect) % (unsigned)(i + 1));
		swap = protect->matrix[i];
		protect->matrix[i] = protect->matrix[j];
		protect->matrix[j] = swap;
	}
	if (device->options.verbose > 0)
		fprintf(stderr, "trezor-sim: PIN matrix: %c %c %c / %c %c %c / %c %c %c\n",
			protect->matrix[0], protect->matrix[1], protect->matrix[2],
			protect->matrix[3], protect->matrix[4], protect->matrix[5],
			protect->matrix[6], protect->matrix[7], protect->matrix[8]);
}

bool sim_protect_pin_matches(const struct sim_device *device, const char *positions)
{
	const char *pin = device->options.pin;
	size_t length = strlen(positions), i;
	int cell;

	if (pin == NULL || length != strlen(pin) || length == 0 || length > SIM_PIN_MAX)
		return false;
	for (i = 0; i < length; i++) {
		for (cell = 0; cell < 9 && cell_position[cell] != positions[i]; cell++)
			;
		if (cell == 9 || device->protect.matrix[cell] != pin[i])
			return false;
	}
	return true;
}

bool sim_protect_set_passphrase(struct sim_device *device, const char *passphrase)
{
	if (strlen(passphrase) > SIM_PASSPHRASE_MAX)
		return false;
	if (!sim_bip39_seed(device->options.mnemonic, passphrase, device->protect.seed))
		return false;
	device->protect.has_passphrase = true;
	if (device->options.verbose > 0)
		fprintf(stderr, "trezor-sim: wallet chosen (%s passphrase)\n",
			passphrase[0] != '\0' ? "a" : "the empty");
	return true;
}

void sim_protect_forget_passphrase(struct sim_device *device)
{
	device->protect.has_passphrase = false;
	OPENSSL_cleanse(device->protect.seed, sizeof(device->protect.seed));
}

void sim_protect_lock(struct sim_device *device)
{
	device->protect.unlocked = device->options.pin == NULL;
	sim_protect_forget_passphrase(device);
}

const uint8_t *sim_protect_seed(const struct sim_device *device)
{
	return device->options.passphrase_protection ? device->protect.seed : device->seed;
}

bool sim_protect_needs_pin(const struct sim_device *device)
{
	return !device->protect.unlocked;
}

bool sim_protect_needs_passphrase(const struct sim_device *device)
{
	return device->options.passphrase_protection && !device->protect.has_passphrase;
}

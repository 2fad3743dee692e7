/* PIN and lock of the simulator. See sim_protect.h. */
#include "config.h"

#include "sim_protect.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sim_device.h"

/* The keypad position of each cell of the matrix as shown, top row first. */
static const char shown_position[9] = { '7', '8', '9', '4', '5', '6', '1', '2', '3' };

void sim_protect_init(struct sim_device *device)
{
	struct sim_protection *protect = &device->protect;

	protect->unlocked = device->options.pin == NULL;
	protect->at_lock_screen = false;
	if (!protect->unlocked && sim_device_is_core(device)) {
		protect->unlocked = sim_protect_check_pin(device, sim_protect_typed_pin(device));
		protect->at_lock_screen = !protect->unlocked;
		if (protect->at_lock_screen)
			sim_device_log(device, "a wrong PIN typed at power-on: the device waits at "
					       "its lock screen and answers nothing");
	}
	memcpy(protect->matrix, SIM_MATRIX_HIDDEN, sizeof(protect->matrix));
	if (protect->random_state == 0)
		protect->random_state = device->options.matrix_seed_set ?
						device->options.matrix_seed : (unsigned)time(NULL);
}

void sim_protect_lock(struct sim_device *device)
{
	if (!sim_device_is_core(device) || device->options.pin != NULL)
		device->protect.unlocked = false;
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
	char shown[9];
	int i, j;
	char swap;

	/* Shuffle the screen's cells, then file each digit under its position. */
	memcpy(shown, "123456789", 9);
	for (i = 8; i > 0; i--) {
		j = (int)(next_random(protect) % (unsigned)(i + 1));
		swap = shown[i];
		shown[i] = shown[j];
		shown[j] = swap;
	}
	for (i = 0; i < 9; i++)
		protect->matrix[shown_position[i] - '1'] = shown[i];
	protect->matrix[9] = '\0';
	sim_device_log(device, "PIN matrix: %c %c %c / %c %c %c / %c %c %c", shown[0], shown[1],
		       shown[2], shown[3], shown[4], shown[5], shown[6], shown[7], shown[8]);
}

enum sim_pin_check sim_protect_check_positions(struct sim_device *device, const char *positions)
{
	const char *pin = device->options.pin;
	char digits[SIM_PIN_MAX + 1];
	size_t length = strlen(positions), i;
	bool valid = length <= SIM_PIN_MAX;

	/* Like the firmware, every character is mapped; any but 1-9 spoils the entry. */
	for (i = 0; valid && i < length; i++) {
		valid = positions[i] >= '1' && positions[i] <= '9';
		if (valid)
			digits[i] = device->protect.matrix[positions[i] - '1'];
	}
	memcpy(device->protect.matrix, SIM_MATRIX_HIDDEN, sizeof(device->protect.matrix));
	if (!valid)
		return SIM_PIN_NOT_POSITIONS;
	digits[length] = '\0';
	return pin != NULL && strcmp(digits, pin) == 0 ? SIM_PIN_RIGHT : SIM_PIN_WRONG;
}

bool sim_protect_check_pin(const struct sim_device *device, const char *pin)
{
	return device->options.pin != NULL && pin != NULL && strcmp(pin, device->options.pin) == 0;
}

const char *sim_protect_typed_pin(const struct sim_device *device)
{
	return device->options.device_pin != NULL ? device->options.device_pin
						  : device->options.pin;
}

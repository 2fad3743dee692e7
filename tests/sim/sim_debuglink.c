/* The debug link's state. See sim_debuglink.h. */
#include "config.h"

#include "sim_debuglink.h"

#include <string.h>

#include "messages.h"
#include "sim_device.h"
#include "trezor.pb-c.h"

void sim_debuglink_send_state(struct sim_device *device)
{
	Tz__DebugLinkState state = TZ__DEBUG_LINK_STATE__INIT;
	const char *mnemonic = device->options.mnemonic;
	bool initialized = !device->options.uninitialized;

	state.has_mnemonic_secret = initialized;
	state.mnemonic_secret.data = (uint8_t *)mnemonic;
	state.mnemonic_secret.len = initialized ? strlen(mnemonic) : 0;
	state.has_passphrase_protection = true;
	state.passphrase_protection = device->options.passphrase_protection;
	if (sim_device_is_core(device)) {
		state.has_mnemonic_type = true;
		state.mnemonic_type = TZ__BACKUP_TYPE__BackupType_Bip39;
	} else {
		/* The Trezor One fills its reset and recovery fields, empty here. */
		state.pin = (char *)device->options.pin;
		state.matrix = device->protect.matrix;
		state.has_reset_entropy = true;
		state.reset_word = (char *)"";
		state.recovery_fake_word = (char *)"";
		state.has_recovery_word_pos = true;
	}
	sim_device_send_debug(device, MSG_DEBUG_LINK_STATE, &state.base);
}

/* Models and Features. See sim_features.h. */
#include "config.h"

#include "sim_features.h"

#include <string.h>

#include <openssl/evp.h>

#include "messages.h"
#include "sim_device.h"
#include "trezor.pb-c.h"

/* What the emulators report; a signed device says "SatoshiLabs". */
#define FIRMWARE_VENDOR "EMULATOR"

/* Capabilities, in the firmware's order. */
static const Tz__Capability one_capabilities[] = {
	TZ__CAPABILITY__Capability_Bitcoin, TZ__CAPABILITY__Capability_Bitcoin_like,
	TZ__CAPABILITY__Capability_Crypto, TZ__CAPABILITY__Capability_Ethereum,
	TZ__CAPABILITY__Capability_NEM, TZ__CAPABILITY__Capability_Stellar,
	TZ__CAPABILITY__Capability_U2F,
};

static const Tz__Capability core_capabilities[] = {
	TZ__CAPABILITY__Capability_Bitcoin, TZ__CAPABILITY__Capability_Bitcoin_like,
	TZ__CAPABILITY__Capability_Binance, TZ__CAPABILITY__Capability_Cardano,
	TZ__CAPABILITY__Capability_Crypto, TZ__CAPABILITY__Capability_Ethereum,
	TZ__CAPABILITY__Capability_Monero, TZ__CAPABILITY__Capability_Ripple,
	TZ__CAPABILITY__Capability_Stellar, TZ__CAPABILITY__Capability_Tezos,
	TZ__CAPABILITY__Capability_Tron, TZ__CAPABILITY__Capability_U2F,
	TZ__CAPABILITY__Capability_Shamir, TZ__CAPABILITY__Capability_ShamirGroups,
	TZ__CAPABILITY__Capability_PassphraseEntry, TZ__CAPABILITY__Capability_Solana,
	TZ__CAPABILITY__Capability_Translations,
};

/* Model T also has NEM and EOS; a backlight adds Brightness, a motor Haptic. */
static const Tz__Capability t_extra[] = {
	TZ__CAPABILITY__Capability_NEM, TZ__CAPABILITY__Capability_EOS,
	TZ__CAPABILITY__Capability_Brightness,
};
static const Tz__Capability safe5_extra[] = {
	TZ__CAPABILITY__Capability_Haptic, TZ__CAPABILITY__Capability_Brightness,
};

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

static const struct sim_model_info models[] = {
	[SIM_MODEL_ONE] = { "1", NULL, false, { 1, 14, 2 }, NULL, 0, 0, 0, 0, false },
	[SIM_MODEL_T] = { "T", "T2T1", true, { 2, 12, 5 }, t_extra, COUNT(t_extra), 240, 240,
			  TZ__HOMESCREEN_FORMAT__HomescreenFormat_Jpeg, false },
	[SIM_MODEL_SAFE_3] = { "Safe 3", "T2B1", true, { 2, 12, 5 }, NULL, 0, 128, 64,
			       TZ__HOMESCREEN_FORMAT__HomescreenFormat_ToiG, false },
	[SIM_MODEL_SAFE_5] = { "Safe 5", "T3T1", true, { 2, 12, 5 }, safe5_extra,
			       COUNT(safe5_extra), 240, 240,
			       TZ__HOMESCREEN_FORMAT__HomescreenFormat_Jpeg, true },
	[SIM_MODEL_SAFE_7] = { "Safe 7", "T3W1", true, { 2, 12, 5 }, NULL, 0, 380, 520,
			       TZ__HOMESCREEN_FORMAT__HomescreenFormat_Jpeg, true },
};

bool sim_model_from_name(const char *name, enum sim_model *model)
{
	size_t i;

	for (i = 0; i < COUNT(models); i++) {
		if (strcmp(name, models[i].name) == 0) {
			*model = (enum sim_model)i;
			return true;
		}
	}
	return false;
}

const struct sim_model_info *sim_model_info(const struct sim_device *device)
{
	return &models[device->options.model];
}

void sim_features_version(const struct sim_device *device, unsigned version[3])
{
	const unsigned *chosen = device->options.version;

	if (chosen[0] == 0 && chosen[1] == 0 && chosen[2] == 0)
		chosen = sim_model_info(device)->version;
	memcpy(version, chosen, 3 * sizeof(unsigned));
}

/* Stand-ins for a build's commit and its bootloader's hash: fixed, of the right size. */
static uint8_t revision[20];
static uint8_t bootloader_hash[32];

static void fill_stand_ins(void)
{
	uint8_t hash[32];

	EVP_Digest("trezor-sim revision", 19, hash, NULL, EVP_sha256(), NULL);
	memcpy(revision, hash, sizeof(revision));
	EVP_Digest("trezor-sim bootloader", 21, bootloader_hash, NULL, EVP_sha256(), NULL);
}

/* What both families fill. */
static void fill_common(const struct sim_device *device, Tz__Features *f)
{
	unsigned version[3];

	sim_features_version(device, version);
	f->vendor = (char *)"trezor.io";
	f->major_version = version[0];
	f->minor_version = version[1];
	f->patch_version = version[2];
	f->device_id = (char *)device->device_id;
	f->has_pin_protection = true;
	f->pin_protection = device->options.pin != NULL;
	f->language = (char *)"en-US";
	f->label = (char *)device->options.label;
	f->has_initialized = true;
	f->initialized = !device->options.uninitialized && !device->options.bootloader;
	f->has_revision = true;
	f->revision.data = revision;
	f->revision.len = sizeof(revision);
	f->has_unlocked = true;
	f->unlocked = device->protect.unlocked;
	f->model = (char *)sim_model_info(device)->name;
	f->fw_vendor = (char *)FIRMWARE_VENDOR;
	f->has_busy = true;
	f->busy = false;
	if (device->options.bootloader) {
		f->has_bootloader_mode = true;
		f->bootloader_mode = true;
	}
}

/* legacy fsm_msgGetFeatures: the backup and safety fields always, two more unlocked. */
static void fill_one(const struct sim_device *device, Tz__Features *f,
		     Tz__Capability *capabilities, size_t *count)
{
	f->has_passphrase_protection = true;
	f->passphrase_protection = device->options.passphrase_protection;
	f->has_bootloader_hash = true;
	f->bootloader_hash.data = bootloader_hash;
	f->bootloader_hash.len = sizeof(bootloader_hash);
	/* The seed was loaded (LoadDevice), as on the emulators tests use. */
	f->has_imported = f->initialized;
	f->imported = true;
	f->has_backup_availability = true;
	f->has_unfinished_backup = true;
	f->has_no_backup = true;
	f->has_safety_checks = true;
	if (device->protect.unlocked) {
		f->has_wipe_code_protection = true;
		f->has_auto_lock_delay_ms = true;
		f->auto_lock_delay_ms = (uint32_t)sim_device_auto_lock_delay(device);
	}
	memcpy(capabilities, one_capabilities, sizeof(one_capabilities));
	*count = COUNT(one_capabilities);
}

/* core get_features: its private fields only while unlocked. */
static void fill_core(const struct sim_device *device, Tz__Features *f,
		      Tz__Capability *capabilities, size_t *count)
{
	const struct sim_model_info *model = sim_model_info(device);

	f->internal_model = (char *)model->internal_model;
	f->has_build_version = true;
	f->has_language_version_matches = true;
	f->language_version_matches = true;
	f->has_homescreen_width = f->has_homescreen_height = true;
	f->homescreen_width = model->homescreen_width;
	f->homescreen_height = model->homescreen_height;
	f->has_homescreen_format = true;
	f->homescreen_format = model->homescreen_format;
	f->has_haptic_feedback = model->haptic;
	f->haptic_feedback = model->haptic;
	f->has_sd_card_present = true;
	memcpy(capabilities, core_capabilities, sizeof(core_capabilities));
	if (model->extra_count > 0)
		memcpy(capabilities + COUNT(core_capabilities), model->extra_capabilities,
		       model->extra_count * sizeof(capabilities[0]));
	*count = COUNT(core_capabilities) + model->extra_count;
	if (!device->protect.unlocked)
		return;
	f->has_passphrase_protection = true;
	f->passphrase_protection = device->options.passphrase_protection;
	f->has_backup_availability = f->has_unfinished_backup = f->has_no_backup = true;
	f->has_flags = f->has_recovery_status = f->has_backup_type = true;
	f->has_sd_protection = f->has_wipe_code_protection = true;
	f->has_passphrase_always_on_device = f->has_safety_checks = true;
	f->has_auto_lock_delay_ms = true;
	f->auto_lock_delay_ms = (uint32_t)sim_device_auto_lock_delay(device);
	f->has_display_rotation = f->has_experimental_features = true;
	f->has_hide_passphrase_from_host = true;
}

void sim_features_send(struct sim_device *device, bool with_session)
{
	Tz__Features features = TZ__FEATURES__INIT;
	Tz__Capability capabilities[32];
	size_t count = 0;
	struct sim_session *session = sim_session_current(device);

	fill_stand_ins();
	fill_common(device, &features);
	if (sim_device_is_core(device))
		fill_core(device, &features, capabilities, &count);
	else
		fill_one(device, &features, capabilities, &count);
	features.capabilities = capabilities;
	features.n_capabilities = count;
	if (with_session && session != NULL) {
		features.has_session_id = true;
		features.session_id.data = session->id;
		features.session_id.len = sizeof(session->id);
	}
	sim_device_send(device, MSG_FEATURES, &features.base);
}

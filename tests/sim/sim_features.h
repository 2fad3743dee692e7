/*
 * The models the simulator plays and their Features, filled as the firmware
 * fills them: the Trezor One's fsm_msgGetFeatures (legacy/firmware/
 * fsm_msg_common.h), the core models' get_features (core/src/apps/base.py),
 * which leaves out its private fields, passphrase_protection among them,
 * while the device is locked. Only the Features that answer Initialize
 * carry the session id.
 */
#ifndef TREZOR_SIM_FEATURES_H
#define TREZOR_SIM_FEATURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trezor.pb-c.h"

struct sim_device;

struct sim_model_info {
	const char *name;               /* Features.model */
	const char *internal_model;     /* NULL on a Trezor One */
	bool core;
	unsigned version[3];            /* the default firmware version */
	const Tz__Capability *extra_capabilities;       /* core: the model's own, after the rest */
	size_t extra_count;
	uint32_t homescreen_width, homescreen_height;
	Tz__HomescreenFormat homescreen_format;
	bool haptic;
};

const struct sim_model_info *sim_model_info(const struct sim_device *device);

/* The firmware version the device reports (--firmware-version or the model's). */
void sim_features_version(const struct sim_device *device, unsigned version[3]);

/* Send Features; with the current session's id when answering Initialize. */
void sim_features_send(struct sim_device *device, bool with_session);

#endif

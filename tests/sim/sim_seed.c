/* The seed step: session, passphrase, hidden wallet, PBKDF2. See sim_seed.h. */
#include "config.h"

#include "sim_seed.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "messages.h"
#include "sim_device.h"

/* Stages of the step (struct sim_operation.stage). */
enum {
	SEED_START,
	SEED_ASKED,                     /* the PassphraseRequest (or the typing) is out */
	SEED_SHOWN_FIRST,               /* the first hidden-wallet confirmation */
	SEED_SHOWN_SECOND,              /* the second */
	SEED_LENGTH,                    /* core: at most 50 bytes, checked once shown */
	SEED_DERIVE,
	SEED_WAKING_UP,                 /* derived; the device takes its time */
};

/* Take a passphrase for the seed (from the host, or typed on the device). */
static void take(struct sim_device *device, const char *passphrase, bool from_host)
{
	struct sim_operation *op = &device->operation;
	size_t length = strlen(passphrase);

	op->has_passphrase = true;
	op->passphrase_from_host = from_host;
	op->passphrase_too_long = length > SIM_PASSPHRASE_MAX;
	snprintf(op->passphrase, sizeof(op->passphrase), "%s",
		 op->passphrase_too_long ? "" : passphrase);
	sim_device_log(device, "wallet chosen (%s passphrase)", length > 0 ? "a" : "the empty");
	op->stage = SEED_SHOWN_FIRST;
	op->waiting = SIM_WAIT_NOTHING;
}

/* Does this passphrase bring the hidden wallet's confirmations? */
static bool shown(const struct sim_device *device)
{
	const struct sim_operation *op = &device->operation;
	bool non_empty = op->passphrase[0] != '\0' || op->passphrase_too_long;

	/* A core model shows only what came from the host, not what was typed on it. */
	return non_empty && (!sim_device_is_core(device) || op->passphrase_from_host);
}

static enum sim_result ask_passphrase(struct sim_device *device)
{
	Tz__PassphraseRequest request = TZ__PASSPHRASE_REQUEST__INIT;

	device->operation.stage = SEED_ASKED;
	device->operation.waiting = SIM_WAIT_PASSPHRASE;
	sim_device_send(device, MSG_PASSPHRASE_REQUEST, &request.base);
	return SIM_WAITS;
}

/*
 * THP's ThpCreateNewSession brings its passphrase (core/src/apps/common/
 * passphrase.py get_passphrase): typed on the device (on_device), else the
 * one given (the empty one by default), whatever the protection setting.
 */
static enum sim_result thp_passphrase(struct sim_device *device)
{
	const Tz__ThpCreateNewSession *request =
		(const Tz__ThpCreateNewSession *)device->operation.request;
	bool on_device = request->has_on_device && request->on_device;

	if (on_device && request->passphrase != NULL)
		return sim_flow_fail(device, TZ__FAILURE_TYPE__Failure_DataError,
				     "Passphrase provided when it shouldn't be!");
	if (device->options.uninitialized)
		return sim_flow_fail(device, TZ__FAILURE_TYPE__Failure_NotInitialized,
				     "Device is not initialized");
	device->operation.stage = SEED_ASKED;
	if (on_device)
		return sim_flow_ask(device, SIM_SCREEN_PASSPHRASE_ENTRY,
				    TZ__BUTTON_REQUEST_TYPE__ButtonRequest_PassphraseEntry,
				    "passphrase_device", 1);
	take(device, request->passphrase != NULL ? request->passphrase : "", true);
	return SIM_WAITS;
}

/* The session, and whether its seed is there already. */
static enum sim_result start(struct sim_device *device)
{
	struct sim_session *session = sim_session_current(device);
	bool core = sim_device_is_core(device);

	if (device->operation.kind == SIM_REQUEST_THP_SESSION)
		return thp_passphrase(device);
	if (session == NULL)
		return sim_flow_fail(device, TZ__FAILURE_TYPE__Failure_InvalidSession,
				     "Invalid session");
	if (device->options.uninitialized)
		return sim_flow_fail(device, TZ__FAILURE_TYPE__Failure_NotInitialized,
				     core ? "Device is not initialized" : NULL);
	if (session->seed_cached)
		return SIM_DONE;
	if (device->options.passphrase_protection)
		return ask_passphrase(device);
	device->operation.stage = SEED_DERIVE;          /* the empty passphrase */
	return SIM_WAITS;
}

static enum sim_result show(struct sim_device *device, const char *name)
{
	if (!shown(device)) {
		device->operation.stage = SEED_LENGTH;
		return SIM_WAITS;
	}
	/* A Trezor One: "Access hidden wallet?", then the passphrase on its screen. */
	return sim_flow_ask(device, sim_device_is_core(device) ? SIM_SCREEN_CONFIRM
							       : SIM_SCREEN_HIDDEN_WALLET,
			    TZ__BUTTON_REQUEST_TYPE__ButtonRequest_Other, name, 1);
}

static enum sim_result derive(struct sim_device *device)
{
	struct sim_operation *op = &device->operation;
	bool ok = sim_session_derive(device, op->passphrase);

	OPENSSL_cleanse(op->passphrase, sizeof(op->passphrase));
	if (!ok)
		return sim_flow_fail(device, TZ__FAILURE_TYPE__Failure_FirmwareError,
				     "Seed derivation failed");
	op->stage = SEED_WAKING_UP;
	if (device->options.seed_delay_ms == 0)
		return SIM_DONE;
	op->waiting = SIM_WAIT_WAKING_UP;
	op->due_ms = device->now_ms + device->options.seed_delay_ms;
	return SIM_WAITS;
}

/* One stage; SIM_WAITS with nothing to wait for means "go on with the next stage". */
static enum sim_result stage(struct sim_device *device)
{
	struct sim_operation *op = &device->operation;

	switch (op->stage) {
	case SEED_START: return start(device);
	case SEED_SHOWN_FIRST: return show(device, "passphrase_host1");
	case SEED_SHOWN_SECOND: return show(device, "passphrase_host2");
	case SEED_LENGTH:
		if (op->passphrase_too_long)
			return sim_flow_fail(device, TZ__FAILURE_TYPE__Failure_DataError,
					     "Maximum passphrase length is 50 bytes");
		op->stage = SEED_DERIVE;
		return SIM_WAITS;
	case SEED_DERIVE: return derive(device);
	default: return SIM_DONE;
	}
}

enum sim_result sim_seed_step(struct sim_device *device)
{
	enum sim_result result;

	do
		result = stage(device);
	while (result == SIM_WAITS && sim_flow_busy(device) &&
	       device->operation.waiting == SIM_WAIT_NOTHING);
	return result;
}

/* A Trezor One takes the passphrase only from the host. */
static void one_ack(struct sim_device *device, const Tz__PassphraseAck *ack)
{
	if (ack->has_on_device && ack->on_device)
		sim_flow_fail(device, TZ__FAILURE_TYPE__Failure_DataError,
			      "This firmware is incapable of passphrase entry on the device.");
	else if (ack->passphrase == NULL)
		sim_flow_fail(device, TZ__FAILURE_TYPE__Failure_DataError,
			      "No passphrase provided. Use empty string to set an empty "
			      "passphrase.");
	else
		take(device, ack->passphrase, true);
}

/* A core model also lets the person type it on its screen. */
static void core_ack(struct sim_device *device, const Tz__PassphraseAck *ack)
{
	bool on_device = ack->has_on_device && ack->on_device;

	if (on_device && ack->passphrase != NULL)
		sim_flow_fail(device, TZ__FAILURE_TYPE__Failure_DataError,
			      "Passphrase provided when it should not be");
	else if (on_device)
		sim_flow_ask(device, SIM_SCREEN_PASSPHRASE_ENTRY,
			     TZ__BUTTON_REQUEST_TYPE__ButtonRequest_PassphraseEntry,
			     "passphrase_device", 1);
	else if (ack->passphrase == NULL)
		sim_flow_fail(device, TZ__FAILURE_TYPE__Failure_DataError,
			      "Passphrase not provided and on_device is False. Use empty string "
			      "to set an empty passphrase.");
	else
		take(device, ack->passphrase, true);
}

void sim_seed_passphrase_ack(struct sim_device *device, const Tz__PassphraseAck *ack)
{
	if (sim_device_is_core(device))
		core_ack(device, ack);
	else
		one_ack(device, ack);
}

void sim_seed_typed(struct sim_device *device, const char *passphrase)
{
	take(device, passphrase, false);
}

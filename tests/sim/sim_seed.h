/*
 * The seed step of a request (legacy config.c config_getSeed, core
 * apps/common/seed.py get_seed and passphrase.py): without a session,
 * Failure InvalidSession; with a seed derived in this session, nothing to
 * do; else the passphrase (if protection is on) from the host or typed on a
 * core model, the hidden wallet's two confirmations for a non-empty one
 * (a Trezor One's "Access hidden wallet?" and the passphrase shown; a core
 * model's "passphrase_host1" and "passphrase_host2" for one from the host),
 * and the seed derived (PBKDF2, --seed-delay long).
 *
 * -v logs "trezor-sim: wallet chosen (a passphrase)" or "(the empty
 * passphrase)" when a passphrase is taken.
 */
#ifndef TREZOR_SIM_SEED_H
#define TREZOR_SIM_SEED_H

#include "sim_flow.h"
#include "trezor.pb-c.h"

struct sim_device;

/* SIM_STEP_SEED, from the stage the operation is at. */
enum sim_result sim_seed_step(struct sim_device *device);

/* The PassphraseAck for the PassphraseRequest out. */
void sim_seed_passphrase_ack(struct sim_device *device, const Tz__PassphraseAck *ack);

/* The passphrase the person typed on a core model's screen. */
void sim_seed_typed(struct sim_device *device, const char *passphrase);

#endif

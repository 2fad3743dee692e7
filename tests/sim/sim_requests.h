/*
 * Each request's steps, in each family's order, and the steps that are the
 * request's own: checks of its arguments, its confirmations, its answer.
 *
 * Trezor One (legacy/firmware/fsm_msg_*.h):
 *   SignIdentity       initialized, PIN, button (ProtectCall), seed, answer
 *   GetECDHSessionKey  the same
 *   GetPublicKey       PIN, initialized, coin, seed, answer, 2 pages (show_display)
 *   GetAddress         initialized, PIN, coin and path, seed, answer, address shown
 *   Ping               button (button_protection), answer
 * Core (core/src/apps; the PIN first for all but Ping, as the lock filter does):
 *   SignIdentity       PIN, seed, button "sign_identity", answer
 *   GetECDHSessionKey  PIN, seed, button "ecdh", answer
 *   GetPublicKey       PIN, coin, seed, answer, path warning and "show_xpub"
 *   GetAddress         PIN, coin, seed, path, answer, "show_address"
 *   Ping               button "ping" (button_protection), answer
 */
#ifndef TREZOR_SIM_REQUESTS_H
#define TREZOR_SIM_REQUESTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "sim_flow.h"
#include "sim_keys.h"

struct sim_device;

const enum sim_step *sim_request_plan(const struct sim_device *device, enum sim_request kind,
				      const ProtobufCMessage *request);

/* SIM_STEP_CHECK: the arguments, before the seed (coin, a Trezor One's path). */
enum sim_result sim_request_check(struct sim_device *device);

/* SIM_STEP_PATH: a core model's keychain checks the path once it has the seed. */
enum sim_result sim_request_path(struct sim_device *device);

/* SIM_STEP_CONFIRM: the request's own questions, one per stage. */
enum sim_result sim_request_confirm(struct sim_device *device);

/* SIM_STEP_COMPUTE: the answer into operation.answer, or a Failure. */
enum sim_result sim_request_compute(struct sim_device *device);

/* m / 44', 49', 84' or 86' / coin' / account': a path a core model names as an account. */
bool sim_request_account_path(const uint32_t *path, size_t depth);

/* A PublicKey of this node: xpub with this version, the master's fingerprint. */
bool sim_node_answer(const struct sim_node *node, uint32_t version, uint32_t root_fingerprint,
		     struct sim_outgoing *out);

#endif

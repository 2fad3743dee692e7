/*
 * SLIP-0013 identities: SignIdentity and GetECDHSessionKey, with the
 * curves (secp256k1, nist256p1, ed25519) and protos as each family signs
 * them (legacy fsm_msg_crypto.h and crypto.c, core apps/misc):
 *
 *   ssh      ECDSA over SHA-256(challenge_hidden); Ed25519 over it as it is
 *   gpg      ECDSA with challenge_hidden as the digest (exactly 32 bytes);
 *            Ed25519 over it as it is
 *   signify  Ed25519 only, over challenge_hidden as it is
 *   others   a Bitcoin message signature of SHA-256(challenge_hidden) ||
 *            SHA-256(challenge_visual), with its header byte
 *
 * A secp256k1 identity also gets its Bitcoin P2PKH address. Also the
 * curve and derivation helpers every key request uses.
 */
#ifndef TREZOR_SIM_IDENTITY_H
#define TREZOR_SIM_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_flow.h"
#include "sim_keys.h"
#include "trezor.pb-c.h"

struct sim_device;

/*
 * The curve a request names: absent means secp256k1, and so does the empty
 * name on a core model; the simulator knows secp256k1, nist256p1, ed25519.
 */
bool sim_identity_curve(const struct sim_device *device, const char *name, enum sim_curve *curve);

/* An unknown curve, as each family answers it. */
enum sim_result sim_identity_bad_curve(struct sim_device *device);

/* A path the curve cannot derive (ed25519, non-hardened), as each family answers it. */
enum sim_result sim_identity_bad_path(struct sim_device *device);

/* A node from the current session's seed. */
bool sim_identity_derive(struct sim_device *device, enum sim_curve curve, const uint32_t *path,
			 size_t depth, struct sim_node *node);

/* SignIdentity's answer into operation.answer, or its Failure. */
enum sim_result sim_identity_sign(struct sim_device *device, const Tz__SignIdentity *request);

/* GetECDHSessionKey's answer into operation.answer, or its Failure. */
enum sim_result sim_identity_ecdh(struct sim_device *device, const Tz__GetECDHSessionKey *request);

#endif

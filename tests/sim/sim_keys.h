/*
 * The simulator's key tree: BIP-39 seeds, SLIP-0010 derivation for nist256p1
 * and secp256k1, SLIP-0013 identity paths. Written independently of the
 * module (which never derives keys) so the two cross-check each other
 * against the firmware vectors.
 */
#ifndef TREZOR_SIM_KEYS_H
#define TREZOR_SIM_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_SEED_SIZE 64
#define SIM_XPUB_MAX 120

enum sim_curve {
	SIM_CURVE_NIST256P1,
	SIM_CURVE_SECP256K1,
};

struct sim_node {
	uint32_t depth;
	uint32_t fingerprint;           /* of the parent; 0 for the master */
	uint32_t child_num;
	uint8_t chain_code[32];
	uint8_t private_key[32];
	uint8_t public_key[33];         /* compressed */
};

/* "nist256p1" / "secp256k1" -> curve; false for anything else. */
bool sim_curve_from_name(const char *name, enum sim_curve *curve);

/* PBKDF2-HMAC-SHA512(mnemonic, "mnemonic" + passphrase, 2048) */
bool sim_bip39_seed(const char *mnemonic, const char *passphrase, uint8_t seed[SIM_SEED_SIZE]);

bool sim_slip10_master(enum sim_curve curve, const uint8_t *seed, size_t seed_len,
		       struct sim_node *master);

/* Child `index` (hardened when index >= 0x80000000), with SLIP-0010's retries. */
bool sim_slip10_child(enum sim_curve curve, const struct sim_node *parent, uint32_t index,
		      struct sim_node *child);

bool sim_slip10_derive(enum sim_curve curve, const uint8_t *seed, size_t seed_len,
		       const uint32_t *path, size_t depth, struct sim_node *node);

/* The node's xpub (version 0488B21E, Base58Check), as a device reports it. */
bool sim_node_xpub(const struct sim_node *node, char *out, size_t size);

/*
 * SLIP-0013: URI from the non-empty parts, SHA-256(le32(index) || URI),
 * path m/13'/A'/B'/C'/D'. NULL parts count as empty.
 */
void sim_slip13_path(const char *proto, const char *user, const char *host,
		     const char *port, const char *path, uint32_t index, uint32_t out[5]);

#endif

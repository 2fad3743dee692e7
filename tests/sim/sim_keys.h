/*
 * The simulator's key tree: BIP-39 seeds, SLIP-0010 derivation for nist256p1,
 * secp256k1 and ed25519, SLIP-0013 identity paths. Written independently of
 * the module (which never derives keys) so the two cross-check each other
 * against the firmware vectors.
 *
 * An ed25519 node's public key is 00 || the 32-byte key, as SLIP-0010 and the
 * firmware write it, so that every curve's key takes 33 bytes.
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
	SIM_CURVE_ED25519,              /* hardened derivation only */
};

struct sim_node {
	uint32_t depth;
	uint32_t fingerprint;           /* of the parent; 0 for the master */
	uint32_t child_num;
	uint8_t chain_code[32];
	uint8_t private_key[32];
	uint8_t public_key[33];         /* compressed; 00 || key for ed25519 */
};

/* "nist256p1" / "secp256k1" / "ed25519" -> curve; false for anything else. */
bool sim_curve_from_name(const char *name, enum sim_curve *curve);

/* PBKDF2-HMAC-SHA512(mnemonic, "mnemonic" + passphrase, 2048) */
bool sim_bip39_seed(const char *mnemonic, const char *passphrase, uint8_t seed[SIM_SEED_SIZE]);

bool sim_slip10_master(enum sim_curve curve, const uint8_t *seed, size_t seed_len,
		       struct sim_node *master);

/*
 * Child `index` (hardened when index >= 0x80000000), with SLIP-0010's
 * retries. False for a non-hardened child of an ed25519 node, which
 * SLIP-0010 does not define.
 */
bool sim_slip10_child(enum sim_curve curve, const struct sim_node *parent, uint32_t index,
		      struct sim_node *child);

bool sim_slip10_derive(enum sim_curve curve, const uint8_t *seed, size_t seed_len,
		       const uint32_t *path, size_t depth, struct sim_node *node);

/* The compressed public key of a private key (00 || key for ed25519). */
bool sim_public_key(enum sim_curve curve, const uint8_t private_key[32],
		    uint8_t public_key[33]);

/* First 4 bytes of HASH160 of a 33-byte public key, big-endian (BIP-32). */
uint32_t sim_key_fingerprint(const uint8_t public_key[33]);

/* The node's extended public key with this version (0488B21E: xpub), Base58Check. */
bool sim_node_xpub(const struct sim_node *node, uint32_t version, char *out, size_t size);

/*
 * SLIP-0013: URI from the non-empty parts, SHA-256(le32(index) || URI),
 * path m/13'/A'/B'/C'/D'. NULL parts count as empty.
 */
void sim_slip13_path(const char *proto, const char *user, const char *host,
		     const char *port, const char *path, uint32_t index, uint32_t out[5]);

#endif

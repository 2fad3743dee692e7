/*
 * Bitcoin's encodings as the firmware uses them outside transactions:
 * Base58Check, HASH160, P2PKH addresses (GetAddress, and the address a
 * secp256k1 SignIdentity returns), the signed-message digest (SignIdentity
 * for protos other than ssh, gpg and signify), the two coins the simulator
 * knows and the firmware's check of a path against a coin.
 */
#ifndef TREZOR_SIM_BITCOIN_H
#define TREZOR_SIM_BITCOIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_ADDRESS_MAX 64              /* a P2PKH address is at most 34 characters */

struct sim_coin {
	const char *name;               /* GetAddress.coin_name */
	uint32_t slip44;                /* hardened, as in a path */
	uint8_t address_type;           /* P2PKH version byte */
	uint32_t xpub_magic;            /* xpub / tpub */
	uint32_t xpub_magic_p2sh_segwit;        /* ypub / upub */
	uint32_t xpub_magic_segwit;     /* zpub / vpub */
};

/*
 * "Bitcoin" or "Testnet" (NULL: "Bitcoin", as the firmware's default);
 * NULL for any other coin, which the simulator does not know.
 */
const struct sim_coin *sim_coin_by_name(const char *name);

/* RIPEMD-160(SHA-256(data)). */
void sim_hash160(const uint8_t *data, size_t length, uint8_t out[20]);

/* Base58 of data || the first 4 bytes of SHA-256d(data). False if out is too small. */
bool sim_base58check(const uint8_t *data, size_t length, char *out, size_t size);

/* version || HASH160(compressed public key), Base58Check. */
bool sim_p2pkh_address(uint8_t version, const uint8_t public_key[33], char *out, size_t size);

/*
 * SHA-256d("\x18Bitcoin Signed Message:\n" || varint(length) || message), the
 * digest the firmware signs for a Bitcoin message. length < 0xfd.
 */
void sim_message_digest(const uint8_t *message, size_t length, uint8_t digest[32]);

/*
 * The firmware's check of a path against a coin and script type (the
 * Trezor One's coin_path_check, for the BIP-44, 49, 84 and 86 patterns the
 * simulator knows; every other pattern counts as unknown). `full` also
 * requires the script type to be the pattern's own, which decides whether a
 * path warning is shown; without it only the pattern and coin count, which
 * decides whether the path is forbidden.
 */
bool sim_coin_path_matches(const struct sim_coin *coin, uint32_t script_type,
			   const uint32_t *path, size_t depth, bool full);

#endif

/*
 * Public keys on disk, so that listing keys needs no device round trip and
 * so never unlocks a device just to show what it holds.
 *
 * ${XDG_CACHE_HOME:-$HOME/.cache}/trezor-pkcs11/, a directory of mode 0700,
 * holds per device and wallet a file DEVICEID[-WALLET].keys of mode 0600:
 *
 *     trezor-pkcs11 keys 1
 *     device DEVICEID
 *     CKA_ID-in-hex 04X||Y-in-hex
 *     ...
 *
 * written whole to a temporary file and renamed over the old one
 * (cache_files.h). A file that does not read exactly so is ignored, with one
 * line on stderr, and replaced at the next write. The session ids live
 * beside it (session_file.h).
 *
 * TREZOR_PKCS11_CACHE=off turns the key cache off; the session ids are kept
 * all the same (they are no copy of anything the device holds).
 */
#ifndef TREZOR_PKCS11_CACHE_H
#define TREZOR_PKCS11_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cache_files.h"
#include "ec.h"
#include "identities_file.h"

#define CACHE_WALLET_MAX 24

struct cache_entry {
	uint8_t id[IDENTITIES_ID_SIZE];
	uint8_t point[EC_UNCOMPRESSED_SIZE];
};

struct cache_entries {
	struct cache_entry *items;
	size_t length;
};

bool cache_enabled(void);

/*
 * The wallet part of a file name: "" without passphrase protection; for a
 * passphrase the host knows, "p" and 16 hex digits of a slow, salted hash
 * of it (scrypt: the name reveals the passphrase no faster than a few
 * guesses a second); "any" when the host does not know it (then a signature
 * tells a wrong guess: see README).
 */
void cache_wallet_marker(const char *device_id, bool passphrase_protection,
			 const char *passphrase, char marker[CACHE_WALLET_MAX]);

/* The keys kept for a device and wallet (none when there is no usable file). */
void cache_load(const char *device_id, const char *wallet, struct cache_entries *out);

/* Whether an entry's point is on P-256 (the file is not trusted that far). */
bool cache_entry_usable(const struct cache_entry *entry);

/* Keep these keys, together with those already in the file for other ids. */
bool cache_save(const char *device_id, const char *wallet, const struct cache_entries *keys);

void cache_free_entries(struct cache_entries *entries);

#endif

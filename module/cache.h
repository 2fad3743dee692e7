/*
 * Public keys on disk, so that listing keys needs no device round trip and
 * so never unlocks a device just to show what it holds.
 *
 * ${XDG_CACHE_HOME:-$HOME/.cache}/trezor-pkcs11/, a directory of mode 0700,
 * holds per device and wallet a file DEVICEID[-WALLET].keys of mode 0600:
 *
 *     trezor-pkcs11 keys 1
 *     device DEVICEID
 *     CKA_ID-in-hex 04X||Y-in-hex         a P-256 key (65 bytes)
 *     CKA_ID-in-hex KEY-in-hex            an Ed25519 key (32 bytes)
 *     ...
 *
 * The length of the key tells its kind, so a file written before Ed25519
 * keys existed reads as it always did. (A module that old ignores a file
 * with an Ed25519 line, says so, and writes it anew without those keys;
 * this one then asks the device for them again.)
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
#include "curve.h"
#include "ec.h"
#include "identities_file.h"

#define CACHE_WALLET_MAX 24

struct cache_entry {
	uint8_t id[IDENTITIES_ID_SIZE];
	enum key_curve curve;
	uint8_t point[KEY_POINT_MAX];   /* curve_key_size(curve) bytes of it */
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

/*
 * Whether an entry holds a key of this curve that can be used: a point on
 * P-256, or an Ed25519 key of large order (the file is not trusted that far).
 */
bool cache_entry_usable(const struct cache_entry *entry, enum key_curve curve);

/* Keep these keys, together with those already in the file for other ids. */
bool cache_save(const char *device_id, const char *wallet, const struct cache_entries *keys);

void cache_free_entries(struct cache_entries *entries);

#endif

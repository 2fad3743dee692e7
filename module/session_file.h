/*
 * The session ids this user's programs share, per device and wallet, so that
 * a second program resumes the first one's session on the device: no second
 * seed derivation ("Waking up" on the device), no second passphrase.
 *
 * DEVICEID.session beside the key cache (cache_files.h), mode 0600:
 *
 *     trezor-pkcs11 sessions 1
 *     passphrase-protection yes|no|unknown
 *     WALLET SESSION-ID-IN-HEX
 *     ...
 *
 * WALLET is the wallet marker (cache.h), "standard" for a device without
 * passphrase protection. The most recently used wallet comes first, and at
 * most SESSION_FILE_WALLETS are kept: a device keeps 10 sessions, the least
 * recently used goes first, so older ids would be gone there anyway.
 *
 * The passphrase-protection line is the device's setting as last seen: a
 * locked Model T, Safe 3 or Safe 5 leaves it out of its Features, and the
 * wallet (so the session and the key cache) still has to be chosen then.
 *
 * A file that does not read exactly so is treated as absent and replaced at
 * the next write; the worst a lost or stale id costs is a new session.
 */
#ifndef TREZOR_PKCS11_SESSION_FILE_H
#define TREZOR_PKCS11_SESSION_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cache.h"

#define SESSION_FILE_ID_MAX 64
#define SESSION_FILE_WALLETS 10

enum session_file_protection {
	SESSION_FILE_PROTECTION_UNKNOWN,
	SESSION_FILE_PROTECTION_OFF,
	SESSION_FILE_PROTECTION_ON,
};

/* The id kept for this device and wallet; false when there is none. */
bool session_file_find(const char *device_id, const char *wallet,
		       uint8_t id[SESSION_FILE_ID_MAX], size_t *length);

/* Keep id (1 to SESSION_FILE_ID_MAX bytes) as the session of this wallet. */
void session_file_keep(const char *device_id, const char *wallet, const uint8_t *id,
		       size_t length);

/* The device's passphrase protection as last noted. */
enum session_file_protection session_file_protection(const char *device_id);

/* Note the device's passphrase protection, as its Features say it now. */
void session_file_note_protection(const char *device_id, bool on);

#endif

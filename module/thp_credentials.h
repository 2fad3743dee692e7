/*
 * This user's THP pairing, kept between programs so that every later
 * program (each ssh -I is one) connects without pairing again:
 *
 *   ${XDG_DATA_HOME:-$HOME/.local/share}/trezor-pkcs11/     directory, 0700
 *     thp-host-key       the user's static X25519 private key, made once
 *                        (0600): "trezor-pkcs11 thp host key 1", the key in hex
 *     thp-credentials    what each paired device issued (0600):
 *         trezor-pkcs11 thp credentials 1
 *         DEVICE-STATIC-KEY HOST-PUBLIC-KEY autoconnect|confirm DEVICE-ID|- CREDENTIAL
 *
 * (keys and credential in hex; the device id is learnt from Features after
 * the first connection). A credential is bound to the host key it was issued
 * for, so each line names that key and only the lines of the current one
 * count. The host key file is created with link(2), so two programs that
 * start at once agree on one key; credential lines are read, changed and
 * written back whole (cache_files.h), as other devices' lines must stay.
 *
 * Files are read only when they are the user's own and nobody else may
 * write them, never through a symlink. A file that does not read exactly
 * so is ignored (with one line) and replaced at the next write. Nothing
 * here is a secret a device could not give again, except the host key:
 * with it and a credential another program could pass as this computer.
 */
#ifndef TREZOR_PKCS11_THP_CREDENTIALS_H
#define TREZOR_PKCS11_THP_CREDENTIALS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "thp_handshake.h"

#define THP_STORED_MAX 16
#define THP_DEVICE_ID_MAX 64

struct thp_stored {
	struct thp_candidate device;    /* its static key and credential */
	bool autoconnect;               /* the device connects without asking */
	char device_id[THP_DEVICE_ID_MAX + 1];  /* "" until known */
};

struct thp_credentials {
	uint8_t host_private[THP_KEY_SIZE];
	uint8_t host_public[THP_KEY_SIZE];
	struct thp_stored stored[THP_STORED_MAX];
	size_t count;
};

/* ${XDG_DATA_HOME:-$HOME/.local/share}/trezor-pkcs11/NAME; false without a home. */
bool thp_credentials_path(const char *name, char *path, size_t size);

/*
 * The host key (made and kept now if there is none) and the credentials
 * issued for it. False, with one line in error, when there is no key and
 * none can be kept (no home, a directory that is not ours).
 */
bool thp_credentials_load(struct thp_credentials *out, char *error, size_t error_size);

/* The credentials only, for showing (no key is made). */
void thp_credentials_read(struct thp_credentials *out);

/*
 * Keep what a device issued (replacing what it issued before), or note its
 * device id (dropping what another static key of that id holds: the device
 * before a wipe); read, changed and written back at once. False when the
 * file cannot be written.
 */
bool thp_credentials_keep(const struct thp_credentials *current, const struct thp_stored *entry);
bool thp_credentials_note_device_id(const struct thp_credentials *current,
				    const uint8_t trezor_static[THP_KEY_SIZE],
				    const char *device_id);

/* Drop a device's credential (by its static key). */
bool thp_credentials_drop(const struct thp_credentials *current,
			  const uint8_t trezor_static[THP_KEY_SIZE]);

/* Drop those of this device id (NULL: all); how many, -1 if the file cannot be written. */
int thp_credentials_forget(const char *device_id);

/* The entry for this device id, or NULL. */
const struct thp_stored *thp_credentials_find(const struct thp_credentials *credentials,
					      const char *device_id);

void thp_credentials_wipe(struct thp_credentials *credentials);

#endif

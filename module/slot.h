/*
 * Slots and tokens: one slot per Trezor, found through TREZOR_PATH (a
 * comma-separated list of device paths) or, when it is unset, the emulator
 * port if something answers there; one empty slot when there is none.
 *
 * Slot ids and token serial numbers come from the device id, so they stay
 * the same from one process to the next. A slot lives until C_Finalize.
 *
 * Locking: the slot list is guarded by the module's global lock. A device
 * is spoken to only with its slot's device lock held, and never with the
 * global lock held, so one thread waiting for a button press does not stop
 * the others; a second conversation with the same device waits its turn.
 */
#ifndef TREZOR_PKCS11_SLOT_H
#define TREZOR_PKCS11_SLOT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "identities_file.h"
#include "lock.h"
#include "pkcs11_types.h"
#include "trezor.h"

#define SLOT_EMPTY_ID 0
#define SLOT_PIN_MAX 50

struct slot_key {
	bool known;
	uint8_t point[EC_UNCOMPRESSED_SIZE];
};

struct slot {
	CK_SLOT_ID id;
	char path[TRANSPORT_PATH_MAX];
	struct trezor_features features;
	struct trezor_device *device;   /* NULL for the empty slot or once removed */
	atomic_bool removed;            /* the device went away */
	struct lock *device_lock;       /* held while talking to the device */
	struct slot_key *keys;          /* one per identity, filled as fetched */
	size_t keys_length;
	bool logged_in;                 /* C_Login was called */
	char pin[SLOT_PIN_MAX + 1];     /* the PIN given to C_Login, kept for the device */
};

/* Find the devices (first call only). Never fails for want of a device. */
CK_RV slots_discover(const atomic_bool *cancel);

/* The slots to list: with tokens only, or all (the empty one when no device). */
size_t slots_list(bool with_token_only, struct slot **out, size_t room);

struct slot *slot_by_id(CK_SLOT_ID id);
bool slot_has_token(const struct slot *slot);

/* Copy text into a fixed PKCS#11 field padded with spaces, not cutting UTF-8. */
void pad_utf8_field(CK_UTF8CHAR *field, size_t size, const char *text);

void slot_get_info(const struct slot *slot, CK_SLOT_INFO *info);
void slot_get_token_info(const struct slot *slot, CK_ULONG sessions, CK_ULONG rw_sessions,
			 CK_TOKEN_INFO *info);

/* Room for one key per identity; call under the global lock. */
CK_RV slot_prepare_keys(struct slot *slot, size_t identities);

/*
 * Device conversations: call WITHOUT the global lock (they take the device
 * lock). Failures are reported on stderr in one line.
 */
CK_RV slot_fetch_key(struct slot *slot, const struct key_identity *key,
		     uint8_t point[EC_UNCOMPRESSED_SIZE]);
CK_RV slot_sign(struct slot *slot, const struct key_identity *key,
		const uint8_t point[EC_UNCOMPRESSED_SIZE], const uint8_t digest[EC_DIGEST_SIZE],
		const char *visual, uint8_t signature[EC_SIGNATURE_SIZE]);

/* Close every device and free the slots (C_Finalize). */
void slots_free(void);

/* After fork(): drop the parent's slots without talking to any device. */
void slots_forget(void);

#endif

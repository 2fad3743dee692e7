/*
 * Slots and tokens: one slot per Trezor (discovery.c finds them), one empty
 * slot when there is none.
 *
 * Slot ids and token serial numbers come from the device id, so they stay
 * the same from one process to the next, and a device plugged in again finds
 * its slot (and the sessions open on it) again. A slot lives until
 * C_Finalize.
 *
 * Locking: the slot list is guarded by the module's global lock. A device
 * is spoken to (conversation.h) only with its slot's device lock held, and
 * never with the global lock held, so one thread waiting for a button press
 * does not stop the others; a second conversation with the same device
 * waits its turn.
 */
#ifndef TREZOR_PKCS11_SLOT_H
#define TREZOR_PKCS11_SLOT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "cache.h"
#include "lock.h"
#include "pkcs11_types.h"
#include "trezor.h"

#define SLOT_EMPTY_ID 0
#define SLOT_PIN_MAX 50

struct slot_key {
	bool known;
	uint8_t point[KEY_POINT_MAX];  /* as its identity's curve says (curve.h) */
};

struct slot {
	CK_SLOT_ID id;
	bool empty;                     /* the placeholder when no device is attached */
	char path[TRANSPORT_PATH_MAX];  /* where the device is now */
	struct trezor_features features;
	atomic_bool removed;            /* the device went away */
	bool announced;                 /* token presence C_WaitForSlotEvent last told */
	/* Threads in a conversation with the device, or about to be (counted
	 * under the global lock, api.h): while there are any, discovery does
	 * not touch the device. */
	int conversations;
	struct lock *device_lock;       /* held while talking to the device */
	/* Used only under device_lock. */
	struct trezor_device *device;
	/* The same device plugged in again, taken in by the next conversation. */
	_Atomic(struct trezor_device *) replacement;
	struct slot_key *keys;          /* one per identity, filled as fetched */
	size_t keys_length;
	/* The wallet this program uses: its key cache file (cache.h) and its
	 * session (session_file.h). Chosen once, by token.c, before any
	 * conversation. */
	char wallet[CACHE_WALLET_MAX];
	bool cache_loaded;
	bool cache_dirty;               /* keys not yet written to the cache */
	int64_t cache_written_ms;
	/* Used only under device_lock: this program's session is started on the
	 * device (conversation.c). */
	bool session_started;
	bool logged_in;                 /* C_Login was called */
	char pin[SLOT_PIN_MAX + 1];     /* the PIN given to C_Login, kept for the device */
};

/* The table, for discovery.c: add a device (taking it), take a re-plugged
 * one in, note one gone, look slots up. */
bool slot_add(struct trezor_device *device, const char *path, bool announced);
void slot_attach(struct slot *slot, struct trezor_device *device, const char *path);
void slot_mark_removed(struct slot *slot);
size_t slots_count(void);
struct slot *slot_at(size_t index);
struct slot *slot_find_device(const char *device_id);
struct slot *slot_find_path(const char *path);   /* with a token */

/* The first slot whose token came or went since last asked (C_WaitForSlotEvent). */
struct slot *slots_take_event(void);

/* The slots to list: with tokens only, or all (the empty one when no device). */
size_t slots_list(bool with_token_only, struct slot **out, size_t room);

struct slot *slot_by_id(CK_SLOT_ID id);
bool slot_has_token(const struct slot *slot);

/*
 * Copy text into a fixed PKCS#11 field padded with spaces, as well-formed
 * UTF-8 without control characters ('?' for what is not), never cutting a
 * character in half.
 */
void pad_utf8_field(CK_UTF8CHAR *field, size_t size, const char *text);

void slot_get_info(const struct slot *slot, CK_SLOT_INFO *info);
void slot_get_token_info(const struct slot *slot, CK_ULONG sessions, CK_ULONG rw_sessions,
			 CK_TOKEN_INFO *info);

/* Room for one key per identity; call under the global lock. */
CK_RV slot_prepare_keys(struct slot *slot, size_t identities);

/* Close every device and free the slots (C_Finalize). */
void slots_free(void);

/* After fork(): drop the parent's slots without talking to any device. */
void slots_forget(void);

#endif

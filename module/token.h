/*
 * What every token holds: the identities of the identities file (read once,
 * when first needed, then unchanged until C_Finalize) and, per slot, the
 * public keys its device reported for them, kept on disk between processes
 * (cache.h) so that listing needs no device. Called under the global lock.
 */
#ifndef TREZOR_PKCS11_TOKEN_H
#define TREZOR_PKCS11_TOKEN_H

#include <stdbool.h>
#include <stddef.h>

#include "object.h"
#include "slot.h"

/*
 * For the trezor-pkcs11 command: these identities instead of the identities
 * file, from the next C_Initialize on (copied). Not for the module's callers.
 */
void token_choose_identities(const struct key_identity *items, size_t length);

/*
 * Read the identities file if not yet done, give the slot room for keys, and
 * take what the key cache knows for it.
 */
CK_RV token_prepare(struct slot *slot);

size_t token_identities(void);

/* Stable until C_Finalize: may be read without the global lock. */
const struct key_identity *token_identity(size_t index);

/* Which of identities [first, first + length) the slot has no key for yet. */
size_t token_unknown_keys(const struct slot *slot, size_t first, size_t length,
			  size_t *indexes);

void token_store_key(struct slot *slot, size_t index, const uint8_t point[KEY_POINT_MAX]);

/*
 * Write the slot's keys to the cache: now, or when it is due (every key
 * known, or a second since the last write), so that listing a thousand
 * identities writes once rather than a thousand times.
 */
void token_save_keys(struct slot *slot, bool now);

/* Write every slot's unsaved keys (C_Finalize). */
void token_save_all(void);

/* The object of identity `index` on this slot, for object.c. */
void token_object(const struct slot *slot, size_t index, bool is_private,
		  struct object_view *view);

void token_free(void);

#endif

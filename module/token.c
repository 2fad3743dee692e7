/* The identities and their keys, per token. See token.h. */
#include "config.h"

#include "token.h"

#include <string.h>

static struct identity_list identities;
static bool loaded;

CK_RV token_prepare(struct slot *slot)
{
	if (!loaded) {
		identities_load(&identities);
		loaded = true;
	}
	return slot_prepare_keys(slot, identities.length);
}

size_t token_identities(void)
{
	return identities.length;
}

const struct key_identity *token_identity(size_t index)
{
	return &identities.items[index];
}

size_t token_unknown_keys(const struct slot *slot, size_t first, size_t length,
			  size_t *indexes)
{
	size_t i, unknown = 0;

	for (i = first; i < first + length && i < slot->keys_length; i++)
		if (!slot->keys[i].known)
			indexes[unknown++] = i;
	return unknown;
}

void token_store_key(struct slot *slot, size_t index, const uint8_t point[EC_UNCOMPRESSED_SIZE])
{
	if (index >= slot->keys_length)
		return;
	memcpy(slot->keys[index].point, point, EC_UNCOMPRESSED_SIZE);
	slot->keys[index].known = true;
}

void token_object(const struct slot *slot, size_t index, bool is_private,
		  struct object_view *view)
{
	view->key_identity = &identities.items[index];
	view->is_private = is_private;
	view->point = index < slot->keys_length && slot->keys[index].known ?
			      slot->keys[index].point : NULL;
}

void token_free(void)
{
	identities_free(&identities);
	loaded = false;
}

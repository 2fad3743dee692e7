/* The identities and their keys, per token. See token.h. */
#include "config.h"

#include "token.h"

#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "session_file.h"

#define SAVE_INTERVAL_MS 1000

static struct identity_list identities;
static struct identity_list chosen;     /* the command's own, instead of the file */
static bool identities_chosen;
static size_t *by_id;                   /* identity indexes sorted by CKA_ID */
static bool loaded;

static int compare_identity_ids(const void *a, const void *b)
{
	return memcmp(identities.items[*(const size_t *)a].id,
		      identities.items[*(const size_t *)b].id, IDENTITIES_ID_SIZE);
}

static void index_identities(void)
{
	size_t i;

	by_id = malloc((identities.length > 0 ? identities.length : 1) * sizeof(*by_id));
	if (by_id == NULL)
		return;
	for (i = 0; i < identities.length; i++)
		by_id[i] = i;
	qsort(by_id, identities.length, sizeof(*by_id), compare_identity_ids);
}

/* The identity with this CKA_ID, or -1. */
static long find_identity(const uint8_t id[IDENTITIES_ID_SIZE])
{
	size_t low = 0, high = identities.length, middle;
	int order;

	while (by_id != NULL && low < high) {
		middle = low + (high - low) / 2;
		order = memcmp(id, identities.items[by_id[middle]].id, IDENTITIES_ID_SIZE);
		if (order == 0)
			return (long)by_id[middle];
		if (order < 0)
			high = middle;
		else
			low = middle + 1;
	}
	return -1;
}

/*
 * The wallet this program uses on the slot's device, for its key cache and
 * its session (session_file.h): by the device's passphrase protection and
 * TREZOR_PASSPHRASE. A locked Model T or Safe hides its protection: then as
 * last noted, and when never noted, on. A wrong guess may list a key of
 * another wallet: the first signature finds that out and learns the right
 * key (api_sign.c), and a signature is never made with the wrong key.
 */
static void choose_wallet(struct slot *slot)
{
	const struct trezor_features *features = &slot->features;
	bool protection = features->passphrase_protection;

	if (!features->passphrase_protection_known)
		protection = session_file_protection(features->device_id) !=
			     SESSION_FILE_PROTECTION_OFF;
	cache_wallet_marker(features->device_id, protection, getenv("TREZOR_PASSPHRASE"),
			    slot->wallet);
}

/* Keys the cache holds for this device and wallet. */
static void load_cached_keys(struct slot *slot)
{
	const struct trezor_features *features = &slot->features;
	struct cache_entries cached;
	char name[IDENTITIES_LINE_MAX];
	size_t i;
	long index;

	slot->cache_loaded = true;
	choose_wallet(slot);
	cache_load(features->device_id, slot->wallet, &cached);
	for (i = 0; i < cached.length; i++) {
		index = find_identity(cached.items[i].id);
		if (index < 0 || slot->keys[index].known)
			continue;
		if (!cache_entry_usable(&cached.items[i], identities.items[index].curve)) {
			key_identity_line(&identities.items[index], name, sizeof(name));
			log_error("the key cache holds no %s for %s; asking the device",
				  identities.items[index].curve == KEY_CURVE_ED25519 ?
					  "usable Ed25519 key" : "P-256 point", name);
			continue;
		}
		memcpy(slot->keys[index].point, cached.items[i].point, KEY_POINT_MAX);
		slot->keys[index].known = true;
	}
	cache_free_entries(&cached);
}

void token_choose_identities(const struct key_identity *items, size_t length)
{
	identities_free(&chosen);
	chosen.items = malloc((length > 0 ? length : 1) * sizeof(*chosen.items));
	if (chosen.items != NULL) {
		memcpy(chosen.items, items, length * sizeof(*items));
		chosen.length = length;
	}
	identities_chosen = true;
}

/* The identities: the command's choice, or the identities file. */
static void load_identities(void)
{
	if (!identities_chosen) {
		identities_load(&identities);
		return;
	}
	memset(&identities, 0, sizeof(identities));
	identities.items = malloc((chosen.length > 0 ? chosen.length : 1) *
				  sizeof(*identities.items));
	if (identities.items == NULL)
		return;
	memcpy(identities.items, chosen.items, chosen.length * sizeof(*chosen.items));
	identities.length = chosen.length;
}

CK_RV token_prepare(struct slot *slot)
{
	CK_RV rv;

	if (!loaded) {
		load_identities();
		index_identities();
		loaded = true;
	}
	rv = slot_prepare_keys(slot, identities.length);
	if (rv == CKR_OK && !slot->cache_loaded && !slot->empty)
		load_cached_keys(slot);
	return rv;
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

void token_store_key(struct slot *slot, size_t index, const uint8_t point[KEY_POINT_MAX])
{
	if (index >= slot->keys_length)
		return;
	memcpy(slot->keys[index].point, point, KEY_POINT_MAX);
	slot->keys[index].known = true;
	slot->cache_dirty = true;
}

static bool all_known(const struct slot *slot)
{
	size_t i;

	for (i = 0; i < slot->keys_length; i++)
		if (!slot->keys[i].known)
			return false;
	return true;
}

void token_save_keys(struct slot *slot, bool now)
{
	struct cache_entries keys = { NULL, 0 };
	int64_t time = clock_monotonic_ms();
	size_t i;

	if (!slot->cache_dirty || !cache_enabled())
		return;
	if (!now && !all_known(slot) && time - slot->cache_written_ms < SAVE_INTERVAL_MS)
		return;
	keys.items = malloc((slot->keys_length > 0 ? slot->keys_length : 1) * sizeof(*keys.items));
	if (keys.items == NULL)
		return;
	for (i = 0; i < slot->keys_length; i++) {
		if (!slot->keys[i].known)
			continue;
		memcpy(keys.items[keys.length].id, identities.items[i].id, IDENTITIES_ID_SIZE);
		keys.items[keys.length].curve = identities.items[i].curve;
		memcpy(keys.items[keys.length].point, slot->keys[i].point, KEY_POINT_MAX);
		keys.length++;
	}
	cache_save(slot->features.device_id, slot->wallet, &keys);
	cache_free_entries(&keys);
	slot->cache_dirty = false;
	slot->cache_written_ms = time;
}

void token_save_all(void)
{
	size_t i;

	for (i = 0; i < slots_count(); i++)
		token_save_keys(slot_at(i), true);
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
	free(by_id);
	by_id = NULL;
	loaded = false;
}

/* Public keys on disk. See cache.h. */
#include "config.h"

#include "cache.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "cache_files.h"
#include "ed25519.h"
#include "log.h"

#define HEADER "trezor-pkcs11 keys 1"
/* "ID KEY\n" and a NUL: the longest line, with a P-256 point. */
#define LINE_MAX_LENGTH (2 * IDENTITIES_ID_SIZE + 1 + 2 * EC_UNCOMPRESSED_SIZE + 2)
#define ED25519_LINE_LENGTH (2 * IDENTITIES_ID_SIZE + 1 + 2 * ED25519_KEY_SIZE + 1)
#define ENTRIES_MAX 200000

bool cache_enabled(void)
{
	const char *setting = getenv("TREZOR_PKCS11_CACHE");

	return setting == NULL || strcmp(setting, "off") != 0;
}

/*
 * The marker of a passphrase the host knows: "p" and 8 bytes of scrypt over
 * the passphrase, salted with the device id. The marker sits in file names
 * that anyone who can list the directory sees: a fast hash would let a list
 * of guesses find the passphrase at hundreds of thousands a second, scrypt
 * at N = 2^15 (32 MiB, about 0.1 s) allows a few a second per core. A
 * program pays it once, and only with TREZOR_PASSPHRASE set.
 */
#define MARKER_SCRYPT_N (1u << 15)
#define MARKER_SCRYPT_R 8
#define MARKER_SCRYPT_P 1
#define MARKER_SCRYPT_MEMORY (64u << 20)
#define MARKER_BYTES 8

static bool passphrase_marker(const char *device_id, const char *passphrase,
			      char marker[CACHE_WALLET_MAX])
{
	unsigned char salt[128], hash[MARKER_BYTES];
	int length = snprintf((char *)salt, sizeof(salt), "trezor-pkcs11 wallet\n%s", device_id);
	int i;
	bool ok;

	if (length < 0 || (size_t)length >= sizeof(salt))
		return false;
	ok = EVP_PBE_scrypt(passphrase, strlen(passphrase), salt, (size_t)length, MARKER_SCRYPT_N,
			    MARKER_SCRYPT_R, MARKER_SCRYPT_P, MARKER_SCRYPT_MEMORY, hash,
			    sizeof(hash)) == 1;
	if (ok) {
		marker[0] = 'p';
		for (i = 0; i < MARKER_BYTES; i++)
			snprintf(marker + 1 + 2 * i, 3, "%02x", hash[i]);
	}
	explicit_bzero(hash, sizeof(hash));
	return ok;
}

void cache_wallet_marker(const char *device_id, bool passphrase_protection,
			 const char *passphrase, char marker[CACHE_WALLET_MAX])
{
	marker[0] = '\0';
	if (!passphrase_protection)
		return;
	if (passphrase == NULL || !passphrase_marker(device_id, passphrase, marker))
		snprintf(marker, CACHE_WALLET_MAX, "any");
}

/*
 * "ID KEY\n", both lower-case hex: an uncompressed P-256 point or a 32-byte
 * Ed25519 key, told apart by their length. Whether the key is usable is
 * checked when an identity uses it (cache_entry_usable): a file may hold
 * many more keys than the identities listed now.
 */
static bool parse_entry(const char *line, struct cache_entry *entry)
{
	size_t length = strlen(line);

	memset(entry, 0, sizeof(*entry));
	if (length == ED25519_LINE_LENGTH)
		entry->curve = KEY_CURVE_ED25519;
	else if (length == LINE_MAX_LENGTH - 1)
		entry->curve = KEY_CURVE_NIST256P1;
	else
		return false;
	if (line[2 * IDENTITIES_ID_SIZE] != ' ' || line[length - 1] != '\n')
		return false;
	return cache_parse_hex(line, entry->id, IDENTITIES_ID_SIZE) &&
	       cache_parse_hex(line + 2 * IDENTITIES_ID_SIZE + 1, entry->point,
			       curve_key_size(entry->curve)) &&
	       (entry->curve == KEY_CURVE_ED25519 || entry->point[0] == 0x04);
}

bool cache_entry_usable(const struct cache_entry *entry, enum key_curve curve)
{
	uint8_t compressed[EC_COMPRESSED_SIZE];

	if (entry->curve != curve)
		return false;
	if (curve == KEY_CURVE_ED25519)
		return ed25519_key_usable(entry->point);
	return ec_p256_compress(entry->point, compressed);
}

static bool append(struct cache_entries *entries, size_t *capacity, const struct cache_entry *entry)
{
	struct cache_entry *grown;

	if (entries->length == *capacity) {
		if (*capacity >= ENTRIES_MAX)
			return false;
		*capacity = *capacity == 0 ? 64 : *capacity * 2;
		grown = realloc(entries->items, *capacity * sizeof(*grown));
		if (grown == NULL)
			return false;
		entries->items = grown;
	}
	entries->items[entries->length++] = *entry;
	return true;
}

/* The whole file, or false (entries emptied) if any of it is not as written. */
static bool read_entries(FILE *file, const char *device_id, struct cache_entries *entries)
{
	char line[LINE_MAX_LENGTH + 2], expected[128];
	struct cache_entry entry;
	size_t capacity = 0;

	snprintf(expected, sizeof(expected), "device %s\n", device_id);
	if (fgets(line, sizeof(line), file) == NULL || strcmp(line, HEADER "\n") != 0 ||
	    fgets(line, sizeof(line), file) == NULL || strcmp(line, expected) != 0)
		return false;
	while (fgets(line, sizeof(line), file) != NULL)
		if (!parse_entry(line, &entry) || !append(entries, &capacity, &entry))
			return false;
	return true;
}

static void load_file(const char *path, const char *device_id, struct cache_entries *out,
		      bool quiet)
{
	int problem;
	FILE *file = cache_file_open(path, &problem);
	bool ok;

	memset(out, 0, sizeof(*out));
	if (file == NULL) {
		if (problem == CACHE_FILE_UNTRUSTED && !quiet)
			log_error("%s: not our own private file; ignored", path);
		else if (problem != 0 && !quiet)
			log_error("%s: cannot read the key cache: %s", path, strerror(problem));
		return;
	}
	ok = read_entries(file, device_id, out);
	fclose(file);
	if (!ok) {
		cache_free_entries(out);
		if (!quiet)
			log_error("%s: not a trezor-pkcs11 key cache for this device; ignored "
				  "(it is rewritten when keys are next read)", path);
	}
}

void cache_load(const char *device_id, const char *wallet, struct cache_entries *out)
{
	char path[PATH_MAX];

	memset(out, 0, sizeof(*out));
	if (cache_enabled() && cache_file_path(device_id, wallet, "keys", false, path, sizeof(path)))
		load_file(path, device_id, out, false);
}

/* ---- writing ------------------------------------------------------------------ */

static int compare_ids(const void *a, const void *b)
{
	return memcmp(((const struct cache_entry *)a)->id, ((const struct cache_entry *)b)->id,
		      IDENTITIES_ID_SIZE);
}

/* The file's entries, updated with the new keys; sorted by id. */
static bool merge(struct cache_entries *old, const struct cache_entries *keys)
{
	struct cache_entries added = { NULL, 0 };
	size_t capacity = old->length, added_capacity = 0, i;
	struct cache_entry *found;
	bool ok = true;

	if (old->length > 1)
		qsort(old->items, old->length, sizeof(*old->items), compare_ids);
	for (i = 0; i < keys->length && ok; i++) {
		found = old->length > 0 ? bsearch(&keys->items[i], old->items, old->length,
						  sizeof(*old->items), compare_ids) : NULL;
		if (found != NULL)
			*found = keys->items[i];
		else
			ok = append(&added, &added_capacity, &keys->items[i]);
	}
	for (i = 0; i < added.length && ok; i++)
		ok = append(old, &capacity, &added.items[i]);
	cache_free_entries(&added);
	if (old->length > 1)
		qsort(old->items, old->length, sizeof(*old->items), compare_ids);
	return ok;
}

static bool write_entries(FILE *file, const char *device_id, const struct cache_entries *entries)
{
	size_t i, j;

	fprintf(file, HEADER "\ndevice %s\n", device_id);
	for (i = 0; i < entries->length; i++) {
		for (j = 0; j < IDENTITIES_ID_SIZE; j++)
			fprintf(file, "%02x", entries->items[i].id[j]);
		fputc(' ', file);
		for (j = 0; j < curve_key_size(entries->items[i].curve); j++)
			fprintf(file, "%02x", entries->items[i].point[j]);
		fputc('\n', file);
	}
	return !ferror(file);
}

struct keys_file {
	const char *device_id;
	const struct cache_entries *entries;
};

static bool produce_keys(FILE *file, const void *data)
{
	const struct keys_file *keys = data;

	return write_entries(file, keys->device_id, keys->entries);
}

bool cache_save(const char *device_id, const char *wallet, const struct cache_entries *keys)
{
	char path[PATH_MAX];
	struct cache_entries merged;
	struct keys_file contents;
	bool ok;

	if (!cache_enabled() || !cache_file_path(device_id, wallet, "keys", true, path, sizeof(path)))
		return false;
	load_file(path, device_id, &merged, true);
	ok = merge(&merged, keys);
	contents.device_id = device_id;
	contents.entries = &merged;
	ok = ok && cache_file_replace(path, produce_keys, &contents);
	cache_free_entries(&merged);
	return ok;
}

void cache_free_entries(struct cache_entries *entries)
{
	free(entries->items);
	memset(entries, 0, sizeof(*entries));
}

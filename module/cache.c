/* Public keys and session ids on disk. See cache.h. */
#include "config.h"

#include "cache.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "log.h"

#define HEADER "trezor-pkcs11 keys 1"
#define LINE_MAX_LENGTH (2 * IDENTITIES_ID_SIZE + 1 + 2 * EC_UNCOMPRESSED_SIZE + 2)
#define ENTRIES_MAX 200000

bool cache_enabled(void)
{
	const char *setting = getenv("TREZOR_PKCS11_CACHE");

	return setting == NULL || strcmp(setting, "off") != 0;
}

/* Make a directory of mode 0700 if it is missing; false if it is not ours. */
static bool private_directory(const char *path)
{
	struct stat info;

	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		return false;
	if (lstat(path, &info) != 0 || !S_ISDIR(info.st_mode) || info.st_uid != geteuid())
		return false;
	if ((info.st_mode & 077) != 0 && chmod(path, 0700) != 0)
		return false;
	return true;
}

/* ${XDG_CACHE_HOME:-$HOME/.cache}/trezor-pkcs11, created when `create`. */
static bool cache_directory(char *path, size_t size, bool create)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	char base[PATH_MAX];

	if (xdg != NULL && xdg[0] == '/')
		snprintf(base, sizeof(base), "%s", xdg);
	else if (home != NULL && home[0] == '/')
		snprintf(base, sizeof(base), "%s/.cache", home);
	else
		return false;
	if (snprintf(path, size, "%s/trezor-pkcs11", base) >= (int)size)
		return false;
	if (!create)
		return true;
	if (mkdir(base, 0700) != 0 && errno != EEXIST)
		return false;
	return private_directory(path);
}

bool cache_directory_path(char *path, size_t size)
{
	return cache_directory(path, size, false);
}

/* DIR/DEVICEID[-WALLET].SUFFIX, with anything unusual in the id hex-encoded. */
static bool file_name(const char *device_id, const char *wallet, const char *suffix,
		      bool create, char *path, size_t size)
{
	char directory[PATH_MAX], id[2 * 64 + 1];
	size_t length = strlen(device_id), i, n = 0;

	if (length == 0 || length > 64 || !cache_directory(directory, sizeof(directory), create))
		return false;
	if (strspn(device_id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") ==
	    length) {
		snprintf(id, sizeof(id), "%s", device_id);
	} else {
		for (i = 0; i < length; i++)
			n += (size_t)snprintf(id + n, sizeof(id) - n, "%02x",
					      (unsigned char)device_id[i]);
	}
	return snprintf(path, size, "%s/%s%s%s.%s", directory, id, wallet[0] ? "-" : "", wallet,
			suffix) < (int)size;
}

void cache_wallet_marker(const char *device_id, bool passphrase_protection,
			 const char *passphrase, char marker[CACHE_WALLET_MAX])
{
	uint8_t hash[32];
	EVP_MD_CTX *ctx;
	int i;

	marker[0] = '\0';
	if (!passphrase_protection)
		return;
	if (passphrase == NULL) {
		snprintf(marker, CACHE_WALLET_MAX, "any");
		return;
	}
	/* A hash, never the passphrase: "w" and 8 bytes of SHA-256(id, passphrase). */
	ctx = EVP_MD_CTX_new();
	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, "trezor-pkcs11 wallet\n", 21) != 1 ||
	    EVP_DigestUpdate(ctx, device_id, strlen(device_id) + 1) != 1 ||
	    EVP_DigestUpdate(ctx, passphrase, strlen(passphrase)) != 1 ||
	    EVP_DigestFinal_ex(ctx, hash, NULL) != 1) {
		snprintf(marker, CACHE_WALLET_MAX, "any");
	} else {
		marker[0] = 'w';
		for (i = 0; i < 8; i++)
			snprintf(marker + 1 + 2 * i, 3, "%02x", hash[i]);
	}
	EVP_MD_CTX_free(ctx);
	explicit_bzero(hash, sizeof(hash));
}

/* ---- reading ------------------------------------------------------------------ */

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static bool parse_hex(const char *text, uint8_t *out, size_t length)
{
	size_t i;

	for (i = 0; i < length; i++) {
		int high = hex_value(text[2 * i]), low = hex_value(text[2 * i + 1]);

		if (high < 0 || low < 0)
			return false;
		out[i] = (uint8_t)(high << 4 | low);
	}
	return true;
}

/*
 * "ID POINT\n", both lower-case hex, the point uncompressed. Whether it is
 * on P-256 is checked when an identity uses it (cache_entry_usable): a file
 * may hold many more keys than the identities listed now.
 */
static bool parse_entry(const char *line, struct cache_entry *entry)
{
	if (strlen(line) != LINE_MAX_LENGTH - 1 || line[2 * IDENTITIES_ID_SIZE] != ' ' ||
	    line[LINE_MAX_LENGTH - 2] != '\n')
		return false;
	return parse_hex(line, entry->id, IDENTITIES_ID_SIZE) &&
	       parse_hex(line + 2 * IDENTITIES_ID_SIZE + 1, entry->point, EC_UNCOMPRESSED_SIZE) &&
	       entry->point[0] == 0x04;
}

bool cache_entry_usable(const struct cache_entry *entry)
{
	uint8_t compressed[EC_COMPRESSED_SIZE];

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

/* Our own regular file, not writable by others. */
static bool trustworthy(int fd)
{
	struct stat info;

	return fstat(fd, &info) == 0 && S_ISREG(info.st_mode) && info.st_uid == geteuid() &&
	       (info.st_mode & 022) == 0;
}

static void load_file(const char *path, const char *device_id, struct cache_entries *out,
		      bool quiet)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	FILE *file;
	bool ok;

	memset(out, 0, sizeof(*out));
	if (fd < 0) {
		if (errno != ENOENT && !quiet)
			log_error("%s: cannot read the key cache: %s", path, strerror(errno));
		return;
	}
	file = trustworthy(fd) ? fdopen(fd, "r") : NULL;
	if (file == NULL) {
		close(fd);
		if (!quiet)
			log_error("%s: not our own private file; ignored", path);
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
	if (cache_enabled() && file_name(device_id, wallet, "keys", false, path, sizeof(path)))
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
		for (j = 0; j < EC_UNCOMPRESSED_SIZE; j++)
			fprintf(file, "%02x", entries->items[i].point[j]);
		fputc('\n', file);
	}
	return !ferror(file);
}

/* Write `text` producer output to PATH through a temporary file and rename. */
static bool replace_file(const char *path, bool (*produce)(FILE *, const void *),
			 const void *data)
{
	char temporary[PATH_MAX + 16];
	FILE *file;
	int fd;
	bool ok;

	snprintf(temporary, sizeof(temporary), "%s.XXXXXX", path);
	fd = mkstemp(temporary);                /* mode 0600 */
	if (fd < 0)
		return false;
	file = fdopen(fd, "w");
	if (file == NULL) {
		close(fd);
		unlink(temporary);
		return false;
	}
	ok = produce(file, data);
	ok = fclose(file) == 0 && ok;
	if (ok && rename(temporary, path) == 0)
		return true;
	unlink(temporary);
	return false;
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

	if (!cache_enabled() || !file_name(device_id, wallet, "keys", true, path, sizeof(path)))
		return false;
	load_file(path, device_id, &merged, true);
	ok = merge(&merged, keys);
	contents.device_id = device_id;
	contents.entries = &merged;
	ok = ok && replace_file(path, produce_keys, &contents);
	cache_free_entries(&merged);
	return ok;
}

/* ---- the session id ---------------------------------------------------------- */

struct session_file {
	const uint8_t *session;
	size_t length;
	const char *wallet;
};

/* "SESSION-ID-IN-HEX\nWALLET\n" */
static bool produce_session(FILE *file, const void *data)
{
	const struct session_file *session = data;
	size_t i;

	for (i = 0; i < session->length; i++)
		fprintf(file, "%02x", session->session[i]);
	fprintf(file, "\n%s\n", session->wallet);
	return !ferror(file);
}

bool cache_load_session(const char *device_id, uint8_t *session, size_t size, size_t *length,
			char wallet[CACHE_WALLET_MAX])
{
	char path[PATH_MAX], line[2 * 64 + 3], marker[CACHE_WALLET_MAX + 2];
	int fd;
	FILE *file;
	size_t hex_length;
	bool ok = false;

	*length = 0;
	wallet[0] = '\0';
	if (!file_name(device_id, "", "session", false, path, sizeof(path)))
		return false;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return false;
	file = trustworthy(fd) ? fdopen(fd, "r") : NULL;
	if (file == NULL) {
		close(fd);
		return false;
	}
	if (fgets(line, sizeof(line), file) != NULL) {
		hex_length = strcspn(line, "\n");
		ok = hex_length > 0 && hex_length % 2 == 0 && hex_length / 2 <= size &&
		     parse_hex(line, session, hex_length / 2) &&
		     fgets(marker, sizeof(marker), file) != NULL &&
		     strlen(marker) <= CACHE_WALLET_MAX && marker[strlen(marker) - 1] == '\n';
		*length = ok ? hex_length / 2 : 0;
		if (ok)
			snprintf(wallet, CACHE_WALLET_MAX, "%.*s", (int)strlen(marker) - 1, marker);
	}
	fclose(file);
	explicit_bzero(line, sizeof(line));
	return ok;
}

void cache_save_session(const char *device_id, const uint8_t *session, size_t length,
			const char *wallet)
{
	char path[PATH_MAX];
	struct session_file contents = { session, length, wallet };

	if (length > 0 && file_name(device_id, "", "session", true, path, sizeof(path)))
		replace_file(path, produce_session, &contents);
}

void cache_free_entries(struct cache_entries *entries)
{
	free(entries->items);
	memset(entries, 0, sizeof(*entries));
}

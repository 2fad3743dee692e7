/* This user's THP host key and credentials. See thp_credentials.h. */
#include "config.h"

#include "thp_credentials.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cache_files.h"
#include "log.h"

#define KEY_FILE "thp-host-key"
#define CREDENTIALS_FILE "thp-credentials"
#define KEY_HEADER "trezor-pkcs11 thp host key 1\n"
#define CREDENTIALS_HEADER "trezor-pkcs11 thp credentials 1\n"
/* static, host key, mode, device id, credential, separated by spaces, a newline, a NUL */
#define LINE_SIZE (2 * THP_KEY_SIZE * 2 + 12 + THP_DEVICE_ID_MAX + 2 * THP_CREDENTIAL_MAX + 8)

/* ${XDG_DATA_HOME:-$HOME/.local/share}, made (0700) when `create`. */
static bool data_home(char *path, size_t size, bool create)
{
	const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	char local[PATH_MAX];

	if (xdg != NULL && xdg[0] == '/')
		return snprintf(path, size, "%s", xdg) < (int)size &&
		       (!create || mkdir(path, 0700) == 0 || errno == EEXIST);
	if (home == NULL || home[0] != '/' ||
	    snprintf(local, sizeof(local), "%s/.local", home) >= (int)sizeof(local) ||
	    snprintf(path, size, "%s/share", local) >= (int)size)
		return false;
	if (!create)
		return true;
	return (mkdir(local, 0700) == 0 || errno == EEXIST) &&
	       (mkdir(path, 0700) == 0 || errno == EEXIST);
}

static bool directory(char *path, size_t size, bool create)
{
	char base[PATH_MAX];

	if (!data_home(base, sizeof(base), create) ||
	    snprintf(path, size, "%s/trezor-pkcs11", base) >= (int)size)
		return false;
	return !create || cache_private_directory(path);
}

bool thp_credentials_path(const char *name, char *path, size_t size)
{
	char dir[PATH_MAX];

	return directory(dir, sizeof(dir), false) &&
	       snprintf(path, size, "%s/%s", dir, name) < (int)size;
}

static void to_hex(const uint8_t *bytes, size_t length, char *out)
{
	size_t i;

	for (i = 0; i < length; i++)
		snprintf(out + 2 * i, 3, "%02x", bytes[i]);
}

/* ---- the host key -------------------------------------------------------------------- */

/* 1: read; 0: there is none; -1: there is one that cannot be trusted or read. */
static int read_host_key(const char *path, uint8_t key[THP_KEY_SIZE])
{
	char header[64], line[2 * THP_KEY_SIZE + 2];
	int problem;
	FILE *file = cache_file_open(path, &problem);
	bool ok;

	if (file == NULL)
		return problem == 0 ? 0 : -1;
	ok = fgets(header, sizeof(header), file) != NULL && strcmp(header, KEY_HEADER) == 0 &&
	     fgets(line, sizeof(line), file) != NULL &&
	     strlen(line) == 2 * THP_KEY_SIZE + 1 && line[2 * THP_KEY_SIZE] == '\n' &&
	     cache_parse_hex(line, key, THP_KEY_SIZE) && fgetc(file) == EOF;
	explicit_bzero(line, sizeof(line));
	fclose(file);
	return ok ? 1 : -1;
}

static bool write_host_key(FILE *file, const void *data)
{
	char hex[2 * THP_KEY_SIZE + 1];
	bool written;

	to_hex(data, THP_KEY_SIZE, hex);
	written = fprintf(file, KEY_HEADER "%s\n", hex) > 0;
	explicit_bzero(hex, sizeof(hex));
	return written;
}

/* Make a key and put it in place, unless another program was quicker. */
static bool create_host_key(const char *path, uint8_t key[THP_KEY_SIZE])
{
	uint8_t public_key[THP_KEY_SIZE];

	if (!thp_x25519_generate(key, public_key))
		return false;
	/* Another program's key, written first, is the one both use. */
	return cache_file_create(path, write_host_key, key) || read_host_key(path, key) == 1;
}

/* ---- credential lines ------------------------------------------------------------------ */

static bool parse_line(char *line, const uint8_t host_public[THP_KEY_SIZE],
		       struct thp_stored *out)
{
	char *fields[5], *save = NULL;
	uint8_t host[THP_KEY_SIZE];
	size_t credential_hex, i;

	for (i = 0; i < 5; i++) {
		fields[i] = strtok_r(i == 0 ? line : NULL, " \n", &save);
		if (fields[i] == NULL)
			return false;
	}
	credential_hex = strlen(fields[4]);
	if (strtok_r(NULL, " \n", &save) != NULL || strlen(fields[0]) != 2 * THP_KEY_SIZE ||
	    strlen(fields[1]) != 2 * THP_KEY_SIZE || credential_hex == 0 ||
	    credential_hex % 2 != 0 || credential_hex > 2 * THP_CREDENTIAL_MAX ||
	    strlen(fields[3]) > THP_DEVICE_ID_MAX ||
	    !cache_parse_hex(fields[0], out->device.trezor_static, THP_KEY_SIZE) ||
	    !cache_parse_hex(fields[1], host, THP_KEY_SIZE) ||
	    !cache_parse_hex(fields[4], out->device.credential, credential_hex / 2))
		return false;
	if (strcmp(fields[2], "autoconnect") != 0 && strcmp(fields[2], "confirm") != 0)
		return false;
	out->autoconnect = fields[2][0] == 'a';
	out->device.credential_length = credential_hex / 2;
	snprintf(out->device_id, sizeof(out->device_id), "%s",
		 strcmp(fields[3], "-") == 0 ? "" : fields[3]);
	/* Issued for another host key (one lost and made anew): of no use. */
	return memcmp(host, host_public, THP_KEY_SIZE) == 0;
}

/* The lines for this host key; a file that does not read exactly right counts as empty. */
static void read_lines(const uint8_t host_public[THP_KEY_SIZE], struct thp_credentials *out)
{
	char path[PATH_MAX], line[LINE_SIZE];
	struct thp_stored entry;
	int problem;
	FILE *file;
	bool ok = true;

	out->count = 0;
	if (!thp_credentials_path(CREDENTIALS_FILE, path, sizeof(path)))
		return;
	file = cache_file_open(path, &problem);
	if (file == NULL) {
		if (problem != 0)
			log_error("%s is not yours alone, or cannot be read: THP credentials in it "
				  "are not used", path);
		return;
	}
	if (fgets(line, sizeof(line), file) == NULL || strcmp(line, CREDENTIALS_HEADER) != 0)
		ok = false;
	while (ok && fgets(line, sizeof(line), file) != NULL) {
		memset(&entry, 0, sizeof(entry));
		if (strchr(line, '\n') == NULL) {
			ok = false;
		} else if (parse_line(line, host_public, &entry) && out->count < THP_STORED_MAX) {
			out->stored[out->count++] = entry;
		}
	}
	fclose(file);
	if (!ok) {
		log_error("%s does not read as THP credentials: it is ignored, and replaced at the "
			  "next pairing", path);
		out->count = 0;
	}
	explicit_bzero(line, sizeof(line));
}

static bool write_lines(FILE *file, const void *data)
{
	const struct thp_credentials *credentials = data;
	char static_hex[2 * THP_KEY_SIZE + 1], host_hex[2 * THP_KEY_SIZE + 1];
	char credential_hex[2 * THP_CREDENTIAL_MAX + 1];
	const struct thp_stored *entry;
	size_t i;
	bool ok = fputs(CREDENTIALS_HEADER, file) >= 0;

	to_hex(credentials->host_public, THP_KEY_SIZE, host_hex);
	for (i = 0; ok && i < credentials->count; i++) {
		entry = &credentials->stored[i];
		to_hex(entry->device.trezor_static, THP_KEY_SIZE, static_hex);
		to_hex(entry->device.credential, entry->device.credential_length, credential_hex);
		ok = fprintf(file, "%s %s %s %s %s\n", static_hex, host_hex,
			     entry->autoconnect ? "autoconnect" : "confirm",
			     entry->device_id[0] ? entry->device_id : "-", credential_hex) > 0;
	}
	return ok;
}

static bool store(const struct thp_credentials *credentials)
{
	char dir[PATH_MAX], path[PATH_MAX];

	return directory(dir, sizeof(dir), true) &&
	       snprintf(path, sizeof(path), "%s/" CREDENTIALS_FILE, dir) < (int)sizeof(path) &&
	       cache_file_replace(path, write_lines, credentials);
}

/* ---- the interface ---------------------------------------------------------------------- */

bool thp_credentials_load(struct thp_credentials *out, char *error, size_t error_size)
{
	char dir[PATH_MAX], path[PATH_MAX];
	int found;

	memset(out, 0, sizeof(*out));
	if (!directory(dir, sizeof(dir), true) ||
	    snprintf(path, sizeof(path), "%s/" KEY_FILE, dir) >= (int)sizeof(path)) {
		snprintf(error, error_size, "there is no private directory for THP keys "
			 "(${XDG_DATA_HOME:-$HOME/.local/share}/trezor-pkcs11): set HOME");
		return false;
	}
	found = read_host_key(path, out->host_private);
	if (found < 0) {
		snprintf(error, error_size, "%s is not this user's private key file: move it away "
			 "(a new key means pairing again)", path);
		return false;
	}
	if ((found == 0 && !create_host_key(path, out->host_private)) ||
	    !thp_x25519_public(out->host_private, out->host_public)) {
		snprintf(error, error_size, "cannot keep a THP key in %s", path);
		thp_credentials_wipe(out);
		return false;
	}
	read_lines(out->host_public, out);
	return true;
}

void thp_credentials_read(struct thp_credentials *out)
{
	char path[PATH_MAX];

	memset(out, 0, sizeof(*out));
	if (!thp_credentials_path(KEY_FILE, path, sizeof(path)) ||
	    read_host_key(path, out->host_private) != 1 ||
	    !thp_x25519_public(out->host_private, out->host_public))
		return;
	explicit_bzero(out->host_private, sizeof(out->host_private));
	read_lines(out->host_public, out);
}

/* The file's lines now, for a change made at once. */
static void fresh(const struct thp_credentials *current, struct thp_credentials *copy)
{
	memset(copy, 0, sizeof(*copy));
	memcpy(copy->host_public, current->host_public, THP_KEY_SIZE);
	read_lines(copy->host_public, copy);
}

static long find_static(const struct thp_credentials *credentials,
			const uint8_t trezor_static[THP_KEY_SIZE])
{
	size_t i;

	for (i = 0; i < credentials->count; i++)
		if (memcmp(credentials->stored[i].device.trezor_static, trezor_static,
			   THP_KEY_SIZE) == 0)
			return (long)i;
	return -1;
}

bool thp_credentials_keep(const struct thp_credentials *current, const struct thp_stored *entry)
{
	struct thp_credentials copy;
	long index;
	bool ok;

	fresh(current, &copy);
	index = find_static(&copy, entry->device.trezor_static);
	if (index < 0 && copy.count == THP_STORED_MAX) {
		memmove(&copy.stored[0], &copy.stored[1], sizeof(copy.stored[0]) * (copy.count - 1));
		index = (long)copy.count - 1;   /* the oldest line goes */
	} else if (index < 0) {
		index = (long)copy.count++;
	}
	copy.stored[index] = *entry;
	ok = store(&copy);
	thp_credentials_wipe(&copy);
	return ok;
}

bool thp_credentials_note_device_id(const struct thp_credentials *current,
				    const uint8_t trezor_static[THP_KEY_SIZE],
				    const char *device_id)
{
	struct thp_credentials copy;
	size_t i, kept = 0;
	long index;
	bool changed = false, ok = true;

	if (strlen(device_id) > THP_DEVICE_ID_MAX || strpbrk(device_id, " \n") != NULL)
		return false;
	fresh(current, &copy);
	index = find_static(&copy, trezor_static);
	if (index < 0) {
		thp_credentials_wipe(&copy);
		return true;
	}
	if (strcmp(copy.stored[index].device_id, device_id) != 0) {
		snprintf(copy.stored[index].device_id, sizeof(copy.stored[index].device_id), "%s",
			 device_id);
		changed = true;
	}
	/* Another static key under this id: the same device before new keys, of no use now. */
	for (i = 0; i < copy.count; i++) {
		if ((long)i != index && strcmp(copy.stored[i].device_id, device_id) == 0) {
			changed = true;
			continue;
		}
		copy.stored[kept++] = copy.stored[i];
	}
	copy.count = kept;
	if (changed)
		ok = store(&copy);
	thp_credentials_wipe(&copy);
	return ok;
}

bool thp_credentials_drop(const struct thp_credentials *current,
			  const uint8_t trezor_static[THP_KEY_SIZE])
{
	struct thp_credentials copy;
	long index;
	bool ok = true;

	fresh(current, &copy);
	index = find_static(&copy, trezor_static);
	if (index >= 0) {
		memmove(&copy.stored[index], &copy.stored[index + 1],
			sizeof(copy.stored[0]) * (copy.count - (size_t)index - 1));
		copy.count--;
		ok = store(&copy);
	}
	thp_credentials_wipe(&copy);
	return ok;
}

int thp_credentials_forget(const char *device_id)
{
	struct thp_credentials copy;
	size_t i, kept = 0;
	int dropped;

	thp_credentials_read(&copy);
	for (i = 0; i < copy.count; i++)
		if (device_id != NULL && strcmp(copy.stored[i].device_id, device_id) != 0)
			copy.stored[kept++] = copy.stored[i];
	dropped = (int)(copy.count - kept);
	copy.count = kept;
	if (dropped > 0 && !store(&copy))
		dropped = -1;
	thp_credentials_wipe(&copy);
	return dropped;
}

const struct thp_stored *thp_credentials_find(const struct thp_credentials *credentials,
					      const char *device_id)
{
	size_t i;

	for (i = 0; i < credentials->count; i++)
		if (device_id[0] != '\0' && strcmp(credentials->stored[i].device_id, device_id) == 0)
			return &credentials->stored[i];
	return NULL;
}

void thp_credentials_wipe(struct thp_credentials *credentials)
{
	explicit_bzero(credentials, sizeof(*credentials));
}

/* Session ids per device and wallet, kept between programs. See session_file.h. */
#include "config.h"

#include "session_file.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

#define HEADER "trezor-pkcs11 sessions 1\n"
#define STANDARD_WALLET "standard"
/* "WALLET HEX\n": a marker, a space, the id in hex, a newline, a NUL. */
#define LINE_SIZE (CACHE_WALLET_MAX + 1 + 2 * SESSION_FILE_ID_MAX + 2)

struct session_entry {
	char wallet[CACHE_WALLET_MAX];
	uint8_t id[SESSION_FILE_ID_MAX];
	size_t length;
};

struct sessions {
	enum session_file_protection protection;
	struct session_entry entries[SESSION_FILE_WALLETS];
	size_t length;
};

static const char *const protection_words[] = {
	[SESSION_FILE_PROTECTION_UNKNOWN] = "unknown",
	[SESSION_FILE_PROTECTION_OFF] = "no",
	[SESSION_FILE_PROTECTION_ON] = "yes",
};

/* The marker as written: the standard wallet's marker is empty. */
static const char *wallet_word(const char *wallet)
{
	return wallet[0] != '\0' ? wallet : STANDARD_WALLET;
}

/* Cut the newline off a line read whole; false for a line that is not. */
static bool whole_line(char line[LINE_SIZE])
{
	size_t length = strlen(line);

	if (length == 0 || line[length - 1] != '\n')
		return false;           /* too long, cut by a NUL, or the last without newline */
	line[length - 1] = '\0';
	return true;
}

static bool parse_protection(const char *line, enum session_file_protection *protection)
{
	size_t i;

	if (strncmp(line, "passphrase-protection ", 22) != 0)
		return false;
	for (i = 0; i < sizeof(protection_words) / sizeof(protection_words[0]); i++) {
		if (strcmp(line + 22, protection_words[i]) == 0) {
			*protection = (enum session_file_protection)i;
			return true;
		}
	}
	return false;
}

/* "WALLET HEX": a marker of letters and digits, an id of 1 to 64 bytes. */
static bool parse_entry(const char *line, struct session_entry *entry)
{
	const char *space = strchr(line, ' ');
	size_t wallet_length, hex_length;

	if (space == NULL)
		return false;
	wallet_length = (size_t)(space - line);
	hex_length = strlen(space + 1);
	if (wallet_length == 0 || wallet_length >= CACHE_WALLET_MAX ||
	    strspn(line, "abcdefghijklmnopqrstuvwxyz0123456789") != wallet_length ||
	    hex_length == 0 || hex_length % 2 != 0 || hex_length / 2 > SESSION_FILE_ID_MAX ||
	    !cache_parse_hex(space + 1, entry->id, hex_length / 2))
		return false;
	memcpy(entry->wallet, line, wallet_length);
	entry->wallet[wallet_length] = '\0';
	if (strcmp(entry->wallet, STANDARD_WALLET) == 0)
		entry->wallet[0] = '\0';
	entry->length = hex_length / 2;
	return true;
}

/* The whole file, or false if any of it is not as written. */
static bool read_sessions(FILE *file, struct sessions *sessions)
{
	char line[LINE_SIZE];

	if (fgets(line, sizeof(line), file) == NULL || strcmp(line, HEADER) != 0 ||
	    fgets(line, sizeof(line), file) == NULL || !whole_line(line) ||
	    !parse_protection(line, &sessions->protection))
		return false;
	for (;;) {
		if (fgets(line, sizeof(line), file) == NULL)
			return feof(file) && !ferror(file);
		if (!whole_line(line) || sessions->length == SESSION_FILE_WALLETS ||
		    !parse_entry(line, &sessions->entries[sessions->length]))
			return false;
		sessions->length++;
	}
}

/* The device's file, or nothing when there is none or it does not read right. */
static void load(const char *device_id, struct sessions *sessions)
{
	char path[PATH_MAX];
	int problem;
	FILE *file;

	memset(sessions, 0, sizeof(*sessions));
	if (!cache_file_path(device_id, "", "session", false, path, sizeof(path)))
		return;
	file = cache_file_open(path, &problem);
	if (file == NULL) {
		if (problem == CACHE_FILE_UNTRUSTED)
			log_error("%s: not our own private file; ignored", path);
		return;
	}
	if (!read_sessions(file, sessions))
		memset(sessions, 0, sizeof(*sessions));
	fclose(file);
}

static bool produce(FILE *file, const void *data)
{
	const struct sessions *sessions = data;
	size_t i, j;

	fprintf(file, HEADER "passphrase-protection %s\n", protection_words[sessions->protection]);
	for (i = 0; i < sessions->length; i++) {
		fprintf(file, "%s ", wallet_word(sessions->entries[i].wallet));
		for (j = 0; j < sessions->entries[i].length; j++)
			fprintf(file, "%02x", sessions->entries[i].id[j]);
		fputc('\n', file);
	}
	return !ferror(file);
}

static void save(const char *device_id, const struct sessions *sessions)
{
	char path[PATH_MAX];

	if (cache_file_path(device_id, "", "session", true, path, sizeof(path)))
		cache_file_replace(path, produce, sessions);
}

bool session_file_find(const char *device_id, const char *wallet,
		       uint8_t id[SESSION_FILE_ID_MAX], size_t *length)
{
	struct sessions sessions;
	size_t i;
	bool found = false;

	*length = 0;
	load(device_id, &sessions);
	for (i = 0; i < sessions.length && !found; i++) {
		if (strcmp(sessions.entries[i].wallet, wallet) == 0) {
			memcpy(id, sessions.entries[i].id, sessions.entries[i].length);
			*length = sessions.entries[i].length;
			found = true;
		}
	}
	return found;
}

void session_file_keep(const char *device_id, const char *wallet, const uint8_t *id,
		       size_t length)
{
	struct sessions sessions;
	struct session_entry kept;
	size_t i;

	if (length == 0 || length > SESSION_FILE_ID_MAX || strlen(wallet) >= CACHE_WALLET_MAX)
		return;
	load(device_id, &sessions);
	snprintf(kept.wallet, sizeof(kept.wallet), "%s", wallet);
	memcpy(kept.id, id, length);
	kept.length = length;
	/*
	 * Drop the wallet's old line, and any other wallet's line with this id:
	 * the device holds this wallet's session under it now (THP's one-byte
	 * ids are the host's choice, and a new session takes the id's place).
	 * The least recent line falls off the end.
	 */
	for (i = 0; i < sessions.length;) {
		if (strcmp(sessions.entries[i].wallet, wallet) == 0 ||
		    (sessions.entries[i].length == length &&
		     memcmp(sessions.entries[i].id, id, length) == 0)) {
			memmove(&sessions.entries[i], &sessions.entries[i + 1],
				(sessions.length - i - 1) * sizeof(sessions.entries[0]));
			sessions.length--;
		} else {
			i++;
		}
	}
	if (sessions.length == SESSION_FILE_WALLETS)
		sessions.length--;
	memmove(&sessions.entries[1], &sessions.entries[0],
		sessions.length * sizeof(sessions.entries[0]));
	sessions.entries[0] = kept;
	sessions.length++;
	save(device_id, &sessions);
}

enum session_file_protection session_file_protection(const char *device_id)
{
	struct sessions sessions;

	load(device_id, &sessions);
	return sessions.protection;
}

void session_file_note_protection(const char *device_id, bool on)
{
	struct sessions sessions;
	enum session_file_protection now = on ? SESSION_FILE_PROTECTION_ON
					      : SESSION_FILE_PROTECTION_OFF;

	load(device_id, &sessions);
	if (sessions.protection == now)
		return;
	sessions.protection = now;
	save(device_id, &sessions);
}

/* The identities file. See identities_file.h. */
#include "config.h"

#include "identities_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"

#define SYSTEM_IDENTITIES "/etc/trezor-pkcs11/identities"

static bool file_exists(const char *path)
{
	struct stat info;

	return stat(path, &info) == 0;
}

/* ${XDG_CONFIG_HOME:-$HOME/.config}/trezor-pkcs11/identities */
bool identities_user_path(char *path, size_t size)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	int n;

	if (xdg != NULL && xdg[0] == '/')
		n = snprintf(path, size, "%s/trezor-pkcs11/identities", xdg);
	else if (home != NULL && home[0] == '/')
		n = snprintf(path, size, "%s/.config/trezor-pkcs11/identities", home);
	else
		return false;
	return n > 0 && (size_t)n < size;
}

bool identities_file_path(char *path, size_t size, bool *from_environment)
{
	const char *chosen = getenv("TREZOR_PKCS11_IDENTITIES");

	*from_environment = chosen != NULL && chosen[0] != '\0';
	if (*from_environment) {
		snprintf(path, size, "%s", chosen);
		return true;
	}
	if (identities_user_path(path, size) && file_exists(path))
		return true;
	snprintf(path, size, "%s", SYSTEM_IDENTITIES);
	return file_exists(path);
}

/* ---- the set of ids already listed, for duplicates ------------------------ */

struct id_set {
	size_t *slots;          /* index + 1 into the list; 0 = empty */
	size_t capacity;        /* a power of two, at least twice count */
	size_t count;
};

static uint64_t id_hash(const uint8_t id[IDENTITIES_ID_SIZE])
{
	uint64_t hash;

	memcpy(&hash, id, sizeof(hash));        /* already a SHA-256 prefix */
	return hash;
}

/*
 * The slot of `id`: where it is, or the empty slot where it goes. The table
 * is never more than half full, so an empty slot comes within capacity
 * steps; the bound is there all the same.
 */
static size_t id_set_find(const struct id_set *set, const struct identity_list *list,
			  const uint8_t id[IDENTITIES_ID_SIZE])
{
	size_t i = (size_t)id_hash(id) & (set->capacity - 1), steps;

	for (steps = 0; steps < set->capacity && set->slots[i] != 0; steps++) {
		if (memcmp(list->items[set->slots[i] - 1].id, id, IDENTITIES_ID_SIZE) == 0)
			break;
		i = (i + 1) & (set->capacity - 1);
	}
	return i;
}

/* Twice the room, the ids already in moved over. */
static bool id_set_grow(struct id_set *set, const struct identity_list *list)
{
	struct id_set bigger = { NULL, set->capacity * 2, set->count };
	size_t i;

	bigger.slots = calloc(bigger.capacity, sizeof(*bigger.slots));
	if (bigger.slots == NULL)
		return false;
	for (i = 0; i < set->capacity; i++)
		if (set->slots[i] != 0)
			bigger.slots[id_set_find(&bigger, list, list->items[set->slots[i] - 1].id)] =
				set->slots[i];
	free(set->slots);
	*set = bigger;
	return true;
}

/*
 * Insert list->items[index]: 1 when new, 0 when an equal id is there
 * already, -1 when out of memory.
 */
static int id_set_insert(struct id_set *set, const struct identity_list *list, size_t index)
{
	const uint8_t *id = list->items[index].id;
	size_t i;

	if (2 * (set->count + 1) > set->capacity && !id_set_grow(set, list))
		return -1;
	i = id_set_find(set, list, id);
	if (set->slots[i] != 0)
		return 0;
	set->slots[i] = index + 1;
	set->count++;
	return 1;
}

/* ---- lines ---------------------------------------------------------------- */

static void report(const char *path, unsigned line, const char *what)
{
	log_error("%s:%u: %s", path, line, what);
}

/* Cut text at IDENTITIES_LABEL_MAX bytes without splitting a UTF-8 sequence. */
static void cut_label(const char *text, char label[IDENTITIES_LABEL_MAX + 1])
{
	size_t length = strlen(text), back;

	if (length > IDENTITIES_LABEL_MAX) {
		length = IDENTITIES_LABEL_MAX;
		/* Back to the start of the sequence the cut falls in: at most 3 bytes,
		 * however many stray continuation bytes text that is not UTF-8 holds. */
		for (back = 0; back < 3 && ((unsigned char)text[length] & 0xc0) == 0x80; back++)
			length--;
	}
	memcpy(label, text, length);
	label[length] = '\0';
}

void key_identity_name(const struct key_identity *key, char name[IDENTITIES_LABEL_MAX + 1])
{
	char display[IDENTITY_URI_MAX];

	identity_display(&key->identity, display, sizeof(display));
	cut_label(display, name);
}

void key_identity_line(const struct key_identity *key, char *line, size_t size)
{
	char display[IDENTITY_URI_MAX];

	identity_display(&key->identity, display, sizeof(display));
	snprintf(line, size, "%s%s", display, key->curve == KEY_CURVE_ED25519 ? " ed25519" : "");
}

/* P-256: the identity; Ed25519: trezor-agent's comment, <ssh://IDENTITY|ed25519>. */
static void make_label(const struct key_identity *key, char label[IDENTITIES_LABEL_MAX + 1])
{
	char uri[IDENTITY_URI_MAX], text[IDENTITY_URI_MAX + 16];

	if (key->curve == KEY_CURVE_NIST256P1) {
		identity_display(&key->identity, text, sizeof(text));
	} else {
		identity_uri(&key->identity, uri, sizeof(uri));
		snprintf(text, sizeof(text), "<%s|%s>", uri, curve_name(key->curve));
	}
	cut_label(text, label);
}

/*
 * The identity, the key type (NULL when there is none) and whatever
 * follows them (NULL when nothing but a comment does) on one line; NULL
 * for a blank or comment line.
 */
static char *identity_text(char *line, char **type, char **extra)
{
	char *start = line, *end, *rest;

	*type = NULL;
	*extra = NULL;
	while (*start == ' ' || *start == '\t')
		start++;
	end = start + strlen(start);
	while (end > start && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' ' ||
			       end[-1] == '\t'))
		*--end = '\0';
	if (*start == '\0' || *start == '#')
		return NULL;
	rest = start + strcspn(start, " \t");
	if (*rest == '\0')
		return start;
	*rest++ = '\0';
	rest += strspn(rest, " \t");
	if (*rest == '#')
		return start;
	*type = rest;
	rest += strcspn(rest, " \t");
	if (*rest != '\0') {
		*rest++ = '\0';
		rest += strspn(rest, " \t");
	}
	if (*rest != '\0' && *rest != '#')
		*extra = rest;
	return start;
}

static bool take_type(const char *type, const char *extra, struct key_identity *key,
		      char *problem, size_t problem_size)
{
	key->curve = KEY_CURVE_NIST256P1;
	if (type != NULL && !curve_from_name(type, &key->curve)) {
		snprintf(problem, problem_size, "\"%.40s\" is not a key type (ed25519 or nist256p1; "
			 "comments start with #)", type);
		return false;
	}
	if (extra != NULL) {
		snprintf(problem, problem_size,
			 "unexpected text after the key type (comments start with #)");
		return false;
	}
	return true;
}

/* The proto the key is derived for (see identities_file.h). */
static bool choose_proto(struct key_identity *key, char *problem, size_t problem_size)
{
	const char *proto = key->identity.proto;

	if (proto[0] != '\0' && strcmp(proto, "ssh") != 0 && strcmp(proto, "gpg") != 0) {
		snprintf(problem, problem_size,
			 "\"%s://\" is not accepted: write the identity alone (or with ssh://)", proto);
		return false;
	}
	if (key->curve == KEY_CURVE_ED25519 && strcmp(proto, "gpg") == 0) {
		snprintf(problem, problem_size, "an ed25519 key is trezor-agent's ssh:// key: write "
			 "the identity alone (or with ssh://)");
		return false;
	}
	/* Only gpg:// signs the digest PKCS#11 callers hand a P-256 key (see README);
	 * an Ed25519 key signs the whole message, as trezor-agent's ssh:// key does. */
	snprintf(key->identity.proto, sizeof(key->identity.proto), "%s",
		 key->curve == KEY_CURVE_ED25519 ? "ssh" : "gpg");
	return true;
}

/* Parse one identity line into a key identity; false with *problem set. */
bool identities_parse_line(char *line, struct key_identity *key, bool *blank, char *problem,
			   size_t problem_size)
{
	char *type, *extra, *text = identity_text(line, &type, &extra);
	uint8_t hash[32];

	*blank = text == NULL;
	if (text == NULL)
		return false;
	if (!identity_parse(text, &key->identity, problem, problem_size))
		return false;
	/* "ssh://#x": written as the file holds it ("#x"), it would be a comment. */
	if (key->identity.user[0] == '#' || (key->identity.user[0] == '\0' &&
					     key->identity.host[0] == '#')) {
		snprintf(problem, problem_size, "an identity cannot start with # (without its "
			 "ssh:// it would be a comment)");
		return false;
	}
	if (!take_type(type, extra, key, problem, problem_size) ||
	    !choose_proto(key, problem, problem_size))
		return false;
	make_label(key, key->label);
	if (!identity_slip13_hash(&key->identity, hash)) {
		snprintf(problem, problem_size, "out of memory");
		return false;
	}
	memcpy(key->id, hash, IDENTITIES_ID_SIZE);
	return true;
}

static bool grow(struct identity_list *list, size_t *capacity)
{
	size_t bigger = *capacity == 0 ? 16 : *capacity * 2;
	struct key_identity *items;

	if (list->length < *capacity)
		return true;
	items = realloc(list->items, bigger * sizeof(*items));
	if (items == NULL)
		return false;
	list->items = items;
	*capacity = bigger;
	return true;
}

/* Read lines of at most IDENTITIES_LINE_MAX bytes into list; duplicates dropped. */
static void read_lines(FILE *file, const char *path, struct identity_list *list,
		       struct id_set *set)
{
	char *line = NULL, problem[256];
	size_t line_size = 0, capacity = 0;
	ssize_t length;
	unsigned number = 0;
	bool blank;

	while ((length = getline(&line, &line_size, file)) >= 0) {
		number++;
		if (length > IDENTITIES_LINE_MAX) {
			report(path, number, "line is longer than 1024 bytes");
			continue;
		}
		if (list->length == IDENTITIES_MAX) {
			report(path, number, "more than 100000 identities; the rest are ignored");
			break;
		}
		if (!grow(list, &capacity)) {
			report(path, number, "out of memory");
			break;
		}
		if (!identities_parse_line(line, &list->items[list->length], &blank, problem,
					   sizeof(problem))) {
			if (!blank)
				report(path, number, problem);
			continue;
		}
		switch (id_set_insert(set, list, list->length)) {
		case 1:
			list->length++;
			break;
		case 0:
			log_debug("%s:%u: duplicate of an earlier identity", path, number);
			break;
		default:
			report(path, number, "out of memory");
			free(line);
			return;
		}
	}
	free(line);
}

/*
 * Room in the duplicate set for the lines a file of this size could hold,
 * so that it seldom grows; a pipe or a file still being written (st_size 0
 * or less than what comes) makes it grow as it fills.
 */
static bool id_set_init(struct id_set *set, FILE *file)
{
	struct stat info;
	size_t lines_at_most = 64;

	if (fstat(fileno(file), &info) == 0 && info.st_size > 0)
		lines_at_most = (size_t)info.st_size / 2 + 1;
	if (lines_at_most > IDENTITIES_MAX)
		lines_at_most = IDENTITIES_MAX;
	set->capacity = 16;
	set->count = 0;
	while (set->capacity < 2 * lines_at_most)
		set->capacity *= 2;
	set->slots = calloc(set->capacity, sizeof(*set->slots));
	return set->slots != NULL;
}

void identities_read_file(const char *path, struct identity_list *list)
{
	FILE *file = fopen(path, "re");
	struct id_set set;

	memset(list, 0, sizeof(*list));
	if (file == NULL) {
		log_error("%s: cannot read: %s", path, strerror(errno));
		return;
	}
	snprintf(list->path, sizeof(list->path), "%s", path);
	if (!id_set_init(&set, file)) {
		log_error("%s: out of memory", path);
		fclose(file);
		return;
	}
	read_lines(file, path, list, &set);
	free(set.slots);
	fclose(file);
}

void identities_load(struct identity_list *list)
{
	char path[IDENTITIES_PATH_MAX], user_path[IDENTITIES_PATH_MAX];
	bool from_environment;

	memset(list, 0, sizeof(*list));
	if (identities_file_path(path, sizeof(path), &from_environment)) {
		identities_read_file(path, list);
		return;
	}
	/* Read only for a Trezor that is there: no keys is news then. */
	if (!identities_user_path(user_path, sizeof(user_path)))
		snprintf(user_path, sizeof(user_path), "%s", SYSTEM_IDENTITIES);
	log_error("no identities file: put one identity per line (like you@example.com) in %s",
		  user_path);
}

bool identities_configured(void)
{
	char path[IDENTITIES_PATH_MAX];
	bool from_environment;

	return identities_file_path(path, sizeof(path), &from_environment);
}

void identities_free(struct identity_list *list)
{
	free(list->items);
	memset(list, 0, sizeof(*list));
}

/*
 * Fuzz target: the identities file parser (module/identities_file.c).
 *
 * The input is the file, given to identities_read_file through an in-memory
 * file (memfd, so no file is left behind whatever happens). Every identity
 * it keeps must be a gpg:// P-256 or an ssh:// Ed25519 identity that keeps
 * the rules of identity.h, with a label that is its display form, or for
 * Ed25519 trezor-agent's comment <ssh://...|ed25519> (cut at 255 bytes,
 * never inside a UTF-8 sequence), a CKA_ID that is the start of its
 * SLIP-0013 hash, a line (key_identity_line) that reads back as the same
 * key, and an id no other kept identity has; the list is never longer than
 * the file has lines.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "identities_file.h"

static int file_fd = -1;
static char file_path[64];

static size_t count_lines(const uint8_t *data, size_t size)
{
	size_t lines = 0, i;

	for (i = 0; i < size; i++)
		if (data[i] == '\n')
			lines++;
	return size > 0 && data[size - 1] != '\n' ? lines + 1 : lines;
}

static void check_label(const struct key_identity *key)
{
	char display[IDENTITY_URI_MAX + 16], uri[IDENTITY_URI_MAX];
	size_t length = strlen(key->label), full, i;

	FUZZ_CHECK(memchr(key->label, '\0', sizeof(key->label)) != NULL);
	if (key->curve == KEY_CURVE_ED25519) {
		identity_uri(&key->identity, uri, sizeof(uri));
		snprintf(display, sizeof(display), "<%s|ed25519>", uri);
	} else {
		identity_display(&key->identity, display, sizeof(display));
	}
	full = strlen(display);
	FUZZ_CHECK(length <= IDENTITIES_LABEL_MAX);
	FUZZ_CHECK(strncmp(key->label, display, length) == 0);
	if (full <= IDENTITIES_LABEL_MAX) {
		FUZZ_CHECK(length == full);
	} else {
		/* Cut at most 3 bytes early, and only over continuation bytes, to the
		 * start of a sequence unless 3 steps did not reach one. */
		FUZZ_CHECK(length + 3 >= IDENTITIES_LABEL_MAX);
		for (i = length + 1; i <= IDENTITIES_LABEL_MAX; i++)
			FUZZ_CHECK(((unsigned char)display[i] & 0xc0) == 0x80);
		FUZZ_CHECK(length + 3 == IDENTITIES_LABEL_MAX ||
			   ((unsigned char)display[length] & 0xc0) != 0x80);
	}
}

static void check_key(const struct key_identity *key)
{
	struct key_identity again;
	uint8_t hash[32];
	char problem[256], line[IDENTITIES_LINE_MAX + 1];
	bool blank;

	FUZZ_CHECK(strcmp(key->identity.proto,
			  key->curve == KEY_CURVE_ED25519 ? "ssh" : "gpg") == 0);
	FUZZ_CHECK(key->identity.index == 0);
	FUZZ_CHECK(key->identity.host[0] != '\0');
	check_label(key);
	FUZZ_CHECK(identity_slip13_hash(&key->identity, hash));
	FUZZ_CHECK(memcmp(key->id, hash, IDENTITIES_ID_SIZE) == 0);
	/* The line the file holds for it (what add writes) names the same key. */
	key_identity_line(key, line, sizeof(line));
	FUZZ_CHECK(identities_parse_line(line, &again, &blank, problem, sizeof(problem)));
	FUZZ_CHECK(again.curve == key->curve);
	FUZZ_CHECK(memcmp(again.id, key->id, IDENTITIES_ID_SIZE) == 0);
}

static int compare_ids(const void *a, const void *b)
{
	return memcmp(a, b, IDENTITIES_ID_SIZE);
}

static void check_unique(const struct identity_list *list)
{
	uint8_t (*ids)[IDENTITIES_ID_SIZE] = malloc((list->length + 1) * sizeof(*ids));
	size_t i;

	FUZZ_CHECK(ids != NULL);
	for (i = 0; i < list->length; i++)
		memcpy(ids[i], list->items[i].id, IDENTITIES_ID_SIZE);
	qsort(ids, list->length, sizeof(*ids), compare_ids);
	for (i = 1; i < list->length; i++)
		FUZZ_CHECK(memcmp(ids[i - 1], ids[i], IDENTITIES_ID_SIZE) != 0);
	free(ids);
}

static void close_file(void)
{
	close(file_fd);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_setup();
	file_fd = memfd_create("identities", MFD_CLOEXEC);
	FUZZ_CHECK(file_fd >= 0);
	snprintf(file_path, sizeof(file_path), "/proc/self/fd/%d", file_fd);
	atexit(close_file);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct identity_list list;
	size_t i;

	FUZZ_CHECK(ftruncate(file_fd, 0) == 0);
	FUZZ_CHECK(pwrite(file_fd, data, size, 0) == (ssize_t)size);
	identities_read_file(file_path, &list);
	FUZZ_CHECK(strcmp(list.path, file_path) == 0);
	FUZZ_CHECK(list.length <= count_lines(data, size));
	FUZZ_CHECK(list.length == 0 || list.items != NULL);
	for (i = 0; i < list.length; i++)
		check_key(&list.items[i]);
	check_unique(&list);
	identities_free(&list);
	fuzz_check_stdout();
	return 0;
}

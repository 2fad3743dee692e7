/*
 * Fuzz target: the identity string parser (module/identity.c).
 *
 * The input, up to its first NUL, is parsed three times, with error buffers
 * of 1, 17 and 256 bytes (heap buffers of exactly that size, so that ASan
 * sees any overrun). All three must agree; a shorter error is the start of
 * the longer one, and every error is one line. An identity that parses
 * must keep every rule of identity.h (lengths, characters, port range,
 * path), and its URI and its display form must parse back to the same
 * identity.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "identity.h"

#define FIELD_OK(field) (memchr((field), '\0', sizeof(field)) != NULL)

static const size_t error_sizes[] = { 1, 17, 256 };
#define ERROR_SIZES (sizeof(error_sizes) / sizeof(error_sizes[0]))

static bool has_forbidden_byte(const char *text)
{
	for (; *text != '\0'; text++)
		if ((unsigned char)*text <= 0x20 || *text == 0x7f)
			return true;
	return false;
}

static bool is_proto_name(const char *text)
{
	for (; *text != '\0'; text++)
		if (!((*text >= 'a' && *text <= 'z') || (*text >= '0' && *text <= '9') ||
		      *text == '+' || *text == '-' || *text == '.'))
			return false;
	return true;
}

static bool is_port(const char *text)
{
	long value = 0;
	const char *p;

	if (*text == '\0')
		return true;            /* no port */
	for (p = text; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return false;
		value = value * 10 + (*p - '0');
	}
	return value >= 1 && value <= 65535;
}

static void check_rules(const struct identity *id)
{
	uint32_t path[SLIP13_PATH_DEPTH];
	int i;

	FUZZ_CHECK(FIELD_OK(id->proto) && FIELD_OK(id->user) && FIELD_OK(id->host) &&
		   FIELD_OK(id->port) && FIELD_OK(id->path));
	FUZZ_CHECK(id->host[0] != '\0');
	FUZZ_CHECK(id->index == 0);
	FUZZ_CHECK(!has_forbidden_byte(id->proto) && !has_forbidden_byte(id->user) &&
		   !has_forbidden_byte(id->host) && !has_forbidden_byte(id->port) &&
		   !has_forbidden_byte(id->path));
	FUZZ_CHECK(is_proto_name(id->proto));
	FUZZ_CHECK(is_port(id->port));
	FUZZ_CHECK(id->path[0] == '\0' || id->path[0] == '/');
	FUZZ_CHECK(strchr(id->user, '/') == NULL && strchr(id->host, '/') == NULL);
	FUZZ_CHECK(strchr(id->host, '@') == NULL);
	FUZZ_CHECK(identity_slip13_path(id, path));
	FUZZ_CHECK(path[0] == (HARDENED | 13));
	for (i = 1; i < SLIP13_PATH_DEPTH; i++)
		FUZZ_CHECK(path[i] & HARDENED);
}

static bool same_identity(const struct identity *a, const struct identity *b)
{
	return strcmp(a->proto, b->proto) == 0 && strcmp(a->user, b->user) == 0 &&
	       strcmp(a->host, b->host) == 0 && strcmp(a->port, b->port) == 0 &&
	       strcmp(a->path, b->path) == 0 && a->index == b->index;
}

/* What identity_uri and identity_display write must parse back to `id`. */
static void check_round_trips(const struct identity *id)
{
	char text[IDENTITY_URI_MAX], error[256];
	struct identity again, without_proto = *id;

	identity_uri(id, text, sizeof(text));
	FUZZ_CHECK(identity_parse(text, &again, error, sizeof(error)));
	FUZZ_CHECK(same_identity(&again, id));

	identity_display(id, text, sizeof(text));
	FUZZ_CHECK(identity_parse(text, &again, error, sizeof(error)));
	without_proto.proto[0] = '\0';
	FUZZ_CHECK(same_identity(&again, &without_proto));
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *errors[ERROR_SIZES];
	struct identity parsed[ERROR_SIZES];
	bool ok[ERROR_SIZES];
	size_t i, longest;

	FUZZ_CHECK(text != NULL);
	memcpy(text, data, size);
	text[size] = '\0';
	for (i = 0; i < ERROR_SIZES; i++) {
		errors[i] = malloc(error_sizes[i]);
		FUZZ_CHECK(errors[i] != NULL);
		errors[i][0] = '\0';
		ok[i] = identity_parse(text, &parsed[i], errors[i], error_sizes[i]);
		FUZZ_CHECK(ok[i] == ok[0]);
	}
	longest = ERROR_SIZES - 1;
	if (ok[0]) {
		for (i = 0; i < ERROR_SIZES; i++)
			FUZZ_CHECK(same_identity(&parsed[i], &parsed[0]));
		check_rules(&parsed[0]);
		check_round_trips(&parsed[0]);
	} else {
		FUZZ_CHECK(errors[longest][0] != '\0');
		for (i = 0; i < ERROR_SIZES; i++) {
			size_t length = strlen(errors[longest]);

			FUZZ_CHECK(fuzz_is_one_line(errors[i], error_sizes[i]));
			if (length > error_sizes[i] - 1)
				length = error_sizes[i] - 1;
			FUZZ_CHECK(strlen(errors[i]) == length);
			FUZZ_CHECK(strncmp(errors[i], errors[longest], length) == 0);
		}
	}
	for (i = 0; i < ERROR_SIZES; i++)
		free(errors[i]);
	free(text);
	fuzz_check_stdout();
	return 0;
}

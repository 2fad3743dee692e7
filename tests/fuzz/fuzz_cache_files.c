/*
 * Fuzz target: the files kept between programs, read back
 * (module/session_file.c and module/cache.c, through cache_files.c).
 *
 * The first byte says which file the rest of the input is: even, the
 * device's session file; odd, its key cache for the standard wallet. It is
 * written where the module looks (a private XDG_CACHE_HOME), mode 0600,
 * and read as the module reads it. A session file yields ids of 1 to 64
 * bytes and a known protection; keeping an id and reading it back gives
 * the same id. A key cache yields at most one entry per line, each a P-256
 * point uncompressed (04 || X || Y) or an Ed25519 key, which a key of the
 * other curve never takes.
 */
#include "config.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "fuzz.h"
#include "session_file.h"

#define DEVICE "0123456789ABCDEF01234567"

static char directory[PATH_MAX], session_path[PATH_MAX], keys_path[PATH_MAX];

static void remove_directory(void)
{
	unlink(session_path);
	unlink(keys_path);
	rmdir(directory);
	*strrchr(directory, '/') = '\0';
	rmdir(directory);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp";

	(void)argc;
	(void)argv;
	fuzz_setup();
	snprintf(directory, sizeof(directory), "%s/fuzz-cache-XXXXXX", tmp);
	FUZZ_CHECK(mkdtemp(directory) != NULL);
	setenv("XDG_CACHE_HOME", directory, 1);
	unsetenv("TREZOR_PKCS11_CACHE");
	strncat(directory, "/trezor-pkcs11", sizeof(directory) - strlen(directory) - 1);
	FUZZ_CHECK(mkdir(directory, 0700) == 0);
	FUZZ_CHECK(cache_file_path(DEVICE, "", "session", false, session_path,
				   sizeof(session_path)));
	FUZZ_CHECK(cache_file_path(DEVICE, "", "keys", false, keys_path, sizeof(keys_path)));
	atexit(remove_directory);
	return 0;
}

static void write_file(const char *path, const uint8_t *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	FUZZ_CHECK(fd >= 0);
	FUZZ_CHECK(size == 0 || write(fd, data, size) == (ssize_t)size);
	FUZZ_CHECK(close(fd) == 0);
}

static size_t count_lines(const uint8_t *data, size_t size)
{
	size_t lines = 0, i;

	for (i = 0; i < size; i++)
		if (data[i] == '\n')
			lines++;
	return lines;
}

static void check_session_file(void)
{
	static const char *const wallets[] = { "", "any", "p0123456789abcdef" };
	uint8_t id[SESSION_FILE_ID_MAX], kept[SESSION_FILE_ID_MAX] = { 0x5a, 0xa5 };
	enum session_file_protection protection = session_file_protection(DEVICE);
	size_t i, length;

	FUZZ_CHECK(protection == SESSION_FILE_PROTECTION_UNKNOWN ||
		   protection == SESSION_FILE_PROTECTION_OFF ||
		   protection == SESSION_FILE_PROTECTION_ON);
	for (i = 0; i < sizeof(wallets) / sizeof(wallets[0]); i++) {
		if (session_file_find(DEVICE, wallets[i], id, &length))
			FUZZ_CHECK(length >= 1 && length <= SESSION_FILE_ID_MAX);
		else
			FUZZ_CHECK(length == 0);
	}
	/* Whatever was there, a kept id reads back, and the file reads again. */
	session_file_keep(DEVICE, "any", kept, 2);
	FUZZ_CHECK(session_file_find(DEVICE, "any", id, &length));
	FUZZ_CHECK(length == 2 && memcmp(id, kept, 2) == 0);
}

static void check_keys_file(const uint8_t *data, size_t size)
{
	struct cache_entries entries;
	size_t i;

	cache_load(DEVICE, "", &entries);
	FUZZ_CHECK(entries.length <= count_lines(data, size));
	for (i = 0; i < entries.length; i++) {
		enum key_curve curve = entries.items[i].curve, other;

		FUZZ_CHECK(curve == KEY_CURVE_ED25519 || entries.items[i].point[0] == 0x04);
		other = curve == KEY_CURVE_ED25519 ? KEY_CURVE_NIST256P1 : KEY_CURVE_ED25519;
		FUZZ_CHECK(!cache_entry_usable(&entries.items[i], other));
	}
	cache_free_entries(&entries);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bool session = size == 0 || data[0] % 2 == 0;

	if (size > 0) {
		data++;
		size--;
	}
	write_file(session ? session_path : keys_path, data, size);
	if (session)
		check_session_file();
	else
		check_keys_file(data, size);
	fuzz_check_stdout();
	return 0;
}

/* The user's private files: paths, trusted reads, atomic writes. See cache_files.h. */
#include "config.h"

#include "cache_files.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool cache_private_directory(const char *path)
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
	return cache_private_directory(path);
}

bool cache_directory_path(char *path, size_t size)
{
	return cache_directory(path, size, false);
}

bool cache_directory_private(char *path, size_t size)
{
	struct stat info;
	char *slash;

	if (!cache_directory(path, size, false))
		return false;
	slash = strrchr(path, '/');
	*slash = '\0';
	mkdir(path, 0700);              /* ~/.cache may not be there yet */
	*slash = '/';
	return (mkdir(path, 0700) == 0 || errno == EEXIST) && lstat(path, &info) == 0 &&
	       S_ISDIR(info.st_mode) && info.st_uid == geteuid() && (info.st_mode & 077) == 0;
}

bool cache_file_path(const char *device_id, const char *wallet, const char *suffix,
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

/* Our own regular file, not writable by others. */
static bool trustworthy(int fd)
{
	struct stat info;

	return fstat(fd, &info) == 0 && S_ISREG(info.st_mode) && info.st_uid == geteuid() &&
	       (info.st_mode & 022) == 0;
}

FILE *cache_file_open(const char *path, int *problem)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	FILE *file;

	*problem = 0;
	if (fd < 0) {
		/* O_NOFOLLOW on a symlink fails with ELOOP: not ours to read. */
		*problem = errno == ENOENT ? 0 : errno == ELOOP ? CACHE_FILE_UNTRUSTED : errno;
		return NULL;
	}
	file = trustworthy(fd) ? fdopen(fd, "r") : NULL;
	if (file == NULL) {
		close(fd);
		*problem = CACHE_FILE_UNTRUSTED;
	}
	return file;
}

/* A new private file beside path (its name in temporary) holding what produce() wrote. */
static bool write_temporary(const char *path, char *temporary, size_t size,
			    bool (*produce)(FILE *file, const void *data), const void *data)
{
	FILE *file;
	int fd;
	bool ok;

	snprintf(temporary, size, "%s.XXXXXX", path);
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
	if (!ok)
		unlink(temporary);
	return ok;
}

bool cache_file_replace(const char *path, bool (*produce)(FILE *file, const void *data),
			const void *data)
{
	char temporary[PATH_MAX + 16];

	if (!write_temporary(path, temporary, sizeof(temporary), produce, data))
		return false;
	if (rename(temporary, path) == 0)
		return true;
	unlink(temporary);
	return false;
}

bool cache_file_create(const char *path, bool (*produce)(FILE *file, const void *data),
		       const void *data)
{
	char temporary[PATH_MAX + 16];
	bool created;

	if (!write_temporary(path, temporary, sizeof(temporary), produce, data))
		return false;
	/* link(2), unlike rename(2), fails when the name exists. */
	created = link(temporary, path) == 0;
	unlink(temporary);
	return created;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

bool cache_parse_hex(const char *text, uint8_t *out, size_t length)
{
	size_t i;

	int high, low;

	for (i = 0; i < length; i++) {
		/* The second digit is read only after the first: never past a NUL. */
		high = hex_value(text[2 * i]);
		low = high < 0 ? -1 : hex_value(text[2 * i + 1]);
		if (low < 0)
			return false;
		out[i] = (uint8_t)(high << 4 | low);
	}
	return true;
}

/* A lock file per device, shared by the user's programs. See shared_lock.h. */
#include "config.h"

#include "shared_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cache_files.h"
#include "clock.h"
#include "log.h"

#define WAIT_SLICE_MS 20

struct shared_lock {
	int fd;
	bool taken;
};

/*
 * ${XDG_RUNTIME_DIR}/trezor-pkcs11 when that is ours, else the cache
 * directory; modes are left as they are (`doctor` reports a wrong one).
 */
static bool lock_directory(char *path, size_t size)
{
	const char *runtime = getenv("XDG_RUNTIME_DIR");
	struct stat info;

	if (runtime != NULL && runtime[0] == '/' && stat(runtime, &info) == 0 &&
	    S_ISDIR(info.st_mode) && info.st_uid == geteuid() &&
	    snprintf(path, size, "%s/trezor-pkcs11", runtime) < (int)size &&
	    (mkdir(path, 0700) == 0 || errno == EEXIST) && lstat(path, &info) == 0 &&
	    S_ISDIR(info.st_mode) && info.st_uid == geteuid() && (info.st_mode & 077) == 0)
		return true;
	return cache_directory_private(path, size);
}

struct shared_lock *shared_lock_open(const char *device_path)
{
	char directory[PATH_MAX], path[PATH_MAX + 2 * 128 + 8];
	struct shared_lock *lock;
	size_t used, i;
	struct stat info;
	int fd;

	if (!lock_directory(directory, sizeof(directory)))
		return NULL;
	used = (size_t)snprintf(path, sizeof(path), "%s/", directory);
	for (i = 0; device_path[i] != '\0' && used + 3 < sizeof(path) - 6; i++)
		used += (size_t)snprintf(path + used, sizeof(path) - used, "%02x",
					 (unsigned char)device_path[i]);
	snprintf(path + used, sizeof(path) - used, ".lock");
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || fstat(fd, &info) != 0 || !S_ISREG(info.st_mode) ||
	    info.st_uid != geteuid()) {
		log_debug("%s: no lock file to share the device with other programs", path);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	lock = calloc(1, sizeof(*lock));
	if (lock == NULL) {
		close(fd);
		return NULL;
	}
	lock->fd = fd;
	return lock;
}

enum shared_lock_result shared_lock_take(struct shared_lock *lock, int wait_ms,
					 const atomic_bool *cancel)
{
	int64_t deadline = clock_monotonic_ms() + wait_ms;
	struct timespec slice = { 0, WAIT_SLICE_MS * 1000 * 1000 };

	for (;;) {
		if (flock(lock->fd, LOCK_EX | LOCK_NB) == 0) {
			lock->taken = true;
			return SHARED_LOCK_TAKEN;
		}
		if (errno != EWOULDBLOCK && errno != EINTR) {
			/* A file system without flock: go on without taking turns. */
			lock->taken = false;
			return SHARED_LOCK_TAKEN;
		}
		if (cancel != NULL && atomic_load(cancel))
			return SHARED_LOCK_CANCELLED;
		if (clock_remaining_ms(deadline) == 0)
			return SHARED_LOCK_BUSY;
		nanosleep(&slice, NULL);
	}
}

void shared_lock_give(struct shared_lock *lock)
{
	if (lock->taken)
		flock(lock->fd, LOCK_UN);
	lock->taken = false;
}

/* The file holds the active session's id, raw; empty when none is noted. */
bool shared_lock_session_is(struct shared_lock *lock, const uint8_t *id, size_t length)
{
	uint8_t noted[SHARED_LOCK_SESSION_MAX + 1];
	ssize_t got = pread(lock->fd, noted, sizeof(noted), 0);

	return got == (ssize_t)length && length > 0 && memcmp(noted, id, length) == 0;
}

void shared_lock_note_session(struct shared_lock *lock, const uint8_t *id, size_t length)
{
	if (length > SHARED_LOCK_SESSION_MAX || ftruncate(lock->fd, 0) != 0 ||
	    pwrite(lock->fd, id, length, 0) != (ssize_t)length)
		log_debug("could not note the active session in the lock file");
}

void shared_lock_close(struct shared_lock *lock)
{
	if (lock == NULL)
		return;
	close(lock->fd);        /* the flock goes with the last descriptor */
	free(lock);
}

/* The module's errors for the journal, syslog and doctor. See error_log.h. */
#include "config.h"

#include "error_log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cache_files.h"
#include "log.h"
#include "systemd_lazy.h"

#define IDENTIFIER "trezor-pkcs11"
#define SYSLOG_PATH "/dev/log"
#define SYSLOG_USER_ERR 11              /* facility user (1) * 8 + severity err (3) */
#define FILE_TRIM_SIZE (ERROR_LOG_KEEP * 200)     /* bytes; half is kept */

static const char *installed_program = "a program";

bool error_log_path(char *path, size_t size)
{
	char directory[PATH_MAX];

	return cache_directory_path(directory, sizeof(directory)) &&
	       snprintf(path, size, "%s/errors", directory) < (int)size;
}

bool error_log_syslog(const char *path, const char *message)
{
	struct sockaddr_un address = { .sun_family = AF_UNIX };
	char datagram[ERROR_LOG_LINE_MAX + 64], stamp[32];
	time_t now = time(NULL);
	struct tm local;
	int fd, length;
	bool sent;

	if (strlen(path) >= sizeof(address.sun_path) || localtime_r(&now, &local) == NULL)
		return false;
	strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &local);
	length = snprintf(datagram, sizeof(datagram), "<%d>%s %s[%ld]: %s", SYSLOG_USER_ERR,
			  stamp, IDENTIFIER, (long)getpid(), message);
	if (length < 0)
		return false;
	if ((size_t)length >= sizeof(datagram))
		length = sizeof(datagram) - 1;
	memcpy(address.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	sent = sendto(fd, datagram, (size_t)length, MSG_NOSIGNAL, (struct sockaddr *)&address,
		      sizeof(address)) == length;
	close(fd);
	return sent;
}

/* The journal's own protocol: a field per line, our identifier among them. */
static bool to_journal(const char *program, const char *message)
{
	const struct systemd_api *sd = systemd_api();

	return sd != NULL &&
	       sd->journal_send("MESSAGE=%s", message, "PRIORITY=3", "SYSLOG_IDENTIFIER=" IDENTIFIER,
				"TREZOR_PKCS11_PROGRAM=%s", program, NULL) >= 0;
}

/* Keep the file short: its newest lines, when it has grown past the trim size. */
static void trim(const char *path, int fd)
{
	struct stat info;
	char *kept;
	ssize_t got;
	char *start;
	int out;

	if (fstat(fd, &info) != 0 || info.st_size < FILE_TRIM_SIZE)
		return;
	kept = malloc(FILE_TRIM_SIZE / 2);
	got = kept != NULL ? pread(fd, kept, FILE_TRIM_SIZE / 2,
				   info.st_size - FILE_TRIM_SIZE / 2) : -1;
	start = got > 0 ? memchr(kept, '\n', (size_t)got) : NULL;       /* a whole line on */
	out = start != NULL ? open(path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW) : -1;
	if (out >= 0) {
		start++;
		if (write(out, start, (size_t)(got - (start - kept))) < 0)
			log_debug("could not trim %s", path);
		close(out);
	}
	free(kept);
}

void error_log_to_file(const char *program, const char *message)
{
	char path[PATH_MAX], directory[PATH_MAX], line[ERROR_LOG_LINE_MAX], stamp[32];
	time_t now = time(NULL);
	struct stat info;
	struct tm local;
	int fd, length;

	if (!cache_directory_private(directory, sizeof(directory)) ||
	    !error_log_path(path, sizeof(path)) || localtime_r(&now, &local) == NULL)
		return;
	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &local);
	length = snprintf(line, sizeof(line), "%s %s: %s\n", stamp, program, message);
	if (length < 0)
		return;
	if ((size_t)length >= sizeof(line)) {
		length = sizeof(line) - 1;
		line[length - 1] = '\n';
	}
	fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return;
	if (fstat(fd, &info) == 0 && S_ISREG(info.st_mode) && info.st_uid == geteuid() &&
	    (info.st_mode & 077) == 0 && write(fd, line, (size_t)length) == length)
		trim(path, fd);
	close(fd);
}

void error_log_write(const char *program, const char *message)
{
	if (!to_journal(program, message))
		error_log_syslog(SYSLOG_PATH, message);
	error_log_to_file(program, message);
}

static void sink(const char *message)
{
	error_log_write(installed_program, message);
}

void error_log_install(const char *program)
{
	installed_program = program;
	log_set_sink(sink);
}

/* Lines of the file: counted (lines NULL), or the ones from `skip` on. */
static size_t read_lines(FILE *file, size_t skip, char (*lines)[ERROR_LOG_LINE_MAX],
			 size_t room)
{
	char line[ERROR_LOG_LINE_MAX];
	size_t seen = 0, kept = 0;

	while (fgets(line, sizeof(line), file) != NULL) {
		if (strchr(line, '\n') == NULL && !feof(file))
			continue;       /* the rest of a line too long: not one of ours */
		if (lines != NULL && seen >= skip && kept < room) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(lines[kept++], ERROR_LOG_LINE_MAX, "%s", line);
		}
		seen++;
	}
	return lines != NULL ? kept : seen;
}

size_t error_log_recent(char (*lines)[ERROR_LOG_LINE_MAX], size_t room)
{
	char path[PATH_MAX];
	size_t count;
	int problem;
	FILE *file;

	if (room == 0 || !error_log_path(path, sizeof(path)))
		return 0;
	file = cache_file_open(path, &problem);
	if (file == NULL)
		return 0;
	count = read_lines(file, 0, NULL, 0);
	rewind(file);
	count = read_lines(file, count > room ? count - room : 0, lines, room);
	fclose(file);
	return count;
}

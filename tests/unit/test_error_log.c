/*
 * The module's errors away from a terminal (module/error_log.c): the syslog
 * datagram, byte for byte but for the time, and the user's file of recent
 * errors, its newest lines read back, kept short.
 */
#include "config.h"

#include <check.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "error_log.h"
#include "helpers.h"

static char home[80];

static void make_home(void)
{
	temporary_directory("error-log", home, sizeof(home));
	setenv("XDG_CACHE_HOME", home, 1);
}

static void remove_home(void)
{
	remove_tree(home);
}

START_TEST(syslog_datagram)
{
	struct sockaddr_un address = { .sun_family = AF_UNIX };
	char received[2048], pattern[256];
	regex_t expression;
	ssize_t length;
	int fd;

	ck_assert_uint_lt(strlen(home) + 5, sizeof(address.sun_path));
	memcpy(address.sun_path, home, strlen(home));
	memcpy(address.sun_path + strlen(home), "/log", 5);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&address, sizeof(address)), 0);
	ck_assert(error_log_syslog(address.sun_path, "the Trezor is in bootloader mode"));
	length = recv(fd, received, sizeof(received) - 1, 0);
	ck_assert_int_gt(length, 0);
	received[length] = '\0';
	/* <facility user, severity err> Mmm dd hh:mm:ss trezor-pkcs11[PID]: text */
	snprintf(pattern, sizeof(pattern), "^<11>[A-Z][a-z][a-z] [ 1-3][0-9] [0-9:]{8} "
		 "trezor-pkcs11\\[%ld\\]: the Trezor is in bootloader mode$", (long)getpid());
	ck_assert_int_eq(regcomp(&expression, pattern, REG_EXTENDED | REG_NOSUB), 0);
	ck_assert_msg(regexec(&expression, received, 0, NULL, 0) == 0, "sent: %s", received);
	regfree(&expression);
	close(fd);
	/* Nobody there: false, and nothing else happens. */
	unlink(address.sun_path);
	ck_assert(!error_log_syslog(address.sun_path, "nobody hears this"));
}
END_TEST

START_TEST(recent_errors_newest_last)
{
	static char lines[3][ERROR_LOG_LINE_MAX];
	char expected[64];
	size_t count, i;

	ck_assert_uint_eq(error_log_recent(lines, 3), 0);
	for (i = 0; i < 7; i++) {
		snprintf(expected, sizeof(expected), "error number %zu", i);
		error_log_to_file("ssh-agent", expected);
	}
	count = error_log_recent(lines, 3);
	ck_assert_uint_eq(count, 3);
	for (i = 0; i < 3; i++) {
		snprintf(expected, sizeof(expected), " ssh-agent: error number %zu", i + 4);
		/* "YYYY-MM-DD HH:MM:SS" then the program and the message */
		ck_assert_uint_eq(strlen(lines[i]), 19 + strlen(expected));
		ck_assert_str_eq(lines[i] + 19, expected);
	}
}
END_TEST

START_TEST(recent_errors_kept_short)
{
	char path[600], message[200];
	struct stat info;
	size_t i;

	memset(message, 'x', sizeof(message) - 1);
	message[sizeof(message) - 1] = '\0';
	for (i = 0; i < 10 * ERROR_LOG_KEEP; i++)
		error_log_to_file("a program", message);
	ck_assert(error_log_path(path, sizeof(path)));
	ck_assert_int_eq(stat(path, &info), 0);
	ck_assert_int_le(info.st_size, ERROR_LOG_KEEP * 200 + 256);
	ck_assert_uint_eq(info.st_mode & 0777, 0600);
}
END_TEST

static Suite *error_log_suite(void)
{
	Suite *suite = suite_create("error_log");
	TCase *tc = tcase_create("log");

	tcase_add_checked_fixture(tc, make_home, remove_home);
	tcase_add_test(tc, syslog_datagram);
	tcase_add_test(tc, recent_errors_newest_last);
	tcase_add_test(tc, recent_errors_kept_short);
	suite_add_tcase(suite, tc);
	return suite;
}

int main(void)
{
	return run_suite(error_log_suite());
}

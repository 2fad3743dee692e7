/*
 * The session ids kept between programs (module/session_file.c): what the
 * file holds, byte for byte, and that a file that does not read right (cut
 * lines, NUL bytes, junk, another owner's mode) is treated as absent.
 */
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "session_file.h"

#define DEVICE "ABCDEF0123456789ABCDEF01"

static char cache_home[512], file_path[600];

static void make_home(void)
{
	temporary_directory("session-file", cache_home, sizeof(cache_home));
	setenv("XDG_CACHE_HOME", cache_home, 1);
	snprintf(file_path, sizeof(file_path), "%s/trezor-pkcs11/" DEVICE ".session", cache_home);
}

static void remove_home(void)
{
	remove_tree(cache_home);
}

/* Write the file as given (length bytes, NULs included), mode 0600. */
static void write_file(const char *text, size_t length)
{
	char directory[600];
	int fd;

	snprintf(directory, sizeof(directory), "%s/trezor-pkcs11", cache_home);
	mkdir(directory, 0700);
	fd = open(file_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, length), (ssize_t)length);
	close(fd);
}

static void write_text(const char *text)
{
	write_file(text, strlen(text));
}

static void id_of(uint8_t id[32], uint8_t fill)
{
	memset(id, fill, 32);
}

START_TEST(kept_per_wallet_newest_first)
{
	uint8_t a[32], b[32], found[SESSION_FILE_ID_MAX];
	struct stat info;
	size_t length;

	id_of(a, 0xaa);
	id_of(b, 0xbb);
	ck_assert(!session_file_find(DEVICE, "", found, &length));
	ck_assert_uint_eq(length, 0);
	session_file_keep(DEVICE, "", a, sizeof(a));
	session_file_keep(DEVICE, "any", b, sizeof(b));
	ck_assert_str_eq(file_text(file_path),
			 "trezor-pkcs11 sessions 1\n"
			 "passphrase-protection unknown\n"
			 "any bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n"
			 "standard aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n");
	ck_assert(session_file_find(DEVICE, "", found, &length));
	ck_assert_uint_eq(length, 32);
	ck_assert_mem_eq(found, a, 32);
	ck_assert(session_file_find(DEVICE, "any", found, &length));
	ck_assert_mem_eq(found, b, 32);
	ck_assert(!session_file_find(DEVICE, "w0011223344556677", found, &length));
	/* A wallet's new session replaces its old one. */
	id_of(a, 0xcc);
	session_file_keep(DEVICE, "", a, sizeof(a));
	ck_assert(session_file_find(DEVICE, "", found, &length));
	ck_assert_mem_eq(found, a, 32);
	ck_assert_str_eq(file_text(file_path),
			 "trezor-pkcs11 sessions 1\n"
			 "passphrase-protection unknown\n"
			 "standard cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc\n"
			 "any bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n");
	/*
	 * An id now another wallet's: the device holds that wallet's session
	 * under it (THP's one-byte ids are the host's choice), so the old
	 * wallet's line goes.
	 */
	session_file_keep(DEVICE, "", b, sizeof(b));
	ck_assert_str_eq(file_text(file_path),
			 "trezor-pkcs11 sessions 1\n"
			 "passphrase-protection unknown\n"
			 "standard bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n");
	ck_assert(!session_file_find(DEVICE, "any", found, &length));
	ck_assert_int_eq(stat(file_path, &info), 0);
	ck_assert_uint_eq(info.st_mode & 0777, 0600);
}
END_TEST

START_TEST(ten_wallets_at_most)
{
	uint8_t id[32], found[SESSION_FILE_ID_MAX];
	char wallet[CACHE_WALLET_MAX];
	size_t length;
	int i;

	for (i = 0; i < 12; i++) {
		snprintf(wallet, sizeof(wallet), "w%016d", i);
		id_of(id, (uint8_t)i);
		session_file_keep(DEVICE, wallet, id, sizeof(id));
	}
	/* The two oldest fell off; the other ten are there. */
	ck_assert(!session_file_find(DEVICE, "w0000000000000000", found, &length));
	ck_assert(!session_file_find(DEVICE, "w0000000000000001", found, &length));
	for (i = 2; i < 12; i++) {
		snprintf(wallet, sizeof(wallet), "w%016d", i);
		ck_assert_msg(session_file_find(DEVICE, wallet, found, &length), "wallet %d", i);
		ck_assert_uint_eq(found[0], (uint8_t)i);
	}
}
END_TEST

START_TEST(protection_noted)
{
	uint8_t id[32], found[SESSION_FILE_ID_MAX];
	size_t length;

	ck_assert_int_eq(session_file_protection(DEVICE), SESSION_FILE_PROTECTION_UNKNOWN);
	id_of(id, 0x11);
	session_file_keep(DEVICE, "any", id, sizeof(id));
	session_file_note_protection(DEVICE, true);
	ck_assert_int_eq(session_file_protection(DEVICE), SESSION_FILE_PROTECTION_ON);
	session_file_note_protection(DEVICE, false);
	ck_assert_int_eq(session_file_protection(DEVICE), SESSION_FILE_PROTECTION_OFF);
	/* Noting it keeps the sessions. */
	ck_assert(session_file_find(DEVICE, "any", found, &length));
	ck_assert_str_eq(file_text(file_path),
			 "trezor-pkcs11 sessions 1\n"
			 "passphrase-protection no\n"
			 "any 1111111111111111111111111111111111111111111111111111111111111111\n");
}
END_TEST

/* Each of these files reads as no file at all. */
START_TEST(bad_files_are_absent)
{
	static const struct {
		const char *text;
		size_t length;
	} files[] = {
#define FILE_OF(text) { text, sizeof(text) - 1 }
		FILE_OF(""),
		FILE_OF("trezor-pkcs11 sessions 1\n"),
		FILE_OF("aaaa\nstandard\n"),    /* the old format */
		FILE_OF("trezor-pkcs11 sessions 1\npassphrase-protection maybe\nstandard aa\n"),
		FILE_OF("trezor-pkcs11 sessions 1\npassphrase-protection no\nstandard aa"),
		FILE_OF("trezor-pkcs11 sessions 1\npassphrase-protection no\nstandard a\n"),
		FILE_OF("trezor-pkcs11 sessions 1\npassphrase-protection no\nstandard AA\n"),
		FILE_OF("trezor-pkcs11 sessions 1\npassphrase-protection no\nstandard \n"),
		FILE_OF("trezor-pkcs11 sessions 1\npassphrase-protection no\n aa\n"),
		FILE_OF("trezor-pkcs11 sessions 1\npassphrase-protection no\nSTANDARD aa\n"),
		FILE_OF("trezor-pkcs11 sessions 1\npassphrase-protection no\n\0tandard aa\n"),
		FILE_OF("trezor-pkcs11 sessions 1\npassphrase-protection no\nstandard a\0\n"),
		FILE_OF("trezor-pkcs11 sessions 1\n\0assphrase-protection no\nstandard aa\n"),
		FILE_OF("\0\n"),
#undef FILE_OF
	};
	uint8_t found[SESSION_FILE_ID_MAX];
	char long_line[400];
	size_t i, length;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		write_file(files[i].text, files[i].length);
		ck_assert_msg(!session_file_find(DEVICE, "", found, &length), "file %zu", i);
		ck_assert_uint_eq(length, 0);
		ck_assert_int_eq(session_file_protection(DEVICE), SESSION_FILE_PROTECTION_UNKNOWN);
	}
	/* An id of 65 bytes is longer than any device's. */
	snprintf(long_line, sizeof(long_line),
		 "trezor-pkcs11 sessions 1\npassphrase-protection no\nstandard %0130d\n", 0);
	write_file(long_line, strlen(long_line));
	ck_assert(!session_file_find(DEVICE, "", found, &length));
	/* The good file beside them reads. */
	write_text("trezor-pkcs11 sessions 1\npassphrase-protection yes\nstandard 00ff\n");
	ck_assert(session_file_find(DEVICE, "", found, &length));
	ck_assert_uint_eq(length, 2);
	ck_assert_uint_eq(found[1], 0xff);
	ck_assert_int_eq(session_file_protection(DEVICE), SESSION_FILE_PROTECTION_ON);
}
END_TEST

START_TEST(a_file_others_may_write_is_ignored)
{
	struct stderr_capture capture;
	uint8_t found[SESSION_FILE_ID_MAX];
	char expected[800];
	size_t length;

	write_text("trezor-pkcs11 sessions 1\npassphrase-protection no\nstandard 00ff\n");
	ck_assert_int_eq(chmod(file_path, 0622), 0);
	stderr_capture(&capture);
	ck_assert(!session_file_find(DEVICE, "", found, &length));
	snprintf(expected, sizeof(expected), "trezor-pkcs11: %s: not our own private file; "
		 "ignored\n", file_path);
	ck_assert_str_eq(stderr_captured(&capture), expected);
	/* The next session replaces it with a private file. */
	session_file_keep(DEVICE, "", found, 2);
	ck_assert(session_file_find(DEVICE, "", found, &length));
}
END_TEST

/*
 * Wallet markers, the part of a file name that names a wallet: scrypt of
 * the passphrase salted with the device id (values from Python's
 * hashlib.scrypt, n=32768 r=8 p=1, 8 bytes), never a fast hash of it.
 */
START_TEST(wallet_markers)
{
	char marker[CACHE_WALLET_MAX];

	cache_wallet_marker("58ACF278961FCEF660089D82", false, "TREZOR", marker);
	ck_assert_str_eq(marker, "");
	cache_wallet_marker("58ACF278961FCEF660089D82", true, NULL, marker);
	ck_assert_str_eq(marker, "any");
	cache_wallet_marker("58ACF278961FCEF660089D82", true, "TREZOR", marker);
	ck_assert_str_eq(marker, "peb561bc928edf306");
	cache_wallet_marker("58ACF278961FCEF660089D82", true, "", marker);
	ck_assert_str_eq(marker, "pcd83adf274706410");
}
END_TEST

static Suite *session_file_suite(void)
{
	Suite *suite = suite_create("session_file");
	TCase *tc = tcase_create("file");

	tcase_add_checked_fixture(tc, make_home, remove_home);
	tcase_add_test(tc, kept_per_wallet_newest_first);
	tcase_add_test(tc, ten_wallets_at_most);
	tcase_add_test(tc, protection_noted);
	tcase_add_test(tc, bad_files_are_absent);
	tcase_add_test(tc, a_file_others_may_write_is_ignored);
	tcase_add_test(tc, wallet_markers);
	suite_add_tcase(suite, tc);
	return suite;
}

int main(void)
{
	return run_suite(session_file_suite());
}

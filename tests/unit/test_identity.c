/* Identity strings, SLIP-0013 URIs and paths. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

#include "helpers.h"
#include "identity.h"

struct accepted {
	const char *text;
	const char *proto, *user, *host, *port, *path;
	const char *display;
};

static const struct accepted accepted[] = {
	{ "example.com", "", "", "example.com", "", "", "example.com" },
	{ "alice@example.com", "", "alice", "example.com", "", "", "alice@example.com" },
	{ "alice@example.com:2222", "", "alice", "example.com", "2222", "",
	  "alice@example.com:2222" },
	{ "alice@example.com:2222/repo/x.git", "", "alice", "example.com", "2222",
	  "/repo/x.git", "alice@example.com:2222/repo/x.git" },
	{ "example.com/path", "", "", "example.com", "", "/path", "example.com/path" },
	{ "[::1]", "", "", "[::1]", "", "", "[::1]" },
	{ "git@[2001:db8::1]:22", "", "git", "[2001:db8::1]", "22", "",
	  "git@[2001:db8::1]:22" },
	{ "ssh://alice@example.com", "ssh", "alice", "example.com", "", "", "alice@example.com" },
	{ "gpg://bob@10.0.0.1:65535", "gpg", "bob", "10.0.0.1", "65535", "", "bob@10.0.0.1:65535" },
	{ "https://satoshi@bitcoin.org/login", "https", "satoshi", "bitcoin.org", "", "/login",
	  "satoshi@bitcoin.org/login" },
	/* The user ends at the last '@' before the path; the path may hold '@'. */
	{ "alice@corp@host", "", "alice@corp", "host", "", "", "alice@corp@host" },
	{ "a@b/c@d", "", "a", "b", "", "/c@d", "a@b/c@d" },
	{ "h:1", "", "", "h", "1", "", "h:1" },
	/* A "://" in the path belongs to the path, written with a protocol or not
	 * (found by fuzzing: the display form of the second did not parse). */
	{ "git@host/a://b", "", "git", "host", "", "/a://b", "git@host/a://b" },
	{ "ssh://git@host/a://b", "ssh", "git", "host", "", "/a://b", "git@host/a://b" },
};

START_TEST(accepts_identity)
{
	const struct accepted *want = &accepted[_i];
	struct identity id;
	char error[256] = "", display[IDENTITY_URI_MAX];

	ck_assert_msg(identity_parse(want->text, &id, error, sizeof(error)), "%s: %s",
		      want->text, error);
	ck_assert_str_eq(id.proto, want->proto);
	ck_assert_str_eq(id.user, want->user);
	ck_assert_str_eq(id.host, want->host);
	ck_assert_str_eq(id.port, want->port);
	ck_assert_str_eq(id.path, want->path);
	ck_assert_uint_eq(id.index, 0);
	identity_display(&id, display, sizeof(display));
	ck_assert_str_eq(display, want->display);
}
END_TEST

struct rejected {
	const char *text;
	const char *error;
};

static const struct rejected rejected[] = {
	{ "", "empty identity" },
	{ "alice@", "host name is missing" },
	{ "@example.com", "user name is missing before '@'" },
	{ ":22", "host name is missing" },
	{ "/path", "host name is missing" },
	{ "example.com:", "port is missing after ':'" },
	{ "example.com:0", "port must be a number from 1 to 65535" },
	{ "example.com:65536", "port must be a number from 1 to 65535" },
	{ "example.com:123456", "port must be a number from 1 to 65535" },
	{ "example.com:ssh", "port must be a number from 1 to 65535" },
	{ "example.com:-1", "port must be a number from 1 to 65535" },
	{ "alice @example.com", "spaces and control characters are not allowed" },
	{ "alice@example.com\t", "spaces and control characters are not allowed" },
	{ "alice@exa\x7fmple.com", "spaces and control characters are not allowed" },
	{ "[::1", "'[' without a closing ']' in the host" },
	{ "[::1]x", "unexpected text after ']' in the host" },
	{ "[]", "host name is missing" },
	{ "ex[ample", "'[' is only allowed around an IPv6 host" },
	{ "://host", "nothing before \"://\"" },
	{ "SSH://host", "\"SSH\" is not a protocol name" },
	{ "verylongproto://host", "protocol is 13 bytes long; a Trezor accepts at most 8" },
};

START_TEST(rejects_identity)
{
	const struct rejected *want = &rejected[_i];
	struct identity id;
	char error[256] = "";

	ck_assert_msg(!identity_parse(want->text, &id, error, sizeof(error)), "accepted \"%s\"",
		      want->text);
	ck_assert_str_eq(error, want->error);
}
END_TEST

/* "x" repeated n times. */
static const char *repeat(char *buffer, char c, size_t n)
{
	memset(buffer, c, n);
	buffer[n] = '\0';
	return buffer;
}

START_TEST(trezor_one_limits)
{
	char part[300], text[700], error[256];
	struct identity id;

	snprintf(text, sizeof(text), "%s@h", repeat(part, 'u', 63));
	ck_assert(identity_parse(text, &id, error, sizeof(error)));
	snprintf(text, sizeof(text), "%s@h", repeat(part, 'u', 64));
	ck_assert(!identity_parse(text, &id, error, sizeof(error)));
	ck_assert_str_eq(error, "user name is 64 bytes long; a Trezor accepts at most 63");

	ck_assert(identity_parse(repeat(part, 'h', 63), &id, error, sizeof(error)));
	ck_assert(!identity_parse(repeat(part, 'h', 64), &id, error, sizeof(error)));
	ck_assert_str_eq(error, "host is 64 bytes long; a Trezor accepts at most 63");

	snprintf(text, sizeof(text), "h/%s", repeat(part, 'p', 254));
	ck_assert(identity_parse(text, &id, error, sizeof(error)));
	ck_assert_uint_eq(strlen(id.path), 255);
	snprintf(text, sizeof(text), "h/%s", repeat(part, 'p', 255));
	ck_assert(!identity_parse(text, &id, error, sizeof(error)));
	ck_assert_str_eq(error, "path is 256 bytes long; a Trezor accepts at most 255");

	ck_assert(identity_parse("abcdefgh://h", &id, error, sizeof(error)));
	ck_assert(!identity_parse("abcdefghi://h", &id, error, sizeof(error)));
	ck_assert_str_eq(error, "protocol is 9 bytes long; a Trezor accepts at most 8");
}
END_TEST

static void assert_path(const char *text, const char *proto, const char *uri,
			const uint32_t expected[SLIP13_PATH_DEPTH])
{
	struct identity id;
	char error[256], built[IDENTITY_URI_MAX];
	uint32_t path[SLIP13_PATH_DEPTH];

	ck_assert(identity_parse(text, &id, error, sizeof(error)));
	if (proto != NULL)
		snprintf(id.proto, sizeof(id.proto), "%s", proto);
	identity_uri(&id, built, sizeof(built));
	ck_assert_str_eq(built, uri);
	ck_assert(identity_slip13_path(&id, path));
	ck_assert_mem_eq(path, expected, sizeof(path));
}

START_TEST(slip13_example)
{
	/* SLIP-0013's own example (HACKING 5.6). */
	static const uint32_t expected[] = { 2147483661u, 2637750992u, 2845082444u, 3761103859u,
					     4005495825u };

	assert_path("https://satoshi@bitcoin.org/login", NULL, "https://satoshi@bitcoin.org/login",
		    expected);
}
END_TEST

START_TEST(slip13_gpg_alice)
{
	/* The emulator vector: gpg://alice@example.com, index 0. */
	static const uint32_t expected[] = { 0x80000000u | 13, 0x80000000u | 1443763744u,
					     0x80000000u | 268988321u, 0x80000000u | 501076312u,
					     0x80000000u | 597996507u };

	assert_path("alice@example.com", "gpg", "gpg://alice@example.com", expected);
	assert_path("ssh://alice@example.com", "gpg", "gpg://alice@example.com", expected);
}
END_TEST

START_TEST(slip13_index_changes_path)
{
	struct identity id;
	char error[256];
	uint32_t first[SLIP13_PATH_DEPTH], second[SLIP13_PATH_DEPTH];

	ck_assert(identity_parse("gpg://alice@example.com", &id, error, sizeof(error)));
	ck_assert(identity_slip13_path(&id, first));
	id.index = 1;
	ck_assert(identity_slip13_path(&id, second));
	ck_assert_uint_eq(first[0], second[0]);
	ck_assert_int_ne(memcmp(first + 1, second + 1, 4 * sizeof(uint32_t)), 0);
}
END_TEST

static Suite *identity_suite(void)
{
	Suite *suite = suite_create("identity");
	TCase *syntax = tcase_create("syntax");
	TCase *slip13 = tcase_create("slip13");

	tcase_add_loop_test(syntax, accepts_identity, 0, sizeof(accepted) / sizeof(accepted[0]));
	tcase_add_loop_test(syntax, rejects_identity, 0, sizeof(rejected) / sizeof(rejected[0]));
	tcase_add_test(syntax, trezor_one_limits);
	tcase_add_test(slip13, slip13_example);
	tcase_add_test(slip13, slip13_gpg_alice);
	tcase_add_test(slip13, slip13_index_changes_path);
	suite_add_tcase(suite, syntax);
	suite_add_tcase(suite, slip13);
	return suite;
}

int main(void)
{
	return run_suite(identity_suite());
}

/* The identities file parser: what it keeps, and the exact lines it reports. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"
#include "identities_file.h"

static char file_path[512], stderr_path[512];

/* Write `text` to a file and parse it with stderr captured. */
static void parse_text(const char *text, size_t length, struct identity_list *list)
{
	const char *tmp = getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp";
	int fd, saved;

	snprintf(file_path, sizeof(file_path), "%s/identities-XXXXXX", tmp);
	snprintf(stderr_path, sizeof(stderr_path), "%s/stderr-XXXXXX", tmp);
	fd = mkstemp(file_path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, length), (ssize_t)length);
	close(fd);
	fd = mkstemp(stderr_path);
	ck_assert_int_ge(fd, 0);
	saved = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	identities_read_file(file_path, list);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fd);
}

/* What the parser wrote on stderr, with the file's name shown as FILE. */
static const char *reported(void)
{
	static char text[4096];
	char line[1024];
	FILE *log = fopen(stderr_path, "r");

	text[0] = '\0';
	ck_assert_ptr_nonnull(log);
	while (fgets(line, sizeof(line), log) != NULL) {
		char *name = file_path[0] != '\0' ? strstr(line, file_path) : NULL;

		if (name != NULL) {
			memmove(name + 4, name + strlen(file_path), strlen(name + strlen(file_path)) + 1);
			memcpy(name, "FILE", 4);
		}
		strncat(text, line, sizeof(text) - strlen(text) - 1);
	}
	fclose(log);
	unlink(stderr_path);
	if (file_path[0] != '\0')
		unlink(file_path);
	return text;
}

START_TEST(keeps_good_lines_in_order)
{
	static const char text[] = "carol@example.net\r\n\tssh://alice@example.com\t# tab\n"
				   "  \n#x\nbob@[::1]:22/p\n";
	struct identity_list list;

	parse_text(text, sizeof(text) - 1, &list);
	ck_assert_str_eq(reported(), "");
	ck_assert_uint_eq(list.length, 3);
	ck_assert_str_eq(list.items[0].label, "carol@example.net");
	ck_assert_str_eq(list.items[1].label, "alice@example.com");
	ck_assert_str_eq(list.items[1].identity.proto, "gpg");
	ck_assert_str_eq(list.items[2].label, "bob@[::1]:22/p");
	ck_assert_str_eq(list.path, file_path);
	identities_free(&list);
}
END_TEST

START_TEST(reports_and_skips_bad_lines)
{
	char text[2200];
	struct identity_list list;
	size_t n;

	n = (size_t)snprintf(text, sizeof(text), "a@b c\nx@y:0\n");
	memset(text + n, 'h', 1100);
	n += 1100;
	n += (size_t)snprintf(text + n, sizeof(text) - n, "\nok@host\nssh://ok@host\nok@host\n");
	parse_text(text, n, &list);
	ck_assert_str_eq(reported(),
			 "trezor-pkcs11: FILE:1: \"c\" is not a key type (ed25519 or nist256p1; "
			 "comments start with #)\n"
			 "trezor-pkcs11: FILE:2: port must be a number from 1 to 65535\n"
			 "trezor-pkcs11: FILE:3: line is longer than 1024 bytes\n");
	/* ok@host, ssh://ok@host and ok@host are one key. */
	ck_assert_uint_eq(list.length, 1);
	ck_assert_str_eq(list.items[0].label, "ok@host");
	identities_free(&list);
}
END_TEST

/*
 * A line may end with its key type: ed25519 is trezor-agent's ssh:// key,
 * labelled with trezor-agent's comment; nist256p1 (the default) the gpg://
 * key. The two of one identity are two keys, with their own CKA_ID: the
 * first 16 bytes of SHA-256(00000000 || "ssh://..." or "gpg://...").
 */
START_TEST(key_types)
{
	static const char text[] = "alice@example.com ed25519\n"
				   "alice@example.com\n"
				   "ssh://alice@example.com\ted25519\t# trezor-agent's\n"
				   "alice@example.com nist256p1 # the same P-256 key\n"
				   "bob@example.org:2222 ed25519 #\n";
	uint8_t ssh_alice[16], gpg_alice[16], ssh_bob[16];
	char name[IDENTITIES_LABEL_MAX + 1], line[IDENTITIES_LINE_MAX];
	struct identity_list list;

	hex_to_bytes("48074c50cb627e9a01485c49aca089b2", ssh_alice, sizeof(ssh_alice));
	hex_to_bytes("20160ed6a16f089058d1dd9ddbb3a4a3", gpg_alice, sizeof(gpg_alice));
	hex_to_bytes("71d738ed365e21e8c43b13e2cab3a82e", ssh_bob, sizeof(ssh_bob));
	parse_text(text, sizeof(text) - 1, &list);
	ck_assert_str_eq(reported(), "");
	ck_assert_uint_eq(list.length, 3);
	ck_assert_int_eq(list.items[0].curve, KEY_CURVE_ED25519);
	ck_assert_str_eq(list.items[0].identity.proto, "ssh");
	ck_assert_str_eq(list.items[0].label, "<ssh://alice@example.com|ed25519>");
	ck_assert_mem_eq(list.items[0].id, ssh_alice, 16);
	ck_assert_int_eq(list.items[1].curve, KEY_CURVE_NIST256P1);
	ck_assert_str_eq(list.items[1].identity.proto, "gpg");
	ck_assert_str_eq(list.items[1].label, "alice@example.com");
	ck_assert_mem_eq(list.items[1].id, gpg_alice, 16);
	ck_assert_int_eq(list.items[2].curve, KEY_CURVE_ED25519);
	ck_assert_str_eq(list.items[2].label, "<ssh://bob@example.org:2222|ed25519>");
	ck_assert_mem_eq(list.items[2].id, ssh_bob, 16);
	/* Prompts name the identity plainly; the file's line has the type. */
	key_identity_name(&list.items[0], name);
	ck_assert_str_eq(name, "alice@example.com");
	key_identity_line(&list.items[0], line, sizeof(line));
	ck_assert_str_eq(line, "alice@example.com ed25519");
	key_identity_line(&list.items[1], line, sizeof(line));
	ck_assert_str_eq(line, "alice@example.com");
	identities_free(&list);
}
END_TEST

START_TEST(bad_key_types)
{
	static const char text[] = "a@b ed448\n"
				   "a@b ED25519\n"
				   "a@b ed25519 extra\n"
				   "a@b nist256p1 ed25519\n"
				   "gpg://a@b ed25519\n"
				   "https://a@b ed25519\n"
				   "@b ed25519\n"
				   "ssh://#a@b\n"
				   "a@b ed25519\n";
	struct identity_list list;

	parse_text(text, sizeof(text) - 1, &list);
	ck_assert_str_eq(reported(),
			 "trezor-pkcs11: FILE:1: \"ed448\" is not a key type (ed25519 or nist256p1; "
			 "comments start with #)\n"
			 "trezor-pkcs11: FILE:2: \"ED25519\" is not a key type (ed25519 or "
			 "nist256p1; comments start with #)\n"
			 "trezor-pkcs11: FILE:3: unexpected text after the key type (comments start "
			 "with #)\n"
			 "trezor-pkcs11: FILE:4: unexpected text after the key type (comments start "
			 "with #)\n"
			 "trezor-pkcs11: FILE:5: an ed25519 key is trezor-agent's ssh:// key: write "
			 "the identity alone (or with ssh://)\n"
			 "trezor-pkcs11: FILE:6: \"https://\" is not accepted: write the identity "
			 "alone (or with ssh://)\n"
			 "trezor-pkcs11: FILE:7: user name is missing before '@'\n"
			 "trezor-pkcs11: FILE:8: an identity cannot start with # (without its ssh:// "
			 "it would be a comment)\n");
	ck_assert_uint_eq(list.length, 1);
	ck_assert_str_eq(list.items[0].label, "<ssh://a@b|ed25519>");
	identities_free(&list);
}
END_TEST

/* An Ed25519 label is trezor-agent's comment, cut at 255 bytes like any label. */
START_TEST(ed25519_labels_are_cut_at_255_bytes)
{
	char text[400], label[300];
	struct identity_list list;
	int n;

	n = snprintf(text, sizeof(text), "u@h/");
	memset(text + n, 'p', 250);
	n += 250;
	n += snprintf(text + n, sizeof(text) - (size_t)n, " ed25519\n");
	parse_text(text, (size_t)n, &list);
	ck_assert_str_eq(reported(), "");
	ck_assert_uint_eq(list.length, 1);
	n = snprintf(label, sizeof(label), "<ssh://u@h/");
	memset(label + n, 'p', 255 - (size_t)n);
	label[255] = '\0';
	ck_assert_str_eq(list.items[0].label, label);
	identities_free(&list);
}
END_TEST

START_TEST(ids_come_from_the_identity)
{
	static const char first[] = "a@h\nb@h\n", second[] = "b@h\na@h\n";
	struct identity_list one, two;

	parse_text(first, sizeof(first) - 1, &one);
	reported();
	parse_text(second, sizeof(second) - 1, &two);
	reported();
	ck_assert_mem_eq(one.items[0].id, two.items[1].id, IDENTITIES_ID_SIZE);
	ck_assert_mem_eq(one.items[1].id, two.items[0].id, IDENTITIES_ID_SIZE);
	ck_assert_int_ne(memcmp(one.items[0].id, one.items[1].id, IDENTITIES_ID_SIZE), 0);
	identities_free(&one);
	identities_free(&two);
}
END_TEST

/* A label longer than ssh reads is cut at 255 bytes, never inside a UTF-8
 * sequence; text that is not UTF-8 loses at most 3 bytes more (found by
 * fuzzing: a run of stray continuation bytes cut the label to "u@h/"). */
START_TEST(labels_are_cut_at_255_bytes)
{
	char text[600], label[300];
	struct identity_list list;
	int i, n;

	n = snprintf(text, sizeof(text), "u@h/");
	for (i = 0; i < 126; i++)
		n += snprintf(text + n, sizeof(text) - (size_t)n, "\xc3\xa9");
	n += snprintf(text + n, sizeof(text) - (size_t)n, "\nv@h/");
	memset(text + n, 0x80, 254);
	n += 254;
	text[n++] = '\n';
	parse_text(text, (size_t)n, &list);
	ck_assert_str_eq(reported(), "");
	ck_assert_uint_eq(list.length, 2);
	memcpy(label, text, 254);               /* "u@h/" and 125 whole sequences */
	label[254] = '\0';
	ck_assert_str_eq(list.items[0].label, label);
	memcpy(label, "v@h/", 4);
	memset(label + 4, 0x80, 248);
	label[252] = '\0';
	ck_assert_str_eq(list.items[1].label, label);
	identities_free(&list);
}
END_TEST

START_TEST(missing_file)
{
	struct identity_list list;
	int fd, saved;

	snprintf(stderr_path, sizeof(stderr_path), "%s/stderr-XXXXXX",
		 getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	fd = mkstemp(stderr_path);
	saved = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	identities_read_file("/nonexistent/identities", &list);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fd);
	file_path[0] = '\0';
	ck_assert_str_eq(reported(), "trezor-pkcs11: /nonexistent/identities: cannot read: "
				     "No such file or directory\n");
	ck_assert_uint_eq(list.length, 0);
}
END_TEST

/*
 * A pipe as the identities file (process substitution, a FIFO): its size
 * says nothing of what comes. Hundreds of identities, each twice, all
 * arrive once each (the duplicate table grows as it fills; it once stopped
 * at 128 and looped forever on the 129th).
 */
START_TEST(a_pipe_of_many_identities)
{
	const char *tmp = getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp";
	char fifo[512], expected[64];
	struct identity_list list;
	pid_t writer;
	FILE *out;
	int i, round;

	snprintf(fifo, sizeof(fifo), "%s/identities-fifo-%d", tmp, (int)getpid());
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	writer = fork();
	ck_assert_int_ge(writer, 0);
	if (writer == 0) {
		out = fopen(fifo, "w");
		for (round = 0; out != NULL && round < 2; round++)
			for (i = 0; i < 500; i++)
				fprintf(out, "user%d@host%d.example\n", i, i);
		_exit(out != NULL && fclose(out) == 0 ? 0 : 1);
	}
	identities_read_file(fifo, &list);
	waitpid(writer, NULL, 0);
	unlink(fifo);
	ck_assert_uint_eq(list.length, 500);
	for (i = 0; i < 500; i++) {
		snprintf(expected, sizeof(expected), "user%d@host%d.example", i, i);
		ck_assert_str_eq(list.items[i].label, expected);
	}
	identities_free(&list);
}
END_TEST

static Suite *identities_file_suite(void)
{
	Suite *suite = suite_create("identities file");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, keeps_good_lines_in_order);
	tcase_add_test(tc, reports_and_skips_bad_lines);
	tcase_add_test(tc, key_types);
	tcase_add_test(tc, bad_key_types);
	tcase_add_test(tc, ed25519_labels_are_cut_at_255_bytes);
	tcase_add_test(tc, ids_come_from_the_identity);
	tcase_add_test(tc, labels_are_cut_at_255_bytes);
	tcase_add_test(tc, missing_file);
	tcase_add_test(tc, a_pipe_of_many_identities);
	suite_add_tcase(suite, tc);
	return suite;
}

int main(void)
{
	return run_suite(identities_file_suite());
}

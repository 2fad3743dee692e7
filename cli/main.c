/*
 * trezor-pkcs11: list devices and identities, add identities, print their
 * public keys for authorized_keys, check a set-up (doctor), pair a Safe 7
 * (pair, unpair). See cli.h and trezor-pkcs11(1).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage_text[] =
	"usage: trezor-pkcs11 COMMAND [ARGUMENTS]\n"
	"\n"
	"  list                   the Trezors found, and the identities file with its\n"
	"                         identities\n"
	"  add IDENTITY...        add identities to the identities file and print\n"
	"                         their public keys as authorized_keys lines\n"
	"  pubkey [IDENTITY...]   the authorized_keys lines of these identities (of\n"
	"                         all in the identities file when none is named)\n"
	"  doctor                 check the set-up and explain what is wrong\n"
	"  pair [--no-autoconnect]  pair this computer with a Trezor Safe 7 ahead of use\n"
	"  unpair DEVICE-ID|--all   forget a Safe 7's pairing: the next use pairs again\n"
	"  help                   this text (trezor-pkcs11 COMMAND --help: one command)\n"
	"  --version              the version\n"
	"\n"
	"An identity is [user@]host[:port][/path], like alice@example.com.\n"
	"Exit status: 0 done (doctor: all is well), 1 failed (doctor: a problem\n"
	"found), 2 bad arguments. The module is " MODULE_PATH ".\n"
	"More in trezor-pkcs11(1), trezor-pkcs11(8), trezor-pkcs11-identities(5).\n";

bool cli_wants_help(int argc, char **argv, const char *usage)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(usage, stdout);
			return true;
		}
	}
	return false;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(int argc, char **argv);
	} commands[] = {
		{ "list", cli_list },
		{ "add", cli_add },
		{ "pubkey", cli_pubkey },
		{ "doctor", cli_doctor },
		{ "pair", cli_pair },
		{ "unpair", cli_unpair },
	};
	size_t i;

	if (argc < 2) {
		fputs(usage_text, stderr);
		return CLI_USAGE;
	}
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		fputs(usage_text, stdout);
		return CLI_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("trezor-pkcs11 %s\n", PACKAGE_VERSION);
		return CLI_OK;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	cli_error("no command \"%s\" (try: trezor-pkcs11 help)", argv[1]);
	return CLI_USAGE;
}

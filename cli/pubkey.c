/* trezor-pkcs11 pubkey [-e ed25519] [IDENTITY...]: authorized_keys lines. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
	"usage: trezor-pkcs11 pubkey [-e ed25519|nist256p1] [IDENTITY...]\n"
	"\n"
	"Print the public key of each identity as an authorized_keys line:\n"
	"  ecdsa-sha2-nistp256 AAAA... IDENTITY\n"
	"  ssh-ed25519 AAAA... <ssh://IDENTITY|ed25519>     (with -e ed25519)\n"
	"With no identity named, those of the identities file, in its order.\n"
	"The keys come from the first Trezor (TREZOR_PATH chooses another) or\n"
	"from the key cache; a locked Trezor asks for its PIN.\n";

int cli_pubkey(int argc, char **argv)
{
	struct identity_list chosen;
	const char *type;
	int result;

	if (cli_wants_help(argc, argv, usage))
		return CLI_OK;
	if (!cli_take_key_type("pubkey", &argc, argv, &type))
		return CLI_USAGE;
	if (argc == 1 && type != NULL) {
		cli_error("pubkey: -e chooses the key type of the identities named: name one");
		return CLI_USAGE;
	}
	if (argc == 1)
		return cli_print_keys(NULL);
	if (!cli_parse_identities(argv + 1, argc - 1, type, &chosen)) {
		identities_free(&chosen);
		return CLI_USAGE;
	}
	result = cli_print_keys(&chosen);
	identities_free(&chosen);
	return result;
}

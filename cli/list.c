/*
 * trezor-pkcs11 list: the Trezors the module finds (and those it cannot
 * use, with why), then the identities file in use and its identities.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "thp_credentials.h"

static const char usage[] =
	"usage: trezor-pkcs11 list\n"
	"\n"
	"Show the Trezors found (model, label, path, firmware, locked or not, and a\n"
	"Safe 7's pairing), those found but not usable and why, the Safe 7s this\n"
	"computer is paired with, and the identities file in use with its\n"
	"identities. It pairs nothing (trezor-pkcs11 pair does). TREZOR_PATH and\n"
	"TREZOR_PKCS11_IDENTITIES are obeyed.\n";

/* A fixed-length PKCS#11 string, without its padding. */
static void unpad(const CK_UTF8CHAR *field, size_t size, char *out, size_t out_size)
{
	size_t length = size;

	while (length > 0 && field[length - 1] == ' ')
		length--;
	snprintf(out, out_size, "%.*s", (int)length, (const char *)field);
}

static void print_device(CK_FUNCTION_LIST *p11, const struct inventory_device *device)
{
	const struct trezor_features *features = &device->features;
	CK_TOKEN_INFO token;
	char model[sizeof(token.model) + 1] = "Trezor";

	if (p11->C_GetTokenInfo(device->slot_id, &token) == CKR_OK)
		unpad(token.model, sizeof(token.model), model, sizeof(model));
	/* The label was made safe to print when it was read (text.h). */
	printf("%s \"%s\" at %s: firmware %u.%u.%u, %s%s%s\n", model, features->label,
	       device->path, features->major_version, features->minor_version,
	       features->patch_version, cli_lock_state(features),
	       features->passphrase_protection ? ", passphrase protection on" : "",
	       cli_pairing_state(features));
}

/* The devices, and those discovery could not use (with why). */
static void list_devices(CK_FUNCTION_LIST *p11)
{
	struct cli_devices found;
	size_t i;

	cli_find_devices(p11, &found);
	if (found.device_count == 0 && found.problem_count == 0)
		printf("no Trezor found\n");
	for (i = 0; i < found.device_count; i++)
		print_device(p11, &found.devices[i]);
	for (i = 0; i < found.problem_count; i++)
		printf("not usable: %s\n", found.problems[i].message);
}

static void list_identities(void)
{
	struct identity_list list;
	char path[IDENTITIES_PATH_MAX], user[IDENTITIES_PATH_MAX];
	bool from_environment;
	char line[IDENTITIES_LINE_MAX];
	size_t i;

	if (!identities_file_path(path, sizeof(path), &from_environment)) {
		if (!identities_user_path(user, sizeof(user)))
			snprintf(user, sizeof(user), "~/.config/trezor-pkcs11/identities");
		printf("no identities file (trezor-pkcs11 add you@example.com starts %s)\n", user);
		return;
	}
	identities_read_file(path, &list);
	printf("identities in %s:%s\n", path, list.length == 0 ? " none" : "");
	for (i = 0; i < list.length; i++) {
		key_identity_line(&list.items[i], line, sizeof(line));
		printf("  %s\n", line);
	}
	identities_free(&list);
}

/* The pairings kept (thp_credentials.h), attached or not. */
static void list_pairings(void)
{
	struct thp_credentials kept;
	char path[512];
	size_t i;

	thp_credentials_read(&kept);
	if (kept.count > 0 && thp_credentials_path("thp-credentials", path, sizeof(path)))
		printf("paired Trezors (%s):\n", path);
	for (i = 0; i < kept.count; i++)
		printf("  %s%s\n", kept.stored[i].device_id[0] ? kept.stored[i].device_id
							      : "(device id not known yet)",
		       kept.stored[i].autoconnect ? ", connects without asking" : "");
	thp_credentials_wipe(&kept);
}

int cli_list(int argc, char **argv)
{
	CK_FUNCTION_LIST *p11 = cli_module();

	if (cli_wants_help(argc, argv, usage))
		return CLI_OK;
	if (argc > 1) {
		cli_error("list takes no arguments");
		return CLI_USAGE;
	}
	discovery_set_pairing(false, false);     /* only look */
	if (p11->C_Initialize(NULL) != CKR_OK) {
		cli_error("the module did not start");
		return CLI_FAILED;
	}
	list_devices(p11);
	list_pairings();
	list_identities();
	p11->C_Finalize(NULL);
	return fflush(stdout) == 0 ? CLI_OK : CLI_FAILED;
}

/*
 * trezor-pkcs11 pair: pair this computer with the Trezors that speak THP (a
 * Safe 7) ahead of use, and choose whether they connect without asking;
 * trezor-pkcs11 unpair: forget a pairing.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "discovery.h"
#include "thp_credentials.h"

static const char pair_usage[] =
	"usage: trezor-pkcs11 pair [--no-autoconnect]\n"
	"\n"
	"Pair this computer with each Trezor Safe 7 found (TREZOR_PATH names one), so\n"
	"that every program using the module connects to it without pairing again:\n"
	"confirm on the Trezor, then type the six-digit code it shows into pinentry.\n"
	"The Trezor then offers to let trezor-pkcs11 connect without asking\n"
	"(autoconnect); refused, it asks to allow each new connection after it\n"
	"restarted. A Trezor paired before is offered autoconnect again, unless it has\n"
	"it. With --no-autoconnect nothing is offered, and a Trezor that connects\n"
	"without asking asks again from now on. Other models need no pairing.\n"
	"The pairing is kept in ${XDG_DATA_HOME:-~/.local/share}/trezor-pkcs11/.\n";

static const char unpair_usage[] =
	"usage: trezor-pkcs11 unpair DEVICE-ID | --all\n"
	"\n"
	"Forget this computer's pairing with the Trezor of this device id (trezor-pkcs11\n"
	"list shows it), or with every Trezor: the next program that uses it pairs\n"
	"again. The Trezor itself keeps no list of computers to remove one from.\n";

static const char *pairing_text(enum trezor_pairing pairing)
{
	switch (pairing) {
	case TREZOR_PAIRING_AUTOCONNECT: return "paired, connects without asking";
	case TREZOR_PAIRING_CONFIRM: return "paired, asks to allow each connection after a restart";
	case TREZOR_PAIRING_UNPAIRED: return "not paired";
	default: return "needs no pairing";
	}
}

/* Was this device paired before this run (its id among the credentials kept)? */
static bool paired_before(const struct thp_credentials *before, const char *device_id)
{
	return thp_credentials_find(before, device_id) != NULL;
}

/* One paired device: offer or take back autoconnect as asked; its line. */
static bool settle(CK_FUNCTION_LIST *p11, const struct inventory_device *device,
		   const struct thp_credentials *before, bool autoconnect)
{
	enum trezor_pairing pairing = device->features.pairing;
	CK_TOKEN_INFO token;
	char model[sizeof(token.model) + 1] = "Trezor";
	size_t length = sizeof(token.model);
	CK_RV rv = CKR_OK;

	if (p11->C_GetTokenInfo(device->slot_id, &token) == CKR_OK) {
		while (length > 0 && token.model[length - 1] == ' ')
			length--;
		snprintf(model, sizeof(model), "%.*s", (int)length, (const char *)token.model);
	}
	if (pairing == TREZOR_PAIRING_CONFIRM && autoconnect &&
	    paired_before(before, device->features.device_id))
		rv = inventory_set_autoconnect(device->slot_id, true, &pairing);
	else if (pairing == TREZOR_PAIRING_AUTOCONNECT && !autoconnect)
		rv = inventory_set_autoconnect(device->slot_id, false, &pairing);
	if (rv == CKR_FUNCTION_CANCELED) {
		rv = CKR_OK;            /* the person said no: the plain credential stays */
		pairing = TREZOR_PAIRING_CONFIRM;
	}
	printf("%s \"%s\" at %s (device id %s): %s\n", model, device->features.label,
	       device->path, device->features.device_id, pairing_text(pairing));
	return rv == CKR_OK;
}

int cli_pair(int argc, char **argv)
{
	CK_FUNCTION_LIST *p11 = cli_module();
	struct inventory_device devices[CLI_DEVICES_MAX];
	struct discovery_problem problems[CLI_DEVICES_MAX];
	struct thp_credentials before;
	size_t device_count = 0, problem_count = 0, i, paired = 0;
	CK_ULONG slots = 0;
	bool autoconnect = true, ok = true;

	if (cli_wants_help(argc, argv, pair_usage))
		return CLI_OK;
	if (argc == 2 && strcmp(argv[1], "--no-autoconnect") == 0) {
		autoconnect = false;
	} else if (argc != 1) {
		fputs(pair_usage, stderr);
		return CLI_USAGE;
	}
	thp_credentials_read(&before);
	discovery_set_pairing(true, autoconnect);
	if (p11->C_Initialize(NULL) != CKR_OK) {
		cli_error("the module did not start");
		return CLI_FAILED;
	}
	/* Discovery pairs what needs it; its questions go to the person as they come. */
	p11->C_GetSlotList(CK_TRUE, NULL, &slots);
	inventory_devices(devices, CLI_DEVICES_MAX, &device_count);
	inventory_problems(problems, CLI_DEVICES_MAX, &problem_count);
	for (i = 0; i < device_count && i < CLI_DEVICES_MAX; i++) {
		if (devices[i].features.pairing == TREZOR_PAIRING_NONE)
			continue;
		paired++;
		ok = settle(p11, &devices[i], &before, autoconnect) && ok;
	}
	for (i = 0; i < problem_count && i < CLI_DEVICES_MAX; i++)
		printf("not paired: %s\n", problems[i].message);
	p11->C_Finalize(NULL);
	thp_credentials_wipe(&before);
	if (paired == 0 && problem_count == 0)
		printf("no Trezor that needs pairing (a Safe 7) found; other models need none\n");
	if (fflush(stdout) != 0)
		return CLI_FAILED;
	return ok && paired > 0 && problem_count == 0 ? CLI_OK : CLI_FAILED;
}

int cli_unpair(int argc, char **argv)
{
	int dropped;

	if (cli_wants_help(argc, argv, unpair_usage))
		return CLI_OK;
	if (argc != 2 || argv[1][0] == '\0' || (argv[1][0] == '-' && strcmp(argv[1], "--all") != 0)) {
		fputs(unpair_usage, stderr);
		return CLI_USAGE;
	}
	dropped = thp_credentials_forget(strcmp(argv[1], "--all") == 0 ? NULL : argv[1]);
	if (dropped < 0) {
		cli_error("the THP credentials could not be written back");
		return CLI_FAILED;
	}
	if (dropped == 0) {
		cli_error("no pairing with %s is kept", strcmp(argv[1], "--all") == 0 ?
			  "any Trezor" : argv[1]);
		return CLI_FAILED;
	}
	printf("forgot the pairing with %d Trezor%s: the next program pairs again\n", dropped,
	       dropped == 1 ? "" : "s");
	return fflush(stdout) == 0 ? CLI_OK : CLI_FAILED;
}

/* The Trezors the module finds, for list and doctor. See cli.h. */
#include "config.h"

#include <string.h>

#include "cli.h"
#include "log.h"

/*
 * The module's "no Trezor found" (a program that found an identities file but
 * no device) points at `trezor-pkcs11 list`; list and doctor say it their own
 * way, with what to do, so they leave that one out.
 */
static void drop_no_trezor_found(struct cli_devices *found)
{
	size_t i, kept = 0;

	for (i = 0; i < found->problem_count; i++) {
		if (strcmp(found->problems[i].path, "none") == 0)
			continue;
		if (kept != i)
			found->problems[kept] = found->problems[i];
		kept++;
	}
	found->problem_count = kept;
}

void cli_find_devices(CK_FUNCTION_LIST *p11, struct cli_devices *found)
{
	CK_ULONG slots = 0;

	found->device_count = 0;
	found->problem_count = 0;
	/* Quiet: the caller shows the problems discovery would have printed. */
	log_set_quiet(true);
	p11->C_GetSlotList(CK_TRUE, NULL, &slots);
	inventory_devices(found->devices, CLI_DEVICES_MAX, &found->device_count);
	inventory_problems(found->problems, CLI_DEVICES_MAX, &found->problem_count);
	log_set_quiet(false);
	if (found->device_count > CLI_DEVICES_MAX)
		found->device_count = CLI_DEVICES_MAX;
	if (found->problem_count > CLI_DEVICES_MAX)
		found->problem_count = CLI_DEVICES_MAX;
	drop_no_trezor_found(found);
}

const char *cli_pairing_state(const struct trezor_features *features)
{
	switch (features->pairing) {
	case TREZOR_PAIRING_AUTOCONNECT: return ", paired (connects without asking)";
	case TREZOR_PAIRING_CONFIRM:
		return ", paired (asks to allow each connection after a restart)";
	case TREZOR_PAIRING_UNPAIRED: return ", not paired";
	default: return "";
	}
}

const char *cli_lock_state(const struct trezor_features *features)
{
	if (!features->pin_protection)
		return "no PIN";
	return features->unlocked ? "unlocked" : "locked";
}

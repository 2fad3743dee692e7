/* The devices behind the slots, for the trezor-pkcs11 command. See inventory.h. */
#include "config.h"

#include "inventory.h"

#include <stdio.h>

#include "api.h"
#include "conversation.h"
#include "module.h"
#include "prompt.h"
#include "slot.h"

#define LISTED_MAX 64

CK_RV inventory_devices(struct inventory_device *out, size_t room, size_t *count)
{
	struct slot *listed[LISTED_MAX];
	size_t i, length;
	CK_RV rv = module_enter();

	*count = 0;
	if (rv != CKR_OK)
		return rv;
	length = slots_list(true, listed, LISTED_MAX);
	if (length > LISTED_MAX)
		length = LISTED_MAX;
	for (i = 0; i < length && i < room; i++) {
		out[i].slot_id = listed[i]->id;
		snprintf(out[i].path, sizeof(out[i].path), "%s", listed[i]->path);
		out[i].features = listed[i]->features;
	}
	*count = length;
	module_leave();
	return CKR_OK;
}

CK_RV inventory_problems(struct discovery_problem *out, size_t room, size_t *count)
{
	CK_RV rv = module_enter();

	*count = 0;
	if (rv != CKR_OK)
		return rv;
	*count = discovery_problems(out, room);
	module_leave();
	return CKR_OK;
}

CK_RV inventory_set_autoconnect(CK_SLOT_ID slot_id, bool autoconnect,
				enum trezor_pairing *pairing)
{
	struct prompt_context prompt;
	struct slot *slot;
	CK_RV rv = module_enter(), resumed;

	*pairing = TREZOR_PAIRING_NONE;
	if (rv != CKR_OK)
		return rv;
	slot = api_find_slot(slot_id);
	if (slot == NULL || !slot_has_token(slot)) {
		module_leave();
		return CKR_SLOT_ID_INVALID;
	}
	api_prompt_begin(slot, NULL, &prompt);
	module_suspend();
	rv = conversation_set_autoconnect(slot, &prompt, autoconnect, pairing);
	resumed = module_resume();
	api_prompt_end(slot, &prompt);
	if (rv == CKR_OK && resumed == CKR_OK)
		slot->features.pairing = *pairing;
	module_leave();
	return rv == CKR_OK ? resumed : rv;
}

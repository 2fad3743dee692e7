/* The devices behind the slots, for the trezor-pkcs11 command. See inventory.h. */
#include "config.h"

#include "inventory.h"

#include <stdio.h>

#include "module.h"
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

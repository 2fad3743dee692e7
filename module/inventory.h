/*
 * What the trezor-pkcs11 command asks of the module beyond PKCS#11: the
 * devices behind the slots, with the Features discovery read from them,
 * and the devices discovery could not use, with the reason. Call after
 * C_GetSlotList (which looks for devices), between PKCS#11 calls.
 */
#ifndef TREZOR_PKCS11_INVENTORY_H
#define TREZOR_PKCS11_INVENTORY_H

#include <stddef.h>

#include "discovery.h"
#include "pkcs11_types.h"
#include "transport.h"
#include "trezor.h"

struct inventory_device {
	CK_SLOT_ID slot_id;
	char path[TRANSPORT_PATH_MAX];
	struct trezor_features features;
};

/* The devices with a token, at most `room`; *count says how many there are. */
CK_RV inventory_devices(struct inventory_device *out, size_t room, size_t *count);

/* The devices found but not usable, at most `room`; *count says how many. */
CK_RV inventory_problems(struct discovery_problem *out, size_t room, size_t *count);

/*
 * trezor-pkcs11 pair: a paired Safe 7 connects without asking from now on
 * (autoconnect, which the device asks the person to allow), or asks again
 * after each restart. *pairing is the state after.
 */
CK_RV inventory_set_autoconnect(CK_SLOT_ID slot_id, bool autoconnect,
				enum trezor_pairing *pairing);

#endif
